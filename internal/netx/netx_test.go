package netx

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestIsLoopback(t *testing.T) {
	tests := []struct {
		host string
		want bool
	}{
		{"localhost", true},
		{"LocalHost", true},
		{"localhost.", false}, // resolved through DNS, not /etc/hosts
		{"LOCALHOST.", false},
		{"127.0.0.1", true},
		{"127.1.2.3", true},
		{"::1", true},
		{"0:0:0:0:0:0:0:1", true},
		{"::ffff:127.0.0.1", true},
		{"", false},
		{"[::1]", false},
		{"127.0.0.1:80", false},
		{"localhost.example.com", false},
		{"mylocalhost", false},
		{"10.0.0.1", false},
		{"0.0.0.0", false},
		{"::", false},
		{"example.com", false},
		{"128.0.0.1", false},
	}
	for _, tt := range tests {
		t.Run(tt.host, func(t *testing.T) {
			assert.Equal(t, tt.want, IsLoopback(tt.host))
		})
	}
}
