package pginbox_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/veriffgo/veriff"
	"github.com/veriffgo/veriff/inbox"
	"github.com/veriffgo/veriff/inbox/inboxtest"
	"github.com/veriffgo/veriff/inbox/pginbox"
)

func TestStoreContract(t *testing.T) {
	pool := newPool(t)
	inboxtest.RunStoreTests(t, func(t *testing.T) inbox.Store { return newStore(t, pool, newSchema(t)) })
}

// Replicas starting at once all create (or find) one schema, once.
func TestNewIsIdempotentAndSafeConcurrently(t *testing.T) {
	pool, schema := newPool(t), newSchema(t)
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range errs {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			_, errs[i] = pginbox.NewWithOptions(context.Background(), pool, pginbox.WithSchema(schema))
		}(i)
	}
	wg.Wait()
	for _, err := range errs {
		require.NoError(t, err)
	}
	_, err := pginbox.NewWithOptions(context.Background(), pool, pginbox.WithSchema(schema))
	require.NoError(t, err, "again, over an existing schema")
	var versions int
	require.NoError(t, pool.QueryRow(context.Background(), "SELECT count(*) FROM "+schema+".schema_version").Scan(&versions))
	assert.Equal(t, 1, versions)
}

func TestNewRefusesBadInput(t *testing.T) {
	_, err := pginbox.New(context.Background(), nil)
	assert.ErrorIs(t, err, veriff.ErrInvalidInput)
	for _, name := range []string{"", "Upper", "a;drop", "1x", `quote"`} {
		assert.ErrorIs(t, pginbox.WithSchema(name)(nil), veriff.ErrInvalidInput, name)
	}
	assert.ErrorIs(t, pginbox.WithRetention(-time.Second)(nil), veriff.ErrInvalidInput)
}

// Processed bodies are removed after the retention age; failed ones and
// the keys stay, so that late retries are still duplicates.
func TestRetentionRemovesProcessedBodies(t *testing.T) {
	pool := newPool(t)
	s := newStore(t, pool, newSchema(t), pginbox.WithRetention(time.Hour))
	ctx, now := context.Background(), time.Now()
	for _, k := range []string{"old", "recent", "failed"} {
		ok, err := s.Record(ctx, inbox.NewDelivery{Key: k, Kind: veriff.WebhookDecision, SessionID: "s", Body: []byte(`{"personal":"data"}`), At: now.Add(-3 * time.Hour)})
		require.NoError(t, err)
		require.True(t, ok)
	}
	doneAt := map[string]time.Time{"old": now.Add(-2 * time.Hour), "recent": now.Add(-time.Minute)}
	for i := 0; i < 3; i++ {
		d, err := s.Claim(ctx, "w", now.Add(-3*time.Hour), time.Minute)
		require.NoError(t, err)
		if at, ok := doneAt[d.Key]; ok {
			require.NoError(t, s.Complete(ctx, d.Key, "w", at))
		} else {
			require.NoError(t, s.Fail(ctx, d.Key, "w", now.Add(-2*time.Hour), "boom"))
		}
	}
	none, err := s.Claim(ctx, "w", now, time.Minute) // runs the retention
	require.NoError(t, err)
	assert.Nil(t, none)
	all, err := s.List(ctx, inbox.Filter{})
	require.NoError(t, err)
	bodies := map[string][]byte{}
	for _, d := range all {
		bodies[d.Key] = d.Body
	}
	assert.Nil(t, bodies["old"], "done for longer than the retention")
	assert.NotNil(t, bodies["recent"])
	assert.NotNil(t, bodies["failed"], "failed deliveries keep their body")
	ok, err := s.Record(ctx, inbox.NewDelivery{Key: "old", Kind: veriff.WebhookDecision, Body: []byte(`{}`), At: now})
	require.NoError(t, err)
	assert.False(t, ok, "still a duplicate")
}
