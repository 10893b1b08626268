package main

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/veriffgo/veriff"
)

// syncBuffer is a bytes.Buffer safe for the emulator's concurrent writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// emulatorRun is an emulator started in-process by startEmulator.
type emulatorRun struct {
	url    string
	banner []string // the stdout lines after the first
	stderr *syncBuffer
	stop   context.CancelFunc
	done   chan int // the exit code
}

// startEmulator runs "veriff emulator -addr 127.0.0.1:0 args..." in a
// goroutine and waits for its first stdout line.
func startEmulator(t *testing.T, args ...string) *emulatorRun {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	e := &emulatorRun{stderr: &syncBuffer{}, stop: cancel, done: make(chan int, 1)}
	go func() {
		code := run(ctx, append([]string{"emulator", "-addr", "127.0.0.1:0"}, args...), nil, pw, e.stderr)
		pw.Close()
		e.done <- code
	}()
	sc := bufio.NewScanner(pr)
	require.True(t, sc.Scan(), "no first line; stderr: %s", e.stderr.String())
	first := sc.Text()
	const prefix = "veriff emulator listening on "
	require.True(t, strings.HasPrefix(first, prefix), first)
	e.url = strings.TrimPrefix(first, prefix)
	for sc.Scan() { // up to the banner's last line
		e.banner = append(e.banner, sc.Text())
		if strings.HasPrefix(sc.Text(), "export ") {
			break
		}
	}
	go func() { _, _ = io.Copy(io.Discard, pr) }()
	t.Cleanup(func() {
		cancel()
		<-e.done
	})
	return e
}

// shutdown cancels the emulator's context (SIGINT in main) and returns its
// exit code.
func (e *emulatorRun) shutdown(t *testing.T) int {
	t.Helper()
	e.stop()
	select {
	case code := <-e.done:
		e.done <- code
		return code
	case <-time.After(10 * time.Second):
		t.Fatal("the emulator did not stop")
		return -1
	}
}

func TestEmulatorServesAndShutsDownCleanly(t *testing.T) {
	clearEnv(t)
	e := startEmulator(t)
	assert.Regexp(t, `^http://127\.0\.0\.1:[0-9]+$`, e.url)
	banner := strings.Join(e.banner, "\n")
	assert.Contains(t, banner, "api key:       "+devAPIKey)
	assert.Contains(t, banner, "shared secret: "+devSharedSecret)
	assert.Contains(t, banner, "export VERIFF_BASE_URL="+e.url+" VERIFF_API_KEY="+devAPIKey+" VERIFF_SHARED_SECRET="+devSharedSecret)

	c, err := veriff.NewClient(devAPIKey, devSharedSecret, veriff.WithBaseURL(e.url))
	require.NoError(t, err)
	s, err := c.CreateSession(context.Background(), veriff.CreateSessionRequest{VendorData: "v-1"})
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(s.URL, e.url+"/"), s.URL)
	_, err = c.Decision(context.Background(), "00000000-0000-4000-8000-000000000000")
	assert.ErrorIs(t, err, veriff.ErrNotFound)

	require.Equal(t, exitOK, e.shutdown(t))
	logged := e.stderr.String()
	assert.Regexp(t, `(?m)^\d\d:\d\d:\d\d POST /v1/sessions 201$`, logged)
	assert.Regexp(t, `(?m)^\d\d:\d\d:\d\d GET /v1/sessions/\{id\}/decision 404$`, logged)
	assert.NotContains(t, logged, "00000000-0000-4000-8000-000000000000", "route patterns, never paths")
	assert.Contains(t, logged, "veriff emulator: stopped")
	assert.NotContains(t, logged, devSharedSecret)
	assert.NotContains(t, logged, devAPIKey)
	assert.NotContains(t, logged, "v-1", "no body is logged")
	// The port is free again.
	l, err := net.Listen("tcp", strings.TrimPrefix(e.url, "http://"))
	require.NoError(t, err)
	require.NoError(t, l.Close())
}

func TestEmulatorOwnCredentialsAreNotEchoed(t *testing.T) {
	clearEnv(t)
	e := startEmulator(t, "-api-key", testKey, "-shared-secret", testSecret, "-auto-decide", "approved")
	banner := strings.Join(e.banner, "\n")
	assert.NotContains(t, banner, testKey)
	assert.NotContains(t, banner, testSecret)
	assert.Contains(t, banner, "(as given with -shared-secret)")
	assert.Equal(t, "export VERIFF_BASE_URL="+e.url, e.banner[len(e.banner)-1])

	c, err := veriff.NewClient(testKey, testSecret, veriff.WithBaseURL(e.url))
	require.NoError(t, err)
	ctx := context.Background()
	s, err := c.CreateSession(ctx, veriff.CreateSessionRequest{})
	require.NoError(t, err)
	_, err = c.SubmitSession(ctx, s.ID)
	require.NoError(t, err)
	d, err := c.Decision(ctx, s.ID)
	require.NoError(t, err)
	require.NotNil(t, d.Verification, "-auto-decide decides on submit")
	assert.Equal(t, veriff.StatusApproved, d.Verification.Status)

	wrong, err := veriff.NewClient(devAPIKey, devSharedSecret, veriff.WithBaseURL(e.url), veriff.WithMaxRetries(0))
	require.NoError(t, err)
	_, err = wrong.CreateSession(ctx, veriff.CreateSessionRequest{})
	assert.ErrorIs(t, err, veriff.ErrUnauthorized)
	require.Equal(t, exitOK, e.shutdown(t))
}

func TestEmulatorSendsWebhooks(t *testing.T) {
	clearEnv(t)
	recv := newReceiver(t, http.StatusOK)
	e := startEmulator(t, "-webhook-url", recv.URL+"/hooks", "-auto-decide", "declined")
	c, err := veriff.NewClient(devAPIKey, devSharedSecret, veriff.WithBaseURL(e.url))
	require.NoError(t, err)
	ctx := context.Background()
	s, err := c.CreateSession(ctx, veriff.CreateSessionRequest{})
	require.NoError(t, err)
	_, err = c.SubmitSession(ctx, s.ID)
	require.NoError(t, err)
	deadline := time.After(10 * time.Second)
	for {
		select {
		case rec := <-recv.ch:
			require.NoError(t, veriff.VerifyWebhook(rec.body, rec.header, devSharedSecret))
			wh, err := veriff.ParseWebhook(rec.body)
			require.NoError(t, err)
			if wh.Kind == veriff.WebhookDecision {
				assert.Equal(t, s.ID, wh.SessionID())
				assert.Equal(t, veriff.StatusDeclined, wh.Decision.Verification.Status)
				require.Equal(t, exitOK, e.shutdown(t))
				return
			}
		case <-deadline:
			t.Fatal("no decision webhook")
		}
	}
}

func TestEmulatorUsageAndListenErrors(t *testing.T) {
	clearEnv(t)
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	t.Cleanup(func() { busy.Close() })
	tests := []struct {
		name      string
		args      []string
		code      int
		stderrHas string
	}{
		{"bad auto-decide", []string{"-auto-decide", "maybe"}, exitUsage, `-auto-decide "maybe" is not one of`},
		{"submitted is not a decision", []string{"-auto-decide", "submitted"}, exitUsage, "is not one of"},
		{"bad webhook URL", []string{"-webhook-url", "ftp://127.0.0.1/x"}, exitUsage, "-webhook-url"},
		{"relative webhook URL", []string{"-webhook-url", "/hooks"}, exitUsage, "-webhook-url"},
		{"empty API key", []string{"-api-key", ""}, exitUsage, "must not be empty"},
		{"empty secret", []string{"-shared-secret", ""}, exitUsage, "must not be empty"},
		{"bad public URL", []string{"-public-url", "veriff:8700"}, exitUsage, "-public-url"},
		{"argument", []string{"now"}, exitUsage, `unexpected argument "now"`},
		{"address in use", []string{"-addr", busy.Addr().String()}, exitFailed, "cannot listen on"},
		{"bad address", []string{"-addr", "127.0.0.1:99999"}, exitFailed, "cannot listen on"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := runCmd(t, nil, append([]string{"emulator"}, tt.args...)...)
			assert.Equal(t, tt.code, res.code, res.stderr)
			assert.Empty(t, res.stdout)
			assert.Contains(t, res.stderr, tt.stderrHas)
		})
	}
}

// TestEmulatorServerTimeouts: the emulator's server bounds a stalled
// client's headers, body and idle connection (waiting them out would take
// minutes: the values are checked instead).
func TestEmulatorServerTimeouts(t *testing.T) {
	hs := newHTTPServer(http.NotFoundHandler())
	assert.Equal(t, 10*time.Second, hs.ReadHeaderTimeout)
	assert.Equal(t, 2*time.Minute, hs.ReadTimeout)
	assert.Equal(t, 2*time.Minute, hs.IdleTimeout)
	assert.NotNil(t, hs.ErrorLog, "net/http's own log would name client addresses")
}
