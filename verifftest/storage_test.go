package verifftest_test

import (
	"bytes"
	"errors"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/veriffgo/veriff"
	"github.com/veriffgo/veriff/internal/faketest"
	"github.com/veriffgo/veriff/verifftest"
)

// WithMaxMediaBytes drops the oldest sessions' media
// first; a dropped file stays listed and its download answers 404.
func TestMaxMediaBytesDropsOldestFirst(t *testing.T) {
	img := append(append([]byte(nil), faketest.JPEG...), bytes.Repeat([]byte{7}, 1000)...)
	srv := verifftest.NewServer(faketest.Key, faketest.Secret, verifftest.WithMaxMediaBytes(int64(2*len(img)+10)))
	t.Cleanup(srv.Close)
	a := newAPI(t, srv)
	var ids, mediaIDs []string
	for i := 0; i < 3; i++ {
		id := a.Create(`{"verification":{}}`)
		ids = append(ids, id)
		mediaIDs = append(mediaIDs, a.upload(id, "face", img)["id"].(string))
	}
	cases := []struct {
		i       int
		status  int
		dropped bool
	}{{0, http.StatusNotFound, true}, {1, http.StatusOK, false}, {2, http.StatusOK, false}}
	for _, c := range cases {
		r := a.Get(http.MethodGet, "/v1/media/"+mediaIDs[c.i], mediaIDs[c.i])
		assert.Equal(t, c.status, r.Status, "media %d", c.i)
		s, _ := srv.Session(ids[c.i])
		m := s.Attempts[0].Media[0]
		assert.Equal(t, c.dropped, m.Dropped, "media %d", c.i)
		assert.Equal(t, int64(len(img)), m.Size, "the size stays known")
		list := a.Get(http.MethodGet, "/v1/sessions/"+ids[c.i]+"/media", ids[c.i])
		assert.Contains(t, string(list.Body), mediaIDs[c.i], "still listed")
	}
	got, ok := srv.MediaFile(mediaIDs[2])
	require.True(t, ok)
	assert.Equal(t, img, got.Content)
}

// Without the option nothing is ever dropped (unit tests keep today's
// behaviour).
func TestMediaKeptByDefault(t *testing.T) {
	srv := newServer(t)
	a := newAPI(t, srv)
	big := append(append([]byte(nil), faketest.JPEG...), bytes.Repeat([]byte{1}, 4<<20)...)
	var mediaIDs []string
	for i := 0; i < 5; i++ {
		id := a.Create(`{"verification":{}}`)
		mediaIDs = append(mediaIDs, a.upload(id, "face", big)["id"].(string))
	}
	for _, m := range mediaIDs {
		assert.Equal(t, http.StatusOK, a.Get(http.MethodGet, "/v1/media/"+m, m).Status)
	}
}

// A server on the same data directory answers for every
// earlier session: decision, media, hosted link, deliveries.
func TestDataDirSurvivesRestart(t *testing.T) {
	dir := t.TempDir()
	rc := newReceiver(t)
	first := verifftest.NewServer(faketest.Key, faketest.Secret, verifftest.WithDataDir(dir))
	n, err := first.Restored()
	require.NoError(t, err)
	assert.Zero(t, n)
	first.SetWebhookURL(rc.URL)
	a := newAPI(t, first)
	id, vurl := a.createHosted(faketest.INESessionBody)
	mediaID := a.upload(id, "document-front", faketest.JPEG)["id"].(string)
	require.Equal(t, http.StatusOK, a.Submit(id).Status)
	require.NoError(t, first.DecideWithReason(id, veriff.StatusDeclined, 106))
	_, err = first.WaitForDeliveries(waitCtx(t), 4)
	require.NoError(t, err)
	decision := a.Decision(id)
	deliveries := first.Deliveries()
	first.Close()
	entries, err := os.ReadDir(filepath.Join(dir, "media"))
	require.NoError(t, err)
	assert.Len(t, entries, 1, "the media file is on disk")

	second := verifftest.NewServer(faketest.Key, faketest.Secret, verifftest.WithDataDir(dir))
	t.Cleanup(second.Close)
	n, err = second.Restored()
	require.NoError(t, err)
	assert.Equal(t, 1, n)
	b := newAPI(t, second)
	assert.Equal(t, decision, b.Decision(id))
	r := b.Get(http.MethodGet, "/v1/media/"+mediaID, mediaID)
	require.Equal(t, http.StatusOK, r.Status)
	assert.Equal(t, faketest.JPEG, r.Body)
	assert.Equal(t, len(deliveries), len(second.Deliveries()))
	require.NoError(t, second.Resend(deliveries[0].N), "a delivery of before the restart can be resent")
	u := second.URL + vurl[len(first.URL):]
	assert.Contains(t, string(faketest.Get(t, u).Body), "its status is declined", "the hosted link still works")
	other := b.Create(`{"verification":{}}`)
	all := second.Sessions()
	require.Len(t, all, 2)
	assert.Equal(t, []string{id, other}, []string{all[0].ID, all[1].ID}, "creation order kept")
}

func TestDataDirNotOurs(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "state.json"), []byte(`{"hello":1}`), 0o600))
	srv := verifftest.NewServer(faketest.Key, faketest.Secret, verifftest.WithDataDir(dir))
	t.Cleanup(srv.Close)
	_, err := srv.Restored()
	assert.ErrorContains(t, err, "not a state file")
}

func TestDataDirErrorsNameNoPath(t *testing.T) {
	tests := []struct {
		name  string
		setup func(t *testing.T) string // returns the data directory
	}{
		{"directory is a file", func(t *testing.T) string {
			f := filepath.Join(t.TempDir(), "not-a-dir")
			require.NoError(t, os.WriteFile(f, nil, 0o600))
			return f
		}},
		{"state file is a directory", func(t *testing.T) string {
			dir := t.TempDir()
			require.NoError(t, os.Mkdir(filepath.Join(dir, "state.json"), 0o700))
			return dir
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := tt.setup(t)
			srv := verifftest.NewServer(faketest.Key, faketest.Secret, verifftest.WithDataDir(dir))
			t.Cleanup(srv.Close)
			_, err := srv.Restored()
			require.ErrorContains(t, err, "verifftest: data directory: ")
			assert.NotContains(t, err.Error(), dir)
			var pe *fs.PathError
			assert.False(t, errors.As(err, &pe), "no *fs.PathError (it names the path) is wrapped")
		})
	}
}
