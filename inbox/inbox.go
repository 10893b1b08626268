package inbox

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/veriffgo/veriff"
)

// HandleFunc processes one delivery. A nil error marks it done; an error
// (or a panic) counts as a failed attempt, retried with backoff. ctx ends
// when the delivery's lease runs out or when Run's shutdown grace is over.
//
// The text of a returned error or of a panic's value is stored as the
// delivery's LastError (in a database column with a persistent Store) and
// logged, cut to MaxErrorBytes: it must carry no personal data (names,
// dates of birth, document numbers) and no credentials.
type HandleFunc func(ctx context.Context, wh *veriff.Webhook) error

// Inbox receives Veriff's webhooks into a Store (ServeHTTP) and processes
// them (Run). Several Inboxes, in one process or in several replicas, may
// share one store. An Inbox is safe for concurrent use.
type Inbox struct {
	store  Store
	handle HandleFunc
	cfg    config
	owner  string        // this Inbox's lease owner ID
	wake   chan struct{} // wakes idle local workers
	hook   *veriff.WebhookHandler
}

type config struct {
	secrets        []string
	apiKey         string
	client         *veriff.Client
	workers        int
	retryMin       time.Duration
	retryMax       time.Duration
	maxAttempts    int
	lease          time.Duration
	reconcileAfter time.Duration
	reconcileMax   time.Duration
	poll           time.Duration
	grace          time.Duration
	maxBody        int64
	logger         *slog.Logger
}

// Option configures an Inbox. A nil Option is ignored; a non-nil one with a
// bad argument makes New fail with veriff.ErrInvalidInput.
type Option func(*config) error

// Defaults of the options.
const (
	DefaultWorkers        = 4
	DefaultRetryMin       = time.Second
	DefaultRetryMax       = 5 * time.Minute
	DefaultMaxAttempts    = 10
	DefaultLease          = 30 * time.Second
	DefaultReconcileAfter = 30 * time.Minute
	DefaultReconcileMax   = 7 * 24 * time.Hour
	DefaultPollInterval   = 500 * time.Millisecond
	DefaultShutdownGrace  = 10 * time.Second
)

func bad(name, format string, args ...any) error {
	return fmt.Errorf("inbox: %s: %s: %w", name, fmt.Sprintf(format, args...), veriff.ErrInvalidInput)
}

// checked is an Option that sets the field of c that field returns to v,
// or refuses v, when valid says no, as an invalid value of option name
// (format has one verb, for v).
func checked[T any](name string, v T, valid func(T) bool, format string, field func(*config) *T) Option {
	return func(c *config) error {
		if !valid(v) {
			return bad(name, format, v)
		}
		*field(c) = v
		return nil
	}
}

// positive is checked for a value that must be above zero.
func positive[T time.Duration | int64](name, what string, v T, field func(*config) *T) Option {
	return checked(name, v, func(v T) bool { return v > 0 }, what+" must be positive, got %v", field)
}

// WithSecrets sets the shared secrets webhooks are verified with (required):
// every live one while they are rotated.
func WithSecrets(secrets ...string) Option {
	return func(c *config) error {
		for _, s := range secrets {
			if strings.TrimSpace(s) == "" {
				return bad("WithSecrets", "empty or blank secret")
			}
			c.secrets = append(c.secrets, s)
		}
		return nil
	}
}

// WithAPIKey makes ServeHTTP require the integration's API key in the
// X-AUTH-CLIENT (or VRF-AUTH-CLIENT) header, compared in constant time.
func WithAPIKey(key string) Option {
	return func(c *config) error { c.apiKey = key; return nil }
}

// WithClient sets the client reconciliation queries decisions with; Watch
// needs it.
func WithClient(cl *veriff.Client) Option {
	return func(c *config) error { c.client = cl; return nil }
}

// WithWorkers sets how many deliveries Run handles at once (default 4).
func WithWorkers(n int) Option {
	return checked("WithWorkers", n, func(n int) bool { return n >= 1 }, "need at least one worker, got %d",
		func(c *config) *int { return &c.workers })
}

// WithRetry sets the backoff of a failed Handle: the first retry waits about
// min, each next one twice as long up to max, with jitter; after maxAttempts
// calls (the first included) the delivery is marked failed and kept.
// Defaults: 1s, 5m, 10.
func WithRetry(min, max time.Duration, maxAttempts int) Option {
	return func(c *config) error {
		if min <= 0 || max < min {
			return bad("WithRetry", "need 0 < min <= max, got %s and %s", min, max)
		}
		if maxAttempts < 1 {
			return bad("WithRetry", "need at least one attempt, got %d", maxAttempts)
		}
		c.retryMin, c.retryMax, c.maxAttempts = min, max, maxAttempts
		return nil
	}
}

// WithLease sets how long a claimed delivery is a worker's before another
// worker may take it over (default 30s). Handle's context ends with the
// lease: keep handlers well within it.
func WithLease(d time.Duration) Option {
	return positive("WithLease", "lease", d, func(c *config) *time.Duration { return &c.lease })
}

// WithReconcileAfter sets how long a watched session may go without a
// decision webhook before Run queries its decision (default 30m).
func WithReconcileAfter(d time.Duration) Option {
	return positive("WithReconcileAfter", "window", d, func(c *config) *time.Duration { return &c.reconcileAfter })
}

// WithReconcileMaxAge sets how long after Watch a session without a final
// decision is still queried (default 7 days, Veriff's session lifetime).
func WithReconcileMaxAge(d time.Duration) Option {
	return positive("WithReconcileMaxAge", "age", d, func(c *config) *time.Duration { return &c.reconcileMax })
}

// WithPollInterval sets how often idle workers look for due deliveries
// (default 500ms); ServeHTTP and stores with a Notifier wake them sooner.
func WithPollInterval(d time.Duration) Option {
	return positive("WithPollInterval", "interval", d, func(c *config) *time.Duration { return &c.poll })
}

// WithShutdownGrace bounds how long Run waits, once its context ends, for
// in-flight handlers and their outcomes (default 10s); after it their
// contexts end and Run returns.
func WithShutdownGrace(d time.Duration) Option {
	return checked("WithShutdownGrace", d, func(d time.Duration) bool { return d >= 0 }, "negative grace %s",
		func(c *config) *time.Duration { return &c.grace })
}

// WithMaxBodyBytes bounds a webhook body (default
// veriff.DefaultWebhookMaxBodyBytes, 1 MiB).
func WithMaxBodyBytes(n int64) Option {
	return positive("WithMaxBodyBytes", "limit", n, func(c *config) *int64 { return &c.maxBody })
}

// WithLogger receives one line per refused delivery, failed attempt or
// store failure (status, kind, session ID, reason); never bodies, secrets or
// signatures.
func WithLogger(l *slog.Logger) Option {
	return func(c *config) error { c.logger = l; return nil }
}

// New returns an Inbox recording into store and processing with handle.
// WithSecrets is required.
func New(store Store, handle HandleFunc, opts ...Option) (*Inbox, error) {
	if store == nil {
		return nil, bad("store", "nil store")
	}
	if handle == nil {
		return nil, bad("handle", "nil handler")
	}
	cfg := config{
		workers: DefaultWorkers, retryMin: DefaultRetryMin, retryMax: DefaultRetryMax,
		maxAttempts: DefaultMaxAttempts, lease: DefaultLease, reconcileAfter: DefaultReconcileAfter,
		reconcileMax: DefaultReconcileMax, poll: DefaultPollInterval, grace: DefaultShutdownGrace,
		maxBody: veriff.DefaultWebhookMaxBodyBytes,
	}
	for _, o := range opts {
		if o == nil {
			continue
		}
		if err := o(&cfg); err != nil {
			return nil, err
		}
	}
	if len(cfg.secrets) == 0 {
		return nil, bad("WithSecrets", "no shared secret: nothing would ever verify")
	}
	if cfg.logger == nil {
		cfg.logger = slog.New(discardHandler{})
	}
	var id [8]byte
	_, _ = rand.Read(id[:])
	in := &Inbox{
		store: store, handle: handle, cfg: cfg,
		owner: "inbox-" + hex.EncodeToString(id[:]),
		wake:  make(chan struct{}, cfg.workers),
	}
	// Receiving is WebhookHandler's: the same checks, statuses and bounded
	// read; recording is its Handle, and a store failure answers 503.
	in.hook = &veriff.WebhookHandler{
		Secrets: cfg.secrets, APIKey: cfg.apiKey, MaxBodyBytes: cfg.maxBody, Logger: cfg.logger,
		Handle: in.record, FailureStatus: http.StatusServiceUnavailable,
	}
	return in, nil
}

// ServeHTTP receives a webhook. It answers 405 (Allow: POST) to any method
// but POST; 401 when WithAPIKey is set and X-AUTH-CLIENT differs; 413 above
// the body limit; 401 when the signature is missing or wrong (checked
// before parsing); 400 when the verified body is not a well-formed webhook;
// 503 when the store fails, so that Veriff sends it again; and 200 once the
// delivery is recorded under its DeliveryKey (a duplicate is answered 200
// and recorded once). A decision webhook also ends the watch of its session.
func (in *Inbox) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	in.hook.ServeHTTP(w, r)
}

// record stores a verified, parsed delivery, wakes a local worker when it
// is new, and ends the watch of a session whose final decision it is.
func (in *Inbox) record(ctx context.Context, wh *veriff.Webhook) error {
	inserted, err := in.store.Record(ctx, NewDelivery{
		Key: wh.DeliveryKey(), Kind: wh.Kind, SessionID: wh.SessionID(), Body: wh.Raw,
	})
	if err != nil {
		return err
	}
	if inserted {
		select {
		case in.wake <- struct{}{}:
		default:
		}
	}
	if isFinalDecision(wh) {
		// Best effort: a watch left open only costs one more query,
		// whose answer is then a duplicate.
		if err := in.store.EndWatch(ctx, wh.SessionID(), WatchReconciled); err != nil {
			in.cfg.logger.LogAttrs(ctx, slog.LevelWarn, "veriff inbox: watch not ended",
				slog.String("session_id", wh.SessionID()), slog.String("error", err.Error()))
		}
	}
	return nil
}

// Stats counts the store's deliveries by state (shared by every Inbox on
// the store), with the age of the oldest pending one: export them as
// metrics, and alert on Failed above zero and on OldestPending.
func (in *Inbox) Stats(ctx context.Context) (Stats, error) {
	return in.store.Stats(ctx)
}

// Requeue makes a failed delivery pending again, with its attempts counted
// from zero, so that Run handles it again (once its cause is fixed); it
// returns ErrNotFailed when no failed delivery has the key.
func (in *Inbox) Requeue(ctx context.Context, key string) error {
	if key == "" {
		return bad("Requeue", "empty key")
	}
	if err := in.store.Requeue(ctx, key); err != nil {
		return err
	}
	select {
	case in.wake <- struct{}{}:
	default:
	}
	return nil
}

func isFinalDecision(wh *veriff.Webhook) bool {
	return wh.Kind == veriff.WebhookDecision && wh.Decision != nil &&
		wh.Decision.Verification != nil && wh.Decision.Verification.Status.IsFinal()
}

// discardHandler is a slog.Handler that drops everything (slog.DiscardHandler
// needs Go 1.24).
type discardHandler struct{}

func (discardHandler) Enabled(context.Context, slog.Level) bool  { return false }
func (discardHandler) Handle(context.Context, slog.Record) error { return nil }
func (d discardHandler) WithAttrs([]slog.Attr) slog.Handler      { return d }
func (d discardHandler) WithGroup(string) slog.Handler           { return d }
