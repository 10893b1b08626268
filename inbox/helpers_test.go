package inbox_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/veriffgo/veriff"
	"github.com/veriffgo/veriff/inbox"
	"github.com/veriffgo/veriff/inbox/inboxtest"
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

// deliverApproved hands in the signed approved-decision webhook, as Veriff
// posts it, and returns the status answered.
func deliverApproved(t *testing.T, in *inbox.Inbox) int {
	t.Helper()
	rec := httptest.NewRecorder()
	in.ServeHTTP(rec, inboxtest.SignedRequest(t, "http://127.0.0.1/", fixture(t, "decision_approved.json"), testSecret))
	return rec.Code
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

// reconciler is an Inbox on a memory store that reconciles through a new
// verifftest server and records every webhook it handles.
type reconciler struct {
	srv    *verifftest.Server
	client *veriff.Client
	store  inbox.Store
	got    *inboxtest.Recorder
	in     *inbox.Inbox
}

func newReconciler(t *testing.T, after, poll time.Duration, clientOpts ...veriff.Option) *reconciler {
	t.Helper()
	r := &reconciler{srv: verifftest.NewServer(testAPIKey, testSecret), store: inbox.NewMemoryStore(), got: inboxtest.NewRecorder()}
	t.Cleanup(r.srv.Close)
	var err error
	r.client, err = r.srv.NewClient(clientOpts...)
	require.NoError(t, err)
	r.in, err = inbox.New(r.store, func(_ context.Context, wh *veriff.Webhook) error {
		r.got.Record(wh)
		return nil
	}, inbox.WithSecrets(testSecret), inbox.WithClient(r.client),
		inbox.WithReconcileAfter(after), inbox.WithPollInterval(poll))
	require.NoError(t, err)
	return r
}

// flakyStore fails the first n outcome calls (Complete, Retry, Fail) as a
// cut connection would; the calls still reach the store when applied is
// set (the answer was lost, not the write).
type flakyStore struct {
	inbox.Store
	mu      sync.Mutex
	n       int
	applied bool
	calls   int
}

var errConnReset = errors.New("read tcp: connection reset by peer")

func (f *flakyStore) outcome(op func() error) error {
	f.mu.Lock()
	f.calls++
	fail := f.n > 0
	f.n--
	f.mu.Unlock()
	if !fail {
		return op()
	}
	if f.applied {
		_ = op()
	}
	return errConnReset
}

func (f *flakyStore) Complete(ctx context.Context, key, token string) error {
	return f.outcome(func() error { return f.Store.Complete(ctx, key, token) })
}

func (f *flakyStore) Retry(ctx context.Context, key, token string, delay time.Duration, lastErr string) error {
	return f.outcome(func() error { return f.Store.Retry(ctx, key, token, delay, lastErr) })
}
