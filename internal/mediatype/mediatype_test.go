package mediatype

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestDetect(t *testing.T) {
	tests := []struct {
		name string
		head []byte
		want string
	}{
		{"jpeg", []byte{0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10, 'J', 'F', 'I', 'F'}, "image/jpeg"},
		{"png", []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), "image/png"},
		{"webp", []byte("RIFF\x24\x00\x00\x00WEBPVP8 \x18\x00\x00\x00"), "image/webp"},
		{"pdf", []byte("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n"), "application/pdf"},
		{"heic", []byte("\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic"), "image/heic"},
		{"heix", []byte("\x00\x00\x00\x18ftypheix\x00\x00\x00\x00"), "image/heic"},
		{"hevc", []byte("\x00\x00\x00\x18ftyphevc\x00\x00\x00\x00"), "image/heic"},
		{"heim", []byte("\x00\x00\x00\x18ftypheim\x00\x00\x00\x00"), "image/heic"},
		{"heis", []byte("\x00\x00\x00\x18ftypheis\x00\x00\x00\x00"), "image/heic"},
		{"hevm", []byte("\x00\x00\x00\x18ftyphevm\x00\x00\x00\x00"), "image/heic"},
		{"hevs", []byte("\x00\x00\x00\x18ftyphevs\x00\x00\x00\x00"), "image/heic"},
		{"mif1", []byte("\x00\x00\x00\x18ftypmif1\x00\x00\x00\x00mif1heic"), "image/heif"},
		{"msf1", []byte("\x00\x00\x00\x18ftypmsf1\x00\x00\x00\x00"), "image/heif"},
		{"avif is not supported", []byte("\x00\x00\x00\x1cftypavif\x00\x00\x00\x00mif1"), ""},
		{"mp4 is not supported", []byte("\x00\x00\x00\x18ftypisom\x00\x00\x02\x00"), ""},
		{"gif", []byte("GIF89a\x01\x00\x01\x00"), ""},
		{"riff but wave", []byte("RIFF\x24\x00\x00\x00WAVEfmt "), ""},
		{"text", []byte("hello, world"), ""},
		{"truncated jpeg", []byte{0xFF, 0xD8}, ""},
		{"empty", nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, Detect(tt.head))
		})
	}
}
