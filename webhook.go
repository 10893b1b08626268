package veriff

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Header names of Veriff's webhooks, in canonical form.
const (
	webhookSigHeader        = "X-Hmac-Signature"   // X-HMAC-SIGNATURE
	webhookSigHeaderVRF     = "Vrf-Hmac-Signature" // VRF-HMAC-SIGNATURE
	webhookAuthHeader       = "X-Auth-Client"      // X-AUTH-CLIENT
	webhookAuthHeaderVRF    = "Vrf-Auth-Client"    // VRF-AUTH-CLIENT
	webhookIntegrationIDHdr = "Vrf-Integration-Id" // vrf-integration-id
)

// Signature errors are allocated once: a failed check costs no allocation
// and never mentions the signature or the secret.
var (
	errSigMissing   = fmt.Errorf("%w: no X-HMAC-SIGNATURE or VRF-HMAC-SIGNATURE header", ErrMissingSignature)
	errSigMalformed = fmt.Errorf("%w: signature is not 64 hexadecimal digits", ErrInvalidSignature)
	errSigNoSecrets = fmt.Errorf("%w: no shared secret configured", ErrInvalidSignature)
	errSigMismatch  = fmt.Errorf("%w: signature matches none of the shared secrets", ErrInvalidSignature)
)

// VerifyWebhook checks that body, the exact bytes received, was signed by
// Veriff with one of secrets (several are live while rotating). The
// signature is read from X-HMAC-SIGNATURE, else VRF-HMAC-SIGNATURE (header
// names matched without regard to case, also in a hand-built http.Header;
// the canonical spelling wins, then the first in byte order), must be
// exactly 64 hex digits, and is compared in constant time.
//
// It returns nil when one secret matches; otherwise an error wrapping
// ErrMissingSignature (no or empty header) or ErrInvalidSignature
// (malformed, matching none, or no non-blank secret: with none, nothing
// verifies). Errors never contain the signature or a secret. It keeps no
// state: each call keys its HMAC states afresh (a WebhookHandler keys its
// secrets once).
func VerifyWebhook(body []byte, header http.Header, secrets ...string) error {
	configured := false
	for _, s := range secrets {
		configured = configured || !blankSecret(s)
	}
	want, err := webhookSignature(header, configured)
	if err != nil {
		return err
	}
	var sum [sha256.Size]byte
	for _, s := range secrets {
		if blankSecret(s) {
			continue
		}
		m := hmac.New(sha256.New, []byte(s))
		m.Write(body)
		if hmac.Equal(m.Sum(sum[:0]), want[:]) {
			return nil
		}
	}
	return errSigMismatch
}

// webhookSignature returns the decoded signature of a webhook's headers, or
// the error VerifyWebhook reports when there is none to check against
// (configured: a non-blank secret is given).
func webhookSignature(header http.Header, configured bool) (want [sha256.Size]byte, err error) {
	if !configured {
		return want, errSigNoSecrets
	}
	sig := headerValue(header, webhookSigHeader)
	if sig == "" {
		sig = headerValue(header, webhookSigHeaderVRF)
	}
	if sig == "" {
		return want, errSigMissing
	}
	if !decodeHexSignature(&want, sig) {
		return want, errSigMalformed
	}
	return want, nil
}

// blankSecret reports whether a secret is empty or only white space: such a
// secret is never used, as NewClient refuses it.
func blankSecret(s string) bool { return strings.TrimSpace(s) == "" }

// headerValue returns the first non-empty value of the header whose
// canonical name is canon, looking the name up without regard to case when
// the map holds it in another form. With several such forms (a map built
// by hand), the least in byte order wins: the answer never depends on map
// iteration order.
func headerValue(h http.Header, canon string) string {
	if v := firstNonEmpty(h[canon]); v != "" {
		return v
	}
	var key, val string
	for k, vs := range h {
		if len(k) == len(canon) && k != canon && strings.EqualFold(k, canon) && (key == "" || k < key) {
			if v := firstNonEmpty(vs); v != "" {
				key, val = k, v
			}
		}
	}
	return val
}

func firstNonEmpty(vs []string) string {
	for _, v := range vs {
		if v != "" {
			return v
		}
	}
	return ""
}

// hexNibble maps an ASCII byte to its hexadecimal value, or 0xff.
var hexNibble = func() (t [256]byte) {
	for i := range t {
		t[i] = 0xff
	}
	for c := '0'; c <= '9'; c++ {
		t[c] = byte(c - '0')
	}
	for c := 'a'; c <= 'f'; c++ {
		t[c] = byte(c - 'a' + 10)
		t[c-'a'+'A'] = byte(c - 'a' + 10)
	}
	return t
}()

// decodeHexSignature decodes exactly 64 hex digits of either case into dst.
func decodeHexSignature(dst *[sha256.Size]byte, s string) bool {
	if len(s) != 2*sha256.Size {
		return false
	}
	for i := range dst {
		hi, lo := hexNibble[s[2*i]], hexNibble[s[2*i+1]]
		if hi > 0xf || lo > 0xf {
			return false
		}
		dst[i] = hi<<4 | lo
	}
	return true
}

// WebhookKind tells the kinds of Veriff webhooks apart. The type is open:
// ParseWebhook reports a kind it does not know as WebhookUnknown.
type WebhookKind string

// Webhook kinds.
const (
	// WebhookDecision is a decision webhook: a top-level "verification"
	// object. Wh.Decision is set.
	WebhookDecision WebhookKind = "decision"
	// WebhookEvent is an event webhook: "action" and a "code" from 7000 to
	// 7999 (7001 started, 7002 submitted). Wh.Event is set.
	WebhookEvent WebhookKind = "event"
	// WebhookINERegistry is the INE registry webhook ("eventType":
	// "ine_registry"). Wh.INERegistry is set.
	WebhookINERegistry WebhookKind = "ine_registry"
	// WebhookCURPRegistry is the CURP registry webhook ("type" or
	// "eventType": "curp_registry"). Wh.CURPRegistry is set.
	WebhookCURPRegistry WebhookKind = "curp_registry"
	// WebhookCombinedRegistry is the combined INE+CURP registry webhook
	// ("eventType": "combined-ine-curp-registry"). Wh.CombinedRegistry is set.
	WebhookCombinedRegistry WebhookKind = "combined_ine_curp_registry"
	// WebhookWatchlist is a watchlist (PEP and sanctions) screening
	// webhook: a top-level "checkType". Wh.Watchlist is set.
	WebhookWatchlist WebhookKind = "watchlist"
	// WebhookFullAuto is the Full Auto webhook ("eventType": "fullauto").
	// Only Raw and the accessors are set.
	WebhookFullAuto WebhookKind = "fullauto"
	// WebhookUserStatus is the webhook for a status set by hand in Veriff's
	// Customer Portal ("eventType": "user-status..."). Only Raw and the
	// accessors are set.
	WebhookUserStatus WebhookKind = "user_status"
	// WebhookUnknown is any other body: Veriff adds kinds without notice.
	// Only Raw (and EventType, when the body has one) is set.
	WebhookUnknown WebhookKind = "unknown"
)

// payload is the typed body of one webhook kind, as ParseWebhook found it:
// it knows the identity fields common to every kind and the key of its
// delivery (raw is the whole body).
type payload interface {
	identity() webhookIDs
	deliveryKey(raw []byte) string
}

// webhookIDs are the identity fields common to every kind. Embedded in a
// payload, they are its identity.
type webhookIDs struct {
	sessionID, attemptID, vendorData, endUserID string
}

func (ids webhookIDs) identity() webhookIDs { return ids }

// webhookKind is one kind's entry in webhookKinds.
type webhookKind struct {
	kind WebhookKind
	// recognise tells the kind's bodies by their top-level keys.
	recognise func(p *webhookProbe) bool
	// parse decodes a recognised body, sets w's typed payload, and returns
	// the payload; nil (and no error) leaves the body WebhookUnknown.
	parse func(w *Webhook, body []byte, p *webhookProbe) (payload, error)
	// handIDs is the identity of a Webhook built by hand that holds this
	// kind's typed payload (ok false when it holds none).
	handIDs func(w *Webhook) (ids webhookIDs, ok bool)
}

// webhookKinds is how ParseWebhook tells the kinds apart: the first entry
// that recognises a body decides its kind. Adding a kind is adding its
// payload type and one entry here.
var webhookKinds = []webhookKind{
	registryEntry(WebhookINERegistry, eventTypeIs("ine_registry"), func(w *Webhook) **INERegistryWebhook { return &w.INERegistry }),
	registryEntry(WebhookCURPRegistry, isCURPRegistry, func(w *Webhook) **CURPRegistryWebhook { return &w.CURPRegistry }),
	registryEntry(WebhookCombinedRegistry, eventTypeIs("combined_ine_curp_registry", "ine_curp_registry"),
		func(w *Webhook) **CombinedRegistryWebhook { return &w.CombinedRegistry }),
	{WebhookFullAuto, eventTypeIs("fullauto", "full_auto"), parseFullAuto, untyped},
	{WebhookUserStatus, isUserStatus, parseUserStatus, untyped},
	{WebhookDecision, func(p *webhookProbe) bool { return p.Verification != nil }, parseDecision, handDecision},
	{WebhookWatchlist, func(p *webhookProbe) bool { return p.CheckType != nil }, parseWatchlist, handWatchlist},
	{WebhookEvent, func(p *webhookProbe) bool { return p.Action != nil && p.Code != nil }, parseEvent, handEvent},
}

// eventTypeIs recognises bodies whose normalised eventType is one of names.
func eventTypeIs(names ...string) func(p *webhookProbe) bool {
	return func(p *webhookProbe) bool {
		for _, n := range names {
			if p.eventType == n {
				return true
			}
		}
		return false
	}
}

// untyped is handIDs for the kinds without a typed payload.
func untyped(*Webhook) (webhookIDs, bool) { return webhookIDs{}, false }

// Webhook is a parsed webhook body. Exactly one of the typed payloads is set,
// according to Kind; Raw always holds the body.
type Webhook struct {
	// Kind says which payload is set.
	Kind WebhookKind
	// Decision is set for WebhookDecision.
	Decision *Decision
	// Event is set for WebhookEvent.
	Event *Event
	// INERegistry is set for WebhookINERegistry.
	INERegistry *INERegistryWebhook
	// CURPRegistry is set for WebhookCURPRegistry.
	CURPRegistry *CURPRegistryWebhook
	// CombinedRegistry is set for WebhookCombinedRegistry.
	CombinedRegistry *CombinedRegistryWebhook
	// Watchlist is set for WebhookWatchlist.
	Watchlist *WatchlistScreening
	// EventType is the body's "eventType" (or "type") as sent, when it has
	// one: useful to route WebhookUnknown bodies.
	EventType string
	// Raw is the webhook body itself (the slice given to ParseWebhook, not
	// a copy).
	Raw json.RawMessage

	p   payload // set by ParseWebhook
	key string
}

// identity returns the identity fields of the payload ParseWebhook found
// or, for a Webhook built by hand, those of its typed payload.
func (w *Webhook) identity() webhookIDs {
	if w.p != nil {
		if ids := w.p.identity(); ids != (webhookIDs{}) {
			return ids
		}
	}
	for _, k := range webhookKinds {
		if ids, ok := k.handIDs(w); ok {
			return ids
		}
	}
	return webhookIDs{}
}

// SessionID returns the session the webhook is about, whatever its kind
// ("" for an unknown kind).
func (w *Webhook) SessionID() string { return w.identity().sessionID }

// AttemptID returns the attempt the webhook is about, whatever its kind
// ("" when the body has none).
func (w *Webhook) AttemptID() string { return w.identity().attemptID }

// VendorData returns the vendorData given at session creation, whatever the
// webhook's kind ("" when the body has none or null).
func (w *Webhook) VendorData() string { return w.identity().vendorData }

// EndUserID returns the endUserId given at session creation, whatever the
// webhook's kind ("" when the body has none or null).
func (w *Webhook) EndUserID() string { return w.identity().endUserID }

// DeliveryKey returns a stable key naming this delivery, for deduplicating
// Veriff's retries and replays: the same body always yields the same key,
// and two deliveries that report different outcomes yield different keys.
// A decision's key comes from its parsed verification (session, attempt,
// status, code, decision time as an instant), so the same decision fetched
// with Client.Decision and received as a webhook share one key. The key is
// readable text of at most MaxDeliveryKeyBytes; the package documentation
// ("Receiving webhooks idempotently") says what each kind's key holds.
func (w *Webhook) DeliveryKey() string {
	if w.key != "" {
		return w.key
	}
	// A Webhook built by hand rather than by ParseWebhook.
	if w.Kind == WebhookDecision && w.Decision != nil && w.Decision.Verification != nil && w.Decision.Verification.ID != "" {
		return decisionKey(w.Decision.Verification)
	}
	if sid := w.SessionID(); sid != "" {
		return joinKey(string(w.Kind), sid, w.AttemptID(), bodyDigest(w.Raw))
	}
	return joinKey(string(w.Kind), bodyDigest(w.Raw))
}

// keyTime renders an instant in UTC, with milliseconds, or with
// nanoseconds when it has a finer part: one spelling per instant.
func keyTime(t time.Time) string {
	t = t.UTC()
	if t.Nanosecond()%int(time.Millisecond) == 0 {
		return t.Format("2006-01-02T15:04:05.000Z07:00")
	}
	return t.Format("2006-01-02T15:04:05.000000000Z07:00")
}

func bodyDigest(b []byte) string {
	sum := sha256.Sum256(b)
	return "sha256-" + hex.EncodeToString(sum[:])
}

// MaxDeliveryKeyBytes bounds Webhook.DeliveryKey: a part longer than
// maxKeyPartBytes once escaped is replaced by its SHA-256 ("sha256-" and
// 64 hex digits), and a key still longer than this bound keeps its kind
// and the SHA-256 of the whole. Every signed webhook thus has a key a
// database index accepts (PostgreSQL's B-tree refuses about 2.7 kB).
const MaxDeliveryKeyBytes = 1024

const maxKeyPartBytes = 128

// joinKey joins path-escaped parts with "/", so that no part can be
// mistaken for two, within MaxDeliveryKeyBytes.
func joinKey(parts ...string) string {
	var b strings.Builder
	for i, p := range parts {
		if i > 0 {
			b.WriteByte('/')
		}
		e := url.PathEscape(p)
		if len(e) > maxKeyPartBytes {
			e = bodyDigest([]byte(p))
		}
		b.WriteString(e)
	}
	if b.Len() > MaxDeliveryKeyBytes {
		return url.PathEscape(parts[0]) + "/" + bodyDigest([]byte(b.String()))
	}
	return b.String()
}

// ParseWebhook decodes a webhook body (verify it first with VerifyWebhook)
// and tells its kind by shape; a body of no known kind is WebhookUnknown,
// with no error, since Veriff adds kinds without notice. Raw always holds
// body, and decoding is lenient (a mistyped field is left zero). The error
// wraps ErrMalformedWebhook: for a body that is not one JSON object, and for
// a known kind whose identity is broken (a decision without an "id", an
// event whose "code" is not an integer, a registry webhook without a
// session ID).
func ParseWebhook(body []byte) (*Webhook, error) {
	trimmed := bytes.TrimLeft(body, " \t\r\n")
	if len(trimmed) == 0 || trimmed[0] != '{' {
		return nil, malformed("body is not a JSON object")
	}
	var p webhookProbe
	if err := decodeLenient(body, &p); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformedWebhook, err)
	}
	w := &Webhook{Raw: body, Kind: WebhookUnknown, EventType: jsonString(p.EventType)}
	p.eventType = normalEventType(w.EventType)
	if w.EventType == "" {
		p.typ = normalEventType(jsonString(p.Type))
	}
	for _, k := range webhookKinds {
		if !k.recognise(&p) {
			continue
		}
		pl, err := k.parse(w, body, &p)
		if err != nil {
			return nil, err
		}
		if pl != nil {
			w.Kind, w.p, w.key = k.kind, pl, pl.deliveryKey(body)
		}
		break
	}
	if w.key == "" {
		w.key = joinKey(string(w.Kind), bodyDigest(body))
	}
	return w, nil
}

// webhookProbe holds the top-level keys that tell the kinds apart. Its raw
// fields accept any JSON value, so decoding it fails only on bad syntax.
type webhookProbe struct {
	Verification json.RawMessage `json:"verification"`
	Action       json.RawMessage `json:"action"`
	Code         json.RawMessage `json:"code"`
	EventType    json.RawMessage `json:"eventType"`
	Type         json.RawMessage `json:"type"`
	CheckType    json.RawMessage `json:"checkType"`

	// eventType is the normalised "eventType" (normalEventType); typ is
	// the normalised "type" when eventType is empty.
	eventType, typ string
}

func malformed(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrMalformedWebhook, fmt.Sprintf(format, args...))
}

// jsonString returns raw's value when it is a JSON string, else "".
func jsonString(raw json.RawMessage) string {
	if len(raw) < 2 || raw[0] != '"' {
		return ""
	}
	var s string
	if json.Unmarshal(raw, &s) != nil {
		return ""
	}
	return s
}

// normalEventType is an eventType as the kind table compares it: lower
// case, with '_' for '-'.
func normalEventType(t string) string {
	return strings.ReplaceAll(strings.ToLower(t), "-", "_")
}

// decodeWebhook decodes body into v leniently (see decodeLenient); what
// cannot be decoded at all is a malformed webhook.
func decodeWebhook(body []byte, v any) error {
	if err := decodeLenient(body, v); err != nil {
		return fmt.Errorf("%w: %v", ErrMalformedWebhook, err)
	}
	return nil
}

func isObject(raw json.RawMessage) bool {
	return len(raw) > 0 && raw[0] == '{'
}

// rawKey renders a raw JSON scalar for a delivery key: strings unquoted,
// numbers and literals as sent, anything else by digest.
func rawKey(raw json.RawMessage) string {
	switch {
	case len(raw) == 0 || string(raw) == "null":
		return ""
	case raw[0] == '"':
		return jsonString(raw)
	case raw[0] == '{' || raw[0] == '[':
		return bodyDigest(raw)[:23]
	}
	return string(raw)
}
