package veriff

import (
	"bytes"
	"context"
	"crypto/subtle"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"sync"
)

// DefaultWebhookMaxBodyBytes is the largest webhook body WebhookHandler
// reads when MaxBodyBytes is zero.
const DefaultWebhookMaxBodyBytes = 1 << 20

// WebhookHandler is an http.Handler that receives Veriff's webhooks: it
// answers 405 to anything but POST, 401 for a wrong API key or integration
// ID (when set) or a missing or wrong signature (before any parsing), 413
// above MaxBodyBytes, 400 for a verified but malformed body, 500 when Handle
// fails (so Veriff retries), and 200 otherwise, unknown kinds included.
// Replies are short plain text and never echo the body. Set its fields
// before serving: Secrets are keyed on the first request, and changing them
// afterwards has no effect (build a new handler to rotate). It is safe for
// concurrent use. See the package documentation for receiving idempotently.
type WebhookHandler struct {
	// Secrets are the integration's live shared secrets; a signature made
	// with any of them is accepted, so secrets can be rotated. With none,
	// every request is refused with 401.
	Secrets []string
	// Handle receives each verified, parsed webhook with the request's
	// context. It should record the delivery (see Webhook.DeliveryKey) and
	// return quickly; an error makes the handler answer 500. A nil Handle
	// acknowledges every valid webhook.
	Handle func(ctx context.Context, wh *Webhook) error
	// MaxBodyBytes bounds the body; 0 means DefaultWebhookMaxBodyBytes
	// (1 MiB).
	MaxBodyBytes int64
	// APIKey, when set, must equal the X-AUTH-CLIENT (or VRF-AUTH-CLIENT)
	// header Veriff sends with the integration's API key; it is compared in
	// constant time.
	APIKey string
	// IntegrationID, when set, must equal the vrf-integration-id header when
	// the request has one.
	IntegrationID string
	// Logger, when set, receives one line per refused or failed delivery
	// (status and reason, and the error Handle returned: keep personal data
	// out of it). Bodies, secrets and signatures are never logged.
	Logger *slog.Logger
	// FailureStatus is the status answered when Handle fails: 500 unless
	// it is another 5xx (any 5xx makes Veriff send the webhook again).
	FailureStatus int

	keyOnce sync.Once // keys Secrets on the first request
	keys    []*signer
}

// refusedHeaders checks the API key (when APIKey is set, compared in
// constant time) and the integration ID (when IntegrationID is set and the
// request names one); it returns why the request is refused, or "".
func (h *WebhookHandler) refusedHeaders(hd http.Header) string {
	if h.APIKey != "" {
		got := headerValue(hd, webhookAuthHeader)
		if got == "" {
			got = headerValue(hd, webhookAuthHeaderVRF)
		}
		if subtle.ConstantTimeCompare([]byte(got), []byte(h.APIKey)) != 1 {
			return "API key missing or wrong"
		}
	}
	if h.IntegrationID != "" {
		if got := headerValue(hd, webhookIntegrationIDHdr); got != "" && got != h.IntegrationID {
			return "integration ID mismatch"
		}
	}
	return ""
}

// ServeHTTP implements http.Handler.
func (h *WebhookHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		h.reply(r, w, http.StatusMethodNotAllowed, "method not allowed")
		return
	}
	if reason := h.refusedHeaders(r.Header); reason != "" {
		h.reply(r, w, http.StatusUnauthorized, reason)
		return
	}
	rb := r.Body
	if rb == nil {
		rb = http.NoBody
	}
	limit := h.MaxBodyBytes
	if limit <= 0 {
		limit = DefaultWebhookMaxBodyBytes
	}
	if r.ContentLength > limit {
		h.reply(r, w, http.StatusRequestEntityTooLarge, "body too large")
		return
	}
	body, err := readBody(http.MaxBytesReader(w, rb, limit), r.ContentLength)
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			h.reply(r, w, http.StatusRequestEntityTooLarge, "body too large")
			return
		}
		h.reply(r, w, http.StatusBadRequest, "cannot read body")
		return
	}
	if err := h.verify(body, r.Header); err != nil {
		reason := "signature wrong"
		if errors.Is(err, ErrMissingSignature) {
			reason = "signature missing"
		} else if errors.Is(err, errSigNoSecrets) {
			reason = "no shared secret configured"
		}
		h.reply(r, w, http.StatusUnauthorized, reason)
		return
	}
	wh, err := ParseWebhook(body)
	if err != nil {
		h.reply(r, w, http.StatusBadRequest, "malformed webhook")
		return
	}
	if h.Handle != nil {
		if err := h.Handle(r.Context(), wh); err != nil {
			status := http.StatusInternalServerError
			if h.FailureStatus >= 500 && h.FailureStatus <= 599 {
				status = h.FailureStatus
			}
			if h.Logger != nil {
				h.Logger.LogAttrs(r.Context(), slog.LevelError, "veriff webhook: handler failed",
					slog.Int("status", status),
					slog.String("kind", string(wh.Kind)),
					slog.String("session_id", wh.SessionID()),
					slog.String("error", err.Error()))
			}
			http.Error(w, "handler failed", status)
			return
		}
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(http.StatusOK)
	_, _ = io.WriteString(w, "ok\n")
}

// reply writes a short plain-text refusal and logs it.
func (h *WebhookHandler) reply(r *http.Request, w http.ResponseWriter, status int, reason string) {
	if h.Logger != nil {
		h.Logger.LogAttrs(r.Context(), slog.LevelWarn, "veriff webhook: refused",
			slog.Int("status", status), slog.String("reason", reason))
	}
	http.Error(w, reason, status)
}

// readBody reads r whole. The buffer grows with the bytes that arrive: a
// declared Content-Length sizes it only up to readChunk, so that a client
// declaring a large body and sending little costs little memory.
func readBody(r io.Reader, contentLength int64) ([]byte, error) {
	size := int64(512)
	if contentLength > 0 {
		size = min(contentLength+1, readChunk) // +1: room to see EOF
	}
	buf := bytes.NewBuffer(make([]byte, 0, size))
	_, err := buf.ReadFrom(r)
	return buf.Bytes(), err
}

// verify is VerifyWebhook with the handler's secrets, keyed once, on the
// first request.
func (h *WebhookHandler) verify(body []byte, header http.Header) error {
	h.keyOnce.Do(func() {
		for _, s := range h.Secrets {
			if !blankSecret(s) {
				h.keys = append(h.keys, newSigner(s))
			}
		}
	})
	want, err := webhookSignature(header, len(h.keys) > 0)
	if err != nil {
		return err
	}
	for _, k := range h.keys {
		if k.matches(body, want[:]) {
			return nil
		}
	}
	return errSigMismatch
}
