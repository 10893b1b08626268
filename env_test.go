package veriff

import (
	"context"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestNewClientFromEnv(t *testing.T) {
	tests := []struct {
		name    string
		env     map[string]string
		opts    []Option
		wantErr string
		notIn   string
		base    string
		integID string
	}{
		{name: "key and secret", env: map[string]string{EnvAPIKey: testAPIKey, EnvSharedSecret: testSecret}, base: DefaultBaseURL + "/v1"},
		{name: "all four", env: map[string]string{EnvAPIKey: testAPIKey, EnvSharedSecret: testSecret, EnvBaseURL: "https://eu.example.test/", EnvIntegrationID: "integ-1"}, base: "https://eu.example.test/v1", integID: "integ-1"},
		{name: "options win", env: map[string]string{EnvAPIKey: testAPIKey, EnvSharedSecret: testSecret, EnvBaseURL: "https://eu.example.test"}, opts: []Option{WithBaseURL("https://us.example.test"), WithIntegrationID("from-opt")}, base: "https://us.example.test/v1", integID: "from-opt"},
		{name: "missing key", env: map[string]string{EnvSharedSecret: testSecret}, wantErr: EnvAPIKey, notIn: testSecret},
		{name: "blank key", env: map[string]string{EnvAPIKey: "  ", EnvSharedSecret: testSecret}, wantErr: EnvAPIKey},
		{name: "missing secret", env: map[string]string{EnvAPIKey: testAPIKey}, wantErr: EnvSharedSecret, notIn: testAPIKey},
		{name: "bad base URL", env: map[string]string{EnvAPIKey: testAPIKey, EnvSharedSecret: testSecret, EnvBaseURL: "http://secret-host.example/"}, wantErr: EnvBaseURL, notIn: "secret-host"},
		{name: "bad integration ID", env: map[string]string{EnvAPIKey: testAPIKey, EnvSharedSecret: testSecret, EnvIntegrationID: "a\nb"}, wantErr: EnvIntegrationID},
		{name: "key with control characters", env: map[string]string{EnvAPIKey: "ab\x01cd", EnvSharedSecret: testSecret}, wantErr: EnvAPIKey, notIn: "ab\x01cd"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, k := range []string{EnvAPIKey, EnvSharedSecret, EnvBaseURL, EnvIntegrationID} {
				t.Setenv(k, tt.env[k])
			}
			c, err := NewClientFromEnv(tt.opts...)
			if tt.wantErr != "" {
				require.Error(t, err)
				assert.ErrorIs(t, err, ErrInvalidInput)
				assert.Contains(t, err.Error(), tt.wantErr)
				if tt.notIn != "" {
					assert.NotContains(t, err.Error(), tt.notIn)
				}
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.base, c.BaseURL())
			assert.Equal(t, tt.integID, c.integrationID)
		})
	}
}

func TestWithPlainHTTP(t *testing.T) {
	tests := []struct {
		name    string
		base    string
		plain   bool
		wantErr string
	}{
		{"private address refused without it", "http://10.0.0.5:8700", false, "loopback"},
		{"private address allowed with it", "http://10.0.0.5:8700", true, ""},
		{"emulator host name allowed with it", "http://veriff-emulator:8700/", true, ""},
		{"loopback needs no option", "http://127.0.0.1:8700", false, ""},
		{"veriff.com refused even with it", "http://stationapi.veriff.com", true, "veriff.com"},
		{"veriff.com with trailing dot refused", "http://STATIONAPI.Veriff.COM.", true, "veriff.com"},
		{"veriff.me refused even with it", "http://api.veriff.me", true, "veriff.me"},
		{"bare veriff.com refused", "http://veriff.com", true, "veriff.com"},
		{"a look-alike domain is not veriff's", "http://notveriff.com", true, ""},
		{"https to veriff unaffected", "https://stationapi.veriff.com", true, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := []Option{WithBaseURL(tt.base)}
			if tt.plain {
				opts = append(opts, WithPlainHTTP())
			}
			c, err := NewClient(testAPIKey, testSecret, opts...)
			if tt.wantErr != "" {
				require.ErrorIs(t, err, ErrInvalidInput)
				assert.Contains(t, err.Error(), tt.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Contains(t, c.BaseURL(), "/v1")
		})
	}
}

// TestWithPlainHTTPSends proves a plain-http emulator host is really called.
func TestWithPlainHTTPSends(t *testing.T) {
	c, mt := setup(t, WithBaseURL("http://veriff-emulator:8700"), WithPlainHTTP())
	mt.RegisterResponder(http.MethodGet, "http://veriff-emulator:8700/v1/sessions/"+testSessionID+"/decision",
		okResp())
	_, err := c.Decision(context.Background(), testSessionID)
	require.NoError(t, err)
	assert.Equal(t, 1, mt.GetTotalCallCount())
}
