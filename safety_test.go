package veriff

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Safety properties of the client: bounded memory, bad input refused before
// anything is sent, no personal values in errors, no proxy for plain
// loopback.

const decisionURL = testBase + "/v1/sessions/" + testSessionID + "/decision"

// allocatedBytes returns how many bytes f allocates, averaged over runs.
func allocatedBytes(runs int, f func()) uint64 {
	f() // warm up pools
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	for i := 0; i < runs; i++ {
		f()
	}
	runtime.ReadMemStats(&after)
	return (after.TotalAlloc - before.TotalAlloc) / uint64(runs)
}

// The client's bounded read allocates for the bytes received, not
// for the declared Content-Length, and a limit of math.MaxInt64 works.
func TestReadBoundedFollowsBytesReceived(t *testing.T) {
	per := allocatedBytes(20, func() {
		got, tooLarge, err := readBounded(nil, strings.NewReader("{"), 1<<20, 16<<20)
		if err != nil || tooLarge || string(got) != "{" {
			panic(fmt.Sprint(got, tooLarge, err))
		}
	})
	t.Logf("declared 1 MiB, received 1 byte: %d bytes allocated per read", per)
	assert.Less(t, per, uint64(64<<10))

	c, mt := setup(t, WithMaxResponseBytes(math.MaxInt64))
	mt.RegisterResponder(http.MethodGet, decisionURL, httpmock.NewBytesResponder(200, fixture(t, "sessions/decision_approved.json")))
	d, err := c.Decision(context.Background(), testSessionID)
	require.NoError(t, err)
	require.NotNil(t, d.Verification)
	assert.Equal(t, StatusApproved, d.Verification.Status)
}

// A webhook that declares 1 MiB and sends one byte costs far less
// than 1 MiB.
func TestWebhookHandlerMemoryFollowsBytesReceived(t *testing.T) {
	h := &WebhookHandler{Secrets: []string{testSecret}, MaxBodyBytes: 16 << 20}
	var status int
	per := allocatedBytes(20, func() {
		req := httptest.NewRequest(http.MethodPost, "/hook", strings.NewReader("{"))
		req.ContentLength = 1 << 20
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		status = rec.Code
	})
	t.Logf("declared 1 MiB, received 1 byte: %d bytes allocated per request", per)
	assert.Equal(t, http.StatusUnauthorized, status)
	assert.Less(t, per, uint64(128<<10))
}

// A plain http://LOCALHOST base URL never goes through HTTP_PROXY. The check runs in
// a child process, since the standard library reads the proxy variables
// once per process.
func TestPlainLoopbackNeverProxied(t *testing.T) {
	if target := os.Getenv("VERIFF_TEST_PROXY_TARGET"); target != "" {
		// The child: HTTP_PROXY is set; call the target by its upper-case name.
		c, err := NewClient(testAPIKey, testSecret, WithBaseURL("http://LOCALHOST:"+target), WithMaxRetries(0))
		require.NoError(t, err)
		_, err = c.Decision(context.Background(), testSessionID)
		require.NoError(t, err)
		return
	}
	c, err := NewClient(testAPIKey, testSecret, WithBaseURL("http://LOCALHOST:8080"))
	require.NoError(t, err)
	assert.Equal(t, "http://localhost:8080/v1", c.BaseURL())

	var proxied, direct atomic.Int32
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		proxied.Add(1)
		http.Error(w, "proxy", http.StatusBadGateway)
	}))
	defer proxy.Close()
	body := fixture(t, "sessions/decision_approved.json")
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		direct.Add(1)
		_, _ = w.Write(body)
	}))
	defer target.Close()
	_, port, err := net.SplitHostPort(target.Listener.Addr().String())
	require.NoError(t, err)

	cmd := exec.Command(os.Args[0], "-test.run=^TestPlainLoopbackNeverProxied$", "-test.count=1")
	cmd.Env = append(os.Environ(), "VERIFF_TEST_PROXY_TARGET="+port, "HTTP_PROXY="+proxy.URL, "http_proxy="+proxy.URL, "NO_PROXY=", "no_proxy=")
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "%s", out)
	assert.Equal(t, int32(0), proxied.Load(), "the request went through the proxy")
	assert.Equal(t, int32(1), direct.Load())
}

// WaitForDecision honours WithRetryAfterCap: above it, it returns
// the *APIError at once instead of sleeping.
func TestWaitForDecisionRetryAfterAboveCap(t *testing.T) {
	for _, ra := range []string{"86400", "Fri, 31 Dec 9999 23:59:59 GMT"} {
		t.Run(ra, func(t *testing.T) {
			c, mt := setup(t, WithMaxRetries(0))
			resp := httpmock.NewStringResponse(http.StatusTooManyRequests, `{}`)
			resp.Header.Set("Retry-After", ra)
			mt.RegisterResponder(http.MethodGet, decisionURL, httpmock.ResponderFromResponse(resp))
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			_, err := c.WaitForDecision(ctx, testSessionID, 10*time.Millisecond)
			require.Error(t, err)
			assert.NotErrorIs(t, err, context.DeadlineExceeded)
			assert.ErrorIs(t, err, ErrRateLimited)
			var apiErr *APIError
			require.ErrorAs(t, err, &apiErr)
			assert.Greater(t, apiErr.RetryAfter, defaultRetryAfterCap)
			assert.Equal(t, 1, mt.GetTotalCallCount())
		})
	}
}

// mkfifo makes a named pipe in a temporary directory.
func mkfifo(t *testing.T, name string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	require.NoError(t, syscall.Mkfifo(p, 0o600))
	return p
}

// unblockFIFO opens the write end of p so that a reader blocked opening it
// returns (needed only when the code under test blocked).
func unblockFIFO(p string) {
	if f, err := os.OpenFile(p, os.O_WRONLY|syscall.O_NONBLOCK, 0); err == nil {
		_ = f.Close()
	}
}

// A FIFO is refused before it is opened, on the first open and on
// every re-open for an attempt.
func TestUploadMediaFileRefusesFIFO(t *testing.T) {
	fifo := mkfifo(t, "front.jpg")
	c, mt := setup(t)
	done := make(chan error, 1)
	go func() {
		_, err := c.UploadMediaFile(context.Background(), testSessionID, ContextDocumentFront, fifo)
		done <- err
	}()
	select {
	case err := <-done:
		assert.ErrorIs(t, err, ErrInvalidInput)
		assert.Contains(t, err.Error(), "not a regular file")
	case <-time.After(10 * time.Second):
		unblockFIFO(fifo)
		t.Fatal("UploadMediaFile blocked opening a FIFO")
	}
	assert.Equal(t, 0, mt.GetTotalCallCount())

	// A FIFO put in the file's place before an attempt re-opens it.
	src := &fileSource{path: mkfifo(t, "back.jpg"), size: 10}
	opened := make(chan error, 1)
	go func() {
		f, err := src.openChecked()
		if f != nil {
			_ = f.Close()
		}
		opened <- err
	}()
	select {
	case err := <-opened:
		assert.ErrorIs(t, err, ErrMediaChanged)
	case <-time.After(10 * time.Second):
		unblockFIFO(src.path)
		t.Fatal("openChecked blocked opening a FIFO")
	}
}

// A base URL ending in "?" (or "#") is refused.
func TestBaseURLWithEmptyQueryRefused(t *testing.T) {
	for _, u := range []string{"https://api.example.test?", "https://api.example.test/?", "https://api.example.test/v1/?", "https://api.example.test/#"} {
		_, err := NewClient(testAPIKey, testSecret, WithBaseURL(u))
		assert.ErrorIs(t, err, ErrInvalidInput, u)
	}
}

// IDs hold only [A-Za-z0-9_-], 1 to 128 bytes.
func TestValidateIDCharset(t *testing.T) {
	tests := []struct {
		id string
		ok bool
	}{
		{testSessionID, true},
		{"A-z_0", true},
		{strings.Repeat("a", 128), true},
		{strings.Repeat("a", 129), false},
		{".", false},
		{"a.b", false},
		{"\xc0\xaf", false}, // overlong '/'
		{"\xff", false},
		{"é", false},
		{"a+b", false},
		{"a:b", false},
	}
	for _, tt := range tests {
		err := validateID("sessionID", tt.id)
		if tt.ok {
			assert.NoError(t, err, "%q", tt.id)
		} else {
			assert.ErrorIs(t, err, ErrInvalidInput, "%q", tt.id)
		}
	}
}

// Invalid UTF-8 in a request body's strings is refused before
// anything is sent.
func TestInvalidUTF8Refused(t *testing.T) {
	reqs := map[string]CreateSessionRequest{
		"VendorData":       {VendorData: "customer-\xff"},
		"EndUserID":        {EndUserID: "\xc3"},
		"Person.FirstName": {Person: &SessionPerson{FirstName: "Mar\xeda"}},
		"Consents[0].Type": {Consents: []Consent{{Type: "ine\xfe", Approved: true}}},
	}
	for field, req := range reqs {
		t.Run(field, func(t *testing.T) {
			c, mt := setup(t)
			mt.RegisterResponder(http.MethodPost, testBase+"/v1/sessions", httpmock.NewBytesResponder(201, fixture(t, "sessions/create_201.json")))
			_, err := c.CreateSession(context.Background(), req)
			require.ErrorIs(t, err, ErrInvalidInput)
			assert.Contains(t, err.Error(), field)
			assert.Contains(t, err.Error(), "UTF-8")
			assert.Equal(t, 0, mt.GetTotalCallCount())
		})
	}
	t.Run("collected data", func(t *testing.T) {
		c, mt := setup(t)
		d := CollectedData{ProviderName: "acme\xff", Device: CollectedDevice{Fingerprint: "fp"}}
		err := c.SendCollectedData(context.Background(), testSessionID, d)
		require.ErrorIs(t, err, ErrInvalidInput)
		assert.Equal(t, 0, mt.GetTotalCallCount())
	})
}

// Errors say what is wrong, never the personal value.
func TestErrorsHoldNoPersonalValues(t *testing.T) {
	c, _ := setup(t)
	dir := t.TempDir()
	named := filepath.Join(dir, "MARIA_HERNANDEZ_HELM900412MDFRPR05.jpg")
	require.NoError(t, os.Mkdir(filepath.Join(dir, "JUAN_PEREZ_dir"), 0o700))
	cases := map[string]struct {
		err   error
		value string
	}{}
	_, err := c.CreateSession(context.Background(), CreateSessionRequest{Person: &SessionPerson{DateOfBirth: "12/04/1990"}})
	cases["date of birth"] = struct {
		err   error
		value string
	}{err, "12/04/1990"}
	_, err = c.CreateSession(context.Background(), CreateSessionRequest{Document: &SessionDocument{FirstIssue: "2015-31-12"}})
	cases["first issue"] = struct {
		err   error
		value string
	}{err, "2015-31-12"}
	err = c.SendCollectedData(context.Background(), testSessionID, CollectedData{ProviderName: "p",
		Network: CollectedNetwork{IP: "203.0.113.999"}, Device: CollectedDevice{Fingerprint: "f"}})
	cases["IP"] = struct {
		err   error
		value string
	}{err, "203.0.113.999"}
	_, err = c.UploadMediaFile(context.Background(), testSessionID, ContextFace, named)
	cases["missing file"] = struct {
		err   error
		value string
	}{err, "MARIA"}
	_, err = c.UploadMediaFile(context.Background(), testSessionID, ContextFace, filepath.Join(dir, "JUAN_PEREZ_dir"))
	cases["directory"] = struct {
		err   error
		value string
	}{err, "JUAN"}
	_, err = c.Decision(context.Background(), "Maria Lopez")
	cases["ID"] = struct {
		err   error
		value string
	}{err, "Maria"}
	_, err = NewClient(testAPIKey, testSecret, WithBaseURL("maria:s3cret@api.example.test"))
	cases["base URL"] = struct {
		err   error
		value string
	}{err, "s3cret"}
	require.NoError(t, os.WriteFile(named, []byte("0123456789"), 0o600))
	_, err = (&fileSource{path: named, size: 99}).openChecked()
	cases["media changed"] = struct {
		err   error
		value string
	}{err, "MARIA"}

	for name, tc := range cases {
		require.Error(t, tc.err, name)
		assert.NotContains(t, tc.err.Error(), tc.value, name)
	}
}

// A Retry-After too large for int64 is above the cap, not absent.
func TestRetryAfterOverflow(t *testing.T) {
	d, ok := parseRetryAfter("99999999999999999999999", time.Now())
	assert.True(t, ok)
	assert.Greater(t, d, 24*time.Hour)

	c, mt := setup(t)
	resp := httpmock.NewStringResponse(http.StatusTooManyRequests, `{}`)
	resp.Header.Set("Retry-After", "99999999999999999999999")
	mt.RegisterResponder(http.MethodGet, decisionURL, httpmock.ResponderFromResponse(resp))
	_, err := c.Decision(context.Background(), testSessionID)
	require.ErrorIs(t, err, ErrRateLimited)
	assert.Equal(t, 1, mt.GetTotalCallCount(), "retried at once")
}

// One log line per attempt, the final one included.
func TestOneLogLinePerAttempt(t *testing.T) {
	tests := []struct {
		name      string
		responses []int
		lines     int
	}{
		{"200", []int{200}, 1},
		{"404", []int{404}, 1},
		{"503 then 200", []int{503, 200}, 2},
		{"503 three times", []int{503, 503, 503}, 3},
	}
	body := fixture(t, "sessions/decision_approved.json")
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			logger := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
			c, mt := setup(t, WithLogger(logger))
			var n atomic.Int32
			mt.RegisterResponder(http.MethodGet, decisionURL, func(*http.Request) (*http.Response, error) {
				code := tt.responses[n.Add(1)-1]
				return httpmock.NewBytesResponse(code, body), nil
			})
			_, _ = c.Decision(context.Background(), testSessionID)
			assert.Equal(t, tt.lines, strings.Count(buf.String(), "veriff request"), buf.String())
			for i := 1; i <= tt.lines; i++ {
				assert.Equal(t, 1, strings.Count(buf.String(), "attempt="+strconv.Itoa(i)+" "), buf.String())
			}
		})
	}
}

// DownloadMedia asks for identity encoding and delivers the bytes
// as sent; WithMaxDownloadBytes caps them.
func TestDownloadMediaAsSent(t *testing.T) {
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	_, _ = zw.Write(make([]byte, 1<<20))
	require.NoError(t, zw.Close())
	var acceptEncoding atomic.Value
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		acceptEncoding.Store(r.Header.Get("Accept-Encoding"))
		w.Header().Set("Content-Encoding", "gzip")
		w.Header().Set("Content-Type", "image/jpeg")
		_, _ = w.Write(gz.Bytes())
	}))
	defer srv.Close()
	hc := srv.Client()
	defer hc.CloseIdleConnections()

	c, err := NewClient(testAPIKey, testSecret, WithBaseURL(srv.URL), WithHTTPClient(hc))
	require.NoError(t, err)
	var out bytes.Buffer
	n, err := c.DownloadMedia(context.Background(), testSessionID, &out)
	require.NoError(t, err)
	assert.Equal(t, "identity", acceptEncoding.Load())
	assert.Equal(t, int64(gz.Len()), n)
	assert.Equal(t, gz.Bytes(), out.Bytes())

	capped, err := NewClient(testAPIKey, testSecret, WithBaseURL(srv.URL), WithHTTPClient(hc), WithMaxDownloadBytes(100))
	require.NoError(t, err)
	out.Reset()
	n, err = capped.DownloadMedia(context.Background(), testSessionID, &out)
	require.ErrorIs(t, err, ErrResponseTooLarge)
	assert.LessOrEqual(t, n, int64(100))

	_, err = NewClient(testAPIKey, testSecret, WithMaxDownloadBytes(-1))
	assert.ErrorIs(t, err, ErrInvalidInput)
}

// Only 500-599 are server errors.
func TestStatusAbove599NotRetried(t *testing.T) {
	for _, code := range []int{600, 799, 999} {
		c, mt := setup(t)
		mt.RegisterResponder(http.MethodGet, decisionURL, httpmock.NewStringResponder(code, `{}`))
		_, err := c.Decision(context.Background(), testSessionID)
		var apiErr *APIError
		require.ErrorAs(t, err, &apiErr)
		assert.False(t, apiErr.Temporary(), code)
		assert.NotErrorIs(t, err, ErrServer)
		assert.Equal(t, 1, mt.GetTotalCallCount(), code)

		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		_, err = c.WaitForDecision(ctx, testSessionID, time.Millisecond)
		cancel()
		assert.NotErrorIs(t, err, context.DeadlineExceeded, code)
	}
	assert.True(t, (&APIError{StatusCode: 599}).Temporary())
}

// CloseIdleConnections closes the pool's idle connections.
func TestCloseIdleConnections(t *testing.T) {
	closed := make(chan struct{}, 4)
	body := fixture(t, "sessions/decision_approved.json")
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write(body)
	}))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateClosed {
			closed <- struct{}{}
		}
	}
	srv.Start()
	defer srv.Close()
	c, err := NewClient(testAPIKey, testSecret, WithBaseURL(srv.URL))
	require.NoError(t, err)
	_, err = c.Decision(context.Background(), testSessionID)
	require.NoError(t, err)
	c.CloseIdleConnections()
	select {
	case <-closed:
	case <-time.After(10 * time.Second):
		t.Fatal("the idle connection was not closed")
	}
}

// The default transport caps response headers.
func TestDefaultTransportCapsResponseHeaders(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("X-Padding", strings.Repeat("a", 200<<10))
		_, _ = io.WriteString(w, `{"status":"success","verification":null}`)
	}))
	defer srv.Close()
	c, err := NewClient(testAPIKey, testSecret, WithBaseURL(srv.URL), WithMaxRetries(0))
	require.NoError(t, err)
	defer c.CloseIdleConnections()
	_, err = c.Decision(context.Background(), testSessionID)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "header")
}

// A blank shared secret is refused by NewClient and never
// verifies a webhook.
func TestBlankSecretRefused(t *testing.T) {
	for _, s := range []string{" ", "\t", " \n "} {
		_, err := NewClient(testAPIKey, s)
		assert.ErrorIs(t, err, ErrInvalidInput)

		body := []byte(`{"id":"s1","code":7001,"action":"started"}`)
		h := http.Header{"X-Hmac-Signature": {Sign(s, body)}}
		err = VerifyWebhook(body, h, s)
		assert.ErrorIs(t, err, ErrInvalidSignature)
		err = VerifyWebhook(body, h, s, "")
		assert.ErrorIs(t, err, ErrInvalidSignature)

		wh := &WebhookHandler{Secrets: []string{s}}
		rec := httptest.NewRecorder()
		req := httptest.NewRequest(http.MethodPost, "/hook", bytes.NewReader(body))
		req.Header = h
		wh.ServeHTTP(rec, req)
		assert.Equal(t, http.StatusUnauthorized, rec.Code)
	}
	assert.False(t, errors.Is(VerifyWebhook([]byte("{}"), http.Header{"X-Hmac-Signature": {Sign(testSecret, []byte("{}"))}}, " ", testSecret), ErrInvalidSignature))
}
