package veriff

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestNilOptionIgnored: a nil Option is skipped by every constructor and
// by With; the options around it still apply.
func TestNilOptionIgnored(t *testing.T) {
	c, err := NewClient(testAPIKey, testSecret, nil, WithBaseURL(testBase), nil, WithMaxRetries(0))
	require.NoError(t, err)
	assert.Equal(t, testBase+"/v1", c.BaseURL())
	assert.Equal(t, 0, c.maxRetries)

	f, err := NewFeedbackClient(testAPIKey, testSecret, nil, WithBaseURL(testBase))
	require.NoError(t, err)
	assert.Equal(t, testBase+"/v1", f.BaseURL())

	c2, err := c.With(nil, WithMaxRetries(1), nil)
	require.NoError(t, err)
	assert.Equal(t, 1, c2.maxRetries)
	assert.Equal(t, testBase+"/v1", c2.BaseURL())
}

func TestWithCopiesAndSharesPool(t *testing.T) {
	var logs bytes.Buffer
	c, mt := setup(t, WithMaxRetries(0))
	url := testBase + "/v1/sessions/" + testSessionID + "/decision"
	mt.RegisterResponder(http.MethodGet, url, sequence(status(503), status(503), okResp()))

	c2, err := c.With(WithMaxRetries(2), WithLogger(slog.New(slog.NewTextHandler(&logs, nil))))
	require.NoError(t, err)
	assert.Same(t, c.inner, c2.inner, "the copy shares the inner client and so its connection pool")
	assert.Same(t, c.signer, c2.signer)
	assert.Equal(t, c.BaseURL(), c2.BaseURL())

	_, err = c2.Decision(context.Background(), testSessionID)
	require.NoError(t, err, "the copy retries twice")
	assert.Equal(t, 3, mt.GetTotalCallCount())

	_, err = c.Decision(context.Background(), testSessionID)
	require.NoError(t, err, "the last responder repeats")
	mt.RegisterResponder(http.MethodGet, url, status(503))
	_, err = c.Decision(context.Background(), testSessionID)
	require.ErrorIs(t, err, ErrServer)
	assert.Equal(t, 5, mt.GetTotalCallCount(), "the original still does not retry")
	assert.NotContains(t, logs.String(), testSecret)
}

func TestWithRefusesBadOptionsAndKeepsOriginal(t *testing.T) {
	c, _ := setup(t)
	tests := []struct {
		name string
		opt  Option
	}{
		{"negative retries", WithMaxRetries(-1)},
		{"relative base", WithBaseURL("/v1")},
		{"plain http remote", WithBaseURL("http://10.1.1.1")},
		{"nil http client", WithHTTPClient(nil)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c2, err := c.With(tt.opt)
			require.ErrorIs(t, err, ErrInvalidInput)
			assert.Nil(t, c2)
			assert.Equal(t, testBase+"/v1", c.BaseURL())
			assert.Equal(t, 2, c.maxRetries)
		})
	}
	c3, err := c.With(WithBaseURL("https://other.example.test"))
	require.NoError(t, err)
	assert.Equal(t, "https://other.example.test/v1", c3.BaseURL())
	assert.Equal(t, testBase+"/v1", c.BaseURL(), "With never changes the original")
	c.CloseIdleConnections()
}
