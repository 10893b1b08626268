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

// storeTimeout bounds a store call made after Run's context ended (marking
// the last deliveries done).
const storeTimeout = 5 * time.Second

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
// When ctx ends, Run stops claiming, waits for in-flight handlers for at
// most the shutdown grace (WithShutdownGrace), then cancels their context,
// and returns ctx's error once they have returned.
func (in *Inbox) Run(ctx context.Context) error {
	if ctx == nil {
		return bad("ctx", "nil context")
	}
	// Handlers outlive ctx by the grace at most.
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
		hcancel()
		<-done
	}
	return ctx.Err()
}

// work is one worker: claim, handle, repeat; idle, it waits for a wakeup or
// the poll interval.
func (in *Inbox) work(ctx, hctx context.Context, notified <-chan struct{}) {
	repeat(ctx, in.wake, notified, func() time.Duration {
		d, err := in.store.Claim(ctx, in.owner, time.Now(), in.cfg.lease)
		if err != nil && ctx.Err() == nil {
			in.cfg.logger.LogAttrs(ctx, slog.LevelError, "veriff inbox: claim failed", slog.String("error", err.Error()))
		}
		if d == nil {
			return in.cfg.poll
		}
		in.process(hctx, d)
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

// process handles one claimed delivery and records the outcome.
func (in *Inbox) process(hctx context.Context, d *Delivery) {
	if d.Attempts > in.cfg.maxAttempts {
		// The last allowed attempt lost its lease (its worker died).
		in.finish(hctx, d, errors.New("inbox: lease expired during the last attempt"))
		return
	}
	wh, err := veriff.ParseWebhook(d.Body)
	if err != nil {
		in.failFor(hctx, d, err)
		return
	}
	ctx, cancel := context.WithDeadline(hctx, d.LeaseExpires)
	err = in.call(ctx, wh)
	cancel()
	in.finish(hctx, d, err)
}

// call runs the handler, turning a panic into an error.
func (in *Inbox) call(ctx context.Context, wh *veriff.Webhook) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("inbox: handler panicked: %v", p)
		}
	}()
	return in.handle(ctx, wh)
}

// finish marks d done, due for a retry, or failed.
func (in *Inbox) finish(hctx context.Context, d *Delivery, herr error) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(hctx), storeTimeout)
	defer cancel()
	now := time.Now()
	var err error
	switch {
	case herr == nil:
		err = in.store.Complete(ctx, d.Key, in.owner, now)
	case d.Attempts >= in.cfg.maxAttempts:
		in.failFor(ctx, d, herr)
		return
	default:
		in.logAttempt(ctx, d, herr)
		err = in.store.Retry(ctx, d.Key, in.owner, now.Add(backoff(in.cfg.retryMin, in.cfg.retryMax, d.Attempts)), errorText(herr))
	}
	if err != nil {
		in.cfg.logger.LogAttrs(ctx, slog.LevelError, "veriff inbox: outcome not recorded",
			slog.String("kind", string(d.Kind)), slog.String("session_id", d.SessionID), slog.String("error", err.Error()))
	}
}

func (in *Inbox) failFor(ctx context.Context, d *Delivery, herr error) {
	in.logAttempt(ctx, d, herr)
	if err := in.store.Fail(ctx, d.Key, in.owner, time.Now(), errorText(herr)); err != nil {
		in.cfg.logger.LogAttrs(ctx, slog.LevelError, "veriff inbox: failure not recorded",
			slog.String("kind", string(d.Kind)), slog.String("session_id", d.SessionID), slog.String("error", err.Error()))
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
