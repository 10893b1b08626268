// Package inboxtest helps test code built on package inbox: RunStoreTests
// is the contract every inbox.Store must meet, as a test suite (the memory
// store and the PostgreSQL store both run it), and Recorder, Run,
// SignedRequest and Post help test your own handlers end to end.
package inboxtest

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/veriffgo/veriff"
	"github.com/veriffgo/veriff/inbox"
)

// RunStoreTests runs the store contract against stores made by newStore,
// one empty store per subtest: recording and duplicates, claiming with a
// lease, lease expiry and takeover by a stale worker of the same owner
// (fencing by lease token), retry scheduling, failure and requeue, stats,
// concurrent claims, and watched sessions. Times are the store's clock, so
// the suite waits for short leases to pass (about two seconds in all).
func RunStoreTests(t *testing.T, newStore func(t *testing.T) inbox.Store) {
	tests := []struct {
		name string
		run  func(t *testing.T, s inbox.Store)
	}{
		{"RecordAndDuplicate", testRecordAndDuplicate},
		{"ClaimWithLease", testClaimWithLease},
		{"StaleWorkerOfTheSameOwnerIsFenced", testLeaseExpiryAndTakeover},
		{"RetryScheduling", testRetryScheduling},
		{"FailureIsKeptAndRequeued", testFailure},
		{"Stats", testStats},
		{"ConcurrentClaimsTakeEachOnce", testConcurrentClaims},
		{"WatchAndReconcile", testWatch},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { tc.run(t, newStore(t)) })
	}
}

// shortLease is long enough to claim twice within it on a loaded machine,
// short enough to wait for.
const shortLease = 600 * time.Millisecond

func record(t *testing.T, s inbox.Store, key string) {
	t.Helper()
	ok, err := s.Record(context.Background(), inbox.NewDelivery{
		Key: key, Kind: veriff.WebhookDecision, SessionID: "sess-" + key, Body: []byte(`{"key":"` + key + `"}`),
	})
	require.NoError(t, err)
	require.True(t, ok, "first record of %s", key)
	time.Sleep(2 * time.Millisecond) // distinct recording times
}

// claimAfter claims once d has passed.
func claimAfter(t *testing.T, s inbox.Store, owner string, d time.Duration) *inbox.Delivery {
	t.Helper()
	time.Sleep(d + 50*time.Millisecond)
	got, err := s.Claim(context.Background(), owner, time.Minute)
	require.NoError(t, err)
	return got
}

func mustClaim(t *testing.T, s inbox.Store, owner string, lease time.Duration) *inbox.Delivery {
	t.Helper()
	d, err := s.Claim(context.Background(), owner, lease)
	require.NoError(t, err)
	require.NotNil(t, d, "a due delivery")
	return d
}

func noClaim(t *testing.T, s inbox.Store, msg string) {
	t.Helper()
	d, err := s.Claim(context.Background(), "any", time.Minute)
	require.NoError(t, err)
	assert.Nil(t, d, msg)
}

func testRecordAndDuplicate(t *testing.T, s inbox.Store) {
	ctx := context.Background()
	body := []byte{'{', 0xff, '}'} // kept byte for byte, valid JSON or not
	d := inbox.NewDelivery{Key: "decision/s1/a1/approved", Kind: veriff.WebhookDecision, SessionID: "s1", Body: body}
	ok, err := s.Record(ctx, d)
	require.NoError(t, err)
	assert.True(t, ok)
	d.Body = []byte(`{"other":true}`)
	ok, err = s.Record(ctx, d)
	require.NoError(t, err)
	assert.False(t, ok, "a duplicate key is not recorded again")

	all, err := s.List(ctx, inbox.Filter{})
	require.NoError(t, err)
	require.Len(t, all, 1)
	got := all[0]
	assert.Equal(t, "decision/s1/a1/approved", got.Key)
	assert.Equal(t, veriff.WebhookDecision, got.Kind)
	assert.Equal(t, "s1", got.SessionID)
	assert.Equal(t, body, got.Body, "the first body, as received")
	assert.Equal(t, inbox.StatePending, got.State)
	assert.Zero(t, got.Attempts)
	assert.Equal(t, got.CreatedAt, got.NextAttempt, "due at once")
	assert.WithinDuration(t, time.Now(), got.CreatedAt, time.Minute, "the store's clock, close to this one")

	bySession, err := s.List(ctx, inbox.Filter{SessionID: "other"})
	require.NoError(t, err)
	assert.Empty(t, bySession)
}

func testClaimWithLease(t *testing.T, s inbox.Store) {
	ctx := context.Background()
	record(t, s, "k1")
	record(t, s, "k2")

	d := mustClaim(t, s, "w1", 30*time.Second)
	assert.Equal(t, "k1", d.Key, "the oldest due first")
	assert.Equal(t, inbox.StateLeased, d.State)
	assert.Equal(t, 1, d.Attempts)
	assert.Equal(t, "w1", d.LeaseOwner)
	assert.NotEmpty(t, d.LeaseToken)
	assert.WithinDuration(t, d.UpdatedAt.Add(30*time.Second), d.LeaseExpires, time.Millisecond, "lease expiry")
	assert.Equal(t, []byte(`{"key":"k1"}`), d.Body)

	d2 := mustClaim(t, s, "w1", 30*time.Second)
	assert.Equal(t, "k2", d2.Key, "a leased delivery is not claimed twice")
	assert.NotEqual(t, d.LeaseToken, d2.LeaseToken, "one token per claim, even for one owner")
	noClaim(t, s, "nothing else is due")

	assert.ErrorIs(t, s.Complete(ctx, "k1", d2.LeaseToken), inbox.ErrLeaseLost, "only k1's token completes k1")
	assert.ErrorIs(t, s.Complete(ctx, "k1", ""), inbox.ErrLeaseLost)
	assert.ErrorIs(t, s.Complete(ctx, "missing", d.LeaseToken), inbox.ErrLeaseLost)
	require.NoError(t, s.Complete(ctx, "k1", d.LeaseToken))
	require.NoError(t, s.Complete(ctx, "k1", d.LeaseToken), "the same outcome again (its answer was lost) succeeds")
	assert.ErrorIs(t, s.Retry(ctx, "k1", d.LeaseToken, 0, "x"), inbox.ErrLeaseLost, "done is final")
	assert.ErrorIs(t, s.Fail(ctx, "k1", d.LeaseToken, "x"), inbox.ErrLeaseLost, "done is final")

	done, err := s.List(ctx, inbox.Filter{State: inbox.StateDone})
	require.NoError(t, err)
	require.Len(t, done, 1)
	assert.Equal(t, "k1", done[0].Key)
	assert.False(t, done[0].DoneAt.Before(done[0].CreatedAt), "done time")
	noClaim(t, s, "a done delivery is never claimed again; k2's lease still runs")
}

// testLeaseExpiryAndTakeover: two workers of one Inbox share an owner; the
// one whose lease expired cannot touch its sibling's lease.
func testLeaseExpiryAndTakeover(t *testing.T, s inbox.Store) {
	ctx := context.Background()
	record(t, s, "k")
	stale := mustClaim(t, s, "inbox-1", shortLease)
	noClaim(t, s, "not before the lease expires")

	d := claimAfter(t, s, "inbox-1", shortLease)
	require.NotNil(t, d, "taken over once the lease expired")
	assert.Equal(t, "inbox-1", d.LeaseOwner, "the same owner")
	assert.NotEqual(t, stale.LeaseToken, d.LeaseToken)
	assert.Equal(t, 2, d.Attempts, "the lost attempt counts")

	assert.ErrorIs(t, s.Complete(ctx, "k", stale.LeaseToken), inbox.ErrLeaseLost)
	assert.ErrorIs(t, s.Retry(ctx, "k", stale.LeaseToken, 0, "late"), inbox.ErrLeaseLost)
	assert.ErrorIs(t, s.Fail(ctx, "k", stale.LeaseToken, "late"), inbox.ErrLeaseLost)
	leased, err := s.List(ctx, inbox.Filter{State: inbox.StateLeased})
	require.NoError(t, err)
	require.Len(t, leased, 1, "the stale worker changed nothing")
	assert.Equal(t, d.LeaseToken, leased[0].LeaseToken)
	require.NoError(t, s.Complete(ctx, "k", d.LeaseToken))
	done, err := s.List(ctx, inbox.Filter{State: inbox.StateDone})
	require.NoError(t, err)
	assert.Len(t, done, 1)
}

func testRetryScheduling(t *testing.T, s inbox.Store) {
	ctx := context.Background()
	record(t, s, "k")
	d := mustClaim(t, s, "w", time.Minute)
	require.NoError(t, s.Retry(ctx, "k", d.LeaseToken, shortLease, "backend said no"))
	require.NoError(t, s.Retry(ctx, "k", d.LeaseToken, shortLease, "backend said no"), "the same outcome again")

	pending, err := s.List(ctx, inbox.Filter{State: inbox.StatePending})
	require.NoError(t, err)
	require.Len(t, pending, 1)
	assert.Equal(t, "backend said no", pending[0].LastError)
	assert.WithinDuration(t, pending[0].UpdatedAt.Add(shortLease), pending[0].NextAttempt, time.Millisecond, "next attempt")
	assert.Empty(t, pending[0].LeaseOwner)

	noClaim(t, s, "not due before its next attempt")
	d2 := claimAfter(t, s, "w2", shortLease)
	require.NotNil(t, d2)
	assert.Equal(t, 2, d2.Attempts)
	assert.Equal(t, "backend said no", d2.LastError)
	assert.ErrorIs(t, s.Retry(ctx, "k", d.LeaseToken, 0, "x"), inbox.ErrLeaseLost, "the old claim cannot retry")
}

func testFailure(t *testing.T, s inbox.Store) {
	ctx := context.Background()
	record(t, s, "k")
	for attempt := 1; attempt <= 3; attempt++ {
		d := mustClaim(t, s, "w", time.Minute)
		assert.Equal(t, attempt, d.Attempts)
		if attempt < 3 {
			require.NoError(t, s.Retry(ctx, "k", d.LeaseToken, 0, fmt.Sprintf("attempt %d failed", attempt)))
			continue
		}
		require.NoError(t, s.Fail(ctx, "k", d.LeaseToken, "attempt 3 failed"))
		require.NoError(t, s.Fail(ctx, "k", d.LeaseToken, "attempt 3 failed"), "the same outcome again")
		assert.ErrorIs(t, s.Complete(ctx, "k", d.LeaseToken), inbox.ErrLeaseLost, "failed is final")
	}
	noClaim(t, s, "a failed delivery is not claimed again")
	failed, err := s.List(ctx, inbox.Filter{State: inbox.StateFailed})
	require.NoError(t, err)
	require.Len(t, failed, 1, "failed deliveries are kept and visible")
	assert.Equal(t, "k", failed[0].Key)
	assert.Equal(t, 3, failed[0].Attempts)
	assert.Equal(t, "attempt 3 failed", failed[0].LastError)
	assert.Equal(t, []byte(`{"key":"k"}`), failed[0].Body, "the body stays for a replay")
	assert.False(t, failed[0].DoneAt.IsZero())

	record(t, s, "ok")
	ok := mustClaim(t, s, "w", time.Minute)
	require.NoError(t, s.Complete(ctx, ok.Key, ok.LeaseToken))
	assert.ErrorIs(t, s.Requeue(ctx, "ok"), inbox.ErrNotFailed, "only a failed delivery is requeued")
	assert.ErrorIs(t, s.Requeue(ctx, "missing"), inbox.ErrNotFailed)
	require.NoError(t, s.Requeue(ctx, "k"))
	assert.ErrorIs(t, s.Requeue(ctx, "k"), inbox.ErrNotFailed, "already pending")
	d := mustClaim(t, s, "w", time.Minute)
	assert.Equal(t, "k", d.Key, "requeued, due at once")
	assert.Equal(t, 1, d.Attempts, "attempts counted anew")
	assert.Equal(t, "attempt 3 failed", d.LastError, "the last error stays until an attempt replaces it")
	assert.ErrorIs(t, s.Fail(ctx, "k", failed[0].LeaseToken, "x"), inbox.ErrLeaseLost, "the failed claim's token is spent")
	require.NoError(t, s.Complete(ctx, "k", d.LeaseToken))
}

func testStats(t *testing.T, s inbox.Store) {
	ctx := context.Background()
	st, err := s.Stats(ctx)
	require.NoError(t, err)
	assert.Equal(t, inbox.Stats{}, st, "empty")
	for _, k := range []string{"p1", "p2", "leased", "done", "failed"} {
		record(t, s, k)
	}
	time.Sleep(20 * time.Millisecond)
	for _, outcome := range []string{"leased", "done", "failed"} {
		d := mustClaim(t, s, "w", time.Minute)
		switch outcome {
		case "done":
			require.NoError(t, s.Complete(ctx, d.Key, d.LeaseToken))
		case "failed":
			require.NoError(t, s.Fail(ctx, d.Key, d.LeaseToken, "boom"))
		}
	}
	st, err = s.Stats(ctx)
	require.NoError(t, err)
	assert.Equal(t, int64(2), st.Pending)
	assert.Equal(t, int64(1), st.Leased)
	assert.Equal(t, int64(1), st.Done)
	assert.Equal(t, int64(1), st.Failed)
	assert.GreaterOrEqual(t, st.OldestPending, 20*time.Millisecond, "p1's age, on the store's clock")
	assert.Less(t, st.OldestPending, time.Minute)
}

func testConcurrentClaims(t *testing.T, s inbox.Store) {
	ctx := context.Background()
	const n = 60
	for i := 0; i < n; i++ {
		ok, err := s.Record(ctx, inbox.NewDelivery{Key: fmt.Sprintf("k%02d", i), Kind: veriff.WebhookEvent, Body: []byte(`{}`)})
		require.NoError(t, err)
		require.True(t, ok)
	}
	var (
		mu     sync.Mutex
		counts = map[string]int{}
		wg     sync.WaitGroup
	)
	for w := 0; w < 6; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				d, err := s.Claim(ctx, "one-inbox", time.Minute)
				if !assert.NoError(t, err) || d == nil {
					return
				}
				mu.Lock()
				counts[d.Key]++
				mu.Unlock()
				assert.NoError(t, s.Complete(ctx, d.Key, d.LeaseToken))
			}
		}()
	}
	wg.Wait()
	require.Len(t, counts, n)
	for k, c := range counts {
		assert.Equal(t, 1, c, k)
	}
}

func testWatch(t *testing.T, s inbox.Store) {
	ctx := context.Background()
	require.NoError(t, s.Watch(ctx, "s1", 0))
	require.NoError(t, s.Watch(ctx, "s1", time.Hour), "watching twice is harmless")
	time.Sleep(5 * time.Millisecond)
	require.NoError(t, s.Watch(ctx, "s2", 0))
	require.NoError(t, s.Watch(ctx, "later", time.Hour))

	ws, err := s.ClaimWatches(ctx, time.Hour, 10)
	require.NoError(t, err)
	require.Len(t, ws, 2, "s1 and s2 are due; later is not")
	assert.Equal(t, "s1", ws[0].SessionID, "the longest due first")
	assert.Equal(t, "s2", ws[1].SessionID)
	assert.Zero(t, ws[0].Checks)
	assert.WithinDuration(t, time.Now(), ws[0].CreatedAt, time.Minute, "watched since")

	ws, err = s.ClaimWatches(ctx, time.Hour, 10)
	require.NoError(t, err)
	assert.Empty(t, ws, "claimed watches are skipped for their lease")

	// s1 was undecided: asked again (here at once).
	require.NoError(t, s.RescheduleWatch(ctx, "s1", 0))
	ws, err = s.ClaimWatches(ctx, time.Hour, 10)
	require.NoError(t, err)
	require.Len(t, ws, 1)
	assert.Equal(t, "s1", ws[0].SessionID)
	assert.Equal(t, 1, ws[0].Checks)

	// Reconciled (by webhook or query) and given up: never due again.
	require.NoError(t, s.EndWatch(ctx, "s1", inbox.WatchReconciled))
	require.NoError(t, s.EndWatch(ctx, "s2", inbox.WatchExpired))
	require.NoError(t, s.EndWatch(ctx, "never-watched", inbox.WatchReconciled))
	require.NoError(t, s.RescheduleWatch(ctx, "s1", 0), "rescheduling an ended watch is a no-op")
	require.NoError(t, s.Watch(ctx, "s1", 0), "a reconciled session is not watched again")
	ws, err = s.ClaimWatches(ctx, time.Hour, 10)
	require.NoError(t, err)
	assert.Empty(t, ws)

	// The batch limit.
	for i := 0; i < 5; i++ {
		require.NoError(t, s.Watch(ctx, fmt.Sprintf("b%d", i), 0))
	}
	ws, err = s.ClaimWatches(ctx, time.Hour, 3)
	require.NoError(t, err)
	assert.Len(t, ws, 3)
}
