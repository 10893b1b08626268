package e2eflow

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/veriffgo/veriff"
	"github.com/veriffgo/veriff/verifftest"
)

func noEnv(string) string { return "" }

func envOf(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

// realEnv points the "real API" mode at a verifftest server, to exercise the
// paths a Veriff account would take (polling, or webhooks on -webhook-addr)
// without one.
func realEnv(t *testing.T) (*verifftest.Server, func(string) string, []string) {
	t.Helper()
	srv := verifftest.NewServer("real-mode-key", "real-mode-secret")
	t.Cleanup(srv.Close)
	srv.AutoDecide(veriff.StatusApproved)
	dir := t.TempDir()
	var args []string
	for i, m := range generatedMedia() {
		path := filepath.Join(dir, string(m.context)+".jpg")
		require.NoError(t, os.WriteFile(path, m.content, 0o600))
		args = append(args, []string{"-front", "-back", "-selfie"}[i], path)
	}
	return srv, envOf(map[string]string{
		"VERIFF_API_KEY":       "real-mode-key",
		"VERIFF_SHARED_SECRET": "real-mode-secret",
		"VERIFF_BASE_URL":      srv.URL,
	}), args
}
