package emulator_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/veriffgo/veriff/internal/emulator"
	"github.com/veriffgo/veriff/internal/faketest"
	"github.com/veriffgo/veriff/verifftest"
)

// server is a verifftest.Server behind the emulator's Handler, served on
// a loopback port: URL is the emulator's.
type server struct {
	*verifftest.Server
	URL string
}

func newServer(t *testing.T, opts ...verifftest.ServerOption) *server {
	t.Helper()
	srv := verifftest.NewUnstartedServer(faketest.Key, faketest.Secret, opts...)
	t.Cleanup(srv.Close)
	return &server{Server: srv, URL: newHTTPServer(t, emulator.New(srv))}
}

// newHTTPServer serves e on a loopback port and returns its URL.
func newHTTPServer(t *testing.T, e *emulator.Emulator) string {
	hs := httptest.NewServer(e.Handler())
	t.Cleanup(hs.Close)
	return hs.URL
}

// api drives Veriff's API of the server with plain net/http, signed
// (faketest.Client), through the emulator's Handler.
type api struct{ *faketest.Client }

func newAPI(t *testing.T, srv *server) *api { return &api{faketest.NewClient(t, srv.URL)} }

// upload uploads content as a data URI with the given context and returns
// the image object.
func (a *api) upload(sessionID, ctx string, content []byte) map[string]any {
	a.T.Helper()
	body, err := json.Marshal(map[string]any{"image": map[string]string{
		"context": ctx, "content": "data:image/jpeg;base64," + base64.StdEncoding.EncodeToString(content)}})
	require.NoError(a.T, err)
	r := a.Send(http.MethodPost, "/v1/sessions/"+sessionID+"/media", body)
	require.Equal(a.T, http.StatusOK, r.Status, "body: %s", r.Body)
	return r.JSON(a.T)["image"].(map[string]any)
}

// receiver records the webhooks it gets and answers 200.
type receiver struct {
	*httptest.Server
	mu  sync.Mutex
	got [][]byte
}

func newReceiver(t *testing.T) *receiver {
	rc := &receiver{}
	rc.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		rc.mu.Lock()
		rc.got = append(rc.got, b)
		rc.mu.Unlock()
	}))
	t.Cleanup(rc.Close)
	return rc
}

func waitCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}
