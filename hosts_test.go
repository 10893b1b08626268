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
