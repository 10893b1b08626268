package veriff

import (
	"bufio"
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
	fmAttemptID = "f5c8a1b2-3d4e-4f60-8a7b-9c0d1e2f3a4b"
	fmMediaID   = "4b6cb5a4-6a0a-4b36-8f5b-1d0f1e3c9a11"

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
	// kind says what the method does with a success body.
	kind fmKind
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

func fmEndpoints(t *testing.T) []fmEndpoint {
	t.Helper()
	img := fixture(t, "media/face.jpg")
	imgPath := filepath.Join(t.TempDir(), "face.jpg")
	require.NoError(t, os.WriteFile(imgPath, img, 0o600))
	sess := "/v1/sessions/" + testSessionID
	media := func(m *Media, err error) (int64, error) {
		if err == nil && (m == nil || m.ID == "") {
			return 0, errFmBadResult
		}
		return 0, err
	}
	list := func(l *MediaList, err error) (int64, error) {
		if err == nil && (l == nil || len(l.Images)+len(l.Videos) == 0) {
			return 0, errFmBadResult
		}
		return 0, err
	}
	nonNil := func(ok bool, err error) (int64, error) {
		if err == nil && !ok {
			return 0, errFmBadResult
		}
		return 0, err
	}
	return []fmEndpoint{
		{name: "CreateSession", method: "POST", path: "/v1/sessions", okStatus: 201, okBody: fixture(t, "sessions/create_201.json"),
			call: func(ctx context.Context, c *Client) (int64, error) {
				s, err := c.CreateSession(ctx, CreateSessionRequest{VendorData: "user-42", Consents: []Consent{{Type: "ine", Approved: true}}})
				return nonNil(s != nil && s.ID != "", err)
			}},
		{name: "SubmitSession", method: "PATCH", path: sess, okStatus: 200, okBody: fixture(t, "sessions/submit_200.json"),
			call: func(ctx context.Context, c *Client) (int64, error) {
				s, err := c.SubmitSession(ctx, testSessionID)
				return nonNil(s != nil && s.ID == testSessionID, err)
			}},
		{name: "DeleteSession", method: "DELETE", path: sess, signID: testSessionID, okStatus: 200, okBody: fixture(t, "sessions/delete_200.json"), kind: kindDiscard,
			call: func(ctx context.Context, c *Client) (int64, error) {
				return 0, c.DeleteSession(ctx, testSessionID)
			}},
		{name: "Decision", method: "GET", signID: testSessionID, path: sess + "/decision", okStatus: 200, okBody: fixture(t, "sessions/decision_approved.json"),
			call: func(ctx context.Context, c *Client) (int64, error) {
				d, err := c.Decision(ctx, testSessionID)
				return nonNil(d != nil && d.Verification != nil, err)
			}},
		{name: "WaitForDecision", method: "GET", signID: testSessionID, path: sess + "/decision", okStatus: 200, okBody: fixture(t, "sessions/decision_approved.json"), kind: kindWait,
			call: func(ctx context.Context, c *Client) (int64, error) {
				ctx, cancel := context.WithTimeout(ctx, fmWaitDeadline)
				defer cancel()
				// Polling every hour: after the first poll only the
				// deadline ends the wait, so the hits are exact.
				d, err := c.WaitForDecision(ctx, testSessionID, time.Hour)
				return nonNil(d != nil && d.Verification != nil, err)
			}},
		{name: "Person", method: "GET", signID: testSessionID, path: sess + "/person", okStatus: 200, okBody: fixture(t, "sessions/person_200.json"),
			call: func(ctx context.Context, c *Client) (int64, error) {
				p, err := c.Person(ctx, testSessionID)
				return nonNil(p != nil && p.FirstName != "", err)
			}},
		{name: "Attempts", method: "GET", signID: testSessionID, path: sess + "/attempts", okStatus: 200, okBody: fixture(t, "sessions/attempts_200.json"),
			call: func(ctx context.Context, c *Client) (int64, error) {
				a, err := c.Attempts(ctx, testSessionID)
				return nonNil(len(a) > 0, err)
			}},
		{name: "WatchlistScreening", method: "GET", signID: testSessionID, path: sess + "/watchlist-screening", okStatus: 200, okBody: fixture(t, "sessions/watchlist_200.json"),
			call: func(ctx context.Context, c *Client) (int64, error) {
				w, err := c.WatchlistScreening(ctx, testSessionID)
				return nonNil(w != nil && w.MatchStatus != "", err)
			}},
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
		{name: "SessionMedia", method: "GET", signID: testSessionID, path: sess + "/media", okStatus: 200, okBody: fixture(t, "media/session_media.json"),
			call: func(ctx context.Context, c *Client) (int64, error) {
				return list(c.SessionMedia(ctx, testSessionID))
			}},
		{name: "AttemptMedia", method: "GET", signID: fmAttemptID, path: "/v1/attempts/" + fmAttemptID + "/media", okStatus: 200, okBody: fixture(t, "media/session_media.json"),
			call: func(ctx context.Context, c *Client) (int64, error) {
				return list(c.AttemptMedia(ctx, fmAttemptID))
			}},
		{name: "DownloadMedia", method: "GET", signID: fmMediaID, path: "/v1/media/" + fmMediaID, okStatus: 200, okBody: img, kind: kindStream,
			call: func(ctx context.Context, c *Client) (int64, error) {
				return c.DownloadMedia(ctx, fmMediaID, io.Discard)
			}},
		{name: "INERegistry", method: "GET", signID: testSessionID, path: sess + "/decision/ine-registry", okStatus: 200, okBody: fixture(t, "ine/ine_registry.json"),
			call: func(ctx context.Context, c *Client) (int64, error) {
				r, err := c.INERegistry(ctx, testSessionID)
				return nonNil(r != nil && r.Active, err)
			}},
		{name: "CURPRegistry", method: "GET", signID: testSessionID, path: sess + "/decision/curp-registry", okStatus: 200, okBody: fixture(t, "ine/curp_registry.json"),
			call: func(ctx context.Context, c *Client) (int64, error) {
				r, err := c.CURPRegistry(ctx, testSessionID)
				return nonNil(r != nil, err)
			}},
		{name: "CombinedINECURPRegistry", method: "GET", signID: testSessionID, path: sess + "/decision/combined-ine-curp-registry", okStatus: 200, okBody: fixture(t, "ine/combined_ine_curp_registry.json"),
			call: func(ctx context.Context, c *Client) (int64, error) {
				r, err := c.CombinedINECURPRegistry(ctx, testSessionID)
				return nonNil(r != nil && (r.INE != nil || r.CURP != nil), err)
			}},
	}
}

// fmServer is the loopback server of one case: it counts requests, checks
// they are the endpoint's, and answers each with the fault.
type fmServer struct {
	ep      fmEndpoint
	serve   func(s *fmServer, w http.ResponseWriter, r *http.Request, hit int)
	hits    atomic.Int32
	wrong   atomic.Value // string: what was wrong with a request
	release chan struct{}
	mu      sync.Mutex
	first   string // the first attempt's body and signature
}

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
	s.serve(s, w, r, hit)
}

func (s *fmServer) ok(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(s.ep.okBody)))
	w.WriteHeader(s.ep.okStatus)
	_, _ = w.Write(s.ep.okBody)
}

func fmStatus(code int, body string, header ...string) func(*fmServer, http.ResponseWriter, *http.Request, int) {
	return func(_ *fmServer, w http.ResponseWriter, r *http.Request, _ int) {
		_, _ = io.Copy(io.Discard, r.Body)
		for i := 0; i+1 < len(header); i += 2 {
			w.Header().Set(header[i], header[i+1])
		}
		if w.Header().Get("Content-Type") == "" {
			w.Header().Set("Content-Type", "application/json")
		}
		w.WriteHeader(code)
		_, _ = io.WriteString(w, body)
	}
}

// fmThenOK answers the first hit with first, and every later one with the
// endpoint's success.
func fmThenOK(first func(*fmServer, http.ResponseWriter, *http.Request, int)) func(*fmServer, http.ResponseWriter, *http.Request, int) {
	return func(s *fmServer, w http.ResponseWriter, r *http.Request, hit int) {
		if hit == 1 {
			first(s, w, r, hit)
			return
		}
		_, _ = io.Copy(io.Discard, r.Body)
		s.ok(w)
	}
}

// fmHijack reads the request, takes the connection over and hands it to f.
func fmHijack(f func(s *fmServer, conn net.Conn, buf *bufio.ReadWriter)) func(*fmServer, http.ResponseWriter, *http.Request, int) {
	return func(s *fmServer, w http.ResponseWriter, r *http.Request, _ int) {
		_, _ = io.Copy(io.Discard, r.Body)
		conn, buf, err := w.(http.Hijacker).Hijack()
		if err != nil {
			return
		}
		defer conn.Close()
		f(s, conn, buf)
	}
}

// half is the first half of the endpoint's success body.
func (s *fmServer) half() []byte { return s.ep.okBody[:len(s.ep.okBody)/2] }

// fmBigBody streams n bytes of a JSON-looking body from a small buffer,
// chunked (no Content-Length), until the client stops reading.
func fmBigBody(n int64) func(*fmServer, http.ResponseWriter, *http.Request, int) {
	return func(_ *fmServer, w http.ResponseWriter, r *http.Request, _ int) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusOK)
		_, _ = io.Copy(w, io.LimitReader(io.MultiReader(strings.NewReader(`{"status":"success","pad":"`), fmPadReader{}), n))
	}
}

// fmPadReader yields `{"status":"success","pad":"xxxx…` forever.
type fmPadReader struct{}

func (fmPadReader) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = 'x'
	}
	return len(p), nil
}

// fmFault is one way a call can go wrong.
type fmFault struct {
	name  string
	serve func(s *fmServer, w http.ResponseWriter, r *http.Request, hit int)
	// attemptTimeout is the Timeout of the user's http.Client (0: none).
	attemptTimeout time.Duration
	// deadline is the caller's context deadline (0: none).
	deadline time.Duration
	// expect is the outcome the policy prescribes for ep.
	expect func(ep fmEndpoint) fmExpect
}

// fmExpect is what the caller must see.
type fmExpect struct {
	ok    bool
	n     int64 // bytes DownloadMedia streams, when ok or after a mid-body drop
	hits  int
	check func(t *testing.T, err error) // the error's type; nil when ok
	// within bounds the call's duration (besides the global bound).
	within time.Duration
}

// Expectation helpers -------------------------------------------------------

func fmSuccess(hits int) fmExpect { return fmExpect{ok: true, hits: hits} }

func fmAPIError(status, attempts int, sentinels ...error) func(*testing.T, error) {
	return func(t *testing.T, err error) {
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

func fmRateLimited(attempts int, retryAfter func(time.Duration) bool) func(*testing.T, error) {
	return func(t *testing.T, err error) {
		fmAPIError(http.StatusTooManyRequests, attempts, ErrRateLimited)(t, err)
		var apiErr *APIError
		require.ErrorAs(t, err, &apiErr)
		assert.True(t, retryAfter(apiErr.RetryAfter), "RetryAfter = %s", apiErr.RetryAfter)
	}
}

func fmIs(targets ...error) func(*testing.T, error) {
	return func(t *testing.T, err error) {
		for _, target := range targets {
			assert.ErrorIs(t, err, target)
		}
		var apiErr *APIError
		assert.False(t, errors.As(err, &apiErr), "not an *APIError: %v", err)
	}
}

// fmTransport checks a connection-level failure: a *url.Error, no status.
func fmTransport(t *testing.T, err error) {
	var urlErr *url.Error
	assert.ErrorAs(t, err, &urlErr)
	var apiErr *APIError
	assert.False(t, errors.As(err, &apiErr), "not an *APIError: %v", err)
	assert.NotErrorIs(t, err, context.DeadlineExceeded)
	assert.NotErrorIs(t, err, context.Canceled)
}

func fmTimeout(t *testing.T, err error) {
	var te interface{ Timeout() bool }
	require.ErrorAs(t, err, &te)
	assert.True(t, te.Timeout())
	var apiErr *APIError
	assert.False(t, errors.As(err, &apiErr))
}

// fmWaitedOut is WaitForDecision's outcome when every poll fails
// temporarily: the wait continues until its deadline, and its error wraps
// the deadline and the last failure, which last checks.
func fmWaitedOut(hits int, last func(*testing.T, error)) fmExpect {
	return fmExpect{hits: hits, within: fmWaitDeadline + time.Second, check: func(t *testing.T, err error) {
		assert.ErrorIs(t, err, context.DeadlineExceeded)
		multi, ok := err.(interface{ Unwrap() []error })
		require.True(t, ok, "the wait's error wraps the deadline and the last failure: %v", err)
		errs := multi.Unwrap()
		require.Len(t, errs, 2)
		last(t, errs[1])
	}}
}

// fmRetryable is the outcome of a fault the policy retries for GET and
// DELETE only (5xx, connection failures after sending).
func fmRetryable(ep fmEndpoint, check func(hits int) func(*testing.T, error)) fmExpect {
	switch {
	case ep.kind == kindWait:
		return fmWaitedOut(fmMaxAttempts, check(fmMaxAttempts))
	case ep.idempotent():
		return fmExpect{hits: fmMaxAttempts, check: check(fmMaxAttempts)}
	default:
		return fmExpect{hits: 1, check: check(1)}
	}
}

// fmBody is the outcome of a bad 200 body: JSON endpoints fail with
// check, DeleteSession and SendCollectedData (which keep nothing) and
// DownloadMedia (which streams bytes) succeed.
func fmBody(ep fmEndpoint, n int64, check func(*testing.T, error)) fmExpect {
	switch ep.kind {
	case kindDiscard:
		return fmSuccess(1)
	case kindStream:
		return fmExpect{ok: true, hits: 1, n: n}
	}
	return fmExpect{hits: 1, check: check}
}

const fmHTMLPage = "<!DOCTYPE html><html><head><title>Service Unavailable</title></head><body><h1>We'll be right back</h1></body></html>"

func fmFaults(t *testing.T) []fmFault {
	errorJSON := `{"status":"fail","code":"1001","message":"upstream trouble"}`
	page502 := string(fixture(t, "core/error_502.html"))
	fail200 := string(fixture(t, "core/error_200_fail.json"))
	pastDate := "Wed, 21 Oct 2015 07:28:00 GMT"
	server5xx := func(code int, body string, ctype string) fmFault {
		return fmFault{
			name:  strconv.Itoa(code),
			serve: fmStatus(code, body, "Content-Type", ctype),
			expect: func(ep fmEndpoint) fmExpect {
				return fmRetryable(ep, func(hits int) func(*testing.T, error) { return fmAPIError(code, hits, ErrServer) })
			},
		}
	}
	rateLimited := func(name string, retryAfter string, hint func(time.Duration) bool) fmFault {
		var hdr []string
		if retryAfter != "" {
			hdr = []string{"Retry-After", retryAfter}
		}
		return fmFault{
			name:  name,
			serve: fmStatus(http.StatusTooManyRequests, `{"status":"fail","message":"Too many requests"}`, hdr...),
			expect: func(ep fmEndpoint) fmExpect {
				if ep.kind == kindWait {
					return fmWaitedOut(fmMaxAttempts, fmRateLimited(fmMaxAttempts, hint))
				}
				// 429 is retried for every method: the request was refused.
				return fmExpect{hits: fmMaxAttempts, check: fmRateLimited(fmMaxAttempts, hint)}
			},
		}
	}
	tooLong := func(name, retryAfter string, hint func(time.Duration) bool) fmFault {
		return fmFault{
			name:  name,
			serve: fmStatus(http.StatusTooManyRequests, `{"status":"fail","message":"Too many requests"}`, "Retry-After", retryAfter),
			expect: func(ep fmEndpoint) fmExpect {
				if ep.kind == kindWait {
					// Temporary for WaitForDecision: it keeps waiting as
					// long as its deadline allows.
					return fmWaitedOut(1, fmRateLimited(1, hint))
				}
				// Above the cap: returned at once, nothing slept.
				return fmExpect{hits: 1, check: fmRateLimited(1, hint), within: time.Second}
			},
		}
	}
	zero := func(d time.Duration) bool { return d == 0 }
	hour := func(d time.Duration) bool { return d == time.Hour }
	aboutHour := func(d time.Duration) bool { return d > 59*time.Minute && d <= time.Hour+time.Second }

	return []fmFault{
		{name: "ok", serve: func(s *fmServer, w http.ResponseWriter, r *http.Request, _ int) {
			_, _ = io.Copy(io.Discard, r.Body)
			s.ok(w)
		}, expect: func(ep fmEndpoint) fmExpect {
			e := fmSuccess(1)
			if ep.kind == kindStream {
				e.n = int64(len(ep.okBody))
			}
			return e
		}},
		server5xx(500, errorJSON, "application/json"),
		server5xx(502, page502, "text/html"), // a proxy's HTML error page
		server5xx(503, errorJSON, "application/json"),
		server5xx(504, "", "text/plain"),
		{name: "501", serve: fmStatus(501, errorJSON), expect: func(ep fmEndpoint) fmExpect {
			return fmExpect{hits: 1, check: fmAPIError(501, 1, ErrServer)} // never retried
		}},
		{name: "503-then-ok", serve: fmThenOK(fmStatus(503, errorJSON)), expect: func(ep fmEndpoint) fmExpect {
			if ep.idempotent() {
				e := fmSuccess(2)
				if ep.kind == kindStream {
					e.n = int64(len(ep.okBody))
				}
				return e
			}
			return fmExpect{hits: 1, check: fmAPIError(503, 1, ErrServer)}
		}},
		{name: "429-seconds-then-ok", serve: fmThenOK(fmStatus(429, `{"status":"fail"}`, "Retry-After", "0")), expect: func(ep fmEndpoint) fmExpect {
			e := fmSuccess(2) // every method: a 429 was not processed
			if ep.kind == kindStream {
				e.n = int64(len(ep.okBody))
			}
			return e
		}},
		rateLimited("429-no-retry-after", "", zero),
		rateLimited("429-seconds", "0", zero),
		rateLimited("429-http-date", pastDate, zero),
		tooLong("429-huge-seconds", "3600", hour),
		tooLong("429-huge-http-date", time.Now().Add(time.Hour).UTC().Format(http.TimeFormat), aboutHour),
		{name: "reset-before-response", serve: fmHijack(func(_ *fmServer, conn net.Conn, _ *bufio.ReadWriter) {
			if tc, ok := conn.(*net.TCPConn); ok {
				_ = tc.SetLinger(0) // close with RST
			}
		}), expect: func(ep fmEndpoint) fmExpect {
			return fmRetryable(ep, func(int) func(*testing.T, error) { return fmTransport })
		}},
		{name: "eof-before-response", serve: fmHijack(func(*fmServer, net.Conn, *bufio.ReadWriter) {}),
			expect: func(ep fmEndpoint) fmExpect {
				return fmRetryable(ep, func(int) func(*testing.T, error) { return fmTransport })
			}},
		{name: "drop-mid-body", serve: fmHijack(func(s *fmServer, _ net.Conn, buf *bufio.ReadWriter) {
			fmt.Fprintf(buf, "HTTP/1.1 %d %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n",
				s.ep.okStatus, http.StatusText(s.ep.okStatus), len(s.ep.okBody))
			_, _ = buf.Write(s.half())
			_ = buf.Flush()
		}), expect: func(ep fmEndpoint) fmExpect {
			// A download has handed bytes to the caller's writer: it is over.
			if ep.kind == kindStream {
				return fmExpect{hits: 1, n: int64(len(ep.okBody) / 2), check: fmIs(io.ErrUnexpectedEOF)}
			}
			// JSON bodies are read inside the retry loop: a connection lost
			// mid-body is a connection error, retried for GET and DELETE only.
			return fmRetryable(ep, func(int) func(*testing.T, error) {
				return fmIs(ErrInvalidResponse, io.ErrUnexpectedEOF)
			})
		}},
		{name: "stall-mid-body", deadline: fmDeadline, serve: func(s *fmServer, w http.ResponseWriter, r *http.Request, _ int) {
			_, _ = io.Copy(io.Discard, r.Body)
			w.Header().Set("Content-Length", strconv.Itoa(len(s.ep.okBody)))
			w.WriteHeader(s.ep.okStatus)
			_, _ = w.Write(s.half())
			w.(http.Flusher).Flush()
			select {
			case <-r.Context().Done():
			case <-s.release:
			}
		}, expect: func(ep fmEndpoint) fmExpect {
			e := fmExpect{hits: 1, check: fmIs(context.DeadlineExceeded), within: fmDeadline + time.Second}
			if ep.kind == kindStream {
				e.n = int64(len(ep.okBody) / 2)
			}
			return e
		}},
		{name: "hang-deadline", deadline: fmDeadline, serve: fmHang, expect: func(ep fmEndpoint) fmExpect {
			return fmExpect{hits: 1, check: fmIs(context.DeadlineExceeded), within: fmDeadline + time.Second}
		}},
		{name: "hang-attempt-timeout", attemptTimeout: fmAttemptTimeout, serve: fmHang, expect: func(ep fmEndpoint) fmExpect {
			e := fmRetryable(ep, func(int) func(*testing.T, error) { return fmTimeout })
			if ep.kind != kindWait {
				e.within = time.Duration(e.hits)*fmAttemptTimeout + time.Second
			}
			return e
		}},
		{name: "truncated-json", serve: func(s *fmServer, w http.ResponseWriter, r *http.Request, _ int) {
			_, _ = io.Copy(io.Discard, r.Body)
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(s.ep.okStatus)
			_, _ = w.Write(s.half())
		}, expect: func(ep fmEndpoint) fmExpect {
			return fmBody(ep, int64(len(ep.okBody)/2), fmIs(ErrInvalidResponse))
		}},
		{name: "html-200", serve: fmStatus(200, fmHTMLPage, "Content-Type", "text/html"), expect: func(ep fmEndpoint) fmExpect {
			return fmBody(ep, int64(len(fmHTMLPage)), fmIs(ErrInvalidResponse))
		}},
		{name: "empty-200", serve: fmStatus(200, ""), expect: func(ep fmEndpoint) fmExpect {
			return fmBody(ep, 0, fmIs(ErrInvalidResponse))
		}},
		{name: "status-fail-200", serve: fmStatus(200, fail200), expect: func(ep fmEndpoint) fmExpect {
			if ep.kind == kindStream {
				return fmExpect{ok: true, hits: 1, n: int64(len(fail200))}
			}
			return fmExpect{hits: 1, check: func(t *testing.T, err error) {
				fmAPIError(200, 1)(t, err)
				var apiErr *APIError
				require.ErrorAs(t, err, &apiErr)
				assert.Equal(t, "fail", apiErr.Status)
				assert.Equal(t, "1104", apiErr.Code)
				assert.NotEmpty(t, apiErr.Message)
			}}
		}},
		{name: "body-100MiB", serve: fmBigBody(fmHugeBody), expect: func(ep fmEndpoint) fmExpect {
			if ep.kind == kindStream {
				// DownloadMedia streams uncapped by design: the caller's
				// writer decides; memory stays bounded (TestHugeResponse).
				return fmExpect{ok: true, hits: 1, n: fmHugeBody}
			}
			return fmExpect{hits: 1, check: fmIs(ErrResponseTooLarge)}
		}},
	}
}

// fmHang never answers until the request ends.
func fmHang(s *fmServer, w http.ResponseWriter, r *http.Request, _ int) {
	_, _ = io.Copy(io.Discard, r.Body)
	select {
	case <-r.Context().Done():
	case <-s.release:
	}
}

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
		f := f
		t.Run(f.name, func(t *testing.T) {
			for _, ep := range endpoints {
				ep := ep
				t.Run(ep.name, func(t *testing.T) {
					fmRunCase(t, f, ep)
				})
			}
		})
	}
	t.Logf("%d endpoints x %d faults = %d cases in %s", len(endpoints), len(faults), len(endpoints)*len(faults), time.Since(start).Round(time.Millisecond))
}

func fmRunCase(t *testing.T, f fmFault, ep fmEndpoint) {
	want := f.expect(ep)
	baseGoroutines := runtime.NumGoroutine()

	s := &fmServer{ep: ep, serve: f.serve, release: make(chan struct{})}
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

	if want.ok {
		assert.NoError(t, err)
	} else if assert.Error(t, err) {
		want.check(t, err)
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
			return c.DownloadMedia(context.Background(), fmMediaID, io.Discard)
		}, fmHugeBody, nil, 2 << 20},
		{"DownloadMedia/content-length", true, nil, func(c *Client) (int64, error) {
			return c.DownloadMedia(context.Background(), fmMediaID, io.Discard)
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
