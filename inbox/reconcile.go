package inbox

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/veriffgo/veriff"
)

// reconcileBatch bounds the watches one round queries.
const reconcileBatch = 20

// maxRecheck caps the wait between two queries of an undecided session.
const maxRecheck = time.Hour

// Watch remembers a session, typically right after CreateSession: if no
// final decision webhook for it arrives within the reconcile window
// (WithReconcileAfter), Run queries its decision (Client.Decision, needs
// WithClient). A decided answer is recorded as a decision delivery whose
// Raw is the API answer, under the same DeliveryKey as the webhook of that
// decision, so whichever comes second is a duplicate; it is then handled
// like any other delivery. An undecided session is asked again later, with
// backoff, until a final decision or the maximum age (WithReconcileMaxAge).
// Watching a session twice is harmless.
func (in *Inbox) Watch(ctx context.Context, sessionID string) error {
	if in.cfg.client == nil {
		return bad("Watch", "no client: set WithClient to reconcile sessions")
	}
	if err := veriff.ValidateID(sessionID); err != nil {
		return fmt.Errorf("inbox: sessionID: %w", err)
	}
	return in.store.Watch(ctx, sessionID, in.cfg.reconcileAfter)
}

// reconcileLoop queries due watched sessions every poll interval.
func (in *Inbox) reconcileLoop(ctx context.Context) {
	repeat(ctx, nil, nil, func() time.Duration {
		return max(in.reconcileRound(ctx), in.cfg.poll)
	})
}

// reconcileRound queries the due watches once; it returns how long to
// pause, longer than the poll interval when Veriff asked to slow down.
func (in *Inbox) reconcileRound(ctx context.Context) time.Duration {
	// A claimed watch is skipped by other replicas for a lease.
	watches, err := in.store.ClaimWatches(ctx, in.cfg.lease, reconcileBatch)
	if err != nil {
		if ctx.Err() == nil {
			in.cfg.logger.LogAttrs(ctx, slog.LevelError, "veriff inbox: watches not read", slog.String("error", err.Error()))
		}
		return 0
	}
	for _, w := range watches {
		if pause := in.reconcileOne(ctx, w); pause > 0 {
			return pause
		}
	}
	return 0
}

// reconcileOne queries one watched session; a positive result is Veriff's
// Retry-After (capped, see retryAfterCap), which ends the round.
func (in *Inbox) reconcileOne(ctx context.Context, w Watch) time.Duration {
	if time.Since(w.CreatedAt) > in.cfg.reconcileMax {
		in.endWatch(ctx, w.SessionID, WatchExpired)
		return 0
	}
	next := recheck(in.cfg.reconcileAfter, w.Checks+1)
	raw, d, err := in.queryDecision(ctx, w.SessionID)
	if err != nil {
		var apiErr *veriff.APIError
		var pause time.Duration
		if errors.As(err, &apiErr) && apiErr.RetryAfter > 0 {
			pause = min(apiErr.RetryAfter, in.retryAfterCap())
		} else if errors.Is(err, veriff.ErrRateLimited) {
			pause = in.retryAfterCap()
		}
		if ctx.Err() == nil {
			in.cfg.logger.LogAttrs(ctx, slog.LevelWarn, "veriff inbox: decision query failed",
				slog.String("session_id", w.SessionID), slog.String("error", err.Error()))
		}
		in.reschedule(ctx, w.SessionID, max(next, pause))
		return pause
	}
	if d.Verification == nil {
		in.reschedule(ctx, w.SessionID, next)
		return 0
	}
	wh, err := decisionDelivery(raw)
	if err == nil && wh.SessionID() != w.SessionID {
		err = errors.New("inbox: the decision answer names another session; ignored")
	}
	if err == nil {
		err = in.record(ctx, wh)
	}
	if err != nil {
		in.cfg.logger.LogAttrs(ctx, slog.LevelError, "veriff inbox: queried decision not recorded",
			slog.String("session_id", w.SessionID), slog.String("error", err.Error()))
		in.reschedule(ctx, w.SessionID, next)
		return 0
	}
	if !d.Verification.Status.IsFinal() {
		// resubmission_requested or review: the final decision is to come.
		in.reschedule(ctx, w.SessionID, next)
	}
	return 0
}

// retryAfterCap bounds a Retry-After from a decision query, both for the
// reconciliation's pause and for the watch's next check: the client's
// WithRetryAfterCap, or the reconcile window (WithReconcileAfter) when
// shorter. A 429 without Retry-After waits this long too.
func (in *Inbox) retryAfterCap() time.Duration {
	return min(in.cfg.client.RetryAfterCap(), in.cfg.reconcileAfter)
}

// queryDecision asks for a session's decision (Veriff API: GET
// /v1/sessions/{id}/decision) and returns the answer as received beside
// its decoding.
func (in *Inbox) queryDecision(ctx context.Context, sessionID string) (json.RawMessage, *veriff.Decision, error) {
	var raw json.RawMessage
	err := in.cfg.client.Execute(ctx, veriff.RawRequest{
		Method: http.MethodGet, Path: "/sessions/" + sessionID + "/decision", SignedID: sessionID,
	}, &raw)
	if err != nil {
		return nil, nil, err
	}
	var d veriff.Decision
	if err := json.Unmarshal(raw, &d); err != nil {
		return nil, nil, fmt.Errorf("inbox: decision answer: %w: %v", veriff.ErrInvalidResponse, err)
	}
	return raw, &d, nil
}

// decisionDelivery reads a decided GET /decision answer as the decision
// webhook Veriff would have sent: the answer has the webhook's shape, and
// its bytes are kept as received (unknown keys included).
func decisionDelivery(raw json.RawMessage) (*veriff.Webhook, error) {
	wh, err := veriff.ParseWebhook(raw)
	if err != nil {
		return nil, err
	}
	if wh.Kind != veriff.WebhookDecision {
		return nil, errors.New("inbox: the decision answer does not read as a decision webhook")
	}
	return wh, nil
}

func (in *Inbox) reschedule(ctx context.Context, sessionID string, after time.Duration) {
	if err := in.store.RescheduleWatch(context.WithoutCancel(ctx), sessionID, after); err != nil {
		in.cfg.logger.LogAttrs(ctx, slog.LevelError, "veriff inbox: watch not rescheduled",
			slog.String("session_id", sessionID), slog.String("error", err.Error()))
	}
}

func (in *Inbox) endWatch(ctx context.Context, sessionID string, outcome WatchOutcome) {
	if err := in.store.EndWatch(ctx, sessionID, outcome); err != nil {
		in.cfg.logger.LogAttrs(ctx, slog.LevelError, "veriff inbox: watch not ended",
			slog.String("session_id", sessionID), slog.String("error", err.Error()))
	}
}

// recheck is the wait before the n-th query of an undecided session: the
// window doubled per query, up to an hour, jittered.
func recheck(window time.Duration, n int) time.Duration {
	if window > maxRecheck {
		return jitter(window)
	}
	return backoff(window, maxRecheck, n)
}
