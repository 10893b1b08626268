package pginbox_test

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/veriffgo/veriff"
	"github.com/veriffgo/veriff/inbox"
	"github.com/veriffgo/veriff/inbox/pginbox"
)

// New keeps the contract's exact signature (api-surface.md), so that it
// can be stored as a function value; NewWithOptions takes the options.
func TestConstructorSignatures(t *testing.T) {
	var contract func(context.Context, *pgxpool.Pool) (inbox.Store, error) = pginbox.New
	var withOptions func(context.Context, *pgxpool.Pool, ...pginbox.Option) (inbox.Store, error) = pginbox.NewWithOptions
	// A pool that is never connected: every case is refused before a query.
	lazy, err := pgxpool.New(context.Background(), "postgres://nobody@127.0.0.1:1/none?connect_timeout=1")
	require.NoError(t, err)
	t.Cleanup(lazy.Close)
	tests := []struct {
		name string
		call func() (inbox.Store, error)
	}{
		{"New, nil pool", func() (inbox.Store, error) { return contract(context.Background(), nil) }},
		{"NewWithOptions, nil pool", func() (inbox.Store, error) { return withOptions(context.Background(), nil) }},
		{"NewWithOptions, nil option", func() (inbox.Store, error) { return withOptions(context.Background(), lazy, nil) }},
		{"NewWithOptions, bad schema", func() (inbox.Store, error) {
			return withOptions(context.Background(), lazy, pginbox.WithSchema("Bad;Name"))
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := tt.call()
			assert.ErrorIs(t, err, veriff.ErrInvalidInput)
			assert.Nil(t, s)
		})
	}
}
