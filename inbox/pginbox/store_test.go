package pginbox_test

import (
	"context"
	"regexp"
	"strings"
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

// Replicas migrating at once all find one schema, migrated once; New runs
// no DDL and refuses a schema Migrate has not brought up to date.
func TestMigrateIsIdempotentAndNewOnlyChecks(t *testing.T) {
	ctx := context.Background()
	pool, schema := newPool(t), newSchema(t)
	_, err := pginbox.New(ctx, pool, pginbox.WithSchema(schema))
	require.ErrorIs(t, err, pginbox.ErrNotMigrated)
	var exists bool
	require.NoError(t, pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1)`, schema).Scan(&exists))
	assert.False(t, exists, "New created nothing")

	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range errs {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			errs[i] = pginbox.Migrate(ctx, pool, pginbox.WithSchema(schema))
		}(i)
	}
	wg.Wait()
	for _, err := range errs {
		require.NoError(t, err)
	}
	require.NoError(t, pginbox.Migrate(ctx, pool, pginbox.WithSchema(schema)), "again, over a migrated schema")
	var versions int
	require.NoError(t, pool.QueryRow(ctx, "SELECT count(*) FROM "+schema+".schema_version").Scan(&versions))
	assert.Equal(t, pginbox.SchemaVersion, versions)
	_, err = pginbox.New(ctx, pool, pginbox.WithSchema(schema), nil)
	require.NoError(t, err, "a nil option is ignored")
}

// The embedded files, applied by another tool in order, make a schema New
// accepts; a schema at version 1 (the previous release) is upgraded in
// place, its deliveries kept.
func TestMigrationFilesAndUpgrade(t *testing.T) {
	ctx := context.Background()
	pool, schema := newPool(t), newSchema(t)
	files, err := pginbox.Migrations.ReadDir("migrations")
	require.NoError(t, err)
	require.Len(t, files, pginbox.SchemaVersion, "one file per version")
	first, err := pginbox.Migrations.ReadFile("migrations/" + files[0].Name())
	require.NoError(t, err)
	_, err = pool.Exec(ctx, regexp.MustCompile(`\b`+pginbox.DefaultSchema+`\b`).ReplaceAllString(string(first), schema))
	require.NoError(t, err)
	_, err = pool.Exec(ctx, `INSERT INTO `+schema+`.deliveries (key, kind, state, next_attempt, created_at, updated_at)
		VALUES ('old-key', 'decision', 'pending', now(), now(), now())`)
	require.NoError(t, err)
	_, err = pginbox.New(ctx, pool, pginbox.WithSchema(schema))
	require.ErrorIs(t, err, pginbox.ErrNotMigrated, "version 1 is too old")

	require.NoError(t, pginbox.Migrate(ctx, pool, pginbox.WithSchema(schema)))
	s, err := pginbox.New(ctx, pool, pginbox.WithSchema(schema))
	require.NoError(t, err)
	d, err := s.Claim(ctx, "w", time.Minute)
	require.NoError(t, err)
	require.NotNil(t, d)
	assert.Equal(t, "old-key", d.Key)
	require.NoError(t, s.Complete(ctx, d.Key, d.LeaseToken))
}

// Processed bodies are removed after the retention age; failed ones and
// the keys stay, so that late retries are still duplicates.
func TestRetentionRemovesProcessedBodies(t *testing.T) {
	ctx := context.Background()
	pool, schema := newPool(t), newSchema(t)
	const retention = 300 * time.Millisecond
	s := newStore(t, pool, schema)
	for _, k := range []string{"old", "failed", "recent"} {
		ok, err := s.Record(ctx, inbox.NewDelivery{Key: k, Kind: veriff.WebhookDecision, SessionID: "s", Body: []byte(`{"personal":"data"}`)})
		require.NoError(t, err)
		require.True(t, ok)
	}
	for _, k := range []string{"old", "failed"} {
		d, err := s.Claim(ctx, "w", time.Minute)
		require.NoError(t, err)
		require.Equal(t, k, d.Key)
		if k == "old" {
			require.NoError(t, s.Complete(ctx, d.Key, d.LeaseToken))
		} else {
			require.NoError(t, s.Fail(ctx, d.Key, d.LeaseToken, "boom"))
		}
	}
	time.Sleep(retention + 100*time.Millisecond)
	d, err := s.Claim(ctx, "w", time.Minute)
	require.NoError(t, err)
	require.NoError(t, s.Complete(ctx, d.Key, d.LeaseToken))

	purging := newStore(t, pool, schema, pginbox.WithRetention(retention))
	none, err := purging.Claim(ctx, "w", time.Minute) // runs the retention
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
	ok, err := s.Record(ctx, inbox.NewDelivery{Key: "old", Kind: veriff.WebhookDecision, Body: []byte(`{}`)})
	require.NoError(t, err)
	assert.False(t, ok, "still a duplicate")
}

// The longest delivery key a webhook can have is recorded (the unique
// index accepts it).
func TestLongestKeyIsRecordable(t *testing.T) {
	s := newStore(t, newPool(t), newSchema(t))
	key := strings.Repeat("k", veriff.MaxDeliveryKeyBytes)
	ok, err := s.Record(context.Background(), inbox.NewDelivery{Key: key, Kind: veriff.WebhookEvent, Body: []byte(`{}`)})
	require.NoError(t, err)
	assert.True(t, ok)
}

func TestNewRefusesBadInput(t *testing.T) {
	_, err := pginbox.New(context.Background(), nil)
	assert.ErrorIs(t, err, veriff.ErrInvalidInput)
	for _, name := range []string{"", "Upper", "a;drop", "1x", `quote"`, strings.Repeat("a", 53)} {
		assert.ErrorIs(t, pginbox.WithSchema(name)(nil), veriff.ErrInvalidInput, name)
	}
	_, err = pginbox.New(context.Background(), newPool(t), pginbox.WithSchema(strings.Repeat("a", 52)))
	assert.ErrorIs(t, err, pginbox.ErrNotMigrated, "52 bytes is a valid name (its channel has 63)")
	assert.ErrorIs(t, pginbox.WithRetention(-time.Second)(nil), veriff.ErrInvalidInput)
}
