package verifftest_test

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/veriffgo/veriff"
	"github.com/veriffgo/veriff/internal/faketest"
)

// The server reads an oversized body through before it
// answers 413, so that a client still writing reads the answer instead of a
// connection reset, and the connection stays usable. Before the fix the
// server closed the connection after the 413 (and sometimes reset it while
// the client still wrote): the second request on it failed every time.
func TestBodyTooLargeConnectionSurvives(t *testing.T) {
	srv := newServer(t)
	a := newAPI(t, srv)
	id := a.Create(`{"verification":{}}`)
	conn, err := net.Dial("tcp", strings.TrimPrefix(srv.URL, "http://"))
	require.NoError(t, err)
	defer conn.Close()

	body := `{"image":{"context":"face","content":"` + strings.Repeat("A", 33<<20) + `"}}`
	written := make(chan error, 1)
	go func() {
		_, err := fmt.Fprintf(conn, "POST /v1/sessions/%s/media HTTP/1.1\r\nHost: 127.0.0.1\r\nX-AUTH-CLIENT: %s\r\nX-HMAC-SIGNATURE: %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s",
			id, faketest.Key, veriff.Sign(faketest.Secret, []byte(body)), len(body), body)
		written <- err
	}()
	br := bufio.NewReader(conn)
	resp, err := http.ReadResponse(br, nil)
	require.NoError(t, err)
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	assert.Equal(t, http.StatusRequestEntityTooLarge, resp.StatusCode)
	require.NoError(t, <-written, "the whole body was written")

	_, err = fmt.Fprintf(conn, "GET /v1/sessions/%s/decision HTTP/1.1\r\nHost: 127.0.0.1\r\nX-AUTH-CLIENT: %s\r\nX-HMAC-SIGNATURE: %s\r\n\r\n",
		id, faketest.Key, veriff.Sign(faketest.Secret, []byte(id)))
	require.NoError(t, err)
	resp, err = http.ReadResponse(br, nil)
	require.NoError(t, err, "the connection is still open after the 413")
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	s, _ := srv.Session(id)
	assert.Empty(t, s.Attempts[0].Media, "nothing was stored")
}
