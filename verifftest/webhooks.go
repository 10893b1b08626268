package verifftest

// This file holds webhook URLs and the event and INE registry webhooks.

import (
	"encoding/json"
	"errors"
	neturl "net/url"
	"time"

	"github.com/veriffgo/veriff"
	"github.com/veriffgo/veriff/internal/netx"
)

// The kinds of webhook the server sends.
const (
	kindDecision = veriff.WebhookDecision
	kindEvent    = veriff.WebhookEvent
	kindINE      = veriff.WebhookINERegistry
)

// WebhookURLs are the webhook URLs of the integration, one per kind, as in
// Veriff's Customer Portal. An empty URL sends no webhook of that kind.
type WebhookURLs struct {
	// Decision receives decision webhooks (Decide, AutoDecide, and the
	// expired/abandoned decision sent when an unfinished session is deleted).
	Decision string
	// Event receives event webhooks: 7001 "started" on the first upload of
	// an attempt, 7002 "submitted" on submit.
	Event string
	// INERegistry receives INE registry webhooks, sent when a session with
	// INE consent is approved or declined.
	INERegistry string
}

// SetWebhookURL sends every kind of webhook to url ("" stops them). The
// server POSTs each webhook as Veriff does: a JSON body with
// X-AUTH-CLIENT (the API key), X-HMAC-SIGNATURE (veriff.Sign of the body
// with the shared secret) and Content-Type: application/json, from its own
// goroutine, retrying on any answer but 200 (see SetWebhookRetry).
//
// url must be an absolute http or https URL of a loopback host
// (localhost, 127.0.0.0/8, ::1), so that a test never posts signed
// webhooks to a real host by mistake; the server option
// WithAllowRemoteWebhooks lifts the loopback rule for emulators on a
// container network. SetWebhookURL panics on any other url, as a
// programming error; CheckWebhookURL tells beforehand.
func (s *Server) SetWebhookURL(url string) {
	s.SetWebhookURLs(WebhookURLs{Decision: url, Event: url, INERegistry: url})
}

// SetWebhookURLs sets the webhook URL of each kind. Each URL follows the
// rules of SetWebhookURL, and SetWebhookURLs panics, changing nothing, on
// one that does not.
func (s *Server) SetWebhookURLs(u WebhookURLs) {
	for _, raw := range []string{u.Decision, u.Event, u.INERegistry} {
		if err := s.CheckWebhookURL(raw); err != nil {
			panic(err.Error())
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.hooks = u
}

// CheckWebhookURL returns the error for which SetWebhookURL would refuse
// rawURL, or nil ("" is accepted: it stops webhooks).
func (s *Server) CheckWebhookURL(rawURL string) error {
	if rawURL == "" {
		return nil
	}
	u, err := neturl.Parse(rawURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return errors.New("verifftest: a webhook URL must be an absolute http or https URL")
	}
	if !s.cfg.allowRemoteWebhooks && !netx.IsLoopback(u.Hostname()) {
		return errors.New("verifftest: a webhook URL must name a loopback host (localhost, 127.0.0.0/8, ::1) unless the server has WithAllowRemoteWebhooks")
	}
	return nil
}

// sendEvent sends an event webhook (7001 started, 7002 submitted); s.mu
// must be held.
func (s *Server) sendEvent(ss *session, a *attempt, code int, action string) {
	body, err := json.Marshal(struct {
		ID         string  `json:"id"`
		AttemptID  string  `json:"attemptId"`
		Feature    string  `json:"feature"`
		Code       int     `json:"code"`
		Action     string  `json:"action"`
		VendorData *string `json:"vendorData"`
		EndUserID  *string `json:"endUserId"`
	}{ss.id, a.id, "selfid", code, action, ss.vendorData, ss.endUserID})
	if err == nil {
		s.dispatch(kindEvent, ss.id, body)
	}
}

// sendINE sends an INE registry webhook; s.mu must be held.
func (s *Server) sendINE(ss *session, a *attempt, now time.Time) {
	res := ineResult(ss)
	status := "La credencial es válida"
	if !res.Active {
		status = "La credencial no es válida"
	}
	type details struct {
		Status  string                   `json:"status"`
		Code    int                      `json:"code"`
		Details veriff.INERegistryResult `json:"details"`
	}
	body, err := json.Marshal(struct {
		EventType string `json:"eventType"`
		SessionID string `json:"sessionId"`
		attemptRef
		Version string  `json:"version"`
		Time    string  `json:"time"`
		Data    details `json:"data"`
	}{"ine_registry", ss.id, refOf(ss, a), "1.0.0",
		now.UTC().Format("2006-01-02T15:04:05.000Z"), details{status, 200, res}})
	if err == nil {
		s.dispatch(kindINE, ss.id, body)
	}
}
