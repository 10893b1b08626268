package pginbox_test

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/veriffgo/veriff"
	"github.com/veriffgo/veriff/inbox"
	"github.com/veriffgo/veriff/inbox/inboxtest"
)

// HandleTx commits a handler's writes with the done mark, once: a failed
// or panicking attempt and one that outlived its lease leave nothing.
func TestHandleTxEffectsOnce(t *testing.T) {
	for _, tc := range []struct {
		name  string
		first func(ctx context.Context) error // the first attempt, after its write
	}{
		{"succeeds", func(context.Context) error { return nil }},
		{"fails", func(context.Context) error { return errors.New("injected") }},
		{"panics", func(context.Context) error { panic("injected") }},
		{"outlives its lease", func(ctx context.Context) error {
			<-ctx.Done()
			time.Sleep(100 * time.Millisecond)
			return nil
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			schema := newSchema(t)
			pool := newPool(t)
			_, err := pool.Exec(context.Background(), `CREATE SCHEMA IF NOT EXISTS `+schema+`;
				CREATE TABLE `+schema+`.effects (key text NOT NULL, attempt integer NOT NULL)`)
			require.NoError(t, err)
			store := newStore(t, pool, schema)
			var calls atomic.Int32
			got := inboxtest.NewRecorder()
			in, err := inbox.New(store, store.HandleTx(func(ctx context.Context, tx pgx.Tx, wh *veriff.Webhook) error {
				n := calls.Add(1)
				if _, err := tx.Exec(ctx, `INSERT INTO `+schema+`.effects VALUES ($1, $2)`, wh.DeliveryKey(), n); err != nil {
					return err
				}
				if n == 1 {
					if err := tc.first(ctx); err != nil {
						return err
					}
				}
				got.Record(wh)
				return nil
			}), inbox.WithSecrets(testSecret), inbox.WithLease(400*time.Millisecond),
				inbox.WithRetry(5*time.Millisecond, 5*time.Millisecond, 5), inbox.WithPollInterval(10*time.Millisecond))
			require.NoError(t, err)
			ok, err := store.Record(context.Background(), inbox.NewDelivery{Key: "tx-key", Kind: veriff.WebhookEvent, SessionID: "s", Body: eventBody("tx", 1)})
			require.NoError(t, err)
			require.True(t, ok)
			stop := inboxtest.Run(t, in)
			want := 1
			if tc.name != "succeeds" {
				want = 2
			}
			require.Eventually(t, func() bool {
				ds, err := store.List(context.Background(), inbox.Filter{State: inbox.StateDone})
				return err == nil && len(ds) == 1 && int(calls.Load()) >= want
			}, 20*time.Second, 10*time.Millisecond)
			stop()
			var rows, attempt int
			require.NoError(t, pool.QueryRow(context.Background(), `SELECT count(*), max(attempt) FROM `+schema+`.effects`).Scan(&rows, &attempt))
			assert.Equal(t, 1, rows, "the effect, once")
			assert.Equal(t, want, attempt, "from the attempt that marked the delivery done")
		})
	}
}

// HandleTx calls fn only while the attempt's lease is current: once the
// lease has expired in the database, or a sibling has claimed the delivery
// since, it returns inbox.ErrLeaseLost and fn is not called. (The handler
// drops its context's cancellation to reach HandleTx's own check.)
func TestHandleTxLeaseLost(t *testing.T) {
	for _, takenOver := range []bool{false, true} {
		t.Run(fmt.Sprintf("taken over %t", takenOver), func(t *testing.T) {
			store := newStore(t, newPool(t), newSchema(t))
			var calls atomic.Int32
			htx := store.HandleTx(func(context.Context, pgx.Tx, *veriff.Webhook) error {
				calls.Add(1)
				return nil
			})
			var attempts atomic.Int32
			result := make(chan error, 1)
			in, err := inbox.New(store, func(ctx context.Context, wh *veriff.Webhook) error {
				if attempts.Add(1) > 1 {
					return nil
				}
				<-ctx.Done()                       // the lease ends on this clock,
				time.Sleep(100 * time.Millisecond) // and then in the database's
				if takenOver {
					d, err := store.Claim(context.Background(), "sibling", time.Minute)
					if !assert.NoError(t, err) || !assert.NotNil(t, d, "the sibling claims the expired lease") {
						result <- err
						return err
					}
				}
				err := htx(context.WithoutCancel(ctx), wh)
				result <- err
				return err
			}, inbox.WithSecrets(testSecret), inbox.WithWorkers(1), inbox.WithLease(300*time.Millisecond),
				inbox.WithRetry(5*time.Millisecond, 5*time.Millisecond, 5), inbox.WithPollInterval(10*time.Millisecond))
			require.NoError(t, err)
			ok, err := store.Record(context.Background(), inbox.NewDelivery{Key: "lost-key", Kind: veriff.WebhookEvent, SessionID: "s", Body: eventBody("lost", 1)})
			require.NoError(t, err)
			require.True(t, ok)
			stop := inboxtest.Run(t, in)
			select {
			case err := <-result:
				require.ErrorIs(t, err, inbox.ErrLeaseLost)
			case <-time.After(20 * time.Second):
				t.Fatal("the first attempt did not reach HandleTx")
			}
			stop()
			assert.Zero(t, calls.Load(), "fn never runs without the lease")
			ds, err := store.List(context.Background(), inbox.Filter{})
			require.NoError(t, err)
			require.Len(t, ds, 1)
			if takenOver {
				assert.Equal(t, inbox.StateLeased, ds[0].State, "the sibling's lease is untouched")
				assert.Equal(t, "sibling", ds[0].LeaseOwner)
			} else {
				assert.NotEqual(t, inbox.StateDone, ds[0].State, "no done mark from the expired attempt")
			}
		})
	}
}

// Outside Run (no lease in the context) HandleTx refuses to run.
func TestHandleTxNeedsALease(t *testing.T) {
	store := newStore(t, newPool(t), newSchema(t))
	h := store.HandleTx(func(context.Context, pgx.Tx, *veriff.Webhook) error { return nil })
	wh, err := veriff.ParseWebhook(eventBody("x", 1))
	require.NoError(t, err)
	assert.Error(t, h(context.Background(), wh))
}
