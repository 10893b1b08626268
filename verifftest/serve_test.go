package verifftest_test

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/veriffgo/veriff"
	"github.com/veriffgo/veriff/internal/faketest"
	"github.com/veriffgo/veriff/verifftest"
)

func TestServeOnListener(t *testing.T) {
	srv := verifftest.NewUnstartedServer(faketest.Key, faketest.Secret)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	done := make(chan error, 1)
	go func() { done <- srv.Serve(l) }()

	base := "http://" + l.Addr().String()
	req, err := http.NewRequest(http.MethodPost, base+"/v1/sessions", strings.NewReader(`{"verification":{}}`))
	require.NoError(t, err)
	req.Header.Set("X-AUTH-CLIENT", faketest.Key)
	assert.Equal(t, http.StatusCreated, faketest.Do(t, req).Status)

	srv.Close()
	require.NoError(t, <-done, "Serve returns nil after Close")
	assert.Equal(t, base, srv.URL)
}

func TestHandlerMounted(t *testing.T) {
	srv := verifftest.NewUnstartedServer(faketest.Key, faketest.Secret)
	t.Cleanup(srv.Close)
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(hs.Close)
	c, err := veriff.NewClient(faketest.Key, faketest.Secret, veriff.WithBaseURL(hs.URL))
	require.NoError(t, err)
	sess, err := c.CreateSession(context.Background(), veriff.CreateSessionRequest{VendorData: "v"})
	require.NoError(t, err)
	assert.Equal(t, hs.URL+"/v/"+sess.SessionToken, sess.URL)
	assert.Equal(t, hs.URL, sess.Host)
}

// createVia creates a session through srv with the given Host header and
// returns the verification object.
func createVia(t *testing.T, srv *verifftest.Server, host string) map[string]any {
	t.Helper()
	body := []byte(`{"verification":{}}`)
	req, err := http.NewRequest(http.MethodPost, srv.URL+"/v1/sessions", bytes.NewReader(body))
	require.NoError(t, err)
	req.Host = host
	req.Header.Set("X-AUTH-CLIENT", faketest.Key)
	r := faketest.Do(t, req)
	require.Equal(t, http.StatusCreated, r.Status)
	return r.JSON(t)["verification"].(map[string]any)
}

func TestVerificationURLFollowsHost(t *testing.T) {
	plain := verifftest.NewServer(faketest.Key, faketest.Secret, verifftest.WithAllowedHosts("veriff"))
	t.Cleanup(plain.Close)
	public := verifftest.NewServer(faketest.Key, faketest.Secret, verifftest.WithPublicURL("https://veriff.example.test/"), verifftest.WithAllowedHosts("veriff"))
	t.Cleanup(public.Close)
	tests := []struct {
		name string
		srv  *verifftest.Server
		host string
		want string
	}{
		{"docker-compose name", plain, "veriff:8700", "http://veriff:8700"},
		{"loopback as dialled", plain, "", plain.URL},
		{"WithPublicURL wins", public, "veriff:8700", "https://veriff.example.test"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := createVia(t, tt.srv, tt.host)
			assert.Equal(t, tt.want, v["host"])
			assert.Equal(t, tt.want+"/v/"+v["sessionToken"].(string), v["url"])
		})
	}
}

func TestRequestLog(t *testing.T) {
	type line struct {
		method, path string
		status       int
	}
	var mu sync.Mutex
	var lines []line
	srv := verifftest.NewServer(faketest.Key, faketest.Secret, verifftest.WithRequestLog(func(m, p string, st int) {
		mu.Lock()
		defer mu.Unlock()
		lines = append(lines, line{m, p, st})
	}))
	t.Cleanup(srv.Close)
	a := newAPI(t, srv)
	id := a.Create(`{"verification":{}}`)
	a.Get(http.MethodGet, "/v1/sessions/"+id+"/decision", id)
	a.Do(http.MethodGet, "/v1/sessions/"+id+"/decision", nil, nil)
	_, vurl := a.createHosted(`{"verification":{}}`)
	faketest.Get(t, vurl)
	faketest.Get(t, srv.URL+"/_emulator/sessions")
	r, err := http.Post(vurl+"/", "text/plain", strings.NewReader("x"))
	require.NoError(t, err)
	r.Body.Close()
	mu.Lock()
	defer mu.Unlock()
	assert.Equal(t, []line{
		{"POST", "/v1/sessions", 201},
		{"GET", "/v1/sessions/{id}/decision", 200}, // route patterns, never paths
		{"GET", "/v1/sessions/{id}/decision", 401},
		{"POST", "/v1/sessions", 201},
		{"GET", "/v/{token}", 200}, // the token is not logged
		{"GET", "/", 404},
		{"POST", "/", 404}, // not even on a path no route takes
	}, lines)
}

// Close returns while a client stalls in the middle of a body.
func TestCloseWithStalledClient(t *testing.T) {
	srv := verifftest.NewServer(faketest.Key, faketest.Secret)
	conn, err := net.Dial("tcp", strings.TrimPrefix(srv.URL, "http://"))
	require.NoError(t, err)
	defer conn.Close()
	_, err = fmt.Fprintf(conn, "POST /v1/sessions HTTP/1.1\r\nHost: 127.0.0.1\r\nX-AUTH-CLIENT: %s\r\nContent-Length: 1000\r\n\r\n{", faketest.Key)
	require.NoError(t, err)
	require.Eventually(t, func() bool { return srv.RequestCount(http.MethodPost, "/v1/sessions") == 1 },
		5*time.Second, time.Millisecond, "the request reached the handler")
	closed := make(chan struct{})
	go func() {
		srv.Close()
		close(closed)
	}()
	select {
	case <-closed:
	case <-time.After(10 * time.Second):
		t.Fatal("Close blocked on a stalled client")
	}
}

// Requests keeps a bounded number of requests.
func TestRequestsCapped(t *testing.T) {
	srv := verifftest.NewServer(faketest.Key, faketest.Secret, verifftest.WithMaxRecordedRequests(3))
	t.Cleanup(srv.Close)
	a := newAPI(t, srv)
	var ids []string
	for range 5 {
		ids = append(ids, a.Create(`{"verification":{}}`))
	}
	for _, id := range ids {
		a.Get(http.MethodGet, "/v1/sessions/"+id+"/decision", id)
	}
	reqs := srv.Requests()
	require.Len(t, reqs, 3)
	for i, r := range reqs {
		assert.Equal(t, "/v1/sessions/"+ids[2+i]+"/decision", r.Path)
	}
	assert.Equal(t, 3, srv.RequestCount("", ""))
}

// Webhooks go to loopback hosts unless allowed otherwise.
func TestSetWebhookURLLoopbackOnly(t *testing.T) {
	local := newServer(t)
	remote := verifftest.NewServer(faketest.Key, faketest.Secret, verifftest.WithAllowRemoteWebhooks())
	t.Cleanup(remote.Close)
	tests := []struct {
		url             string
		local, remoteOK bool
	}{
		{"", true, true},
		{"http://127.0.0.1:8080/hooks", true, true},
		{"http://127.9.9.9/hooks", true, true},
		{"http://LOCALHOST:8080/hooks", true, true},
		{"http://localhost.:8080/hooks", false, true},
		{"https://[::1]:8443/hooks", true, true},
		{"http://app:8080/webhooks", false, true},
		{"https://example.com/hooks", false, true},
		{"http://10.0.0.5/hooks", false, true},
		{"ftp://127.0.0.1/hooks", false, false},
		{"/relative", false, false},
		{"http://[::1", false, false},
	}
	for _, tt := range tests {
		t.Run(tt.url, func(t *testing.T) {
			check := func(srv *verifftest.Server, ok bool) {
				if ok {
					require.NoError(t, srv.CheckWebhookURL(tt.url))
					assert.NotPanics(t, func() { srv.SetWebhookURL(tt.url) })
					return
				}
				require.Error(t, srv.CheckWebhookURL(tt.url))
				assert.Panics(t, func() { srv.SetWebhookURL(tt.url) })
				assert.Panics(t, func() { srv.SetWebhookURLs(verifftest.WebhookURLs{Event: tt.url}) })
			}
			check(local, tt.local)
			check(remote, tt.remoteOK)
		})
	}
}

// WithAllowedHosts ignores a value that is not a host: it allows nothing.
func TestAllowedHostsIgnoresNonHosts(t *testing.T) {
	srv := verifftest.NewServer(faketest.Key, faketest.Secret, verifftest.WithAllowedHosts("veriff/x", "user@evil.example", "app:8080"))
	t.Cleanup(srv.Close)
	tests := map[string]bool{"veriff": false, "evil.example": false, "user@evil.example": false, "app": true, "app:1": true}
	for host, want := range tests {
		assert.Equal(t, want, srv.AllowsHost(host), host)
	}
}
