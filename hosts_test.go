package veriff

import (
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestVeriffHosts: every host of the one list is Veriff's, refused over
// plain http even with WithPlainHTTP, and usable over https.
func TestVeriffHosts(t *testing.T) {
	u, err := url.Parse(DefaultBaseURL)
	require.NoError(t, err)
	assert.Equal(t, "api-saas.veriff.com", u.Host)
	assert.Contains(t, APIHosts(), u.Host, "the default host is on the list")
	assert.ElementsMatch(t, []string{"api-saas.veriff.com", "api-eu.veriff.com", "api-us.veriff.com",
		"stationapi.veriff.com", "api.veriff.me"}, APIHosts())
	assert.ElementsMatch(t, []string{"saas.veriff.com", "eu.veriff.com", "us.veriff.com",
		"alchemy.veriff.com", "magic.veriff.me"}, HostedFlowHosts())

	for _, h := range append(APIHosts(), HostedFlowHosts()...) {
		t.Run(h, func(t *testing.T) {
			assert.NotEmpty(t, veriffDomain(h))
			_, err := NewClient(testAPIKey, testSecret, WithBaseURL("http://"+h), WithPlainHTTP())
			require.ErrorIs(t, err, ErrInvalidInput)
			assert.Contains(t, err.Error(), "https only")
			c, err := NewClient(testAPIKey, testSecret, WithBaseURL("https://"+h))
			require.NoError(t, err)
			assert.Equal(t, "https://"+h+"/v1", c.BaseURL())
		})
	}
	hosts := APIHosts()
	hosts[0] = "changed"
	assert.Equal(t, "api-saas.veriff.com", APIHosts()[0], "callers get a copy")
	assert.Empty(t, veriffDomain("notveriff.com"))
	assert.Empty(t, veriffDomain("veriff.com.example.org"))
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
