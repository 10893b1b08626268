package veriff

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/iotest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The fault matrix: every public endpoint of the Client against every fault
// a server or network can produce, each checked against the retry policy
// (GET/DELETE retried on connection errors, 429 and 5xx but 501; POST/PATCH
// only on 429 and on errors where nothing was sent), with the exact number
// of requests the server saw, the typed error, a bound on the time taken,
// every response body closed and no goroutine left behind.

const (
	fmMaxAttempts = 3 // the default WithMaxRetries(2) plus the first attempt

	fmAttemptTimeout = 40 * time.Millisecond  // the user's http.Client Timeout in the per-attempt fault
	fmDeadline       = 100 * time.Millisecond // the caller's deadline in the hanging-server faults
	fmWaitDeadline   = 600 * time.Millisecond // WaitForDecision's own deadline (it polls every hour)
	fmHugeBody       = 100 << 20              // the oversized response
)

// fmEndpoint is one public method of the Client, as the server sees it.
type fmEndpoint struct {
	name     string
	method   string
	path     string // URL path the server must see
	signID   string // the ID a GET or DELETE signs
	okStatus int
	okBody   []byte
	kind     fmKind // what the method does with a success body
	// call runs the method; on success it checks the result has the shape
	// of okBody and reports the bytes streamed (DownloadMedia).
	call func(ctx context.Context, c *Client) (int64, error)
}

type fmKind int

const (
	kindJSON    fmKind = iota // decodes the JSON body into a result
	kindDiscard               // reads the body with the bound, keeps nothing (DeleteSession, SendCollectedData)
	kindStream                // streams the body to the caller uncapped (DownloadMedia)
	kindWait                  // WaitForDecision: polls, temporary errors do not end it
)

func (e fmEndpoint) idempotent() bool {
	return e.method == http.MethodGet || e.method == http.MethodDelete
}

var errFmBadResult = errors.New("fault test: success with an unexpected result")

// fmResult turns a call's result into the matrix's (bytes, error): a
// success whose result lacks what okBody holds is errFmBadResult.
func fmResult(ok bool, err error) (int64, error) {
	if err == nil && !ok {
		return 0, errFmBadResult
	}
	return 0, err
}

func fmEndpoints(t *testing.T) []fmEndpoint {
	t.Helper()
	img := fixture(t, "media/face.jpg")
	imgPath := filepath.Join(t.TempDir(), "face.jpg")
	require.NoError(t, os.WriteFile(imgPath, img, 0o600))
	sess := "/v1/sessions/" + testSessionID
	decision := fixture(t, "sessions/decision_approved.json")
	get := func(name, path, signID, file string, kind fmKind, call func(context.Context, *Client) (int64, error)) fmEndpoint {
		body := img
		if file != "" {
			body = fixture(t, file)
		}
		return fmEndpoint{name: name, method: "GET", path: path, signID: signID, okStatus: 200, okBody: body, kind: kind, call: call}
	}
	media := func(m *Media, err error) (int64, error) { return fmResult(m != nil && m.ID != "", err) }
	list := func(l *MediaList, err error) (int64, error) {
		return fmResult(l != nil && len(l.Images)+len(l.Videos) > 0, err)
	}
	return []fmEndpoint{
		{name: "CreateSession", method: "POST", path: "/v1/sessions", okStatus: 201, okBody: fixture(t, "sessions/create_201.json"),
			call: func(ctx context.Context, c *Client) (int64, error) {
				s, err := c.CreateSession(ctx, CreateSessionRequest{VendorData: "user-42", Consents: []Consent{{Type: "ine", Approved: true}}})
				return fmResult(s != nil && s.ID != "", err)
			}},
		{name: "SubmitSession", method: "PATCH", path: sess, okStatus: 200, okBody: fixture(t, "sessions/submit_200.json"),
			call: func(ctx context.Context, c *Client) (int64, error) {
				s, err := c.SubmitSession(ctx, testSessionID)
				return fmResult(s != nil && s.ID == testSessionID, err)
			}},
		{name: "DeleteSession", method: "DELETE", path: sess, signID: testSessionID, okStatus: 200, okBody: fixture(t, "sessions/delete_200.json"), kind: kindDiscard,
			call: func(ctx context.Context, c *Client) (int64, error) { return 0, c.DeleteSession(ctx, testSessionID) }},
		{name: "Decision", method: "GET", signID: testSessionID, path: sess + "/decision", okStatus: 200, okBody: decision,
			call: func(ctx context.Context, c *Client) (int64, error) {
				d, err := c.Decision(ctx, testSessionID)
				return fmResult(d != nil && d.Verification != nil, err)
			}},
		{name: "WaitForDecision", method: "GET", signID: testSessionID, path: sess + "/decision", okStatus: 200, okBody: decision, kind: kindWait,
			call: func(ctx context.Context, c *Client) (int64, error) {
				ctx, cancel := context.WithTimeout(ctx, fmWaitDeadline)
				defer cancel()
				// Polling every hour: after the first poll only the
				// deadline ends the wait, so the hits are exact.
				d, err := c.WaitForDecision(ctx, testSessionID, time.Hour)
				return fmResult(d != nil && d.Verification != nil, err)
			}},
		get("Person", sess+"/person", testSessionID, "sessions/person_200.json", kindJSON, func(ctx context.Context, c *Client) (int64, error) {
			p, err := c.Person(ctx, testSessionID)
			return fmResult(p != nil && p.FirstName != "", err)
		}),
		get("Attempts", sess+"/attempts", testSessionID, "sessions/attempts_200.json", kindJSON, func(ctx context.Context, c *Client) (int64, error) {
			a, err := c.Attempts(ctx, testSessionID)
			return fmResult(len(a) > 0, err)
		}),
		get("WatchlistScreening", sess+"/watchlist-screening", testSessionID, "sessions/watchlist_200.json", kindJSON, func(ctx context.Context, c *Client) (int64, error) {
			w, err := c.WatchlistScreening(ctx, testSessionID)
			return fmResult(w != nil && w.MatchStatus != "", err)
		}),
		{name: "SendCollectedData", method: "POST", path: sess + "/collected-data", okStatus: 200, okBody: fixture(t, "sessions/collected_data_200.json"), kind: kindDiscard,
			call: func(ctx context.Context, c *Client) (int64, error) {
				return 0, c.SendCollectedData(ctx, testSessionID, CollectedData{
					ProviderName: "fingerprinter", Network: CollectedNetwork{IP: "203.0.113.7"}, Device: CollectedDevice{Fingerprint: "abc123"}})
			}},
		{name: "UploadMedia", method: "POST", path: sess + "/media", okStatus: 200, okBody: fixture(t, "media/upload_response.json"),
			call: func(ctx context.Context, c *Client) (int64, error) {
				return media(c.UploadMedia(ctx, testSessionID, MediaUpload{Context: ContextFace, Content: img}))
			}},
		{name: "UploadMediaFile", method: "POST", path: sess + "/media", okStatus: 200, okBody: fixture(t, "media/upload_response.json"),
			call: func(ctx context.Context, c *Client) (int64, error) {
				return media(c.UploadMediaFile(ctx, testSessionID, ContextFace, imgPath))
			}},
		get("SessionMedia", sess+"/media", testSessionID, "media/session_media.json", kindJSON, func(ctx context.Context, c *Client) (int64, error) {
			return list(c.SessionMedia(ctx, testSessionID))
		}),
		get("AttemptMedia", "/v1/attempts/"+testAttemptID+"/media", testAttemptID, "media/session_media.json", kindJSON, func(ctx context.Context, c *Client) (int64, error) {
			return list(c.AttemptMedia(ctx, testAttemptID))
		}),
		get("DownloadMedia", "/v1/media/"+testMediaID, testMediaID, "", kindStream, func(ctx context.Context, c *Client) (int64, error) {
			return c.DownloadMedia(ctx, testMediaID, io.Discard)
		}),
		get("INERegistry", sess+"/decision/ine-registry", testSessionID, "ine/ine_registry.json", kindJSON, func(ctx context.Context, c *Client) (int64, error) {
			r, err := c.INERegistry(ctx, testSessionID)
			return fmResult(r != nil && r.Active, err)
		}),
		get("CURPRegistry", sess+"/decision/curp-registry", testSessionID, "ine/curp_registry.json", kindJSON, func(ctx context.Context, c *Client) (int64, error) {
			r, err := c.CURPRegistry(ctx, testSessionID)
			return fmResult(r != nil, err)
		}),
		get("CombinedINECURPRegistry", sess+"/decision/combined-ine-curp-registry", testSessionID, "ine/combined_ine_curp_registry.json", kindJSON, func(ctx context.Context, c *Client) (int64, error) {
			r, err := c.CombinedINECURPRegistry(ctx, testSessionID)
			return fmResult(r != nil && (r.INE != nil || r.CURP != nil), err)
		}),
	}
}

// --- server behaviours --------------------------------------------------------

// fmServer is the loopback server of one case: it counts requests, checks
// they are the endpoint's, and answers each with the fault's behaviour
// (with success after the first hit when the fault says thenOK).
type fmServer struct {
	ep      fmEndpoint
	f       fmFault
	hits    atomic.Int32
	wrong   atomic.Value // string: what was wrong with a request
	release chan struct{}
	mu      sync.Mutex
	first   string // the first attempt's body and signature
}

// fmBehaviour answers one request; the request body is already read.
type fmBehaviour func(s *fmServer, w http.ResponseWriter, r *http.Request)

// ServeHTTP counts the request and checks it: the endpoint's method and
// path, a valid signature (over the body, or over the ID in the path), and
// on a retry the same bytes with the same signature as the first attempt.
func (s *fmServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	hit := int(s.hits.Add(1))
	body, err := io.ReadAll(r.Body)
	sig := r.Header.Get("X-HMAC-SIGNATURE")
	msg := body
	if s.ep.idempotent() {
		msg = []byte(s.ep.signID)
	}
	switch {
	case r.Method != s.ep.method || r.URL.Path != s.ep.path:
		s.wrong.Store("request " + r.Method + " " + r.URL.Path)
	case err != nil:
		s.wrong.Store("unreadable request body: " + err.Error())
	case sig != Sign(testSecret, msg):
		s.wrong.Store("bad signature on attempt " + strconv.Itoa(hit))
	}
	s.mu.Lock()
	if s.first == "" {
		s.first = sig + string(body)
	} else if s.first != sig+string(body) {
		s.wrong.Store("attempt " + strconv.Itoa(hit) + " sent other bytes or another signature")
	}
	s.mu.Unlock()
	if s.f.thenOK && hit > 1 {
		fmAnswerOK(s, w, r)
		return
	}
	s.f.serve(s, w, r)
}

// half is the first half of the endpoint's success body.
func (s *fmServer) half() []byte { return s.ep.okBody[:len(s.ep.okBody)/2] }

// wait blocks until the request ends or the case is torn down.
func (s *fmServer) wait(r *http.Request) {
	select {
	case <-r.Context().Done():
	case <-s.release:
	}
}

func fmAnswerOK(s *fmServer, w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(s.ep.okBody)))
	w.WriteHeader(s.ep.okStatus)
	_, _ = w.Write(s.ep.okBody)
}

// fmAnswer answers code with body (Content-Type application/json unless
// header sets one).
func fmAnswer(code int, body string, header ...string) fmBehaviour {
	return func(_ *fmServer, w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		for i := 0; i+1 < len(header); i += 2 {
			w.Header().Set(header[i], header[i+1])
		}
		w.WriteHeader(code)
		_, _ = io.WriteString(w, body)
	}
}

// fmCloseConn takes the connection over and closes it, with RST if reset.
func fmCloseConn(reset bool) fmBehaviour {
	return func(_ *fmServer, w http.ResponseWriter, _ *http.Request) {
		conn, _, err := w.(http.Hijacker).Hijack()
		if err != nil {
			return
		}
		if tc, ok := conn.(*net.TCPConn); ok && reset {
			_ = tc.SetLinger(0)
		}
		_ = conn.Close()
	}
}

// fmDropMidBody declares the whole success body, sends half and closes.
func fmDropMidBody(s *fmServer, w http.ResponseWriter, _ *http.Request) {
	conn, buf, err := w.(http.Hijacker).Hijack()
	if err != nil {
		return
	}
	defer conn.Close()
	fmt.Fprintf(buf, "HTTP/1.1 %d %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n",
		s.ep.okStatus, http.StatusText(s.ep.okStatus), len(s.ep.okBody))
	_, _ = buf.Write(s.half())
	_ = buf.Flush()
}

// fmStallMidBody declares the whole success body, sends half and hangs.
func fmStallMidBody(s *fmServer, w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Length", strconv.Itoa(len(s.ep.okBody)))
	w.WriteHeader(s.ep.okStatus)
	_, _ = w.Write(s.half())
	w.(http.Flusher).Flush()
	s.wait(r)
}

// fmHang never answers until the request ends.
func fmHang(s *fmServer, _ http.ResponseWriter, r *http.Request) { s.wait(r) }

// fmTruncated sends half the success body as if it were all of it.
func fmTruncated(s *fmServer, w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(s.ep.okStatus)
	_, _ = w.Write(s.half())
}

// fmBigBody streams n bytes of a JSON-looking body from a small buffer,
// chunked (no Content-Length), until the client stops reading.
func fmBigBody(n int64) fmBehaviour {
	return func(_ *fmServer, w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusOK)
		_, _ = io.Copy(w, io.LimitReader(io.MultiReader(strings.NewReader(`{"status":"success","pad":"`), fmPadReader{}), n))
	}
}

// fmPadReader yields 'x' forever.
type fmPadReader struct{}

func (fmPadReader) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = 'x'
	}
	return len(p), nil
}

// --- error checks -------------------------------------------------------------

// fmCheck checks a call's error; attempts is how many requests it made.
type fmCheck func(t *testing.T, err error, attempts int)

func fmAPIError(status int, sentinels ...error) fmCheck {
	return func(t *testing.T, err error, attempts int) {
		var apiErr *APIError
		require.ErrorAs(t, err, &apiErr)
		assert.Equal(t, status, apiErr.StatusCode)
		assert.Equal(t, attempts, apiErr.Attempts, "APIError.Attempts")
		for _, s := range sentinels {
			assert.ErrorIs(t, err, s)
		}
		assert.NotErrorIs(t, err, ErrInvalidResponse)
	}
}

func fmRateLimited(retryAfter func(time.Duration) bool) fmCheck {
	return func(t *testing.T, err error, attempts int) {
		fmAPIError(http.StatusTooManyRequests, ErrRateLimited)(t, err, attempts)
		var apiErr *APIError
		require.ErrorAs(t, err, &apiErr)
		assert.True(t, retryAfter(apiErr.RetryAfter), "RetryAfter = %s", apiErr.RetryAfter)
	}
}

// fmFail200 checks a 200 answer whose body says "status":"fail" (code 1104).
func fmFail200(t *testing.T, err error, attempts int) {
	fmAPIError(200)(t, err, attempts)
	var apiErr *APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, "fail", apiErr.Status)
	assert.Equal(t, "1104", apiErr.Code)
	assert.NotEmpty(t, apiErr.Message)
}

func fmIs(targets ...error) fmCheck {
	return func(t *testing.T, err error, _ int) {
		for _, target := range targets {
			assert.ErrorIs(t, err, target)
		}
		var apiErr *APIError
		assert.False(t, errors.As(err, &apiErr), "not an *APIError: %v", err)
	}
}

// fmTransport checks a connection-level failure: a *url.Error, no status.
func fmTransport(t *testing.T, err error, _ int) {
	var urlErr *url.Error
	assert.ErrorAs(t, err, &urlErr)
	var apiErr *APIError
	assert.False(t, errors.As(err, &apiErr), "not an *APIError: %v", err)
	assert.NotErrorIs(t, err, context.DeadlineExceeded)
	assert.NotErrorIs(t, err, context.Canceled)
}

func fmTimeout(t *testing.T, err error, _ int) {
	var te interface{ Timeout() bool }
	require.ErrorAs(t, err, &te)
	assert.True(t, te.Timeout())
	var apiErr *APIError
	assert.False(t, errors.As(err, &apiErr))
}

// fmWaitedOut checks WaitForDecision's error when every poll failed
// temporarily: it wraps the deadline and the last failure, which last checks.
func fmWaitedOut(last fmCheck) fmCheck {
	return func(t *testing.T, err error, attempts int) {
		assert.ErrorIs(t, err, context.DeadlineExceeded)
		multi, ok := err.(interface{ Unwrap() []error })
		require.True(t, ok, "the wait's error wraps the deadline and the last failure: %v", err)
		errs := multi.Unwrap()
		require.Len(t, errs, 2)
		last(t, errs[1], attempts)
	}
}

// --- the faults ---------------------------------------------------------------

// fmRetry is how the policy treats a fault.
type fmRetry int

const (
	retryNone    fmRetry = iota // one attempt, whatever the method
	retryIdem                   // GET and DELETE retried to fmMaxAttempts; POST and PATCH sent once
	retryAll                    // every method retried (a 429 was not processed)
	retryOverCap                // a 429 whose Retry-After is above the cap: returned at once
)

// Byte counts DownloadMedia streams, relative to the endpoint's success body.
const (
	fmFullBody = -1
	fmHalfBody = -2
)

// fmFault is one way a call can go wrong and what the policy prescribes.
type fmFault struct {
	name           string
	serve          fmBehaviour
	thenOK         bool          // attempts after the first get the success answer
	attemptTimeout time.Duration // the Timeout of the user's http.Client (0: none)
	deadline       time.Duration // the caller's context deadline (0: none)
	retry          fmRetry
	err            fmCheck       // the error; nil: the call succeeds
	within         time.Duration // bound on the call (0: 5s); fmPerAttempt: attempts × fmAttemptTimeout + 1s
	// discardOK: DeleteSession and SendCollectedData, which keep nothing,
	// succeed (a bad 200 body).
	discardOK bool
	// download, when set, is DownloadMedia's outcome after one request (it
	// has handed bytes to the caller's writer).
	download *fmDownload
}

type fmDownload struct {
	n   int64 // bytes streamed, or fmFullBody or fmHalfBody
	err fmCheck
}

const fmPerAttempt = -1

// fmWant is what the caller must see.
type fmWant struct {
	hits   int
	n      int64
	err    fmCheck // nil: success
	within time.Duration
}

// want derives the outcome of f for ep from the policy.
func (f fmFault) want(ep fmEndpoint) fmWant {
	bytesOf := func(n int64) int64 {
		switch n {
		case fmFullBody:
			return int64(len(ep.okBody))
		case fmHalfBody:
			return int64(len(ep.okBody) / 2)
		}
		return n
	}
	success := func(hits int) fmWant {
		w := fmWant{hits: hits}
		if ep.kind == kindStream {
			w.n = int64(len(ep.okBody))
		}
		return w
	}
	switch {
	case ep.kind == kindStream && f.download != nil:
		return fmWant{hits: 1, n: bytesOf(f.download.n), err: f.download.err, within: f.within}
	case ep.kind == kindDiscard && f.discardOK:
		return fmWant{hits: 1}
	}
	attempts := 1
	if f.retry == retryAll || f.retry == retryIdem && ep.idempotent() {
		attempts = fmMaxAttempts
	}
	if f.err == nil || f.thenOK && attempts > 1 {
		return success(min(attempts, 2))
	}
	if ep.kind == kindWait && f.retry != retryNone {
		// Temporary for WaitForDecision: it polls on until its deadline.
		return fmWant{hits: attempts, err: fmWaitedOut(f.err), within: fmWaitDeadline + time.Second}
	}
	w := fmWant{hits: attempts, err: f.err, within: f.within}
	if f.within == fmPerAttempt {
		w.within = time.Duration(attempts)*fmAttemptTimeout + time.Second
	}
	return w
}

const fmHTMLPage = "<!DOCTYPE html><html><head><title>Service Unavailable</title></head><body><h1>We'll be right back</h1></body></html>"

func fmFaults(t *testing.T) []fmFault {
	errorJSON := `{"status":"fail","code":"1001","message":"upstream trouble"}`
	tooMany := `{"status":"fail","message":"Too many requests"}`
	page502 := string(fixture(t, "core/error_502.html"))
	fail200 := string(fixture(t, "core/error_200_fail.json"))
	zero := func(d time.Duration) bool { return d == 0 }
	hour := func(d time.Duration) bool { return d == time.Hour }
	aboutHour := func(d time.Duration) bool { return d > 59*time.Minute && d <= time.Hour+time.Second }
	inAnHour := time.Now().Add(time.Hour).UTC().Format(http.TimeFormat)
	deadline := fmIs(context.DeadlineExceeded)
	invalid := fmIs(ErrInvalidResponse)

	return []fmFault{
		{name: "ok", serve: fmAnswerOK},
		{name: "500", serve: fmAnswer(500, errorJSON), retry: retryIdem, err: fmAPIError(500, ErrServer)},
		{name: "502", serve: fmAnswer(502, page502, "Content-Type", "text/html"), retry: retryIdem, err: fmAPIError(502, ErrServer)}, // a proxy's HTML page
		{name: "503", serve: fmAnswer(503, errorJSON), retry: retryIdem, err: fmAPIError(503, ErrServer)},
		{name: "504", serve: fmAnswer(504, "", "Content-Type", "text/plain"), retry: retryIdem, err: fmAPIError(504, ErrServer)},
		{name: "501", serve: fmAnswer(501, errorJSON), err: fmAPIError(501, ErrServer)}, // never retried
		{name: "503-then-ok", serve: fmAnswer(503, errorJSON), thenOK: true, retry: retryIdem, err: fmAPIError(503, ErrServer)},
		{name: "429-seconds-then-ok", serve: fmAnswer(429, `{"status":"fail"}`, "Retry-After", "0"), thenOK: true, retry: retryAll, err: fmRateLimited(zero)},
		{name: "429-no-retry-after", serve: fmAnswer(429, tooMany), retry: retryAll, err: fmRateLimited(zero)},
		{name: "429-seconds", serve: fmAnswer(429, tooMany, "Retry-After", "0"), retry: retryAll, err: fmRateLimited(zero)},
		{name: "429-http-date", serve: fmAnswer(429, tooMany, "Retry-After", "Wed, 21 Oct 2015 07:28:00 GMT"), retry: retryAll, err: fmRateLimited(zero)},
		{name: "429-huge-seconds", serve: fmAnswer(429, tooMany, "Retry-After", "3600"), retry: retryOverCap, err: fmRateLimited(hour), within: time.Second},
		{name: "429-huge-http-date", serve: fmAnswer(429, tooMany, "Retry-After", inAnHour), retry: retryOverCap, err: fmRateLimited(aboutHour), within: time.Second},
		{name: "reset-before-response", serve: fmCloseConn(true), retry: retryIdem, err: fmTransport},
		{name: "eof-before-response", serve: fmCloseConn(false), retry: retryIdem, err: fmTransport},
		// JSON bodies are read inside the retry loop: a connection lost
		// mid-body is a connection error. A download is over: its bytes
		// went to the caller's writer.
		{name: "drop-mid-body", serve: fmDropMidBody, retry: retryIdem, err: fmIs(ErrInvalidResponse, io.ErrUnexpectedEOF),
			download: &fmDownload{n: fmHalfBody, err: fmIs(io.ErrUnexpectedEOF)}},
		{name: "stall-mid-body", serve: fmStallMidBody, deadline: fmDeadline, err: deadline, within: fmDeadline + time.Second,
			download: &fmDownload{n: fmHalfBody, err: deadline}},
		{name: "hang-deadline", serve: fmHang, deadline: fmDeadline, err: deadline, within: fmDeadline + time.Second},
		{name: "hang-attempt-timeout", serve: fmHang, attemptTimeout: fmAttemptTimeout, retry: retryIdem, err: fmTimeout, within: fmPerAttempt},
		{name: "truncated-json", serve: fmTruncated, err: invalid, discardOK: true, download: &fmDownload{n: fmHalfBody}},
		{name: "html-200", serve: fmAnswer(200, fmHTMLPage, "Content-Type", "text/html"), err: invalid, discardOK: true,
			download: &fmDownload{n: int64(len(fmHTMLPage))}},
		{name: "empty-200", serve: fmAnswer(200, ""), err: invalid, discardOK: true, download: &fmDownload{n: 0}},
		{name: "status-fail-200", serve: fmAnswer(200, fail200), err: fmFail200, download: &fmDownload{n: int64(len(fail200))}},
		// DownloadMedia streams uncapped by design: the caller's writer
		// decides; memory stays bounded (TestHugeResponseBoundedMemory).
		{name: "body-100MiB", serve: fmBigBody(fmHugeBody), err: fmIs(ErrResponseTooLarge), download: &fmDownload{n: fmHugeBody}},
	}
}

// --- the run ------------------------------------------------------------------

// fmTracker is the user's transport, wrapped to count response bodies
// handed out and closed.
type fmTracker struct {
	base           *http.Transport
	opened, closed atomic.Int64
}

func (tr *fmTracker) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := tr.base.RoundTrip(req)
	if resp != nil && resp.Body != nil {
		tr.opened.Add(1)
		resp.Body = &fmTrackedBody{ReadCloser: resp.Body, tr: tr}
	}
	return resp, err
}

type fmTrackedBody struct {
	io.ReadCloser
	tr   *fmTracker
	once sync.Once
}

func (b *fmTrackedBody) Close() error {
	err := b.ReadCloser.Close()
	b.once.Do(func() { b.tr.closed.Add(1) })
	return err
}

func fmNewTransport() *http.Transport {
	return &http.Transport{
		Proxy:               nil,
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second}).DialContext,
		MaxIdleConns:        16,
		MaxIdleConnsPerHost: 16,
		IdleConnTimeout:     30 * time.Second,
	}
}

// fmSettle waits for the goroutine count to come back to base.
func fmSettle(t *testing.T, base int) {
	t.Helper()
	deadline := time.Now().Add(3 * time.Second)
	n := runtime.NumGoroutine()
	for n > base && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
		n = runtime.NumGoroutine()
	}
	if n > base {
		buf := make([]byte, 1<<20)
		buf = buf[:runtime.Stack(buf, true)]
		t.Errorf("goroutines: %d after the call, %d before\n%s", n, base, buf)
	}
}

func TestFaultMatrix(t *testing.T) {
	endpoints := fmEndpoints(t)
	faults := fmFaults(t)
	start := time.Now()
	for _, f := range faults {
		t.Run(f.name, func(t *testing.T) {
			for _, ep := range endpoints {
				t.Run(ep.name, func(t *testing.T) { fmRunCase(t, f, ep) })
			}
		})
	}
	t.Logf("%d endpoints x %d faults = %d cases in %s", len(endpoints), len(faults), len(endpoints)*len(faults), time.Since(start).Round(time.Millisecond))
}

func fmRunCase(t *testing.T, f fmFault, ep fmEndpoint) {
	want := f.want(ep)
	baseGoroutines := runtime.NumGoroutine()

	s := &fmServer{ep: ep, f: f, release: make(chan struct{})}
	srv := httptest.NewServer(s)
	tr := &fmTracker{base: fmNewTransport()}
	c, err := NewClient(testAPIKey, testSecret,
		WithBaseURL(srv.URL),
		WithHTTPClient(&http.Client{Transport: tr, Timeout: f.attemptTimeout}),
		WithRetryWait(0, time.Millisecond),
		WithRetryAfterCap(50*time.Millisecond),
	)
	require.NoError(t, err)

	ctx := context.Background()
	if f.deadline > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, f.deadline)
		defer cancel()
	}
	began := time.Now()
	n, err := fmCall(t, ctx, c, ep)
	took := time.Since(began)

	// Tear down before asserting, so leaks show whatever the outcome.
	close(s.release)
	tr.base.CloseIdleConnections()
	srv.Close()

	if want.err == nil {
		assert.NoError(t, err)
	} else if assert.Error(t, err) {
		want.err(t, err, want.hits)
		assert.NotErrorIs(t, err, errFmBadResult)
	}
	assert.Equal(t, want.n, n, "bytes streamed")
	assert.Equal(t, want.hits, int(s.hits.Load()), "requests the server saw")
	if w, _ := s.wrong.Load().(string); w != "" {
		t.Errorf("server: %s (want %s %s)", w, ep.method, ep.path)
	}
	bound := want.within
	if bound == 0 {
		bound = 5 * time.Second // generous under -race on a busy machine; typical cases take ms
	}
	assert.Less(t, took, bound, "the call must end in bounded time")
	assert.Equal(t, tr.opened.Load(), tr.closed.Load(), "every response body closed (opened %d)", tr.opened.Load())
	fmSettle(t, baseGoroutines)
}

// fmCall runs the endpoint, turning a panic into a test failure.
func fmCall(t *testing.T, ctx context.Context, c *Client, ep fmEndpoint) (n int64, err error) {
	defer func() {
		if p := recover(); p != nil {
			t.Errorf("%s panicked: %v", ep.name, p)
			err = fmt.Errorf("panic: %v", p)
		}
	}()
	return ep.call(ctx, c)
}

// TestNoDuplicateAfterProcessing: a server that processes a POST or PATCH
// (counts it) and then fails before its answer arrives sees the request
// exactly once, whichever way the answer is lost; the call fails. The
// connection is warmed by a GET first, so the request goes out on a reused
// connection, where net/http itself would resend an idempotent request.
func TestNoDuplicateAfterProcessing(t *testing.T) {
	losses := []struct {
		name           string
		attemptTimeout time.Duration
		lose           func(w http.ResponseWriter, release <-chan struct{}, r *http.Request)
	}{
		{"connection-closed", 0, func(w http.ResponseWriter, _ <-chan struct{}, _ *http.Request) {
			if conn, _, err := w.(http.Hijacker).Hijack(); err == nil {
				_ = conn.Close()
			}
		}},
		{"connection-reset", 0, func(w http.ResponseWriter, _ <-chan struct{}, _ *http.Request) {
			if conn, _, err := w.(http.Hijacker).Hijack(); err == nil {
				_ = conn.(*net.TCPConn).SetLinger(0)
				_ = conn.Close()
			}
		}},
		{"answer-500", 0, func(w http.ResponseWriter, _ <-chan struct{}, _ *http.Request) {
			w.WriteHeader(http.StatusInternalServerError)
		}},
		{"answer-503", 0, func(w http.ResponseWriter, _ <-chan struct{}, _ *http.Request) {
			w.WriteHeader(http.StatusServiceUnavailable)
		}},
		{"answer-too-slow", fmAttemptTimeout, func(_ http.ResponseWriter, release <-chan struct{}, r *http.Request) {
			select {
			case <-r.Context().Done():
			case <-release:
			}
		}},
		{"dropped-mid-body", 0, func(w http.ResponseWriter, _ <-chan struct{}, _ *http.Request) {
			if conn, buf, err := w.(http.Hijacker).Hijack(); err == nil {
				_, _ = buf.WriteString("HTTP/1.1 201 Created\r\nContent-Type: application/json\r\nContent-Length: 80\r\n\r\n{\"status\":\"succ")
				_ = buf.Flush()
				_ = conn.Close()
			}
		}},
	}
	var writers []fmEndpoint
	for _, ep := range fmEndpoints(t) {
		if !ep.idempotent() {
			writers = append(writers, ep)
		}
	}
	require.Len(t, writers, 5) // CreateSession, SubmitSession, SendCollectedData, UploadMedia, UploadMediaFile
	warm := fixture(t, "sessions/decision_approved.json")

	for _, loss := range losses {
		for _, ep := range writers {
			t.Run(loss.name+"/"+ep.name, func(t *testing.T) {
				baseGoroutines := runtime.NumGoroutine()
				var processed, gets atomic.Int32
				release := make(chan struct{})
				srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					if r.Method == http.MethodGet {
						gets.Add(1)
						_, _ = w.Write(warm)
						return
					}
					body, err := io.ReadAll(r.Body)
					if err != nil || len(body) == 0 || r.Method != ep.method || r.URL.Path != ep.path {
						w.WriteHeader(http.StatusBadRequest)
						return
					}
					processed.Add(1) // the session is created, the media stored...
					loss.lose(w, release, r)
				}))
				tr := &fmTracker{base: fmNewTransport()}
				c, err := NewClient(testAPIKey, testSecret, WithBaseURL(srv.URL), WithRetryWait(0, 0),
					WithHTTPClient(&http.Client{Transport: tr, Timeout: loss.attemptTimeout}))
				require.NoError(t, err)

				_, err = c.Decision(context.Background(), testSessionID)
				require.NoError(t, err)
				_, err = ep.call(context.Background(), c)
				close(release)
				tr.base.CloseIdleConnections()
				srv.Close()

				assert.Error(t, err)
				assert.NotErrorIs(t, err, errFmBadResult)
				assert.Equal(t, int32(1), processed.Load(), "the server processed the request exactly once")
				assert.Equal(t, int32(1), gets.Load())
				assert.Equal(t, tr.opened.Load(), tr.closed.Load(), "every response body closed")
				fmSettle(t, baseGoroutines)
			})
		}
	}
}

// TestHugeResponseBoundedMemory: a 100 MiB answer costs the caller a
// bounded amount of memory. JSON endpoints fail with ErrResponseTooLarge:
// at once when the answer declares its length, after reading just over the
// client's limit (10 MiB by default) when it does not. DownloadMedia streams
// the whole body into the caller's writer through a fixed buffer. The body
// is generated while it is sent, never held in memory. The allocations
// measured are the whole process's (client, loopback server, runtime).
func TestHugeResponseBoundedMemory(t *testing.T) {
	const limit = defaultMaxResponseBytes
	decision := func(c *Client) (int64, error) {
		_, err := c.Decision(context.Background(), testSessionID)
		return 0, err
	}
	cases := []struct {
		name          string
		contentLength bool
		opts          []Option
		call          func(c *Client) (int64, error)
		wantN         int64
		wantErr       error
		maxAlloc      uint64
	}{
		{"Decision/chunked", false, nil, decision, 0, ErrResponseTooLarge, limit + 2<<20},
		{"Decision/content-length", true, nil, decision, 0, ErrResponseTooLarge, 1 << 20},
		{"Decision/chunked/limit-1MiB", false, []Option{WithMaxResponseBytes(1 << 20)}, decision, 0, ErrResponseTooLarge, 2 << 20},
		{"CreateSession/chunked", false, nil, func(c *Client) (int64, error) {
			_, err := c.CreateSession(context.Background(), CreateSessionRequest{VendorData: "user-42"})
			return 0, err
		}, 0, ErrResponseTooLarge, limit + 2<<20},
		{"DeleteSession/chunked", false, nil, func(c *Client) (int64, error) {
			return 0, c.DeleteSession(context.Background(), testSessionID)
		}, 0, ErrResponseTooLarge, limit + 2<<20},
		{"DownloadMedia/chunked", false, nil, func(c *Client) (int64, error) {
			return c.DownloadMedia(context.Background(), testMediaID, io.Discard)
		}, fmHugeBody, nil, 2 << 20},
		{"DownloadMedia/content-length", true, nil, func(c *Client) (int64, error) {
			return c.DownloadMedia(context.Background(), testMediaID, io.Discard)
		}, fmHugeBody, nil, 2 << 20},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			baseGoroutines := runtime.NumGoroutine()
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				_, _ = io.Copy(io.Discard, r.Body)
				if tc.contentLength {
					w.Header().Set("Content-Length", strconv.Itoa(fmHugeBody))
				}
				w.WriteHeader(http.StatusOK)
				_, _ = io.Copy(w, io.LimitReader(fmPadReader{}, fmHugeBody))
			}))
			tr := &fmTracker{base: fmNewTransport()}
			c, err := NewClient(testAPIKey, testSecret, append([]Option{WithBaseURL(srv.URL), WithRetryWait(0, 0),
				WithHTTPClient(&http.Client{Transport: tr})}, tc.opts...)...)
			require.NoError(t, err)

			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			began := time.Now()
			n, err := tc.call(c)
			took := time.Since(began)
			runtime.ReadMemStats(&after)
			tr.base.CloseIdleConnections()
			srv.Close()

			alloc := after.TotalAlloc - before.TotalAlloc
			t.Logf("%s: %d bytes streamed, %.1f MiB allocated, %s", tc.name, n, float64(alloc)/(1<<20), took.Round(time.Millisecond))
			if tc.wantErr != nil {
				require.ErrorIs(t, err, tc.wantErr)
				assert.Contains(t, err.Error(), "exceeds")
			} else {
				require.NoError(t, err)
			}
			assert.Equal(t, tc.wantN, n)
			assert.Less(t, alloc, tc.maxAlloc, "allocated %d bytes for a %d-byte answer", alloc, fmHugeBody)
			assert.Equal(t, tr.opened.Load(), tr.closed.Load(), "every response body closed")
			fmSettle(t, baseGoroutines)
		})
	}
}

// TestReadBounded checks the bounded read of success bodies byte for byte,
// around the pooled buffer's size and the limit, with and without a
// declared length, whatever the reader's chunking.
func TestReadBounded(t *testing.T) {
	const limit = 1<<20 + 100
	body := func(n int) []byte {
		p := make([]byte, n)
		for i := range p {
			p[i] = byte(i*7 + i>>8)
		}
		return p
	}
	readers := map[string]func(io.Reader) io.Reader{
		"plain":    func(r io.Reader) io.Reader { return r },
		"one-byte": iotest.OneByteReader,
		"half":     iotest.HalfReader,
		"data-eof": iotest.DataErrReader,
	}
	for _, n := range []int{0, 1, 511, 4095, 4096, 4097, 70000, 1 << 20, limit, limit + 1, 2 * limit} {
		for _, declared := range []bool{false, true} {
			for rname, wrap := range readers {
				if rname == "one-byte" && n > 70000 {
					continue // slow and adds nothing
				}
				t.Run(fmt.Sprintf("%d/declared=%v/%s", n, declared, rname), func(t *testing.T) {
					want := body(n)
					size := int64(-1)
					if declared {
						size = int64(n)
					}
					got, tooLarge, err := readBounded(make([]byte, 0, 4096), wrap(bytes.NewReader(want)), size, limit)
					require.NoError(t, err)
					if n > limit {
						assert.True(t, tooLarge)
						assert.Nil(t, got)
						return
					}
					assert.False(t, tooLarge)
					assert.True(t, bytes.Equal(want, got), "body differs (len %d, want %d)", len(got), n)
				})
			}
		}
	}
	t.Run("read error", func(t *testing.T) {
		boom := errors.New("boom")
		_, tooLarge, err := readBounded(nil, iotest.ErrReader(boom), -1, limit)
		assert.ErrorIs(t, err, boom)
		assert.False(t, tooLarge)
	})
}
