package verifftest_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/veriffgo/veriff"
	"github.com/veriffgo/veriff/internal/faketest"
)

func TestAuthentication(t *testing.T) {
	srv := newServer(t)
	a := newAPI(t, srv)
	id := a.Create(`{"verification":{}}`)
	media := a.upload(id, "document-front", faketest.JPEG)
	mediaID := media["id"].(string)
	attemptID := func() string {
		s, ok := srv.Session(id)
		require.True(t, ok)
		return s.Attempts[0].ID
	}()

	body := []byte(`{"image":{"context":"face","content":"` + dataURI("image/jpeg", faketest.JPEG)[len("data:image/jpeg;base64,"):] + `"}}`)
	good := func(msg []byte) string { return veriff.Sign(faketest.Secret, msg) }
	wrong := veriff.Sign("another-secret", []byte(id))

	type tc struct {
		name   string
		method string
		path   string
		body   []byte
		hdr    map[string]string
		status int
		code   string
	}
	decision := "/v1/sessions/" + id + "/decision"
	upload := "/v1/sessions/" + id + "/media"
	cases := []tc{
		{"GET without API key", "GET", decision, nil, map[string]string{"X-HMAC-SIGNATURE": good([]byte(id))}, 401, "1801"},
		{"POST without API key", "POST", upload, body, map[string]string{"X-HMAC-SIGNATURE": good(body)}, 401, "1801"},
		{"create without API key", "POST", "/v1/sessions", []byte(`{"verification":{}}`), nil, 401, "1801"},
		{"GET with unknown API key", "GET", decision, nil, map[string]string{"X-AUTH-CLIENT": "nope", "X-HMAC-SIGNATURE": good([]byte(id))}, 401, "1803"},
		{"POST with unknown API key", "POST", upload, body, map[string]string{"X-AUTH-CLIENT": "nope", "X-HMAC-SIGNATURE": good(body)}, 401, "1803"},
		{"create with unknown API key", "POST", "/v1/sessions", []byte(`{"verification":{}}`), map[string]string{"X-AUTH-CLIENT": "nope"}, 401, "1803"},
		{"GET without signature", "GET", decision, nil, map[string]string{"X-AUTH-CLIENT": faketest.Key}, 401, "1812"},
		{"POST without signature", "POST", upload, body, map[string]string{"X-AUTH-CLIENT": faketest.Key}, 401, "1812"},
		{"PATCH without signature", "PATCH", "/v1/sessions/" + id, []byte(faketest.SubmitBody), map[string]string{"X-AUTH-CLIENT": faketest.Key}, 401, "1812"},
		{"DELETE without signature", "DELETE", "/v1/sessions/" + id, nil, map[string]string{"X-AUTH-CLIENT": faketest.Key}, 401, "1812"},
		{"signature not hex", "GET", decision, nil, map[string]string{"X-AUTH-CLIENT": faketest.Key, "X-HMAC-SIGNATURE": "zz" + good([]byte(id))[2:]}, 401, "1812"},
		{"signature too short", "GET", decision, nil, map[string]string{"X-AUTH-CLIENT": faketest.Key, "X-HMAC-SIGNATURE": good([]byte(id))[:62]}, 401, "1812"},
		{"create with malformed signature", "POST", "/v1/sessions", []byte(`{"verification":{}}`), map[string]string{"X-AUTH-CLIENT": faketest.Key, "X-HMAC-SIGNATURE": "abc"}, 401, "1812"},
		{"GET signed with another secret", "GET", decision, nil, map[string]string{"X-AUTH-CLIENT": faketest.Key, "X-HMAC-SIGNATURE": wrong}, 401, "1818"},
		{"GET signed over the path, not the ID", "GET", decision, nil, map[string]string{"X-AUTH-CLIENT": faketest.Key, "X-HMAC-SIGNATURE": good([]byte(decision))}, 401, "1818"},
		{"DELETE signed with another secret", "DELETE", "/v1/sessions/" + id, nil, map[string]string{"X-AUTH-CLIENT": faketest.Key, "X-HMAC-SIGNATURE": wrong}, 401, "1818"},
		{"attempt media signed over the session ID", "GET", "/v1/attempts/" + attemptID + "/media", nil, map[string]string{"X-AUTH-CLIENT": faketest.Key, "X-HMAC-SIGNATURE": good([]byte(id))}, 401, "1818"},
		{"media download signed over the session ID", "GET", "/v1/media/" + mediaID, nil, map[string]string{"X-AUTH-CLIENT": faketest.Key, "X-HMAC-SIGNATURE": good([]byte(id))}, 401, "1818"},
		{"POST signed over another body", "POST", upload, body, map[string]string{"X-AUTH-CLIENT": faketest.Key, "X-HMAC-SIGNATURE": good([]byte(`{}`))}, 401, "1819"},
		{"PATCH signed with another secret", "PATCH", "/v1/sessions/" + id, []byte(faketest.SubmitBody), map[string]string{"X-AUTH-CLIENT": faketest.Key, "X-HMAC-SIGNATURE": veriff.Sign("x", []byte(faketest.SubmitBody))}, 401, "1819"},
		{"create with a wrong signature", "POST", "/v1/sessions", []byte(`{"verification":{}}`), map[string]string{"X-AUTH-CLIENT": faketest.Key, "X-HMAC-SIGNATURE": good([]byte(`{"verification":{} }`))}, 401, "1819"},

		{"create without signature is fine", "POST", "/v1/sessions", []byte(`{"verification":{}}`), map[string]string{"X-AUTH-CLIENT": faketest.Key}, 201, ""},
		{"create with a good signature", "POST", "/v1/sessions", []byte(`{"verification":{}}`), map[string]string{"X-AUTH-CLIENT": faketest.Key, "X-HMAC-SIGNATURE": good([]byte(`{"verification":{}}`))}, 201, ""},
		{"upper-case hex signature", "GET", decision, nil, map[string]string{"X-AUTH-CLIENT": faketest.Key, "X-HMAC-SIGNATURE": upper(good([]byte(id)))}, 200, ""},
		{"lower-case header names", "GET", decision, nil, map[string]string{"x-auth-client": faketest.Key, "x-hmac-signature": good([]byte(id))}, 200, ""},
		{"attempt media signed over the attempt ID", "GET", "/v1/attempts/" + attemptID + "/media", nil, map[string]string{"X-AUTH-CLIENT": faketest.Key, "X-HMAC-SIGNATURE": good([]byte(attemptID))}, 200, ""},
		{"media download signed over the media ID", "GET", "/v1/media/" + mediaID, nil, map[string]string{"X-AUTH-CLIENT": faketest.Key, "X-HMAC-SIGNATURE": good([]byte(mediaID))}, 200, ""},
		// 404, not 401: authenticated; the registry has no answer before the decision.
		{"query string is not signed", "GET", "/v1/sessions/" + id + "/decision/ine-registry?version=1.0.0", nil, map[string]string{"X-AUTH-CLIENT": faketest.Key, "X-HMAC-SIGNATURE": good([]byte(id))}, 404, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := a.Do(c.method, c.path, c.body, c.hdr)
			require.Equal(t, c.status, r.Status, "body: %s", r.Body)
			if c.code != "" {
				assert.Equal(t, c.code, r.Code(t))
				assert.NotEmpty(t, r.JSON(t)["message"])
			}
		})
	}
	// Nothing was uploaded or submitted by the refused requests.
	s, _ := srv.Session(id)
	assert.Equal(t, veriff.StatusStarted, s.Status)
	assert.Len(t, s.Attempts[0].Media, 1)
}

func TestAuthenticationBeforeNotFound(t *testing.T) {
	srv := newServer(t)
	a := newAPI(t, srv)
	const missing = "3f1c2b8e-9d4a-4e6b-8c7d-112233445566"
	r := a.Do(http.MethodGet, "/v1/sessions/"+missing+"/decision", nil, map[string]string{"X-AUTH-CLIENT": "nope"})
	assert.Equal(t, http.StatusUnauthorized, r.Status)
	r = a.Get(http.MethodGet, "/v1/sessions/"+missing+"/decision", missing)
	assert.Equal(t, http.StatusNotFound, r.Status)
}

func TestResponsesAreSigned(t *testing.T) {
	srv := newServer(t)
	a := newAPI(t, srv)
	r := a.Send(http.MethodPost, "/v1/sessions", []byte(`{"verification":{}}`))
	require.Equal(t, http.StatusCreated, r.Status)
	assert.Equal(t, veriff.Sign(faketest.Secret, r.Body), r.Header.Get("X-HMAC-SIGNATURE"))
	assert.Equal(t, faketest.Key, r.Header.Get("X-AUTH-CLIENT"))
	assert.Equal(t, "application/json", r.Header.Get("Content-Type"))
}
