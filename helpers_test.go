package veriff

import (
	"bytes"
	"context"
	"flag"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The one set of credentials and IDs the package's tests use.
const (
	testAPIKey = "e2f1a3c4-5b6d-4e7f-8a9b-0c1d2e3f4a5b"
	// testSecret is Veriff's documented mock shared secret (§7 of the API
	// notes), so the docs' signature vectors hold for it.
	testSecret        = "abcdef12-abcd-abcd-abcd-abcdef012345"
	testBase          = "https://api.example.test"
	testSessionID     = "12df6045-3846-3e45-946a-14fa6136d78b"
	testAttemptID     = "e30122d1-740b-4764-853f-470374a7abf4"
	testMediaID       = "4b6cb5a4-6a0a-4b36-8f5b-1d0f1e3c9a11"
	testIntegrationID = "7c0f2a4e-1d3b-4c5a-9e8f-6a7b8c9d0e1f"
)

// fmParallel is how many parallel tests run at once unless -test.parallel
// says otherwise: the fault matrix's cases mostly wait on deadlines and
// hanging servers, not on the CPU, so more of them than GOMAXPROCS (the
// default) run at once. Not when fuzzing: there -test.parallel is the
// number of fuzzing processes, which the CPUs bound.
const fmParallel = 48

func TestMain(m *testing.M) {
	flag.Parse()
	set := false
	flag.Visit(func(f *flag.Flag) { set = set || f.Name == "test.parallel" })
	if fuzz := flag.Lookup("test.fuzz"); fuzz != nil && fuzz.Value.String() != "" {
		set = true
	}
	if !set {
		if err := flag.Set("test.parallel", strconv.Itoa(fmParallel)); err != nil {
			panic(err)
		}
	}
	os.Exit(m.Run())
}

// setup returns a client on testBase whose inner *http.Client runs on a
// fresh per-test httpmock transport, with no backoff waits; opts come last.
func setup(t testing.TB, opts ...Option) (*Client, *httpmock.MockTransport) {
	t.Helper()
	mt := httpmock.NewMockTransport()
	all := append([]Option{
		WithBaseURL(testBase),
		WithHTTPClient(&http.Client{Transport: mt}),
		WithRetryWait(0, 0),
	}, opts...)
	c, err := NewClient(testAPIKey, testSecret, all...)
	require.NoError(t, err)
	return c, mt
}

// setupFeedback is setup for the Feedback API client.
func setupFeedback(t testing.TB, opts ...Option) (*FeedbackClient, *httpmock.MockTransport) {
	t.Helper()
	mt := httpmock.NewMockTransport()
	all := append([]Option{WithHTTPClient(&http.Client{Transport: mt}), WithRetryWait(0, 0)}, opts...)
	f, err := NewFeedbackClient(testAPIKey, testSecret, all...)
	require.NoError(t, err)
	return f, mt
}

// fixture returns the bytes of testdata/path.
func fixture(t testing.TB, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", filepath.FromSlash(path)))
	require.NoError(t, err)
	return b
}

func ptr[T any](v T) *T { return &v }

// rawRequest is one call of the internal request path, for the tests of
// that path (retries, signing, limits) that use no particular endpoint.
type rawRequest struct {
	method, path, signID string
	body                 any
	integrationID        bool
}

// getDecision is a signed GET of the decision of id.
func getDecision(id string) rawRequest {
	return rawRequest{method: http.MethodGet, path: "/sessions/" + id + "/decision", signID: id}
}

// postSession is a POST with a small JSON body.
func postSession() rawRequest {
	return rawRequest{method: http.MethodPost, path: "/sessions", body: map[string]any{"verification": map[string]any{}}}
}

// send runs r through the client's one request path and decodes a JSON
// success into out (nil discards it). It is the only place the tests name
// the unexported request type.
func send(ctx context.Context, c *Client, r rawRequest, out any) error {
	return c.do(ctx, &request{method: r.method, path: r.path, signID: r.signID, body: r.body, integrationID: r.integrationID}, out)
}

// --- responses --------------------------------------------------------------

// reply is a response with status, body, Content-Type application/json and
// the header pairs given.
func reply(status int, body []byte, header ...string) func() *http.Response {
	return func() *http.Response {
		r := httpmock.NewBytesResponse(status, body)
		r.Header.Set("Content-Type", "application/json")
		for i := 0; i+1 < len(header); i += 2 {
			r.Header.Set(header[i], header[i+1])
		}
		return r
	}
}

// sequence answers each call with the next responder; the last repeats.
func sequence(rs ...httpmock.Responder) httpmock.Responder {
	var n atomic.Int32
	return func(r *http.Request) (*http.Response, error) {
		i := int(n.Add(1)) - 1
		if i >= len(rs) {
			i = len(rs) - 1
		}
		return rs[i](r)
	}
}

// status answers with code and a Veriff error body (code 9999, "boom").
func status(code int) httpmock.Responder {
	return func(*http.Request) (*http.Response, error) {
		return httpmock.NewStringResponse(code, `{"status":"fail","code":"9999","message":"boom"}`), nil
	}
}

// okResp answers 200 {"status":"success"}.
func okResp() httpmock.Responder {
	return func(*http.Request) (*http.Response, error) {
		return httpmock.NewStringResponse(200, `{"status":"success"}`), nil
	}
}

// fail answers with a transport error.
func fail(err error) httpmock.Responder { return httpmock.NewErrorResponder(err) }

// sigHeader is a response header pair carrying Veriff's response
// signature of body, for reply.
func sigHeader(name string, body []byte) []string {
	return []string{name, Sign(testSecret, body)}
}

// --- the request recorder ---------------------------------------------------

// seenRequest is one request as the transport received it.
type seenRequest struct {
	method, path, rawQuery string
	header                 http.Header
	contentLength          int64
	body                   []byte
}

// recorder records requests and answers them in turn with its replies (the
// last one repeats).
type recorder struct {
	mu      sync.Mutex
	seen    []seenRequest
	replies []func() *http.Response
}

// newRecorder answers every request mt has no other responder for.
func newRecorder(mt *httpmock.MockTransport, replies ...func() *http.Response) *recorder {
	rec := &recorder{replies: replies}
	mt.RegisterNoResponder(rec.responder)
	return rec
}

// recordOn answers method and url on mt with replies.
func recordOn(mt *httpmock.MockTransport, method, url string, replies ...func() *http.Response) *recorder {
	rec := &recorder{replies: replies}
	mt.RegisterResponder(method, url, rec.responder)
	return rec
}

func (rec *recorder) responder(req *http.Request) (*http.Response, error) {
	var body []byte
	if req.Body != nil {
		b, err := io.ReadAll(req.Body)
		if err != nil {
			return nil, err
		}
		body = b
	}
	rec.mu.Lock()
	defer rec.mu.Unlock()
	rec.seen = append(rec.seen, seenRequest{
		method: req.Method, path: req.URL.Path, rawQuery: req.URL.RawQuery,
		header: req.Header.Clone(), contentLength: req.ContentLength, body: body,
	})
	i := len(rec.seen) - 1
	if i >= len(rec.replies) {
		i = len(rec.replies) - 1
	}
	return rec.replies[i](), nil
}

// only returns the one request rec saw, failing unless there was exactly one.
func (rec *recorder) only(t *testing.T) seenRequest {
	t.Helper()
	rec.mu.Lock()
	defer rec.mu.Unlock()
	require.Len(t, rec.seen, 1, "exactly one request must be sent")
	return rec.seen[0]
}

// last returns the last request rec saw.
func (rec *recorder) last(t *testing.T) seenRequest {
	t.Helper()
	rec.mu.Lock()
	defer rec.mu.Unlock()
	require.NotEmpty(t, rec.seen, "no request was sent")
	return rec.seen[len(rec.seen)-1]
}

// --- webhooks ---------------------------------------------------------------

// signWebhook returns the headers Veriff sends with a webhook body signed
// with secret.
func signWebhook(body []byte, secret string) http.Header {
	return http.Header{
		"Content-Type":     {"application/json"},
		"X-Hmac-Signature": {Sign(secret, body)},
	}
}

// newWebhookRequest is the POST Veriff sends to url with body signed with
// secret.
func newWebhookRequest(t testing.TB, url string, body []byte, secret string) *http.Request {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	require.NoError(t, err)
	for k, v := range signWebhook(body, secret) {
		req.Header[k] = v
	}
	return req
}

// newWebhookRequestWithAPIKey is newWebhookRequest with apiKey in
// X-AUTH-CLIENT, as Veriff sends it.
func newWebhookRequestWithAPIKey(t testing.TB, url string, body []byte, secret, apiKey string) *http.Request {
	t.Helper()
	req := newWebhookRequest(t, url, body, secret)
	req.Header.Set("X-AUTH-CLIENT", apiKey)
	return req
}

// assertSignedGET checks the common wire facts of a GET signed over id.
func assertSignedGET(t *testing.T, r seenRequest, path, id string) {
	t.Helper()
	assert.Equal(t, http.MethodGet, r.method)
	assert.Equal(t, path, r.path)
	assert.Equal(t, testAPIKey, r.header.Get("X-AUTH-CLIENT"))
	assert.Equal(t, Sign(testSecret, []byte(id)), r.header.Get("X-HMAC-SIGNATURE"))
	assert.Empty(t, r.body)
}

// Transport errors the tests inject through the mock transport.
var (
	errReset   = &net.OpError{Op: "read", Net: "tcp", Err: os.NewSyscallError("read", syscall.ECONNRESET)}
	errEOF     = io.ErrUnexpectedEOF
	errRefused = &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}
	errDNS     = &net.DNSError{Err: "no such host", Name: "api.example.test", IsNotFound: true}
)
