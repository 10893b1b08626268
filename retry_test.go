package veriff

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// retryPolicyCase is one method against a sequence of answers and what the
// retry policy makes of it.
type retryPolicyCase struct {
	name      string
	method    string
	responses []httpmock.Responder
	calls     int
	wantOK    bool
	wantIs    error // for failures
	wantCode  int   // APIError status, 0 for transport errors
}

// retryPolicyCases are the cases TestRetryPolicy runs.
func retryPolicyCases() []retryPolicyCase {
	return []retryPolicyCase{
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
}

func TestRetryPolicy(t *testing.T) {
	for _, tt := range retryPolicyCases() {
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
	t.Parallel() // waits on deadlines, not the CPU
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
	t.Parallel() // waits on deadlines, not the CPU
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
