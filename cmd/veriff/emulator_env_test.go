package main

import (
	"bytes"
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/veriffgo/veriff"
)

// The emulator takes its credentials from the
// environment when the flags are absent (a flag is in the process list),
// never echoes them, and the flags still win.
func TestEmulatorCredentialsFromEnv(t *testing.T) {
	clearEnv(t)
	t.Setenv("VERIFF_API_KEY", "env-key-1234")
	t.Setenv("VERIFF_SHARED_SECRET", "env-secret-5678")
	e := startEmulator(t)
	banner := strings.Join(e.banner, "\n")
	assert.NotContains(t, banner, "env-key-1234")
	assert.NotContains(t, banner, "env-secret-5678")
	c, err := veriff.NewClient("env-key-1234", "env-secret-5678", veriff.WithBaseURL(e.url))
	require.NoError(t, err)
	_, err = c.CreateSession(context.Background(), veriff.CreateSessionRequest{})
	require.NoError(t, err, "the environment's credentials are the emulator's")

	flags := startEmulator(t, "-api-key", "flag-key", "-shared-secret", "flag-secret")
	c, err = veriff.NewClient("flag-key", "flag-secret", veriff.WithBaseURL(flags.url))
	require.NoError(t, err)
	_, err = c.CreateSession(context.Background(), veriff.CreateSessionRequest{})
	require.NoError(t, err, "flags win over the environment")
}

// The trigger command sends $VERIFF_API_KEY when -api-key is absent.
func TestTriggerAPIKeyFromEnv(t *testing.T) {
	clearEnv(t)
	t.Setenv("VERIFF_API_KEY", "env-key-1234")
	recv := newReceiver(t, http.StatusOK)
	res := runCmd(t, nil, "trigger", "-url", recv.URL, "-secret", testSecret, "decision")
	require.Equal(t, exitOK, res.code, res.stderr)
	assert.Equal(t, "env-key-1234", recv.all()[0].header.Get("X-Auth-Client"))
}

// A foreign Host gets 421 from the emulator (API, portal,
// admin API); -allow-host and -public-url add names.
func TestEmulatorOnlyItsOwnHost(t *testing.T) {
	clearEnv(t)
	e := startEmulator(t, "-allow-host", "veriff", "-public-url", "http://veriff.test:8700")
	port := e.url[strings.LastIndex(e.url, ":"):]
	cases := []struct {
		host string
		want int
	}{
		{"rebind.example" + port, http.StatusMisdirectedRequest},
		{"127.0.0.1" + port, http.StatusOK},
		{"localhost" + port, http.StatusOK},
		{"veriff" + port, http.StatusOK},
		{"veriff.test:8700", http.StatusOK},
	}
	for _, c := range cases {
		for _, path := range []string{"/", "/_emulator/sessions"} {
			req, err := http.NewRequest(http.MethodGet, e.url+path, nil)
			require.NoError(t, err)
			req.Host = c.host
			req.Header.Set("X-AUTH-CLIENT", devAPIKey)
			resp, err := http.DefaultClient.Do(req)
			require.NoError(t, err)
			resp.Body.Close()
			assert.Equal(t, c.want, resp.StatusCode, "%s %s", c.host, path)
		}
	}
	assert.Contains(t, e.stderr.String(), "GET /_emulator/sessions 421")
}

// With -data-dir a restarted emulator answers every
// earlier session's decision and media.
func TestEmulatorDataDirRestart(t *testing.T) {
	clearEnv(t)
	dir := t.TempDir()
	ctx := context.Background()
	first := startEmulator(t, "-data-dir", dir, "-auto-decide", "approved")
	c, err := veriff.NewClient(devAPIKey, devSharedSecret, veriff.WithBaseURL(first.url))
	require.NoError(t, err)
	s, err := c.CreateSession(ctx, veriff.CreateSessionRequest{VendorData: "kept"})
	require.NoError(t, err)
	img := append([]byte{0xff, 0xd8, 0xff, 0xe0}, []byte("a photo kept on disk")...)
	up, err := c.UploadMedia(ctx, s.ID, veriff.MediaUpload{Context: veriff.ContextFace, Content: img})
	require.NoError(t, err)
	_, err = c.SubmitSession(ctx, s.ID)
	require.NoError(t, err)
	before, err := c.Decision(ctx, s.ID)
	require.NoError(t, err)
	require.Equal(t, exitOK, first.shutdown(t))

	second := startEmulator(t, "-data-dir", dir)
	assert.Contains(t, second.stderr.String(), "1 sessions restored")
	c, err = veriff.NewClient(devAPIKey, devSharedSecret, veriff.WithBaseURL(second.url))
	require.NoError(t, err)
	after, err := c.Decision(ctx, s.ID)
	require.NoError(t, err)
	assert.Equal(t, before.Verification.Status, after.Verification.Status)
	assert.Equal(t, veriff.StatusApproved, after.Verification.Status)
	var got bytes.Buffer
	_, err = c.DownloadMedia(ctx, up.ID, &got)
	require.NoError(t, err)
	assert.Equal(t, img, got.Bytes())

	bad := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(bad, "state.json"), []byte("not json"), 0o600))
	res := runCmd(t, nil, "emulator", "-addr", "127.0.0.1:0", "-data-dir", bad)
	assert.Equal(t, exitFailed, res.code)
	assert.Contains(t, res.stderr, "not a state file")
}

func TestEmulatorBadStorageAndHostFlags(t *testing.T) {
	clearEnv(t)
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"negative media bound", []string{"-max-media-mb", "-1"}, "-max-media-mb"},
		{"host with a path", []string{"-allow-host", "veriff/x"}, "-allow-host"},
		{"host with a scheme", []string{"-allow-host", "http://veriff"}, "-allow-host"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res := runCmd(t, nil, append([]string{"emulator", "-addr", "127.0.0.1:0"}, c.args...)...)
			assert.Equal(t, exitUsage, res.code)
			assert.Contains(t, res.stderr, c.want)
		})
	}
}
