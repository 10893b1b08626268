package pginbox_test

import (
	"context"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/veriffgo/veriff"
	"github.com/veriffgo/veriff/inbox"
	"github.com/veriffgo/veriff/inbox/pginbox"
)

// New and Migrate keep the contract's exact signatures (api-surface.md);
// both refuse bad input before any query, and ignore nil options.
func TestConstructorSignatures(t *testing.T) {
	var newStore func(context.Context, *pgxpool.Pool, ...pginbox.Option) (*pginbox.Store, error) = pginbox.New
	var migrate func(context.Context, *pgxpool.Pool, ...pginbox.Option) error = pginbox.Migrate
	var _ inbox.Store = (*pginbox.Store)(nil)
	// A pool that is never connected: every case is refused before a query.
	lazy, err := pgxpool.New(context.Background(), "postgres://nobody@127.0.0.1:1/none?connect_timeout=1")
	require.NoError(t, err)
	t.Cleanup(lazy.Close)
	tests := []struct {
		name string
		call func() error
	}{
		{"New, nil pool", func() error { _, err := newStore(context.Background(), nil); return err }},
		{"Migrate, nil pool", func() error { return migrate(context.Background(), nil) }},
		{"New, bad schema", func() error {
			_, err := newStore(context.Background(), lazy, nil, pginbox.WithSchema("Bad;Name"))
			return err
		}},
		{"Migrate, schema too long for its channel", func() error {
			return migrate(context.Background(), lazy, pginbox.WithSchema(strings.Repeat("s", 53)))
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.ErrorIs(t, tt.call(), veriff.ErrInvalidInput)
		})
	}
}
