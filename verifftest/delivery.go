package verifftest

// This file holds webhook delivery: retries, the delivery record (Deliveries), WaitForDeliveries, Resend.

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/veriffgo/veriff"
)

const (
	defaultWebhookAttempts = 5
	defaultWebhookBackoff  = 50 * time.Millisecond
	defaultWebhookTimeout  = 10 * time.Second
)

// SetWebhookRetry sets how many times a webhook is sent at most (default
// 5, values below 1 mean 1) and how long the server waits between tries
// (default 50ms). Veriff itself retries hourly for a week; the fake keeps
// tests fast.
func (s *Server) SetWebhookRetry(maxAttempts int, backoff time.Duration) {
	if maxAttempts < 1 {
		maxAttempts = 1
	}
	if backoff < 0 {
		backoff = 0
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.hookTries, s.hookWait = maxAttempts, backoff
}

// Delivery is the record of one webhook, once its delivery has ended:
// answered 200, out of tries, or cancelled by Close.
type Delivery struct {
	// N is the delivery's number, counting from 1 in the order deliveries
	// ended; Resend takes it. A number stays with its delivery when older
	// deliveries are forgotten (see WithMaxRecordedDeliveries).
	N int
	// Kind is veriff.WebhookDecision, veriff.WebhookEvent or
	// veriff.WebhookINERegistry.
	Kind veriff.WebhookKind
	// URL the webhook was sent to.
	URL string
	// SessionID is the session the webhook is about.
	SessionID string
	// Body is the exact body sent; Signature its X-HMAC-SIGNATURE.
	Body      []byte
	Signature string
	// Attempts is how many times it was sent.
	Attempts int
	// StatusCode is the HTTP status of the last try; 0 when it got none.
	StatusCode int
	// Err is the transport error of the last try, if any.
	Err error
	// Delivered reports whether a try was answered 200.
	Delivered bool
	// Sent is when the first try began; Done when the delivery ended.
	Sent, Done time.Time
}

// Deliveries returns copies of the webhook deliveries that have ended, in
// the order they ended: the most recent ones, up to
// WithMaxRecordedDeliveries (default 10000).
func (s *Server) Deliveries() []Delivery {
	s.mu.Lock()
	defer s.mu.Unlock()
	return copyDeliveries(s.deliveries)
}

func copyDeliveries(in []Delivery) []Delivery {
	out := make([]Delivery, len(in))
	for i, d := range in {
		d.Body = append([]byte(nil), d.Body...)
		out[i] = d
	}
	return out
}

// WaitForDeliveries waits until at least n webhook deliveries have ended
// (delivered or not) since the server started and returns the ones it
// remembers (see Deliveries), or returns ctx's error with the deliveries
// ended so far.
func (s *Server) WaitForDeliveries(ctx context.Context, n int) ([]Delivery, error) {
	for {
		s.mu.Lock()
		if s.deliveryCount >= n {
			out := copyDeliveries(s.deliveries)
			s.mu.Unlock()
			return out, nil
		}
		ch := s.delivered
		s.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			return s.Deliveries(), ctx.Err()
		}
	}
}

// dispatch starts the delivery of a webhook in its own goroutine when a
// URL is set for its kind; s.mu must be held.
func (s *Server) dispatch(kind veriff.WebhookKind, sessionID string, body []byte) {
	if s.closed {
		return
	}
	var url string
	switch kind {
	case kindDecision:
		url = s.hooks.Decision
	case kindEvent:
		url = s.hooks.Event
	case kindINE:
		url = s.hooks.INERegistry
	}
	s.dispatchTo(kind, sessionID, url, body)
}

// dispatchTo starts the delivery of a webhook to url; s.mu must be held.
func (s *Server) dispatchTo(kind veriff.WebhookKind, sessionID, url string, body []byte) {
	if url == "" || s.closed {
		return
	}
	d := Delivery{
		Kind:      kind,
		URL:       url,
		SessionID: sessionID,
		Body:      body,
		Signature: veriff.Sign(s.secret, body),
	}
	tries, wait := s.hookTries, s.hookWait
	s.wg.Add(1)
	go s.deliver(d, tries, wait)
}

// ErrUnknownDelivery is returned by Resend for a delivery number the
// server does not have.
var ErrUnknownDelivery = errors.New("verifftest: unknown delivery")

// Resend sends the webhook of delivery number n (Delivery.N) again, with
// the same body and signature, to the same URL. The new delivery is
// recorded as any other, once it ends. A number never given, or one of a
// delivery forgotten beyond WithMaxRecordedDeliveries, is
// ErrUnknownDelivery (404 in the admin API and the portal).
func (s *Server) Resend(n int) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	d, ok := s.deliveryLocked(n)
	if !ok {
		return fmt.Errorf("%w: %d", ErrUnknownDelivery, n)
	}
	s.dispatchTo(d.Kind, d.SessionID, d.URL, append([]byte(nil), d.Body...))
	return nil
}

// deliveryLocked returns the remembered delivery number n; s.mu must be
// held.
func (s *Server) deliveryLocked(n int) (Delivery, bool) {
	if len(s.deliveries) == 0 {
		return Delivery{}, false
	}
	i := n - s.deliveries[0].N
	if i < 0 || i >= len(s.deliveries) {
		return Delivery{}, false
	}
	return s.deliveries[i], true
}

func (s *Server) deliver(d Delivery, tries int, wait time.Duration) {
	defer s.wg.Done()
	d.Sent = time.Now()
	for i := 1; i <= tries; i++ {
		if i > 1 && !s.sleep(wait) {
			break
		}
		d.Attempts = i
		code, err := s.post(d)
		d.StatusCode, d.Err = code, err
		if code == http.StatusOK {
			d.Delivered = true
			break
		}
		if s.ctx.Err() != nil {
			break
		}
	}
	d.Done = time.Now()
	s.mu.Lock()
	s.deliveryCount++
	d.N = s.deliveryCount
	if n := len(s.deliveries) - s.cfg.maxDeliveries + 1; n > 0 {
		clear(s.deliveries[:n])
		s.deliveries = append(s.deliveries[:0], s.deliveries[n:]...)
	}
	s.deliveries = append(s.deliveries, d)
	close(s.delivered)
	s.delivered = make(chan struct{})
	s.mu.Unlock()
}

// sleep waits d, or until Close; it reports whether the wait ran out.
func (s *Server) sleep(d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-s.ctx.Done():
		return false
	}
}

// post sends one try of the webhook.
func (s *Server) post(d Delivery) (int, error) {
	req, err := http.NewRequestWithContext(s.ctx, http.MethodPost, d.URL, bytes.NewReader(d.Body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-AUTH-CLIENT", s.apiKey)
	req.Header.Set("X-HMAC-SIGNATURE", d.Signature)
	req.Header.Set("User-Agent", "verifftest/"+veriff.Version)
	resp, err := s.hc.Do(req)
	if err != nil {
		return 0, err
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	_ = resp.Body.Close()
	return resp.StatusCode, nil
}
