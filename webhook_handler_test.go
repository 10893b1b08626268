package veriff

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const handlerSecret, handlerAPIKey = "handler-secret", "8f1c2a3b-0000-4000-8000-00000000abcd"

// postTo is a webhook POST of b with the headers h.
func postTo(b []byte, h http.Header) *http.Request {
	req := httptest.NewRequest(http.MethodPost, "/veriff/webhooks", bytes.NewReader(b))
	for k, v := range h {
		req.Header[k] = v
	}
	return req
}

// signedHook is a webhook POST of b signed with handlerSecret.
func signedHook(b []byte) *http.Request {
	return postTo(b, http.Header{"X-Hmac-Signature": {Sign(handlerSecret, b)}})
}

// handlerCase is one request to a WebhookHandler and its expected answer.
type handlerCase struct {
	name       string
	handler    func(h *WebhookHandler)
	req        func() *http.Request
	handleErr  error
	wantStatus int
	wantCalled bool
	wantAllow  bool
}

// runHandlerCases serves each case with a handler keyed with
// handlerSecret; body is the event the cases send when they succeed.
func runHandlerCases(t *testing.T, body []byte, tests []handlerCase) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			called := 0
			var got *Webhook
			type ctxKey struct{}
			h := &WebhookHandler{
				Secrets: []string{handlerSecret},
				Handle: func(ctx context.Context, wh *Webhook) error {
					called++
					got = wh
					assert.Equal(t, "marker", ctx.Value(ctxKey{}), "Handle gets the request's context")
					return tt.handleErr
				},
			}
			if tt.handler != nil {
				tt.handler(h)
			}
			req := tt.req()
			req = req.WithContext(context.WithValue(req.Context(), ctxKey{}, "marker"))
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)

			assert.Equal(t, tt.wantStatus, rec.Code)
			assert.Equal(t, tt.wantCalled, called == 1, "Handle called %d times", called)
			assert.LessOrEqual(t, called, 1)
			if tt.wantAllow {
				assert.Equal(t, http.MethodPost, rec.Header().Get("Allow"))
			}
			assert.True(t, strings.HasPrefix(rec.Header().Get("Content-Type"), "text/plain"))
			assert.Less(t, rec.Body.Len(), 64, "short reply")
			assert.NotContains(t, rec.Body.String(), "f04bdb47", "never echoes the body")
			assert.NotContains(t, rec.Body.String(), handlerSecret)
			if tt.wantStatus == 200 && got != nil && got.Kind == WebhookEvent {
				assert.Equal(t, 7002, got.Event.Code)
				assert.Equal(t, body, []byte(got.Raw))
			}
		})
	}
}

func TestWebhookHandler(t *testing.T) {
	body := fixture(t, "webhooks/event_submitted_7002.json")
	sig := Sign(handlerSecret, body)
	errBoom := errors.New("database down")
	runHandlerCases(t, body, []handlerCase{
		{name: "GET", req: func() *http.Request { return httptest.NewRequest(http.MethodGet, "/veriff/webhooks", nil) }, wantStatus: 405, wantAllow: true},
		{name: "PUT signed", req: func() *http.Request {
			r := signedHook(body)
			r.Method = http.MethodPut
			return r
		}, wantStatus: 405, wantAllow: true},
		{name: "HEAD", req: func() *http.Request { return httptest.NewRequest(http.MethodHead, "/", nil) }, wantStatus: 405, wantAllow: true},
		{name: "too large by Content-Length", handler: func(h *WebhookHandler) { h.MaxBodyBytes = 100 }, req: func() *http.Request { return signedHook(body) }, wantStatus: 413},
		{name: "too large, unknown length", handler: func(h *WebhookHandler) { h.MaxBodyBytes = 100 }, req: func() *http.Request {
			r := signedHook(body)
			r.ContentLength = -1
			r.Body = io.NopCloser(bytes.NewReader(body))
			return r
		}, wantStatus: 413},
		{name: "too large under default 1 MiB", req: func() *http.Request {
			big := append(append([]byte(`{"pad":"`), bytes.Repeat([]byte("x"), 1<<20)...), '"', '}')
			r := signedHook(big)
			r.ContentLength = -1
			return r
		}, wantStatus: 413},
		{name: "exactly MaxBodyBytes is fine", handler: func(h *WebhookHandler) { h.MaxBodyBytes = int64(len(body)) }, req: func() *http.Request { return signedHook(body) }, wantStatus: 200, wantCalled: true},
		{name: "missing signature", req: func() *http.Request { return postTo(body, nil) }, wantStatus: 401},
		{name: "empty signature", req: func() *http.Request { return postTo(body, http.Header{"X-Hmac-Signature": {""}}) }, wantStatus: 401},
		{name: "wrong signature", req: func() *http.Request { return postTo(body, http.Header{"X-Hmac-Signature": {Sign("other", body)}}) }, wantStatus: 401},
		{name: "malformed signature", req: func() *http.Request { return postTo(body, http.Header{"X-Hmac-Signature": {"sha256=" + sig}}) }, wantStatus: 401},
		{name: "tampered body", req: func() *http.Request {
			return postTo(bytes.Replace(body, []byte("7002"), []byte("7001"), 1), http.Header{"X-Hmac-Signature": {sig}})
		}, wantStatus: 401},
		{name: "no secrets configured", handler: func(h *WebhookHandler) { h.Secrets = nil }, req: func() *http.Request { return signedHook(body) }, wantStatus: 401},
		{name: "signed malformed JSON", req: func() *http.Request { return signedHook([]byte(`{"id":`)) }, wantStatus: 400},
		{name: "signed non-object", req: func() *http.Request { return signedHook([]byte(`[1,2]`)) }, wantStatus: 400},
		{name: "signed broken decision", req: func() *http.Request { return signedHook([]byte(`{"verification":"approved"}`)) }, wantStatus: 400},
		{name: "Handle fails", req: func() *http.Request { return signedHook(body) }, handleErr: errBoom, wantStatus: 500, wantCalled: true},
		{name: "success", req: func() *http.Request { return signedHook(body) }, wantStatus: 200, wantCalled: true},
		{name: "success, VRF header, lowercase hex", req: func() *http.Request {
			return postTo(body, http.Header{"Vrf-Hmac-Signature": {strings.ToUpper(sig)}})
		}, wantStatus: 200, wantCalled: true},
		{name: "unknown kind acknowledged", req: func() *http.Request { return signedHook([]byte(`{"eventType":"brand_new"}`)) }, wantStatus: 200, wantCalled: true},
		{name: "rotation", handler: func(h *WebhookHandler) { h.Secrets = []string{"new-handlerSecret", handlerSecret} }, req: func() *http.Request { return signedHook(body) }, wantStatus: 200, wantCalled: true},
	})
}

// TestWebhookHandlerAuth covers the API key and integration ID checks.
func TestWebhookHandlerAuth(t *testing.T) {
	body := fixture(t, "webhooks/event_submitted_7002.json")
	runHandlerCases(t, body, []handlerCase{
		{name: "API key required, missing", handler: func(h *WebhookHandler) { h.APIKey = handlerAPIKey }, req: func() *http.Request { return signedHook(body) }, wantStatus: 401},
		{name: "API key required, wrong", handler: func(h *WebhookHandler) { h.APIKey = handlerAPIKey }, req: func() *http.Request {
			r := signedHook(body)
			r.Header.Set("X-AUTH-CLIENT", "8f1c2a3b-0000-4000-8000-00000000abce")
			return r
		}, wantStatus: 401},
		{name: "API key required, prefix", handler: func(h *WebhookHandler) { h.APIKey = handlerAPIKey }, req: func() *http.Request {
			r := signedHook(body)
			r.Header.Set("X-AUTH-CLIENT", handlerAPIKey[:10])
			return r
		}, wantStatus: 401},
		{name: "API key ok", handler: func(h *WebhookHandler) { h.APIKey = handlerAPIKey }, req: func() *http.Request {
			r := signedHook(body)
			r.Header.Set("X-AUTH-CLIENT", handlerAPIKey)
			return r
		}, wantStatus: 200, wantCalled: true},
		{name: "API key ok via VRF-AUTH-CLIENT, hand-built key", handler: func(h *WebhookHandler) { h.APIKey = handlerAPIKey }, req: func() *http.Request {
			r := signedHook(body)
			r.Header["vrf-auth-client"] = []string{handlerAPIKey}
			return r
		}, wantStatus: 200, wantCalled: true},
		{name: "API key ok but signature wrong", handler: func(h *WebhookHandler) { h.APIKey = handlerAPIKey }, req: func() *http.Request {
			r := postTo(body, http.Header{"X-Hmac-Signature": {Sign("other", body)}})
			r.Header.Set("X-AUTH-CLIENT", handlerAPIKey)
			return r
		}, wantStatus: 401},
		{name: "integration ID mismatch", handler: func(h *WebhookHandler) { h.IntegrationID = "int-1" }, req: func() *http.Request {
			r := signedHook(body)
			r.Header.Set("vrf-integration-id", "int-2")
			return r
		}, wantStatus: 401},
		{name: "integration ID absent is fine", handler: func(h *WebhookHandler) { h.IntegrationID = "int-1" }, req: func() *http.Request { return signedHook(body) }, wantStatus: 200, wantCalled: true},
		{name: "integration ID match", handler: func(h *WebhookHandler) { h.IntegrationID = "int-1" }, req: func() *http.Request {
			r := signedHook(body)
			r.Header.Set("vrf-integration-id", "int-1")
			return r
		}, wantStatus: 200, wantCalled: true},
	})
}

func TestWebhookHandlerNilHandle(t *testing.T) {
	const secret = "s"
	h := &WebhookHandler{Secrets: []string{secret}}
	body := fixture(t, "webhooks/decision_approved.json")

	req := newWebhookRequest(t, "http://localhost/hook", body, secret)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	assert.Equal(t, http.StatusOK, rec.Code)

	req = newWebhookRequest(t, "http://localhost/hook", []byte(`{"verification":{}}`), secret)
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	assert.Equal(t, http.StatusBadRequest, rec.Code, "parsed even without Handle")

	req = newWebhookRequest(t, "http://localhost/hook", body, "wrong")
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	assert.Equal(t, http.StatusUnauthorized, rec.Code)
}

// TestWebhookHandlerFailureStatus: a failed Handle answers FailureStatus
// when it is a 5xx, else 500, so that Veriff always sends it again.
func TestWebhookHandlerFailureStatus(t *testing.T) {
	body := fixture(t, "webhooks/decision_approved.json")
	tests := []struct {
		failure, want int
	}{
		{0, http.StatusInternalServerError},
		{http.StatusServiceUnavailable, http.StatusServiceUnavailable},
		{599, 599},
		{http.StatusOK, http.StatusInternalServerError},
		{http.StatusConflict, http.StatusInternalServerError},
		{600, http.StatusInternalServerError},
	}
	for _, tt := range tests {
		t.Run(strconv.Itoa(tt.failure), func(t *testing.T) {
			h := &WebhookHandler{Secrets: []string{testSecret}, FailureStatus: tt.failure,
				Handle: func(context.Context, *Webhook) error { return errors.New("store down") }}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, newWebhookRequest(t, "http://localhost/hook", body, testSecret))
			assert.Equal(t, tt.want, rec.Code)
		})
	}
}

// TestWebhookHandlerOverHTTP runs the handler behind a real server, the way
// Veriff reaches it, including a body larger than the limit sent chunked.
func TestWebhookHandlerOverHTTP(t *testing.T) {
	t.Parallel() // waits on deadlines, not the CPU
	const secret, apiKey = "over-http", "key-1"
	got := make(chan *Webhook, 1)
	srv := httptest.NewServer(&WebhookHandler{
		Secrets:      []string{secret},
		APIKey:       apiKey,
		MaxBodyBytes: 4 << 10,
		Handle: func(_ context.Context, wh *Webhook) error {
			got <- wh
			return nil
		},
	})
	defer srv.Close()
	body := fixture(t, "webhooks/ine_registry_active.json")

	req := newWebhookRequestWithAPIKey(t, srv.URL, body, secret, apiKey)
	resp, err := srv.Client().Do(req)
	require.NoError(t, err)
	_ = resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	wh := <-got
	assert.Equal(t, WebhookINERegistry, wh.Kind)
	assert.True(t, wh.INERegistry.Data.Details.Active)

	big := bytes.Repeat([]byte(" "), 8<<10)
	req = newWebhookRequestWithAPIKey(t, srv.URL, big, secret, apiKey)
	req.ContentLength = -1
	req.Body = io.NopCloser(io.MultiReader(bytes.NewReader(big)))
	resp, err = srv.Client().Do(req)
	require.NoError(t, err)
	_ = resp.Body.Close()
	assert.Equal(t, http.StatusRequestEntityTooLarge, resp.StatusCode)
}
