package veriff

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestNewClientRefusesBadInput(t *testing.T) {
	tests := []struct {
		name   string
		key    string
		secret string
		opts   []Option
		want   string
	}{
		{"empty API key", "", testSecret, nil, "empty API key"},
		{"blank API key", "  ", testSecret, nil, "empty API key"},
		{"API key with newline", "abc\r\nX-Evil: 1", testSecret, nil, "control characters"},
		{"empty secret", testAPIKey, "", nil, "empty shared secret"},
		{"relative base URL", testAPIKey, testSecret, []Option{WithBaseURL("/v1")}, "not an absolute URL"},
		{"host without scheme", testAPIKey, testSecret, []Option{WithBaseURL("stationapi.veriff.com")}, "not an absolute URL"},
		{"plain http to remote host", testAPIKey, testSecret, []Option{WithBaseURL("http://stationapi.veriff.com")}, "loopback"},
		{"plain http to private address", testAPIKey, testSecret, []Option{WithBaseURL("http://10.0.0.1:8080")}, "loopback"},
		{"ftp scheme", testAPIKey, testSecret, []Option{WithBaseURL("ftp://example.com")}, "scheme must be https"},
		{"user info in URL", testAPIKey, testSecret, []Option{WithBaseURL("https://user:pw@example.com")}, "user info"},
		{"query in URL", testAPIKey, testSecret, []Option{WithBaseURL("https://example.com/?a=b")}, "query"},
		{"negative retries", testAPIKey, testSecret, []Option{WithMaxRetries(-1)}, "negative retry count"},
		{"inverted wait bounds", testAPIKey, testSecret, []Option{WithRetryWait(2*time.Second, time.Second)}, "below min"},
		{"negative wait", testAPIKey, testSecret, []Option{WithRetryWait(-time.Second, time.Second)}, "negative wait"},
		{"negative Retry-After cap", testAPIKey, testSecret, []Option{WithRetryAfterCap(-1)}, "negative duration"},
		{"zero response limit", testAPIKey, testSecret, []Option{WithMaxResponseBytes(0)}, "must be positive"},
		{"nil http client", testAPIKey, testSecret, []Option{WithHTTPClient(nil)}, "nil *http.Client"},
		{"empty integration ID", testAPIKey, testSecret, []Option{WithIntegrationID(" ")}, "WithIntegrationID"},
		{"user agent with newline", testAPIKey, testSecret, []Option{WithUserAgent("app\n")}, "control characters"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := NewClient(tt.key, tt.secret, tt.opts...)
			require.Error(t, err)
			assert.Nil(t, c)
			assert.ErrorIs(t, err, ErrInvalidInput)
			var ie *InputError
			require.ErrorAs(t, err, &ie)
			assert.Contains(t, err.Error(), tt.want)
			assert.NotContains(t, err.Error(), testSecret)
		})
	}
}

func TestNewClientBaseURL(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", "https://stationapi.veriff.com/v1"},
		{"https://stationapi.veriff.com", "https://stationapi.veriff.com/v1"},
		{"https://stationapi.veriff.com/", "https://stationapi.veriff.com/v1"},
		{"https://stationapi.veriff.com/v1", "https://stationapi.veriff.com/v1"},
		{"https://stationapi.veriff.com/v1/", "https://stationapi.veriff.com/v1"},
		{"https://gw.example.com/veriff", "https://gw.example.com/veriff/v1"},
		{"http://localhost:8080", "http://localhost:8080/v1"},
		{"http://127.0.0.9:1234/v1", "http://127.0.0.9:1234/v1"},
		{"http://[::1]:1234", "http://[::1]:1234/v1"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			var opts []Option
			if tt.in != "" {
				opts = append(opts, WithBaseURL(tt.in))
			}
			c, err := NewClient(testAPIKey, testSecret, opts...)
			require.NoError(t, err)
			assert.Equal(t, tt.want, c.BaseURL())
		})
	}
}

func TestValidateID(t *testing.T) {
	tests := []struct {
		id string
		ok bool
	}{
		{testSessionID, true},
		{"abc_DEF-123", true},
		{"", false},
		{"a/b", false},
		{"a?b=c", false},
		{"a#b", false},
		{"a%2Fb", false},
		{"a b", false},
		{"a\tb", false},
		{"a\nb", false},
		{"..", false},
		{"a..b", false},
		{`a\b`, false},
		{strings.Repeat("a", 257), false},
	}
	for _, tt := range tests {
		t.Run(tt.id, func(t *testing.T) {
			err := validateID("sessionID", tt.id)
			if tt.ok {
				assert.NoError(t, err)
				return
			}
			assert.ErrorIs(t, err, ErrInvalidInput)
			assert.Contains(t, err.Error(), "sessionID")
		})
	}
}

func TestRequestWireFormat(t *testing.T) {
	c, mt := setup(t, WithUserAgent("acme-onboarding/2.1"), WithIntegrationID("int-123"))

	var got *http.Request
	var gotBody []byte
	mt.RegisterResponder(http.MethodPost, testBase+"/v1/sessions", func(r *http.Request) (*http.Response, error) {
		got = r
		gotBody, _ = io.ReadAll(r.Body)
		return httpmock.NewBytesResponse(201, fixture(t, "core/ok.json")), nil
	})
	var out map[string]any
	require.NoError(t, send(context.Background(), c, rawRequest{method: http.MethodPost, path: "/sessions",
		body: map[string]any{"verification": map[string]any{}}, integrationID: true}, &out))

	assert.Equal(t, `{"verification":{}}`, string(gotBody))
	assert.Equal(t, testAPIKey, got.Header.Get("X-AUTH-CLIENT"))
	assert.Equal(t, Sign(testSecret, gotBody), got.Header.Get("X-HMAC-SIGNATURE"))
	assert.Equal(t, "application/json", got.Header.Get("Content-Type"))
	assert.Equal(t, "int-123", got.Header.Get("vrf-integration-id"))
	assert.True(t, strings.HasPrefix(got.Header.Get("User-Agent"), "acme-onboarding/2.1 veriffgo/"+Version), got.Header.Get("User-Agent"))
	assert.Equal(t, int64(len(gotBody)), got.ContentLength)

	mt.RegisterResponder(http.MethodGet, testBase+"/v1/sessions/"+testSessionID+"/decision", func(r *http.Request) (*http.Response, error) {
		got = r
		return httpmock.NewStringResponse(200, `{"status":"success","verification":null}`), nil
	})
	require.NoError(t, send(context.Background(), c, getDecision(testSessionID), &out))
	assert.Equal(t, "72425a5b0d91e04c84c7f7fa50a62fb16a3d03a4b78149832737492a5171ab12", got.Header.Get("X-HMAC-SIGNATURE"))
	assert.Empty(t, got.Header.Get("Content-Type"), "no Content-Type without a body")
	assert.Empty(t, got.Header.Get("vrf-integration-id"), "integration ID only on session creation")
	assert.Empty(t, got.URL.RawQuery)
}

var (
	errReset   = &net.OpError{Op: "read", Net: "tcp", Err: os.NewSyscallError("read", syscall.ECONNRESET)}
	errEOF     = io.ErrUnexpectedEOF
	errRefused = &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}
	errDNS     = &net.DNSError{Err: "no such host", Name: "api.example.test", IsNotFound: true}
)

func TestRetryPolicy(t *testing.T) {
	tests := []struct {
		name      string
		method    string
		responses []httpmock.Responder
		calls     int
		wantOK    bool
		wantIs    error // for failures
		wantCode  int   // APIError status, 0 for transport errors
	}{
		{"GET 503 503 200 succeeds on third attempt", "GET", []httpmock.Responder{status(503), status(503), okResp()}, 3, true, nil, 0},
		{"GET 500 exhausts retries", "GET", []httpmock.Responder{status(500)}, 3, false, ErrServer, 500},
		{"GET 502 retried", "GET", []httpmock.Responder{status(502), okResp()}, 2, true, nil, 0},
		{"GET 504 retried", "GET", []httpmock.Responder{status(504), okResp()}, 2, true, nil, 0},
		{"GET 501 not retried", "GET", []httpmock.Responder{status(501)}, 1, false, ErrServer, 501},
		{"GET 429 retried", "GET", []httpmock.Responder{status(429), okResp()}, 2, true, nil, 0},
		{"GET 429 exhausts retries", "GET", []httpmock.Responder{status(429)}, 3, false, ErrRateLimited, 429},
		{"GET 400 not retried", "GET", []httpmock.Responder{status(400)}, 1, false, ErrBadRequest, 400},
		{"GET 401 not retried", "GET", []httpmock.Responder{status(401)}, 1, false, ErrUnauthorized, 401},
		{"GET 404 not retried", "GET", []httpmock.Responder{status(404)}, 1, false, ErrNotFound, 404},
		{"GET 409 not retried", "GET", []httpmock.Responder{status(409)}, 1, false, ErrConflict, 409},
		{"GET connection reset retried", "GET", []httpmock.Responder{fail(errReset), okResp()}, 2, true, nil, 0},
		{"GET unexpected EOF retried", "GET", []httpmock.Responder{fail(errEOF), fail(errEOF), okResp()}, 3, true, nil, 0},
		{"GET connection reset exhausts retries", "GET", []httpmock.Responder{fail(errReset)}, 3, false, syscall.ECONNRESET, 0},
		{"DELETE 503 retried", "DELETE", []httpmock.Responder{status(503), okResp()}, 2, true, nil, 0},
		{"POST 500 sent once", "POST", []httpmock.Responder{status(500), okResp()}, 1, false, ErrServer, 500},
		{"POST 503 sent once", "POST", []httpmock.Responder{status(503), okResp()}, 1, false, ErrServer, 503},
		{"POST 502 sent once", "POST", []httpmock.Responder{status(502), okResp()}, 1, false, ErrServer, 502},
		{"POST connection reset sent once", "POST", []httpmock.Responder{fail(errReset), okResp()}, 1, false, syscall.ECONNRESET, 0},
		{"POST dropped mid-response sent once", "POST", []httpmock.Responder{fail(errEOF), okResp()}, 1, false, io.ErrUnexpectedEOF, 0},
		{"POST 429 retried", "POST", []httpmock.Responder{status(429), okResp()}, 2, true, nil, 0},
		{"POST connection refused retried", "POST", []httpmock.Responder{fail(errRefused), okResp()}, 2, true, nil, 0},
		{"POST DNS failure retried", "POST", []httpmock.Responder{fail(errDNS), okResp()}, 2, true, nil, 0},
		{"POST connection refused exhausts retries", "POST", []httpmock.Responder{fail(errRefused)}, 3, false, syscall.ECONNREFUSED, 0},
		{"PATCH 500 sent once", "PATCH", []httpmock.Responder{status(500), okResp()}, 1, false, ErrServer, 500},
		{"PATCH 429 retried", "PATCH", []httpmock.Responder{status(429), okResp()}, 2, true, nil, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, mt := setup(t)
			r := rawRequest{method: tt.method, path: "/sessions/" + testSessionID, signID: testSessionID}
			if tt.method == "POST" || tt.method == "PATCH" {
				r.signID = ""
				r.body = map[string]any{"verification": map[string]any{"status": "submitted"}}
			}
			var bodies [][]byte
			var sigs []string
			seq := sequence(tt.responses...)
			mt.RegisterResponder(tt.method, testBase+"/v1/sessions/"+testSessionID, func(req *http.Request) (*http.Response, error) {
				if req.Body != nil {
					b, _ := io.ReadAll(req.Body)
					bodies = append(bodies, b)
				}
				sigs = append(sigs, req.Header.Get("X-HMAC-SIGNATURE"))
				return seq(req)
			})
			err := send(context.Background(), c, r, nil)
			assert.Equal(t, tt.calls, mt.GetTotalCallCount(), "attempts")
			for i := 1; i < len(sigs); i++ {
				assert.Equal(t, sigs[0], sigs[i], "every attempt carries the same signature")
				if len(bodies) > i {
					assert.Equal(t, bodies[0], bodies[i], "every attempt sends the same bytes")
				}
			}
			if tt.wantOK {
				require.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.ErrorIs(t, err, tt.wantIs)
			var apiErr *APIError
			if tt.wantCode == 0 {
				assert.False(t, errors.As(err, &apiErr), "transport failures are not APIErrors")
				assert.NotContains(t, err.Error(), "giving up")
				return
			}
			require.ErrorAs(t, err, &apiErr)
			assert.Equal(t, tt.wantCode, apiErr.StatusCode)
			assert.Equal(t, "9999", apiErr.Code)
			assert.Equal(t, "boom", apiErr.Message)
			assert.Equal(t, tt.calls, apiErr.Attempts)
			assert.NotContains(t, err.Error(), "giving up")
		})
	}
}

func TestRetryAfter(t *testing.T) {
	t.Run("above the cap returns at once", func(t *testing.T) {
		for _, method := range []string{"GET", "POST"} {
			c, mt := setup(t, WithRetryWait(time.Second, 8*time.Second))
			mt.RegisterResponder(method, testBase+"/v1/sessions/"+testSessionID+"/decision", func(*http.Request) (*http.Response, error) {
				resp := httpmock.NewStringResponse(429, `{"status":"fail","code":"1004","message":"Too many requests"}`)
				resp.Header.Set("Retry-After", "3600")
				return resp, nil
			})
			r := getDecision(testSessionID)
			r.method = method
			start := time.Now()
			err := send(context.Background(), c, r, nil)
			assert.Less(t, time.Since(start), 500*time.Millisecond)
			assert.Equal(t, 1, mt.GetTotalCallCount())
			assert.ErrorIs(t, err, ErrRateLimited)
			var apiErr *APIError
			require.ErrorAs(t, err, &apiErr)
			assert.Equal(t, time.Hour, apiErr.RetryAfter)
			assert.Contains(t, err.Error(), "retry after 1h0m0s")
		}
	})
	t.Run("within the cap is waited for", func(t *testing.T) {
		c, mt := setup(t, WithRetryWait(5*time.Second, 8*time.Second))
		mt.RegisterResponder("GET", testBase+"/v1/sessions/"+testSessionID+"/decision", sequence(
			func(*http.Request) (*http.Response, error) {
				resp := httpmock.NewStringResponse(429, `{}`)
				resp.Header.Set("Retry-After", "0")
				return resp, nil
			},
			okResp()))
		start := time.Now()
		require.NoError(t, send(context.Background(), c, getDecision(testSessionID), nil))
		assert.Less(t, time.Since(start), 2*time.Second, "Retry-After: 0 overrides the 5s minimum backoff")
		assert.Equal(t, 2, mt.GetTotalCallCount())
	})
	t.Run("HTTP date above the cap", func(t *testing.T) {
		c, mt := setup(t)
		mt.RegisterResponder("GET", testBase+"/v1/sessions/"+testSessionID+"/decision", func(*http.Request) (*http.Response, error) {
			resp := httpmock.NewStringResponse(429, `{}`)
			resp.Header.Set("Retry-After", time.Now().Add(2*time.Hour).UTC().Format(http.TimeFormat))
			return resp, nil
		})
		err := send(context.Background(), c, getDecision(testSessionID), nil)
		var apiErr *APIError
		require.ErrorAs(t, err, &apiErr)
		assert.InDelta(t, 2*time.Hour, apiErr.RetryAfter, float64(5*time.Second))
		assert.Equal(t, 1, mt.GetTotalCallCount())
	})
}

func TestBackoff(t *testing.T) {
	c, _ := setup(t, WithRetryAfterCap(30*time.Second))
	now := time.Now()
	withRA := func(v string) *http.Response {
		return &http.Response{StatusCode: 429, Header: http.Header{"Retry-After": []string{v}}}
	}
	assert.Equal(t, 3*time.Second, c.backoff(time.Millisecond, time.Millisecond, 0, withRA("3")))
	assert.Equal(t, 30*time.Second, c.backoff(0, 0, 0, withRA("45")), "capped")
	d := c.backoff(0, 0, 0, withRA(now.Add(10*time.Second).UTC().Format(http.TimeFormat)))
	assert.InDelta(t, 10*time.Second, d, float64(2*time.Second))

	for attempt := 0; attempt < 10; attempt++ {
		for i := 0; i < 50; i++ {
			w := jitterBackoff(500*time.Millisecond, 8*time.Second, attempt)
			assert.GreaterOrEqual(t, w, 500*time.Millisecond)
			assert.LessOrEqual(t, w, 8*time.Second)
		}
	}
	assert.Equal(t, time.Duration(0), jitterBackoff(0, 0, 3))

	tests := []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"120", 2 * time.Minute, true},
		{" 5 ", 5 * time.Second, true},
		{"-1", 0, false},
		{"soon", 0, false},
		{"", 0, false},
		{now.Add(-time.Hour).UTC().Format(http.TimeFormat), 0, true},
	}
	for _, tt := range tests {
		got, ok := parseRetryAfter(tt.in, now)
		assert.Equal(t, tt.ok, ok, tt.in)
		assert.Equal(t, tt.want, got, tt.in)
	}
}

func TestCancelDuringBackoff(t *testing.T) {
	c, mt := setup(t, WithRetryWait(10*time.Second, 10*time.Second), WithMaxRetries(5))
	mt.RegisterResponder("GET", testBase+"/v1/sessions/"+testSessionID+"/decision", status(503))
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	start := time.Now()
	err := send(ctx, c, getDecision(testSessionID), nil)
	assert.Less(t, time.Since(start), time.Second)
	assert.ErrorIs(t, err, context.Canceled)
	assert.ErrorIs(t, err, ctx.Err())
	assert.Equal(t, 1, mt.GetTotalCallCount())
}

func TestCancelledBeforeSending(t *testing.T) {
	c, mt := setup(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := send(ctx, c, getDecision(testSessionID), nil)
	assert.ErrorIs(t, err, context.Canceled)
	assert.Equal(t, 0, mt.GetTotalCallCount())
}

// hangingServer accepts requests and never answers until the request ends.
func hangingServer(t *testing.T) (*httptest.Server, *atomic.Int32) {
	var hits atomic.Int32
	done := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		select {
		case <-r.Context().Done():
		case <-done:
		}
	}))
	t.Cleanup(func() { close(done); srv.Close() })
	return srv, &hits
}

func TestDeadlineOnHangingServer(t *testing.T) {
	for _, method := range []string{"GET", "POST"} {
		t.Run(method, func(t *testing.T) {
			srv, _ := hangingServer(t)
			c, err := NewClient(testAPIKey, testSecret, WithBaseURL(srv.URL), WithRetryWait(0, 0))
			require.NoError(t, err)
			ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
			defer cancel()
			r := getDecision(testSessionID)
			if method == "POST" {
				r = postSession()
			}
			start := time.Now()
			err = send(ctx, c, r, nil)
			assert.Less(t, time.Since(start), time.Second)
			assert.ErrorIs(t, err, context.DeadlineExceeded)
		})
	}
}

func TestPerAttemptTimeout(t *testing.T) {
	tests := []struct {
		method string
		hits   int32
	}{{"GET", 3}, {"POST", 1}}
	for _, tt := range tests {
		t.Run(tt.method, func(t *testing.T) {
			srv, hits := hangingServer(t)
			c, err := NewClient(testAPIKey, testSecret, WithBaseURL(srv.URL), WithRetryWait(0, 0),
				WithHTTPClient(&http.Client{Timeout: 100 * time.Millisecond}))
			require.NoError(t, err)
			r := getDecision(testSessionID)
			if tt.method == "POST" {
				r = postSession()
			}
			err = send(context.Background(), c, r, nil)
			require.Error(t, err)
			var te interface{ Timeout() bool }
			require.ErrorAs(t, err, &te)
			assert.True(t, te.Timeout())
			assert.Equal(t, tt.hits, hits.Load())
		})
	}
}

// droppingServer reads each request, then closes the connection unanswered.
func droppingServer(t *testing.T) (*httptest.Server, *atomic.Int32) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		hits.Add(1)
		conn, _, err := w.(http.Hijacker).Hijack()
		if err == nil {
			_ = conn.Close()
		}
	}))
	t.Cleanup(srv.Close)
	return srv, &hits
}

func TestDroppedConnection(t *testing.T) {
	tests := []struct {
		method string
		hits   int32
	}{{"GET", 3}, {"POST", 1}}
	for _, tt := range tests {
		t.Run(tt.method, func(t *testing.T) {
			srv, hits := droppingServer(t)
			c, err := NewClient(testAPIKey, testSecret, WithBaseURL(srv.URL), WithRetryWait(0, 0))
			require.NoError(t, err)
			r := getDecision(testSessionID)
			if tt.method == "POST" {
				r = postSession()
			}
			err = send(context.Background(), c, r, nil)
			require.Error(t, err)
			assert.Equal(t, tt.hits, hits.Load(), "a POST that reached the server is never sent again")
		})
	}
}

func TestConnectionRefusedPOSTIsRetried(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())

	var attempts []int
	logger := slog.New(slog.NewJSONHandler(io.Discard, nil))
	c, err := NewClient(testAPIKey, testSecret, WithBaseURL("http://"+addr), WithRetryWait(0, 0), WithLogger(logger))
	require.NoError(t, err)
	err = send(context.Background(), c, postSession(), nil)
	require.Error(t, err)
	assert.ErrorIs(t, err, syscall.ECONNREFUSED)
	assert.Contains(t, err.Error(), "after 3 attempts")
	_ = attempts
}

func TestRedirectsAreRefused(t *testing.T) {
	var leaked atomic.Int32
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		leaked.Add(1)
	}))
	defer other.Close()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, other.URL+"/steal", http.StatusFound)
	}))
	defer srv.Close()
	c, err := NewClient(testAPIKey, testSecret, WithBaseURL(srv.URL), WithRetryWait(0, 0))
	require.NoError(t, err)
	err = send(context.Background(), c, getDecision(testSessionID), nil)
	var apiErr *APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, http.StatusFound, apiErr.StatusCode)
	assert.Zero(t, leaked.Load(), "the API key must not follow a redirect")
}

func TestResponseDecoding(t *testing.T) {
	tests := []struct {
		name   string
		status int
		body   []byte
		opts   []Option
		wantIs error
		code   string
	}{
		{"error code as string", 401, fixture(t, "core/error_401_1818.json"), nil, ErrUnauthorized, "1818"},
		{"error code as number", 400, fixture(t, "core/error_400_numeric_code.json"), nil, ErrBadRequest, "1102"},
		{"HTML error page", 502, fixture(t, "core/error_502.html"), []Option{WithMaxRetries(0)}, ErrServer, ""},
		{"200 with status fail", 200, fixture(t, "core/error_200_fail.json"), nil, nil, "1104"},
		{"empty 200", 200, nil, nil, ErrInvalidResponse, ""},
		{"truncated JSON", 200, fixture(t, "core/ok.json")[:40], nil, ErrInvalidResponse, ""},
		{"HTML 200", 200, fixture(t, "core/error_502.html"), nil, ErrInvalidResponse, ""},
		{"over the size limit", 200, fixture(t, "core/ok.json"), []Option{WithMaxResponseBytes(64)}, ErrResponseTooLarge, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, mt := setup(t, tt.opts...)
			mt.RegisterResponder("GET", testBase+"/v1/sessions/"+testSessionID+"/decision",
				httpmock.NewBytesResponder(tt.status, tt.body))
			var out map[string]any
			err := send(context.Background(), c, getDecision(testSessionID), &out)
			require.Error(t, err)
			if tt.wantIs != nil {
				assert.ErrorIs(t, err, tt.wantIs)
			}
			var apiErr *APIError
			if tt.code != "" || tt.status != 200 {
				require.ErrorAs(t, err, &apiErr)
				assert.Equal(t, tt.code, apiErr.Code)
				assert.Equal(t, tt.status, apiErr.StatusCode)
				assert.NotEmpty(t, apiErr.Message)
				assert.NotContains(t, apiErr.Message, "<html>", "non-JSON bodies are not echoed")
			}
		})
	}
}

func TestFailBodyAfterRetryCountsAttempts(t *testing.T) {
	c, mt := setup(t)
	mt.RegisterResponder("GET", testBase+"/v1/sessions/"+testSessionID+"/decision",
		sequence(status(503), httpmock.NewBytesResponder(200, fixture(t, "core/error_200_fail.json"))))
	err := send(context.Background(), c, getDecision(testSessionID), nil)
	var apiErr *APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, 200, apiErr.StatusCode)
	assert.Equal(t, "1104", apiErr.Code)
	assert.Equal(t, 2, apiErr.Attempts)
}

// TestBodyDroppedMidway reads JSON bodies inside the retry loop: a GET whose
// connection drops mid-body is retried, a POST is not sent again.
func TestBodyDroppedMidway(t *testing.T) {
	tests := []struct {
		method string
		hits   int32
	}{{"GET", 3}, {"DELETE", 3}, {"POST", 1}, {"PATCH", 1}}
	for _, tt := range tests {
		t.Run(tt.method, func(t *testing.T) {
			var hits atomic.Int32
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				_, _ = io.Copy(io.Discard, r.Body)
				hits.Add(1)
				conn, buf, err := w.(http.Hijacker).Hijack()
				if err != nil {
					return
				}
				_, _ = buf.WriteString("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"status\":\"succ")
				_ = buf.Flush()
				_ = conn.Close()
			}))
			defer srv.Close()
			c, err := NewClient(testAPIKey, testSecret, WithBaseURL(srv.URL), WithRetryWait(0, 0))
			require.NoError(t, err)
			r := rawRequest{method: tt.method, path: "/sessions/" + testSessionID, signID: testSessionID}
			if tt.method == "POST" || tt.method == "PATCH" {
				r.signID, r.body = "", map[string]string{"a": "b"}
			}
			var out map[string]any
			err = send(context.Background(), c, r, &out)
			assert.ErrorIs(t, err, ErrInvalidResponse)
			assert.ErrorIs(t, err, io.ErrUnexpectedEOF)
			assert.Equal(t, tt.hits, hits.Load())
		})
	}
}

func TestAPIError(t *testing.T) {
	e := &APIError{StatusCode: 401, Code: "1818", Message: "Signature does not match", Method: "GET", Path: "/v1/sessions/x/decision"}
	assert.ErrorIs(t, e, ErrUnauthorized)
	assert.NotErrorIs(t, e, ErrNotFound)
	assert.Contains(t, e.Error(), "GET /v1/sessions/x/decision: 401 Unauthorized: code 1818: Signature does not match")
	assert.Contains(t, e.Error(), "check the shared secret")

	// An 18xx code counts as unauthorized whatever the HTTP status.
	assert.ErrorIs(t, &APIError{StatusCode: 400, Code: "1812"}, ErrUnauthorized)
	assert.ErrorIs(t, &APIError{StatusCode: 404}, ErrNotFound)
	assert.ErrorIs(t, &APIError{StatusCode: 409}, ErrConflict)
	assert.ErrorIs(t, &APIError{StatusCode: 429}, ErrRateLimited)
	assert.ErrorIs(t, &APIError{StatusCode: 503}, ErrServer)
	assert.True(t, (&APIError{StatusCode: 503}).Temporary())
	assert.False(t, (&APIError{StatusCode: 501}).Temporary())
	assert.False(t, (&APIError{StatusCode: 400}).Temporary())
	assert.Empty(t, (&APIError{Code: "4242"}).Hint())
}

// TestNoCredentialsLeak drives successes, API errors, retries and transport
// failures with a debug logger, and checks that neither the log nor any
// error string holds the API key, the secret or a signature.
func TestNoCredentialsLeak(t *testing.T) {
	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	c, mt := setup(t, WithLogger(logger))
	mt.RegisterResponder("GET", testBase+"/v1/sessions/"+testSessionID+"/decision",
		sequence(status(503), okResp(), httpmock.NewBytesResponder(401, fixture(t, "core/error_401_1818.json")),
			fail(errReset)))
	mt.RegisterResponder("POST", testBase+"/v1/sessions", sequence(status(500), fail(errRefused), okResp()))

	var sigs []string
	mt.RegisterNoResponder(httpmock.NewStringResponder(404, `{}`))
	var errs []error
	for i := 0; i < 4; i++ {
		errs = append(errs, send(context.Background(), c, getDecision(testSessionID), nil))
		errs = append(errs, send(context.Background(), c, postSession(), nil))
	}
	body := []byte(`{"verification":{}}`)
	sigs = append(sigs, Sign(testSecret, []byte(testSessionID)), Sign(testSecret, body))

	require.NotEmpty(t, logs.String())
	assert.Contains(t, logs.String(), "method=GET")
	assert.Contains(t, logs.String(), "path=/v1/sessions/"+testSessionID+"/decision")
	assert.Contains(t, logs.String(), "status=503")
	assert.Contains(t, logs.String(), "attempt=2")
	assert.Contains(t, logs.String(), "duration=")

	var text strings.Builder
	text.WriteString(logs.String())
	failures := 0
	for _, err := range errs {
		if err != nil {
			failures++
			text.WriteString(err.Error())
		}
	}
	require.Greater(t, failures, 2)
	for _, secret := range append([]string{testAPIKey, testSecret}, sigs...) {
		assert.NotContains(t, text.String(), secret)
	}
}
