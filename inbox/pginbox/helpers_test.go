package pginbox_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

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

// newStore migrates schema and returns a store on it.
func newStore(t testing.TB, pool *pgxpool.Pool, schema string, opts ...pginbox.Option) *pginbox.Store {
	t.Helper()
	opts = append([]pginbox.Option{pginbox.WithSchema(schema)}, opts...)
	require.NoError(t, pginbox.Migrate(context.Background(), pool, opts...))
	s, err := pginbox.New(context.Background(), pool, opts...)
	require.NoError(t, err)
	return s
}

// eventBody is a distinct event webhook body for i.
func eventBody(prefix string, i int) []byte {
	return []byte(fmt.Sprintf(`{"id":"%s-%d","attemptId":"a","feature":"selfid","code":7001,"action":"started","vendorData":"v"}`, prefix, i))
}
