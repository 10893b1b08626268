package fake_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/veriffgo/veriff/internal/fake"
)

func TestIsHost(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"127.0.0.1:8700", true},
		{"veriff", true},
		{"veriff.example.test:443", true},
		{"[::1]:8700", true},
		{"", false},
		{"veriff/x", false},
		{"user@veriff", false},
		{"veriff:port", false},
		{"veriff:123456", false},
		{"<script>", false},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, fake.IsHost(tt.in), tt.in)
	}
}

func TestStatusWriter(t *testing.T) {
	tests := []struct {
		name  string
		serve func(w http.ResponseWriter)
		want  int
	}{
		{"nothing written", func(http.ResponseWriter) {}, http.StatusOK},
		{"body only", func(w http.ResponseWriter) { _, _ = w.Write([]byte("x")) }, http.StatusOK},
		{"status", func(w http.ResponseWriter) { w.WriteHeader(http.StatusTeapot) }, http.StatusTeapot},
		{"first status wins", func(w http.ResponseWriter) {
			w.WriteHeader(http.StatusNotFound)
			w.WriteHeader(http.StatusOK)
		}, http.StatusNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			sw := &fake.StatusWriter{ResponseWriter: rec}
			tt.serve(sw)
			assert.Equal(t, tt.want, sw.Status())
			assert.Equal(t, tt.want, rec.Code)
			assert.Same(t, rec, sw.Unwrap())
		})
	}
}

func TestRoute(t *testing.T) {
	tests := map[string]string{
		"GET /sessions/{id}": "/sessions/{id}",
		"GET /{$}":           "/",
		"/_emulator/":        "/_emulator/",
		"/":                  "/",
		"":                   "",
	}
	for in, want := range tests {
		assert.Equal(t, want, fake.Route(in), in)
	}
}
