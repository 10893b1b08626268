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
// lease, lease expiry and takeover, retry scheduling, failure, concurrent
// claims, and watched sessions.
func RunStoreTests(t *testing.T, newStore func(t *testing.T) inbox.Store) {
	tests := []struct {
		name string
		run  func(t *testing.T, s inbox.Store)
	}{
		{"RecordAndDuplicate", testRecordAndDuplicate},
		{"ClaimWithLease", testClaimWithLease},
		{"LeaseExpiryAndTakeover", testLeaseExpiryAndTakeover},
		{"RetryScheduling", testRetryScheduling},
		{"FailureIsKeptAndVisible", testFailure},
		{"ConcurrentClaimsTakeEachOnce", testConcurrentClaims},
		{"WatchAndReconcile", testWatch},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { tc.run(t, newStore(t)) })
	}
}

// base is a time with microsecond precision, as PostgreSQL keeps it.
func base() time.Time { return time.Now().Truncate(time.Millisecond) }

func record(t *testing.T, s inbox.Store, key string, at time.Time) {
	t.Helper()
	ok, err := s.Record(context.Background(), inbox.NewDelivery{
		Key: key, Kind: veriff.WebhookDecision, SessionID: "sess-" + key, Body: []byte(`{"key":"` + key + `"}`), At: at,
	})
	require.NoError(t, err)
	require.True(t, ok, "first record of %s", key)
}

func sameTime(t *testing.T, want, got time.Time, msg string) {
	t.Helper()
	assert.WithinDuration(t, want, got, time.Millisecond, msg)
}

func testRecordAndDuplicate(t *testing.T, s inbox.Store) {
	ctx, now := context.Background(), base()
	body := []byte{'{', 0xff, '}'} // kept byte for byte, valid JSON or not
	d := inbox.NewDelivery{Key: "decision/s1/a1/approved", Kind: veriff.WebhookDecision, SessionID: "s1", Body: body, At: now}
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
	sameTime(t, now, got.NextAttempt, "due at once")
	sameTime(t, now, got.CreatedAt, "created")

	bySession, err := s.List(ctx, inbox.Filter{SessionID: "other"})
	require.NoError(t, err)
	assert.Empty(t, bySession)
}

func testClaimWithLease(t *testing.T, s inbox.Store) {
	ctx, now := context.Background(), base()
	record(t, s, "k2", now.Add(time.Millisecond))
	record(t, s, "k1", now)
	record(t, s, "later", now.Add(time.Hour))

	d, err := s.Claim(ctx, "w1", now.Add(time.Second), 30*time.Second)
	require.NoError(t, err)
	require.NotNil(t, d)
	assert.Equal(t, "k1", d.Key, "the oldest due first")
	assert.Equal(t, inbox.StateLeased, d.State)
	assert.Equal(t, 1, d.Attempts)
	assert.Equal(t, "w1", d.LeaseOwner)
	sameTime(t, now.Add(31*time.Second), d.LeaseExpires, "lease expiry")
	assert.Equal(t, []byte(`{"key":"k1"}`), d.Body)

	d2, err := s.Claim(ctx, "w2", now.Add(time.Second), 30*time.Second)
	require.NoError(t, err)
	require.NotNil(t, d2)
	assert.Equal(t, "k2", d2.Key, "a leased delivery is not claimed twice")
	none, err := s.Claim(ctx, "w2", now.Add(time.Second), 30*time.Second)
	require.NoError(t, err)
	assert.Nil(t, none, "nothing else is due")

	assert.ErrorIs(t, s.Complete(ctx, "k1", "w2", now), inbox.ErrLeaseLost, "only the owner completes")
	assert.ErrorIs(t, s.Complete(ctx, "missing", "w1", now), inbox.ErrLeaseLost)
	require.NoError(t, s.Complete(ctx, "k1", "w1", now.Add(2*time.Second)))
	assert.ErrorIs(t, s.Complete(ctx, "k1", "w1", now), inbox.ErrLeaseLost, "done is final")

	done, err := s.List(ctx, inbox.Filter{State: inbox.StateDone})
	require.NoError(t, err)
	require.Len(t, done, 1)
	assert.Equal(t, "k1", done[0].Key)
	sameTime(t, now.Add(2*time.Second), done[0].DoneAt, "done time")
	none, err = s.Claim(ctx, "w3", now.Add(20*time.Second), 30*time.Second)
	require.NoError(t, err)
	assert.Nil(t, none, "a done delivery is never claimed again; k2's lease still runs")
}

func testLeaseExpiryAndTakeover(t *testing.T, s inbox.Store) {
	ctx, now := context.Background(), base()
	record(t, s, "k", now)
	lease := 10 * time.Second
	d, err := s.Claim(ctx, "dead", now, lease)
	require.NoError(t, err)
	require.NotNil(t, d)

	none, err := s.Claim(ctx, "alive", now.Add(lease-time.Millisecond), lease)
	require.NoError(t, err)
	assert.Nil(t, none, "not before the lease expires")

	d, err = s.Claim(ctx, "alive", now.Add(lease), lease)
	require.NoError(t, err)
	require.NotNil(t, d, "taken over once the lease expired")
	assert.Equal(t, "alive", d.LeaseOwner)
	assert.Equal(t, 2, d.Attempts, "the lost attempt counts")

	assert.ErrorIs(t, s.Complete(ctx, "k", "dead", now), inbox.ErrLeaseLost)
	assert.ErrorIs(t, s.Retry(ctx, "k", "dead", now, "late"), inbox.ErrLeaseLost)
	assert.ErrorIs(t, s.Fail(ctx, "k", "dead", now, "late"), inbox.ErrLeaseLost)
	require.NoError(t, s.Complete(ctx, "k", "alive", now.Add(lease+time.Second)))
	done, err := s.List(ctx, inbox.Filter{State: inbox.StateDone})
	require.NoError(t, err)
	assert.Len(t, done, 1)
}

func testRetryScheduling(t *testing.T, s inbox.Store) {
	ctx, now := context.Background(), base()
	record(t, s, "k", now)
	d, err := s.Claim(ctx, "w", now, time.Minute)
	require.NoError(t, err)
	require.NotNil(t, d)
	next := now.Add(10 * time.Second)
	require.NoError(t, s.Retry(ctx, "k", "w", next, "backend said no"))

	pending, err := s.List(ctx, inbox.Filter{State: inbox.StatePending})
	require.NoError(t, err)
	require.Len(t, pending, 1)
	assert.Equal(t, "backend said no", pending[0].LastError)
	sameTime(t, next, pending[0].NextAttempt, "next attempt")
	assert.Empty(t, pending[0].LeaseOwner)

	none, err := s.Claim(ctx, "w", next.Add(-time.Millisecond), time.Minute)
	require.NoError(t, err)
	assert.Nil(t, none, "not due before its next attempt")
	d, err = s.Claim(ctx, "w2", next, time.Minute)
	require.NoError(t, err)
	require.NotNil(t, d)
	assert.Equal(t, 2, d.Attempts)
	assert.Equal(t, "backend said no", d.LastError)
	assert.ErrorIs(t, s.Retry(ctx, "k", "w", next, "x"), inbox.ErrLeaseLost, "the old owner cannot retry")
}

func testFailure(t *testing.T, s inbox.Store) {
	ctx, now := context.Background(), base()
	record(t, s, "k", now)
	record(t, s, "ok", now)
	for attempt := 1; attempt <= 3; attempt++ {
		at := now.Add(time.Duration(attempt) * time.Minute)
		d, err := s.Claim(ctx, "w", at, time.Second)
		require.NoError(t, err)
		require.NotNil(t, d)
		if d.Key == "ok" {
			require.NoError(t, s.Complete(ctx, "ok", "w", at))
			d, err = s.Claim(ctx, "w", at, time.Second)
			require.NoError(t, err)
			require.NotNil(t, d)
		}
		assert.Equal(t, attempt, d.Attempts)
		if attempt < 3 {
			require.NoError(t, s.Retry(ctx, "k", "w", at, fmt.Sprintf("attempt %d failed", attempt)))
			continue
		}
		require.NoError(t, s.Fail(ctx, "k", "w", at, "attempt 3 failed"))
	}
	none, err := s.Claim(ctx, "w", now.Add(time.Hour), time.Second)
	require.NoError(t, err)
	assert.Nil(t, none, "a failed delivery is not claimed again")
	failed, err := s.List(ctx, inbox.Filter{State: inbox.StateFailed})
	require.NoError(t, err)
	require.Len(t, failed, 1, "failed deliveries are kept and visible")
	assert.Equal(t, "k", failed[0].Key)
	assert.Equal(t, 3, failed[0].Attempts)
	assert.Equal(t, "attempt 3 failed", failed[0].LastError)
	assert.Equal(t, []byte(`{"key":"k"}`), failed[0].Body, "the body stays for a replay")
	assert.False(t, failed[0].DoneAt.IsZero())
}

func testConcurrentClaims(t *testing.T, s inbox.Store) {
	ctx, now := context.Background(), base()
	const n = 60
	for i := 0; i < n; i++ {
		record(t, s, fmt.Sprintf("k%02d", i), now)
	}
	var (
		mu     sync.Mutex
		counts = map[string]int{}
		wg     sync.WaitGroup
	)
	for w := 0; w < 6; w++ {
		wg.Add(1)
		go func(owner string) {
			defer wg.Done()
			for {
				d, err := s.Claim(ctx, owner, now, time.Minute)
				if !assert.NoError(t, err) || d == nil {
					return
				}
				mu.Lock()
				counts[d.Key]++
				mu.Unlock()
				assert.NoError(t, s.Complete(ctx, d.Key, owner, now))
			}
		}(fmt.Sprintf("w%d", w))
	}
	wg.Wait()
	require.Len(t, counts, n)
	for k, c := range counts {
		assert.Equal(t, 1, c, k)
	}
}

func testWatch(t *testing.T, s inbox.Store) {
	ctx, now := context.Background(), base()
	due := now.Add(time.Minute)
	require.NoError(t, s.Watch(ctx, "s1", now, due))
	require.NoError(t, s.Watch(ctx, "s1", now.Add(time.Second), due.Add(time.Hour)), "watching twice is harmless")
	require.NoError(t, s.Watch(ctx, "s2", now, due.Add(time.Second)))

	ws, err := s.ClaimWatches(ctx, due.Add(-time.Millisecond), time.Minute, 10)
	require.NoError(t, err)
	assert.Empty(t, ws, "not due yet")

	ws, err = s.ClaimWatches(ctx, due, 30*time.Second, 10)
	require.NoError(t, err)
	require.Len(t, ws, 1, "only s1 is due")
	assert.Equal(t, "s1", ws[0].SessionID)
	assert.Zero(t, ws[0].Checks)
	sameTime(t, now, ws[0].CreatedAt, "watched since")

	ws, err = s.ClaimWatches(ctx, due.Add(2*time.Second), 30*time.Second, 10)
	require.NoError(t, err)
	require.Len(t, ws, 1, "s1 is claimed for a lease: only s2")
	assert.Equal(t, "s2", ws[0].SessionID)

	// s1 was undecided: asked again later.
	next := due.Add(5 * time.Minute)
	require.NoError(t, s.RescheduleWatch(ctx, "s1", next))
	ws, err = s.ClaimWatches(ctx, next, time.Second, 10)
	require.NoError(t, err)
	require.Len(t, ws, 2)
	assert.Equal(t, "s2", ws[0].SessionID, "the longest due first")
	assert.Equal(t, "s1", ws[1].SessionID)
	assert.Equal(t, 1, ws[1].Checks)

	// Reconciled (by webhook or query) and given up: never due again.
	require.NoError(t, s.EndWatch(ctx, "s1", inbox.WatchReconciled, next))
	require.NoError(t, s.EndWatch(ctx, "s2", inbox.WatchExpired, next))
	require.NoError(t, s.EndWatch(ctx, "never-watched", inbox.WatchReconciled, next))
	require.NoError(t, s.RescheduleWatch(ctx, "s1", next), "rescheduling an ended watch is a no-op")
	require.NoError(t, s.Watch(ctx, "s1", next, next), "a reconciled session is not watched again")
	ws, err = s.ClaimWatches(ctx, next.Add(24*time.Hour), time.Second, 10)
	require.NoError(t, err)
	assert.Empty(t, ws)

	// The batch limit.
	for i := 0; i < 5; i++ {
		require.NoError(t, s.Watch(ctx, fmt.Sprintf("b%d", i), now, now))
	}
	ws, err = s.ClaimWatches(ctx, now, time.Second, 3)
	require.NoError(t, err)
	assert.Len(t, ws, 3)
}
