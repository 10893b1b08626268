package veriff

import (
	"bytes"
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCertificatesWire(t *testing.T) {
	c, mt := setup(t)
	rec := newRecorder(mt, reply(200, fixture(t, "api/certificates.json")))
	_, err := c.Certificates(context.Background(), testSessionID)
	require.NoError(t, err)
	got := rec.last(t)
	assert.Equal(t, http.MethodGet, got.method)
	assert.Equal(t, "/v1/sessions/"+testSessionID+"/certificates", got.path)
	assert.Empty(t, got.body)
	assert.Equal(t, testAPIKey, got.header.Get("X-AUTH-CLIENT"))
	assert.Equal(t, Sign(testSecret, []byte(testSessionID)), got.header.Get("X-HMAC-SIGNATURE"))
	assert.Equal(t, "application/json", got.header.Get("Accept"))
}

func TestCertificatesParse(t *testing.T) {
	tests := []struct {
		name    string
		fixture string
		check   func(t *testing.T, certs []Certificate)
	}{
		{"envelope", "api/certificates.json", func(t *testing.T, certs []Certificate) {
			require.Len(t, certs, 2)
			c0 := certs[0]
			assert.Equal(t, "cert-0001", c0.ID)
			assert.Equal(t, "long_term_preservation", c0.Type)
			assert.Equal(t, "issued", c0.Status)
			require.NotNil(t, c0.CreatedAt)
			assert.Equal(t, time.Date(2026, 9, 14, 10, 11, 12, 0, time.UTC), c0.CreatedAt.UTC())
			require.Len(t, c0.Files, 2)
			assert.Equal(t, CertificateFile{ID: "file-01", Name: "document-front.jpg", MimeType: "image/jpeg", Context: "document-front", Size: 48213}, c0.Files[0])
			assert.Equal(t, int64(30111), c0.Files[1].Size)
			assert.Contains(t, string(c0.Raw), `"issuer"`, "Raw keeps fields without a Go field")
			assert.Equal(t, "cert-0002", certs[1].ID, "mistyped fields lose only themselves")
			assert.Nil(t, certs[1].CreatedAt)
			assert.Empty(t, certs[1].Files)
		}},
		{"bare array", "api/certificates_bare.json", func(t *testing.T, certs []Certificate) {
			require.Len(t, certs, 1)
			assert.Equal(t, "cert-0100", certs[0].ID)
			assert.Equal(t, "file-09", certs[0].Files[0].ID)
		}},
		{"empty envelope", "api/watchlist_patch.json", func(t *testing.T, certs []Certificate) {
			assert.Empty(t, certs)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, mt := setup(t)
			newRecorder(mt, reply(200, fixture(t, tt.fixture)))
			certs, err := c.Certificates(context.Background(), testSessionID)
			require.NoError(t, err)
			tt.check(t, certs)
		})
	}
}

func TestDownloadCertificateFile(t *testing.T) {
	file := fixture(t, "media/face.jpg")
	c, mt := setup(t)
	rec := newRecorder(mt, reply(200, file, "Content-Type", "image/jpeg"))
	var out bytes.Buffer
	n, err := c.DownloadCertificateFile(context.Background(), testSessionID, "cert-0001", "file-02", &out)
	require.NoError(t, err)
	assert.Equal(t, int64(len(file)), n)
	assert.Equal(t, file, out.Bytes())
	got := rec.last(t)
	assert.Equal(t, http.MethodGet, got.method)
	assert.Equal(t, "/v1/sessions/"+testSessionID+"/certificates/cert-0001/files/file-02", got.path)
	assert.Equal(t, Sign(testSecret, []byte(testSessionID)), got.header.Get("X-HMAC-SIGNATURE"))
	assert.Equal(t, "*/*", got.header.Get("Accept"))
}

func TestDownloadCertificateFileRefusesBadInput(t *testing.T) {
	var out bytes.Buffer
	tests := []struct {
		name                string
		session, cert, file string
		w                   *bytes.Buffer
		want                string
	}{
		{"bad session", "", "c", "f", &out, "sessionID"},
		{"bad certificate", testSessionID, "../x", "f", &out, "certificateID"},
		{"bad file", testSessionID, "c", "a?b", &out, "fileID"},
		{"nil writer", testSessionID, "c", "f", nil, "nil io.Writer"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, mt := setup(t)
			var err error
			if tt.w == nil {
				_, err = c.DownloadCertificateFile(context.Background(), tt.session, tt.cert, tt.file, nil)
			} else {
				_, err = c.DownloadCertificateFile(context.Background(), tt.session, tt.cert, tt.file, tt.w)
			}
			require.ErrorIs(t, err, ErrInvalidInput)
			assert.Contains(t, err.Error(), tt.want)
			assert.Zero(t, mt.GetTotalCallCount())
		})
	}
}

func TestMediaListNFCDocuments(t *testing.T) {
	c, mt := setup(t)
	newRecorder(mt, reply(200, fixture(t, "api/media_nfc.json")))
	l, err := c.SessionMedia(context.Background(), testSessionID)
	require.NoError(t, err)
	require.Len(t, l.Images, 1)
	require.Len(t, l.NFCDocuments, 1)
	n := l.NFCDocuments[0]
	assert.Equal(t, "nfc-1", n.ID)
	assert.Equal(t, ContextDocumentNFC, n.Context)
	assert.Equal(t, int64(2048), n.Size)
}
