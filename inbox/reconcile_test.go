package inbox_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/veriffgo/veriff"
	"github.com/veriffgo/veriff/inbox"
	"github.com/veriffgo/veriff/inbox/inboxtest"
	"github.com/veriffgo/veriff/verifftest"
)

const decisionRoute = "/v1/sessions/{id}/decision"

// A watched, decided session whose webhook never comes (no webhook URL is
// set on the fake) reaches the handler within the window, with Raw the API
// answer; the late real webhook is then a duplicate.
func TestWatchReconcilesAMissingDecision(t *testing.T) {
	r := newReconciler(t, 50*time.Millisecond, 10*time.Millisecond)
	srv, client, store, got, in := r.srv, r.client, r.store, r.got, r.in
	web := httptest.NewServer(in)
	t.Cleanup(web.Close)

	decided, undecided := newSession(t, client), newSession(t, client)
	require.NoError(t, in.Watch(context.Background(), decided))
	require.NoError(t, in.Watch(context.Background(), undecided))
	require.NoError(t, srv.Decide(decided, veriff.StatusApproved))
	start := time.Now()
	inboxtest.Run(t, in)

	key := got.Wait(t, 1, 10*time.Second)[0]
	assert.GreaterOrEqual(t, time.Since(start), 50*time.Millisecond/2, "not before the window (jittered)")
	answer := decisionAnswer(t, srv, decided)
	wh := got.Webhook(key)
	require.NotNil(t, wh)
	assert.Equal(t, veriff.WebhookDecision, wh.Kind)
	assert.Equal(t, decided, wh.SessionID())
	assert.Equal(t, veriff.StatusApproved, wh.Decision.Verification.Status)
	assert.JSONEq(t, string(answer), string(wh.Raw), "Raw is the API answer")

	// The real webhook, late: a duplicate, recorded once, handled once.
	real, err := veriff.ParseWebhook(answer)
	require.NoError(t, err)
	assert.Equal(t, real.DeliveryKey(), key, "one key for the same decision")
	require.Equal(t, http.StatusOK, inboxtest.Post(t, inboxtest.SignedRequest(t, web.URL, answer, testSecret)))
	ds, err := store.List(context.Background(), inbox.Filter{SessionID: decided})
	require.NoError(t, err)
	assert.Len(t, ds, 1)

	// The undecided session is asked again, with backoff, and reaches the
	// handler once decided.
	require.NoError(t, srv.Decide(undecided, veriff.StatusDeclined))
	key2 := got.Wait(t, 1, 20*time.Second)[0]
	assert.Contains(t, key2, undecided)
	queried := srv.RequestCount(http.MethodGet, "/v1/sessions/"+decided+"/decision")
	assert.Equal(t, 2, queried, "a reconciled session is not queried again (one query by the inbox, one by decisionAnswer)")
	assert.Equal(t, map[string]int{key: 1, key2: 1}, got.Counts())
}

// A real decision webhook within the window ends the watch: the decision is
// never queried.
func TestWatchEndsOnARealWebhook(t *testing.T) {
	srv := verifftest.NewServer(testAPIKey, testSecret)
	t.Cleanup(srv.Close)
	client, err := srv.NewClient()
	require.NoError(t, err)
	got := inboxtest.NewRecorder()
	in, err := inbox.New(inbox.NewMemoryStore(), func(_ context.Context, wh *veriff.Webhook) error {
		if wh.Kind == veriff.WebhookDecision {
			got.Record(wh)
		}
		return nil
	}, inbox.WithSecrets(testSecret), inbox.WithClient(client),
		inbox.WithReconcileAfter(30*time.Millisecond), inbox.WithPollInterval(5*time.Millisecond))
	require.NoError(t, err)
	web := httptest.NewServer(in)
	t.Cleanup(web.Close)
	srv.SetWebhookURL(web.URL)

	id := newSession(t, client)
	require.NoError(t, in.Watch(context.Background(), id))
	require.NoError(t, srv.Decide(id, veriff.StatusApproved))
	waitForDecisionWebhook(t, srv, id) // recorded, and the watch ended, before Run starts
	inboxtest.Run(t, in)
	got.Wait(t, 1, 10*time.Second)
	// A later session without webhooks is reconciled by query: watches
	// are queried oldest first, so an open watch of id would have been
	// queried before it.
	srv.SetWebhookURL("")
	probe := newSession(t, client)
	require.NoError(t, in.Watch(context.Background(), probe))
	require.NoError(t, srv.Decide(probe, veriff.StatusDeclined))
	assert.Contains(t, got.Wait(t, 1, 10*time.Second)[0], probe)
	assert.Zero(t, srv.RequestCount(http.MethodGet, "/v1/sessions/"+id+"/decision"), "the watch ended with the webhook")
}

// A 429's Retry-After pauses reconciliation for that long, up to the cap:
// the client's WithRetryAfterCap, or the reconcile window when shorter.
func TestWatchRetryAfterIsHonouredUpToTheCap(t *testing.T) {
	for _, tc := range []struct {
		name            string
		window, cap     time.Duration
		retryAfter      string
		atLeast, within time.Duration
	}{
		{"honoured", 1500 * time.Millisecond, 30 * time.Second, "1", 2500 * time.Millisecond, 10 * time.Second},
		{"years, capped by the client", 800 * time.Millisecond, 200 * time.Millisecond, "999999999", 800 * time.Millisecond, 5 * time.Second},
		{"years, capped by the window", 200 * time.Millisecond, time.Hour, "999999999", 200 * time.Millisecond, 5 * time.Second},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := newReconciler(t, tc.window, 5*time.Millisecond, veriff.WithMaxRetries(0), veriff.WithRetryAfterCap(tc.cap))
			id := newSession(t, r.client)
			require.NoError(t, r.srv.Decide(id, veriff.StatusApproved))
			start := time.Now()
			require.NoError(t, r.in.Watch(context.Background(), id))
			r.srv.ResetRequests()
			r.srv.FailNext(1, http.StatusTooManyRequests, tc.retryAfter)
			inboxtest.Run(t, r.in)
			r.got.Wait(t, 1, tc.within)
			assert.GreaterOrEqual(t, time.Since(start), tc.atLeast, "the window, then the pause")
			assert.Equal(t, 2, r.srv.RequestCount(http.MethodGet, decisionRoute))
		})
	}
}

// waitForDecisionWebhook waits until the fake has delivered the decision
// webhook of a session.
func waitForDecisionWebhook(t *testing.T, srv *verifftest.Server, sessionID string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for n := 1; ; n++ {
		ds, err := srv.WaitForDeliveries(ctx, n)
		require.NoError(t, err)
		for _, d := range ds {
			if d.Kind == veriff.WebhookDecision && d.SessionID == sessionID && d.Delivered {
				return
			}
		}
	}
}

// A decision answer that names another session than the one watched is
// ignored (nothing recorded) and the session asked again later.
func TestWatchIgnoresAnAnswerForAnotherSession(t *testing.T) {
	const watched = "0f3c2b8e-7d7a-4a57-b9b5-4bd1a1c2d3e4"
	mt := httpmock.NewMockTransport()
	var asked atomic.Int32
	mt.RegisterResponder(http.MethodGet, "https://api.example.test/v1/sessions/"+watched+"/decision",
		func(*http.Request) (*http.Response, error) {
			asked.Add(1)
			return httpmock.NewBytesResponse(http.StatusOK, fixture(t, "decision_approved.json")), nil // session b6a4c3e1-…
		})
	client, err := veriff.NewClient(testAPIKey, testSecret, veriff.WithBaseURL("https://api.example.test"),
		veriff.WithHTTPClient(&http.Client{Transport: mt}))
	require.NoError(t, err)
	store := inbox.NewMemoryStore()
	in, err := inbox.New(store, func(context.Context, *veriff.Webhook) error { return nil },
		inbox.WithSecrets(testSecret), inbox.WithClient(client),
		inbox.WithReconcileAfter(5*time.Millisecond), inbox.WithPollInterval(5*time.Millisecond))
	require.NoError(t, err)
	require.NoError(t, in.Watch(context.Background(), watched))
	inboxtest.Run(t, in)
	require.Eventually(t, func() bool { return asked.Load() >= 2 }, 5*time.Second, 5*time.Millisecond, "asked again")
	ds, err := store.List(context.Background(), inbox.Filter{})
	require.NoError(t, err)
	assert.Empty(t, ds, "the other session's decision is not recorded")
}
