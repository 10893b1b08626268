package pginbox

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/veriffgo/veriff"
	"github.com/veriffgo/veriff/inbox"
)

// HandleTx runs fn inside the transaction that marks the delivery done: what fn writes through tx
// commits only together with that mark, and only while this attempt still holds the lease.
//
// The transaction first marks the delivery done where its lease token is
// this attempt's and its lease has not expired (database clock); that row
// stays locked until the commit, so no other worker can take the delivery
// over meanwhile. When the lease is lost, fn is not called and the attempt
// fails with inbox.ErrLeaseLost. When fn returns an error or panics, or
// the commit fails, everything rolls back (fn's writes and the mark) and
// the delivery is retried like any failed attempt. So fn's effects through
// tx happen exactly once per delivery key, across replicas, crashes,
// database restarts and handlers outliving their lease; effects outside
// the database (e-mails, calls) still need their own idempotency.
//
// fn must use ctx (it ends with the lease) and tx only; the returned
// HandleFunc must be given to an inbox.Inbox on this Store.
func (s *Store) HandleTx(fn func(ctx context.Context, tx pgx.Tx, wh *veriff.Webhook) error) inbox.HandleFunc {
	return func(ctx context.Context, wh *veriff.Webhook) error {
		lease, ok := inbox.LeaseFromContext(ctx)
		if !ok {
			return errors.New("pginbox: HandleTx: called outside Inbox.Run (no lease in the context)")
		}
		tx, err := s.pool.Begin(ctx)
		if err != nil {
			return fmt.Errorf("pginbox: HandleTx: %w", err)
		}
		defer func() { _ = tx.Rollback(context.WithoutCancel(ctx)) }()
		tag, err := tx.Exec(ctx, s.endLeaseSQL(doneSet, ` AND lease_expires > now()`),
			lease.Key, lease.Token, string(inbox.StateDone))
		if err != nil {
			return fmt.Errorf("pginbox: HandleTx: %w", err)
		}
		if tag.RowsAffected() == 0 {
			return inbox.ErrLeaseLost
		}
		if err := fn(ctx, tx, wh); err != nil {
			return err
		}
		return tx.Commit(ctx)
	}
}
