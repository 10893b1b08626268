package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/veriffgo/veriff"
	"github.com/veriffgo/veriff/inbox"
)

const (
	testSecret    = "current-shared-secret"
	testOldSecret = "previous-shared-secret"
	testAPIKey    = "integration-api-key"
)

// fixture reads one of the SDK's recorded webhook bodies.
func fixture(t *testing.T, name string) []byte {
	t.Helper()
	body, err := os.ReadFile(filepath.Join("..", "..", "testdata", "webhooks", name))
	require.NoError(t, err)
	return body
}

// safeBuffer is a log sink the server's goroutines may write to.
type safeBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *safeBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *safeBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

type testReceiver struct {
	url   string
	store inbox.Store
	logs  *safeBuffer
}

func startReceiver(t *testing.T, cfg config) *testReceiver {
	t.Helper()
	r := &testReceiver{store: inbox.NewMemoryStore(), logs: &safeBuffer{}}
	_, h, err := newHandler(cfg, r.store, slog.New(slog.NewTextHandler(r.logs, nil)))
	require.NoError(t, err)
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	r.url = srv.URL + webhookPath
	return r
}

// deliveries lists what the store recorded, oldest first.
func deliveries(t *testing.T, s inbox.Store) []inbox.Delivery {
	t.Helper()
	ds, err := s.List(context.Background(), inbox.Filter{Limit: 1000})
	require.NoError(t, err)
	return ds
}

// signed is a webhook request signed as Veriff signs: veriff.Sign of the
// raw body in X-HMAC-SIGNATURE.
func signed(t *testing.T, url string, body []byte, secret string) *http.Request {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-HMAC-SIGNATURE", veriff.Sign(secret, body))
	return req
}

func send(t *testing.T, req *http.Request) int {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	_, _ = io.Copy(io.Discard, resp.Body)
	require.NoError(t, resp.Body.Close())
	return resp.StatusCode
}

func post(t *testing.T, url string, body []byte, secret string) int {
	t.Helper()
	return send(t, signed(t, url, body, secret))
}

// Verified webhooks are stored once; a replay is a 200 no-op; a bad
// signature is a 401 and stores nothing.
func TestReceiverStoresEachDeliveryOnce(t *testing.T) {
	r := startReceiver(t, config{secrets: []string{testSecret, testOldSecret}})

	cases := []struct {
		fixture, kind, session, status string
	}{
		{"event_started_7001.json", "event", "", "started"},
		{"decision_approved.json", "decision", "b6a4c3e1-8f2d-4a7b-9c1e-5d3f7a9b2c4e", "approved"},
		{"ine_registry_active.json", "ine_registry", "", "active"},
		{"watchlist.json", "watchlist", "", ""},
		{"unknown_kind.json", "unknown", "", ""},
	}
	for i, tc := range cases {
		body := fixture(t, tc.fixture)
		assert.Equal(t, http.StatusOK, post(t, r.url, body, testSecret), tc.fixture)
		assert.Equal(t, i+1, len(deliveries(t, r.store)), tc.fixture)

		// Veriff's retry (or an attacker's replay) of the same body.
		assert.Equal(t, http.StatusOK, post(t, r.url, body, testSecret), tc.fixture)
		assert.Equal(t, i+1, len(deliveries(t, r.store)), "a replay is not stored again: %s", tc.fixture)

		wh, err := veriff.ParseWebhook(body)
		require.NoError(t, err)
		got := deliveries(t, r.store)[i]
		assert.Equal(t, wh.DeliveryKey(), got.Key)
		assert.Equal(t, veriff.WebhookKind(tc.kind), got.Kind)
		assert.Equal(t, wh.SessionID(), got.SessionID)
		assert.JSONEq(t, string(body), string(got.Body))
		if tc.session != "" {
			assert.Equal(t, tc.session, got.SessionID)
		}
		assert.Equal(t, inbox.StatePending, got.State, "recorded, to be processed by Run")
	}

	// Refused before anything is stored.
	before := len(deliveries(t, r.store))
	decision := fixture(t, "decision_declined.json")
	assert.Equal(t, http.StatusUnauthorized, post(t, r.url, decision, "not-the-secret"))
	tampered := signed(t, r.url, decision, testSecret)
	tampered.Body = io.NopCloser(bytes.NewReader(append([]byte(" "), decision...)))
	tampered.ContentLength++
	assert.Equal(t, http.StatusUnauthorized, send(t, tampered))
	unsigned, err := http.NewRequest(http.MethodPost, r.url, bytes.NewReader(decision))
	require.NoError(t, err)
	assert.Equal(t, http.StatusUnauthorized, send(t, unsigned))
	get, err := http.NewRequest(http.MethodGet, r.url, nil)
	require.NoError(t, err)
	assert.Equal(t, http.StatusMethodNotAllowed, send(t, get))
	assert.Equal(t, http.StatusNotFound, post(t, strings.TrimSuffix(r.url, webhookPath)+"/other", decision, testSecret))
	assert.Equal(t, before, len(deliveries(t, r.store)), "nothing refused is stored")

	// The previous secret still verifies during a rotation.
	assert.Equal(t, http.StatusOK, post(t, r.url, decision, testOldSecret))
	assert.Equal(t, before+1, len(deliveries(t, r.store)))

	// The logs never hold bodies, personal data or secrets.
	logs := r.logs.String()
	for _, secretOrPersonal := range []string{"HERNÁNDEZ", "cliente-00417", testSecret, testOldSecret, `"verification"`} {
		assert.NotContains(t, logs, secretOrPersonal)
	}
}

func TestReceiverChecksAPIKeyWhenSet(t *testing.T) {
	r := startReceiver(t, config{secrets: []string{testSecret}, apiKey: testAPIKey})
	body := fixture(t, "event_submitted_7002.json")

	assert.Equal(t, http.StatusUnauthorized, post(t, r.url, body, testSecret), "no X-AUTH-CLIENT")
	req := signed(t, r.url, body, testSecret)
	req.Header.Set("X-AUTH-CLIENT", "another-key")
	assert.Equal(t, http.StatusUnauthorized, send(t, req))
	assert.Equal(t, 0, len(deliveries(t, r.store)))

	req = signed(t, r.url, body, testSecret)
	req.Header.Set("X-AUTH-CLIENT", testAPIKey)
	assert.Equal(t, http.StatusOK, send(t, req))
	assert.Equal(t, 1, len(deliveries(t, r.store)))
	assert.NotContains(t, r.logs.String(), testAPIKey)
}

// Many concurrent deliveries of one body are processed once.
func TestReceiverConcurrentReplays(t *testing.T) {
	r := startReceiver(t, config{secrets: []string{testSecret}})
	body := fixture(t, "decision_approved.json")
	var wg sync.WaitGroup
	codes := make([]int, 50)
	for i := range codes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			req, err := http.NewRequest(http.MethodPost, r.url, bytes.NewReader(body))
			if err != nil {
				return
			}
			req.Header.Set("X-HMAC-SIGNATURE", veriff.Sign(testSecret, body))
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				return
			}
			_ = resp.Body.Close()
			codes[i] = resp.StatusCode
		}()
	}
	wg.Wait()
	for _, c := range codes {
		assert.Equal(t, http.StatusOK, c)
	}
	assert.Equal(t, 1, len(deliveries(t, r.store)))
}

// failingStore fails its first Record calls, as a database might.
type failingStore struct {
	inbox.Store
	mu    sync.Mutex
	fails int
}

func (s *failingStore) Record(ctx context.Context, d inbox.NewDelivery) (bool, error) {
	s.mu.Lock()
	fail := s.fails > 0
	s.fails--
	s.mu.Unlock()
	if fail {
		return false, errors.New("database unavailable")
	}
	return s.Store.Record(ctx, d)
}

// A delivery that cannot be recorded is answered 503, so Veriff retries it;
// the retry is then recorded.
func TestReceiverStoreFailureAsksForRetry(t *testing.T) {
	store := &failingStore{Store: inbox.NewMemoryStore(), fails: 1}
	logs := &safeBuffer{}
	_, h, err := newHandler(config{secrets: []string{testSecret}}, store, slog.New(slog.NewTextHandler(logs, nil)))
	require.NoError(t, err)
	srv := httptest.NewServer(h)
	defer srv.Close()
	body := fixture(t, "ine_registry_active.json")

	assert.Equal(t, http.StatusServiceUnavailable, post(t, srv.URL+webhookPath, body, testSecret))
	assert.Empty(t, deliveries(t, store))
	assert.Contains(t, logs.String(), `msg="veriff webhook: handler failed" status=503`)
	assert.Equal(t, http.StatusOK, post(t, srv.URL+webhookPath, body, testSecret))
	assert.Len(t, deliveries(t, store), 1)
}

// run serves until its context ends, then shuts down cleanly.
func TestRunServesAndShutsDown(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	logs := &safeBuffer{}
	urls := make(chan string, 1)
	done := make(chan error, 1)
	env := map[string]string{"VERIFF_SHARED_SECRET": " old-secret , " + testSecret + " "}
	go func() {
		done <- run(ctx, []string{"-addr", "127.0.0.1:0"}, func(k string) string { return env[k] }, logs, func(url string) { urls <- url })
	}()

	var url string
	select {
	case url = <-urls:
	case err := <-done:
		t.Fatalf("run ended early: %v", err)
	case <-time.After(5 * time.Second):
		t.Fatal("server did not start")
	}
	assert.True(t, strings.HasSuffix(url, webhookPath), url)
	assert.Equal(t, http.StatusOK, post(t, url, fixture(t, "decision_approved.json"), testSecret))
	assert.Equal(t, http.StatusOK, post(t, url, fixture(t, "decision_approved.json"), "old-secret"))

	// Run processes the recorded decision: one log line, without personal data.
	for !strings.Contains(logs.String(), "msg=webhook kind=decision") {
		select {
		case err := <-done:
			t.Fatalf("run ended early: %v", err)
		case <-time.After(10 * time.Millisecond): // polling the log, not synchronising the inbox
		}
	}
	assert.Contains(t, logs.String(), "status=approved")

	cancel()
	select {
	case err := <-done:
		require.NoError(t, err)
	case <-time.After(5 * time.Second):
		t.Fatal("no graceful shutdown")
	}
	assert.Contains(t, logs.String(), "secrets=2")
	assert.Contains(t, logs.String(), "msg=stopped")
	assert.NotContains(t, logs.String(), testSecret)
}

func TestRunUsageErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		env  string
		args []string
		want string
	}{
		{"no secret", "", nil, "VERIFF_SHARED_SECRET is not set"},
		{"only commas", " , ,", nil, "VERIFF_SHARED_SECRET is not set"},
		{"bad flag", "s", []string{"-port", "1"}, "flag provided but not defined"},
		{"extra argument", "s", []string{"serve"}, "unexpected arguments"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env := func(k string) string {
				if k == "VERIFF_SHARED_SECRET" {
					return tc.env
				}
				return ""
			}
			err := run(context.Background(), tc.args, env, io.Discard, nil)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
			assert.Equal(t, 2, exitCode(err))
		})
	}
	assert.Equal(t, 0, exitCode(nil))
	assert.Equal(t, 1, exitCode(errors.New("listen: address in use")))
}

func TestSplitSecrets(t *testing.T) {
	for in, want := range map[string][]string{
		"":             nil,
		"one":          {"one"},
		"new,old":      {"new", "old"},
		" new , ,old ": {"new", "old"},
	} {
		assert.Equal(t, want, splitSecrets(in), "%q", in)
	}
}
