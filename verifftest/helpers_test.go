package verifftest_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/veriffgo/veriff/internal/faketest"
	"github.com/veriffgo/veriff/verifftest"
)

// pngBytes is a tiny PNG header followed by payload bytes: enough for
// http.DetectContentType to call it image/png.
var pngBytes = append([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), bytes.Repeat([]byte{0, 1, 2, 0xff, 0xfe}, 50)...)

func newServer(t *testing.T) *verifftest.Server {
	t.Helper()
	srv := verifftest.NewServer(faketest.Key, faketest.Secret)
	t.Cleanup(srv.Close)
	return srv
}

// api drives the server with plain net/http, signing as Veriff requires
// (faketest.Client); srv is the server it drives.
type api struct {
	*faketest.Client
	srv *verifftest.Server
}

func newAPI(t *testing.T, srv *verifftest.Server) *api {
	return &api{Client: faketest.NewClient(t, srv.URL), srv: srv}
}

func (a *api) sendJSON(method, path string, v any) faketest.Response {
	a.T.Helper()
	b, err := json.Marshal(v)
	require.NoError(a.T, err)
	return a.Send(method, path, b)
}

// upload uploads content (plain base64) with the given context and returns
// the image object.
func (a *api) upload(sessionID string, ctx string, content []byte) map[string]any {
	a.T.Helper()
	r := a.sendJSON(http.MethodPost, "/v1/sessions/"+sessionID+"/media", map[string]any{
		"image": map[string]any{"context": ctx, "content": base64.StdEncoding.EncodeToString(content)},
	})
	require.Equal(a.T, http.StatusOK, r.Status, "body: %s", r.Body)
	return r.JSON(a.T)["image"].(map[string]any)
}

func dataURI(mime string, b []byte) string {
	return "data:" + mime + ";base64," + base64.StdEncoding.EncodeToString(b)
}

func upper(s string) string { return strings.ToUpper(s) }
