// Package pginbox is an inbox.Store on PostgreSQL, for Inboxes in several
// replicas sharing one database: each delivery key is recorded once
// (a unique key), claimed by one worker at a time (SELECT … FOR UPDATE
// SKIP LOCKED, with a lease), and idle workers in every replica are woken
// by LISTEN/NOTIFY.
//
// # What is stored
//
// Table deliveries holds, per delivery: its key, kind and session ID, the
// body exactly as Veriff sent it (bytea), its state, attempt count, lease
// owner and expiry, next attempt time, last handler error and times.
// Bodies hold personal data (names, dates of birth, document numbers,
// addresses, IP addresses): restrict access to the tables, and set
// WithRetention to remove the bodies of processed deliveries after an age.
// The row (key, kind, session, times) stays, so that Veriff's late retries
// are still recognised as duplicates. Failed deliveries keep their bodies
// until handled by hand. Table watched_sessions holds session IDs only.
//
// New creates the schema and its tables when missing and records the
// schema version in schema_version; it is safe to call from several
// replicas starting at once.
package pginbox

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/veriffgo/veriff"
	"github.com/veriffgo/veriff/inbox"
)

// DefaultSchema is the PostgreSQL schema the tables are created in.
const DefaultSchema = "veriff_inbox"

// Option configures the store.
type Option func(*config) error

type config struct {
	schema    string
	retention time.Duration
	notify    bool
}

var schemaName = regexp.MustCompile(`^[a-z_][a-z0-9_]{0,62}$`)

// WithSchema sets the PostgreSQL schema holding the tables (default
// DefaultSchema): lower-case letters, digits and underscores.
func WithSchema(name string) Option {
	return func(c *config) error {
		if !schemaName.MatchString(name) {
			return fmt.Errorf("pginbox: WithSchema: %q is not a lower-case SQL identifier: %w", name, veriff.ErrInvalidInput)
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

// Store is the PostgreSQL inbox.Store.
type Store struct {
	pool      *pgxpool.Pool
	cfg       config
	t         tables
	lastPurge atomic.Int64 // unix nanoseconds of the last retention run
}

type tables struct {
	schema, deliveries, watches, version, channel string
}

// New returns a store on pool with the default options, creating (or
// upgrading) its schema first; NewWithOptions takes options.
func New(ctx context.Context, pool *pgxpool.Pool) (inbox.Store, error) {
	return NewWithOptions(ctx, pool)
}

// NewWithOptions is New with options (WithSchema, WithRetention,
// WithNotify): it returns a store on pool, creating (or upgrading) its
// schema first. A nil option is refused.
func NewWithOptions(ctx context.Context, pool *pgxpool.Pool, opts ...Option) (inbox.Store, error) {
	if pool == nil {
		return nil, fmt.Errorf("pginbox: nil pool: %w", veriff.ErrInvalidInput)
	}
	cfg := config{schema: DefaultSchema, notify: true}
	for _, o := range opts {
		if o == nil {
			return nil, fmt.Errorf("pginbox: nil option: %w", veriff.ErrInvalidInput)
		}
		if err := o(&cfg); err != nil {
			return nil, err
		}
	}
	sch := pgx.Identifier{cfg.schema}.Sanitize()
	s := &Store{pool: pool, cfg: cfg, t: tables{
		schema:     sch,
		deliveries: sch + ".deliveries",
		watches:    sch + ".watched_sessions",
		version:    sch + ".schema_version",
		channel:    cfg.schema + "_deliveries",
	}}
	if err := s.migrate(ctx); err != nil {
		return nil, fmt.Errorf("pginbox: creating the schema: %w", err)
	}
	return s, nil
}

// migrations are applied in order; schema_version holds the last one.
func (s *Store) migrations() []string {
	t := s.t
	return []string{
		`CREATE TABLE ` + t.deliveries + ` (
			key           text PRIMARY KEY,
			kind          text NOT NULL,
			session_id    text NOT NULL DEFAULT '',
			body          bytea,
			state         text NOT NULL,
			attempts      integer NOT NULL DEFAULT 0,
			lease_owner   text NOT NULL DEFAULT '',
			lease_expires timestamptz,
			next_attempt  timestamptz NOT NULL,
			last_error    text NOT NULL DEFAULT '',
			created_at    timestamptz NOT NULL,
			updated_at    timestamptz NOT NULL,
			done_at       timestamptz
		);
		CREATE INDEX deliveries_due ON ` + t.deliveries + ` (next_attempt) WHERE state IN ('pending', 'leased');
		CREATE INDEX deliveries_state ON ` + t.deliveries + ` (state, created_at);
		CREATE INDEX deliveries_session ON ` + t.deliveries + ` (session_id);
		CREATE TABLE ` + t.watches + ` (
			session_id text PRIMARY KEY,
			checks     integer NOT NULL DEFAULT 0,
			next_check timestamptz NOT NULL,
			outcome    text NOT NULL DEFAULT '',
			created_at timestamptz NOT NULL,
			ended_at   timestamptz
		);
		CREATE INDEX watched_due ON ` + t.watches + ` (next_check) WHERE outcome = '';`,
	}
}

// migrate applies the missing migrations in one transaction, under an
// advisory lock so that replicas starting together take turns.
func (s *Store) migrate(ctx context.Context) error {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return err
	}
	defer func() { _ = tx.Rollback(ctx) }()
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtext($1))`, "veriff-pginbox:"+s.cfg.schema); err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `CREATE SCHEMA IF NOT EXISTS `+s.t.schema+`;
		CREATE TABLE IF NOT EXISTS `+s.t.version+` (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`); err != nil {
		return err
	}
	var have int
	if err := tx.QueryRow(ctx, `SELECT coalesce(max(version), 0) FROM `+s.t.version).Scan(&have); err != nil {
		return err
	}
	ms := s.migrations()
	if have > len(ms) {
		return fmt.Errorf("schema version %d is newer than this package knows (%d)", have, len(ms))
	}
	for v := have + 1; v <= len(ms); v++ {
		if _, err := tx.Exec(ctx, ms[v-1]); err != nil {
			return fmt.Errorf("migration %d: %w", v, err)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO `+s.t.version+` (version) VALUES ($1)`, v); err != nil {
			return err
		}
	}
	return tx.Commit(ctx)
}

// Record implements inbox.Store.
func (s *Store) Record(ctx context.Context, d inbox.NewDelivery) (bool, error) {
	body := d.Body
	if body == nil {
		body = []byte{}
	}
	var inserted bool
	err := s.pool.QueryRow(ctx, `WITH ins AS (
			INSERT INTO `+s.t.deliveries+` (key, kind, session_id, body, state, next_attempt, created_at, updated_at)
			VALUES ($1, $2, $3, $4, 'pending', $5, $5, $5)
			ON CONFLICT (key) DO NOTHING RETURNING 1)
		SELECT count(*) > 0 FROM ins`, d.Key, string(d.Kind), d.SessionID, body, d.At).Scan(&inserted)
	if err != nil {
		return false, err
	}
	if inserted && s.cfg.notify {
		// Best effort: idle workers also poll.
		_, _ = s.pool.Exec(ctx, `SELECT pg_notify($1, '')`, s.t.channel)
	}
	return inserted, nil
}

const deliveryColumns = `key, kind, session_id, body, state, attempts, lease_owner, lease_expires, next_attempt, last_error, created_at, updated_at, done_at`

func scanDelivery(row pgx.Row) (*inbox.Delivery, error) {
	var (
		d             inbox.Delivery
		kind, state   string
		leaseExp, fin *time.Time
	)
	err := row.Scan(&d.Key, &kind, &d.SessionID, &d.Body, &state, &d.Attempts, &d.LeaseOwner, &leaseExp,
		&d.NextAttempt, &d.LastError, &d.CreatedAt, &d.UpdatedAt, &fin)
	if err != nil {
		return nil, err
	}
	d.Kind, d.State = veriff.WebhookKind(kind), inbox.State(state)
	if leaseExp != nil {
		d.LeaseExpires = *leaseExp
	}
	if fin != nil {
		d.DoneAt = *fin
	}
	return &d, nil
}

// Claim implements inbox.Store. A leased delivery's next_attempt is its
// lease expiry, so one index finds both due and abandoned deliveries.
func (s *Store) Claim(ctx context.Context, owner string, now time.Time, lease time.Duration) (*inbox.Delivery, error) {
	s.purge(ctx, now)
	exp := now.Add(lease)
	d, err := scanDelivery(s.pool.QueryRow(ctx, `UPDATE `+s.t.deliveries+` SET
			state = 'leased', attempts = attempts + 1, lease_owner = $1, lease_expires = $3,
			next_attempt = $3, updated_at = $2
		WHERE key = (SELECT key FROM `+s.t.deliveries+`
			WHERE state IN ('pending', 'leased') AND next_attempt <= $2
			ORDER BY next_attempt, created_at LIMIT 1 FOR UPDATE SKIP LOCKED)
		RETURNING `+deliveryColumns, owner, now, exp))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	return d, err
}

// held runs an update of a delivery leased to owner; no row means the
// lease is lost.
func (s *Store) held(ctx context.Context, set, key, owner string, args ...any) error {
	all := append([]any{key, owner}, args...)
	tag, err := s.pool.Exec(ctx, `UPDATE `+s.t.deliveries+` SET `+set+`, lease_owner = '', lease_expires = NULL
		WHERE key = $1 AND lease_owner = $2 AND state = 'leased'`, all...)
	if err != nil {
		return err
	}
	if tag.RowsAffected() == 0 {
		return inbox.ErrLeaseLost
	}
	return nil
}

// Complete implements inbox.Store.
func (s *Store) Complete(ctx context.Context, key, owner string, now time.Time) error {
	return s.held(ctx, `state = 'done', done_at = $3, updated_at = $3`, key, owner, now)
}

// Retry implements inbox.Store.
func (s *Store) Retry(ctx context.Context, key, owner string, next time.Time, lastErr string) error {
	return s.held(ctx, `state = 'pending', next_attempt = $3, last_error = $4, updated_at = now()`, key, owner, next, lastErr)
}

// Fail implements inbox.Store.
func (s *Store) Fail(ctx context.Context, key, owner string, now time.Time, lastErr string) error {
	return s.held(ctx, `state = 'failed', done_at = $3, updated_at = $3, last_error = $4`, key, owner, now, lastErr)
}

// List implements inbox.Store.
func (s *Store) List(ctx context.Context, f inbox.Filter) ([]inbox.Delivery, error) {
	limit := f.Limit
	if limit <= 0 {
		limit = 100
	}
	rows, err := s.pool.Query(ctx, `SELECT `+deliveryColumns+` FROM `+s.t.deliveries+`
		WHERE ($1 = '' OR state = $1) AND ($2 = '' OR session_id = $2)
		ORDER BY created_at, key LIMIT $3`, string(f.State), f.SessionID, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []inbox.Delivery
	for rows.Next() {
		d, err := scanDelivery(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *d)
	}
	return out, rows.Err()
}

// purge removes the bodies of deliveries done longer than the retention
// age, at most once a minute.
func (s *Store) purge(ctx context.Context, now time.Time) {
	if s.cfg.retention <= 0 {
		return
	}
	last := s.lastPurge.Load()
	if now.UnixNano()-last < int64(time.Minute) || !s.lastPurge.CompareAndSwap(last, now.UnixNano()) {
		return
	}
	_, _ = s.pool.Exec(ctx, `UPDATE `+s.t.deliveries+` SET body = NULL
		WHERE state = 'done' AND body IS NOT NULL AND done_at < $1`, now.Add(-s.cfg.retention))
}
