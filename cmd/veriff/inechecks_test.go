package main

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/veriffgo/veriff"
)

func TestParseINEChecks(t *testing.T) {
	tests := []struct {
		in   string
		want veriff.INEChecks
		err  string
	}{
		{defaultINEChecks, veriff.INEChecks{Registry: true, Biometric: true}, ""},
		{"registry,database,biometric", veriff.INEChecks{Registry: true, Database: true, Biometric: true}, ""},
		{"database", veriff.INEChecks{Database: true}, ""},
		{" Database , BIOMETRIC ", veriff.INEChecks{Database: true, Biometric: true}, ""},
		{"", veriff.INEChecks{}, "empty item"},
		{"database,", veriff.INEChecks{}, "empty item"},
		{"database,database", veriff.INEChecks{}, "twice"},
		{"curp", veriff.INEChecks{}, `"curp" is not one of registry, database, biometric`},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := parseINEChecks(tt.in)
			if tt.err != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
			assert.Equal(t, strings.ReplaceAll(strings.ToLower(tt.in), " ", ""), formatINEChecks(got))
		})
	}
}

// TestEmulatorINEChecksRefusedBeforeStart: a bad -ine-checks exits 2 with a
// clear error, and nothing is served (no banner).
func TestEmulatorINEChecksRefusedBeforeStart(t *testing.T) {
	clearEnv(t)
	for _, bad := range []string{"curp", "", "registry,,biometric", "database,database"} {
		res := runCmd(t, nil, "emulator", "-addr", "127.0.0.1:0", "-ine-checks", bad)
		assert.Equal(t, exitUsage, res.code, res.stderr)
		assert.Empty(t, res.stdout, "nothing started")
		assert.Contains(t, res.stderr, "-ine-checks")
	}
}

// TestEmulatorDatabaseOnly: "-ine-checks database" never answers the
// legacy registry endpoints with 200 and never sends an ine_registry
// webhook; the decision carries no biometric block.
func TestEmulatorDatabaseOnly(t *testing.T) {
	clearEnv(t)
	recv := newReceiver(t, http.StatusOK)
	e := startEmulator(t, "-ine-checks", "database", "-webhook-url", recv.URL+"/hooks", "-auto-decide", "approved")
	assert.Contains(t, strings.Join(e.banner, "\n"), "INE checks:    database")
	c, err := veriff.NewClient(devAPIKey, devSharedSecret, veriff.WithBaseURL(e.url), veriff.WithMaxRetries(0))
	require.NoError(t, err)
	ctx := context.Background()
	s, err := c.CreateSession(ctx, veriff.CreateSessionRequest{Consents: []veriff.Consent{veriff.INEConsent()}})
	require.NoError(t, err)
	_, err = c.SubmitSession(ctx, s.ID)
	require.NoError(t, err)
	d, err := c.Decision(ctx, s.ID)
	require.NoError(t, err)
	require.NotNil(t, d.Verification)
	assert.Nil(t, d.INEBiometric())
	assert.Equal(t, veriff.VerdictVerified, veriff.INEChecks{Database: true}.Assess(d, nil).Verdict)

	_, err = c.INERegistry(ctx, s.ID)
	require.ErrorIs(t, err, veriff.ErrNotFound)
	_, err = c.CombinedINECURPRegistry(ctx, s.ID)
	require.ErrorIs(t, err, veriff.ErrNotFound)

	for kind := veriff.WebhookKind(""); kind != veriff.WebhookDecision; {
		rec := waitWebhook(t, recv)
		require.NoError(t, veriff.VerifyWebhook(rec.body, rec.header, devSharedSecret))
		wh, err := veriff.ParseWebhook(rec.body)
		require.NoError(t, err)
		kind = wh.Kind
	}
	require.Equal(t, exitOK, e.shutdown(t)) // every delivery has ended
	require.NotEmpty(t, recv.all())
	for _, rec := range recv.all() {
		wh, err := veriff.ParseWebhook(rec.body)
		require.NoError(t, err)
		assert.NotEqual(t, veriff.WebhookINERegistry, wh.Kind)
		assert.NotContains(t, string(rec.body), `"ine_registry"`)
	}
	logged := e.stderr.String()
	assert.Contains(t, logged, "/decision/ine-registry 404")
	assert.NotContains(t, logged, "/decision/ine-registry 200")
}

func waitWebhook(t *testing.T, recv *receiver) received {
	t.Helper()
	select {
	case rec := <-recv.ch:
		return rec
	case <-time.After(10 * time.Second):
		t.Fatal("no webhook")
		return received{}
	}
}
