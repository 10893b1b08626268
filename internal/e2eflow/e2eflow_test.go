package e2eflow

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/veriffgo/veriff"
)

// The in-process flow, as `go run ./internal/e2eflow/ine-e2e` runs it.
func TestRunInProcess(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var out, errOut bytes.Buffer
	start := time.Now()
	require.NoError(t, Run(ctx, &out, &errOut, nil, noEnv))
	assert.Less(t, time.Since(start), 4*time.Second, "the demo must be quick (a slow shutdown shows here)")
	assert.Empty(t, errOut.String())

	text := out.String()
	assert.Equal(t, 10, len(regexp.MustCompile(`(?m)^\[\d+\] `).FindAllString(text, -1)), "one line per step:\n%s", text)
	for _, want := range []string{
		"INE flow against verifftest, an in-process fake",
		"webhook receiver listening on http://127.0.0.1:",
		`(INE consent, ID_CARD MX, vendorData "ine-flow-demo-customer-0042")`,
		"uploaded document-front: generated JPEG",
		"uploaded document-back: generated JPEG",
		"uploaded face: generated JPEG",
		"session submitted",
		"webhooks received: event started, event submitted, decision approved, ine_registry active",
		"decision queried: approved (code 9001)",
		"INE registry queried: active: El documento es válido.",
		"\nReport\n",
		"  Decision         approved (code 9001)\n",
		"  Reason           none\n",
		"  Person           JUAN CARLOS RAMÍREZ GARCÍA, born 1988-07-23\n",
		"  CURP             RAGJ880723HDFMRN05\n",
		"  INE registry     active: El documento es válido.\n",
		"  INE biometric    valid: ",
		"  Webhooks         event started, event submitted, decision approved, ine_registry active (4 received, 0 duplicates ignored)\n",
		"  Verdict          verified: Veriff approved the session; the INE registry reports the voter credential as active; the credential is valid",
		"  Outcome          VERIFIED: approved, INE credential active, face matches the registry photo\n",
	} {
		assert.Contains(t, text, want)
	}
	assert.Regexp(t, `(?m)^  Session          [0-9a-f-]{36}$`, text)
	assert.Regexp(t, `(?m)^  INE identifier   \d+$`, text)
	assert.NotContains(t, text, "ine-flow-demo-shared-secret", "the secret is never printed")
}

// Images given as files are streamed from disk, also against the fake.
func TestRunWithImageFiles(t *testing.T) {
	dir := t.TempDir()
	var args []string
	for i, m := range generatedMedia() {
		path := filepath.Join(dir, string(m.context)+".jpg")
		require.NoError(t, os.WriteFile(path, m.content, 0o600))
		args = append(args, []string{"-front", "-back", "-selfie"}[i], path)
	}
	var out bytes.Buffer
	require.NoError(t, Run(context.Background(), &out, &bytes.Buffer{}, args, noEnv))
	assert.Contains(t, out.String(), "uploaded document-front: "+filepath.Join(dir, "document-front.jpg"))
	assert.Contains(t, out.String(), "uploaded face: "+filepath.Join(dir, "face.jpg"))
	assert.Contains(t, out.String(), "Outcome          VERIFIED")
}

// Usage mistakes exit 2 with a clear message, before any request.
func TestRunUsageErrors(t *testing.T) {
	img := filepath.Join(t.TempDir(), "front.jpg")
	require.NoError(t, os.WriteFile(img, generatedMedia()[0].content, 0o600))
	real := map[string]string{
		"VERIFF_API_KEY":       "key-from-env",
		"VERIFF_SHARED_SECRET": "secret-from-env",
		"VERIFF_BASE_URL":      "https://example.invalid",
	}
	for _, tc := range []struct {
		name string
		env  map[string]string
		args []string
		want string
	}{
		{"real API without images", real, nil, "-front, -back and -selfie"},
		{"real API with one image", real, []string{"-front", img}, "images needed: -back, -selfie"},
		{"missing file", real, []string{"-front", img, "-back", img, "-selfie", "/nonexistent/selfie.jpg"}, "-selfie: no such file or directory"},
		{"directory as image", nil, []string{"-front", img, "-back", img, "-selfie", filepath.Dir(img)}, "-selfie: not a regular file"},
		{"only the API key", map[string]string{"VERIFF_API_KEY": "k"}, nil, "set VERIFF_SHARED_SECRET too"},
		{"only the base URL", map[string]string{"VERIFF_BASE_URL": "https://x.example"}, nil, "set VERIFF_API_KEY and VERIFF_SHARED_SECRET too"},
		{"webhook address with the fake", nil, []string{"-webhook-addr", ":0"}, "-webhook-addr is for the real API"},
		{"plain http to a remote host", map[string]string{"VERIFF_API_KEY": "k", "VERIFF_SHARED_SECRET": "s", "VERIFF_BASE_URL": "http://example.com"},
			[]string{"-front", img, "-back", img, "-selfie", img}, "VERIFF_* settings"},
		{"unknown flag", nil, []string{"-frnot", "x"}, "flag provided but not defined"},
		{"extra argument", nil, []string{"extra"}, "unexpected arguments"},
		{"zero timeout", nil, []string{"-timeout", "0s"}, "must be positive"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			err := Run(context.Background(), &out, &errOut, tc.args, envOf(tc.env))
			require.Error(t, err)
			assert.Equal(t, 2, ExitCode(err))
			assert.Contains(t, err.Error(), tc.want)
			assert.NotContains(t, err.Error()+out.String()+errOut.String(), "secret-from-env")
			assert.Empty(t, out.String(), "nothing runs on a usage error")
		})
	}
}

func TestHelpAndExitCodes(t *testing.T) {
	var errOut bytes.Buffer
	require.NoError(t, Run(context.Background(), &bytes.Buffer{}, &errOut, []string{"-h"}, noEnv))
	assert.Contains(t, errOut.String(), "-webhook-addr")
	assert.Contains(t, errOut.String(), "VERIFF_API_KEY")

	assert.Equal(t, 0, ExitCode(nil))
	assert.Equal(t, 1, ExitCode(context.Canceled))
	assert.Equal(t, 2, ExitCode(&usageError{"x"}))
}

// A cancelled context (Ctrl-C) ends the flow with an error.
func TestRunCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := Run(ctx, &bytes.Buffer{}, &bytes.Buffer{}, nil, noEnv)
	require.ErrorIs(t, err, context.Canceled)
	assert.Equal(t, 1, ExitCode(err))
}

// The inbox keeps each delivery once and counts the replays.
func TestInboxDeduplicates(t *testing.T) {
	body := []byte(`{"id":"f04bdb47-d3be-4b28-b028-a652feb060b5","attemptId":"e30122d1-740b-4764-853f-470374a7abf4","feature":"selfid","code":7002,"action":"submitted"}`)
	wh, err := veriff.ParseWebhook(body)
	require.NoError(t, err)
	box := newInbox()
	for i := 0; i < 3; i++ {
		require.NoError(t, box.record(context.Background(), wh))
	}
	got, dups := box.received("f04bdb47-d3be-4b28-b028-a652feb060b5")
	assert.Equal(t, []string{"event submitted"}, got)
	assert.Equal(t, 2, dups)

	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	err = box.waitFor(ctx, "f04bdb47-d3be-4b28-b028-a652feb060b5", "event submitted", "decision")
	require.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Contains(t, err.Error(), "still missing: decision")
}

func TestOutcome(t *testing.T) {
	decision := func(status string, faceMatch float64) *veriff.Decision {
		var d veriff.Decision
		body := `{"status":"success","verification":{"id":"s","status":"` + status + `","code":9001,
			"additionalVerifiedData":{"ineBiometricRegistryValidation":{"faceMatch":null,"faceMatchPercentage":` +
			fmt.Sprint(faceMatch) + `,"responseStatus":"success"}}}}`
		require.NoError(t, json.Unmarshal([]byte(body), &d))
		return &d
	}
	active := &veriff.INERegistryResult{Active: true}
	for _, tc := range []struct {
		name string
		r    report
		want string
	}{
		{"all good", report{decision: decision("approved", 97), registry: active}, "VERIFIED: approved"},
		{"declined", report{decision: decision("declined", 97), registry: active}, "NOT VERIFIED: the decision is declined"},
		{"inactive credential", report{decision: decision("approved", 97), registry: &veriff.INERegistryResult{}}, "NOT VERIFIED: the INE credential is not active"},
		{"face mismatch", report{decision: decision("approved", 40), registry: active}, "NOT VERIFIED: INE biometric check face_mismatch"},
		{"no registry result", report{decision: decision("approved", 97)}, "APPROVED, but an INE result"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assert.True(t, strings.HasPrefix(outcome(tc.r), tc.want), outcome(tc.r))
		})
	}
}

func TestRunRealModePolling(t *testing.T) {
	srv, env, args := realEnv(t)
	var out bytes.Buffer
	require.NoError(t, Run(context.Background(), &out, &bytes.Buffer{}, append(args, "-poll", "10ms", "-timeout", "20s"), env))
	text := out.String()
	assert.Contains(t, text, "INE flow against Veriff API at "+srv.URL+"/v1")
	assert.Contains(t, text, "polling for the decision every 10ms")
	assert.Contains(t, text, "Webhooks         not used (polled GET /decision)")
	assert.Contains(t, text, "Outcome          VERIFIED")
	assert.NotContains(t, text, "real-mode-secret")
	assert.Equal(t, 1, srv.RequestCount("POST", "/v1/sessions"))
}

func TestRunRealModeWebhooks(t *testing.T) {
	srv, env, args := realEnv(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())
	srv.SetWebhookURL("http://" + addr + webhookPath) // in Veriff: the Customer Portal

	var out bytes.Buffer
	require.NoError(t, Run(context.Background(), &out, &bytes.Buffer{}, append(args, "-webhook-addr", addr, "-timeout", "20s"), env))
	text := out.String()
	assert.Contains(t, text, "webhook receiver listening on http://"+addr+webhookPath)
	assert.Contains(t, text, "waiting for webhooks: decision (up to 20s)")
	assert.Contains(t, text, "decision approved")
	assert.Contains(t, text, "Outcome          VERIFIED")
}

// Without a decision the wait ends at -timeout with an error (exit 1).
func TestRunRealModeTimeout(t *testing.T) {
	srv, env, args := realEnv(t)
	srv.AutoDecide("")
	err := Run(context.Background(), &bytes.Buffer{}, &bytes.Buffer{}, append(args, "-poll", "10ms", "-timeout", "100ms"), env)
	require.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Contains(t, err.Error(), "waiting for the decision of session")
	assert.Equal(t, 1, ExitCode(err))
}
