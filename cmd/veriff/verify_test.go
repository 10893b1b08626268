package main

import (
	"io"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestVerify(t *testing.T) {
	body := `{"id":"f04bdb47","status":"approved"}`
	good := hmacHex(testSecret, body)
	old := hmacHex("old-secret", body)
	tests := []struct {
		name      string
		env       string
		args      []string
		stdin     io.Reader
		code      int
		stdoutHas string
		stderrHas []string
	}{
		{"signed with the only secret", "", []string{"-signature", good, "-secret", testSecret}, strings.NewReader(body), exitOK, "ok: signed with secret 1 of 1", nil},
		{"upper-case hex", "", []string{"-signature", strings.ToUpper(good), "-secret", testSecret}, strings.NewReader(body), exitOK, "ok: signed with secret 1 of 1", nil},
		{"signed with the second secret", "", []string{"-signature", old, "-secret", testSecret, "-secret", "old-secret"}, strings.NewReader(body), exitOK, "ok: signed with secret 2 of 2", nil},
		{"secret from the environment", testSecret, []string{"-signature", good}, strings.NewReader(body), exitOK, "ok: signed with secret 1 of 1", nil},
		{"not JSON is fine", "", []string{"-signature", hmacHex(testSecret, "plain text"), "-secret", testSecret}, strings.NewReader("plain text"), exitOK, "ok", nil},
		{"empty body signed", "", []string{"-signature", hmacHex(testSecret, ""), "-secret", testSecret}, strings.NewReader(""), exitOK, "(0 bytes)", nil},
		{"wrong secret", "", []string{"-signature", good, "-secret", "other", "-secret", "another"}, strings.NewReader(body), exitFailed, "", []string{"matches none of the 2 secret(s)", "raw bytes"}},
		{"tampered body", "", []string{"-signature", good, "-secret", testSecret}, strings.NewReader(body + " "), exitFailed, "", []string{"matches none", "without its surrounding white space"}},
		{"trailing newline added", "", []string{"-signature", good, "-secret", testSecret}, strings.NewReader(body + "\n"), exitFailed, "", []string{"without its trailing newline (secret 1)"}},
		{"empty stdin", "", []string{"-signature", good, "-secret", testSecret}, strings.NewReader(""), exitFailed, "", []string{"stdin is empty"}},
		{"malformed signature", "", []string{"-signature", "abc", "-secret", testSecret}, strings.NewReader(body), exitFailed, "", []string{"not 64 hex digits"}},
		{"not hex", "", []string{"-signature", strings.Repeat("z", 64), "-secret", testSecret}, strings.NewReader(body), exitFailed, "", []string{"not 64 hex digits"}},
		{"no signature", "", []string{"-secret", testSecret}, strings.NewReader(body), exitUsage, "", []string{"-signature is required"}},
		{"no secret", "", []string{"-signature", good}, strings.NewReader(body), exitUsage, "", []string{"-secret is required"}},
		{"empty secret", "", []string{"-signature", good, "-secret", testSecret, "-secret", ""}, strings.NewReader(body), exitUsage, "", []string{"-secret number 2 is empty"}},
		{"extra argument", "", []string{"-signature", good, "-secret", testSecret, "x"}, strings.NewReader(body), exitUsage, "", []string{`unexpected argument "x"`}},
		{"huge stdin", "", []string{"-signature", good, "-secret", testSecret}, bigReader(maxStdinBytes + 10), exitFailed, "", []string{"larger than 64 MiB"}},
		{"unreadable stdin", "", []string{"-signature", good, "-secret", testSecret}, errReader{}, exitFailed, "", []string{"reading stdin"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clearEnv(t)
			t.Setenv(secretEnv, tt.env)
			res := runCmd(t, tt.stdin, append([]string{"verify"}, tt.args...)...)
			assert.Equal(t, tt.code, res.code, res.stderr)
			if tt.stdoutHas != "" {
				assert.Contains(t, res.stdout, tt.stdoutHas)
			} else {
				assert.Empty(t, res.stdout)
			}
			for _, s := range tt.stderrHas {
				assert.Contains(t, res.stderr, s)
			}
			// Never a secret or a signature on stderr.
			assert.NotContains(t, res.stderr, testSecret)
			assert.NotContains(t, res.stderr, good)
			assert.NotContains(t, res.stderr, old)
		})
	}
}
