package verifftest_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/veriffgo/veriff"
	"github.com/veriffgo/veriff/internal/faketest"
)

// TestFeedbackSignatureJudged: the fake judges the Feedback API as
// veriff.FeedbackClient signs: a GET over the full path alone, a POST over
// the path, a line break and the body.
func TestFeedbackSignatureJudged(t *testing.T) {
	srv := newServer(t)
	const get, post = "/v1/feedback/fraud-categories", "/v1/feedback/fraud-reports/retrieve"
	body := `{"sessionIds":["bbbbbbbb-0000-4000-8000-000000000000"]}`
	tests := []struct {
		name, method, path, body, signed string
		want                             int
	}{
		{"GET over the path alone", http.MethodGet, get, "", get, http.StatusOK},
		{"GET with a trailing line break", http.MethodGet, get, "", get + "\n", http.StatusUnauthorized},
		{"POST over path, line break, body", http.MethodPost, post, body, post + "\n" + body, http.StatusOK},
		{"POST over the path alone", http.MethodPost, post, body, post, http.StatusUnauthorized},
		{"POST over path and body without the line break", http.MethodPost, post, body, post + body, http.StatusUnauthorized},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, err := http.NewRequest(tt.method, srv.URL+tt.path, strings.NewReader(tt.body))
			require.NoError(t, err)
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("VRF-AUTH-CLIENT", faketest.Key)
			req.Header.Set("VRF-HMAC-SIGNATURE", veriff.Sign(faketest.Secret, []byte(tt.signed)))
			resp, err := http.DefaultClient.Do(req)
			require.NoError(t, err)
			resp.Body.Close()
			assert.Equal(t, tt.want, resp.StatusCode)
		})
	}
}
