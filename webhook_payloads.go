package veriff

import (
	"encoding/json"
	"strconv"
	"time"
)

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
		w.key = fullAutoKey(&k, sid, aid)
	case WebhookUserStatus:
		w.setUserStatus(&k, aid)
	}
	return nil
}

// fullAutoKey is the delivery key of a Full Auto webhook: the decision,
// its score and the time.
func fullAutoKey(k *registryKeys, sid, aid string) string {
	var v struct {
		Decision      json.RawMessage `json:"decision"`
		DecisionScore json.RawMessage `json:"decisionScore"`
	}
	if k.Data != nil && isObject(k.Data.Verification) {
		_ = json.Unmarshal(k.Data.Verification, &v)
	}
	if sid == "" {
		return ""
	}
	return joinKey(string(WebhookFullAuto), sid, aid, rawKey(v.Decision), rawKey(v.DecisionScore), k.Time)
}

// setUserStatus sets the session ID (from data.verification.id when the
// body has no other) and the delivery key of a user-status webhook.
func (w *Webhook) setUserStatus(k *registryKeys, aid string) {
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
		w.key = joinKey(string(WebhookUserStatus), w.ids.sessionID, aid, rawKey(u.StatusCode), rawKey(u.Status), rawKey(u.CreatedAt), k.Time)
	}
}
