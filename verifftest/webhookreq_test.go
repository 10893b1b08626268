package verifftest_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/veriffgo/veriff"
	"github.com/veriffgo/veriff/internal/faketest"
	"github.com/veriffgo/veriff/verifftest"
)

func TestSignWebhook(t *testing.T) {
	body := []byte(`{"id":"x","code":7002,"action":"submitted"}`)
	h := verifftest.SignWebhook(body, faketest.Secret)
	assert.Equal(t, veriff.Sign(faketest.Secret, body), h.Get("X-HMAC-SIGNATURE"))
	assert.Equal(t, "application/json", h.Get("Content-Type"))
	require.NoError(t, veriff.VerifyWebhook(body, h, faketest.Secret))
	require.ErrorIs(t, veriff.VerifyWebhook(body, h, "another-secret"), veriff.ErrInvalidSignature)
}

func TestNewWebhookRequest(t *testing.T) {
	body := []byte(`{"status":"success","verification":null}`)
	tests := []struct {
		name   string
		target string
		path   string
	}{
		{"path", "/webhooks/veriff", "/webhooks/veriff"},
		{"absolute URL", "https://example.com/hooks?x=1", "/hooks"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := verifftest.NewWebhookRequest(tt.target, body, faketest.Secret)
			assert.Equal(t, http.MethodPost, req.Method)
			assert.Equal(t, tt.path, req.URL.Path)
			got, err := io.ReadAll(req.Body)
			require.NoError(t, err)
			assert.Equal(t, body, got)
			require.NoError(t, veriff.VerifyWebhook(body, req.Header, faketest.Secret))
			assert.Empty(t, req.Header.Get("X-AUTH-CLIENT"))
		})
	}
}

func TestNewWebhookRequestPanicsOnBadTarget(t *testing.T) {
	assert.Panics(t, func() { verifftest.NewWebhookRequest("http://[::1", nil, faketest.Secret) })
}

func TestServerNewWebhookRequest(t *testing.T) {
	srv := newServer(t)
	body := []byte(`{"id":"s","code":7001,"action":"started"}`)
	var got *veriff.Webhook
	h := &veriff.WebhookHandler{
		Secrets: []string{srv.SharedSecret()},
		Handle: func(_ context.Context, wh *veriff.Webhook) error {
			got = wh
			return nil
		},
	}
	req := srv.NewWebhookRequest("/veriff", body)
	assert.Equal(t, faketest.Key, req.Header.Get("X-AUTH-CLIENT"))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	require.NotNil(t, got)
	assert.Equal(t, veriff.WebhookEvent, got.Kind)
}
