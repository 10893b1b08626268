package emulator_test

import (
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/veriffgo/veriff"
	"github.com/veriffgo/veriff/internal/emulator"
	"github.com/veriffgo/veriff/verifftest"
)

// Issue 19 point 5: a DNS-rebinding page (any foreign Host) reads nothing
// and changes nothing: 421 on the portal, its forms, the admin API and the
// API; and a form from a foreign Origin is refused even on the right Host.
func TestForeignHostRefusedEverywhere(t *testing.T) {
	srv := newServer(t)
	a := newAPI(t, srv)
	id := a.create(ineSessionBody)
	require.Equal(t, http.StatusOK, a.submit(id).Status)
	tok := portalToken(t, srv, id)
	form := url.Values{"csrf": {tok}, "status": {"approved"}}.Encode()
	cases := []struct{ method, path, body, ctype string }{
		{"GET", "/", "", ""},
		{"GET", "/sessions/" + id, "", ""},
		{"POST", "/sessions/" + id + "/decision", form, "application/x-www-form-urlencoded"},
		{"GET", "/_emulator/sessions", "", ""},
		{"POST", "/_emulator/sessions/" + id + "/decision", `{"status":"approved"}`, "application/json"},
		{"POST", "/v1/sessions", `{"verification":{}}`, "application/json"},
	}
	port := srv.URL[strings.LastIndex(srv.URL, ":"):]
	for _, c := range cases {
		req, err := http.NewRequest(c.method, srv.URL+c.path, strings.NewReader(c.body))
		require.NoError(t, err)
		req.Host = "rebind.attacker.example" + port
		req.Header.Set("Content-Type", c.ctype)
		req.Header.Set("X-AUTH-CLIENT", testKey)
		r := doRaw(t, req)
		assert.Equal(t, http.StatusMisdirectedRequest, r.Status, "%s %s", c.method, c.path)
		assert.NotContains(t, string(r.Body), "Juan", "no personal data")
	}
	r := postPortal(t, srv.URL+"/sessions/"+id+"/decision", url.Values{"csrf": {tok}, "status": {"approved"}},
		map[string]string{"Origin": "http://rebind.attacker.example" + port})
	assert.Equal(t, http.StatusForbidden, r.Status)
	s, _ := srv.Session(id)
	assert.Equal(t, veriff.StatusSubmitted, s.Status, "nothing was decided")
	assert.Len(t, srv.Sessions(), 1, "no session was created")
}

// The request log holds route patterns: never a session ID or a token.
func TestRequestLogRoutes(t *testing.T) {
	var mu sync.Mutex
	var lines []string
	log := func(m, route string, st int) {
		mu.Lock()
		defer mu.Unlock()
		lines = append(lines, m+" "+route)
	}
	srv := verifftest.NewUnstartedServer(testKey, testSecret, verifftest.WithRequestLog(log))
	t.Cleanup(srv.Close)
	hs := newHTTPServer(t, emulator.New(srv, emulator.WithRequestLog(log)))
	s := &server{Server: srv, URL: hs}
	a := newAPI(t, s)
	id := a.create(`{"verification":{}}`)
	getPage(t, hs+"/sessions/"+id)
	getPage(t, hs+"/")
	mu.Lock()
	defer mu.Unlock()
	assert.Equal(t, []string{"POST /v1/sessions", "GET /sessions/{id}", "GET /{$}"}, lines)
}
