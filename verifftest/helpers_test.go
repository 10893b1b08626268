package verifftest_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/veriffgo/veriff"
	"github.com/veriffgo/veriff/verifftest"
)

const (
	testKey    = "7a3b1d5e-0000-4000-8000-00000000c0de"
	testSecret = "abcdef12-abcd-abcd-abcd-abcdef012345"
)

// pngBytes is a tiny PNG header followed by payload bytes: enough for
// http.DetectContentType to call it image/png.
var pngBytes = append([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), bytes.Repeat([]byte{0, 1, 2, 0xff, 0xfe}, 50)...)

var jpegBytes = append([]byte{0xff, 0xd8, 0xff, 0xe0}, []byte("not really a jpeg, but sniffed as one")...)

func newServer(t *testing.T) *verifftest.Server {
	t.Helper()
	srv := verifftest.NewServer(testKey, testSecret)
	t.Cleanup(srv.Close)
	return srv
}

// api drives the server with plain net/http, signing as Veriff requires.
type api struct {
	t      *testing.T
	srv    *verifftest.Server
	key    string
	secret string
}

func newAPI(t *testing.T, srv *verifftest.Server) *api {
	return &api{t: t, srv: srv, key: testKey, secret: testSecret}
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

// Code returns the error code of a Veriff error body.
func (r response) Code(t *testing.T) string {
	t.Helper()
	m := r.JSON(t)
	require.Equal(t, "fail", m["status"], "body: %s", r.Body)
	c, _ := m["code"].(string)
	return c
}

// do sends a request with the given headers.
func (a *api) do(method, path string, body []byte, hdr map[string]string) response {
	a.t.Helper()
	r, err := a.try(method, path, body, hdr)
	require.NoError(a.t, err)
	return r
}

// try is do that returns transport errors. It uses a fresh connection for
// every request, so that net/http never retries a dropped one by itself.
func (a *api) try(method, path string, body []byte, hdr map[string]string) (response, error) {
	a.t.Helper()
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequest(method, a.srv.URL+path, rd)
	require.NoError(a.t, err)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := noKeepAlive.Do(req)
	if err != nil {
		return response{}, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return response{}, err
	}
	return response{Status: resp.StatusCode, Header: resp.Header, Body: b}, nil
}

var noKeepAlive = &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}

// get sends a GET or DELETE signed over id.
func (a *api) get(method, path, id string) response {
	a.t.Helper()
	return a.do(method, path, nil, map[string]string{
		"X-AUTH-CLIENT":    a.key,
		"X-HMAC-SIGNATURE": veriff.Sign(a.secret, []byte(id)),
	})
}

// send sends a POST or PATCH signed over body.
func (a *api) send(method, path string, body []byte) response {
	a.t.Helper()
	return a.do(method, path, body, map[string]string{
		"X-AUTH-CLIENT":    a.key,
		"X-HMAC-SIGNATURE": veriff.Sign(a.secret, body),
	})
}

func (a *api) sendJSON(method, path string, v any) response {
	a.t.Helper()
	b, err := json.Marshal(v)
	require.NoError(a.t, err)
	return a.send(method, path, b)
}

// create creates a session and returns its ID.
func (a *api) create(body string) string {
	a.t.Helper()
	r := a.send(http.MethodPost, "/v1/sessions", []byte(body))
	require.Equal(a.t, http.StatusCreated, r.Status, "body: %s", r.Body)
	v := r.JSON(a.t)["verification"].(map[string]any)
	return v["id"].(string)
}

const ineSessionBody = `{"verification":{"callback":"https://example.com/done","person":{"firstName":"Juan","lastName":"Pérez García","idNumber":"PEGJ850720HDFRRN04","dateOfBirth":"1985-07-20","gender":"M"},"document":{"type":"ID_CARD","country":"MX"},"vendorData":"user-42","endUserId":"a1b2c35d-e8f7-4d5e-8cd2-a1b2c35db3d4","consents":[{"type":"ine","approved":true}]}}`

// upload uploads content with the given context and returns the image object.
func (a *api) upload(sessionID string, ctx string, content []byte) map[string]any {
	a.t.Helper()
	r := a.sendJSON(http.MethodPost, "/v1/sessions/"+sessionID+"/media", map[string]any{
		"image": map[string]any{"context": ctx, "content": base64.StdEncoding.EncodeToString(content)},
	})
	require.Equal(a.t, http.StatusOK, r.Status, "body: %s", r.Body)
	return r.JSON(a.t)["image"].(map[string]any)
}

const submitBody = `{"verification":{"status":"submitted"}}`

func (a *api) submit(sessionID string) response {
	a.t.Helper()
	return a.send(http.MethodPatch, "/v1/sessions/"+sessionID, []byte(submitBody))
}

func (a *api) decision(sessionID string) map[string]any {
	a.t.Helper()
	r := a.get(http.MethodGet, "/v1/sessions/"+sessionID+"/decision", sessionID)
	require.Equal(a.t, http.StatusOK, r.Status, "body: %s", r.Body)
	return r.JSON(a.t)
}

func dataURI(mime string, b []byte) string {
	return "data:" + mime + ";base64," + base64.StdEncoding.EncodeToString(b)
}

func upper(s string) string { return strings.ToUpper(s) }

func jsonDecode(r io.Reader, v any) error { return json.NewDecoder(r).Decode(v) }
