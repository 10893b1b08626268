package ids

import (
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/veriffgo/veriff"
)

var uuidV4 = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

func TestNewUUID(t *testing.T) {
	tests := []struct {
		name  string
		check func(t *testing.T, id string)
	}{
		{"version 4, RFC variant, lower case", func(t *testing.T, id string) { assert.Regexp(t, uuidV4, id) }},
		{"a valid Veriff ID", func(t *testing.T, id string) { assert.NoError(t, veriff.ValidateID(id)) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for i := 0; i < 100; i++ {
				tt.check(t, NewUUID())
			}
		})
	}
	seen := map[string]bool{}
	for i := 0; i < 1000; i++ {
		id := NewUUID()
		require.False(t, seen[id], "duplicate %s", id)
		seen[id] = true
	}
}
