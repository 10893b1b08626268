package emulator_test

import (
	"bufio"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/veriffgo/veriff"
	"github.com/veriffgo/veriff/internal/emulator"
	"github.com/veriffgo/veriff/internal/faketest"
	"github.com/veriffgo/veriff/verifftest"
)

// A DNS-rebinding page (any foreign Host) reads nothing
// and changes nothing: 421 on the portal, its forms, the admin API and the
// API; and a form from a foreign Origin is refused even on the right Host.
func TestForeignHostRefusedEverywhere(t *testing.T) {
	srv := newServer(t)
	a := newAPI(t, srv)
	id := a.Create(faketest.INESessionBody)
	require.Equal(t, http.StatusOK, a.Submit(id).Status)
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
		req.Header.Set("X-AUTH-CLIENT", faketest.Key)
		r := faketest.Do(t, req)
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
	srv := verifftest.NewUnstartedServer(faketest.Key, faketest.Secret, verifftest.WithRequestLog(log))
	t.Cleanup(srv.Close)
	hs := newHTTPServer(t, emulator.New(srv, emulator.WithRequestLog(log)))
	s := &server{Server: srv, URL: hs}
	a := newAPI(t, s)
	id := a.Create(`{"verification":{}}`)
	faketest.Get(t, hs+"/sessions/"+id)
	faketest.Get(t, hs+"/")
	faketest.Get(t, hs+"/_emulator/no/such/call/"+id)
	mu.Lock()
	defer mu.Unlock()
	assert.Equal(t, []string{"POST /v1/sessions", "GET /sessions/{id}", "GET /", "GET /_emulator/"}, lines)
}

// The admin API and the portal's forms judge the key and
// the declared length before reading a body: a huge declared body is
// answered at once, unread.
func TestHugeBodiesAnsweredUnread(t *testing.T) {
	srv := newServer(t)
	id := newAPI(t, srv).Create(`{"verification":{}}`)
	cases := []struct {
		name, path, hdr string
		want            int
	}{
		{"admin without key", "/_emulator/sessions/" + id + "/decision", "", http.StatusUnauthorized},
		{"admin with key", "/_emulator/sessions/" + id + "/decision", "X-AUTH-CLIENT: " + faketest.Key + "\r\n", http.StatusRequestEntityTooLarge},
		{"portal form", "/sessions/" + id + "/decision", "Content-Type: application/x-www-form-urlencoded\r\n", http.StatusRequestEntityTooLarge},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			conn, err := net.Dial("tcp", strings.TrimPrefix(srv.URL, "http://"))
			require.NoError(t, err)
			defer conn.Close()
			_, err = fmt.Fprintf(conn, "POST %s HTTP/1.1\r\nHost: 127.0.0.1\r\n%sContent-Length: %d\r\n\r\n", c.path, c.hdr, int64(1)<<40)
			require.NoError(t, err)
			require.NoError(t, conn.SetReadDeadline(time.Now().Add(5*time.Second)))
			resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
			require.NoError(t, err, "answered without the body")
			resp.Body.Close()
			assert.Equal(t, c.want, resp.StatusCode)
		})
	}
	s, _ := srv.Session(id)
	assert.Nil(t, s.Decision)
}
