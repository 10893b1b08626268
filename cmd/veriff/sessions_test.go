package main

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/veriffgo/veriff"
	"github.com/veriffgo/veriff/verifftest"
)

// newAPI starts verifftest and points the VERIFF_* variables at it.
func newAPI(t *testing.T) *verifftest.Server {
	t.Helper()
	clearEnv(t)
	srv := verifftest.NewServer(testKey, testSecret)
	t.Cleanup(srv.Close)
	t.Setenv("VERIFF_API_KEY", testKey)
	t.Setenv("VERIFF_SHARED_SECRET", testSecret)
	t.Setenv("VERIFF_BASE_URL", srv.URL)
	return srv
}

// runJSON runs a command that must succeed and decodes its stdout.
func runJSON(t *testing.T, out any, args ...string) {
	t.Helper()
	res := runCmd(t, nil, args...)
	require.Equal(t, exitOK, res.code, res.stderr)
	require.Empty(t, res.stderr)
	require.NoError(t, json.Unmarshal([]byte(res.stdout), out), res.stdout)
}

func TestSessionsINEFlow(t *testing.T) {
	srv := newAPI(t)
	t.Setenv("VERIFF_INTEGRATION_ID", "integration-7")

	var created veriff.Session
	runJSON(t, &created, "sessions", "create", "-vendor-data", "order-1", "-first-name", "Maria", "-last-name", "Ejemplo", "-ine")
	require.NotEmpty(t, created.ID)
	assert.NotEmpty(t, created.URL)
	snap, ok := srv.Session(created.ID)
	require.True(t, ok)
	assert.Equal(t, "order-1", snap.VendorData)

	var submitted veriff.Session
	runJSON(t, &submitted, "sessions", "submit", created.ID)
	assert.Equal(t, created.ID, submitted.ID)
	assert.Equal(t, veriff.StatusSubmitted, submitted.Status)

	var undecided veriff.Decision
	runJSON(t, &undecided, "sessions", "decision", created.ID)
	assert.Nil(t, undecided.Verification)

	require.NoError(t, srv.Decide(created.ID, veriff.StatusApproved))
	var decided veriff.Decision
	runJSON(t, &decided, "sessions", "decision", created.ID)
	require.NotNil(t, decided.Verification)
	assert.Equal(t, veriff.StatusApproved, decided.Verification.Status)

	var ine veriff.INERegistryResult
	runJSON(t, &ine, "sessions", "ine-registry", created.ID)
	assert.True(t, ine.Active)

	require.NoError(t, srv.SetINERegistry(created.ID, veriff.INERegistryResult{Active: false, DocumentState: "no vigente"}))
	runJSON(t, &ine, "sessions", "ine-registry", created.ID)
	assert.False(t, ine.Active)
	assert.Equal(t, "no vigente", ine.DocumentState)

	var deleted struct {
		ID      string `json:"id"`
		Deleted bool   `json:"deleted"`
	}
	runJSON(t, &deleted, "sessions", "delete", created.ID)
	assert.Equal(t, created.ID, deleted.ID)
	assert.True(t, deleted.Deleted)
	_, ok = srv.Session(created.ID)
	assert.False(t, ok, "deleted")
}

func TestSessionsCreatePlain(t *testing.T) {
	srv := newAPI(t)
	var created veriff.Session
	runJSON(t, &created, "sessions", "create")
	snap, ok := srv.Session(created.ID)
	require.True(t, ok)
	assert.Empty(t, snap.VendorData)
}

func TestSessionsFailures(t *testing.T) {
	newAPI(t)
	tests := []struct {
		name      string
		env       map[string]string
		args      []string
		code      int
		stderrHas string
	}{
		{"no subcommand", nil, []string{"sessions"}, exitUsage, "want a subcommand"},
		{"unknown subcommand", nil, []string{"sessions", "list"}, exitUsage, `unknown subcommand "list"`},
		{"submit without an ID", nil, []string{"sessions", "submit"}, exitUsage, "want exactly one SESSION_ID"},
		{"decision with two IDs", nil, []string{"sessions", "decision", "a", "b"}, exitUsage, "want exactly one SESSION_ID"},
		{"bad ID", nil, []string{"sessions", "decision", "../x"}, exitUsage, "invalid"},
		{"create with an argument", nil, []string{"sessions", "create", "extra"}, exitUsage, `unexpected argument "extra"`},
		{"create with a bad flag", nil, []string{"sessions", "create", "-nope"}, exitUsage, "flag provided but not defined"},
		{"unknown session", nil, []string{"sessions", "decision", "00000000-0000-4000-8000-000000000000"}, exitFailed, "404"},
		{"delete unknown session", nil, []string{"sessions", "delete", "00000000-0000-4000-8000-000000000000"}, exitFailed, "404"},
		{"no API key", map[string]string{"VERIFF_API_KEY": ""}, []string{"sessions", "create"}, exitUsage, "invalid VERIFF_API_KEY: environment variable is not set"},
		{"no secret", map[string]string{"VERIFF_SHARED_SECRET": ""}, []string{"sessions", "decision", "abc"}, exitUsage, "invalid VERIFF_SHARED_SECRET: environment variable is not set"},
		{"plain http to a remote host", map[string]string{"VERIFF_BASE_URL": "http://veriff.internal:8700"}, []string{"sessions", "create"}, exitUsage, "http"},
		{"wrong secret", map[string]string{"VERIFF_SHARED_SECRET": "wrong"}, []string{"sessions", "create", "-vendor-data", "x"}, exitFailed, "401"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			res := runCmd(t, nil, tt.args...)
			assert.Equal(t, tt.code, res.code, res.stderr)
			assert.Empty(t, res.stdout)
			assert.Contains(t, res.stderr, tt.stderrHas)
			assert.NotContains(t, res.stderr, testSecret)
			assert.NotContains(t, res.stderr, testKey)
		})
	}
}
