// Package faketest holds the helpers that the tests of verifftest and of
// internal/emulator share: the credentials and fixtures they create
// sessions with, raw HTTP requests that never follow redirects, and a
// Client that calls Veriff's API of a fake over plain net/http, signed as
// Veriff requires. It is internal and imported by tests only: users of
// verifftest never see it (their tests use veriff.Client).
package faketest

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/veriffgo/veriff"
)

// The fake's API key and shared secret in the tests.
const (
	Key    = "7a3b1d5e-0000-4000-8000-00000000c0de"
	Secret = "abcdef12-abcd-abcd-abcd-abcdef012345"
)

// JPEG is a few bytes that http.DetectContentType calls image/jpeg.
var JPEG = append([]byte{0xff, 0xd8, 0xff, 0xe0}, []byte("not really a jpeg, but sniffed as one")...)

// INESessionBody creates a Mexican session with the INE consent, a person
// and a document.
const INESessionBody = `{"verification":{"callback":"https://example.com/done","person":{"firstName":"Juan","lastName":"Pérez García","idNumber":"PEGJ850720HDFRRN04","dateOfBirth":"1985-07-20","gender":"M"},"document":{"type":"ID_CARD","country":"MX"},"vendorData":"user-42","endUserId":"a1b2c35d-e8f7-4d5e-8cd2-a1b2c35db3d4","consents":[{"type":"ine","approved":true}]}}`

// SubmitBody is the PATCH body that submits a session.
const SubmitBody = `{"verification":{"status":"submitted"}}`

// Response is an answer, read whole.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

// JSON decodes the body as a JSON object, failing t when it is not one.
func (r Response) JSON(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	require.NoError(t, json.Unmarshal(r.Body, &m), "body: %s", r.Body)
	return m
}

// Code returns the error code of a Veriff error body, failing t when the
// body is not one ("status": "fail").
func (r Response) Code(t *testing.T) string {
	t.Helper()
	m := r.JSON(t)
	require.Equal(t, "fail", m["status"], "body: %s", r.Body)
	c, _ := m["code"].(string)
	return c
}

// noRedirect uses a fresh connection for every request (so that net/http
// never retries a dropped one by itself) and never follows a redirect.
var noRedirect = &http.Client{
	Transport:     &http.Transport{DisableKeepAlives: true},
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
}

// Try sends req on a fresh connection, never following redirects, and
// returns transport errors.
func Try(req *http.Request) (Response, error) {
	resp, err := noRedirect.Do(req)
	if err != nil {
		return Response{}, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return Response{}, err
	}
	return Response{Status: resp.StatusCode, Header: resp.Header, Body: b}, nil
}

// Do is Try that fails t on a transport error.
func Do(t *testing.T, req *http.Request) Response {
	t.Helper()
	r, err := Try(req)
	require.NoError(t, err)
	return r
}

// Get GETs target with Do.
func Get(t *testing.T, target string) Response {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, target, nil)
	require.NoError(t, err)
	return Do(t, req)
}

// Client calls Veriff's API of the fake at URL with plain net/http,
// signed with Key and Secret.
type Client struct {
	T   *testing.T
	URL string // the fake's base URL, such as "http://127.0.0.1:8700"
}

// NewClient returns a Client of the fake at baseURL.
func NewClient(t *testing.T, baseURL string) *Client { return &Client{T: t, URL: baseURL} }

// Try sends a request with the given headers (a JSON body when body is
// not nil) and returns transport errors.
func (c *Client) Try(method, path string, body []byte, hdr map[string]string) (Response, error) {
	c.T.Helper()
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequest(method, c.URL+path, rd)
	require.NoError(c.T, err)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	return Try(req)
}

// Do is Try that fails the test on a transport error.
func (c *Client) Do(method, path string, body []byte, hdr map[string]string) Response {
	c.T.Helper()
	r, err := c.Try(method, path, body, hdr)
	require.NoError(c.T, err)
	return r
}

// Get sends a GET or DELETE signed over id.
func (c *Client) Get(method, path, id string) Response {
	c.T.Helper()
	return c.Do(method, path, nil, map[string]string{
		"X-AUTH-CLIENT":    Key,
		"X-HMAC-SIGNATURE": veriff.Sign(Secret, []byte(id)),
	})
}

// Send sends a POST or PATCH signed over body.
func (c *Client) Send(method, path string, body []byte) Response {
	c.T.Helper()
	return c.Do(method, path, body, map[string]string{
		"X-AUTH-CLIENT":    Key,
		"X-HMAC-SIGNATURE": veriff.Sign(Secret, body),
	})
}

// Create creates a session with body and returns its ID, failing the test
// unless the answer is 201.
func (c *Client) Create(body string) string {
	c.T.Helper()
	r := c.Send(http.MethodPost, "/v1/sessions", []byte(body))
	require.Equal(c.T, http.StatusCreated, r.Status, "body: %s", r.Body)
	return r.JSON(c.T)["verification"].(map[string]any)["id"].(string)
}

// Submit submits the session (PATCH with SubmitBody).
func (c *Client) Submit(sessionID string) Response {
	c.T.Helper()
	return c.Send(http.MethodPatch, "/v1/sessions/"+sessionID, []byte(SubmitBody))
}

// Decision returns the session's decision, failing the test unless the
// answer is 200.
func (c *Client) Decision(sessionID string) map[string]any {
	c.T.Helper()
	r := c.Get(http.MethodGet, "/v1/sessions/"+sessionID+"/decision", sessionID)
	require.Equal(c.T, http.StatusOK, r.Status, "body: %s", r.Body)
	return r.JSON(c.T)
}
