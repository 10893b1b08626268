// Package mediatype recognises the file types Veriff accepts for media
// uploads from their first bytes. It is shared by the SDK, which refuses
// other types before sending, and by verifftest, which labels stored media.
package mediatype

import "bytes"

// SniffLen is how many leading bytes Detect needs at most.
const SniffLen = 12

// MIME types Detect returns.
const (
	JPEG = "image/jpeg"
	PNG  = "image/png"
	WebP = "image/webp"
	HEIC = "image/heic"
	HEIF = "image/heif"
	PDF  = "application/pdf"
)

// Detect returns the MIME type of a JPEG, PNG, WebP, HEIC/HEIF or PDF file
// from its first bytes, or "" for anything else.
func Detect(head []byte) string {
	switch {
	case len(head) >= 3 && head[0] == 0xFF && head[1] == 0xD8 && head[2] == 0xFF:
		return JPEG
	case bytes.HasPrefix(head, []byte("\x89PNG\r\n\x1a\n")):
		return PNG
	case len(head) >= 12 && string(head[0:4]) == "RIFF" && string(head[8:12]) == "WEBP":
		return WebP
	case bytes.HasPrefix(head, []byte("%PDF-")):
		return PDF
	case len(head) >= 12 && string(head[4:8]) == "ftyp":
		switch string(head[8:12]) {
		case "heic", "heix", "hevc", "hevx", "heim", "heis", "hevm", "hevs":
			return HEIC
		case "mif1", "msf1":
			return HEIF
		}
	}
	return ""
}
