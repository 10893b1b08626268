package e2eflow

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/veriffgo/veriff"
)

// startReceiver serves a veriff.WebhookHandler on addr and returns the
// webhook URL and a function that shuts the server down.
func startReceiver(addr string, t *target, box *inbox) (string, func(), error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return "", nil, fmt.Errorf("webhook receiver: %w", err)
	}
	mux := http.NewServeMux()
	mux.Handle(webhookPath, &veriff.WebhookHandler{
		Secrets: []string{t.secret}, // a signature with the shared secret, or 401
		APIKey:  t.apiKey,           // and the integration's X-AUTH-CLIENT, or 401
		Handle:  box.record,
	})
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = srv.Serve(ln) }() // Serve returns ErrServerClosed after Shutdown
	stop := func() {
		// The flow has its webhooks: give requests in flight a second,
		// then close what is left (Veriff retries what it could not send).
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		if err := srv.Shutdown(ctx); err != nil {
			_ = srv.Close()
		}
	}
	return "http://" + ln.Addr().String() + webhookPath, stop, nil
}

// inbox keeps each verified webhook once, keyed by its delivery key, so that
// Veriff's retries and replays are acknowledged without being counted twice.
type inbox struct {
	mu      sync.Mutex
	seen    map[string]bool
	got     []*veriff.Webhook
	dups    int
	changed chan struct{} // closed (and replaced) on each new webhook
}

func newInbox() *inbox {
	return &inbox{seen: map[string]bool{}, changed: make(chan struct{})}
}

// record is the WebhookHandler's Handle function.
func (b *inbox) record(_ context.Context, wh *veriff.Webhook) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	key := wh.DeliveryKey()
	if b.seen[key] {
		b.dups++
		return nil // a retry or replay: acknowledge it again (200)
	}
	b.seen[key] = true
	b.got = append(b.got, wh)
	close(b.changed)
	b.changed = make(chan struct{})
	return nil
}

// topic names what a webhook is about, without its outcome: "decision",
// "ine_registry", "event submitted", ...
func topic(wh *veriff.Webhook) string {
	if wh.Kind == veriff.WebhookEvent && wh.Event != nil {
		return "event " + wh.Event.Action
	}
	return string(wh.Kind)
}

// label is the topic with the outcome, for the report.
func label(wh *veriff.Webhook) string {
	switch {
	case wh.Kind == veriff.WebhookDecision && wh.Decision != nil && wh.Decision.Verification != nil:
		return "decision " + string(wh.Decision.Verification.Status)
	case wh.Kind == veriff.WebhookINERegistry && wh.INERegistry != nil:
		if wh.INERegistry.Data.Details.Active {
			return "ine_registry active"
		}
		return "ine_registry inactive"
	}
	return topic(wh)
}

// waitFor waits until webhooks of every topic in want have arrived for the
// session.
func (b *inbox) waitFor(ctx context.Context, sessionID string, want ...string) error {
	for {
		b.mu.Lock()
		have := map[string]bool{}
		for _, wh := range b.got {
			if wh.SessionID() == sessionID {
				have[topic(wh)] = true
			}
		}
		changed := b.changed
		b.mu.Unlock()

		var missing []string
		for _, w := range want {
			if !have[w] {
				missing = append(missing, w)
			}
		}
		if len(missing) == 0 {
			return nil
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return fmt.Errorf("waiting for webhooks of session %s (still missing: %s): %w",
				sessionID, strings.Join(missing, ", "), context.Cause(ctx))
		}
	}
}

// received lists the session's webhooks in the order Veriff's flow produces
// them (arrival order varies) and counts the duplicates ignored.
func (b *inbox) received(sessionID string) ([]string, int) {
	rank := map[string]int{"event started": 1, "event submitted": 2, "decision": 3, "ine_registry": 4}
	b.mu.Lock()
	defer b.mu.Unlock()
	var mine []*veriff.Webhook
	for _, wh := range b.got {
		if wh.SessionID() == sessionID {
			mine = append(mine, wh)
		}
	}
	sort.SliceStable(mine, func(i, j int) bool {
		ri, rj := rank[topic(mine[i])], rank[topic(mine[j])]
		if ri == 0 {
			ri = len(rank) + 1
		}
		if rj == 0 {
			rj = len(rank) + 1
		}
		return ri < rj
	})
	labels := make([]string, len(mine))
	for i, wh := range mine {
		labels[i] = label(wh)
	}
	return labels, b.dups
}
