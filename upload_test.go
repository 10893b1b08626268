package veriff

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"testing/iotest"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// uploadedImage decodes an upload body, checking it is well-formed JSON.
type uploadedImage struct {
	Image struct {
		Context   string  `json:"context"`
		Content   string  `json:"content"`
		Timestamp *string `json:"timestamp"`
	} `json:"image"`
}

func decodeUpload(t *testing.T, body []byte) uploadedImage {
	t.Helper()
	var u uploadedImage
	require.NoError(t, json.Unmarshal(body, &u), "upload body is not JSON")
	return u
}

// Sample heads of the supported formats (enough for detection).
var (
	headHEIC = []byte("\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic")
	headHEIF = []byte("\x00\x00\x00\x18ftypmif1\x00\x00\x00\x00mif1heic")
	headWebP = []byte("RIFF\x24\x00\x00\x00WEBPVP8 \x18\x00\x00\x00")
	headPDF  = []byte("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n")
)

func TestUploadMediaWire(t *testing.T) {
	jpg := fixture(t, "media/face.jpg")
	png := fixture(t, "media/document_front.png")
	when := time.Date(2024, 5, 1, 13, 4, 5, 123456789, time.FixedZone("CEST", 2*3600))

	tests := []struct {
		name      string
		upload    func(c *Client) (*Media, error)
		context   string
		mime      string
		content   []byte
		timestamp string // "" when none is sent
	}{
		{"png bytes", func(c *Client) (*Media, error) {
			return c.UploadMedia(context.Background(), testSessionID, MediaUpload{Context: ContextDocumentFront, Content: png})
		}, "document-front", "image/png", png, ""},
		{"jpeg bytes with timestamp", func(c *Client) (*Media, error) {
			return c.UploadMedia(context.Background(), testSessionID, MediaUpload{Context: ContextFace, Content: jpg, Timestamp: when})
		}, "face", "image/jpeg", jpg, "2024-05-01T11:04:05.123Z"},
		{"heic bytes", func(c *Client) (*Media, error) {
			return c.UploadMedia(context.Background(), testSessionID, MediaUpload{Context: ContextDocumentBack, Content: headHEIC})
		}, "document-back", "image/heic", headHEIC, ""},
		{"heif bytes", func(c *Client) (*Media, error) {
			return c.UploadMedia(context.Background(), testSessionID, MediaUpload{Context: ContextFacePre, Content: headHEIF})
		}, "face-pre", "image/heif", headHEIF, ""},
		{"webp bytes", func(c *Client) (*Media, error) {
			return c.UploadMedia(context.Background(), testSessionID, MediaUpload{Context: "document-front-pre", Content: headWebP})
		}, "document-front-pre", "image/webp", headWebP, ""},
		{"pdf bytes, unlisted context", func(c *Client) (*Media, error) {
			return c.UploadMedia(context.Background(), testSessionID, MediaUpload{Context: "proof_of_address-2", Content: headPDF})
		}, "proof_of_address-2", "application/pdf", headPDF, ""},
		{"jpeg file", func(c *Client) (*Media, error) {
			return c.UploadMediaFile(context.Background(), testSessionID, ContextFace, filepath.Join("testdata", "media", "face.jpg"))
		}, "face", "image/jpeg", jpg, ""},
		{"png file", func(c *Client) (*Media, error) {
			return c.UploadMediaFile(context.Background(), testSessionID, ContextDocumentFront, filepath.Join("testdata", "media", "document_front.png"))
		}, "document-front", "image/png", png, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, mt := setup(t)
			rec := newRecorder(mt, reply(http.StatusCreated, fixture(t, "media/upload_response.json")))

			m, err := tt.upload(c)
			require.NoError(t, err)
			require.Len(t, rec.seen, 1)
			r := rec.seen[0]

			assert.Equal(t, http.MethodPost, r.method)
			assert.Equal(t, "/v1/sessions/"+testSessionID+"/media", r.path)
			assert.Empty(t, r.rawQuery)
			assert.Equal(t, testAPIKey, r.header.Get("X-AUTH-CLIENT"))
			assert.Equal(t, "application/json", r.header.Get("Content-Type"))
			assert.Equal(t, Sign(testSecret, r.body), r.header.Get("X-HMAC-SIGNATURE"), "signed over the exact bytes sent")
			assert.Equal(t, int64(len(r.body)), r.contentLength)

			u := decodeUpload(t, r.body)
			assert.Equal(t, tt.context, u.Image.Context)
			prefix := "data:" + tt.mime + ";base64,"
			require.True(t, strings.HasPrefix(u.Image.Content, prefix), "content %.40q", u.Image.Content)
			raw, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(u.Image.Content, prefix))
			require.NoError(t, err)
			assert.Equal(t, tt.content, raw)
			if tt.timestamp == "" {
				assert.Nil(t, u.Image.Timestamp)
				assert.NotContains(t, string(r.body), "timestamp")
			} else {
				require.NotNil(t, u.Image.Timestamp)
				assert.Equal(t, tt.timestamp, *u.Image.Timestamp)
			}

			require.NotNil(t, m)
			assert.Equal(t, "4b6cb5a4-6a0a-4b36-8f5b-1d0f1e3c9a11", m.ID)
		})
	}
}

func TestUploadMediaResponse(t *testing.T) {
	c, mt := setup(t)
	newRecorder(mt, reply(http.StatusCreated, fixture(t, "media/upload_response.json")))
	m, err := c.UploadMedia(context.Background(), testSessionID, MediaUpload{Context: ContextDocumentFront, Content: fixture(t, "media/document_front.png")})
	require.NoError(t, err)
	assert.Equal(t, Media{
		ID:        "4b6cb5a4-6a0a-4b36-8f5b-1d0f1e3c9a11",
		Name:      "document-front",
		SessionID: testSessionID,
		MimeType:  "image/png",
		URL:       "https://stationapi.veriff.com/v1/media/4b6cb5a4-6a0a-4b36-8f5b-1d0f1e3c9a11",
		Context:   ContextDocumentFront,
		Size:      85,
	}, *m)
}

func TestUploadMediaErrorResponses(t *testing.T) {
	png := fixture(t, "media/document_front.png")
	tests := []struct {
		name  string
		reply func() *http.Response
		want  error
		calls int
	}{
		{"conflict after submit", reply(http.StatusConflict, []byte(`{"status":"fail","code":"1304","message":"Session already submitted"}`)), ErrConflict, 1},
		{"context not supported", reply(http.StatusBadRequest, []byte(`{"status":"fail","code":1402,"message":"Image context is not supported"}`)), ErrBadRequest, 1},
		{"server error is not retried", reply(http.StatusInternalServerError, []byte(`{"status":"fail","code":"1101","message":"Something went wrong"}`)), ErrServer, 1},
		{"success without image", reply(http.StatusOK, []byte(`{"status":"success"}`)), ErrInvalidResponse, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, mt := setup(t)
			rec := newRecorder(mt, tt.reply)
			m, err := c.UploadMedia(context.Background(), testSessionID, MediaUpload{Context: ContextDocumentFront, Content: png})
			require.Error(t, err)
			assert.Nil(t, m)
			assert.ErrorIs(t, err, tt.want)
			assert.Len(t, rec.seen, tt.calls)
		})
	}
}

func TestUploadSizeLimits(t *testing.T) {
	jpegHead := []byte{0xFF, 0xD8, 0xFF, 0xE0}
	tests := []struct {
		name    string
		head    []byte
		rawSize int64
		ok      bool
	}{
		// "data:image/jpeg;base64," is 23 characters: 23 + 4*5999994 = 23999999.
		{"image at the limit", jpegHead, 17_999_982, true},
		{"image one byte over", jpegHead, 17_999_983, false},
		// "data:application/pdf;base64," is 28 characters: 28 + 4*4999993 = 19999999.
		{"pdf at the limit", headPDF, 14_999_979, true},
		{"pdf one byte over", headPDF, 14_999_980, false},
		{"huge", jpegHead, 1 << 40, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			up, err := newUpload(ContextFace, time.Time{}, tt.head, tt.rawSize, "content")
			if tt.ok {
				require.NoError(t, err)
				assert.Equal(t, int64(len(up.prefix))+encodedLen(tt.rawSize)+3, up.size)
				return
			}
			require.ErrorIs(t, err, ErrInvalidInput)
			assert.Contains(t, err.Error(), "too large")
		})
	}
}

// refusedFiles writes the files TestUploadMediaRefusedBeforeSending
// offers: empty, a GIF, and sparse JPEG and PDF files just over the limits.
func refusedFiles(t *testing.T) (emptyFile, gifFile, bigFile, bigPDF string) {
	t.Helper()
	dir := t.TempDir()
	emptyFile = filepath.Join(dir, "empty.jpg")
	require.NoError(t, os.WriteFile(emptyFile, nil, 0o600))
	gifFile = filepath.Join(dir, "image.gif")
	require.NoError(t, os.WriteFile(gifFile, []byte("GIF89a\x01\x00\x01\x00\x00\x00\x00;"), 0o600))
	// A sparse file: JPEG magic, then a hole up to just over the limit. It
	// takes no disk space and is refused from its size, never read whole.
	bigFile = filepath.Join(dir, "big.jpg")
	f, err := os.Create(bigFile)
	require.NoError(t, err)
	_, err = f.Write([]byte{0xFF, 0xD8, 0xFF, 0xE0})
	require.NoError(t, err)
	require.NoError(t, f.Truncate(17_999_983))
	require.NoError(t, f.Close())
	bigPDF = filepath.Join(dir, "big.pdf")
	f, err = os.Create(bigPDF)
	require.NoError(t, err)
	_, err = f.Write(headPDF)
	require.NoError(t, err)
	require.NoError(t, f.Truncate(14_999_980))
	require.NoError(t, f.Close())
	return emptyFile, gifFile, bigFile, bigPDF
}

func TestUploadMediaRefusedBeforeSending(t *testing.T) {
	jpg := fixture(t, "media/face.jpg")
	emptyFile, gifFile, bigFile, bigPDF := refusedFiles(t)
	dir := filepath.Dir(emptyFile)
	bg := context.Background()
	tests := []struct {
		name  string
		call  func(c *Client) (*Media, error)
		field string
		says  string
	}{
		{"empty content", func(c *Client) (*Media, error) {
			return c.UploadMedia(bg, testSessionID, MediaUpload{Context: ContextFace})
		}, "content", "empty"},
		{"unknown type", func(c *Client) (*Media, error) {
			return c.UploadMedia(bg, testSessionID, MediaUpload{Context: ContextFace, Content: []byte("GIF89a\x01\x00\x01\x00")})
		}, "content", "unsupported media type"},
		{"empty context", func(c *Client) (*Media, error) {
			return c.UploadMedia(bg, testSessionID, MediaUpload{Content: jpg})
		}, "context", "not a media context"},
		{"context with upper case", func(c *Client) (*Media, error) {
			return c.UploadMedia(bg, testSessionID, MediaUpload{Context: "Document-Front", Content: jpg})
		}, "context", "not a media context"},
		{"context with a quote", func(c *Client) (*Media, error) {
			return c.UploadMedia(bg, testSessionID, MediaUpload{Context: `face","x":"`, Content: jpg})
		}, "context", "not a media context"},
		{"context too long", func(c *Client) (*Media, error) {
			return c.UploadMedia(bg, testSessionID, MediaUpload{Context: MediaContext(strings.Repeat("f", 65)), Content: jpg})
		}, "context", "not a media context"},
		{"bad session ID", func(c *Client) (*Media, error) {
			return c.UploadMedia(bg, "../sessions", MediaUpload{Context: ContextFace, Content: jpg})
		}, "sessionID", ""},
		{"empty session ID", func(c *Client) (*Media, error) {
			return c.UploadMediaFile(bg, "", ContextFace, "testdata/media/face.jpg")
		}, "sessionID", "empty"},
		{"missing file", func(c *Client) (*Media, error) {
			return c.UploadMediaFile(bg, testSessionID, ContextFace, filepath.Join(dir, "nope.jpg"))
		}, "path", "cannot open"},
		{"empty path", func(c *Client) (*Media, error) {
			return c.UploadMediaFile(bg, testSessionID, ContextFace, "")
		}, "path", "empty"},
		{"directory", func(c *Client) (*Media, error) {
			return c.UploadMediaFile(bg, testSessionID, ContextFace, dir)
		}, "path", "not a regular file"},
		{"empty file", func(c *Client) (*Media, error) {
			return c.UploadMediaFile(bg, testSessionID, ContextFace, emptyFile)
		}, "path", "empty"},
		{"unknown file type", func(c *Client) (*Media, error) {
			return c.UploadMediaFile(bg, testSessionID, ContextFace, gifFile)
		}, "path", "unsupported media type"},
		{"image file too large", func(c *Client) (*Media, error) {
			return c.UploadMediaFile(bg, testSessionID, ContextFace, bigFile)
		}, "path", "too large"},
		{"pdf file too large", func(c *Client) (*Media, error) {
			return c.UploadMediaFile(bg, testSessionID, "address-front", bigPDF)
		}, "path", "too large"},
		{"file with bad context", func(c *Client) (*Media, error) {
			return c.UploadMediaFile(bg, testSessionID, "face pre", "testdata/media/face.jpg")
		}, "context", "not a media context"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, mt := setup(t)
			rec := newRecorder(mt, reply(http.StatusCreated, fixture(t, "media/upload_response.json")))
			m, err := tt.call(c)
			require.Error(t, err)
			assert.Nil(t, m)
			assert.ErrorIs(t, err, ErrInvalidInput)
			var ie *InputError
			require.ErrorAs(t, err, &ie)
			assert.Equal(t, tt.field, ie.Field)
			assert.Contains(t, err.Error(), tt.says)
			assert.Empty(t, rec.seen)
			assert.Zero(t, mt.GetTotalCallCount(), "nothing may be sent")
		})
	}
}

func TestUploadMediaRetrySendsSameBytes(t *testing.T) {
	jpg := fixture(t, "media/face.jpg")
	// Content larger than one read chunk, to exercise chunked encoding.
	big := make([]byte, 3*uploadChunk+1)
	copy(big, jpg)
	for i := len(jpg); i < len(big); i++ {
		big[i] = byte(i * 7)
	}
	bigFile := filepath.Join(t.TempDir(), "big.jpg")
	require.NoError(t, os.WriteFile(bigFile, big, 0o600))

	tests := []struct {
		name    string
		content []byte
		call    func(c *Client) (*Media, error)
	}{
		{"bytes", jpg, func(c *Client) (*Media, error) {
			return c.UploadMedia(context.Background(), testSessionID, MediaUpload{Context: ContextFace, Content: jpg, Timestamp: time.Unix(1700000000, 0)})
		}},
		{"file", big, func(c *Client) (*Media, error) {
			return c.UploadMediaFile(context.Background(), testSessionID, ContextFace, bigFile)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, mt := setup(t)
			rec := newRecorder(mt,
				reply(http.StatusTooManyRequests, []byte(`{"status":"fail","code":"1101","message":"Too many requests"}`), "Retry-After", "0"),
				reply(http.StatusCreated, fixture(t, "media/upload_response.json")))
			m, err := tt.call(c)
			require.NoError(t, err)
			require.NotNil(t, m)
			require.Len(t, rec.seen, 2)
			first, second := rec.seen[0], rec.seen[1]
			assert.True(t, bytes.Equal(first.body, second.body), "retry must send a byte-identical body")
			assert.Equal(t, first.header.Get("X-HMAC-SIGNATURE"), second.header.Get("X-HMAC-SIGNATURE"))
			assert.Equal(t, Sign(testSecret, second.body), second.header.Get("X-HMAC-SIGNATURE"))
			assert.Equal(t, int64(len(second.body)), second.contentLength)
			u := decodeUpload(t, second.body)
			raw, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(u.Image.Content, "data:image/jpeg;base64,"))
			require.NoError(t, err)
			assert.Equal(t, tt.content, raw)
		})
	}
}

// TestUploadMediaFileChanged changes the file while the first attempt is
// answered 429: the retry must fail rather than send a body that does not
// match the signature.
func TestUploadMediaFileChanged(t *testing.T) {
	orig := fixture(t, "media/face.jpg")
	tests := []struct {
		name   string
		change func(t *testing.T, path string)
	}{
		{"same size, same modification time, new content", func(t *testing.T, path string) {
			fi, err := os.Stat(path)
			require.NoError(t, err)
			changed := bytes.Clone(orig)
			changed[len(changed)/2] ^= 0xFF
			require.NoError(t, os.WriteFile(path, changed, 0o600))
			require.NoError(t, os.Chtimes(path, fi.ModTime(), fi.ModTime()))
		}},
		{"grown", func(t *testing.T, path string) {
			require.NoError(t, os.WriteFile(path, append(bytes.Clone(orig), 1, 2, 3), 0o600))
		}},
		{"shrunk, same modification time", func(t *testing.T, path string) {
			fi, err := os.Stat(path)
			require.NoError(t, err)
			require.NoError(t, os.WriteFile(path, orig[:len(orig)-10], 0o600))
			require.NoError(t, os.Chtimes(path, fi.ModTime(), fi.ModTime()))
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "face.jpg")
			require.NoError(t, os.WriteFile(path, orig, 0o600))

			var (
				mu       sync.Mutex
				complete [][]byte
				attempts int
			)
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				body, err := io.ReadAll(r.Body)
				mu.Lock()
				attempts++
				n := attempts
				if err == nil && int64(len(body)) == r.ContentLength {
					complete = append(complete, body)
				}
				mu.Unlock()
				if n == 1 {
					tt.change(t, path)
					w.Header().Set("Retry-After", "0")
					w.WriteHeader(http.StatusTooManyRequests)
					return
				}
				w.WriteHeader(http.StatusCreated)
				_, _ = w.Write(fixture(t, "media/upload_response.json"))
			}))
			defer srv.Close()
			c, err := NewClient(testAPIKey, testSecret, WithBaseURL(srv.URL), WithRetryWait(0, 0))
			require.NoError(t, err)

			m, err := c.UploadMediaFile(context.Background(), testSessionID, ContextFace, path)
			require.Error(t, err)
			assert.Nil(t, m)
			assert.ErrorIs(t, err, ErrMediaChanged)
			t.Log(err)
			mu.Lock()
			defer mu.Unlock()
			require.Len(t, complete, 1, "only the first, matching body may arrive whole")
			u := decodeUpload(t, complete[0])
			raw, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(u.Image.Content, "data:image/jpeg;base64,"))
			require.NoError(t, err)
			assert.Equal(t, orig, raw)
		})
	}
}

// TestUploadReader checks the streaming body against the body built whole,
// for every content length modulo 3, with reads of every size
// (testing/iotest), from memory and from a file.
func TestUploadReader(t *testing.T) {
	jpg := fixture(t, "media/face.jpg")
	for _, n := range []int{3, 4, 5, 6, len(jpg), uploadChunk - 1, uploadChunk, uploadChunk + 1, 2*uploadChunk + 2} {
		content := make([]byte, n)
		copy(content, []byte{0xFF, 0xD8, 0xFF})
		for i := 3; i < n; i++ {
			content[i] = byte(i*31 + i>>8)
		}
		ts := time.Date(2024, 1, 2, 3, 4, 5, 6e6, time.UTC)
		up, err := newUpload("document-front", ts, content[:3], int64(n), "content")
		require.NoError(t, err)
		want := []byte(`{"image":{"context":"document-front","timestamp":"2024-01-02T03:04:05.006Z","content":"data:image/jpeg;base64,` +
			base64.StdEncoding.EncodeToString(content) + `"}}`)
		require.Equal(t, int64(len(want)), up.size)

		mem := &uploadReader{u: up, data: content}
		require.NoError(t, iotest.TestReader(mem, want), "memory, %d bytes", n)

		path := filepath.Join(t.TempDir(), "c.jpg")
		require.NoError(t, os.WriteFile(path, content, 0o600))
		fi, err := os.Stat(path)
		require.NoError(t, err)
		src := &fileSource{path: path, size: fi.Size(), modTime: fi.ModTime()}
		for pass := 0; pass < 2; pass++ { // the first pass records the checksum, the second checks it
			f, err := src.openChecked()
			require.NoError(t, err)
			fr := &uploadReader{u: up, file: f, src: src}
			got, err := io.ReadAll(fr)
			require.NoError(t, err)
			require.NoError(t, fr.Close())
			require.Equal(t, want, got, "file pass %d, %d bytes", pass, n)
		}
		f, err := src.openChecked()
		require.NoError(t, err)
		fr := &uploadReader{u: up, file: f, src: src}
		require.NoError(t, iotest.TestReader(fr, want), "file, %d bytes", n)
		require.NoError(t, fr.Close())
	}
}

func TestUploadPrefixEscaping(t *testing.T) {
	up, err := newUpload("a_b-c", time.Time{}, []byte("%PDF-1.4"), 10, "content")
	require.NoError(t, err)
	assert.Equal(t, `{"image":{"context":"a_b-c","content":"data:application/pdf;base64,`, string(up.prefix))
}

// TestUploadMediaMemoryIsBounded guards the constant-memory upload: a
// 16 MiB upload, whose base64 body is over 21 MiB, must allocate far less
// than the image (the naive way allocates several times the image).
func TestUploadMediaMemoryIsBounded(t *testing.T) {
	content := benchJPEG(16 << 20)
	c, mt := setup(t)
	var received int64
	mt.RegisterNoResponder(func(req *http.Request) (*http.Response, error) {
		n, err := io.Copy(io.Discard, req.Body)
		if err != nil {
			return nil, err
		}
		received = n
		return httpmock.NewBytesResponse(http.StatusCreated, fixture(t, "media/upload_response.json")), nil
	})

	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	_, err := c.UploadMedia(context.Background(), testSessionID, MediaUpload{Context: ContextFace, Content: content})
	runtime.ReadMemStats(&after)
	require.NoError(t, err)
	assert.Greater(t, received, int64(len(content))*4/3)
	allocated := after.TotalAlloc - before.TotalAlloc
	assert.Less(t, allocated, uint64(1<<20), "a 16 MiB upload allocated %d bytes", allocated)
}
