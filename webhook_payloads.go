package veriff

import (
	"encoding/json"
	"strconv"
	"strings"
	"time"
)

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

// decisionPayload is a decision webhook. Its identity comes from a strict
// decode of "verification", whatever the Decision type makes of it.
type decisionPayload struct {
	webhookIDs
	d *Decision
}

func (p decisionPayload) deliveryKey([]byte) string { return decisionKey(p.d.Verification) }

func handDecision(w *Webhook) (webhookIDs, bool) {
	if w.Decision == nil || w.Decision.Verification == nil {
		return webhookIDs{}, false
	}
	v := w.Decision.Verification
	return webhookIDs{v.ID, v.AttemptID, v.VendorData, v.EndUserID}, true
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

func parseDecision(w *Webhook, body []byte, p *webhookProbe) (payload, error) {
	if !isObject(p.Verification) {
		return nil, malformed("decision: verification is not an object")
	}
	var k decisionKeys
	if err := json.Unmarshal(p.Verification, &k); err != nil {
		return nil, malformed("decision: %v", err)
	}
	if k.ID == "" {
		return nil, malformed("decision: verification.id is missing")
	}
	var d Decision
	if err := decodeWebhook(body, &d); err != nil {
		return nil, err
	}
	if d.Verification == nil {
		d.Verification = &Verification{}
	}
	// The identity fields come from the strict decode, whatever the
	// Decision type makes of them.
	d.Verification.ID, d.Verification.AttemptID = k.ID, k.AttemptID
	w.Decision = &d
	return decisionPayload{webhookIDs{k.ID, k.AttemptID, jsonString(k.VendorData), jsonString(k.EndUserID)}, &d}, nil
}

// An *Event is its own payload.
func (e *Event) identity() webhookIDs {
	return webhookIDs{e.ID, e.AttemptID, e.VendorData, e.EndUserID}
}

// deliveryKey is the delivery key of an event: session, attempt, address
// (proof-of-address events have one and no attempt), code and action. An
// event with neither an attempt nor an address ID adds the body's digest,
// since nothing else tells two such events apart.
func (e *Event) deliveryKey(raw []byte) string {
	parts := []string{string(WebhookEvent), e.ID, e.AttemptID, e.AddressID, strconv.Itoa(e.Code), e.Action}
	if e.AttemptID == "" && e.AddressID == "" {
		parts = append(parts, bodyDigest(raw))
	}
	return joinKey(parts...)
}

func handEvent(w *Webhook) (webhookIDs, bool) {
	if w.Event == nil {
		return webhookIDs{}, false
	}
	return w.Event.identity(), true
}

func parseEvent(w *Webhook, body []byte, p *webhookProbe) (payload, error) {
	action, code := p.Action, p.Code
	n, err := strconv.ParseInt(string(code), 10, 64)
	if err != nil {
		if len(code) > 0 && (code[0] == '-' || (code[0] >= '0' && code[0] <= '9')) {
			// A number, but not an integer: not an event we know.
			return nil, malformed("event: code is not an integer")
		}
		return nil, malformed("event: code is not a number")
	}
	if n < 7000 || n > 7999 {
		return nil, nil // not an event: unknown kind
	}
	if len(action) == 0 || action[0] != '"' {
		return nil, malformed("event: action is not a string")
	}
	var ev Event
	if err := decodeWebhook(body, &ev); err != nil {
		return nil, err
	}
	if ev.ID == "" {
		return nil, malformed("event: id is missing")
	}
	ev.Code = int(n)
	w.Event = &ev
	return &ev, nil
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

// watchlistPayload is a watchlist webhook, keyed by its strict keys.
type watchlistPayload struct {
	webhookIDs
	k watchlistKeys
}

func (p watchlistPayload) deliveryKey([]byte) string {
	k := p.k
	if k.SessionID == "" {
		return ""
	}
	return joinKey(string(WebhookWatchlist), k.SessionID, k.AttemptID, k.CheckType, k.MatchStatus, k.TotalHits.String(), k.CreatedAt)
}

func handWatchlist(w *Webhook) (webhookIDs, bool) {
	if w.Watchlist == nil {
		return webhookIDs{}, false
	}
	r := w.Watchlist
	return webhookIDs{r.SessionID, r.AttemptID, r.VendorData, r.EndUserID}, true
}

func parseWatchlist(w *Webhook, body []byte, p *webhookProbe) (payload, error) {
	if len(p.CheckType) == 0 || p.CheckType[0] != '"' {
		return nil, malformed("watchlist: checkType is not a string")
	}
	var k watchlistKeys
	if err := json.Unmarshal(body, &k); err != nil {
		return nil, malformed("watchlist: %v", err)
	}
	var ws WatchlistScreening
	if err := decodeWebhook(body, &ws); err != nil {
		return nil, err
	}
	w.Watchlist = &ws
	return watchlistPayload{webhookIDs{k.SessionID, k.AttemptID, jsonString(k.VendorData), jsonString(k.EndUserID)}, k}, nil
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
	Data       struct {
		AttemptID    string          `json:"attemptId"`
		Status       json.RawMessage `json:"status"`
		Code         json.RawMessage `json:"code"`
		Details      json.RawMessage `json:"details"`
		Verification json.RawMessage `json:"verification"`
	} `json:"data"`
}

// registryPayload is what the registry, Full Auto and user-status kinds
// share: the identity (session from "sessionId" or "id", attempt from
// "attemptId" or "data.attemptId") and the raw outcome fields.
type registryPayload struct {
	webhookIDs
	k registryKeys
}

// decodeRegistry decodes the keys of a body of kind. A registry kind
// (needSession) without a session ID is malformed.
func decodeRegistry(kind WebhookKind, body []byte, needSession bool) (registryPayload, error) {
	var r registryPayload
	k := &r.k
	if err := json.Unmarshal(body, k); err != nil {
		return r, malformed("%s: %v", kind, err)
	}
	r.webhookIDs = webhookIDs{k.SessionID, k.AttemptID, jsonString(k.VendorData), jsonString(k.EndUserID)}
	if r.sessionID == "" {
		r.sessionID = k.ID
	}
	if r.attemptID == "" {
		r.attemptID = k.Data.AttemptID
	}
	if d := k.Data.Details; d != nil && !isObject(d) && string(d) != "null" {
		return r, malformed("%s: data.details is not an object", kind)
	}
	if needSession && r.sessionID == "" {
		return r, malformed("%s: session ID is missing", kind)
	}
	return r, nil
}

// key joins kind, the session and attempt, data.code, data.status and the
// registry's verdicts.
func (r registryPayload) key(kind WebhookKind, verdicts ...string) string {
	parts := append([]string{string(kind), r.sessionID, r.attemptID, rawKey(r.k.Data.Code), rawKey(r.k.Data.Status)}, verdicts...)
	return joinKey(parts...)
}

// registryBody is what a registry webhook's type tells of itself: the
// identity it holds and the registry's verdicts, which key its delivery.
type registryBody interface {
	identity() webhookIDs
	verdicts() []string
}

// registryVerdict is a registry webhook of kind, keyed by its verdicts.
type registryVerdict struct {
	registryPayload
	kind WebhookKind
	body registryBody
}

func (p registryVerdict) deliveryKey([]byte) string { return p.key(p.kind, p.body.verdicts()...) }

// registryEntry is the webhookKinds entry of a registry kind whose body is
// a T, held in the Webhook field that field points to.
func registryEntry[T any, P interface {
	*T
	registryBody
}](kind WebhookKind, recognise func(*webhookProbe) bool, field func(*Webhook) **T) webhookKind {
	parse := func(w *Webhook, body []byte, p *webhookProbe) (payload, error) {
		if w.EventType == "" { // recognised by "type"
			w.EventType = jsonString(p.Type)
		}
		rp, err := decodeRegistry(kind, body, true)
		if err != nil {
			return nil, err
		}
		r := new(T)
		if err := decodeWebhook(body, r); err != nil {
			return nil, err
		}
		*field(w) = r
		return registryVerdict{rp, kind, P(r)}, nil
	}
	handIDs := func(w *Webhook) (webhookIDs, bool) {
		if r := *field(w); r != nil {
			return P(r).identity(), true
		}
		return webhookIDs{}, false
	}
	return webhookKind{kind, recognise, parse, handIDs}
}

func (r *INERegistryWebhook) identity() webhookIDs {
	return webhookIDs{r.SessionID, r.AttemptID, r.VendorData, r.EndUserID}
}

// verdicts is whether the credential is active.
func (r *INERegistryWebhook) verdicts() []string {
	return []string{strconv.FormatBool(r.Data.Details.Active)}
}

func (r *CURPRegistryWebhook) identity() webhookIDs {
	return webhookIDs{r.SessionID, r.AttemptID, r.VendorData, r.EndUserID}
}

// verdicts is the record's status.
func (r *CURPRegistryWebhook) verdicts() []string { return []string{string(r.Data.Details.StatusCurp)} }

// isCURPRegistry recognises "eventType", or "type" when there is no
// eventType, "curp_registry".
func isCURPRegistry(p *webhookProbe) bool {
	return p.eventType == "curp_registry" || p.eventType == "" && p.typ == "curp_registry"
}

func (r *CombinedRegistryWebhook) identity() webhookIDs {
	return webhookIDs{r.SessionID, r.AttemptID, r.VendorData, r.EndUserID}
}

// verdicts are both registries' states ("" for a section not sent).
func (r *CombinedRegistryWebhook) verdicts() []string {
	ine, curp := "", ""
	if d := r.Data.Details.INE; d != nil {
		ine = strconv.FormatBool(d.Active)
	}
	if d := r.Data.Details.CURP; d != nil {
		curp = string(d.StatusCurp)
	}
	return []string{ine, curp}
}

// fullAutoPayload is a Full Auto webhook, keyed by the decision, its score
// and the time.
type fullAutoPayload struct{ registryPayload }

func (p fullAutoPayload) deliveryKey([]byte) string {
	var v struct {
		Decision      json.RawMessage `json:"decision"`
		DecisionScore json.RawMessage `json:"decisionScore"`
	}
	if isObject(p.k.Data.Verification) {
		_ = json.Unmarshal(p.k.Data.Verification, &v)
	}
	if p.sessionID == "" {
		return ""
	}
	return joinKey(string(WebhookFullAuto), p.sessionID, p.attemptID, rawKey(v.Decision), rawKey(v.DecisionScore), p.k.Time)
}

func parseFullAuto(_ *Webhook, body []byte, _ *webhookProbe) (payload, error) {
	rp, err := decodeRegistry(WebhookFullAuto, body, false)
	if err != nil {
		return nil, err
	}
	return fullAutoPayload{rp}, nil
}

// userStatusPayload is a user-status webhook, keyed by the status code and
// the time. Its session is data.verification.id when the body has no other.
type userStatusPayload struct {
	registryPayload
	status, statusCode, createdAt json.RawMessage
}

func (p userStatusPayload) deliveryKey([]byte) string {
	if p.sessionID == "" {
		return ""
	}
	return joinKey(string(WebhookUserStatus), p.sessionID, p.attemptID, rawKey(p.statusCode), rawKey(p.status), rawKey(p.createdAt), p.k.Time)
}

// isUserStatus recognises every "user-status..." eventType.
func isUserStatus(p *webhookProbe) bool { return strings.HasPrefix(p.eventType, "user_status") }

func parseUserStatus(_ *Webhook, body []byte, _ *webhookProbe) (payload, error) {
	rp, err := decodeRegistry(WebhookUserStatus, body, false)
	if err != nil {
		return nil, err
	}
	var v struct {
		ID              string `json:"id"`
		UserDefinedData struct {
			Status     json.RawMessage `json:"status"`
			StatusCode json.RawMessage `json:"statusCode"`
			CreatedAt  json.RawMessage `json:"createdAt"`
		} `json:"userDefinedData"`
	}
	if isObject(rp.k.Data.Verification) {
		_ = json.Unmarshal(rp.k.Data.Verification, &v)
	}
	if rp.sessionID == "" {
		rp.sessionID = v.ID
	}
	u := v.UserDefinedData
	return userStatusPayload{rp, u.Status, u.StatusCode, u.CreatedAt}, nil
}
