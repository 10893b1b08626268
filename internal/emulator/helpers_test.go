package emulator_test

import (
	"bytes"
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

	"github.com/veriffgo/veriff"
	"github.com/veriffgo/veriff/internal/emulator"
	"github.com/veriffgo/veriff/verifftest"
)

const (
	testKey    = "7a3b1d5e-0000-4000-8000-00000000c0de"
	testSecret = "abcdef12-abcd-abcd-abcd-abcdef012345"
)

var jpegBytes = append([]byte{0xff, 0xd8, 0xff, 0xe0}, []byte("not really a jpeg, but sniffed as one")...)

// server is a verifftest.Server behind the emulator's Handler, served on
// a loopback port: URL is the emulator's.
type server struct {
	*verifftest.Server
	URL string
}

func newServer(t *testing.T, opts ...verifftest.ServerOption) *server {
	t.Helper()
	srv := verifftest.NewUnstartedServer(testKey, testSecret, opts...)
	t.Cleanup(srv.Close)
	return &server{Server: srv, URL: newHTTPServer(t, emulator.New(srv))}
}

// newHTTPServer serves e on a loopback port and returns its URL.
func newHTTPServer(t *testing.T, e *emulator.Emulator) string {
	hs := httptest.NewServer(e.Handler())
	t.Cleanup(hs.Close)
	return hs.URL
}

type response struct {
	Status int
	Header http.Header
	Body   []byte
}

func (r response) JSON(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	require.NoError(t, json.Unmarshal(r.Body, &m), "body: %s", r.Body)
	return m
}

var noRedirect = &http.Client{
	Transport:     &http.Transport{DisableKeepAlives: true},
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
}

func doRaw(t *testing.T, req *http.Request) response {
	t.Helper()
	resp, err := noRedirect.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return response{Status: resp.StatusCode, Header: resp.Header, Body: b}
}

func getPage(t *testing.T, target string) response {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, target, nil)
	require.NoError(t, err)
	return doRaw(t, req)
}

// api drives Veriff's API of the server with plain net/http, signed.
type api struct {
	t   *testing.T
	srv *server
}

func newAPI(t *testing.T, srv *server) *api { return &api{t: t, srv: srv} }

func (a *api) get(method, path, id string) response {
	a.t.Helper()
	req, err := http.NewRequest(method, a.srv.URL+path, nil)
	require.NoError(a.t, err)
	req.Header.Set("X-AUTH-CLIENT", testKey)
	req.Header.Set("X-HMAC-SIGNATURE", veriff.Sign(testSecret, []byte(id)))
	return doRaw(a.t, req)
}

func (a *api) send(method, path string, body []byte) response {
	a.t.Helper()
	req, err := http.NewRequest(method, a.srv.URL+path, bytes.NewReader(body))
	require.NoError(a.t, err)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-AUTH-CLIENT", testKey)
	req.Header.Set("X-HMAC-SIGNATURE", veriff.Sign(testSecret, body))
	return doRaw(a.t, req)
}

func (a *api) create(body string) string {
	a.t.Helper()
	r := a.send(http.MethodPost, "/v1/sessions", []byte(body))
	require.Equal(a.t, http.StatusCreated, r.Status, "body: %s", r.Body)
	return r.JSON(a.t)["verification"].(map[string]any)["id"].(string)
}

func (a *api) upload(sessionID, ctx string, content []byte) map[string]any {
	a.t.Helper()
	body, err := json.Marshal(map[string]any{"image": map[string]string{
		"context": ctx, "content": "data:image/jpeg;base64," + base64.StdEncoding.EncodeToString(content)}})
	require.NoError(a.t, err)
	r := a.send(http.MethodPost, "/v1/sessions/"+sessionID+"/media", body)
	require.Equal(a.t, http.StatusOK, r.Status, "body: %s", r.Body)
	return r.JSON(a.t)["image"].(map[string]any)
}

func (a *api) submit(sessionID string) response {
	a.t.Helper()
	return a.send(http.MethodPatch, "/v1/sessions/"+sessionID, []byte(`{"verification":{"status":"submitted"}}`))
}

func (a *api) decision(sessionID string) map[string]any {
	a.t.Helper()
	r := a.get(http.MethodGet, "/v1/sessions/"+sessionID+"/decision", sessionID)
	require.Equal(a.t, http.StatusOK, r.Status, "body: %s", r.Body)
	return r.JSON(a.t)
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

const ineSessionBody = `{"verification":{"callback":"https://example.com/done","person":{"firstName":"Juan","lastName":"Pérez García","idNumber":"PEGJ850720HDFRRN04","dateOfBirth":"1985-07-20","gender":"M"},"document":{"type":"ID_CARD","country":"MX"},"vendorData":"user-42","endUserId":"a1b2c35d-e8f7-4d5e-8cd2-a1b2c35db3d4","consents":[{"type":"ine","approved":true}]}}`
