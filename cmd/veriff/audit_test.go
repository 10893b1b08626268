package main

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/veriffgo/veriff"
)

// trigger's -session takes exactly what veriff.ValidateID takes, and its
// refusal does not echo the value.
func TestTriggerSessionFlagIsAValidID(t *testing.T) {
	clearEnv(t)
	tests := []struct {
		name    string
		session string
		ok      bool
	}{
		{"uuid", "0f3c2b8e-7d7a-4a57-b9b5-4bd1a1c2d3e4", true},
		{"letters digits - _", "sess_42-A", true},
		{"128 bytes", strings.Repeat("a", 128), true},
		{"129 bytes", strings.Repeat("a", 129), false},
		{"slash", "a/b", false},
		{"dot dot", "..", false},
		{"space", "a b", false},
		{"non-ASCII", "sesión", false},
		{"quote", `a"b`, false},
		{"newline", "a\nb", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.Equal(t, tt.ok, veriff.ValidateID(tt.session) == nil, "the case agrees with ValidateID")
			recv := newReceiver(t, 200)
			res := runCmd(t, nil, "trigger", "-url", recv.URL, "-secret", testSecret, "-session", tt.session, "decision")
			if tt.ok {
				require.Equal(t, exitOK, res.code, res.stderr)
				got := recv.all()
				require.Len(t, got, 1)
				wh, err := veriff.ParseWebhook(got[0].body)
				require.NoError(t, err)
				assert.Equal(t, tt.session, wh.SessionID())
				return
			}
			assert.Equal(t, exitUsage, res.code)
			assert.Contains(t, res.stderr, "-session must be a session ID")
			if len(tt.session) > 1 {
				assert.NotContains(t, res.stderr, tt.session, "the value is not echoed")
			}
			assert.Empty(t, recv.all(), "nothing is sent")
		})
	}
}
