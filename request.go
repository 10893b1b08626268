package veriff

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/hashicorp/go-retryablehttp"
)

// Header names of Veriff's API.
const (
	headerAuthClient    = "X-AUTH-CLIENT"
	headerSignature     = "X-HMAC-SIGNATURE"
	headerIntegrationID = "vrf-integration-id"
)

// maxIDLength is the longest ID the SDK accepts. Veriff's IDs are UUIDs
// (36 bytes).
const maxIDLength = 128

// ValidateID reports whether id is a well-formed Veriff ID, by the rule
// every method applies before sending: 1 to 128 bytes of ASCII letters,
// digits, '-' and '_' (Veriff's IDs are UUIDs). The error wraps
// ErrInvalidInput and does not repeat the ID.
func ValidateID(id string) error { return validateID("id", id) }

// validateID refuses IDs that are empty, longer than maxIDLength bytes, or
// hold anything but ASCII letters, digits, '-' and '_': Veriff's IDs are
// UUIDs, and an ID is put in the path as is, so it must not be able to
// change the request's path. IDs are validated, never silently escaped.
// The error does not repeat the ID.
func validateID(field, id string) error {
	if id == "" {
		return invalidInput(field, "empty ID")
	}
	if len(id) > maxIDLength {
		return invalidInput(field, "ID longer than %d bytes", maxIDLength)
	}
	for i := 0; i < len(id); i++ {
		switch c := id[i]; {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '-', c == '_':
		default:
			return invalidInput(field, "ID may hold only ASCII letters, digits, '-' and '_' (byte %d is not one)", i)
		}
	}
	return nil
}

// newRequest builds a call of method on pattern, the path after "/v1",
// whose "{name}" segments are filled in order with ids. Each ID is checked
// first (validateID, name naming it in errors), so an endpoint method never
// checks IDs itself. The first ID is the message GET and DELETE sign:
// Veriff signs those calls over the ID in the path, never the query string.
func newRequest(method, pattern string, ids ...string) (*request, error) {
	var b strings.Builder
	rest, n := pattern, 0
	for {
		open := strings.IndexByte(rest, '{')
		if open < 0 {
			break
		}
		end := strings.IndexByte(rest[open:], '}') + open
		if n >= len(ids) {
			panic("veriff: newRequest: too few IDs for " + pattern)
		}
		if err := validateID(rest[open+1:end], ids[n]); err != nil {
			return nil, err
		}
		b.WriteString(rest[:open])
		b.WriteString(ids[n])
		rest, n = rest[end+1:], n+1
	}
	if n != len(ids) {
		panic("veriff: newRequest: too many IDs for " + pattern)
	}
	b.WriteString(rest)
	r := &request{method: method, path: b.String()}
	if n > 0 {
		r.signID = ids[0]
	}
	return r, nil
}

// request is one call of the API: everything the single request path needs.
type request struct {
	method string
	path   string // after "/v1", IDs already validated
	query  string // encoded query; never signed
	// signID is the message signed for GET and DELETE: the ID in the path.
	signID string
	// body is marshalled once with encoding/json; those exact bytes are
	// signed and sent on every attempt (POST, PATCH).
	body any
	// stream is a body too large to hold in memory, signed beforehand.
	stream *streamBody
	// integrationID sends vrf-integration-id when the client has one.
	integrationID bool
	// binary asks for a file rather than JSON (Accept: */*).
	binary bool
}

// streamBody is a request body rebuilt for each attempt from open, which
// must yield the same size bytes every time; sig is their signature.
type streamBody struct {
	open func() (io.ReadCloser, error)
	size int64
	sig  string
}

// getJSON decodes the JSON answer of a GET on pattern (see newRequest)
// into a new T.
func getJSON[T any](ctx context.Context, c *Client, pattern string, ids ...string) (*T, error) {
	r, err := newRequest(http.MethodGet, pattern, ids...)
	if err != nil {
		return nil, err
	}
	return doJSON[T](ctx, c, r)
}

// doJSON sends r and decodes its JSON answer into a new T.
func doJSON[T any](ctx context.Context, c *Client, r *request) (*T, error) {
	var out T
	if err := c.do(ctx, r, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// envelope is an answer that wraps the data an endpoint returns.
type envelope[T any] interface{ unwrap() T }

// statusEnvelope is the answer of Person (the payload under "person") and of
// WatchlistScreening (under "data"): the payload, and a status beside it
// that goes into the result.
type statusEnvelope[T any, P interface {
	*T
	setStatus(string)
}] struct {
	Status string `json:"status"`
	Person *T     `json:"person"`
	Data   *T     `json:"data"`
}

func (e *statusEnvelope[T, P]) unwrap() *T {
	p := cmp.Or(e.Person, e.Data, new(T))
	P(p).setStatus(e.Status)
	return p
}

// getUnwrapped is getJSON for an endpoint whose answer is an envelope E:
// it returns the data E wraps.
func getUnwrapped[T, E any, P interface {
	*E
	envelope[T]
}](ctx context.Context, c *Client, pattern string, ids ...string) (T, error) {
	e, err := getJSON[E](ctx, c, pattern, ids...)
	if err != nil {
		var zero T
		return zero, err
	}
	return P(e).unwrap(), nil
}

// sendValid sends body, which must pass its Validate first, with method on
// pattern (see newRequest), and discards the answer.
func (c *Client) sendValid(ctx context.Context, method, pattern, id string, body interface{ Validate() error }) error {
	r, err := newRequest(method, pattern, id)
	if err != nil {
		return err
	}
	if err := body.Validate(); err != nil {
		return err
	}
	r.body = body
	return c.do(ctx, r, nil)
}

// do sends r and decodes a JSON success body into out (nil to discard it).
// The body is read inside the retry loop, so a GET or DELETE whose
// connection drops mid-body is retried like any connection error.
func (c *Client) do(ctx context.Context, r *request, out any) error {
	st, resp, err := c.exchange(ctx, r, true)
	if err != nil {
		return err
	}
	defer st.release()
	drainClose(resp.Body) // already read to the end, or past the limit
	return c.decode(st, resp, out)
}

// send builds, signs and sends r through the retrying transport. It returns
// the response of a 2xx answer, with its body to be streamed and closed by
// the caller, or an error: *APIError for any other status.
func (c *Client) send(ctx context.Context, r *request) (*http.Response, error) {
	_, resp, err := c.exchange(ctx, r, false)
	return resp, err
}

// exchange is the one request path: build, sign once, send through the
// retrying transport, and turn any non-2xx answer into an *APIError. With
// buffer, a 2xx body is read (bounded) within the retry loop into the
// returned callState, whose buffer the caller must release.
func (c *Client) exchange(ctx context.Context, r *request, buffer bool) (*callState, *http.Response, error) {
	if ctx == nil {
		return nil, nil, invalidInput("ctx", "nil context")
	}
	if err := ctx.Err(); err != nil {
		return nil, nil, c.wrapErr(r, err)
	}
	st := &callState{
		c:          c,
		method:     r.method,
		path:       "/v1" + r.path,
		idempotent: r.method == http.MethodGet || r.method == http.MethodDelete || r.method == http.MethodHead,
		buffered:   buffer,
	}
	req, err := c.build(ctx, r, st)
	if err != nil {
		return nil, nil, err
	}
	resp, err := st.retryClient().Do(req)
	if err != nil {
		st.release()
		if resp != nil {
			drainClose(resp.Body)
		}
		if cerr := ctx.Err(); cerr != nil {
			return nil, nil, c.wrapErr(r, cerr)
		}
		return nil, nil, st.transportErr(err)
	}
	if resp.StatusCode >= 200 && resp.StatusCode <= 299 {
		if err := c.ext.verifyResponse(st, resp, buffer); err != nil {
			st.release()
			drainClose(resp.Body)
			return nil, nil, err
		}
		return st, resp, nil
	}
	st.release()
	defer drainClose(resp.Body)
	return nil, nil, st.apiError(resp)
}

// body returns r's body, encoded once, and its signature.
func (c *Client) body(r *request) (raw any, sig string, err error) {
	switch {
	case r.stream != nil:
		s := r.stream
		return retryablehttp.ReaderFunc(func() (io.Reader, error) { return s.open() }), s.sig, nil
	case r.body != nil:
		if field := invalidUTF8Field(r.body); field != "" {
			return nil, "", invalidInput(field, "not valid UTF-8")
		}
		b, err := json.Marshal(r.body)
		if err != nil {
			return nil, "", invalidInput("request body", "cannot encode JSON: %s", encodeProblem(err))
		}
		return b, c.ext.sign(c.signer, r, b), nil
	}
	return nil, c.ext.sign(c.signer, r, nil), nil
}

// encodeProblem says why json.Marshal failed without the value it met
// (encoding/json's messages can quote it, and a MarshalJSON error is the
// caller's own text).
func encodeProblem(err error) string {
	var (
		te *json.UnsupportedTypeError
		me *json.MarshalerError
	)
	switch {
	case errors.As(err, &te):
		return "unsupported type " + te.Type.String()
	case errors.As(err, &me):
		return "MarshalJSON of " + me.Type.String() + " failed"
	default:
		return "unsupported value"
	}
}

// build makes the signed request of r, sent as is on every attempt.
func (c *Client) build(ctx context.Context, r *request, st *callState) (*retryablehttp.Request, error) {
	raw, sig, err := c.body(r)
	if err != nil {
		return nil, err
	}
	target := c.baseURL + r.path
	if r.query != "" {
		target += "?" + r.query
	}
	req, err := retryablehttp.NewRequestWithContext(ctx, r.method, target, raw)
	if err != nil {
		return nil, fmt.Errorf("veriff: %s %s: building request: %w", st.method, st.path, err)
	}
	if st.buffered {
		req.SetResponseHandler(st.readBody)
	}
	if !st.idempotent {
		// The transport must never re-send a POST or PATCH on its own:
		// Go's HTTP/2 transport replays a request whose stream was reset
		// after the server got it when it can rebuild the body. Each of
		// the SDK's own attempts still gets a fresh body from raw.
		req.Request.GetBody = nil
	}
	h := req.Header
	h.Set(c.ext.auth.keyHeader(), c.apiKey)
	h.Set(c.ext.auth.sigHeader(), sig)
	h.Set("User-Agent", c.userAgent)
	if r.binary {
		h.Set("Accept", "*/*")
		// Files are delivered as Veriff sends them: without this, Go's
		// transport asks for gzip and inflates it, unbounded.
		h.Set("Accept-Encoding", "identity")
	} else {
		h.Set("Accept", "application/json")
	}
	if raw != nil {
		h.Set("Content-Type", "application/json")
	}
	if r.stream != nil {
		req.ContentLength = r.stream.size
	}
	if r.integrationID && c.integrationID != "" {
		h.Set(headerIntegrationID, c.integrationID)
	}
	return req, nil
}

// apiError is the *APIError of a non-2xx answer.
func (st *callState) apiError(resp *http.Response) *APIError {
	data, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBodyBytes))
	var eb errorBody
	if len(data) > 0 && json.Unmarshal(data, &eb) != nil {
		eb = errorBody{}
	}
	return st.newAPIError(resp, data, eb)
}

// newAPIError is the *APIError of resp, whose body is data (at most
// maxErrorBodyBytes, owned by the error) and reads as eb: the one place
// an error answer becomes an *APIError, whether its status is an error or
// a 2xx carrying "status":"fail".
func (st *callState) newAPIError(resp *http.Response, data []byte, eb errorBody) *APIError {
	apiErr := &APIError{
		StatusCode: resp.StatusCode,
		Status:     eb.Status,
		Code:       string(eb.Code),
		Message:    eb.Message,
		Method:     st.method,
		Path:       st.path,
		Attempts:   st.attempt,
		Header:     safeHeader(resp.Header),
		Body:       data,
	}
	if apiErr.Message == "" && resp.StatusCode >= 300 {
		apiErr.Message = http.StatusText(resp.StatusCode)
	}
	if d, ok := parseRetryAfter(resp.Header.Get("Retry-After"), time.Now()); ok {
		apiErr.RetryAfter = d
	}
	return apiErr
}

// bufPool holds the buffers success bodies are read into.
var bufPool = sync.Pool{New: func() any { b := make([]byte, 0, 4<<10); return &b }}

var failMarker = []byte(`"fail"`)

// readBody is the response handler of buffered calls: it reads a 2xx body,
// bounded, within the retry loop. A failed read is a connection error, which
// the retry policy judges like any other; a body over the limit is not
// retried. Other statuses are left to exchange.
func (st *callState) readBody(resp *http.Response) error {
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return nil
	}
	st.body, st.tooLarge = nil, false
	limit := st.c.maxResponseBytes
	if resp.ContentLength > limit {
		st.tooLarge = true
		return nil
	}
	if st.buf == nil {
		st.buf = bufPool.Get().(*[]byte)
	}
	data, tooLarge, err := readBounded(*st.buf, resp.Body, resp.ContentLength, limit)
	if cap(data) > cap(*st.buf) && cap(data) <= 1<<20 {
		*st.buf = data[:0] // keep the larger buffer
	}
	if err != nil {
		return fmt.Errorf("reading response: %w: %w", ErrInvalidResponse, err)
	}
	st.body, st.tooLarge = data, tooLarge
	return nil
}

// release returns the call's read buffer to the pool.
func (st *callState) release() {
	if st == nil || st.buf == nil {
		return
	}
	*st.buf = (*st.buf)[:0]
	bufPool.Put(st.buf)
	st.buf, st.body = nil, nil
}

// decode decodes the success body read by readBody into out.
func (c *Client) decode(st *callState, resp *http.Response, out any) error {
	if st.tooLarge {
		return fmt.Errorf("veriff: %s %s: %w: body exceeds %d bytes", st.method, st.path, ErrResponseTooLarge, c.maxResponseBytes)
	}
	data := st.body
	if len(bytes.TrimSpace(data)) == 0 {
		if out == nil {
			return nil
		}
		return fmt.Errorf("veriff: %s %s: %w: empty body with status %d", st.method, st.path, ErrInvalidResponse, resp.StatusCode)
	}
	if bytes.Contains(data, failMarker) {
		var eb errorBody
		if json.Unmarshal(data, &eb) == nil && eb.Status == "fail" {
			// data is a pooled buffer: the error keeps a copy.
			return st.newAPIError(resp, bytes.Clone(data[:min(len(data), maxErrorBodyBytes)]), eb)
		}
	}
	if out == nil {
		return nil
	}
	if err := decodeLenient(data, out); err != nil {
		return fmt.Errorf("veriff: %s %s: %w: %v", st.method, st.path, ErrInvalidResponse, err)
	}
	return nil
}

// readChunk is the most a bounded read allocates ahead of the bytes that
// have arrived, whatever the body's declared length.
const readChunk = 32 << 10

// readBounded reads body into buf[:0] until EOF, or reports tooLarge as soon
// as more than limit bytes have arrived. Memory follows the bytes received,
// never the declared size (>= 0, or -1 when unknown), which only sizes the
// first chunk (at most readChunk). The body is read in chunks of doubling
// size, joined once at the end: a body without end costs about limit bytes
// before it is cut off, and one of n bytes about 2n.
func readBounded(buf []byte, body io.Reader, size, limit int64) (data []byte, tooLarge bool, err error) {
	limit = min(limit, math.MaxInt64-1) // limit+1 must not overflow
	if size > limit {
		return nil, true, nil
	}
	b := buf[:0]
	if size >= 0 && int64(cap(b)) <= size {
		b = make([]byte, 0, min(size+1, readChunk)) // +1: room for the read that sees EOF
	}
	var (
		full  [][]byte // chunks filled so far, in order
		total int64    // their length
	)
	r := io.LimitReader(body, limit+1)
	for {
		if len(b) == cap(b) {
			room := limit + 1 - total - int64(len(b))
			if room <= 0 {
				return nil, true, nil
			}
			if len(b) > 0 {
				full = append(full, b)
				total += int64(len(b))
			}
			b = make([]byte, 0, min(int64(max(2*cap(b), 4<<10)), room))
		}
		var n int
		n, err = r.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if err != nil {
			break
		}
	}
	if err != io.EOF {
		return b, false, err
	}
	if total+int64(len(b)) > limit {
		return nil, true, nil
	}
	if len(full) == 0 {
		return b, false, nil
	}
	out := make([]byte, 0, total+int64(len(b)))
	for _, c := range full {
		out = append(out, c...)
	}
	return append(out, b...), false, nil
}

func drainClose(body io.ReadCloser) {
	_, _ = io.Copy(io.Discard, io.LimitReader(body, 4<<10))
	_ = body.Close()
}

func (c *Client) wrapErr(r *request, err error) error {
	return fmt.Errorf("veriff: %s /v1%s: %w", r.method, r.path, err)
}

// callState is the state of one call, held by the hooks of the call's own
// retryablehttp.Client (retryClient); used by one goroutine at a time.
type callState struct {
	c          *Client
	method     string
	path       string
	idempotent bool
	attempt    int
	start      time.Time
	// buffered calls have a response handler, after which checkRetry is
	// asked a second time; handlerAsked marks the first ask.
	buffered     bool
	handlerAsked bool

	// The success body of a buffered call, read by readBody.
	buf      *[]byte
	body     []byte
	tooLarge bool
}

func (st *callState) transportErr(err error) error {
	if st.attempt > 1 {
		return fmt.Errorf("veriff: %s %s: %w (after %d attempts)", st.method, st.path, err, st.attempt)
	}
	return fmt.Errorf("veriff: %s %s: %w", st.method, st.path, err)
}
