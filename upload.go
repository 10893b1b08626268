package veriff

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"io/fs"
	"net/http"
	"os"
	"time"

	"github.com/veriffgo/veriff/internal/mediatype"
)

// Upload size limits, measured on the "content" value as sent: the data URI
// ("data:image/jpeg;base64,...") including its prefix. Veriff documents
// "24 MB" of base64 for images and "20 MB" for PDFs; the SDK reads both as
// decimal megabytes, the stricter reading, so an image may hold at most
// about 18,000,000 raw bytes and a PDF about 15,000,000.
const (
	MaxMediaContentSize = 24_000_000
	MaxPDFContentSize   = 20_000_000
)

// UploadMedia uploads one image (or PDF) to a session, before it is
// submitted. The file type is detected from the content (JPEG, PNG,
// HEIC/HEIF, WebP, PDF); empty or unrecognised content, an implausible
// context, or content over the size limits (MaxMediaContentSize,
// MaxPDFContentSize) is refused with an error wrapping ErrInvalidInput
// before anything is sent.
//
// The body is streamed: it is never built whole in memory, and a retry
// (after a 429) sends the same bytes with the same signature.
//
// Veriff API: POST /v1/sessions/{id}/media
func (c *Client) UploadMedia(ctx context.Context, sessionID string, m MediaUpload) (*Media, error) {
	r, err := newRequest(http.MethodPost, "/sessions/{sessionID}/media", sessionID)
	if err != nil {
		return nil, err
	}
	size := int64(len(m.Content))
	head := m.Content
	if len(head) > sniffLen {
		head = head[:sniffLen]
	}
	content := m.Content
	up, err := newUpload(m.Context, m.Timestamp, head, size, "content")
	if err != nil {
		return nil, err
	}
	up.open = func() (io.ReadCloser, error) {
		return &uploadReader{u: up, data: content}, nil
	}
	return c.upload(ctx, r, up)
}

// UploadMediaFile uploads the image (or PDF) file at path to a session, like
// UploadMedia, streaming it from disk: the file is never read into memory,
// and it is opened again for each attempt. A missing or unreadable file, a
// directory, or content UploadMedia would refuse is refused before anything
// is sent.
//
// The file must not change during the call. The SDK checks its size and
// modification time each time it opens it and a checksum of its content
// before releasing the last byte of the body; on a mismatch the attempt
// fails with an error wrapping ErrMediaChanged rather than send a body that
// does not match its signature.
//
// Veriff API: POST /v1/sessions/{id}/media
func (c *Client) UploadMediaFile(ctx context.Context, sessionID string, mediaContext MediaContext, path string) (*Media, error) {
	r, err := newRequest(http.MethodPost, "/sessions/{sessionID}/media", sessionID)
	if err != nil {
		return nil, err
	}
	if path == "" {
		return nil, invalidInput("path", "empty file path")
	}
	f, fi, err := openRegular(path)
	if errors.Is(err, errNotRegular) {
		return nil, invalidInput("path", "not a regular file")
	} else if err != nil {
		return nil, invalidInput("path", "cannot open media file: %v", err)
	}
	defer f.Close()
	var head [sniffLen]byte
	n, err := io.ReadFull(f, head[:])
	if err != nil && err != io.EOF && err != io.ErrUnexpectedEOF {
		return nil, invalidInput("path", "cannot read media file: %v", fileErr(err))
	}
	up, err := newUpload(mediaContext, time.Time{}, head[:n], fi.Size(), "path")
	if err != nil {
		return nil, err
	}
	src := &fileSource{path: path, size: fi.Size(), modTime: fi.ModTime()}
	up.open = func() (io.ReadCloser, error) {
		f, err := src.openChecked()
		if err != nil {
			return nil, err
		}
		return &uploadReader{u: up, file: f, src: src}, nil
	}
	return c.upload(ctx, r, up)
}

// upload signs up by streaming it once and sends it as r's body.
func (c *Client) upload(ctx context.Context, r *request, up *upload) (*Media, error) {
	// The size is known arithmetically.
	body, err := up.open()
	if err != nil {
		return nil, invalidInput(up.field, "cannot read the media: %v", fileErr(err))
	}
	sig, n, err := c.signer.signStream(body)
	_ = body.Close()
	if err != nil {
		return nil, invalidInput(up.field, "cannot read the media: %v", fileErr(err))
	}
	if n != up.size {
		return nil, fmt.Errorf("veriff: POST /v1%s: %w: read %d body bytes, expected %d", r.path, ErrMediaChanged, n, up.size)
	}
	r.stream = &streamBody{open: up.open, size: up.size, sig: sig}
	var out struct {
		Image *Media `json:"image"`
	}
	if err := c.do(ctx, r, &out); err != nil {
		return nil, err
	}
	if out.Image == nil {
		return nil, fmt.Errorf("veriff: POST /v1%s: %w: no \"image\" in the response", r.path, ErrInvalidResponse)
	}
	return out.Image, nil
}

// sniffLen is how many leading bytes are read to detect the file type.
const sniffLen = mediatype.SniffLen

// upload is a checked, framed upload body: prefix + base64(content) + suffix.
type upload struct {
	prefix  []byte // {"image":{"context":…,"timestamp":…,"content":"data:<mime>;base64,
	suffix  []byte // "}}
	rawSize int64  // content bytes before encoding
	size    int64  // total body bytes
	open    func() (io.ReadCloser, error)
	field   string // the argument blamed when the content cannot be read
}

var uploadSuffix = []byte(`"}}`)

// newUpload validates an upload and builds its JSON framing. field names
// the argument blamed for bad content.
func newUpload(mc MediaContext, ts time.Time, head []byte, rawSize int64, field string) (*upload, error) {
	if !validMediaContext(mc) {
		return nil, invalidInput("context", "%q is not a media context: want lowercase letters, digits, '-' or '_', at most 64 bytes (e.g. %q)", string(mc), ContextDocumentFront)
	}
	if rawSize == 0 {
		return nil, invalidInput(field, "empty media content")
	}
	mime := mediatype.Detect(head)
	if mime == "" {
		return nil, invalidInput(field, "unsupported media type: want JPEG, PNG, HEIC/HEIF, WebP or PDF")
	}
	uriPrefix := "data:" + mime + ";base64,"
	limit := int64(MaxMediaContentSize)
	if mime == "application/pdf" {
		limit = MaxPDFContentSize
	}
	contentLen := int64(len(uriPrefix)) + encodedLen(rawSize)
	if contentLen > limit {
		return nil, invalidInput(field, "media too large: %d bytes encode to %d base64 characters, above Veriff's limit of %d for %s", rawSize, contentLen, limit, mime)
	}

	ctxJSON, err := json.Marshal(string(mc))
	if err != nil {
		return nil, invalidInput("context", "cannot encode: %v", err)
	}
	prefix := make([]byte, 0, 96)
	prefix = append(prefix, `{"image":{"context":`...)
	prefix = append(prefix, ctxJSON...)
	if !ts.IsZero() {
		tsJSON, err := json.Marshal(ts.UTC().Format("2006-01-02T15:04:05.000Z07:00"))
		if err != nil {
			return nil, invalidInput("timestamp", "cannot encode: %v", err)
		}
		prefix = append(prefix, `,"timestamp":`...)
		prefix = append(prefix, tsJSON...)
	}
	prefix = append(prefix, `,"content":"`...)
	prefix = append(prefix, uriPrefix...)
	return &upload{
		prefix:  prefix,
		suffix:  uploadSuffix,
		rawSize: rawSize,
		field:   field,
		size:    int64(len(prefix)) + encodedLen(rawSize) + int64(len(uploadSuffix)),
	}, nil
}

func encodedLen(n int64) int64 { return (n + 2) / 3 * 4 }

// fileSource is a media file re-opened for each attempt. crc is the
// checksum of its content, taken on the first (signing) pass.
type fileSource struct {
	path    string
	size    int64
	modTime time.Time
	crc     uint32
	crcSet  bool
}

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// openChecked opens the file (openRegular) and checks that it still looks
// as it did when it was first examined.
func (s *fileSource) openChecked() (*os.File, error) {
	f, fi, err := openRegular(s.path)
	if errors.Is(err, errNotRegular) {
		return nil, fmt.Errorf("%w: the media file is no longer a regular file", ErrMediaChanged)
	} else if err != nil {
		return nil, err
	}
	if err := s.check(fi); err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

var errNotRegular = errors.New("not a regular file")

// openRegular opens path only if it is a regular file. It stats the path
// before opening it, so that a FIFO or a device is refused rather than
// block the open whatever the context says, and checks the opened file
// again. (A FIFO swapped in between the stat and the open can still block
// that open.) Errors never name the path, which often holds a person's
// name or CURP.
func openRegular(path string) (*os.File, os.FileInfo, error) {
	if fi, err := os.Stat(path); err != nil {
		return nil, nil, fileErr(err)
	} else if !fi.Mode().IsRegular() {
		return nil, nil, errNotRegular
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, fileErr(err)
	}
	fi, err := f.Stat()
	if err == nil && !fi.Mode().IsRegular() {
		err = errNotRegular
	}
	if err != nil {
		f.Close()
		return nil, nil, fileErr(err)
	}
	return f, fi, nil
}

// check reports whether fi still describes the regular file first examined.
func (s *fileSource) check(fi os.FileInfo) error {
	if !fi.Mode().IsRegular() {
		return fmt.Errorf("%w: the media file is no longer a regular file", ErrMediaChanged)
	}
	if fi.Size() != s.size || !fi.ModTime().Equal(s.modTime) {
		return fmt.Errorf("%w: the media file now has %d bytes, expected %d, or a new modification time", ErrMediaChanged, fi.Size(), s.size)
	}
	return nil
}

// fileErr drops the path from a file system error: the path of a media
// file often holds personal data.
func fileErr(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return fmt.Errorf("%s: %w", pe.Op, pe.Err)
	}
	return err
}

// uploadReader yields one upload body: prefix, base64 of the content, then
// suffix. It encodes in chunks straight into the caller's buffer, with no
// goroutine and no pipe; a file source uses one small read buffer, made on
// the first read.
type uploadReader struct {
	u     *upload
	phase int   // 0 prefix, 1 content, 2 suffix, 3 done
	off   int64 // offset within the current phase's source

	data []byte // in-memory content, or
	file *os.File
	src  *fileSource
	raw  []byte // read buffer for file content
	crc  uint32

	// small holds encoded bytes that did not fit a tiny caller buffer.
	small    [4]byte
	smallN   int
	smallOff int
	err      error
}

const uploadChunk = 24 << 10 // raw bytes read from a file at a time (multiple of 3)

func (r *uploadReader) Read(p []byte) (int, error) {
	if r.err != nil {
		return 0, r.err
	}
	n := 0
	for n < len(p) {
		if r.smallOff < r.smallN {
			c := copy(p[n:], r.small[r.smallOff:r.smallN])
			r.smallOff += c
			n += c
			continue
		}
		switch r.phase {
		case 0:
			c := copy(p[n:], r.u.prefix[r.off:])
			r.off += int64(c)
			n += c
			if r.off == int64(len(r.u.prefix)) {
				r.phase, r.off = 1, 0
			}
		case 1:
			if r.off == r.u.rawSize {
				if err := r.finishContent(); err != nil {
					r.err = err
					return n, err
				}
				r.phase, r.off = 2, 0
				continue
			}
			c, err := r.encode(p[n:])
			n += c
			if err != nil {
				r.err = err
				return n, err
			}
		case 2:
			c := copy(p[n:], r.u.suffix[r.off:])
			r.off += int64(c)
			n += c
			if r.off == int64(len(r.u.suffix)) {
				r.phase = 3
			}
		default:
			if n == 0 {
				return 0, io.EOF
			}
			return n, nil
		}
	}
	return n, nil
}

// encode writes base64 of the next content bytes into dst and returns how
// many bytes it wrote. Full groups of 3 raw bytes are encoded until the
// last one, so no padding appears mid-stream.
func (r *uploadReader) encode(dst []byte) (int, error) {
	remaining := r.u.rawSize - r.off
	want := int64(len(dst) / 4 * 3)
	small := want == 0
	if small { // caller buffer under 4 bytes: encode one group aside
		want = 3
	}
	if want > remaining {
		want = remaining
	}
	var src []byte
	if r.data != nil {
		src = r.data[r.off : r.off+want]
	} else {
		if want > uploadChunk {
			want = uploadChunk
		}
		if r.raw == nil {
			r.raw = make([]byte, uploadChunk)
		}
		src = r.raw[:want]
		if _, err := io.ReadFull(r.file, src); err != nil {
			if err == io.EOF || err == io.ErrUnexpectedEOF {
				err = fmt.Errorf("%w: the media file is shorter than %d bytes", ErrMediaChanged, r.src.size)
			}
			return 0, err
		}
		r.crc = crc32.Update(r.crc, castagnoli, src)
	}
	r.off += want
	if small {
		base64.StdEncoding.Encode(r.small[:], src)
		r.smallN, r.smallOff = base64.StdEncoding.EncodedLen(len(src)), 0
		c := copy(dst, r.small[:r.smallN])
		r.smallOff = c
		return c, nil
	}
	base64.StdEncoding.Encode(dst, src)
	return base64.StdEncoding.EncodedLen(len(src)), nil
}

// finishContent checks, for a file, that it ended where expected and still
// has the content that was signed, before the suffix (the body's last
// bytes) is released.
func (r *uploadReader) finishContent() error {
	if r.file == nil {
		return nil
	}
	var one [1]byte
	if m, _ := r.file.Read(one[:]); m > 0 {
		return fmt.Errorf("%w: the media file is longer than %d bytes", ErrMediaChanged, r.src.size)
	}
	if !r.src.crcSet {
		r.src.crc, r.src.crcSet = r.crc, true
		return nil
	}
	if r.crc != r.src.crc {
		return fmt.Errorf("%w: the media file has new content", ErrMediaChanged)
	}
	return nil
}

func (r *uploadReader) Close() error {
	if r.file != nil {
		return r.file.Close()
	}
	return nil
}
