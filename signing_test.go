package veriff

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestResponseVerification(t *testing.T) {
	body := []byte(`{"status":"success","verification":{"id":"` + testSessionID + `","status":"approved"}}`)
	tampered := bytes.Replace(body, []byte("approved"), []byte("declined"), 1)
	tests := []struct {
		name   string
		verify bool
		sent   []byte
		header []string
		ok     bool
	}{
		{"off: unsigned accepted", false, body, nil, true},
		{"off: wrong signature accepted", false, tampered, sigHeader("X-Hmac-Signature", body), true},
		{"on: x-hmac-signature", true, body, sigHeader("x-hmac-signature", body), true},
		{"on: vrf-hmac-signature", true, body, sigHeader("vrf-hmac-signature", body), true},
		{"on: upper-case hex", true, body, []string{"X-Hmac-Signature", strings.ToUpper(Sign(testSecret, body))}, true},
		{"on: missing header", true, body, nil, false},
		{"on: tampered body", true, tampered, sigHeader("X-Hmac-Signature", body), false},
		{"on: wrong secret", true, body, []string{"X-Hmac-Signature", Sign("other", body)}, false},
		{"on: not hex", true, body, []string{"X-Hmac-Signature", "zz"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var opts []Option
			if tt.verify {
				opts = append(opts, WithResponseVerification())
			}
			c, mt := setup(t, opts...)
			newRecorder(mt, reply(200, tt.sent, tt.header...))
			d, err := c.Decision(context.Background(), testSessionID)
			if tt.ok {
				require.NoError(t, err)
				assert.NotNil(t, d.Verification)
				return
			}
			require.ErrorIs(t, err, ErrInvalidSignature)
			assert.Nil(t, d)
			assert.NotContains(t, err.Error(), Sign(testSecret, body))
		})
	}
}

// TestResponseVerificationStreamed covers downloads with and without a
// cap, the cap at exactly the file's size included: a file read up to the
// cap is still verified, never returned unverified with a nil error.
func TestResponseVerificationStreamed(t *testing.T) {
	file := bytes.Repeat([]byte("media bytes "), 5000)
	size := int64(len(file))
	tests := []struct {
		name   string
		header []string
		ok     bool
	}{
		{"signed", sigHeader("X-Hmac-Signature", file), true},
		{"signed over other bytes", sigHeader("X-Hmac-Signature", file[1:]), false},
		{"unsigned", nil, false},
	}
	for _, tt := range tests {
		for _, max := range []int64{0, size, size + 1} {
			t.Run(fmt.Sprintf("%s/cap %d", tt.name, max), func(t *testing.T) {
				opts := []Option{WithResponseVerification()}
				if max > 0 {
					opts = append(opts, WithMaxDownloadBytes(max))
				}
				c, mt := setup(t, opts...)
				newRecorder(mt, reply(200, file, tt.header...))
				var out bytes.Buffer
				n, err := c.DownloadMedia(context.Background(), "m-1", &out)
				if tt.ok {
					require.NoError(t, err)
					assert.Equal(t, size, n)
					assert.Equal(t, file, out.Bytes())
					return
				}
				require.ErrorIs(t, err, ErrInvalidSignature)
			})
		}
	}
}

func TestAPIErrorHeaderAndBody(t *testing.T) {
	big := append([]byte(`{"status":"fail","code":"1104","message":"`), bytes.Repeat([]byte("x"), 100<<10)...)
	tests := []struct {
		name     string
		status   int
		body     []byte
		wantBody int
	}{
		{"400 with JSON body", 400, fixture(t, "core/error_400_numeric_code.json"), -1},
		{"502 with HTML body", 502, fixture(t, "core/error_502.html"), -1},
		{"body cut at 64 KiB", 500, big, 64 << 10},
		{"200 with status fail", 200, fixture(t, "core/error_200_fail.json"), -1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, mt := setup(t, WithMaxRetries(0))
			newRecorder(mt, reply(tt.status, tt.body,
				"X-Auth-Client", testAPIKey, "X-Hmac-Signature", "deadbeef",
				"Vrf-Hmac-Signature", "deadbeef", "Vrf-Auth-Client", testAPIKey,
				"Vrf-Integration-Id", "integ", "X-Request-Id", "req-42"))
			_, err := c.Decision(context.Background(), testSessionID)
			var ae *APIError
			require.True(t, errors.As(err, &ae), "%v", err)
			assert.Equal(t, "req-42", ae.Header.Get("X-Request-Id"))
			assert.Equal(t, "application/json", ae.Header.Get("Content-Type"))
			for _, h := range []string{"X-Auth-Client", "X-Hmac-Signature", "Vrf-Hmac-Signature", "Vrf-Auth-Client", "Vrf-Integration-Id"} {
				assert.Empty(t, ae.Header.Values(h), h)
			}
			want := tt.body
			if tt.wantBody >= 0 {
				want = tt.body[:tt.wantBody]
			}
			assert.Equal(t, want, ae.Body)
		})
	}
}
