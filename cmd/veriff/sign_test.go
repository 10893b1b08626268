package main

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// hmacHex is the reference signature, computed apart from the SDK.
func hmacHex(secret, msg string) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(msg))
	return hex.EncodeToString(m.Sum(nil))
}

func TestSign(t *testing.T) {
	tests := []struct {
		name      string
		env       string
		args      []string
		stdin     io.Reader
		code      int
		stdout    string
		stderrHas string
	}{
		{"stdin", "", []string{"-secret", testSecret}, strings.NewReader(`{"a":1}`), exitOK, hmacHex(testSecret, `{"a":1}`) + "\n", ""},
		{"stdin keeps its trailing newline", "", []string{"-secret", testSecret}, strings.NewReader("{}\n"), exitOK, hmacHex(testSecret, "{}\n") + "\n", ""},
		{"not JSON is fine", "", []string{"-secret", testSecret}, strings.NewReader("\x00\xffnot json"), exitOK, hmacHex(testSecret, "\x00\xffnot json") + "\n", ""},
		{"empty stdin signs the empty body with a warning", "", []string{"-secret", testSecret}, strings.NewReader(""), exitOK, hmacHex(testSecret, "") + "\n", "stdin is empty"},
		{"nil stdin", "", []string{"-secret", testSecret}, nil, exitOK, hmacHex(testSecret, "") + "\n", "stdin is empty"},
		{"id", "", []string{"-secret", testSecret, "-id", "f04bdb47-d3be-4b28-b028-a652feb060b5"}, strings.NewReader("ignored"), exitOK, hmacHex(testSecret, "f04bdb47-d3be-4b28-b028-a652feb060b5") + "\n", ""},
		{"secret from the environment", "env-secret", []string{"-id", "abc"}, nil, exitOK, hmacHex("env-secret", "abc") + "\n", ""},
		{"flag wins over the environment", "env-secret", []string{"-secret", testSecret, "-id", "abc"}, nil, exitOK, hmacHex(testSecret, "abc") + "\n", ""},
		{"no secret", "", []string{"-id", "abc"}, nil, exitUsage, "", "-secret is required"},
		{"empty id", "", []string{"-secret", testSecret, "-id", ""}, nil, exitUsage, "", "-id is empty"},
		{"extra argument", "", []string{"-secret", testSecret, "body.json"}, nil, exitUsage, "", `unexpected argument "body.json"`},
		{"huge stdin", "", []string{"-secret", testSecret}, bigReader(maxStdinBytes + 1), exitFailed, "", "larger than 64 MiB"},
		{"unreadable stdin", "", []string{"-secret", testSecret}, errReader{}, exitFailed, "", "reading stdin"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clearEnv(t)
			t.Setenv(secretEnv, tt.env)
			res := runCmd(t, tt.stdin, append([]string{"sign"}, tt.args...)...)
			assert.Equal(t, tt.code, res.code, res.stderr)
			assert.Equal(t, tt.stdout, res.stdout)
			if tt.stderrHas != "" {
				assert.Contains(t, res.stderr, tt.stderrHas)
			} else {
				assert.Empty(t, res.stderr)
			}
			assert.NotContains(t, res.stderr, testSecret)
		})
	}
}

func TestSignAtTheLimit(t *testing.T) {
	clearEnv(t)
	body := bytes.Repeat([]byte("a"), maxStdinBytes)
	res := runCmd(t, bytes.NewReader(body), "sign", "-secret", testSecret)
	require.Equal(t, exitOK, res.code, res.stderr)
	assert.Equal(t, hmacHex(testSecret, string(body))+"\n", res.stdout)
}
