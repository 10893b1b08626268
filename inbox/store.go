package inbox

import (
	"context"
	"errors"
	"time"

	"github.com/veriffgo/veriff"
)

// ErrLeaseLost is returned by a Store's Complete, Retry and Fail when the
// lease token given is not the delivery's current one: the lease expired
// and another worker (of this Inbox or another) claimed the delivery, or
// the delivery was released with another outcome.
var ErrLeaseLost = errors.New("inbox: lease lost")

// ErrNotFailed is returned by Requeue when no failed delivery has the key.
var ErrNotFailed = errors.New("inbox: no failed delivery with that key")

// State is where a delivery is in its life.
//
//	          Record                 Claim (due)
//	(new) ───────────▶ pending ─────────────────▶ leased ──Complete──▶ done
//	                   ▲  ▲  ▲                     │  │
//	                   │  │  └───────Retry─────────┘  └──Fail──▶ failed
//	                   │  │                        │                │
//	                   │  └ lease expires: Claim ──┘ (new token)    │
//	                   └──────────────────Requeue───────────────────┘
//
// A delivery is recorded once per key (a second Record of the key changes
// nothing). Claim takes the oldest due delivery: pending with its next
// attempt time reached, or leased with its lease expired (its worker died
// or hung); it sets the owner, a new lease token and the lease expiry, and
// counts one attempt. Complete, Retry and Fail succeed only with the token
// of the delivery's current lease (fencing: a worker whose lease was taken
// over cannot touch the new one), and repeating the call that already
// succeeded, with the same token, succeeds again without changing
// anything, so an outcome whose answer was lost can be sent again. done and
// failed are final and kept: failed deliveries stay visible (List, Stats)
// with their last error until Requeue.
type State string

// Delivery states.
const (
	StatePending State = "pending"
	StateLeased  State = "leased"
	StateDone    State = "done"
	StateFailed  State = "failed"
)

// Delivery is a recorded webhook delivery as a Store holds it. Its times
// are the store's clock (the database's for pginbox).
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
	// LeaseOwner names the Inbox holding the lease (for operators);
	// LeaseToken is unique to the claim, and is what Complete, Retry and
	// Fail check. LeaseExpires is when the lease ends.
	LeaseOwner   string
	LeaseToken   string
	LeaseExpires time.Time
	// NextAttempt is when a pending delivery becomes due.
	NextAttempt time.Time
	// LastError is the error of the last failed attempt ("" if none).
	LastError string
	// CreatedAt, UpdatedAt and DoneAt (zero until done or failed).
	CreatedAt, UpdatedAt, DoneAt time.Time
}

// NewDelivery is what Record stores; the store stamps the time.
type NewDelivery struct {
	Key       string
	Kind      veriff.WebhookKind
	SessionID string
	Body      []byte
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

// Stats counts a store's deliveries by state, for metrics and alerts.
type Stats struct {
	Pending, Leased, Done, Failed int64
	OldestPending                 time.Duration // age of the oldest pending delivery; 0 when none
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
// every state change is atomic: two claims never hold the same lease. The
// store's own clock decides every time (recording, due times, lease
// expiry): callers give durations, so replicas whose clocks differ agree.
// See State for the state machine of a delivery.
//
// NewMemoryStore is the store for one process; package
// github.com/veriffgo/veriff/inbox/pginbox is the PostgreSQL one. The
// contract is checked by inboxtest.RunStoreTests.
type Store interface {
	// Record stores d as pending, due at once, unless its key is already
	// recorded; it reports whether d was inserted.
	Record(ctx context.Context, d NewDelivery) (inserted bool, err error)
	// Claim leases the oldest due delivery to owner for lease, with a new
	// lease token, and counts an attempt; it returns nil (and no error)
	// when none is due.
	Claim(ctx context.Context, owner string, lease time.Duration) (*Delivery, error)
	// Complete marks the delivery leased with token done.
	Complete(ctx context.Context, key, token string) error
	// Retry makes the delivery leased with token pending again, due after
	// delay, with the attempt's error.
	Retry(ctx context.Context, key, token string, delay time.Duration, lastErr string) error
	// Fail marks the delivery leased with token failed for good, with its
	// last error.
	Fail(ctx context.Context, key, token string, lastErr string) error
	// Requeue makes a failed delivery pending again, due at once, with
	// its attempts counted from zero; ErrNotFailed when no failed
	// delivery has the key.
	Requeue(ctx context.Context, key string) error
	// List returns deliveries matching f, oldest first.
	List(ctx context.Context, f Filter) ([]Delivery, error)
	// Stats counts the deliveries by state.
	Stats(ctx context.Context) (Stats, error)

	// Watch starts watching a session, due for a query after after;
	// watching a session already watched (or whose watch ended) changes
	// nothing.
	Watch(ctx context.Context, sessionID string, after time.Duration) error
	// ClaimWatches returns up to limit due watches, oldest due first, and
	// pushes their next check lease ahead so that other replicas skip
	// them meanwhile.
	ClaimWatches(ctx context.Context, lease time.Duration, limit int) ([]Watch, error)
	// RescheduleWatch counts a query of a still-watched session and makes
	// it due again after after.
	RescheduleWatch(ctx context.Context, sessionID string, after time.Duration) error
	// EndWatch ends a session's watch; ending a watch not held (or
	// already ended) is not an error.
	EndWatch(ctx context.Context, sessionID string, outcome WatchOutcome) error
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
