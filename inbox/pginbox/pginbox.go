// Package pginbox is an inbox.Store on PostgreSQL, for Inboxes in several
// replicas sharing one database: each delivery key is recorded once
// (a unique key), claimed by one worker at a time (SELECT … FOR UPDATE
// SKIP LOCKED, with a lease and a token per claim), and idle workers in
// every replica are woken by LISTEN/NOTIFY. Every time (recording, due
// times, lease expiry) is the database's clock, so replicas whose clocks
// differ agree on who holds a lease.
//
// # Schema and privileges
//
// Migrate creates the schema (DefaultSchema, or WithSchema's) and in it
// three tables: deliveries, watched_sessions and schema_version; the same
// SQL is in Migrations, one file per version. New only checks that the
// schema is at SchemaVersion (ErrNotMigrated otherwise): it runs no DDL.
// Migrate needs CREATE on the database (its first migration creates the
// schema) and, for later migrations, ownership of the tables; New and the
// store need USAGE on the schema and SELECT, INSERT, UPDATE on its tables.
//
// # What is stored
//
// Table deliveries holds, per delivery: its key, kind and session ID, the
// body exactly as Veriff sent it (bytea), its state, attempt count, lease
// owner, token and expiry, next attempt time, last handler error and
// times. Bodies hold personal data (names, dates of birth, document
// numbers, addresses, IP addresses): restrict access to the tables, and set
// WithRetention to remove the bodies of processed deliveries after an age.
// The row (key, kind, session, times) stays, so that Veriff's late retries
// are still recognised as duplicates. Failed deliveries keep their bodies
// until handled by hand (inbox.Inbox.Requeue). Table watched_sessions
// holds session IDs only.
//
// # Exactly-once effects
//
// HandleTx runs a handler inside the transaction that marks its delivery
// done: effects written through that transaction happen once, even when a
// handler outlives its lease or the database restarts.
//
// A claim commits without waiting for its WAL flush (synchronous_commit off
// for that transaction only): a database crash may forget it, which only
// means the delivery is claimed again; the lost claim's token fences its
// worker, and every later commit (a done mark) flushes the claim first.
package pginbox

import (
	"context"
	"fmt"
	"regexp"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/veriffgo/veriff"
)

// DefaultSchema is the PostgreSQL schema the tables are created in.
const DefaultSchema = "veriff_inbox"

// Option configures the store (New) and its migration (Migrate). A nil
// Option is ignored; a non-nil one with a bad argument is an error wrapping
// veriff.ErrInvalidInput.
type Option func(*config) error

type config struct {
	schema    string
	retention time.Duration
	notify    bool
}

var schemaName = regexp.MustCompile(`^[a-z_][a-z0-9_]*$`)

// channelSuffix names the NOTIFY channel after the schema.
const channelSuffix = "_deliveries"

// maxIdentifier is PostgreSQL's identifier limit, channel names included.
const maxIdentifier = 63

// WithSchema sets the PostgreSQL schema holding the tables (default
// DefaultSchema): lower-case letters, digits and underscores, at most 52
// bytes, so that its notify channel (the name and "_deliveries") fits
// PostgreSQL's 63-byte identifiers.
func WithSchema(name string) Option {
	return func(c *config) error {
		if !schemaName.MatchString(name) {
			return fmt.Errorf("pginbox: WithSchema: %q is not a lower-case SQL identifier: %w", name, veriff.ErrInvalidInput)
		}
		if len(name)+len(channelSuffix) > maxIdentifier {
			return fmt.Errorf("pginbox: WithSchema: a name of %d bytes makes a notify channel over PostgreSQL's %d bytes (at most %d): %w",
				len(name), maxIdentifier, maxIdentifier-len(channelSuffix), veriff.ErrInvalidInput)
		}
		c.schema = name
		return nil
	}
}

// WithRetention removes the bodies of done deliveries once they have been
// done for d (checked at most once a minute, while workers claim). Zero,
// the default, keeps them.
func WithRetention(d time.Duration) Option {
	return func(c *config) error {
		if d < 0 {
			return fmt.Errorf("pginbox: WithRetention: negative age %s: %w", d, veriff.ErrInvalidInput)
		}
		c.retention = d
		return nil
	}
}

// WithNotify turns LISTEN/NOTIFY wakeups on or off (default on). Off, idle
// workers find new deliveries by polling only.
func WithNotify(on bool) Option {
	return func(c *config) error { c.notify = on; return nil }
}

// Store is the PostgreSQL inbox.Store. It is safe for concurrent use.
type Store struct {
	pool      *pgxpool.Pool
	cfg       config
	t         tables
	lastPurge atomic.Int64 // unix nanoseconds of the last retention run
}

type tables struct {
	schema, deliveries, watches, version, channel string
}

func tablesFor(schema string) tables {
	sch := pgx.Identifier{schema}.Sanitize()
	return tables{
		schema:     sch,
		deliveries: sch + ".deliveries",
		watches:    sch + ".watched_sessions",
		version:    sch + ".schema_version",
		channel:    schema + channelSuffix,
	}
}

func configure(pool *pgxpool.Pool, opts []Option) (config, error) {
	cfg := config{schema: DefaultSchema, notify: true}
	if pool == nil {
		return cfg, fmt.Errorf("pginbox: nil pool: %w", veriff.ErrInvalidInput)
	}
	for _, o := range opts {
		if o == nil {
			continue
		}
		if err := o(&cfg); err != nil {
			return cfg, err
		}
	}
	return cfg, nil
}

// New returns a store on pool, whose schema Migrate (or the files of
// Migrations) must have brought to SchemaVersion: otherwise New fails with
// ErrNotMigrated, and changes nothing.
func New(ctx context.Context, pool *pgxpool.Pool, opts ...Option) (*Store, error) {
	cfg, err := configure(pool, opts)
	if err != nil {
		return nil, err
	}
	s := &Store{pool: pool, cfg: cfg, t: tablesFor(cfg.schema)}
	have, err := schemaVersion(ctx, pool, s.t)
	if err != nil {
		return nil, fmt.Errorf("pginbox: reading the schema version: %w", err)
	}
	if have < SchemaVersion {
		return nil, fmt.Errorf("%w: schema %s is at version %d, this package needs %d: run pginbox.Migrate first",
			ErrNotMigrated, cfg.schema, have, SchemaVersion)
	}
	if have > SchemaVersion {
		return nil, fmt.Errorf("pginbox: schema %s is at version %d, newer than this package knows (%d)", cfg.schema, have, SchemaVersion)
	}
	return s, nil
}
