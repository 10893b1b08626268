package veriff

import (
	"bytes"
	"net/http"
)

// signWebhook returns the headers Veriff sends with a webhook body signed
// with secret (verifftest.SignWebhook, which this package cannot import).
func signWebhook(body []byte, secret string) http.Header {
	return http.Header{
		"Content-Type":   {"application/json"},
		webhookSigHeader: {Sign(secret, body)},
	}
}

// newWebhookRequest builds the signed POST Veriff would send to url.
func newWebhookRequest(url string, body []byte, secret string) (*http.Request, error) {
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	for k, v := range signWebhook(body, secret) {
		req.Header[k] = v
	}
	return req, nil
}

// newWebhookRequestWithAPIKey is newWebhookRequest with X-AUTH-CLIENT set.
func newWebhookRequestWithAPIKey(url string, body []byte, secret, apiKey string) (*http.Request, error) {
	req, err := newWebhookRequest(url, body, secret)
	if err != nil {
		return nil, err
	}
	req.Header[webhookAuthHeader] = []string{apiKey}
	return req, nil
}
