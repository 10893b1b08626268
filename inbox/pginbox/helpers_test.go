package pginbox_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"github.com/veriffgo/veriff"
	"github.com/veriffgo/veriff/inbox"
	"github.com/veriffgo/veriff/inbox/pginbox"
)

const testSecret = "pginbox-test-secret"

// databaseURL is the test database, from VERIFF_TEST_DATABASE_URL. Without
// it the test is skipped, unless VERIFF_PGINBOX_REQUIRE=1 (set by
// .ci/postgres) makes that a failure.
func databaseURL(t testing.TB) string {
	t.Helper()
	url := os.Getenv("VERIFF_TEST_DATABASE_URL")
	if url == "" {
		if os.Getenv("VERIFF_PGINBOX_REQUIRE") == "1" {
			t.Fatal("VERIFF_TEST_DATABASE_URL is not set but VERIFF_PGINBOX_REQUIRE=1")
		}
		t.Skip("VERIFF_TEST_DATABASE_URL is not set: PostgreSQL tests skipped (see .ci/postgres)")
	}
	return url
}

// newPool opens a pool on the test database, closed when the test ends
// (closing twice is harmless).
func newPool(t testing.TB) *pgxpool.Pool {
	t.Helper()
	pool, err := pgxpool.New(context.Background(), databaseURL(t))
	require.NoError(t, err)
	t.Cleanup(pool.Close)
	require.NoError(t, pool.Ping(context.Background()))
	return pool
}

// newSchema names a fresh schema, dropped when the test ends.
func newSchema(t testing.TB) string {
	t.Helper()
	var b [6]byte
	_, _ = rand.Read(b[:])
	name := "test_" + hex.EncodeToString(b[:])
	url := databaseURL(t)
	t.Cleanup(func() {
		conn, err := pgx.Connect(context.Background(), url)
		if err != nil {
			t.Errorf("dropping schema %s: %v", name, err)
			return
		}
		defer conn.Close(context.Background())
		if _, err := conn.Exec(context.Background(), "DROP SCHEMA IF EXISTS "+name+" CASCADE"); err != nil {
			t.Errorf("dropping schema %s: %v", name, err)
		}
	})
	return name
}

func newStore(t testing.TB, pool *pgxpool.Pool, schema string, opts ...pginbox.Option) inbox.Store {
	t.Helper()
	s, err := pginbox.NewWithOptions(context.Background(), pool, append([]pginbox.Option{pginbox.WithSchema(schema)}, opts...)...)
	require.NoError(t, err)
	return s
}

// signedRequest is a webhook request signed as Veriff signs.
func signedRequest(t testing.TB, url string, body []byte, secret string) *http.Request {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-HMAC-SIGNATURE", veriff.Sign(secret, body))
	return req
}

func do(t testing.TB, req *http.Request) int {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	_, _ = io.Copy(io.Discard, resp.Body)
	require.NoError(t, resp.Body.Close())
	return resp.StatusCode
}

// eventBody is a distinct event webhook body for i.
func eventBody(prefix string, i int) []byte {
	return []byte(fmt.Sprintf(`{"id":"%s-%d","attemptId":"a","feature":"selfid","code":7001,"action":"started","vendorData":"v"}`, prefix, i))
}

// handled counts successful handler calls by key and announces each.
type handled struct {
	mu    sync.Mutex
	count map[string]int
	ch    chan string
}

func newHandled() *handled { return &handled{count: map[string]int{}, ch: make(chan string, 4096)} }

func (h *handled) success(wh *veriff.Webhook) {
	h.mu.Lock()
	h.count[wh.DeliveryKey()]++
	h.mu.Unlock()
	h.ch <- wh.DeliveryKey()
}

func (h *handled) counts() map[string]int {
	h.mu.Lock()
	defer h.mu.Unlock()
	out := map[string]int{}
	for k, v := range h.count {
		out[k] = v
	}
	return out
}

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

// run runs in until the returned stop is called (or the test ends).
func run(t *testing.T, in *inbox.Inbox) (stop func()) {
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
