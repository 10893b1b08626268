package inbox_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/veriffgo/veriff"
	"github.com/veriffgo/veriff/inbox"
	"github.com/veriffgo/veriff/verifftest"
)

const (
	testSecret = "inbox-test-secret"
	testAPIKey = "inbox-test-api-key"
)

// fixture reads one of the SDK's webhook bodies.
func fixture(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "testdata", "webhooks", name))
	require.NoError(t, err)
	return b
}

// signedRequest is a webhook request signed as Veriff signs: the HMAC of the
// raw body in X-HMAC-SIGNATURE.
func signedRequest(t testing.TB, url string, body []byte, secret string) *http.Request {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	if secret != "" {
		req.Header.Set("X-HMAC-SIGNATURE", veriff.Sign(secret, body))
	}
	return req
}

// do sends req and returns the status.
func do(t testing.TB, req *http.Request) int {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	_, _ = io.Copy(io.Discard, resp.Body)
	require.NoError(t, resp.Body.Close())
	return resp.StatusCode
}

// handled records every successful handler call by delivery key, and
// announces each on a channel.
type handled struct {
	mu    sync.Mutex
	count map[string]int
	hooks map[string]*veriff.Webhook
	ch    chan string
}

func newHandled() *handled {
	return &handled{count: map[string]int{}, hooks: map[string]*veriff.Webhook{}, ch: make(chan string, 1024)}
}

func (h *handled) success(wh *veriff.Webhook) {
	h.mu.Lock()
	h.count[wh.DeliveryKey()]++
	h.hooks[wh.DeliveryKey()] = wh
	h.mu.Unlock()
	h.ch <- wh.DeliveryKey()
}

func (h *handled) counts() map[string]int {
	h.mu.Lock()
	defer h.mu.Unlock()
	out := make(map[string]int, len(h.count))
	for k, v := range h.count {
		out[k] = v
	}
	return out
}

// wait waits for n successful calls, or fails the test after timeout.
func (h *handled) wait(t *testing.T, n int, timeout time.Duration) []string {
	t.Helper()
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	var keys []string
	for len(keys) < n {
		select {
		case k := <-h.ch:
			keys = append(keys, k)
		case <-deadline.C:
			t.Fatalf("%d of %d deliveries handled after %s", len(keys), n, timeout)
		}
	}
	return keys
}

// runInbox runs in until the test ends and checks Run's result.
func runInbox(t *testing.T, in *inbox.Inbox) (stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- in.Run(ctx) }()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cancel()
			require.ErrorIs(t, <-done, context.Canceled)
		})
	}
	t.Cleanup(stop)
	return stop
}

// failingStore fails every Record.
type failingStore struct{ inbox.Store }

var errStoreDown = errors.New("store down")

func (failingStore) Record(context.Context, inbox.NewDelivery) (bool, error) {
	return false, errStoreDown
}

// decisionAnswer is the fake's raw GET /decision answer for a session: the
// body Veriff's decision webhook for it carries.
func decisionAnswer(t *testing.T, srv *verifftest.Server, sessionID string) []byte {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, srv.URL+"/v1/sessions/"+sessionID+"/decision", nil)
	require.NoError(t, err)
	req.Header.Set("X-AUTH-CLIENT", srv.APIKey())
	req.Header.Set("X-HMAC-SIGNATURE", veriff.Sign(srv.SharedSecret(), []byte(sessionID)))
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return body
}

// newSession creates a session on the fake.
func newSession(t *testing.T, c *veriff.Client) string {
	t.Helper()
	s, err := c.CreateSession(context.Background(), veriff.CreateSessionRequest{
		Callback: "https://example.com/done", VendorData: "inbox-test",
		Consents: []veriff.Consent{veriff.INEConsent()},
	})
	require.NoError(t, err)
	return s.ID
}
