package inbox

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/veriffgo/veriff"
)

// Run processes recorded deliveries until ctx ends: WithWorkers workers
// claim due deliveries with a lease (WithLease), call the handler and mark
// them done; a failed or panicking handler is retried with backoff and
// jitter (WithRetry), then marked failed and kept. Each key is handled to
// success once across every Inbox sharing the store, as long as handlers
// finish within their lease; a worker that dies mid-handler loses its lease
// and another worker, here or in another replica, takes the delivery over
// when it expires. With WithClient, Run also reconciles watched sessions
// (see Watch).
//
// When ctx ends, Run stops claiming and returns ctx's error only once every
// in-flight handler has returned and its outcome was recorded, or once the
// shutdown grace (WithShutdownGrace) has passed: then the handlers'
// contexts end and Run returns without waiting further. A delivery whose
// outcome was not recorded stays leased until its lease ends, and is then
// handled again.
func (in *Inbox) Run(ctx context.Context) error {
	if ctx == nil {
		return bad("ctx", "nil context")
	}
	// Handlers and their outcomes outlive ctx by the grace at most.
	hctx, hcancel := context.WithCancel(context.WithoutCancel(ctx))
	defer hcancel()
	var notified <-chan struct{}
	if n, ok := in.store.(Notifier); ok {
		notified = n.Wakeups(ctx)
	}
	var wg sync.WaitGroup
	for i := 0; i < in.cfg.workers; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			in.work(ctx, hctx, notified)
		}()
	}
	if in.cfg.client != nil {
		wg.Add(1)
		go func() {
			defer wg.Done()
			in.reconcileLoop(ctx)
		}()
	}
	<-ctx.Done()
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	grace := time.NewTimer(in.cfg.grace)
	defer grace.Stop()
	select {
	case <-done:
	case <-grace.C:
		hcancel() // the handlers' contexts end; Run does not wait for them
	}
	return ctx.Err()
}

// work is one worker: claim, handle, repeat; idle, it waits for a wakeup or
// the poll interval.
func (in *Inbox) work(ctx, hctx context.Context, notified <-chan struct{}) {
	repeat(ctx, in.wake, notified, func() time.Duration {
		// The lease is measured from before the claim, on this clock: the
		// handler's deadline is never later than the store's expiry.
		deadline := time.Now().Add(in.cfg.lease)
		d, err := in.store.Claim(ctx, in.owner, in.cfg.lease)
		if err != nil && ctx.Err() == nil {
			in.cfg.logger.LogAttrs(ctx, slog.LevelError, "veriff inbox: claim failed", slog.String("error", err.Error()))
		}
		if d == nil {
			return in.cfg.poll
		}
		in.process(hctx, d, deadline)
		return 0
	})
}

// repeat runs step until ctx ends. When step returns a pause it waits
// about that long (see jitter), or until wake or notified (either may be
// nil) delivers; when it returns 0 it runs again at once.
func repeat(ctx context.Context, wake, notified <-chan struct{}, step func() time.Duration) {
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	for ctx.Err() == nil {
		pause := step()
		if pause <= 0 {
			continue
		}
		timer.Reset(jitter(pause))
		select {
		case <-ctx.Done():
		case <-wake:
		case <-notified:
		case <-timer.C:
		}
		if !timer.Stop() {
			select {
			case <-timer.C:
			default:
			}
		}
	}
}

// Lease is a claimed delivery's lease, as a handler's context carries it
// (LeaseFromContext): stores that commit a handler's effects together with
// the done mark (pginbox.Store.HandleTx) check it. When the lease ends on
// this process's clock is the context's Deadline.
type Lease struct {
	// Key is the delivery's key; Token the claim's lease token.
	Key, Token string
}

type leaseKey struct{}

// LeaseFromContext returns the lease of the delivery whose handler was
// given ctx; false outside a handler called by Run.
func LeaseFromContext(ctx context.Context) (Lease, bool) {
	l, ok := ctx.Value(leaseKey{}).(Lease)
	return l, ok
}

// process handles one claimed delivery and records the outcome.
func (in *Inbox) process(hctx context.Context, d *Delivery, deadline time.Time) {
	if d.Attempts > in.cfg.maxAttempts {
		// The last allowed attempt lost its lease (its worker died).
		in.finish(hctx, d, deadline, errors.New("inbox: lease expired during the last attempt"))
		return
	}
	wh, err := veriff.ParseWebhook(d.Body)
	if err != nil {
		in.finish(hctx, d, deadline, errPermanent{err})
		return
	}
	ctx, cancel := context.WithDeadline(hctx, deadline)
	ctx = context.WithValue(ctx, leaseKey{}, Lease{Key: d.Key, Token: d.LeaseToken})
	err = in.call(ctx, wh)
	cancel()
	in.finish(hctx, d, deadline, err)
}

// errPermanent is a handler outcome that is not retried.
type errPermanent struct{ error }

// call runs the handler, turning a panic into an error.
func (in *Inbox) call(ctx context.Context, wh *veriff.Webhook) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("inbox: handler panicked: %v", p)
		}
	}()
	return in.handle(ctx, wh)
}

// finish records d's outcome (done, due for a retry, or failed) with its
// lease token. A store error other than ErrLeaseLost (the database
// unreachable, a connection cut) is tried again with backoff until the
// lease's deadline (each call bounded by storeTimeout, the first one made
// even when the deadline passed); a call in flight when Run returns after
// its shutdown grace is cancelled.
func (in *Inbox) finish(hctx context.Context, d *Delivery, deadline time.Time, herr error) {
	var perm errPermanent
	var outcome func(ctx context.Context) error
	what := "outcome not recorded"
	switch {
	case herr == nil:
		outcome = func(ctx context.Context) error { return in.store.Complete(ctx, d.Key, d.LeaseToken) }
	case errors.As(herr, &perm) || d.Attempts >= in.cfg.maxAttempts:
		in.logAttempt(hctx, d, herr)
		what = "failure not recorded"
		outcome = func(ctx context.Context) error { return in.store.Fail(ctx, d.Key, d.LeaseToken, errorText(herr)) }
	default:
		in.logAttempt(hctx, d, herr)
		delay := backoff(in.cfg.retryMin, in.cfg.retryMax, d.Attempts)
		outcome = func(ctx context.Context) error {
			return in.store.Retry(ctx, d.Key, d.LeaseToken, delay, errorText(herr))
		}
	}
	if err := persist(hctx, deadline, outcome); err != nil {
		in.cfg.logger.LogAttrs(hctx, slog.LevelError, "veriff inbox: "+what,
			slog.String("kind", string(d.Kind)), slog.String("session_id", d.SessionID), slog.String("error", err.Error()))
	}
}

// storeTimeout bounds one store call recording an outcome.
const storeTimeout = 5 * time.Second

// Backoff between two tries of an outcome the store failed to record.
const (
	persistMin = 50 * time.Millisecond
	persistMax = 2 * time.Second
)

// persist calls op until it succeeds, returns ErrLeaseLost, ctx ends, or
// deadline has passed; it returns the last error. Once ctx has ended (Run
// gave up waiting after its grace) it starts no call: the delivery stays
// leased, and is handled again when the lease ends.
func persist(ctx context.Context, deadline time.Time, op func(ctx context.Context) error) error {
	for attempt := 1; ; attempt++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		octx, cancel := context.WithTimeout(ctx, storeTimeout)
		err := op(octx)
		cancel()
		if err == nil || errors.Is(err, ErrLeaseLost) || ctx.Err() != nil {
			return err
		}
		wait := backoff(persistMin, persistMax, attempt)
		if time.Until(deadline) < wait {
			return err
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return err
		case <-t.C:
		}
	}
}

func (in *Inbox) logAttempt(ctx context.Context, d *Delivery, err error) {
	in.cfg.logger.LogAttrs(ctx, slog.LevelWarn, "veriff inbox: handler failed",
		slog.String("kind", string(d.Kind)), slog.String("session_id", d.SessionID),
		slog.Int("attempt", d.Attempts), slog.String("error", errorText(err)))
}

// MaxErrorBytes bounds the text of a handler's error (or panic) that is
// stored as a delivery's LastError and logged.
const MaxErrorBytes = 512

// errorText is err's text as stored and logged: valid UTF-8 (invalid bytes
// replaced), cut to at most MaxErrorBytes bytes on a rune boundary.
func errorText(err error) string {
	s := strings.ToValidUTF8(err.Error(), "\uFFFD")
	if len(s) <= MaxErrorBytes {
		return s
	}
	cut := MaxErrorBytes
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut]
}

// backoff is the wait after the given failed attempt: min doubled per
// attempt up to max, then jittered.
func backoff(min, max time.Duration, attempt int) time.Duration {
	d := min
	for i := 1; i < attempt && d < max; i++ {
		d *= 2
	}
	if d > max {
		d = max
	}
	return jitter(d)
}

// jitter returns a duration in [d/2, d].
func jitter(d time.Duration) time.Duration {
	if d <= 1 {
		return d
	}
	return d/2 + rand.N(d/2+1)
}
