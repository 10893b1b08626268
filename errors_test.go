package veriff

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

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

func TestAPIErrorHintAuth(t *testing.T) {
	tests := []struct {
		name      string
		e         APIError
		allowlist bool
		codeHint  string
	}{
		{"401 without a code", APIError{StatusCode: 401}, true, ""},
		{"403 without a code", APIError{StatusCode: 403}, true, ""},
		{"401 with a known code", APIError{StatusCode: 401, Code: "1818"}, true, codeHints["1818"]},
		{"403 with an unknown code", APIError{StatusCode: 403, Code: "4242"}, true, ""},
		{"400 with an auth code", APIError{StatusCode: 400, Code: "1812"}, false, codeHints["1812"]},
		{"404", APIError{StatusCode: 404}, false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := tt.e.Hint()
			if tt.codeHint != "" {
				assert.Contains(t, h, tt.codeHint)
			}
			if !tt.allowlist {
				assert.NotContains(t, h, "allowlist")
				return
			}
			for _, want := range []string{"API key", "shared secret", "IP allowlist", "base URL"} {
				assert.Contains(t, h, want)
			}
			assert.Contains(t, tt.e.Error(), "IP allowlist")
		})
	}
}
