package main

import (
	"net"
	"net/http"
	"regexp"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/veriffgo/veriff"
)

// Every sample of every kind and status is signed, parses with
// veriff.ParseWebhook to the kind named, and carries the session given.
func TestSampleBodiesParseToTheirKind(t *testing.T) {
	for _, k := range sampleKinds() {
		for _, st := range append([]string{""}, k.statuses...) {
			t.Run(string(k.kind)+"/"+st, func(t *testing.T) {
				body, err := sampleBody(k, sampleInput{sessionID: "sess-1", attemptID: "att-1", status: st, now: time.Now()})
				require.NoError(t, err)
				wh, err := veriff.ParseWebhook(body)
				require.NoError(t, err)
				assert.Equal(t, k.kind, wh.Kind)
				assert.Equal(t, "sess-1", wh.SessionID())
				assert.Equal(t, "att-1", wh.AttemptID())
				want := st
				if want == "" {
					want = k.statuses[0]
				}
				assertSampleStatus(t, wh, want)
			})
		}
	}
}

// assertSampleStatus checks that -status reached the parsed webhook.
func assertSampleStatus(t *testing.T, wh *veriff.Webhook, status string) {
	t.Helper()
	switch wh.Kind {
	case veriff.WebhookDecision:
		require.NotNil(t, wh.Decision.Verification)
		assert.Equal(t, veriff.SessionStatus(status), wh.Decision.Verification.Status)
		assert.Equal(t, decisionCodes[status], wh.Decision.Verification.Code)
	case veriff.WebhookEvent:
		assert.Equal(t, status, wh.Event.Action)
	case veriff.WebhookINERegistry:
		assert.Equal(t, status == "active", wh.INERegistry.Data.Details.Active)
	case veriff.WebhookCURPRegistry:
		assert.Equal(t, veriff.CURPStatus(status), wh.CURPRegistry.Data.Details.StatusCurp)
	case veriff.WebhookCombinedRegistry:
		require.NotNil(t, wh.CombinedRegistry.Data.Details.INE)
		assert.Equal(t, status == "active", wh.CombinedRegistry.Data.Details.INE.Active)
		assert.NotNil(t, wh.CombinedRegistry.Data.Details.CURP)
	case veriff.WebhookWatchlist:
		assert.Equal(t, veriff.MatchStatus(status), wh.Watchlist.MatchStatus)
		assert.Equal(t, len(wh.Watchlist.Hits), wh.Watchlist.TotalHits)
	case veriff.WebhookFullAuto:
		assert.Contains(t, string(wh.Raw), `"decision": "`+status+`"`)
	default:
		t.Fatalf("no status check for kind %s", wh.Kind)
	}
}

func TestTriggerSendsSignedSamples(t *testing.T) {
	clearEnv(t)
	for _, k := range sampleKinds() {
		t.Run(string(k.kind), func(t *testing.T) {
			recv := newReceiver(t, http.StatusOK)
			res := runCmd(t, nil, "trigger", "-url", recv.URL+"/webhooks", "-secret", testSecret, "-api-key", testKey, "-session", "sess-42", string(k.kind))
			require.Equal(t, exitOK, res.code, res.stderr)
			assert.Equal(t, string(k.kind)+" webhook for session sess-42: 200 OK\n", res.stdout)
			got := recv.all()
			require.Len(t, got, 1)
			wh := requireSigned(t, got[0], testSecret, k.kind)
			assert.Equal(t, "sess-42", wh.SessionID())
			assert.Equal(t, testKey, got[0].header.Get("X-Auth-Client"))
			assert.Equal(t, "application/json", got[0].header.Get("Content-Type"))
		})
	}
}

var uuidRE = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

func TestTriggerDefaultsAndStatus(t *testing.T) {
	clearEnv(t)
	t.Setenv(secretEnv, testSecret)
	recv := newReceiver(t, http.StatusOK)
	res := runCmd(t, nil, "trigger", "-url", recv.URL, "-status", "declined", "decision")
	require.Equal(t, exitOK, res.code, res.stderr)
	got := recv.all()
	require.Len(t, got, 1)
	wh := requireSigned(t, got[0], testSecret, veriff.WebhookDecision)
	assert.Regexp(t, uuidRE, wh.SessionID())
	assert.Equal(t, veriff.StatusDeclined, wh.Decision.Verification.Status)
	require.NotNil(t, wh.Decision.Verification.ReasonCode)
	assert.Equal(t, 102, *wh.Decision.Verification.ReasonCode)
	assert.Empty(t, got[0].header.Get("X-Auth-Client"))
	// Hyphens work as underscores.
	res = runCmd(t, nil, "trigger", "-url", recv.URL, "ine-registry")
	require.Equal(t, exitOK, res.code, res.stderr)
}

func TestTriggerFailures(t *testing.T) {
	clearEnv(t)
	refused := closedPort(t)
	tests := []struct {
		name      string
		status    int // the receiver's answer
		args      []string
		code      int
		stdoutHas string
		stderrHas string
	}{
		{"receiver answers 401", http.StatusUnauthorized, []string{"-secret", testSecret, "decision"}, exitFailed, "decision webhook for session", "answered 401, not 200"},
		{"receiver answers 500", http.StatusInternalServerError, []string{"-secret", testSecret, "event"}, exitFailed, "500 Internal Server Error", "answered 500"},
		{"receiver answers 204", http.StatusNoContent, []string{"-secret", testSecret, "event"}, exitFailed, "204 No Content", "not 200"},
		{"connection refused", 0, []string{"-url", refused, "-secret", testSecret, "decision"}, exitFailed, "", "POST to the receiver failed"},
		{"no kind", http.StatusOK, []string{"-secret", testSecret}, exitUsage, "", "want exactly one KIND"},
		{"two kinds", http.StatusOK, []string{"-secret", testSecret, "decision", "event"}, exitUsage, "", "want exactly one KIND"},
		{"unknown kind", http.StatusOK, []string{"-secret", testSecret, "bogus"}, exitUsage, "", `unknown KIND "bogus"`},
		{"bad status", http.StatusOK, []string{"-secret", testSecret, "-status", "maybe", "decision"}, exitUsage, "", `-status "maybe" is not one of approved`},
		{"no secret", http.StatusOK, []string{"decision"}, exitUsage, "", "-secret is required"},
		{"no url", 0, []string{"-url", "", "-secret", testSecret, "decision"}, exitUsage, "", "-url is required"},
		{"relative url", 0, []string{"-url", "/webhooks", "-secret", testSecret, "decision"}, exitUsage, "", "absolute http:// or https://"},
		{"ftp url", 0, []string{"-url", "ftp://127.0.0.1/x", "-secret", testSecret, "decision"}, exitUsage, "", "absolute http:// or https://"},
		{"api key over plain http to a remote host", 0, []string{"-url", "http://app.internal:8080/webhooks", "-api-key", testKey, "-secret", testSecret, "decision"}, exitUsage, "", "refusing to send the API key (-api-key or $VERIFF_API_KEY) over plain http://"},
		{"api key over plain http to localhost. (resolved through DNS)", 0, []string{"-url", "http://localhost.:8080/webhooks", "-api-key", testKey, "-secret", testSecret, "decision"}, exitUsage, "", "refusing to send the API key (-api-key or $VERIFF_API_KEY) over plain http://"},
		{"control character in session", http.StatusOK, []string{"-secret", testSecret, "-session", "a\nb", "decision"}, exitUsage, "", "control character"},
		{"bad timeout", http.StatusOK, []string{"-secret", testSecret, "-timeout", "0s", "decision"}, exitUsage, "", "-timeout must be positive"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append([]string{"trigger"}, tt.args...)
			var recv *receiver
			if tt.status != 0 {
				recv = newReceiver(t, tt.status)
				args = append([]string{"trigger", "-url", recv.URL}, tt.args...)
			}
			res := runCmd(t, nil, args...)
			assert.Equal(t, tt.code, res.code, res.stderr)
			if tt.stdoutHas != "" {
				assert.Contains(t, res.stdout, tt.stdoutHas)
			} else {
				assert.Empty(t, res.stdout)
			}
			assert.Contains(t, res.stderr, tt.stderrHas)
			assert.NotContains(t, res.stderr, testSecret)
			if recv != nil && tt.code == exitUsage {
				assert.Empty(t, recv.all(), "nothing is sent on a usage error")
			}
		})
	}
}

// closedPort returns the URL of a loopback port nothing listens on.
func closedPort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := l.Addr().String()
	require.NoError(t, l.Close())
	return "http://" + addr + "/webhooks"
}
