package pginbox

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/veriffgo/veriff"
	"github.com/veriffgo/veriff/inbox"
)

// after is SQL for now() plus a duration given in seconds (float8).
func after(param string) string { return `(now() + ` + param + `::float8 * interval '1 second')` }

func seconds(d time.Duration) float64 { return d.Seconds() }

// Record implements inbox.Store. Its NOTIFY is a statement of its own: in
// the insert's transaction it would hold PostgreSQL's notify lock across
// the commit's WAL flush, serializing every recording.
func (s *Store) Record(ctx context.Context, d inbox.NewDelivery) (bool, error) {
	body := d.Body
	if body == nil {
		body = []byte{}
	}
	var inserted bool
	err := s.pool.QueryRow(ctx, `WITH ins AS (
			INSERT INTO `+s.t.deliveries+` (key, kind, session_id, body, state, next_attempt, created_at, updated_at)
			VALUES ($1, $2, $3, $4, 'pending', now(), now(), now())
			ON CONFLICT (key) DO NOTHING RETURNING 1)
		SELECT count(*) > 0 FROM ins`, d.Key, string(d.Kind), d.SessionID, body).Scan(&inserted)
	if err != nil {
		return false, err
	}
	if inserted {
		s.notify(ctx)
	}
	return inserted, nil
}

// notify wakes idle workers in every replica; best effort, since they also
// poll.
func (s *Store) notify(ctx context.Context) {
	if s.cfg.notify {
		_, _ = s.pool.Exec(ctx, `SELECT pg_notify($1, '')`, s.t.channel)
	}
}

const deliveryColumns = `key, kind, session_id, body, state, attempts, lease_owner, lease_token, lease_expires, next_attempt, last_error, created_at, updated_at, done_at`

func scanDelivery(row pgx.Row) (*inbox.Delivery, error) {
	var (
		d             inbox.Delivery
		kind, state   string
		leaseExp, fin *time.Time
	)
	err := row.Scan(&d.Key, &kind, &d.SessionID, &d.Body, &state, &d.Attempts, &d.LeaseOwner, &d.LeaseToken, &leaseExp,
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

func newToken() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// Claim implements inbox.Store. A leased delivery's next_attempt is its
// lease expiry, so one index finds both due and abandoned deliveries.
func (s *Store) Claim(ctx context.Context, owner string, lease time.Duration) (*inbox.Delivery, error) {
	s.purge(ctx)
	// The claim commits without waiting for its WAL flush
	// (synchronous_commit off, for this transaction only): a claim lost in
	// a database crash only means the delivery is claimed again, and its
	// token, now unknown, fences the worker that held it; any later commit
	// (the done mark) flushes the claim with it.
	d, err := scanDelivery(s.pool.QueryRow(ctx, `WITH async AS (SELECT set_config('synchronous_commit', 'off', true))
		UPDATE `+s.t.deliveries+` SET
			state = 'leased', attempts = attempts + 1, lease_owner = $1, lease_token = $2,
			lease_expires = `+after("$3")+`, next_attempt = `+after("$3")+`, updated_at = now()
		WHERE key = (SELECT key FROM `+s.t.deliveries+`
			WHERE state IN ('pending', 'leased') AND next_attempt <= now()
			ORDER BY next_attempt, created_at LIMIT 1 FOR UPDATE SKIP LOCKED)
			AND EXISTS (SELECT 1 FROM async)
		RETURNING `+deliveryColumns, owner, newToken(), seconds(lease)))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	return d, err
}

// release ends the lease with token of the delivery key, setting it to
// state (and set, whose parameters start at $4). No row leased with that
// token means the lease is lost, unless the delivery is already in state
// with that token: the same outcome, recorded before.
func (s *Store) release(ctx context.Context, key, token string, state inbox.State, set string, args ...any) error {
	if token == "" {
		return inbox.ErrLeaseLost
	}
	all := append([]any{key, token, string(state)}, args...)
	tag, err := s.pool.Exec(ctx, s.endLeaseSQL(set, ""), all...)
	if err != nil {
		return err
	}
	if tag.RowsAffected() == 1 {
		return nil
	}
	var same bool
	err = s.pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM `+s.t.deliveries+`
		WHERE key = $1 AND lease_token = $2 AND state = $3)`, key, token, string(state)).Scan(&same)
	if err != nil {
		return err
	}
	if !same {
		return inbox.ErrLeaseLost
	}
	return nil
}

// endLeaseSQL is the UPDATE that ends the lease with token $2 of the
// delivery $1, setting it to state $3 and set (whose parameters start at
// $4); cond narrows its WHERE further. Complete, Retry, Fail and HandleTx's
// done mark all end a lease through it.
func (s *Store) endLeaseSQL(set, cond string) string {
	return `UPDATE ` + s.t.deliveries + ` SET state = $3, ` + set + `,
			lease_owner = '', lease_expires = NULL, updated_at = now()
		WHERE key = $1 AND lease_token = $2 AND state = 'leased'` + cond
}

// doneSet is what marking a delivery done sets besides its state.
const doneSet = `done_at = now()`

// Complete implements inbox.Store.
func (s *Store) Complete(ctx context.Context, key, token string) error {
	return s.release(ctx, key, token, inbox.StateDone, doneSet)
}

// Retry implements inbox.Store.
func (s *Store) Retry(ctx context.Context, key, token string, delay time.Duration, lastErr string) error {
	return s.release(ctx, key, token, inbox.StatePending, `next_attempt = `+after("$4")+`, last_error = $5`, seconds(delay), lastErr)
}

// Fail implements inbox.Store.
func (s *Store) Fail(ctx context.Context, key, token, lastErr string) error {
	return s.release(ctx, key, token, inbox.StateFailed, `done_at = now(), last_error = $4`, lastErr)
}

// Requeue implements inbox.Store.
func (s *Store) Requeue(ctx context.Context, key string) error {
	tag, err := s.pool.Exec(ctx, `UPDATE `+s.t.deliveries+` SET state = 'pending', attempts = 0, lease_token = '',
			next_attempt = now(), done_at = NULL, updated_at = now()
		WHERE key = $1 AND state = 'failed'`, key)
	if err != nil {
		return err
	}
	if tag.RowsAffected() == 0 {
		return inbox.ErrNotFailed
	}
	s.notify(ctx)
	return nil
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

// Stats implements inbox.Store with one query (it counts every row: call
// it every few seconds, not per request).
func (s *Store) Stats(ctx context.Context) (inbox.Stats, error) {
	var st inbox.Stats
	var oldest float64
	err := s.pool.QueryRow(ctx, `SELECT
			count(*) FILTER (WHERE state = 'pending'), count(*) FILTER (WHERE state = 'leased'),
			count(*) FILTER (WHERE state = 'done'), count(*) FILTER (WHERE state = 'failed'),
			coalesce(extract(epoch FROM now() - min(created_at) FILTER (WHERE state = 'pending')), 0)::float8
		FROM `+s.t.deliveries).Scan(&st.Pending, &st.Leased, &st.Done, &st.Failed, &oldest)
	st.OldestPending = time.Duration(oldest * float64(time.Second))
	return st, err
}

// purge removes the bodies of deliveries done longer than the retention
// age, at most once a minute per Store.
func (s *Store) purge(ctx context.Context) {
	if s.cfg.retention <= 0 {
		return
	}
	now := time.Now().UnixNano()
	last := s.lastPurge.Load()
	if now-last < int64(time.Minute) || !s.lastPurge.CompareAndSwap(last, now) {
		return
	}
	_, _ = s.pool.Exec(ctx, `UPDATE `+s.t.deliveries+` SET body = NULL
		WHERE state = 'done' AND body IS NOT NULL AND done_at < now() - $1::float8 * interval '1 second'`, seconds(s.cfg.retention))
}
