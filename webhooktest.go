package veriff

import (
	"bytes"
	"net/http"
)

// SignWebhook returns the headers Veriff sends with a webhook body signed
// with secret: Content-Type application/json and X-HMAC-SIGNATURE, the
// lowercase hex HMAC-SHA256 of body. It is meant for tests of webhook
// receivers; VerifyWebhook(body, SignWebhook(body, secret), secret) is nil.
func SignWebhook(body []byte, secret string) http.Header {
	return http.Header{
		"Content-Type":   {"application/json"},
		webhookSigHeader: {Sign(secret, body)},
	}
}

// NewWebhookRequest builds the POST request Veriff would send to a webhook
// URL: body as is, Content-Type application/json and X-HMAC-SIGNATURE
// signed with secret. It is meant for tests of webhook receivers, for
// example with httptest.NewRecorder:
//
//	req, _ := veriff.NewWebhookRequest("https://example.com/veriff", body, secret)
//	rec := httptest.NewRecorder()
//	handler.ServeHTTP(rec, req)
//
// Change the request afterwards to test refusals (a tampered body, a wrong
// header). The error is that of http.NewRequest, for a malformed url.
func NewWebhookRequest(url string, body []byte, secret string) (*http.Request, error) {
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	for k, v := range SignWebhook(body, secret) {
		req.Header[k] = v
	}
	return req, nil
}

// NewWebhookRequestWithAPIKey is NewWebhookRequest with the integration's
// API key in X-AUTH-CLIENT, as Veriff sends it, for receivers that check it
// (see WebhookHandler.APIKey).
func NewWebhookRequestWithAPIKey(url string, body []byte, secret, apiKey string) (*http.Request, error) {
	req, err := NewWebhookRequest(url, body, secret)
	if err != nil {
		return nil, err
	}
	req.Header[webhookAuthHeader] = []string{apiKey}
	return req, nil
}
