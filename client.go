package veriff

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/hashicorp/go-retryablehttp"
)

// Version is the SDK version sent in the User-Agent header.
const Version = "0.1.0"

// DefaultBaseURL is the fallback API host, used when neither WithBaseURL
// nor VERIFF_BASE_URL gives the integration's own base URL. Veriff announces
// a change of API host before 9 December 2026: take the base URL from the
// Customer Portal rather than rely on this one.
const DefaultBaseURL = "https://stationapi.veriff.com"

const (
	defaultMaxRetries       = 2
	defaultRetryWaitMin     = 500 * time.Millisecond
	defaultRetryWaitMax     = 8 * time.Second
	defaultRetryAfterCap    = 30 * time.Second
	defaultMaxResponseBytes = 10 << 20 // JSON responses
	defaultAttemptTimeout   = 60 * time.Second
	maxErrorBodyBytes       = 64 << 10
)

// Header names of Veriff's API.
const (
	headerAuthClient    = "X-AUTH-CLIENT"
	headerSignature     = "X-HMAC-SIGNATURE"
	headerIntegrationID = "vrf-integration-id"
)

// Client calls Veriff's Public API v1. Create one with NewClient. A Client is
// safe for concurrent use by many goroutines, and one process may hold
// several (one per integration).
type Client struct {
	apiKey           string
	signer           *signer
	baseURL          string // scheme://host[/prefix]/v1, no trailing slash
	integrationID    string
	userAgent        string
	logger           *slog.Logger
	retryAfterCap    time.Duration
	maxResponseBytes int64
	maxDownloadBytes int64
	ext              clientExt // With, response verification, the Feedback API's signing (with.go)

	inner *http.Client          // the user's client (or ours): transport and per-attempt timeout
	rc    *retryablehttp.Client // drives inner through a redirect-refusing wrapper
}

type config struct {
	baseURL          string
	hc               *http.Client
	maxRetries       int
	waitMin, waitMax time.Duration
	logger           *slog.Logger
	integrationID    string
	userAgent        string
	retryAfterCap    time.Duration
	maxResponseBytes int64
	maxDownloadBytes int64
	extConfig        // WithPlainHTTP, WithResponseVerification (with.go)
}

// Option configures a Client. An option given an invalid value makes
// NewClient return an error wrapping ErrInvalidInput.
type Option func(*config) error

// WithBaseURL sets the integration's base URL, as the Customer Portal shows
// it beside the API keys, with or without a trailing "/v1". Every client
// should set it: Veriff announces a change of API host before 9 December
// 2026, and without it the client falls back to DefaultBaseURL. It must be
// absolute https; plain http is allowed only to a loopback host (localhost,
// 127.0.0.0/8, ::1), or with WithPlainHTTP to a host outside veriff.com and
// veriff.me, so credentials never travel in clear text.
func WithBaseURL(rawURL string) Option {
	return func(c *config) error {
		c.baseURL = rawURL
		return nil
	}
}

// WithHTTPClient sets the inner *http.Client that the retrying transport
// drives. Its Transport and Timeout (a per-attempt limit) are used, read at
// each attempt; the SDK never follows redirects, so its CheckRedirect and
// Jar are not used.
func WithHTTPClient(hc *http.Client) Option {
	return func(c *config) error {
		if hc == nil {
			return invalidInput("WithHTTPClient", "nil *http.Client")
		}
		c.hc = hc
		return nil
	}
}

// WithMaxRetries sets how many times a failed request may be retried after
// the first attempt (default 2; 0 disables retries). Which failures are
// retried depends on the method; see the package documentation.
func WithMaxRetries(n int) Option {
	return func(c *config) error {
		if n < 0 {
			return invalidInput("WithMaxRetries", "negative retry count %d", n)
		}
		c.maxRetries = n
		return nil
	}
}

// WithRetryWait sets the bounds of the exponential backoff between
// attempts (default 500ms to 8s). A Retry-After header overrides them, up to
// the cap set by WithRetryAfterCap.
func WithRetryWait(min, max time.Duration) Option {
	return func(c *config) error {
		if min < 0 || max < 0 {
			return invalidInput("WithRetryWait", "negative wait (%s, %s)", min, max)
		}
		if max < min {
			return invalidInput("WithRetryWait", "max %s is below min %s", max, min)
		}
		c.waitMin, c.waitMax = min, max
		return nil
	}
}

// WithRetryAfterCap sets the longest Retry-After the client will sleep for
// before retrying (default 30s). A response asking for more is returned at
// once as an *APIError with RetryAfter set.
func WithRetryAfterCap(d time.Duration) Option {
	return func(c *config) error {
		if d < 0 {
			return invalidInput("WithRetryAfterCap", "negative duration %s", d)
		}
		c.retryAfterCap = d
		return nil
	}
}

// WithMaxResponseBytes caps the size of a JSON response body the client will
// read (default 10 MiB), so that a broken or hostile server cannot exhaust
// memory. Media downloads are streamed and not capped.
func WithMaxResponseBytes(n int64) Option {
	return func(c *config) error {
		if n <= 0 {
			return invalidInput("WithMaxResponseBytes", "must be positive, got %d", n)
		}
		c.maxResponseBytes = n
		return nil
	}
}

// WithMaxDownloadBytes caps the size of a file DownloadMedia delivers
// (default 0: no cap). A larger file fails with an error wrapping
// ErrResponseTooLarge, after at most n bytes were written.
func WithMaxDownloadBytes(n int64) Option {
	return func(c *config) error {
		if n < 0 {
			return invalidInput("WithMaxDownloadBytes", "must not be negative, got %d", n)
		}
		c.maxDownloadBytes = n
		return nil
	}
}

// WithLogger sets a logger for one line per attempt: method, path, status,
// attempt, duration and whether it is retried, at level Debug for a 2xx or
// 3xx answer and Warn for a 4xx or 5xx answer or a connection error. The
// default is silent. Bodies, the API key, the
// shared secret and signatures are never logged.
func WithLogger(l *slog.Logger) Option {
	return func(c *config) error {
		c.logger = l
		return nil
	}
}

// WithIntegrationID sets the Integration ID sent as vrf-integration-id on
// session creation, needed with Veriff's "flexible API keys" setup.
func WithIntegrationID(id string) Option {
	return func(c *config) error {
		if strings.TrimSpace(id) == "" || hasControl(id) {
			return invalidInput("WithIntegrationID", "empty or contains control characters")
		}
		c.integrationID = id
		return nil
	}
}

// WithUserAgent adds ua in front of the SDK's own User-Agent
// ("veriffgo/<version>"), to identify the application.
func WithUserAgent(ua string) Option {
	return func(c *config) error {
		if hasControl(ua) {
			return invalidInput("WithUserAgent", "contains control characters")
		}
		c.userAgent = strings.TrimSpace(ua)
		return nil
	}
}

// NewClient returns a Client for the integration with the given API key and
// shared secret key. Pass the integration's base URL from the Customer
// Portal with WithBaseURL (or use NewClientFromEnv with VERIFF_BASE_URL):
// Veriff announces a change of API host before 9 December 2026, and
// DefaultBaseURL is only a fallback. It refuses an empty or blank key or
// secret, and invalid options.
func NewClient(apiKey, sharedSecret string, opts ...Option) (*Client, error) {
	if err := checkCredentials(apiKey, sharedSecret); err != nil {
		return nil, err
	}
	return newClient(apiKey, newSigner(sharedSecret), nil, opts)
}

// checkCredentials refuses an empty or malformed API key or secret.
func checkCredentials(apiKey, sharedSecret string) error {
	if strings.TrimSpace(apiKey) == "" {
		return invalidInput("apiKey", "empty API key")
	}
	if hasControl(apiKey) {
		return invalidInput("apiKey", "contains control characters")
	}
	if strings.TrimSpace(sharedSecret) == "" {
		return invalidInput("sharedSecret", "empty shared secret (or only white space)")
	}
	return nil
}

// newClient builds a Client from checked credentials; With and
// NewFeedbackClient share it (with.go). auth nil is Veriff's Public API.
func newClient(apiKey string, s *signer, auth *authScheme, opts []Option) (*Client, error) {
	cfg := config{
		baseURL:          auth.defaultBaseURL(),
		maxRetries:       defaultMaxRetries,
		waitMin:          defaultRetryWaitMin,
		waitMax:          defaultRetryWaitMax,
		retryAfterCap:    defaultRetryAfterCap,
		maxResponseBytes: defaultMaxResponseBytes,
	}
	for _, opt := range opts {
		if opt == nil {
			continue
		}
		if err := opt(&cfg); err != nil {
			return nil, err
		}
	}
	base, err := normalizeBaseURL(cfg.baseURL, cfg.plainHTTP)
	if err != nil {
		return nil, err
	}
	if cfg.hc == nil {
		cfg.hc = defaultHTTPClient()
	}
	ua := "veriffgo/" + Version + " (" + runtime.Version() + ")"
	if cfg.userAgent != "" {
		ua = cfg.userAgent + " " + ua
	}
	c := &Client{
		apiKey:           apiKey,
		signer:           s,
		baseURL:          base,
		integrationID:    cfg.integrationID,
		userAgent:        ua,
		logger:           cfg.logger,
		retryAfterCap:    cfg.retryAfterCap,
		maxResponseBytes: cfg.maxResponseBytes,
		maxDownloadBytes: cfg.maxDownloadBytes,
		inner:            cfg.hc,
		ext:              newClientExt(auth, cfg.extConfig, opts),
	}
	c.rc = &retryablehttp.Client{
		HTTPClient: &http.Client{
			Transport:     innerTransport{cfg.hc},
			CheckRedirect: refuseRedirect,
		},
		Logger:          nil, // silent: the SDK logs through its own slog hook
		RetryWaitMin:    cfg.waitMin,
		RetryWaitMax:    cfg.waitMax,
		RetryMax:        cfg.maxRetries,
		RequestLogHook:  requestHook,
		ResponseLogHook: nil,
		CheckRetry:      c.checkRetry,
		Backoff:         c.backoff,
		ErrorHandler:    retryablehttp.PassthroughErrorHandler,
		PrepareRetry:    nil,
	}
	return c, nil
}

// BaseURL returns the API root the client calls, ending in "/v1".
func (c *Client) BaseURL() string { return c.baseURL }

func defaultHTTPClient() *http.Client {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConns = 100
	t.MaxIdleConnsPerHost = 100
	t.ForceAttemptHTTP2 = true
	t.MaxResponseHeaderBytes = maxResponseHeaderBytes
	t.Proxy = proxyUnlessPlainLoopback
	return &http.Client{Transport: t, Timeout: defaultAttemptTimeout}
}

// maxResponseHeaderBytes caps the response headers the default transport
// reads; Veriff's are a few hundred bytes.
const maxResponseHeaderBytes = 64 << 10

// proxyUnlessPlainLoopback is the proxy policy of the default transport: the
// environment's (HTTP_PROXY, HTTPS_PROXY, NO_PROXY), except that a plain-http
// request to a loopback host never goes through a proxy, so the API key
// sent in clear text stays on the machine.
func proxyUnlessPlainLoopback(req *http.Request) (*url.URL, error) {
	if req.URL.Scheme == "http" && isLoopback(req.URL.Hostname()) {
		return nil, nil
	}
	return http.ProxyFromEnvironment(req)
}

// CloseIdleConnections closes the idle keep-alive connections of the
// client's inner *http.Client (see WithHTTPClient); connections in use are
// not interrupted. Copies made by With share the pool. Call it when a Client
// is no longer needed.
func (c *Client) CloseIdleConnections() {
	c.inner.CloseIdleConnections()
}

func refuseRedirect(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

// normalizeBaseURL checks rawURL and returns it with "/v1" appended once.
func normalizeBaseURL(rawURL string, plainHTTP bool) (string, error) {
	u, err := url.Parse(strings.TrimSpace(rawURL))
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // without the URL, which may hold a password
		}
		return "", invalidInput("WithBaseURL", "cannot parse URL: %v", err)
	}
	if !u.IsAbs() || u.Host == "" {
		return "", invalidInput("WithBaseURL", "not an absolute URL")
	}
	if u.User != nil || u.RawQuery != "" || u.ForceQuery || u.Fragment != "" || strings.ContainsAny(rawURL, "?#") {
		return "", invalidInput("WithBaseURL", "must not carry user info, a query or a fragment")
	}
	switch u.Scheme {
	case "https":
	case "http":
		if !plainHTTP && !isLoopback(u.Hostname()) {
			return "", invalidInput("WithBaseURL", "plain http is allowed only to a loopback host, not %q: credentials must not travel in clear text", u.Hostname())
		}
		if err := checkPlainHTTP(u.Hostname()); err != nil {
			return "", err
		}
	default:
		return "", invalidInput("WithBaseURL", "scheme must be https, got %q", u.Scheme)
	}
	// Host names are case-insensitive, but Go's proxy bypass for
	// "localhost" is not: lower-case it so that http://LOCALHOST is
	// treated as the loopback host it is.
	u.Host = strings.ToLower(u.Host)
	p := strings.TrimRight(u.Path, "/")
	p = strings.TrimSuffix(p, "/v1")
	u.Path = p + "/v1"
	u.RawPath = ""
	return u.String(), nil
}

func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func hasControl(s string) bool {
	for _, r := range s {
		if r < 0x20 || r == 0x7f {
			return true
		}
	}
	return false
}

// maxIDLength is the longest ID the SDK accepts. Veriff's IDs are UUIDs
// (36 bytes).
const maxIDLength = 128

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

// byID builds a GET or DELETE on prefix+id+suffix once the ID is checked
// (validateID, with field naming it in errors). Veriff signs these calls
// over the ID in the path (session, attempt or media ID), never the query
// string, so the ID is the signed message.
func byID(method, field, prefix, id, suffix string) (*request, error) {
	if err := validateID(field, id); err != nil {
		return nil, err
	}
	return &request{method: method, path: prefix + id + suffix, signID: id}, nil
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
	var (
		raw any
		sig string
	)
	switch {
	case r.stream != nil:
		s := r.stream
		raw = retryablehttp.ReaderFunc(func() (io.Reader, error) { return s.open() })
		sig = s.sig
	case r.body != nil:
		if field := invalidUTF8Field(r.body); field != "" {
			return nil, nil, invalidInput(field, "not valid UTF-8")
		}
		b, err := json.Marshal(r.body)
		if err != nil {
			return nil, nil, invalidInput("request body", "cannot encode JSON: %v", err)
		}
		raw, sig = b, c.ext.sign(c.signer, r, b)
	default:
		sig = c.ext.sign(c.signer, r, nil)
	}

	st := &callState{
		c:          c,
		method:     r.method,
		path:       "/v1" + r.path,
		idempotent: r.method == http.MethodGet || r.method == http.MethodDelete || r.method == http.MethodHead,
	}
	target := c.baseURL + r.path
	if r.query != "" {
		target += "?" + r.query
	}
	req, err := retryablehttp.NewRequestWithContext(context.WithValue(ctx, callStateKey{}, st), r.method, target, raw)
	if err != nil {
		return nil, nil, fmt.Errorf("veriff: %s %s: building request: %w", st.method, st.path, err)
	}
	if buffer {
		st.buffered = true
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

	resp, err := c.rc.Do(req)
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
	apiErr := &APIError{
		StatusCode: resp.StatusCode,
		Method:     st.method,
		Path:       st.path,
		Attempts:   st.attempt,
	}
	if d, ok := parseRetryAfter(resp.Header.Get("Retry-After"), time.Now()); ok {
		apiErr.RetryAfter = d
	}
	data, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBodyBytes))
	apiErr.Header, apiErr.Body = safeHeader(resp.Header), data
	var eb errorBody
	if len(data) > 0 && json.Unmarshal(data, &eb) == nil {
		apiErr.Status, apiErr.Code, apiErr.Message = eb.Status, string(eb.Code), eb.Message
	}
	if apiErr.Message == "" {
		apiErr.Message = http.StatusText(resp.StatusCode)
	}
	return nil, nil, apiErr
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
			return &APIError{StatusCode: resp.StatusCode, Status: eb.Status, Code: string(eb.Code),
				Message: eb.Message, Method: st.method, Path: st.path, Attempts: st.attempt,
				Header: safeHeader(resp.Header), Body: errorBodyCopy(data)}
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

// callState travels in the request context through retryablehttp's hooks:
// one per call, used by one goroutine at a time.
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

type callStateKey struct{}

func stateFrom(ctx context.Context) *callState {
	st, _ := ctx.Value(callStateKey{}).(*callState)
	return st
}

func requestHook(_ retryablehttp.Logger, req *http.Request, attempt int) {
	if st := stateFrom(req.Context()); st != nil {
		st.attempt = attempt + 1
		st.handlerAsked = false
		if st.c.logger != nil {
			st.start = time.Now()
		}
	}
}

func (st *callState) transportErr(err error) error {
	if st.attempt > 1 {
		return fmt.Errorf("veriff: %s %s: %w (after %d attempts)", st.method, st.path, err, st.attempt)
	}
	return fmt.Errorf("veriff: %s %s: %w", st.method, st.path, err)
}

// checkRetry is the retry policy. GET and DELETE retry on connection errors,
// 429 and 5xx except 501. POST and PATCH, which Veriff gives no idempotency
// key, retry only on 429 and on errors where nothing was sent. A Retry-After
// above the cap is not waited for.
func (c *Client) checkRetry(ctx context.Context, resp *http.Response, err error) (bool, error) {
	st := stateFrom(ctx)
	if st == nil { // not a request of ours
		return retryablehttp.DefaultRetryPolicy(ctx, resp, err)
	}
	retry := st.decide(ctx, resp, err)
	// retryablehttp asks again, with the response handler's verdict, after
	// a buffered call's answer that is not retried: log that second call
	// only, so that each attempt is logged once.
	handlerNext := st.buffered && err == nil && resp != nil && !retry && !st.handlerAsked
	st.handlerAsked = handlerNext
	if c.logger != nil && !handlerNext {
		st.log(ctx, resp, err, retry)
	}
	if cerr := ctx.Err(); cerr != nil {
		return false, cerr
	}
	return retry, nil
}

func (st *callState) decide(ctx context.Context, resp *http.Response, err error) bool {
	if ctx.Err() != nil {
		return false
	}
	if err != nil {
		if !retryableTransportErr(err) {
			return false
		}
		return st.idempotent || notSent(err)
	}
	switch code := resp.StatusCode; {
	case code == http.StatusTooManyRequests:
		if d, ok := parseRetryAfter(resp.Header.Get("Retry-After"), time.Now()); ok && d > st.c.retryAfterCap {
			return false
		}
		return true
	case code >= 500 && code <= 599 && code != http.StatusNotImplemented:
		if !st.idempotent {
			return false
		}
		if d, ok := parseRetryAfter(resp.Header.Get("Retry-After"), time.Now()); ok && d > st.c.retryAfterCap {
			return false
		}
		return true
	}
	return false
}

func (st *callState) log(ctx context.Context, resp *http.Response, err error, retry bool) {
	attrs := []slog.Attr{
		slog.String("method", st.method),
		slog.String("path", st.path),
		slog.Int("attempt", st.attempt),
		slog.Duration("duration", time.Since(st.start)),
	}
	level := slog.LevelDebug
	if resp != nil {
		attrs = append(attrs, slog.Int("status", resp.StatusCode))
		if resp.StatusCode >= 400 {
			level = slog.LevelWarn
		}
	}
	if err != nil {
		level = slog.LevelWarn
		attrs = append(attrs, slog.String("error", err.Error()))
	}
	attrs = append(attrs, slog.Bool("retry", retry))
	st.c.logger.LogAttrs(ctx, level, "veriff request", attrs...)
}

// retryableTransportErr reports whether a transport error may heal on retry:
// not certificate problems or malformed requests.
func retryableTransportErr(err error) bool {
	var (
		unknownAuth x509.UnknownAuthorityError
		certInvalid x509.CertificateInvalidError
		hostname    x509.HostnameError
		verifyErr   *tls.CertificateVerificationError
	)
	switch {
	case errors.As(err, &unknownAuth), errors.As(err, &certInvalid),
		errors.As(err, &hostname), errors.As(err, &verifyErr):
		return false
	}
	return true
}

// notSent reports whether err proves the request never left: it failed
// while dialling (DNS, refused, unreachable) before any byte was written.
func notSent(err error) bool {
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) {
		return true
	}
	var opErr *net.OpError
	if errors.As(err, &opErr) && opErr.Op == "dial" {
		return true
	}
	return false
}

// backoff waits as Retry-After asks (already capped by checkRetry), else
// exponentially with jitter inside [min, max].
func (c *Client) backoff(min, max time.Duration, attemptNum int, resp *http.Response) time.Duration {
	if resp != nil {
		if d, ok := parseRetryAfter(resp.Header.Get("Retry-After"), time.Now()); ok {
			if d > c.retryAfterCap {
				d = c.retryAfterCap
			}
			return d
		}
	}
	return jitterBackoff(min, max, attemptNum)
}

func jitterBackoff(min, max time.Duration, attemptNum int) time.Duration {
	if max <= 0 {
		return 0
	}
	d := min
	for i := 0; i < attemptNum && d < max; i++ {
		if d <= 0 {
			d = time.Millisecond
		}
		d *= 2
	}
	if d > max {
		d = max
	}
	// Equal jitter: a random wait in [d/2, d], never below min.
	half := d / 2
	w := half
	if half > 0 {
		w += rand.N(half + 1)
	}
	if w < min {
		w = min
	}
	return w
}

// parseRetryAfter reads a Retry-After value in seconds or as an HTTP date.
func parseRetryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	const maxSecs = int64(1 << 62 / time.Second)
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil {
		if secs < 0 {
			return 0, false
		}
		return time.Duration(min(secs, maxSecs)) * time.Second, true
	} else if errors.Is(err, strconv.ErrRange) && v[0] != '-' {
		// More seconds than int64 holds: longer than any cap.
		return time.Duration(maxSecs) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		d := t.Sub(now)
		if d < 0 {
			d = 0
		}
		return d, true
	}
	return 0, false
}

// innerTransport runs each attempt through the inner client's Transport,
// read at call time, with its Timeout as a per-attempt limit. The outer
// http.Client that wraps it refuses redirects, so the API key never
// follows a redirect to another host.
type innerTransport struct{ hc *http.Client }

func (t innerTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	rt := t.hc.Transport
	if rt == nil {
		rt = http.DefaultTransport
	}
	timeout := t.hc.Timeout
	if timeout <= 0 {
		return rt.RoundTrip(req)
	}
	ctx, cancel := context.WithTimeout(req.Context(), timeout)
	resp, err := rt.RoundTrip(req.WithContext(ctx))
	if err != nil {
		cancel()
		if req.Context().Err() == nil && errors.Is(err, context.DeadlineExceeded) {
			return nil, &attemptTimeoutError{timeout: timeout, err: err}
		}
		return nil, err
	}
	resp.Body = &cancelOnClose{ReadCloser: resp.Body, cancel: cancel, timeout: timeout}
	return resp, nil
}

// attemptTimeoutError reports that one attempt exceeded the inner client's
// Timeout while the caller's context was still live.
type attemptTimeoutError struct {
	timeout time.Duration
	err     error
}

func (e *attemptTimeoutError) Error() string {
	return fmt.Sprintf("attempt timed out after %s: %v", e.timeout, e.err)
}
func (e *attemptTimeoutError) Unwrap() error { return e.err }
func (e *attemptTimeoutError) Timeout() bool { return true }

type cancelOnClose struct {
	io.ReadCloser
	cancel  context.CancelFunc
	timeout time.Duration
	once    sync.Once
}

func (b *cancelOnClose) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if err != nil && err != io.EOF && errors.Is(err, context.DeadlineExceeded) {
		err = &attemptTimeoutError{timeout: b.timeout, err: err}
	}
	return n, err
}

func (b *cancelOnClose) Close() error {
	err := b.ReadCloser.Close()
	b.once.Do(b.cancel)
	return err
}
