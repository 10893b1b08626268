package main

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRunHelpAndUnknownCommands(t *testing.T) {
	tests := []struct {
		name       string
		args       []string
		code       int
		stdoutHas  []string
		stderrHas  []string
		wantStdout bool
	}{
		{"no arguments", nil, exitUsage, nil, []string{"Commands:", "emulator", "sessions"}, false},
		{"help", []string{"help"}, exitOK, []string{"Commands:", "emulator", "sign", "verify", "trigger", "sessions", "Exit status"}, nil, true},
		{"-h", []string{"-h"}, exitOK, []string{"Commands:"}, nil, true},
		{"--help", []string{"--help"}, exitOK, []string{"Commands:"}, nil, true},
		{"help of a command", []string{"help", "sign"}, exitOK, []string{"Usage: veriff sign", "-secret", "-id"}, nil, true},
		{"help of an unknown command", []string{"help", "nope"}, exitUsage, nil, []string{`unknown command "nope"`}, false},
		{"unknown command", []string{"frobnicate"}, exitUsage, nil, []string{`unknown command "frobnicate"`, "veriff help"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := runCmd(t, nil, tt.args...)
			assert.Equal(t, tt.code, res.code)
			for _, s := range tt.stdoutHas {
				assert.Contains(t, res.stdout, s)
			}
			for _, s := range tt.stderrHas {
				assert.Contains(t, res.stderr, s)
			}
			if !tt.wantStdout {
				assert.Empty(t, res.stdout)
			}
		})
	}
}

// Every command explains every flag with -h, exits 0, and refuses an
// unknown flag with 2.
func TestRunEveryCommandHelpAndBadFlag(t *testing.T) {
	wantFlags := map[string][]string{
		"emulator": {"-addr", "-api-key", "-shared-secret", "-webhook-url", "-auto-decide"},
		"sign":     {"-secret", "-id"},
		"verify":   {"-signature", "-secret"},
		"trigger":  {"-url", "-secret", "-api-key", "-session", "-status", "decision", "ine_registry", "watchlist"},
		"sessions": {"create", "submit", "decision", "ine-registry", "delete", "VERIFF_API_KEY"},
	}
	for _, c := range commands() {
		t.Run(c.name, func(t *testing.T) {
			res := runCmd(t, nil, c.name, "-h")
			assert.Equal(t, exitOK, res.code)
			require.Contains(t, res.stderr, "Usage: veriff "+c.name)
			for _, f := range wantFlags[c.name] {
				assert.Contains(t, res.stderr, f)
			}
			res = runCmd(t, nil, c.name, "-no-such-flag")
			assert.Equal(t, exitUsage, res.code)
			assert.Contains(t, res.stderr, "flag provided but not defined")
			assert.Empty(t, res.stdout)
		})
	}
}

func TestStringListHidesValues(t *testing.T) {
	var l stringList
	require.NoError(t, l.Set("s3cret"))
	require.NoError(t, l.Set("other"))
	assert.Equal(t, []string{"s3cret", "other"}, []string(l))
	assert.False(t, strings.Contains(l.String(), "s3cret"))
}
