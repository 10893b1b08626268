package main

import (
	"bytes"
	"context"
	"regexp"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/veriffgo/veriff"
)

// setEnv sets every VERIFF_* variable newClient reads ("" for unset).
func setEnv(t *testing.T, key, secret, baseURL string) {
	t.Setenv(veriff.EnvAPIKey, key)
	t.Setenv(veriff.EnvSharedSecret, secret)
	t.Setenv(veriff.EnvBaseURL, baseURL)
	t.Setenv(veriff.EnvIntegrationID, "")
}

// runFlow runs the program as `go run ./examples/ine-flow [-legacy]` does
// and returns what it printed.
func runFlow(t *testing.T, legacy bool) string {
	t.Helper()
	setEnv(t, "", "", "")
	client, where, closeFake, err := newClient(legacy)
	require.NoError(t, err)
	defer closeFake()
	assert.Equal(t, "verifftest (no VERIFF_* variables set)", where)

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var out bytes.Buffer
	require.NoError(t, run(ctx, &out, client, where, legacy))
	text := out.String()
	assert.Len(t, regexp.MustCompile(`(?m)^\[\d\] `).FindAllString(text, -1), 7, "one line per step:\n%s", text)
	for _, want := range []string{
		"[2] uploaded document-front (generated JPEG, ",
		"[3] uploaded document-back (generated JPEG, ",
		"[4] uploaded face (generated JPEG, ",
		"[5] session submitted\n",
		"[6] decision: approved (code 9001)\n",
		"INE biometric  valid\n",
		"Verdict        verified\n",
	} {
		assert.Contains(t, text, want)
	}
	assert.Regexp(t, `(?m)^\[1\] session created with INE consent: [0-9a-f-]{36}$`, text)
	assert.NotContains(t, text, "demo-shared-secret", "the secret is never printed")
	return text
}

// No flag: the current products, the verdict from the decision alone.
func TestRunCurrentAgainstTheFake(t *testing.T) {
	text := runFlow(t, false)
	assert.Contains(t, text, "INE flow (current INE checks (Database, Biometric)) against verifftest (no VERIFF_* variables set) at http://127.0.0.1:")
	assert.Contains(t, text, "[7] INE Database and Biometric verifications: read from the decision\n")
	assert.Contains(t, text, "Verdict        verified\n  - Veriff approved the session\n"+
		"  - the approved decision includes the INE Database Verification's outcome\n"+
		"  - the credential is valid and active in the INE registry and the face matches (similarity 97%)\n")
	assert.NotContains(t, text, "INE registry:")
}

// -legacy: today's registry flow and AssessINE.
func TestRunLegacyAgainstTheFake(t *testing.T) {
	text := runFlow(t, true)
	assert.Contains(t, text, "INE flow (legacy INE registry check) against verifftest")
	assert.Contains(t, text, "[7] INE registry: active true, El documento es válido.\n")
	assert.Contains(t, text, "Verdict        verified\n  - Veriff approved the session\n  - the INE registry reports the voter credential as active\n")
}

// Some VERIFF_* variables but not all the real API needs: a settings error
// (exit 2), before anything is sent, naming the variable and not the value.
func TestNewClientRefusesPartialSettings(t *testing.T) {
	for _, tc := range []struct {
		name, key, secret, baseURL, want string
	}{
		{"only the API key", "key-from-env", "", "", veriff.EnvSharedSecret},
		{"only the base URL", "", "", "https://x.example", veriff.EnvAPIKey},
		{"plain http to a remote host", "key-from-env", "secret-from-env", "http://example.com", veriff.EnvBaseURL},
	} {
		t.Run(tc.name, func(t *testing.T) {
			setEnv(t, tc.key, tc.secret, tc.baseURL)
			_, _, _, err := newClient(false)
			require.ErrorIs(t, err, veriff.ErrInvalidInput)
			assert.Contains(t, err.Error(), tc.want)
			assert.NotContains(t, err.Error(), "secret-from-env")
		})
	}
}

// With the three variables set the program talks to that base URL.
func TestNewClientFromEnv(t *testing.T) {
	setEnv(t, "key-from-env", "secret-from-env", "https://api.example.test")
	client, where, closeFake, err := newClient(false)
	require.NoError(t, err)
	closeFake()
	assert.Equal(t, "Veriff", where)
	assert.Equal(t, "https://api.example.test/v1", client.BaseURL())
}
