package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/veriffgo/veriff"
)

const (
	testKey    = "cmd-test-api-key"
	testSecret = "cmd-test-shared-secret"
)

// result is what one run of the command produced.
type result struct {
	code           int
	stdout, stderr string
}

// runCmd runs the command line args with stdin and returns its exit code
// and output. The VERIFF_* variables are cleared for the test unless the
// test sets them after calling clearEnv itself.
func runCmd(t *testing.T, stdin io.Reader, args ...string) result {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(context.Background(), args, stdin, &out, &errb)
	return result{code: code, stdout: out.String(), stderr: errb.String()}
}

// clearEnv empties every VERIFF_* variable the command reads.
func clearEnv(t *testing.T) {
	t.Helper()
	for _, k := range []string{"VERIFF_API_KEY", "VERIFF_SHARED_SECRET", "VERIFF_BASE_URL", "VERIFF_INTEGRATION_ID"} {
		t.Setenv(k, "")
	}
}

// received is one webhook a receiver got.
type received struct {
	header http.Header
	body   []byte
}

// receiver is a loopback webhook receiver that answers status and keeps
// what it got.
type receiver struct {
	*httptest.Server
	mu     sync.Mutex
	got    []received
	status int
	ch     chan received
}

func newReceiver(t *testing.T, status int) *receiver {
	t.Helper()
	r := &receiver{status: status, ch: make(chan received, 64)}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		b, err := io.ReadAll(req.Body)
		if err != nil {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		rec := received{header: req.Header.Clone(), body: b}
		r.mu.Lock()
		r.got = append(r.got, rec)
		r.mu.Unlock()
		r.ch <- rec
		w.WriteHeader(r.status)
	}))
	t.Cleanup(r.Close)
	return r
}

func (r *receiver) all() []received {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]received(nil), r.got...)
}

// requireSigned asserts that rec is signed with secret and parses to kind.
func requireSigned(t *testing.T, rec received, secret string, kind veriff.WebhookKind) *veriff.Webhook {
	t.Helper()
	require.NoError(t, veriff.VerifyWebhook(rec.body, rec.header, secret))
	wh, err := veriff.ParseWebhook(rec.body)
	require.NoError(t, err)
	require.Equal(t, kind, wh.Kind)
	return wh
}

// errReader fails every read.
type errReader struct{}

func (errReader) Read([]byte) (int, error) { return 0, io.ErrUnexpectedEOF }

// bigReader yields n bytes of 'a' without holding them.
func bigReader(n int64) io.Reader { return io.LimitReader(repeatReader('a'), n) }

type repeatReader byte

func (r repeatReader) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = byte(r)
	}
	return len(p), nil
}
