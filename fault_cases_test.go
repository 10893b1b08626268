package veriff

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The fault matrix's tables (the run is in fault_test.go): the endpoints,
// the error checks, the faults with what the policy prescribes for each,
// and the ways a processed write can lose its answer.

// --- the endpoints ------------------------------------------------------------

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

// fmEndpoints are all the endpoints of the matrix, in a fixed order.
func fmEndpoints(t *testing.T) []fmEndpoint {
	t.Helper()
	img := fixture(t, "media/face.jpg")
	imgPath := filepath.Join(t.TempDir(), "face.jpg")
	require.NoError(t, os.WriteFile(imgPath, img, 0o600))
	return append(fmSessionEndpoints(t), fmDataEndpoints(t, img, imgPath)...)
}

// fmSessionEndpoints are the calls that create, submit, delete and decide a session.
func fmSessionEndpoints(t *testing.T) []fmEndpoint {
	t.Helper()
	sess := "/v1/sessions/" + testSessionID
	decision := fixture(t, "sessions/decision_approved.json")
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
	}
}

// fmDataEndpoints are the calls that read or send a session's data and media;
// img is the face image, also written at imgPath.
func fmDataEndpoints(t *testing.T, img []byte, imgPath string) []fmEndpoint {
	t.Helper()
	sess := "/v1/sessions/" + testSessionID
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
	// cpuBound: the row's cases keep the CPU busy (a 100 MiB answer), so
	// they run one after another, before the parallel rows and their
	// deadlines.
	cpuBound bool
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
		{name: "body-100MiB", serve: fmBigBody(fmHugeBody), err: fmIs(ErrResponseTooLarge), download: &fmDownload{n: fmHugeBody}, cpuBound: true},
	}
}

// --- lost answers (TestNoDuplicateAfterProcessing) ----------------------------

// fmLoss is one way a server loses its answer to a request it processed;
// lose runs after the request was counted.
type fmLoss struct {
	name           string
	attemptTimeout time.Duration
	lose           func(w http.ResponseWriter, release <-chan struct{}, r *http.Request)
}

// fmLosses are the losses TestNoDuplicateAfterProcessing runs every POST and PATCH through.
func fmLosses() []fmLoss {
	return []fmLoss{
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
}
