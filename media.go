package veriff

import (
	"context"
	"io"
	"net/http"
	"time"
)

// MediaContext says what an image or video shows ("document-front",
// "face", ...). The type is open: Veriff adds contexts over time, values
// without a constant here pass through unchanged, and UploadMedia accepts
// any context of plausible form (lowercase letters, digits, '-' and '_', at
// most 64 bytes), leaving Veriff to decide whether it supports it.
type MediaContext string

// Media contexts of images. A "-pre" suffix marks the first capture of a
// pair; the context without it is the second capture.
const (
	ContextFace          MediaContext = "face"
	ContextFacePre       MediaContext = "face-pre"
	ContextFaceNFC       MediaContext = "face-nfc"
	ContextFaceCropped   MediaContext = "face-cropped"
	ContextFaceReference MediaContext = "face-reference"

	ContextDocumentFront                 MediaContext = "document-front"
	ContextDocumentFrontPre              MediaContext = "document-front-pre"
	ContextDocumentFrontQRCode           MediaContext = "document-front-qrcode"
	ContextDocumentFrontQRCodePre        MediaContext = "document-front-qrcode-pre"
	ContextDocumentFrontFaceCropped      MediaContext = "document-front-face-cropped"
	ContextDocumentFrontWithSignature    MediaContext = "document-front-with-signature"
	ContextDocumentFrontWithSignaturePre MediaContext = "document-front-with-signature-pre"

	ContextDocumentBack           MediaContext = "document-back"
	ContextDocumentBackPre        MediaContext = "document-back-pre"
	ContextDocumentBackBarcode    MediaContext = "document-back-barcode"
	ContextDocumentBackBarcodePre MediaContext = "document-back-barcode-pre"
	ContextDocumentBackQRCode     MediaContext = "document-back-qrcode"
	ContextDocumentBackQRCodePre  MediaContext = "document-back-qrcode-pre"

	ContextDocumentAndFace    MediaContext = "document-and-face"
	ContextDocumentAndFacePre MediaContext = "document-and-face-pre"

	// ContextAddressFront is a proof-of-address document.
	ContextAddressFront MediaContext = "address-front"
	// ContextRegistryFace is the face photo returned by a registry check.
	ContextRegistryFace MediaContext = "registry-face"
)

// Media contexts of videos, as listed by SessionMedia and AttemptMedia.
const (
	ContextSelfIDVideo                 MediaContext = "selfid_video"
	ContextFacePreVideo                MediaContext = "face-pre-video"
	ContextDocumentFrontPreVideo       MediaContext = "document-front-pre-video"
	ContextDocumentBackPreVideo        MediaContext = "document-back-pre-video"
	ContextDocumentAndFacePreVideo     MediaContext = "document-and-face-pre-video"
	ContextDocumentBackBarcodePreVideo MediaContext = "document-back-barcode-pre-video"
)

// ContextDocumentNFC is the context of NFC chip data read from a document.
const ContextDocumentNFC MediaContext = "document-nfc"

// MediaUpload is one image (or PDF) to upload to a session.
type MediaUpload struct {
	// Context says what the image shows, e.g. ContextDocumentFront.
	Context MediaContext
	// Content holds the raw file bytes (JPEG, PNG, HEIC/HEIF, WebP or PDF);
	// the SDK detects the type and encodes them. It must not be modified
	// until UploadMedia returns.
	Content []byte
	// Timestamp is when the image was captured; optional.
	Timestamp time.Time
}

// Media describes an uploaded image or video.
type Media struct {
	ID        string       `json:"id"`
	Name      string       `json:"name"`
	SessionID string       `json:"sessionId"`
	MimeType  string       `json:"mimetype"`
	URL       string       `json:"url"`
	Context   MediaContext `json:"context"`
	// Size is the file size in bytes, 0 when Veriff sent none; a number or
	// a numeric string is accepted.
	Size int64 `json:"size" veriff:"flex"`
	// Timestamp is deprecated by Veriff and normally null.
	Timestamp *time.Time `json:"timestamp"`
	// Duration is a video's length in seconds; nil for images.
	Duration *float64 `json:"duration,omitempty" veriff:"flex"`
}

// UnmarshalJSON decodes a Media leniently: size and duration may be numbers
// or numeric strings, and an unreadable timestamp is left nil.
func (m *Media) UnmarshalJSON(b []byte) error { return decodeLenient(b, m) }

// UnmarshalJSON decodes the list leniently: a malformed entry loses only
// its own fields.
func (l *MediaList) UnmarshalJSON(b []byte) error { return decodeLenient(b, l) }

// MediaList is the media of a session or attempt, best quality first.
type MediaList struct {
	Images []Media `json:"images"`
	Videos []Media `json:"videos"`
	// NFCDocuments are the NFC chip data read from documents.
	NFCDocuments []Media `json:"nfcDocuments,omitempty"`
}

// validMediaContext reports whether ctx has the form of Veriff's contexts.
func validMediaContext(ctx MediaContext) bool {
	if len(ctx) == 0 || len(ctx) > 64 {
		return false
	}
	for i := 0; i < len(ctx); i++ {
		c := ctx[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// SessionMedia lists the images and videos of a session's most recent
// attempt. For an older attempt use AttemptMedia.
//
// Veriff API: GET /v1/sessions/{id}/media
func (c *Client) SessionMedia(ctx context.Context, sessionID string) (*MediaList, error) {
	return getJSON[MediaList](ctx, c, "/sessions/{sessionID}/media", sessionID)
}

// AttemptMedia lists the images and videos of one attempt of a session
// (see Attempts). The request is signed over the attempt ID.
//
// Veriff API: GET /v1/attempts/{id}/media
func (c *Client) AttemptMedia(ctx context.Context, attemptID string) (*MediaList, error) {
	return getJSON[MediaList](ctx, c, "/attempts/{attemptID}/media", attemptID)
}

// DownloadMedia streams the file of one image or video (its ID from
// SessionMedia or AttemptMedia) into w and returns how many bytes it
// wrote. The file is not buffered in memory; it is delivered as Veriff sent
// it (the request asks for Accept-Encoding: identity, and a compressed
// answer is not inflated). It is not size-capped unless the client has a
// cap (WithMaxDownloadBytes). An error while reading the response or
// writing to w is returned with the count of bytes written so far. The
// request is signed over the media ID.
//
// Veriff API: GET /v1/media/{id}
func (c *Client) DownloadMedia(ctx context.Context, mediaID string, w io.Writer) (int64, error) {
	r, err := newRequest(http.MethodGet, "/media/{mediaID}", mediaID)
	if err != nil {
		return 0, err
	}
	return c.download(ctx, r, w, "media")
}
