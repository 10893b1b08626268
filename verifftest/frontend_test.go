package verifftest_test

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/veriffgo/veriff"
	"github.com/veriffgo/veriff/internal/faketest"
	"github.com/veriffgo/veriff/verifftest"
)

// POST /v1/sessions, as @veriff/js-sdk sends it from a
// page of another origin, is preflighted and readable; signed calls are not.
func TestCORSForSessionCreation(t *testing.T) {
	srv := newServer(t)
	pre, err := http.NewRequest(http.MethodOptions, srv.URL+"/v1/sessions", nil)
	require.NoError(t, err)
	pre.Header.Set("Origin", "http://127.0.0.1:9999")
	pre.Header.Set("Access-Control-Request-Method", "POST")
	pre.Header.Set("Access-Control-Request-Headers", "content-type,x-auth-client,x-origin")
	r := faketest.Do(t, pre)
	assert.Equal(t, http.StatusNoContent, r.Status)
	assert.Equal(t, "*", r.Header.Get("Access-Control-Allow-Origin"))
	assert.Equal(t, "POST", r.Header.Get("Access-Control-Allow-Methods"))
	assert.Equal(t, "content-type, x-auth-client, x-origin, vrf-integration-id", r.Header.Get("Access-Control-Allow-Headers"))

	body := `{"verification":{"person":{"firstName":"Ana","lastName":"Ruiz"},"vendorData":"u1","timestamp":"2026-12-07T00:00:00.000Z"}}`
	req, err := http.NewRequest(http.MethodPost, srv.URL+"/v1/sessions", strings.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Content-type", "application/json")
	req.Header.Set("x-auth-client", faketest.Key)
	req.Header.Set("x-origin", "js-sdk")
	req.Header.Set("Origin", "http://127.0.0.1:9999")
	r = faketest.Do(t, req)
	assert.Equal(t, http.StatusCreated, r.Status, "%s", r.Body)
	assert.Equal(t, "*", r.Header.Get("Access-Control-Allow-Origin"))

	for _, path := range []string{"/v1/sessions/x", "/v1/sessions/x/media", "/v1/sessions/x/decision"} {
		pre, err := http.NewRequest(http.MethodOptions, srv.URL+path, nil)
		require.NoError(t, err)
		pre.Header.Set("Origin", "http://127.0.0.1:9999")
		r := faketest.Do(t, pre)
		assert.Empty(t, r.Header.Get("Access-Control-Allow-Origin"), "signed calls stay server-only: %s", path)
	}
	a := newAPI(t, srv)
	id := a.Create(`{"verification":{}}`)
	r2 := a.Get(http.MethodGet, "/v1/sessions/"+id+"/decision", id)
	assert.Empty(t, r2.Header.Get("Access-Control-Allow-Origin"))
}

// countingReader counts what the server took of a body.
type countingReader struct{ n atomic.Int64 }

func (c *countingReader) Read(p []byte) (int, error) {
	c.n.Add(int64(len(p)))
	clear(p)
	return len(p), nil
}

// An unauthenticated request declaring a huge body is
// answered 401 before the server reads it.
func TestUnauthenticatedHugeBodyNotRead(t *testing.T) {
	srv := newServer(t)
	for _, key := range []string{"", "wrong-key"} {
		conn, err := net.Dial("tcp", strings.TrimPrefix(srv.URL, "http://"))
		require.NoError(t, err)
		hdr := ""
		if key != "" {
			hdr = "X-AUTH-CLIENT: " + key + "\r\n"
		}
		_, err = fmt.Fprintf(conn, "POST /v1/sessions/x/media HTTP/1.1\r\nHost: 127.0.0.1\r\n%sContent-Type: application/json\r\nContent-Length: %d\r\n\r\n", hdr, int64(1)<<40)
		require.NoError(t, err)
		// The body is never sent: the answer comes anyway.
		require.NoError(t, conn.SetReadDeadline(time.Now().Add(5*time.Second)))
		resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
		require.NoError(t, err, "answered without the body")
		assert.Equal(t, http.StatusUnauthorized, resp.StatusCode)
		resp.Body.Close()
		conn.Close()
	}

	// Through net/http: the server stops reading at once.
	body := &countingReader{}
	req, err := http.NewRequest(http.MethodPost, srv.URL+"/v1/sessions", io.LimitReader(body, 1<<30))
	require.NoError(t, err)
	req.ContentLength = 1 << 30
	resp, err := (&http.Client{Transport: &http.Transport{DisableKeepAlives: true}}).Do(req)
	if err == nil { // the server may close before the client has sent all
		assert.Equal(t, http.StatusUnauthorized, resp.StatusCode)
		resp.Body.Close()
	}
	assert.Less(t, body.n.Load(), int64(64<<20), "the server did not take the body")
	assert.Empty(t, srv.Sessions())
}

// A request naming a foreign Host (DNS rebinding) gets
// 421 and changes nothing, on every route.
func TestForeignHostRefused(t *testing.T) {
	srv := verifftest.NewServer(faketest.Key, faketest.Secret, verifftest.WithPublicURL("http://veriff.test:8700"), verifftest.WithAllowedHosts("veriff"))
	t.Cleanup(srv.Close)
	a := newAPI(t, srv)
	id, vurl := a.createHosted(`{"verification":{}}`)
	token := vurl[strings.LastIndex(vurl, "/")+1:]
	body := []byte(`{"verification":{}}`)
	cases := []struct {
		method, path string
		body         []byte
	}{
		{http.MethodPost, "/v1/sessions", body},
		{http.MethodGet, "/v1/sessions/" + id + "/decision", nil},
		{http.MethodGet, "/v/" + token, nil},
		{http.MethodPost, "/v/" + token + "/cancel", nil},
		{http.MethodOptions, "/v1/sessions", nil},
	}
	for _, host := range []string{"evil.example:" + strings.Split(srv.URL, ":")[2], "attacker.test", "127.0.0.1.nip.io", "0.0.0.0"} {
		for _, c := range cases {
			t.Run(host+" "+c.method+" "+c.path, func(t *testing.T) {
				req, err := http.NewRequest(c.method, srv.URL+c.path, strings.NewReader(string(c.body)))
				require.NoError(t, err)
				req.Host = host
				req.Header.Set("X-AUTH-CLIENT", faketest.Key)
				req.Header.Set("X-HMAC-SIGNATURE", veriff.Sign(faketest.Secret, []byte(id)))
				r := faketest.Do(t, req)
				assert.Equal(t, http.StatusMisdirectedRequest, r.Status)
				assert.NotContains(t, string(r.Body), id)
			})
		}
	}
	all := srv.Sessions()
	require.Len(t, all, 1, "no session was created")
	assert.Equal(t, veriff.StatusCreated, all[0].Status, "the page was not opened")
	assert.True(t, all[0].CanceledAt.IsZero())
	for _, host := range []string{"localhost", "LOCALHOST:1", "[::1]:80", "127.0.0.2", "veriff:8700", "veriff.test"} {
		assert.True(t, srv.AllowsHost(host), host)
	}
}

// hostedEvents are the actions of the event webhooks received, in order.
func eventActions(t *testing.T, srv *verifftest.Server, n int) []string {
	t.Helper()
	ds, err := srv.WaitForDeliveries(waitCtx(t), n)
	require.NoError(t, err)
	var out []string
	for _, d := range ds {
		if d.Kind == veriff.WebhookEvent {
			var ev struct{ Action string }
			require.NoError(t, json.Unmarshal(d.Body, &ev))
			out = append(out, ev.Action)
		}
	}
	return out
}

// Opening the flow starts the session (7001) and
// the page posts VERIFF_STARTED when framed; submitting sends 7002 and the
// done page posts VERIFF_SUBMITTED then VERIFF_FINISHED; framed, the
// parent learns it before any callback.
func TestHostedFlowEventsAndMessages(t *testing.T) {
	srv := newServer(t)
	rc := newReceiver(t)
	srv.SetWebhookURL(rc.URL + "/hooks")
	a := newAPI(t, srv)
	id, vurl := a.createHosted(`{"verification":{"callback":"https://app.example/done"}}`)
	assert.Empty(t, srv.Deliveries(), "nothing is sent before the flow opens")

	r := faketest.Get(t, vurl)
	require.Equal(t, http.StatusOK, r.Status)
	assert.Contains(t, string(r.Body), `data-veriff-post="VERIFF_STARTED"`)
	assert.Contains(t, string(r.Body), `id="veriff-cancel"`)
	assert.Equal(t, []string{"started"}, eventActions(t, srv, 1))
	s, _ := srv.Session(id)
	assert.Equal(t, veriff.StatusStarted, s.Status)
	faketest.Get(t, vurl) // opening again sends nothing more
	assert.Equal(t, 1, len(srv.Deliveries()))

	framed := append(threeImages(), upload{field: "framed", content: []byte("1")})
	r = postForm(t, vurl, framed)
	require.Equal(t, http.StatusOK, r.Status, "framed: the page, not the redirect")
	assert.Contains(t, string(r.Body), `data-veriff-post="VERIFF_SUBMITTED VERIFF_FINISHED"`)
	assert.Contains(t, string(r.Body), `data-veriff-next="https://app.example/done"`, "the callback, after the parent learnt it")
	assert.ElementsMatch(t, []string{"started", "submitted"}, eventActions(t, srv, 2))
	s, _ = srv.Session(id)
	assert.False(t, s.Attempts[0].SubmittedAt.IsZero())

	_, vurl2 := a.createHosted(`{"verification":{"callback":"https://app.example/done"}}`)
	r = postForm(t, vurl2, threeImages())
	assert.Equal(t, http.StatusSeeOther, r.Status, "unframed: the callback, as before")
	assert.Equal(t, "https://app.example/done", r.Header.Get("Location"))
}

// The cancel control decides nothing: the session stays
// open, the same link works again, and the page posts VERIFF_CANCELED.
func TestHostedCancel(t *testing.T) {
	srv := newServer(t)
	a := newAPI(t, srv)
	id, vurl := a.createHosted(`{"verification":{}}`)
	faketest.Get(t, vurl)
	req, err := http.NewRequest(http.MethodPost, vurl+"/cancel?lang=es", nil)
	require.NoError(t, err)
	r := faketest.Do(t, req)
	require.Equal(t, http.StatusOK, r.Status)
	assert.Contains(t, string(r.Body), `data-veriff-post="VERIFF_CANCELED"`)
	assert.Contains(t, string(r.Body), "Verificación cancelada")
	s, _ := srv.Session(id)
	assert.Equal(t, veriff.StatusStarted, s.Status, "still open")
	assert.False(t, s.CanceledAt.IsZero())
	assert.Nil(t, s.Decision)
	assert.Equal(t, http.StatusOK, faketest.Get(t, vurl).Status)
	assert.Equal(t, http.StatusOK, postForm(t, vurl, threeImages()).Status, "and can be submitted")
}

// The lang parameter picks Spanish (es, es-MX) or English (en, and
// anything unknown), <html lang> included, on every page of the flow.
func TestHostedLanguages(t *testing.T) {
	srv := newServer(t)
	a := newAPI(t, srv)
	cases := []struct{ lang, html, title, submit string }{
		{"es", "es", "Verifica tu identidad", "Enviar para verificación"},
		{"es-MX", "es", "Verifica tu identidad", "Enviar para verificación"},
		{"en", "en", "Verify your identity", "Submit for verification"},
		{"", "en", "Verify your identity", "Submit for verification"},
		{"xx", "en", "Verify your identity", "Submit for verification"},
	}
	for _, c := range cases {
		t.Run(c.lang, func(t *testing.T) {
			_, vurl := a.createHosted(`{"verification":{}}`)
			if c.lang != "" {
				vurl += "?lang=" + c.lang
			}
			page := string(faketest.Get(t, vurl).Body)
			assert.Contains(t, page, `<html lang="`+c.html+`">`)
			assert.Contains(t, page, c.title)
			assert.Contains(t, page, c.submit)
			if c.html == "es" {
				assert.Contains(t, page, `action="/v/`)
				assert.Contains(t, page, `?lang=`+c.lang+`"`, "the form keeps the language")
				r := postForm(t, vurl, threeImages()[:2])
				assert.Contains(t, string(r.Body), "Falta agregar: una foto de tu rostro.")
				done := string(postForm(t, vurl, threeImages()).Body)
				assert.Contains(t, done, "Gracias")
				assert.Contains(t, done, `<html lang="es">`)
			}
		})
	}
	page := string(faketest.Get(t, srv.URL+"/v/nope?lang=es").Body)
	assert.Contains(t, page, "Enlace no válido")
}

// DecideAsSent invents no personal data.
func TestDecideAsSent(t *testing.T) {
	srv := newServer(t)
	a := newAPI(t, srv)
	bare := a.Create(`{"verification":{}}`)
	named := a.Create(`{"verification":{"person":{"firstName":"Ana","lastName":"Ruiz"}}}`)
	require.NoError(t, srv.DecideAsSent(bare, veriff.StatusApproved, 0))
	require.NoError(t, srv.DecideAsSent(named, veriff.StatusDeclined, 0))
	d := a.Decision(bare)["verification"].(map[string]any)
	assert.Equal(t, "approved", d["status"])
	assert.Nil(t, d["person"])
	assert.Nil(t, d["document"])
	assert.Empty(t, d["additionalVerifiedData"])
	d = a.Decision(named)["verification"].(map[string]any)
	p := d["person"].(map[string]any)
	assert.Equal(t, "ANA", p["firstName"])
	assert.Empty(t, p["idNumber"])
	assert.Empty(t, p["addresses"])
	assert.NotContains(t, fmt.Sprint(d), "HERNÁNDEZ")
	assert.EqualValues(t, 102, d["reasonCode"])
}

// The hosted flow checks that the session is still open
// before it reads an upload: a closed one answers at once, body unread.
func TestHostedClosedSessionUploadNotRead(t *testing.T) {
	srv := newServer(t)
	a := newAPI(t, srv)
	id, vurl := a.createHosted(`{"verification":{}}`)
	require.Equal(t, http.StatusOK, a.Submit(id).Status)
	conn, err := net.Dial("tcp", strings.TrimPrefix(srv.URL, "http://"))
	require.NoError(t, err)
	defer conn.Close()
	path := vurl[len(srv.URL):]
	_, err = fmt.Fprintf(conn, "POST %s HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: multipart/form-data; boundary=x\r\nContent-Length: %d\r\n\r\n", path, 50<<20)
	require.NoError(t, err)
	require.NoError(t, conn.SetReadDeadline(time.Now().Add(5*time.Second)))
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	require.NoError(t, err, "answered without the body")
	defer resp.Body.Close()
	assert.Equal(t, http.StatusConflict, resp.StatusCode)
}
