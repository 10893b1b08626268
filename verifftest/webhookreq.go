package verifftest

// This file holds signed webhook requests for tests of a receiver (SignWebhook, NewWebhookRequest).

import (
	"bytes"
	"net/http"
	"net/http/httptest"

	"github.com/veriffgo/veriff"
)

// SignWebhook returns the headers Veriff sends with a webhook body signed
// with secret: Content-Type application/json and X-HMAC-SIGNATURE, the
// lowercase hex HMAC-SHA256 of body (veriff.Sign). For tests of webhook
// receivers: veriff.VerifyWebhook(body, SignWebhook(body, secret), secret)
// is nil.
func SignWebhook(body []byte, secret string) http.Header {
	return http.Header{
		"Content-Type":     {"application/json"},
		"X-Hmac-Signature": {veriff.Sign(secret, body)},
	}
}

// NewWebhookRequest returns the POST request Veriff would send to the
// webhook URL target, for serving straight to a handler under test (as
// httptest.NewRequest, whose rules it follows: target may be a path or an
// absolute URL, and a target it cannot parse makes it panic). The body is
// sent as is, with the headers of SignWebhook:
//
//	rec := httptest.NewRecorder()
//	handler.ServeHTTP(rec, verifftest.NewWebhookRequest("/veriff", body, secret))
//
// Change the request afterwards to test refusals (a tampered body, a
// missing header).
func NewWebhookRequest(target string, body []byte, secret string) *http.Request {
	req := httptest.NewRequest(http.MethodPost, target, bytes.NewReader(body))
	for k, v := range SignWebhook(body, secret) {
		req.Header[k] = v
	}
	return req
}

// NewWebhookRequest is the package's NewWebhookRequest signed with the
// server's shared secret, with the server's API key in X-AUTH-CLIENT, as
// the server's own webhooks are sent.
func (s *Server) NewWebhookRequest(target string, body []byte) *http.Request {
	req := NewWebhookRequest(target, body, s.secret)
	req.Header.Set("X-AUTH-CLIENT", s.apiKey)
	return req
}
