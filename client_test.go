package veriff

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
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
		{"plain http to localhost. (resolved through DNS)", testAPIKey, testSecret, []Option{WithBaseURL("http://localhost.:8080")}, "loopback"},
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
		{"", "https://api-saas.veriff.com/v1"},
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

func TestCancelledBeforeSending(t *testing.T) {
	c, mt := setup(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := send(ctx, c, getDecision(testSessionID), nil)
	assert.ErrorIs(t, err, context.Canceled)
	assert.Equal(t, 0, mt.GetTotalCallCount())
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
