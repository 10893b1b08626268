package verifftest_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/veriffgo/veriff"
	"github.com/veriffgo/veriff/internal/faketest"
	"github.com/veriffgo/veriff/verifftest"
)

// receiver is a webhook endpoint that records what it is sent and answers
// the statuses queued in fail before 200.
type receiver struct {
	*httptest.Server
	mu   sync.Mutex
	got  []received
	fail []int
}

type received struct {
	Header http.Header
	Body   []byte
}

func newReceiver(t *testing.T, fail ...int) *receiver {
	rc := &receiver{fail: fail}
	rc.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		rc.mu.Lock()
		rc.got = append(rc.got, received{Header: r.Header.Clone(), Body: b})
		status := http.StatusOK
		if len(rc.fail) > 0 {
			status, rc.fail = rc.fail[0], rc.fail[1:]
		}
		rc.mu.Unlock()
		w.WriteHeader(status)
	}))
	t.Cleanup(rc.Close)
	return rc
}

func (rc *receiver) received() []received {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]received(nil), rc.got...)
}

func waitCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func TestWebhooksDeliveredAndSigned(t *testing.T) {
	srv := newServer(t)
	rc := newReceiver(t)
	srv.SetWebhookURL(rc.URL + "/hooks")
	a := newAPI(t, srv)

	id := a.Create(faketest.INESessionBody)
	a.upload(id, "document-front", faketest.JPEG)
	a.upload(id, "face", faketest.JPEG) // no second 7001 for the same attempt
	require.Equal(t, http.StatusOK, a.Submit(id).Status)
	require.NoError(t, srv.SetINERegistry(id, veriff.INERegistryResult{Active: true, DocumentState: "El documento es válido."}))
	require.NoError(t, srv.Decide(id, veriff.StatusApproved))

	ds, err := srv.WaitForDeliveries(waitCtx(t), 4)
	require.NoError(t, err)
	require.Len(t, ds, 4)
	byKind := map[veriff.WebhookKind][]verifftest.Delivery{}
	for _, d := range ds {
		assert.True(t, d.Delivered, d.Kind)
		assert.Equal(t, 1, d.Attempts)
		assert.Equal(t, http.StatusOK, d.StatusCode)
		assert.NoError(t, d.Err)
		assert.Equal(t, rc.URL+"/hooks", d.URL)
		assert.Equal(t, id, d.SessionID)
		assert.Equal(t, veriff.Sign(faketest.Secret, d.Body), d.Signature)
		byKind[d.Kind] = append(byKind[d.Kind], d)
	}
	require.Len(t, byKind[veriff.WebhookEvent], 2)
	require.Len(t, byKind[veriff.WebhookDecision], 1)
	require.Len(t, byKind[veriff.WebhookINERegistry], 1)

	// What the receiver saw: the same bodies, signed, with Veriff's headers.
	got := rc.received()
	require.Len(t, got, 4)
	for _, g := range got {
		assert.Equal(t, veriff.Sign(faketest.Secret, g.Body), g.Header.Get("X-HMAC-SIGNATURE"))
		assert.Equal(t, faketest.Key, g.Header.Get("X-AUTH-CLIENT"))
		assert.Equal(t, "application/json", g.Header.Get("Content-Type"))
	}

	s, _ := srv.Session(id)
	attemptID := s.Attempts[0].ID
	codes := []int{}
	for _, d := range byKind[veriff.WebhookEvent] {
		var ev map[string]any
		require.NoError(t, json.Unmarshal(d.Body, &ev))
		assert.Equal(t, id, ev["id"])
		assert.Equal(t, attemptID, ev["attemptId"])
		assert.Equal(t, "selfid", ev["feature"])
		assert.Equal(t, "user-42", ev["vendorData"])
		codes = append(codes, int(ev["code"].(float64)))
		want := map[int]string{7001: "started", 7002: "submitted"}[int(ev["code"].(float64))]
		assert.Equal(t, want, ev["action"])
	}
	sort.Ints(codes)
	assert.Equal(t, []int{7001, 7002}, codes)

	dec := byKind[veriff.WebhookDecision][0]
	assert.JSONEq(t, string(s.Decision), string(dec.Body), "the webhook carries what GET /decision answers")
	d := decisionOf(t, dec.Body)
	require.NotNil(t, d.Verification)
	assert.Equal(t, veriff.StatusApproved, d.Verification.Status)

	assertINERegistryWebhook(t, byKind[veriff.WebhookINERegistry][0].Body, id, attemptID)
}

// assertINERegistryWebhook checks the fake's ine_registry webhook body for
// session id and its attempt attemptID.
func assertINERegistryWebhook(t *testing.T, body []byte, id, attemptID string) {
	t.Helper()
	var ine struct {
		EventType string `json:"eventType"`
		SessionID string `json:"sessionId"`
		AttemptID string `json:"attemptId"`
		Version   string `json:"version"`
		Time      string `json:"time"`
		Data      struct {
			Status  string                   `json:"status"`
			Code    int                      `json:"code"`
			Details veriff.INERegistryResult `json:"details"`
		} `json:"data"`
	}
	require.NoError(t, json.Unmarshal(body, &ine))
	assert.Equal(t, "ine_registry", ine.EventType)
	assert.Equal(t, id, ine.SessionID)
	assert.Equal(t, attemptID, ine.AttemptID)
	assert.Equal(t, "1.0.0", ine.Version)
	assert.Equal(t, 200, ine.Data.Code)
	assert.Equal(t, "La credencial es válida", ine.Data.Status)
	assert.Equal(t, veriff.INERegistryResult{Active: true, DocumentState: "El documento es válido."}, ine.Data.Details)
	_, err := time.Parse(time.RFC3339Nano, ine.Time)
	assert.NoError(t, err)
}

func TestWebhookURLsPerKind(t *testing.T) {
	srv := newServer(t)
	decisions, events := newReceiver(t), newReceiver(t)
	srv.SetWebhookURLs(verifftest.WebhookURLs{Decision: decisions.URL, Event: events.URL})
	a := newAPI(t, srv)
	id := a.Create(faketest.INESessionBody)
	require.Equal(t, http.StatusOK, a.Submit(id).Status) // 7002 only: nothing uploaded
	require.NoError(t, srv.Decide(id, veriff.StatusDeclined))
	ds, err := srv.WaitForDeliveries(waitCtx(t), 2)
	require.NoError(t, err)
	assert.Len(t, ds, 2, "no INE webhook without an INE URL")
	assert.Len(t, decisions.received(), 1)
	assert.Len(t, events.received(), 1)
}

func TestWebhookRetriedAfterNon200(t *testing.T) {
	srv := newServer(t)
	rc := newReceiver(t, http.StatusInternalServerError, http.StatusAccepted)
	srv.SetWebhookURLs(verifftest.WebhookURLs{Decision: rc.URL})
	srv.SetWebhookRetry(5, time.Millisecond)
	a := newAPI(t, srv)
	id := a.Create(`{"verification":{}}`)
	require.NoError(t, srv.Decide(id, veriff.StatusApproved))

	ds, err := srv.WaitForDeliveries(waitCtx(t), 1)
	require.NoError(t, err)
	require.Len(t, ds, 1)
	assert.True(t, ds[0].Delivered)
	assert.Equal(t, 3, ds[0].Attempts, "500 and 202 are both retried")
	got := rc.received()
	require.Len(t, got, 3)
	for _, g := range got {
		assert.Equal(t, ds[0].Body, g.Body, "every try sends the same bytes")
		assert.Equal(t, ds[0].Signature, g.Header.Get("X-HMAC-SIGNATURE"))
	}
}

func TestWebhookGivesUp(t *testing.T) {
	srv := newServer(t)
	rc := newReceiver(t, 500, 500, 500, 500, 500)
	srv.SetWebhookURLs(verifftest.WebhookURLs{Decision: rc.URL})
	srv.SetWebhookRetry(3, time.Millisecond)
	a := newAPI(t, srv)
	id := a.Create(`{"verification":{}}`)
	require.NoError(t, srv.Decide(id, veriff.StatusApproved))
	ds, err := srv.WaitForDeliveries(waitCtx(t), 1)
	require.NoError(t, err)
	assert.False(t, ds[0].Delivered)
	assert.Equal(t, 3, ds[0].Attempts)
	assert.Equal(t, 500, ds[0].StatusCode)
	assert.Len(t, rc.received(), 3)
}

func TestWebhookUnreachable(t *testing.T) {
	srv := newServer(t)
	dead := httptest.NewServer(http.NotFoundHandler())
	url := dead.URL
	dead.Close()
	srv.SetWebhookURL(url)
	srv.SetWebhookRetry(2, time.Millisecond)
	a := newAPI(t, srv)
	id := a.Create(`{"verification":{}}`)
	require.NoError(t, srv.Decide(id, veriff.StatusExpired))
	ds, err := srv.WaitForDeliveries(waitCtx(t), 1)
	require.NoError(t, err)
	assert.False(t, ds[0].Delivered)
	assert.Equal(t, 0, ds[0].StatusCode)
	assert.Error(t, ds[0].Err)
	assert.Equal(t, 2, ds[0].Attempts)
}

func TestDeleteUnfinishedSessionSendsDecision(t *testing.T) {
	srv := newServer(t)
	rc := newReceiver(t)
	srv.SetWebhookURLs(verifftest.WebhookURLs{Decision: rc.URL})
	a := newAPI(t, srv)
	created := a.Create(`{"verification":{}}`)
	started := a.Create(`{"verification":{}}`)
	a.upload(started, "face", faketest.JPEG)
	require.Equal(t, http.StatusOK, a.Get(http.MethodDelete, "/v1/sessions/"+created, created).Status)
	require.Equal(t, http.StatusOK, a.Get(http.MethodDelete, "/v1/sessions/"+started, started).Status)
	ds, err := srv.WaitForDeliveries(waitCtx(t), 2)
	require.NoError(t, err)
	status := map[string]veriff.SessionStatus{}
	for _, d := range ds {
		dec := decisionOf(t, d.Body)
		status[dec.Verification.ID] = dec.Verification.Status
	}
	assert.Equal(t, map[string]veriff.SessionStatus{created: veriff.StatusExpired, started: veriff.StatusAbandoned}, status)
}

func TestWaitForDeliveriesHonoursContext(t *testing.T) {
	srv := newServer(t)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	ds, err := srv.WaitForDeliveries(ctx, 1)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Empty(t, ds)
}

func TestCloseStopsRetries(t *testing.T) {
	srv := verifftest.NewServer(faketest.Key, faketest.Secret)
	rc := newReceiver(t, 500, 500, 500, 500, 500, 500, 500, 500, 500, 500)
	srv.SetWebhookURL(rc.URL)
	srv.SetWebhookRetry(100, time.Hour)
	a := newAPI(t, srv)
	id := a.Create(`{"verification":{}}`)
	require.NoError(t, srv.Decide(id, veriff.StatusApproved))
	require.Eventually(t, func() bool { return len(rc.received()) == 1 }, 5*time.Second, time.Millisecond)

	start := time.Now()
	srv.Close()
	assert.Less(t, time.Since(start), 5*time.Second, "Close does not wait out the backoff")
	ds := srv.Deliveries()
	require.Len(t, ds, 1, "the cancelled delivery is recorded")
	assert.False(t, ds[0].Delivered)
	assert.Equal(t, 1, ds[0].Attempts)
	srv.Close() // idempotent

	// State still answers after Close, but no webhook is started.
	assert.NoError(t, srv.Decide(id, veriff.StatusDeclined))
	assert.Len(t, srv.Deliveries(), 1)
	assert.Len(t, rc.received(), 1)
}

// TestCloseLeavesNoGoroutines: after Close, no delivery, retry or server
// goroutine is left behind.
func TestCloseLeavesNoGoroutines(t *testing.T) {
	before := runtime.NumGoroutine()
	srv := verifftest.NewServer(faketest.Key, faketest.Secret)
	rc := newReceiver(t, 500, 500, 500)
	srv.SetWebhookURL(rc.URL)
	srv.SetWebhookRetry(50, 20*time.Millisecond)
	a := newAPI(t, srv)
	for i := 0; i < 5; i++ {
		id := a.Create(`{"verification":{}}`)
		a.upload(id, "face", faketest.JPEG)
		require.NoError(t, srv.Decide(id, veriff.StatusApproved))
	}
	srv.Close()
	rc.Close()
	// Polled by hand: assert.Eventually runs goroutines of its own.
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	assert.LessOrEqual(t, runtime.NumGoroutine(), before, "goroutines left after Close")
	assert.Len(t, srv.Deliveries(), 10, "every started delivery ended")
}
