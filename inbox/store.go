package inbox

import (
	"context"
	"errors"
	"time"

	"github.com/veriffgo/veriff"
)

// ErrLeaseLost is returned by a Store's Complete, Retry and Fail when the
// caller no longer holds the delivery's lease: it expired and another worker
// claimed the delivery, or the delivery is no longer leased.
var ErrLeaseLost = errors.New("inbox: lease lost")

// State is where a delivery is in its life.
//
//	          Record                 Claim (due)
//	(new) ───────────▶ pending ─────────────────▶ leased ──Complete──▶ done
//	                     ▲  ▲                      │  │
//	                     │  └────────Retry─────────┘  └──Fail──▶ failed
//	                     │                         │
//	                     └─ lease expires: Claim ──┘ (another owner, same row)
//
// A delivery is recorded once per key (a second Record of the key changes
// nothing). Claim takes the oldest due delivery: pending with its next
// attempt time reached, or leased with its lease expired (its worker died
// or hung); it sets the owner and lease expiry and counts one attempt.
// Complete, Retry and Fail succeed only for the current owner of a leased
// delivery. done and failed are final and kept: failed deliveries stay
// visible (List) with their last error, never dropped.
type State string

// Delivery states.
const (
	StatePending State = "pending"
	StateLeased  State = "leased"
	StateDone    State = "done"
	StateFailed  State = "failed"
)

// Delivery is a recorded webhook delivery as a Store holds it.
type Delivery struct {
	// Key is the delivery's Webhook.DeliveryKey: unique in the store.
	Key string
	// Kind and SessionID are from the parsed webhook.
	Kind      veriff.WebhookKind
	SessionID string
	// Body is the body exactly as received (signed by Veriff), or the API
	// answer for a decision fetched by reconciliation. It holds personal
	// data. It may be nil once a retention setting removed it.
	Body []byte
	// State and Attempts: Attempts counts every claim, so every call of
	// the handler, the first included.
	State    State
	Attempts int
	// LeaseOwner and LeaseExpires are set while the delivery is leased.
	LeaseOwner   string
	LeaseExpires time.Time
	// NextAttempt is when a pending delivery becomes due.
	NextAttempt time.Time
	// LastError is the error of the last failed attempt ("" if none).
	LastError string
	// CreatedAt, UpdatedAt and DoneAt (zero until done or failed).
	CreatedAt, UpdatedAt, DoneAt time.Time
}

// NewDelivery is what Record stores.
type NewDelivery struct {
	Key       string
	Kind      veriff.WebhookKind
	SessionID string
	Body      []byte
	// At is the time of recording; the delivery is due at once.
	At time.Time
}

// Filter selects deliveries for Store.List.
type Filter struct {
	// State selects one state; "" selects all.
	State State
	// SessionID, when set, selects one session's deliveries.
	SessionID string
	// Limit bounds the result; 0 means 100.
	Limit int
}

// WatchOutcome says how a watch ended.
type WatchOutcome string

// Watch outcomes.
const (
	// WatchReconciled: a final decision arrived, by webhook or by query.
	WatchReconciled WatchOutcome = "reconciled"
	// WatchExpired: no final decision within the maximum age.
	WatchExpired WatchOutcome = "expired"
)

// Watch is a watched session as a Store holds it.
type Watch struct {
	SessionID string
	// Checks counts the decision queries made so far.
	Checks int
	// NextCheck is when the session is due for a query.
	NextCheck time.Time
	// CreatedAt is when Watch was first called for the session.
	CreatedAt time.Time
}

// Store holds deliveries and watched sessions durably for Inboxes, possibly
// in several processes at once. Every method is safe for concurrent use, and
// every state change is atomic: two workers never hold the same lease.
// Times are given by the caller, so that leases can be tested without
// waiting. See State for the state machine of a delivery.
//
// NewMemoryStore is the store for one process; package
// github.com/veriffgo/veriff/inbox/pginbox is the PostgreSQL one. The
// contract is checked by package inbox/inboxtest.
type Store interface {
	// Record stores d as pending, due at d.At, unless its key is already
	// recorded; it reports whether d was inserted.
	Record(ctx context.Context, d NewDelivery) (inserted bool, err error)
	// Claim leases the oldest due delivery to owner until now+lease and
	// counts an attempt; it returns nil (and no error) when none is due.
	Claim(ctx context.Context, owner string, now time.Time, lease time.Duration) (*Delivery, error)
	// Complete marks a leased delivery done.
	Complete(ctx context.Context, key, owner string, now time.Time) error
	// Retry makes a leased delivery pending again, due at next, with the
	// attempt's error.
	Retry(ctx context.Context, key, owner string, next time.Time, lastErr string) error
	// Fail marks a leased delivery failed for good, with its last error.
	Fail(ctx context.Context, key, owner string, now time.Time, lastErr string) error
	// List returns deliveries matching f, oldest first.
	List(ctx context.Context, f Filter) ([]Delivery, error)

	// Watch starts watching a session, due for a query at due; watching a
	// session already watched (or whose watch ended) changes nothing.
	Watch(ctx context.Context, sessionID string, now, due time.Time) error
	// ClaimWatches returns up to limit watches due at now, and pushes
	// their next check to now+lease so that other replicas skip them
	// meanwhile.
	ClaimWatches(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]Watch, error)
	// RescheduleWatch counts a query of a still-watched session and makes
	// it due again at next.
	RescheduleWatch(ctx context.Context, sessionID string, next time.Time) error
	// EndWatch ends a session's watch; ending a watch not held (or
	// already ended) is not an error.
	EndWatch(ctx context.Context, sessionID string, outcome WatchOutcome, now time.Time) error
}

// Notifier is implemented by stores that can tell idle workers, in any
// replica, that a delivery was recorded (pginbox uses LISTEN/NOTIFY). Run
// uses it when the store has it, and polls anyway.
type Notifier interface {
	// Wakeups returns a channel that receives a value, soon after, when a
	// delivery may have become due; it is closed or abandoned when ctx
	// ends.
	Wakeups(ctx context.Context) <-chan struct{}
}
