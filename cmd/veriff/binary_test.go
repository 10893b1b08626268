package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/veriffgo/veriff"
)

var (
	buildOnce sync.Once
	builtBin  string
	buildErr  error
	buildDir  string
)

// buildBinary builds this command once per test run into a temporary
// directory that TestMain removes.
func buildBinary(t testing.TB) string {
	t.Helper()
	buildOnce.Do(func() {
		goTool, err := exec.LookPath("go")
		if err != nil {
			goTool = filepath.Join(runtime.GOROOT(), "bin", "go")
		}
		if buildDir, buildErr = os.MkdirTemp("", "veriff-cmd-test-"); buildErr != nil {
			return
		}
		builtBin = filepath.Join(buildDir, "veriff")
		out, err := exec.Command(goTool, "build", "-o", builtBin, ".").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build: %v: %s", err, out)
		}
	})
	require.NoError(t, buildErr)
	return builtBin
}

func TestMain(m *testing.M) {
	code := m.Run()
	if buildDir != "" {
		_ = os.RemoveAll(buildDir)
	}
	os.Exit(code)
}

// binEmulator is the built binary running "emulator".
type binEmulator struct {
	cmd    *exec.Cmd
	url    string
	key    string
	secret string
	stderr *syncBuffer
}

func startBinaryEmulator(t testing.TB, bin string, args ...string) *binEmulator {
	t.Helper()
	e := &binEmulator{stderr: &syncBuffer{}}
	e.cmd = exec.Command(bin, append([]string{"emulator", "-addr", "127.0.0.1:0"}, args...)...)
	e.cmd.Stderr = e.stderr
	stdout, err := e.cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, e.cmd.Start())
	t.Cleanup(func() {
		if e.cmd.ProcessState == nil {
			_ = e.cmd.Process.Kill()
			_ = e.cmd.Wait()
		}
	})
	sc := bufio.NewScanner(stdout)
	require.True(t, sc.Scan(), "no first line; stderr: %s", e.stderr.String())
	var ok bool
	e.url, ok = strings.CutPrefix(sc.Text(), "veriff emulator listening on ")
	require.True(t, ok, sc.Text())
	for sc.Scan() {
		line := sc.Text()
		if v, ok := strings.CutPrefix(line, "api key:"); ok {
			e.key = strings.TrimSpace(v)
		}
		if v, ok := strings.CutPrefix(line, "shared secret:"); ok {
			e.secret = strings.TrimSpace(v)
		}
		if strings.HasPrefix(line, "export ") {
			break
		}
	}
	go func() { _, _ = io.Copy(io.Discard, stdout) }()
	require.NotEmpty(t, e.key)
	require.NotEmpty(t, e.secret)
	return e
}

// admin calls the emulator's admin API and decodes the JSON answer into
// out (when not nil); it returns the status code.
func (e *binEmulator) admin(t *testing.T, method, path string, body, out any) int {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		require.NoError(t, err)
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, e.url+path, rd)
	require.NoError(t, err)
	req.Header.Set("X-AUTH-CLIENT", e.key)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	if out != nil && resp.StatusCode == http.StatusOK {
		require.NoError(t, json.Unmarshal(raw, out), string(raw))
	}
	return resp.StatusCode
}

// testImage is a small real PNG of one colour.
func testImage(t *testing.T, c color.Color) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 64, 40))
	for x := 0; x < 64; x++ {
		for y := 0; y < 40; y++ {
			img.Set(x, y, c)
		}
	}
	var b bytes.Buffer
	require.NoError(t, png.Encode(&b, img))
	return b.Bytes()
}

// webhookWaiter collects the receiver's verified webhooks by kind.
type webhookWaiter struct {
	t      *testing.T
	recv   *receiver
	secret string
	byKind map[veriff.WebhookKind][]*veriff.Webhook
}

// waitFor waits until n webhooks of kind arrived (each one verified with
// veriff.VerifyWebhook) and returns them.
func (w *webhookWaiter) waitFor(kind veriff.WebhookKind, n int) []*veriff.Webhook {
	w.t.Helper()
	deadline := time.After(15 * time.Second)
	for len(w.byKind[kind]) < n {
		select {
		case rec := <-w.recv.ch:
			require.NoError(w.t, veriff.VerifyWebhook(rec.body, rec.header, w.secret))
			wh, err := veriff.ParseWebhook(rec.body)
			require.NoError(w.t, err)
			w.byKind[wh.Kind] = append(w.byKind[wh.Kind], wh)
		case <-deadline:
			w.t.Fatalf("waited for %d %s webhooks, got %d", n, kind, len(w.byKind[kind]))
		}
	}
	return w.byKind[kind]
}

// The whole INE flow against the built binary: the SDK creates, uploads and
// submits; the admin API sets the registry answer and decides; the SDK
// reads the decision and the registry; the signed webhooks arrive.
func TestBinaryINEFlow(t *testing.T) {
	bin := buildBinary(t)
	recv := newReceiver(t, http.StatusOK)
	e := startBinaryEmulator(t, bin, "-webhook-url", recv.URL+"/veriff/webhooks")
	assert.Equal(t, devAPIKey, e.key)
	assert.Equal(t, devSharedSecret, e.secret)
	hooks := &webhookWaiter{t: t, recv: recv, secret: e.secret, byKind: map[veriff.WebhookKind][]*veriff.Webhook{}}

	ctx := context.Background()
	c, err := veriff.NewClient(e.key, e.secret, veriff.WithBaseURL(e.url))
	require.NoError(t, err)
	s := binaryCreateSession(t, ctx, c)

	var list []struct {
		ID, Status, VendorData string
	}
	require.Equal(t, http.StatusOK, e.admin(t, http.MethodGet, "/_emulator/sessions", nil, &list))
	require.Len(t, list, 1)
	assert.Equal(t, s.ID, list[0].ID)
	assert.Equal(t, "submitted", list[0].Status)
	assert.Equal(t, "e2e-order-1", list[0].VendorData)

	require.Equal(t, http.StatusOK, e.admin(t, http.MethodPut, "/_emulator/sessions/"+s.ID+"/ine-registry",
		map[string]any{"active": true, "documentState": "vigente"}, nil))
	require.Equal(t, http.StatusOK, e.admin(t, http.MethodPost, "/_emulator/sessions/"+s.ID+"/decision",
		map[string]any{"status": "approved"}, nil))

	d, err := c.Decision(ctx, s.ID)
	require.NoError(t, err)
	require.NotNil(t, d.Verification)
	assert.Equal(t, veriff.StatusApproved, d.Verification.Status)
	reg, err := c.INERegistry(ctx, s.ID)
	require.NoError(t, err)
	assert.True(t, reg.Active)
	assert.Equal(t, "vigente", reg.DocumentState)

	events := hooks.waitFor(veriff.WebhookEvent, 2)
	codes := []int{events[0].Event.Code, events[1].Event.Code}
	assert.ElementsMatch(t, []int{veriff.CodeStarted, veriff.CodeSubmitted}, codes)
	dec := hooks.waitFor(veriff.WebhookDecision, 1)[0]
	assert.Equal(t, s.ID, dec.SessionID())
	assert.Equal(t, veriff.StatusApproved, dec.Decision.Verification.Status)
	ine := hooks.waitFor(veriff.WebhookINERegistry, 1)[0]
	assert.Equal(t, s.ID, ine.SessionID())
	assert.True(t, ine.INERegistry.Data.Details.Active)

	binaryResendDecision(t, e, hooks, s.ID, dec)

	// The admin API wants the API key.
	req, err := http.NewRequest(http.MethodGet, e.url+"/_emulator/sessions", nil)
	require.NoError(t, err)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusUnauthorized, resp.StatusCode)

	// The sessions subcommand of the same binary, against the emulator.
	out := runBinary(t, bin, e, "sessions", "decision", s.ID)
	var fromCmd veriff.Decision
	require.NoError(t, json.Unmarshal(out, &fromCmd))
	assert.Equal(t, veriff.StatusApproved, fromCmd.Verification.Status)

	// SIGINT: a clean shutdown, exit 0.
	require.NoError(t, e.cmd.Process.Signal(syscall.SIGINT))
	require.NoError(t, e.cmd.Wait())
	logged := e.stderr.String()
	assert.Contains(t, logged, "veriff emulator: stopped")
	assert.Regexp(t, `(?m) POST /v1/sessions 201$`, logged)
	assert.Regexp(t, `(?m) PATCH /v1/sessions/\{id\} 200$`, logged)
	assert.NotContains(t, logged, s.ID, "route patterns, never paths")
	assert.NotContains(t, logged, e.secret)
	assert.NotContains(t, logged, "e2e-order-1")
}

// binaryCreateSession creates an INE session through c, uploads its three
// images and submits it.
func binaryCreateSession(t *testing.T, ctx context.Context, c *veriff.Client) *veriff.Session {
	t.Helper()
	s, err := c.CreateSession(ctx, veriff.CreateSessionRequest{
		VendorData: "e2e-order-1",
		Person:     &veriff.SessionPerson{FirstName: "Maria", LastName: "Ejemplo"},
		Document:   &veriff.SessionDocument{Country: "MX", Type: veriff.DocumentTypeIDCard},
		Consents:   []veriff.Consent{veriff.INEConsent()},
	})
	require.NoError(t, err)
	for i, mc := range []veriff.MediaContext{veriff.ContextDocumentFront, veriff.ContextDocumentBack, veriff.ContextFace} {
		_, err := c.UploadMedia(ctx, s.ID, veriff.MediaUpload{Context: mc, Content: testImage(t, color.RGBA{uint8(40 * i), 90, 160, 255})})
		require.NoError(t, err)
	}
	_, err = c.SubmitSession(ctx, s.ID)
	require.NoError(t, err)
	return s
}

// binaryResendDecision checks the emulator's delivery log for session id
// (four deliveries, all answered 200), resends the decision webhook dec and
// checks the receiver gets the same delivery again.
func binaryResendDecision(t *testing.T, e *binEmulator, hooks *webhookWaiter, id string, dec *veriff.Webhook) {
	t.Helper()
	var deliveries []struct {
		N          int    `json:"n"`
		Kind       string `json:"kind"`
		SessionID  string `json:"sessionId"`
		Attempts   int    `json:"attempts"`
		LastStatus int    `json:"lastStatus"`
	}
	require.Equal(t, http.StatusOK, e.admin(t, http.MethodGet, "/_emulator/deliveries", nil, &deliveries))
	require.Len(t, deliveries, 4)
	var decisionN int
	for _, dl := range deliveries {
		assert.Equal(t, id, dl.SessionID)
		assert.Equal(t, http.StatusOK, dl.LastStatus)
		if dl.Kind == string(veriff.WebhookDecision) {
			decisionN = dl.N
		}
	}
	require.NotZero(t, decisionN)
	require.Equal(t, http.StatusOK, e.admin(t, http.MethodPost, fmt.Sprintf("/_emulator/deliveries/%d/resend", decisionN), nil, nil))
	again := hooks.waitFor(veriff.WebhookDecision, 2)[1]
	assert.Equal(t, dec.DeliveryKey(), again.DeliveryKey(), "the resend is the same delivery")
}

// runBinary runs the built binary with the emulator's VERIFF_* variables
// and returns its stdout; it must exit 0.
func runBinary(t *testing.T, bin string, e *binEmulator, args ...string) []byte {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), "VERIFF_API_KEY="+e.key, "VERIFF_SHARED_SECRET="+e.secret, "VERIFF_BASE_URL="+e.url, "VERIFF_INTEGRATION_ID=")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	require.NoError(t, err, stderr.String())
	return out
}

// SIGTERM stops the binary cleanly too.
func TestBinarySIGTERM(t *testing.T) {
	bin := buildBinary(t)
	e := startBinaryEmulator(t, bin)
	require.NoError(t, e.cmd.Process.Signal(syscall.SIGTERM))
	require.NoError(t, e.cmd.Wait())
	assert.Equal(t, 0, e.cmd.ProcessState.ExitCode())
	assert.Contains(t, e.stderr.String(), "veriff emulator: stopped")
}
