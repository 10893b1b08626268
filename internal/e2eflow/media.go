package e2eflow

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/jpeg"
	"io/fs"
	"os"
	"strings"

	"github.com/veriffgo/veriff"
)

// mediaSource is one image to upload: a file, or bytes made in memory.
type mediaSource struct {
	context veriff.MediaContext
	path    string // a file streamed by UploadMediaFile, or
	content []byte // bytes sent by UploadMedia
}

// fileMedia returns the images given by flags: all three, or nil when none
// is given.
func fileMedia(opts options) ([]mediaSource, error) {
	files := []mediaSource{
		{context: veriff.ContextDocumentFront, path: opts.front},
		{context: veriff.ContextDocumentBack, path: opts.back},
		{context: veriff.ContextFace, path: opts.selfie},
	}
	flags := []string{"-front", "-back", "-selfie"}
	var missing []string
	for i, f := range files {
		if f.path == "" {
			missing = append(missing, flags[i])
			continue
		}
		if st, err := os.Stat(f.path); err != nil {
			if pe := (*fs.PathError)(nil); errors.As(err, &pe) {
				err = pe.Err // without the path, which may hold a name
			}
			return nil, &usageError{fmt.Sprintf("%s: %v", flags[i], err)}
		} else if !st.Mode().IsRegular() {
			return nil, &usageError{fmt.Sprintf("%s: not a regular file", flags[i])}
		}
	}
	if len(missing) == len(files) {
		return nil, nil
	}
	if len(missing) > 0 {
		return nil, &usageError{"images needed: " + strings.Join(missing, ", ") + " (paths to JPEG, PNG, HEIC, WebP or PDF files)"}
	}
	return files, nil
}

// generatedMedia draws three small JPEG images in memory, enough for the fake.
func generatedMedia() []mediaSource {
	return []mediaSource{
		{context: veriff.ContextDocumentFront, content: drawJPEG(color.RGBA{0xc8, 0x9b, 0xc4, 0xff})},
		{context: veriff.ContextDocumentBack, content: drawJPEG(color.RGBA{0xb4, 0xb4, 0xd2, 0xff})},
		{context: veriff.ContextFace, content: drawJPEG(color.RGBA{0xe6, 0xc8, 0xaa, 0xff})},
	}
}

// drawJPEG encodes a 320x200 card-like image: a background with a darker
// block where a photo would be.
func drawJPEG(bg color.RGBA) []byte {
	img := image.NewRGBA(image.Rect(0, 0, 320, 200))
	draw.Draw(img, img.Bounds(), &image.Uniform{C: bg}, image.Point{}, draw.Src)
	dark := color.RGBA{bg.R / 2, bg.G / 2, bg.B / 2, 0xff}
	draw.Draw(img, image.Rect(20, 40, 110, 160), &image.Uniform{C: dark}, image.Point{}, draw.Src)
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 80}); err != nil {
		panic(err) // cannot happen when writing to a bytes.Buffer
	}
	return buf.Bytes()
}

// upload sends one image: a file is streamed from disk, bytes are sent as is.
func upload(ctx context.Context, c *veriff.Client, sessionID string, m mediaSource) (*veriff.Media, error) {
	var (
		media *veriff.Media
		err   error
	)
	if m.path != "" {
		media, err = c.UploadMediaFile(ctx, sessionID, m.context, m.path)
	} else {
		media, err = c.UploadMedia(ctx, sessionID, veriff.MediaUpload{Context: m.context, Content: m.content})
	}
	if err != nil {
		return nil, fmt.Errorf("uploading %s to session %s: %w", m.context, sessionID, err)
	}
	return media, nil
}

func describeSource(m mediaSource) string {
	if m.path != "" {
		return m.path
	}
	return fmt.Sprintf("generated JPEG, %d bytes", len(m.content))
}
