package veriff

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestMediaContextForm(t *testing.T) {
	for _, ok := range []MediaContext{ContextFace, ContextSelfIDVideo, ContextDocumentBackBarcodePreVideo, "x", "a1_b-2", MediaContext(strings.Repeat("a", 64))} {
		assert.True(t, validMediaContext(ok), "%q", ok)
	}
	for _, bad := range []MediaContext{"", "Face", "document front", "face\"", "../face", "face/x", "caf\u00e9", MediaContext(strings.Repeat("a", 65))} {
		assert.False(t, validMediaContext(bad), "%q", bad)
	}
}

func TestSessionAndAttemptMediaWire(t *testing.T) {
	tests := []struct {
		name string
		call func(c *Client) (*MediaList, error)
		path string
		id   string
	}{
		{"session", func(c *Client) (*MediaList, error) { return c.SessionMedia(context.Background(), testSessionID) },
			"/v1/sessions/" + testSessionID + "/media", testSessionID},
		{"attempt", func(c *Client) (*MediaList, error) { return c.AttemptMedia(context.Background(), testAttemptID) },
			"/v1/attempts/" + testAttemptID + "/media", testAttemptID},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, mt := setup(t)
			rec := newRecorder(mt, reply(http.StatusOK, fixture(t, "media/session_media.json")))
			l, err := tt.call(c)
			require.NoError(t, err)
			require.Len(t, rec.seen, 1)
			assertSignedGET(t, rec.seen[0], tt.path, tt.id)
			assert.Empty(t, rec.seen[0].rawQuery)
			assert.Len(t, l.Images, 3)
			assert.Len(t, l.Videos, 1)
		})
	}
}

func TestMediaListParse(t *testing.T) {
	var l MediaList
	require.NoError(t, json.Unmarshal(fixture(t, "media/session_media.json"), &l))
	require.Len(t, l.Images, 3)
	require.Len(t, l.Videos, 1)

	v := l.Videos[0]
	assert.Equal(t, ContextSelfIDVideo, v.Context)
	assert.Equal(t, int64(1048576), v.Size, "size sent as a string")
	require.NotNil(t, v.Duration)
	assert.InDelta(t, 12.5, *v.Duration, 1e-9, "duration sent as a string")
	assert.Equal(t, "video/webm", v.MimeType)
	assert.Nil(t, v.Timestamp)

	img := l.Images[1]
	assert.Equal(t, ContextFace, img.Context)
	assert.Equal(t, int64(631), img.Size)
	assert.Nil(t, img.Duration)
	require.NotNil(t, img.Timestamp)
	assert.True(t, img.Timestamp.Equal(time.Date(2024, 5, 1, 10, 20, 30, 123e6, time.UTC)))

	odd := l.Images[2]
	assert.Equal(t, MediaContext("some-new-context"), odd.Context, "unknown contexts pass through")
	assert.Nil(t, odd.Timestamp, "an unreadable timestamp is left nil")
	assert.Zero(t, odd.Size)

	var empty MediaList
	require.NoError(t, json.Unmarshal(fixture(t, "media/attempt_media_empty.json"), &empty))
	assert.Empty(t, empty.Images)
	assert.Empty(t, empty.Videos)
}

func TestMediaListRequestsRefused(t *testing.T) {
	c, mt := setup(t)
	_, err := c.SessionMedia(context.Background(), "a/b")
	assert.ErrorIs(t, err, ErrInvalidInput)
	_, err = c.AttemptMedia(context.Background(), "")
	assert.ErrorIs(t, err, ErrInvalidInput)
	_, err = c.DownloadMedia(context.Background(), "x?y", io.Discard)
	assert.ErrorIs(t, err, ErrInvalidInput)
	_, err = c.DownloadMedia(context.Background(), testMediaID, nil)
	assert.ErrorIs(t, err, ErrInvalidInput)
	assert.Zero(t, mt.GetTotalCallCount())
}

// failingWriter accepts limit bytes, then fails.
type failingWriter struct {
	n, limit int
}

var errWriterFull = errors.New("writer full")

func (w *failingWriter) Write(p []byte) (int, error) {
	if w.n+len(p) > w.limit {
		k := w.limit - w.n
		w.n = w.limit
		return k, errWriterFull
	}
	w.n += len(p)
	return len(p), nil
}

func TestDownloadMedia(t *testing.T) {
	file := make([]byte, 256<<10)
	for i := range file {
		file[i] = byte(i ^ i>>9)
	}
	t.Run("streams byte for byte, beyond the JSON response cap", func(t *testing.T) {
		c, mt := setup(t, WithMaxResponseBytes(1024))
		rec := newRecorder(mt, func() *http.Response {
			r := httpmock.NewBytesResponse(http.StatusOK, file)
			r.Header.Set("Content-Type", "image/jpeg")
			return r
		})
		var buf bytes.Buffer
		n, err := c.DownloadMedia(context.Background(), testMediaID, &buf)
		require.NoError(t, err)
		assert.Equal(t, int64(len(file)), n)
		assert.True(t, bytes.Equal(file, buf.Bytes()))
		require.Len(t, rec.seen, 1)
		assertSignedGET(t, rec.seen[0], "/v1/media/"+testMediaID, testMediaID)
		assert.Equal(t, "*/*", rec.seen[0].header.Get("Accept"), "a download asks for a file, not JSON")
	})
	t.Run("writer error", func(t *testing.T) {
		c, mt := setup(t)
		newRecorder(mt, reply(http.StatusOK, file))
		w := &failingWriter{limit: 1000}
		n, err := c.DownloadMedia(context.Background(), testMediaID, w)
		require.Error(t, err)
		assert.ErrorIs(t, err, errWriterFull)
		assert.Equal(t, int64(1000), n)
	})
	t.Run("not found", func(t *testing.T) {
		c, mt := setup(t)
		newRecorder(mt, reply(http.StatusNotFound, []byte(`{"status":"fail","code":"1101","message":"Resource not found"}`)))
		var buf bytes.Buffer
		n, err := c.DownloadMedia(context.Background(), testMediaID, &buf)
		assert.ErrorIs(t, err, ErrNotFound)
		assert.Zero(t, n)
		assert.Zero(t, buf.Len(), "an error body is never written to w")
	})
}
