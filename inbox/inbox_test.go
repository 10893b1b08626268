package inbox_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/veriffgo/veriff"
	"github.com/veriffgo/veriff/inbox"
	"github.com/veriffgo/veriff/inbox/inboxtest"
)

func TestMemoryStoreContract(t *testing.T) {
	inboxtest.RunStoreTests(t, func(*testing.T) inbox.Store { return inbox.NewMemoryStore() })
}

func TestNewRefusesBadOptions(t *testing.T) {
	store := inbox.NewMemoryStore()
	h := func(context.Context, *veriff.Webhook) error { return nil }
	cases := []struct {
		name  string
		store inbox.Store
		h     inbox.HandleFunc
		opts  []inbox.Option
	}{
		{"no secret", store, h, nil},
		{"empty secret", store, h, []inbox.Option{inbox.WithSecrets("")}},
		{"nil store", nil, h, []inbox.Option{inbox.WithSecrets(testSecret)}},
		{"nil handler", store, nil, []inbox.Option{inbox.WithSecrets(testSecret)}},
		{"no workers", store, h, []inbox.Option{inbox.WithSecrets(testSecret), inbox.WithWorkers(0)}},
		{"bad retry", store, h, []inbox.Option{inbox.WithSecrets(testSecret), inbox.WithRetry(time.Second, time.Millisecond, 3)}},
		{"no attempts", store, h, []inbox.Option{inbox.WithSecrets(testSecret), inbox.WithRetry(time.Millisecond, time.Second, 0)}},
		{"no lease", store, h, []inbox.Option{inbox.WithSecrets(testSecret), inbox.WithLease(0)}},
		{"no window", store, h, []inbox.Option{inbox.WithSecrets(testSecret), inbox.WithReconcileAfter(-time.Second)}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			in, err := inbox.New(tc.store, tc.h, tc.opts...)
			assert.ErrorIs(t, err, veriff.ErrInvalidInput)
			assert.Nil(t, in)
		})
	}
	in, err := inbox.New(store, h, nil, inbox.WithSecrets(testSecret), nil)
	require.NoError(t, err, "nil options are ignored")
	assert.ErrorIs(t, in.Watch(context.Background(), "s"), veriff.ErrInvalidInput, "Watch needs WithClient")
	assert.ErrorIs(t, in.Requeue(context.Background(), ""), veriff.ErrInvalidInput)
	assert.ErrorIs(t, in.Requeue(context.Background(), "never-recorded"), inbox.ErrNotFailed)
}

func TestServeHTTPStatuses(t *testing.T) {
	store := inbox.NewMemoryStore()
	in, err := inbox.New(store, func(context.Context, *veriff.Webhook) error { return nil },
		inbox.WithSecrets("old-secret", testSecret), inbox.WithAPIKey(testAPIKey), inbox.WithMaxBodyBytes(4096))
	require.NoError(t, err)
	srv := httptest.NewServer(in)
	t.Cleanup(srv.Close)

	decision := fixture(t, "decision_approved.json")
	event := fixture(t, "event_started_7001.json")
	withKey := func(r *http.Request) *http.Request { r.Header.Set("X-AUTH-CLIENT", testAPIKey); return r }
	cases := []struct {
		name     string
		req      func() *http.Request
		status   int
		recorded int // deliveries in the store afterwards
	}{
		{"GET", func() *http.Request { r, _ := http.NewRequest(http.MethodGet, srv.URL, nil); return withKey(r) }, http.StatusMethodNotAllowed, 0},
		{"no API key", func() *http.Request { return inboxtest.SignedRequest(t, srv.URL, decision, testSecret) }, http.StatusUnauthorized, 0},
		{"unsigned", func() *http.Request { return withKey(inboxtest.SignedRequest(t, srv.URL, decision, "")) }, http.StatusUnauthorized, 0},
		{"wrong secret", func() *http.Request { return withKey(inboxtest.SignedRequest(t, srv.URL, decision, "wrong")) }, http.StatusUnauthorized, 0},
		{"tampered", func() *http.Request {
			r := withKey(inboxtest.SignedRequest(t, srv.URL, decision, testSecret))
			r.Body, r.ContentLength = http.NoBody, 0
			r.Body = nopCloser{bytes.NewReader(append([]byte(" "), decision...))}
			r.ContentLength = int64(len(decision) + 1)
			return r
		}, http.StatusUnauthorized, 0},
		{"too large", func() *http.Request {
			return withKey(inboxtest.SignedRequest(t, srv.URL, bytes.Repeat([]byte(" "), 5000), testSecret))
		}, http.StatusRequestEntityTooLarge, 0},
		{"malformed but signed", func() *http.Request { return withKey(inboxtest.SignedRequest(t, srv.URL, []byte(`[1]`), testSecret)) }, http.StatusBadRequest, 0},
		{"decision without id", func() *http.Request {
			return withKey(inboxtest.SignedRequest(t, srv.URL, []byte(`{"verification":{"status":"approved"}}`), testSecret))
		}, http.StatusBadRequest, 0},
		{"decision", func() *http.Request { return withKey(inboxtest.SignedRequest(t, srv.URL, decision, testSecret)) }, http.StatusOK, 1},
		{"duplicate", func() *http.Request { return withKey(inboxtest.SignedRequest(t, srv.URL, decision, testSecret)) }, http.StatusOK, 1},
		{"old secret", func() *http.Request { return withKey(inboxtest.SignedRequest(t, srv.URL, event, "old-secret")) }, http.StatusOK, 2},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.status, inboxtest.Post(t, tc.req()))
			all, err := store.List(context.Background(), inbox.Filter{})
			require.NoError(t, err)
			assert.Len(t, all, tc.recorded)
		})
	}
	all, err := store.List(context.Background(), inbox.Filter{})
	require.NoError(t, err)
	wh, err := veriff.ParseWebhook(decision)
	require.NoError(t, err)
	assert.Equal(t, wh.DeliveryKey(), all[0].Key)
	assert.Equal(t, decision, all[0].Body, "recorded byte for byte")
	assert.Equal(t, wh.SessionID(), all[0].SessionID)
	assert.Equal(t, inbox.StatePending, all[0].State)
}

type nopCloser struct{ *bytes.Reader }

func (nopCloser) Close() error { return nil }

func TestServeHTTPStoreFailureIs503(t *testing.T) {
	in, err := inbox.New(failingStore{inbox.NewMemoryStore()}, func(context.Context, *veriff.Webhook) error { return nil },
		inbox.WithSecrets(testSecret))
	require.NoError(t, err)
	rec := httptest.NewRecorder()
	in.ServeHTTP(rec, inboxtest.SignedRequest(t, "http://127.0.0.1/", fixture(t, "decision_approved.json"), testSecret))
	assert.Equal(t, http.StatusServiceUnavailable, rec.Code, "Veriff sends it again")
	assert.NotContains(t, rec.Body.String(), "store down")
}

// Every delivery is handled to success exactly once, through failures and
// panics; one that always fails ends failed, with its last error, visible.
func TestRunRetriesThenSucceedsOrFails(t *testing.T) {
	store := inbox.NewMemoryStore()
	got := inboxtest.NewRecorder()
	var mu sync.Mutex
	calls := map[string]int{}
	in, err := inbox.New(store, func(ctx context.Context, wh *veriff.Webhook) error {
		mu.Lock()
		calls[wh.SessionID()]++
		n := calls[wh.SessionID()]
		mu.Unlock()
		var i int
		_, _ = fmt.Sscanf(wh.SessionID(), "sess-%d", &i)
		switch {
		case wh.SessionID() == "sess-poison":
			panic("poison pill")
		case i%3 == 0 && n == 1:
			return errors.New("injected failure")
		case i%5 == 0 && n <= 2:
			panic("injected panic")
		}
		got.Record(wh)
		return nil
	}, inbox.WithSecrets(testSecret), inbox.WithWorkers(3), inbox.WithRetry(time.Millisecond, 5*time.Millisecond, 4),
		inbox.WithPollInterval(5*time.Millisecond))
	require.NoError(t, err)
	srv := httptest.NewServer(in)
	t.Cleanup(srv.Close)
	inboxtest.Run(t, in)

	const n = 40
	for i := 0; i < n; i++ {
		body := fmt.Sprintf(`{"id":"sess-%d","attemptId":"a","feature":"selfid","code":7001,"action":"started"}`, i)
		require.Equal(t, http.StatusOK, inboxtest.Post(t, inboxtest.SignedRequest(t, srv.URL, []byte(body), testSecret)))
	}
	poison := []byte(`{"id":"sess-poison","attemptId":"a","feature":"selfid","code":7002,"action":"submitted","vendorData":"poison"}`)
	require.Equal(t, http.StatusOK, inboxtest.Post(t, inboxtest.SignedRequest(t, srv.URL, poison, testSecret)))

	got.Wait(t, n, 10*time.Second)
	ctx := context.Background()
	var failed []inbox.Delivery
	for len(failed) == 0 { // the poison pill fails after its fourth attempt
		select {
		case <-time.After(10 * time.Second):
			t.Fatal("the poison pill never failed")
		case <-time.After(5 * time.Millisecond):
		}
		failed, err = store.List(ctx, inbox.Filter{State: inbox.StateFailed})
		require.NoError(t, err)
	}
	require.Len(t, failed, 1)
	assert.Equal(t, 4, failed[0].Attempts, "maxAttempts counts every call")
	assert.Equal(t, "inbox: handler panicked: poison pill", failed[0].LastError)
	for k, c := range got.Counts() {
		assert.Equal(t, 1, c, k)
	}
	done, err := store.List(ctx, inbox.Filter{State: inbox.StateDone})
	require.NoError(t, err)
	assert.Len(t, done, n)
}

// A worker that hangs in its handler loses its lease; another Inbox on the
// same store takes the delivery over.
func TestRunTakesOverAnExpiredLease(t *testing.T) {
	store := inbox.NewMemoryStore()
	started, release := make(chan struct{}), make(chan struct{})
	hung, err := inbox.New(store, func(ctx context.Context, wh *veriff.Webhook) error {
		close(started)
		<-release // hangs past its lease, ignoring ctx
		return nil
	}, inbox.WithSecrets(testSecret), inbox.WithWorkers(1), inbox.WithLease(100*time.Millisecond))
	require.NoError(t, err)
	rec := httptest.NewRecorder()
	hung.ServeHTTP(rec, inboxtest.SignedRequest(t, "http://127.0.0.1/", fixture(t, "decision_approved.json"), testSecret))
	require.Equal(t, http.StatusOK, rec.Code)
	stopHung := inboxtest.Run(t, hung)
	<-started

	got := inboxtest.NewRecorder()
	other, err := inbox.New(store, func(ctx context.Context, wh *veriff.Webhook) error {
		got.Record(wh)
		return nil
	}, inbox.WithSecrets(testSecret), inbox.WithLease(time.Minute), inbox.WithPollInterval(10*time.Millisecond))
	require.NoError(t, err)
	stopOther := inboxtest.Run(t, other)
	got.Wait(t, 1, 10*time.Second)
	stopOther() // its handler returned; let it mark the delivery done

	close(release) // the hung handler returns; its lease is gone
	stopHung()
	ds, err := store.List(context.Background(), inbox.Filter{})
	require.NoError(t, err)
	require.Len(t, ds, 1)
	assert.Equal(t, inbox.StateDone, ds[0].State)
	assert.Equal(t, 2, ds[0].Attempts)
}

// Run returns after in-flight handlers finish; past the grace their
// context ends.
func TestRunShutdownWaitsForHandlers(t *testing.T) {
	for _, tc := range []struct {
		name     string
		grace    time.Duration
		finishes bool // the handler finishes on its own within the grace
	}{
		{"handler finishes", time.Minute, true},
		{"grace runs out", 20 * time.Millisecond, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			store := inbox.NewMemoryStore()
			started, proceed := make(chan struct{}), make(chan struct{})
			in, err := inbox.New(store, func(ctx context.Context, wh *veriff.Webhook) error {
				close(started)
				if tc.finishes {
					<-proceed
					return nil
				}
				<-ctx.Done()
				return ctx.Err()
			}, inbox.WithSecrets(testSecret), inbox.WithShutdownGrace(tc.grace), inbox.WithRetry(time.Hour, time.Hour, 5))
			require.NoError(t, err)
			require.Equal(t, http.StatusOK, deliverApproved(t, in))
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan error, 1)
			go func() { done <- in.Run(ctx) }()
			<-started
			cancel()
			if tc.finishes {
				select {
				case <-done:
					t.Fatal("Run returned before its handler finished")
				case <-time.After(20 * time.Millisecond):
				}
				close(proceed)
			}
			require.ErrorIs(t, <-done, context.Canceled)
			ds, err := store.List(context.Background(), inbox.Filter{})
			require.NoError(t, err)
			want := inbox.StateDone
			if !tc.finishes {
				want = inbox.StateLeased // Run did not wait: taken over when the lease ends
			}
			assert.Equal(t, want, ds[0].State)
		})
	}
}

// An outcome the store failed to record (a cut connection, its answer lost
// or not) is tried again within the lease: the handler runs once.
func TestOutcomeSurvivesConnectionErrors(t *testing.T) {
	for _, tc := range []struct {
		name    string
		fail    bool // the handler fails its first attempt
		applied bool
	}{
		{"complete not applied", false, false},
		{"complete applied, answer lost", false, true},
		{"retry not applied", true, false},
		{"retry applied, answer lost", true, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			store := &flakyStore{Store: inbox.NewMemoryStore(), n: 3, applied: tc.applied}
			got := inboxtest.NewRecorder()
			var calls atomic.Int32
			in, err := inbox.New(store, func(_ context.Context, wh *veriff.Webhook) error {
				if calls.Add(1) == 1 && tc.fail {
					return errors.New("backend busy")
				}
				got.Record(wh)
				return nil
			}, inbox.WithSecrets(testSecret), inbox.WithRetry(time.Millisecond, time.Millisecond, 5),
				inbox.WithLease(5*time.Second), inbox.WithPollInterval(5*time.Millisecond))
			require.NoError(t, err)
			require.Equal(t, http.StatusOK, deliverApproved(t, in))
			inboxtest.Run(t, in)
			key := got.Wait(t, 1, 10*time.Second)[0]
			require.Eventually(t, func() bool {
				ds, err := store.List(context.Background(), inbox.Filter{State: inbox.StateDone})
				return err == nil && len(ds) == 1
			}, 5*time.Second, 5*time.Millisecond)
			assert.Equal(t, 1, got.Count(key), "handled to success once")
			want := int32(1)
			if tc.fail {
				want = 2
			}
			assert.Equal(t, want, calls.Load(), "no attempt beyond the one failure")
		})
	}
}

// A delivery that failed for good shows in Stats; Requeue has it handled
// again once its cause is fixed.
func TestStatsAndRequeue(t *testing.T) {
	var fixed atomic.Bool
	got := inboxtest.NewRecorder()
	in, err := inbox.New(inbox.NewMemoryStore(), func(_ context.Context, wh *veriff.Webhook) error {
		if !fixed.Load() {
			return errors.New("backend down")
		}
		got.Record(wh)
		return nil
	}, inbox.WithSecrets(testSecret), inbox.WithRetry(time.Millisecond, time.Millisecond, 2), inbox.WithPollInterval(5*time.Millisecond))
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, deliverApproved(t, in))
	st, err := in.Stats(context.Background())
	require.NoError(t, err)
	assert.Equal(t, int64(1), st.Pending)
	assert.Positive(t, st.OldestPending)

	inboxtest.Run(t, in)
	require.Eventually(t, func() bool {
		st, err := in.Stats(context.Background())
		return err == nil && st.Failed == 1
	}, 5*time.Second, 5*time.Millisecond)
	st, err = in.Stats(context.Background())
	require.NoError(t, err)
	assert.Equal(t, inbox.Stats{Failed: 1}, st, "failed, nothing pending")

	fixed.Store(true)
	wh, err := veriff.ParseWebhook(fixture(t, "decision_approved.json"))
	require.NoError(t, err)
	require.NoError(t, in.Requeue(context.Background(), wh.DeliveryKey()))
	assert.Equal(t, wh.DeliveryKey(), got.Wait(t, 1, 5*time.Second)[0])
}

// Two workers of one Inbox: the first outlives its lease and fails late,
// after its sibling took the delivery over. Its Retry is refused (its
// token is stale), so the delivery is not run a third time.
func TestStaleWorkerCannotReleaseASiblingsLease(t *testing.T) {
	var calls atomic.Int32
	secondStarted, firstDone := make(chan struct{}), make(chan struct{})
	store := inbox.NewMemoryStore()
	in, err := inbox.New(store, func(ctx context.Context, _ *veriff.Webhook) error {
		switch calls.Add(1) {
		case 1:
			<-secondStarted // long past its lease
			defer close(firstDone)
			return errors.New("late failure")
		case 2:
			close(secondStarted)
			<-firstDone
			time.Sleep(50 * time.Millisecond) // the stale Retry has been tried
			return nil
		}
		return errors.New("a third run")
	}, inbox.WithSecrets(testSecret), inbox.WithWorkers(2), inbox.WithLease(200*time.Millisecond),
		inbox.WithRetry(time.Millisecond, time.Millisecond, 5), inbox.WithPollInterval(5*time.Millisecond))
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, deliverApproved(t, in))
	inboxtest.Run(t, in)
	require.Eventually(t, func() bool {
		st, err := store.Stats(context.Background())
		return err == nil && st.Done == 1
	}, 5*time.Second, 5*time.Millisecond)
	time.Sleep(100 * time.Millisecond)
	assert.Equal(t, int32(2), calls.Load(), "no third run")
}
