package veriff

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
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

// DefaultWebhookMaxBodyBytes is the largest webhook body WebhookHandler
// reads when MaxBodyBytes is zero.
const DefaultWebhookMaxBodyBytes = 1 << 20

// ErrMalformedWebhook is wrapped by ParseWebhook when the body is not a JSON
// object, or is a known kind of webhook whose required fields are missing or
// of the wrong type.
var ErrMalformedWebhook = errors.New("veriff: malformed webhook")

// Signature errors are allocated once: a failed check costs no allocation
// and never mentions the signature or the secret.
var (
	errSigMissing   = fmt.Errorf("%w: no X-HMAC-SIGNATURE or VRF-HMAC-SIGNATURE header", ErrMissingSignature)
	errSigMalformed = fmt.Errorf("%w: signature is not 64 hexadecimal digits", ErrInvalidSignature)
	errSigNoSecrets = fmt.Errorf("%w: no shared secret configured", ErrInvalidSignature)
	errSigMismatch  = fmt.Errorf("%w: signature matches none of the shared secrets", ErrInvalidSignature)
)

// VerifyWebhook checks that body was signed by Veriff with one of secrets.
//
// The signature is read from the X-HMAC-SIGNATURE header, or else from
// VRF-HMAC-SIGNATURE; header names are matched without regard to case, also
// in an http.Header built by hand. The signature must be 64 hexadecimal
// digits, in either case, and nothing else (no "sha256=" prefix, no white
// space). It is compared in constant time with the HMAC-SHA256 of the raw
// body under each non-empty secret in turn, so that several secrets can be
// live while they are rotated.
//
// VerifyWebhook returns nil when one secret matches. Otherwise its error
// wraps ErrMissingSignature (no signature header, or an empty one) or
// ErrInvalidSignature (malformed, matching no secret, or no non-blank secret
// given: with no secret, nothing ever verifies; empty or white-space secrets
// are ignored). Errors never contain the signature or a secret. When a
// hand-built header map holds the signature header under several
// spellings, the canonical one wins, then the first in byte order, so the
// answer never depends on map order.
//
// Verify the exact bytes received, before any parsing: re-encoding parsed
// JSON does not reproduce Veriff's bytes.
//
// VerifyWebhook is safe for concurrent use. It keeps keyed HMAC states of
// the first few dozen secrets it sees in memory for reuse, so that a check
// costs one pass over the body and no allocation.
func VerifyWebhook(body []byte, header http.Header, secrets ...string) error {
	configured := false
	for _, s := range secrets {
		if !blankSecret(s) {
			configured = true
			break
		}
	}
	if !configured {
		return errSigNoSecrets
	}
	sig := headerValue(header, webhookSigHeader)
	if sig == "" {
		sig = headerValue(header, webhookSigHeaderVRF)
	}
	if sig == "" {
		return errSigMissing
	}
	var want [sha256.Size]byte
	if !decodeHexSignature(&want, sig) {
		return errSigMalformed
	}
	for _, s := range secrets {
		if blankSecret(s) {
			continue
		}
		m, pool := getKeyedMAC(s)
		m.mac.Write(body)
		ok := hmac.Equal(m.mac.Sum(m.sum[:0]), want[:])
		if pool != nil {
			pool.Put(m)
		}
		if ok {
			return nil
		}
	}
	return errSigMismatch
}

// blankSecret reports whether a secret is empty or only white space: such a
// secret is never used, as NewClient refuses it.
func blankSecret(s string) bool { return strings.TrimSpace(s) == "" }

// keyedMAC is an HMAC-SHA256 state keyed with one secret, with room for its
// sum, reused across calls so that verifying costs no allocation.
type keyedMAC struct {
	mac hash.Hash
	sum [sha256.Size]byte
}

// maxCachedSecrets bounds how many secrets keep pooled HMAC states: a
// process normally verifies with a handful; beyond the bound, states are
// built per call.
const maxCachedSecrets = 32

var (
	macPools   atomic.Pointer[map[string]*sync.Pool] // copy on write
	macPoolsMu sync.Mutex
)

// getKeyedMAC returns a reset HMAC state keyed with secret and the pool to
// return it to (nil when it is not pooled).
func getKeyedMAC(secret string) (*keyedMAC, *sync.Pool) {
	if m := macPools.Load(); m != nil {
		if p := (*m)[secret]; p != nil {
			km := p.Get().(*keyedMAC)
			km.mac.Reset()
			return km, p
		}
	}
	p := addMACPool(secret)
	if p == nil {
		return newKeyedMAC(secret), nil
	}
	km := p.Get().(*keyedMAC)
	km.mac.Reset()
	return km, p
}

func newKeyedMAC(secret string) *keyedMAC {
	return &keyedMAC{mac: hmac.New(sha256.New, []byte(secret))}
}

// addMACPool adds a pool for secret unless the cache is full.
func addMACPool(secret string) *sync.Pool {
	macPoolsMu.Lock()
	defer macPoolsMu.Unlock()
	var old map[string]*sync.Pool
	if m := macPools.Load(); m != nil {
		old = *m
	}
	if p := old[secret]; p != nil {
		return p
	}
	if len(old) >= maxCachedSecrets {
		return nil
	}
	key := []byte(secret)
	p := &sync.Pool{New: func() any { return &keyedMAC{mac: hmac.New(sha256.New, key)} }}
	m := make(map[string]*sync.Pool, len(old)+1)
	for k, v := range old {
		m[k] = v
	}
	m[secret] = p
	macPools.Store(&m)
	return p
}

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

	ids webhookIDs
	key string
}

// webhookIDs are the identity fields common to every kind, found while
// parsing.
type webhookIDs struct {
	sessionID, attemptID, vendorData, endUserID string
}

// identity returns the identity fields ParseWebhook found or, for a Webhook
// built by hand, those of its typed payload.
func (w *Webhook) identity() webhookIDs {
	if w.ids != (webhookIDs{}) {
		return w.ids
	}
	switch {
	case w.Decision != nil && w.Decision.Verification != nil:
		v := w.Decision.Verification
		return webhookIDs{v.ID, v.AttemptID, v.VendorData, v.EndUserID}
	case w.Event != nil:
		return webhookIDs{w.Event.ID, w.Event.AttemptID, w.Event.VendorData, w.Event.EndUserID}
	case w.INERegistry != nil:
		r := w.INERegistry
		return webhookIDs{r.SessionID, r.AttemptID, r.VendorData, r.EndUserID}
	case w.CURPRegistry != nil:
		r := w.CURPRegistry
		return webhookIDs{r.SessionID, r.AttemptID, r.VendorData, r.EndUserID}
	case w.CombinedRegistry != nil:
		r := w.CombinedRegistry
		return webhookIDs{r.SessionID, r.AttemptID, r.VendorData, r.EndUserID}
	case w.Watchlist != nil:
		r := w.Watchlist
		return webhookIDs{r.SessionID, r.AttemptID, r.VendorData, r.EndUserID}
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
// Veriff's retries (which resend the same body) and replays. It is built from
// the kind, the session and attempt IDs and the outcome the webhook reports:
//
//   - decision: status, code and decisionTime, read as a time (so
//     "10:00:00Z" and "10:00:00.000Z" are one key): the key comes from the
//     parsed verification alone, so the same decision fetched with
//     Client.Decision and put in a Webhook by hand has the key of its
//     webhook;
//   - event: addressId (proof-of-address events), code and action, and the
//     SHA-256 of the body when it has neither attemptId nor addressId;
//   - INE, CURP and combined registries: data.code, data.status and the
//     registry's verdict (active, statusCurp);
//   - watchlist: checkType, matchStatus, totalHits and createdAt;
//   - Full Auto: the decision and time; user status: status code and time.
//
// The same body always yields the same key, and different outcomes for the
// same attempt yield different keys. Bodies without a session ID (unknown
// kinds) are keyed by the SHA-256 of Raw. The key is readable
// ("decision/<session>/<attempt>/approved/9001/<time>"), at most a few
// hundred bytes for Veriff's payloads, and safe to store as text.
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

// decisionKey is the delivery key of a decision: session, attempt, status,
// code and decision time, all as parsed, so that the key does not depend
// on how the JSON spelled them.
func decisionKey(v *Verification) string {
	t := ""
	if v.DecisionTime != nil {
		t = keyTime(*v.DecisionTime)
	}
	return joinKey(string(WebhookDecision), v.ID, v.AttemptID, string(v.Status), strconv.Itoa(v.Code), t)
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

// eventKey is the delivery key of an event: session, attempt, address
// (proof-of-address events have one and no attempt), code and action. An
// event with neither an attempt nor an address ID adds the body's digest,
// since nothing else tells two such events apart.
func eventKey(ev *Event, raw []byte) string {
	parts := []string{string(WebhookEvent), ev.ID, ev.AttemptID, ev.AddressID, strconv.Itoa(ev.Code), ev.Action}
	if ev.AttemptID == "" && ev.AddressID == "" {
		parts = append(parts, bodyDigest(raw))
	}
	return joinKey(parts...)
}

func bodyDigest(b []byte) string {
	sum := sha256.Sum256(b)
	return "sha256-" + hex.EncodeToString(sum[:])
}

// joinKey joins path-escaped parts with "/", so that no part can be
// mistaken for two.
func joinKey(parts ...string) string {
	var b strings.Builder
	for i, p := range parts {
		if i > 0 {
			b.WriteByte('/')
		}
		b.WriteString(url.PathEscape(p))
	}
	return b.String()
}

// Event is the body of an event webhook: the end-user started the flow
// (code 7001) or submitted it (code 7002). It carries no decision.
// json.Unmarshal decodes it leniently.
type Event struct {
	// ID is the session ID.
	ID string `json:"id"`
	// AttemptID is the attempt the event belongs to (absent in older
	// payloads and in proof-of-address events).
	AttemptID string `json:"attemptId"`
	// AddressID is the proof-of-address check the event belongs to (code
	// 7005 and neighbours); empty for identity events.
	AddressID string `json:"addressId"`
	// Feature is the product the event concerns ("selfid").
	Feature string `json:"feature"`
	// Code is 7001 (started) or 7002 (submitted).
	Code int `json:"code"`
	// Action is "started" or "submitted"; it matches the session statuses
	// StatusStarted and StatusSubmitted.
	Action string `json:"action"`
	// VendorData is the vendorData given at session creation; empty when
	// absent or null.
	VendorData string `json:"vendorData"`
	// EndUserID is the endUserId given at session creation; empty when
	// absent or null.
	EndUserID string `json:"endUserId"`
}

// UnmarshalJSON decodes the event leniently.
func (e *Event) UnmarshalJSON(b []byte) error { return decodeLenient(b, e) }

// INERegistryWebhook is the body of the INE registry webhook, sent once the
// session is done and the check against Mexico's electoral registry (INE)
// has finished.
type INERegistryWebhook struct {
	// EventType is "ine_registry".
	EventType  string `json:"eventType"`
	SessionID  string `json:"sessionId"`
	AttemptID  string `json:"attemptId"`
	VendorData string `json:"vendorData"`
	EndUserID  string `json:"endUserId"`
	// Version is the version of the registry check ("1.0.0").
	Version string `json:"version"`
	// Time is when the check finished; zero when absent or unparseable.
	Time time.Time `json:"time"`
	// Data is the registry's answer.
	Data INERegistryWebhookData `json:"data"`
}

// INERegistryWebhookData is the registry's answer inside an
// INERegistryWebhook.
type INERegistryWebhookData struct {
	// Status is the registry's verdict in Spanish ("La credencial es
	// válida").
	Status string `json:"status"`
	// Code is the registry's HTTP-like status code (200).
	Code int `json:"code"`
	// Details says whether the credential is active.
	Details INERegistryResult `json:"details"`
}

// UnmarshalJSON decodes the webhook leniently: a time in an unexpected
// format is left zero instead of failing the whole body.
func (w *INERegistryWebhook) UnmarshalJSON(b []byte) error { return decodeLenient(b, w) }

// CURPRegistryWebhook is the body of the CURP registry webhook, sent once
// the session is done and the check against Mexico's population registry
// (CURP) has finished. Veriff's sample names the session "id" and puts the
// attempt ID in "data"; both placements are accepted.
type CURPRegistryWebhook struct {
	// EventType is the body's "type" or "eventType" ("curp_registry").
	EventType  string `json:"eventType"`
	SessionID  string `json:"sessionId"`
	AttemptID  string `json:"attemptId"`
	VendorData string `json:"vendorData"`
	EndUserID  string `json:"endUserId"`
	// Version is the version of the registry check ("1.0.0").
	Version string `json:"version"`
	// Time is when the check finished, when the body says; zero otherwise.
	Time time.Time `json:"time"`
	// Data is the registry's answer.
	Data CURPRegistryWebhookData `json:"data"`
}

// CURPRegistryWebhookData is the registry's answer inside a
// CURPRegistryWebhook.
type CURPRegistryWebhookData struct {
	// Name names the check ("curp_registry").
	Name string `json:"name"`
	// Status is the lookup's outcome ("found").
	Status string `json:"status"`
	// Code is the registry's HTTP-like status code (200).
	Code int `json:"code"`
	// Details is the CURP record found.
	Details CURPRegistryResult `json:"details"`
}

// UnmarshalJSON decodes the webhook leniently, accepting "type" for
// "eventType", "id" for "sessionId" and "data.attemptId" for "attemptId".
func (w *CURPRegistryWebhook) UnmarshalJSON(b []byte) error { return decodeLenient(b, w) }

// afterDecode takes EventType, SessionID and AttemptID from "type", "id"
// and "data.attemptId" when the usual keys are absent.
func (w *CURPRegistryWebhook) afterDecode(obj []byte) {
	if w.EventType == "" {
		w.EventType = jsonString(memberValue(obj, "type"))
	}
	if w.SessionID == "" {
		w.SessionID = jsonString(memberValue(obj, "id"))
	}
	if w.AttemptID == "" {
		w.AttemptID = jsonString(memberValue(memberValue(obj, "data"), "attemptId"))
	}
}

// CombinedRegistryWebhook is the body of the combined INE+CURP registry
// webhook ("eventType": "combined-ine-curp-registry").
type CombinedRegistryWebhook struct {
	// EventType is "combined-ine-curp-registry".
	EventType  string `json:"eventType"`
	SessionID  string `json:"sessionId"`
	AttemptID  string `json:"attemptId"`
	VendorData string `json:"vendorData"`
	EndUserID  string `json:"endUserId"`
	// Version is the version of the registry check ("1.0.0").
	Version string `json:"version"`
	// Time is when the checks finished; zero when absent or unparseable.
	Time time.Time `json:"time"`
	// Data holds both registries' answers.
	Data CombinedRegistryWebhookData `json:"data"`
}

// CombinedRegistryWebhookData holds both registries' answers inside a
// CombinedRegistryWebhook.
type CombinedRegistryWebhookData struct {
	// Status is the overall outcome, when the body has one.
	Status string `json:"status"`
	// Code is the HTTP-like status code, when the body has one.
	Code int `json:"code"`
	// Details holds one section per registry ("ine" and "curp"); a section
	// Veriff did not send is nil.
	Details CombinedINECURPResult `json:"details"`
}

// UnmarshalJSON decodes the webhook leniently: a time in an unexpected
// format is left zero instead of failing the whole body.
func (w *CombinedRegistryWebhook) UnmarshalJSON(b []byte) error { return decodeLenient(b, w) }

// ParseWebhook decodes a webhook body (verify it first with VerifyWebhook)
// and tells its kind by shape:
//
//   - "eventType" (or "type") "ine_registry", "curp_registry",
//     "combined-ine-curp-registry", "fullauto" or "user-status...": that kind;
//   - a top-level "verification" object: WebhookDecision;
//   - a top-level "checkType": WebhookWatchlist;
//   - "action" and a "code" from 7000 to 7999: WebhookEvent;
//   - anything else: WebhookUnknown, with no error, since Veriff adds kinds
//     without notice.
//
// Raw always holds body. Decoding is lenient: unknown fields are ignored,
// and a field whose JSON type differs from the SDK's type is left zero
// rather than failing the whole webhook (Raw still has it). The error, which
// wraps ErrMalformedWebhook, is kept for bodies that are not one JSON object
// and for a known kind whose identity is broken: a "verification" that is
// not an object or has no "id", an event whose "code" is not an integer or
// that has no "id", a registry webhook without a session ID, a "data" that
// is not an object.
func ParseWebhook(body []byte) (*Webhook, error) {
	trimmed := bytes.TrimLeft(body, " \t\r\n")
	if len(trimmed) == 0 || trimmed[0] != '{' {
		return nil, malformed("body is not a JSON object")
	}
	var p webhookProbe
	if err := json.Unmarshal(body, &p); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformedWebhook, err)
	}
	w := &Webhook{Raw: body, Kind: WebhookUnknown}
	w.EventType = jsonString(p.EventType)
	typ := w.EventType
	if typ == "" {
		typ = jsonString(p.Type)
		if registryKind(typ) == WebhookCURPRegistry {
			w.EventType = typ
		} else {
			typ = ""
		}
	}
	kind := registryKind(typ)
	var err error
	switch {
	case kind != WebhookUnknown:
		err = w.parseByEventType(kind, body)
	case p.Verification != nil:
		err = w.parseDecision(body, p.Verification)
	case p.CheckType != nil:
		err = w.parseWatchlist(body, p.CheckType)
	case p.Action != nil && p.Code != nil:
		err = w.parseEvent(body, p.Action, p.Code)
	}
	if err != nil {
		return nil, err
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

// registryKind maps an eventType to its kind, WebhookUnknown if none.
func registryKind(eventType string) WebhookKind {
	t := strings.ReplaceAll(strings.ToLower(eventType), "-", "_")
	switch {
	case t == "ine_registry":
		return WebhookINERegistry
	case t == "curp_registry":
		return WebhookCURPRegistry
	case t == "combined_ine_curp_registry" || t == "ine_curp_registry":
		return WebhookCombinedRegistry
	case t == "fullauto" || t == "full_auto":
		return WebhookFullAuto
	case strings.HasPrefix(t, "user_status"):
		return WebhookUserStatus
	}
	return WebhookUnknown
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

// decisionKeys are the fields of a decision's verification that identify
// the delivery. They are decoded strictly.
type decisionKeys struct {
	ID           string      `json:"id"`
	AttemptID    string      `json:"attemptId"`
	Status       string      `json:"status"`
	Code         json.Number `json:"code"`
	DecisionTime *string     `json:"decisionTime"`
	// Not identity: any JSON value is accepted, only strings are kept.
	VendorData json.RawMessage `json:"vendorData"`
	EndUserID  json.RawMessage `json:"endUserId"`
}

func (w *Webhook) parseDecision(body []byte, verification json.RawMessage) error {
	if !isObject(verification) {
		return malformed("decision: verification is not an object")
	}
	var k decisionKeys
	if err := json.Unmarshal(verification, &k); err != nil {
		return malformed("decision: %v", err)
	}
	if k.ID == "" {
		return malformed("decision: verification.id is missing")
	}
	var d Decision
	if err := decodeWebhook(body, &d); err != nil {
		return err
	}
	if d.Verification == nil {
		d.Verification = &Verification{}
	}
	// The identity fields come from the strict decode, whatever the
	// Decision type makes of them.
	d.Verification.ID, d.Verification.AttemptID = k.ID, k.AttemptID
	w.Kind, w.Decision = WebhookDecision, &d
	w.ids = webhookIDs{sessionID: k.ID, attemptID: k.AttemptID, vendorData: jsonString(k.VendorData), endUserID: jsonString(k.EndUserID)}
	w.key = decisionKey(d.Verification)
	return nil
}

func (w *Webhook) parseEvent(body []byte, action, code json.RawMessage) error {
	n, err := strconv.ParseInt(string(code), 10, 64)
	if err != nil {
		if len(code) > 0 && (code[0] == '-' || (code[0] >= '0' && code[0] <= '9')) {
			// A number, but not an integer: not an event we know.
			return malformed("event: code is not an integer")
		}
		return malformed("event: code is not a number")
	}
	if n < 7000 || n > 7999 {
		return nil // not an event: unknown kind
	}
	if len(action) == 0 || action[0] != '"' {
		return malformed("event: action is not a string")
	}
	var ev Event
	if err := decodeWebhook(body, &ev); err != nil {
		return err
	}
	if ev.ID == "" {
		return malformed("event: id is missing")
	}
	ev.Code = int(n)
	w.Kind, w.Event = WebhookEvent, &ev
	w.ids = webhookIDs{sessionID: ev.ID, attemptID: ev.AttemptID, vendorData: ev.VendorData, endUserID: ev.EndUserID}
	w.key = eventKey(&ev, body)
	return nil
}

// watchlistKeys identify a watchlist delivery; decoded strictly.
type watchlistKeys struct {
	CheckType   string          `json:"checkType"`
	SessionID   string          `json:"sessionId"`
	AttemptID   string          `json:"attemptId"`
	VendorData  json.RawMessage `json:"vendorData"`
	EndUserID   json.RawMessage `json:"endUserId"`
	MatchStatus string          `json:"matchStatus"`
	TotalHits   json.Number     `json:"totalHits"`
	CreatedAt   string          `json:"createdAt"`
}

func (w *Webhook) parseWatchlist(body []byte, checkType json.RawMessage) error {
	if len(checkType) == 0 || checkType[0] != '"' {
		return malformed("watchlist: checkType is not a string")
	}
	var k watchlistKeys
	if err := json.Unmarshal(body, &k); err != nil {
		return malformed("watchlist: %v", err)
	}
	var ws WatchlistScreening
	if err := decodeWebhook(body, &ws); err != nil {
		return err
	}
	w.Kind, w.Watchlist = WebhookWatchlist, &ws
	w.ids = webhookIDs{sessionID: k.SessionID, attemptID: k.AttemptID, vendorData: jsonString(k.VendorData), endUserID: jsonString(k.EndUserID)}
	if k.SessionID != "" {
		w.key = joinKey(string(WebhookWatchlist), k.SessionID, k.AttemptID, k.CheckType, k.MatchStatus, k.TotalHits.String(), k.CreatedAt)
	}
	return nil
}

// registryKeys identify a registry, Full Auto or user-status delivery. The
// identity fields are decoded strictly; the outcome fields are raw, since
// they differ between kinds.
type registryKeys struct {
	SessionID  string          `json:"sessionId"`
	ID         string          `json:"id"`
	AttemptID  string          `json:"attemptId"`
	VendorData json.RawMessage `json:"vendorData"`
	EndUserID  json.RawMessage `json:"endUserId"`
	Time       string          `json:"time"`
	Data       *struct {
		AttemptID    string          `json:"attemptId"`
		Status       json.RawMessage `json:"status"`
		Code         json.RawMessage `json:"code"`
		Details      json.RawMessage `json:"details"`
		Verification json.RawMessage `json:"verification"`
	} `json:"data"`
}

func (w *Webhook) parseByEventType(kind WebhookKind, body []byte) error {
	var k registryKeys
	if err := json.Unmarshal(body, &k); err != nil {
		return malformed("%s: %v", kind, err)
	}
	sid := k.SessionID
	if sid == "" {
		sid = k.ID
	}
	aid := k.AttemptID
	if aid == "" && k.Data != nil {
		aid = k.Data.AttemptID
	}
	w.ids = webhookIDs{sessionID: sid, attemptID: aid, vendorData: jsonString(k.VendorData), endUserID: jsonString(k.EndUserID)}
	var status, code, details json.RawMessage
	if k.Data != nil {
		status, code, details = k.Data.Status, k.Data.Code, k.Data.Details
		if details != nil && !isObject(details) && string(details) != "null" {
			return malformed("%s: data.details is not an object", kind)
		}
	}
	switch kind {
	case WebhookINERegistry, WebhookCURPRegistry, WebhookCombinedRegistry:
		if sid == "" {
			return malformed("%s: session ID is missing", kind)
		}
	}
	w.Kind = kind
	switch kind {
	case WebhookINERegistry:
		var r INERegistryWebhook
		if err := decodeWebhook(body, &r); err != nil {
			return err
		}
		w.INERegistry = &r
		w.key = joinKey(string(kind), sid, aid, rawKey(code), rawKey(status), strconv.FormatBool(r.Data.Details.Active))
	case WebhookCURPRegistry:
		var r CURPRegistryWebhook
		if err := decodeWebhook(body, &r); err != nil {
			return err
		}
		w.CURPRegistry = &r
		w.key = joinKey(string(kind), sid, aid, rawKey(code), rawKey(status), string(r.Data.Details.StatusCurp))
	case WebhookCombinedRegistry:
		var r CombinedRegistryWebhook
		if err := decodeWebhook(body, &r); err != nil {
			return err
		}
		w.CombinedRegistry = &r
		ine, curp := "", ""
		if r.Data.Details.INE != nil {
			ine = strconv.FormatBool(r.Data.Details.INE.Active)
		}
		if r.Data.Details.CURP != nil {
			curp = string(r.Data.Details.CURP.StatusCurp)
		}
		w.key = joinKey(string(kind), sid, aid, rawKey(code), rawKey(status), ine, curp)
	case WebhookFullAuto:
		var v struct {
			Decision      json.RawMessage `json:"decision"`
			DecisionScore json.RawMessage `json:"decisionScore"`
		}
		if k.Data != nil && isObject(k.Data.Verification) {
			_ = json.Unmarshal(k.Data.Verification, &v)
		}
		if sid != "" {
			w.key = joinKey(string(kind), sid, aid, rawKey(v.Decision), rawKey(v.DecisionScore), k.Time)
		}
	case WebhookUserStatus:
		var v struct {
			ID              string `json:"id"`
			UserDefinedData struct {
				Status     json.RawMessage `json:"status"`
				StatusCode json.RawMessage `json:"statusCode"`
				CreatedAt  json.RawMessage `json:"createdAt"`
			} `json:"userDefinedData"`
		}
		if k.Data != nil && isObject(k.Data.Verification) {
			_ = json.Unmarshal(k.Data.Verification, &v)
		}
		if w.ids.sessionID == "" {
			w.ids.sessionID = v.ID
		}
		if w.ids.sessionID != "" {
			u := v.UserDefinedData
			w.key = joinKey(string(kind), w.ids.sessionID, aid, rawKey(u.StatusCode), rawKey(u.Status), rawKey(u.CreatedAt), k.Time)
		}
	}
	return nil
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

// WebhookHandler is an http.Handler that receives Veriff's webhooks: it
// checks the method, bounds and verifies the body, parses it and passes it
// to Handle. It answers
//
//   - 405 (with Allow: POST) to any method but POST;
//   - 401 when APIKey is set and X-AUTH-CLIENT (or VRF-AUTH-CLIENT) differs
//     from it, or IntegrationID is set and vrf-integration-id differs;
//   - 413 when the body exceeds MaxBodyBytes;
//   - 401 when the signature is missing or matches none of Secrets (before
//     any parsing);
//   - 400 when the verified body is not a well-formed webhook;
//   - 500 when Handle returns an error, so that Veriff retries (about once
//     an hour for up to a week);
//   - 200 otherwise, including for kinds the SDK does not know.
//
// Responses are short plain text and never echo the body. A WebhookHandler
// must not be modified while it serves requests; it is safe for concurrent
// use otherwise.
//
// # Receiving webhooks idempotently
//
// Veriff signs the raw body of every webhook with the integration's shared
// secret, but the signature carries no timestamp, and Veriff answers
// anything but 200 by sending the very same body again about once an hour
// for up to a week. A session may also produce several decision webhooks
// (resubmission, then a final decision; a decision changed after review).
// So a receiver must be idempotent: record each delivery under its
// Webhook.DeliveryKey, do the work at most once per key, and answer 200
// quickly, doing slow work elsewhere:
//
//	h := &veriff.WebhookHandler{
//		// Every live secret: the new one and, while rotating, the old one.
//		Secrets: []string{os.Getenv("VERIFF_SECRET"), os.Getenv("VERIFF_SECRET_OLD")},
//		APIKey:  os.Getenv("VERIFF_API_KEY"),
//		Handle: func(ctx context.Context, wh *veriff.Webhook) error {
//			// One transaction: insert the key (unique index) and queue
//			// the work. A duplicate key is a retry or replay of a
//			// delivery already recorded: acknowledge it again.
//			inserted, err := db.InsertDeliveryOnce(ctx, wh.DeliveryKey(), wh.SessionID(), wh.Kind, wh.Raw)
//			if err != nil {
//				return err // 500: Veriff sends it again later
//			}
//			if inserted {
//				worker.Wake() // process outside the request
//			}
//			return nil // 200
//		},
//	}
//	mux.Handle("POST /veriff/webhooks", h)
//
// Return an error from Handle only when the delivery was not recorded, so
// that Veriff's retry is useful. Decisions may arrive out of order with
// events; order them by the payload (decision time, code), not by arrival.
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
	// (status and reason). Bodies, secrets and signatures are never logged.
	Logger *slog.Logger
}

// ServeHTTP implements http.Handler.
func (h *WebhookHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		h.reply(r, w, http.StatusMethodNotAllowed, "method not allowed")
		return
	}
	if h.APIKey != "" {
		got := headerValue(r.Header, webhookAuthHeader)
		if got == "" {
			got = headerValue(r.Header, webhookAuthHeaderVRF)
		}
		if subtle.ConstantTimeCompare([]byte(got), []byte(h.APIKey)) != 1 {
			h.reply(r, w, http.StatusUnauthorized, "API key missing or wrong")
			return
		}
	}
	if h.IntegrationID != "" {
		if got := headerValue(r.Header, webhookIntegrationIDHdr); got != "" && got != h.IntegrationID {
			h.reply(r, w, http.StatusUnauthorized, "integration ID mismatch")
			return
		}
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
	if err := VerifyWebhook(body, r.Header, h.Secrets...); err != nil {
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
			if h.Logger != nil {
				h.Logger.LogAttrs(r.Context(), slog.LevelError, "veriff webhook: handler failed",
					slog.Int("status", http.StatusInternalServerError),
					slog.String("kind", string(wh.Kind)),
					slog.String("session_id", wh.SessionID()),
					slog.String("error", err.Error()))
			}
			http.Error(w, "handler failed", http.StatusInternalServerError)
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
