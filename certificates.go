package veriff

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"
)

// Certificate is a long-term preservation certificate of a session: a
// signed attestation of one or more of the session's source files. Veriff
// published the endpoint in 2026 and its shape may grow: the common fields
// are typed and Raw holds the whole object.
type Certificate struct {
	ID        string     `json:"id"`
	Type      string     `json:"type,omitempty"`
	Status    string     `json:"status,omitempty"`
	CreatedAt *time.Time `json:"createdAt,omitempty"`
	// Files are the source files the certificate attests; download one with
	// DownloadCertificateFile.
	Files []CertificateFile `json:"files,omitempty"`
	// Raw is the certificate object as received.
	Raw json.RawMessage `json:"-"`
}

// CertificateFile is one source file attested by a Certificate.
type CertificateFile struct {
	ID       string `json:"id"`
	Name     string `json:"name,omitempty"`
	MimeType string `json:"mimetype,omitempty"`
	Context  string `json:"context,omitempty"`
	// Size is in bytes, 0 when Veriff sent none.
	Size int64 `json:"size,omitempty" veriff:"flex"`
}

// UnmarshalJSON decodes a certificate leniently, keeping it in Raw.
func (c *Certificate) UnmarshalJSON(data []byte) error { return decodeLenient(data, c) }

// UnmarshalJSON decodes a file leniently: Size may be a number or a numeric
// string.
func (f *CertificateFile) UnmarshalJSON(data []byte) error { return decodeLenient(data, f) }

// Certificates lists the session's long-term preservation certificates
// (nil when there are none). The request is signed over the session ID.
//
// Veriff API: GET /v1/sessions/{id}/certificates
func (c *Client) Certificates(ctx context.Context, sessionID string) ([]Certificate, error) {
	return getUnwrapped[[]Certificate, itemList[Certificate]](ctx, c, "/sessions/{sessionID}/certificates", sessionID)
}

// DownloadCertificateFile streams the source file a certificate attests
// into w and returns how many bytes it wrote, like DownloadMedia: not
// buffered, capped only by WithMaxDownloadBytes, and an error mid-stream
// comes with the count written so far. All three IDs are validated; the request is signed over
// the session ID.
//
// Veriff API: GET /v1/sessions/{id}/certificates/{certificateId}/files/{fileId}
func (c *Client) DownloadCertificateFile(ctx context.Context, sessionID, certificateID, fileID string, w io.Writer) (int64, error) {
	r, err := newRequest(http.MethodGet, "/sessions/{sessionID}/certificates/{certificateID}/files/{fileID}", sessionID, certificateID, fileID)
	if err != nil {
		return 0, err
	}
	return c.download(ctx, r, w, "file")
}

// download streams the binary answer of r into w: the body of
// DownloadMedia and DownloadCertificateFile.
func (c *Client) download(ctx context.Context, r *request, w io.Writer, what string) (int64, error) {
	if w == nil {
		return 0, invalidInput("w", "nil io.Writer")
	}
	r.binary = true
	resp, err := c.send(ctx, r)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	limit := c.maxDownloadBytes
	if limit > 0 && resp.ContentLength > limit {
		return 0, c.wrapErr(r, fmt.Errorf("%w: %s of %d bytes exceeds %d bytes", ErrResponseTooLarge, what, resp.ContentLength, limit))
	}
	body := io.Reader(resp.Body)
	if limit > 0 {
		body = io.LimitReader(resp.Body, limit)
	}
	n, err := io.Copy(w, body)
	if err != nil {
		return n, c.wrapErr(r, fmt.Errorf("copying %s after %d bytes: %w", what, n, err))
	}
	if limit > 0 && n == limit {
		// Probe for one more byte. Reaching the end here is also where a
		// verified body reports a bad signature: that error is kept.
		var one [1]byte
		m, err := io.ReadFull(resp.Body, one[:])
		if m > 0 {
			return n, c.wrapErr(r, fmt.Errorf("%w: %s exceeds %d bytes", ErrResponseTooLarge, what, limit))
		}
		if err != nil && !errors.Is(err, io.EOF) {
			return n, c.wrapErr(r, fmt.Errorf("reading %s after %d bytes: %w", what, n, err))
		}
	}
	return n, nil
}
