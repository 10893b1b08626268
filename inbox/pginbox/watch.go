package pginbox

import (
	"context"
	"sort"
	"time"

	"github.com/veriffgo/veriff/inbox"
)

// Watch implements inbox.Store.
func (s *Store) Watch(ctx context.Context, sessionID string, due time.Duration) error {
	_, err := s.pool.Exec(ctx, `INSERT INTO `+s.t.watches+` (session_id, next_check, created_at)
		VALUES ($1, `+after("$2")+`, now()) ON CONFLICT (session_id) DO NOTHING`, sessionID, seconds(due))
	return err
}

// ClaimWatches implements inbox.Store.
func (s *Store) ClaimWatches(ctx context.Context, lease time.Duration, limit int) ([]inbox.Watch, error) {
	if limit <= 0 {
		limit = 100
	}
	rows, err := s.pool.Query(ctx, `WITH due AS (
			SELECT session_id, next_check FROM `+s.t.watches+`
			WHERE outcome = '' AND next_check <= now()
			ORDER BY next_check LIMIT $2 FOR UPDATE SKIP LOCKED)
		UPDATE `+s.t.watches+` w SET next_check = `+after("$1")+` FROM due
		WHERE w.session_id = due.session_id
		RETURNING w.session_id, w.checks, due.next_check, w.created_at`, seconds(lease), limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []inbox.Watch
	for rows.Next() {
		var w inbox.Watch
		if err := rows.Scan(&w.SessionID, &w.Checks, &w.NextCheck, &w.CreatedAt); err != nil {
			return nil, err
		}
		out = append(out, w)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	// RETURNING has no order: oldest due first, as the contract says.
	sort.SliceStable(out, func(i, j int) bool { return out[i].NextCheck.Before(out[j].NextCheck) })
	return out, nil
}

// RescheduleWatch implements inbox.Store.
func (s *Store) RescheduleWatch(ctx context.Context, sessionID string, due time.Duration) error {
	_, err := s.pool.Exec(ctx, `UPDATE `+s.t.watches+` SET checks = checks + 1, next_check = `+after("$2")+`
		WHERE session_id = $1 AND outcome = ''`, sessionID, seconds(due))
	return err
}

// EndWatch implements inbox.Store.
func (s *Store) EndWatch(ctx context.Context, sessionID string, outcome inbox.WatchOutcome) error {
	_, err := s.pool.Exec(ctx, `UPDATE `+s.t.watches+` SET outcome = $2, ended_at = now()
		WHERE session_id = $1 AND outcome = ''`, sessionID, string(outcome))
	return err
}

// Wakeups implements inbox.Notifier with LISTEN on one pooled connection,
// held until ctx ends; a lost connection is replaced after a pause.
func (s *Store) Wakeups(ctx context.Context) <-chan struct{} {
	ch := make(chan struct{}, 1)
	if !s.cfg.notify {
		return ch
	}
	go func() {
		for ctx.Err() == nil {
			s.listen(ctx, ch)
			t := time.NewTimer(time.Second)
			select {
			case <-ctx.Done():
			case <-t.C:
			}
			t.Stop()
		}
	}()
	return ch
}

func (s *Store) listen(ctx context.Context, ch chan<- struct{}) {
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		return
	}
	defer func() {
		// The connection still listens: do not give it back.
		_ = conn.Hijack().Close(context.Background())
	}()
	if _, err := conn.Exec(ctx, `LISTEN `+quoteIdent(s.t.channel)); err != nil {
		return
	}
	for {
		if _, err := conn.Conn().WaitForNotification(ctx); err != nil {
			return
		}
		select {
		case ch <- struct{}{}:
		default:
		}
	}
}

func quoteIdent(s string) string { return `"` + s + `"` }
