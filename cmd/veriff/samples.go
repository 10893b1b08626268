package main

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/veriffgo/veriff"
)

// The sample webhooks that "veriff trigger" sends. The bodies are written
// here from the shapes the SDK parses; the person in them is fictitious.

// sampleInput is what a sample body is built from.
type sampleInput struct {
	sessionID string
	attemptID string
	status    string // the kind's own meaning; "" for the kind's default
	now       time.Time
}

// sampleKind builds the body of one kind of webhook.
type sampleKind struct {
	kind veriff.WebhookKind
	// statuses are the values -status takes for this kind, the default
	// first, and what -status means.
	statuses []string
	meaning  string
	build    func(in sampleInput) any
}

// decisionCodes maps a decision status to the code Veriff sends with it.
var decisionCodes = map[string]int{
	string(veriff.StatusApproved):              veriff.CodeApproved,
	string(veriff.StatusDeclined):              veriff.CodeDeclined,
	string(veriff.StatusResubmissionRequested): veriff.CodeResubmissionRequested,
	string(veriff.StatusReview):                veriff.CodeReview,
	string(veriff.StatusExpired):               veriff.CodeExpiredOrAbandoned,
	string(veriff.StatusAbandoned):             veriff.CodeExpiredOrAbandoned,
}

func sampleKinds() []sampleKind {
	return []sampleKind{
		{veriff.WebhookDecision, []string{"approved", "declined", "resubmission_requested", "review", "expired", "abandoned"}, "the decision", decisionSample},
		{veriff.WebhookEvent, []string{"submitted", "started"}, "the event's action (7002 or 7001)", eventSample},
		{veriff.WebhookINERegistry, []string{"active", "inactive"}, "whether the credential is active", ineSample},
		{veriff.WebhookCURPRegistry, []string{string(veriff.CURPStatusAltaNormal), string(veriff.CURPStatusBajaDefuncion)}, "the CURP status code", curpSample},
		{veriff.WebhookCombinedRegistry, []string{"active", "inactive"}, "whether the INE credential is active", combinedSample},
		{veriff.WebhookWatchlist, []string{string(veriff.MatchStatusNoMatch), string(veriff.MatchStatusPossibleMatch)}, "the match status", watchlistSample},
		{veriff.WebhookFullAuto, []string{"approved", "declined"}, "the automated decision", fullAutoSample},
	}
}

// findSampleKind looks a kind up by name, with "-" and "_" alike.
func findSampleKind(name string) (sampleKind, bool) {
	n := strings.ReplaceAll(strings.ToLower(name), "-", "_")
	for _, k := range sampleKinds() {
		if string(k.kind) == n {
			return k, true
		}
	}
	return sampleKind{}, false
}

// sampleBody returns the JSON body of kind k for in, or an error naming
// the statuses k accepts.
func sampleBody(k sampleKind, in sampleInput) ([]byte, error) {
	if in.status == "" {
		in.status = k.statuses[0]
	}
	ok := false
	for _, s := range k.statuses {
		ok = ok || s == in.status
	}
	if !ok {
		return nil, fmt.Errorf("-status %q is not one of %s for %s (%s)", in.status, strings.Join(k.statuses, ", "), k.kind, k.meaning)
	}
	return json.MarshalIndent(k.build(in), "", "  ")
}

func kindNames() string {
	var names []string
	for _, k := range sampleKinds() {
		names = append(names, string(k.kind))
	}
	sort.Strings(names)
	return strings.Join(names, ", ")
}

func stamp(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

const sampleVendorData = "veriff-trigger-sample"

func decisionSample(in sampleInput) any {
	v := map[string]any{
		"id": in.sessionID, "attemptId": in.attemptID,
		"vendorData": sampleVendorData, "endUserId": nil,
		"status": in.status, "code": decisionCodes[in.status],
		"reason": nil, "reasonCode": nil,
		"decisionTime":   stamp(in.now),
		"acceptanceTime": stamp(in.now.Add(-3 * time.Minute)),
		"person": map[string]any{
			"firstName": "MARIA", "lastName": "EJEMPLO PRUEBA",
			"dateOfBirth": "1990-01-31", "gender": "F", "nationality": "MX",
			"idNumber": "EJPM900131MDFJRR05",
		},
		"document": map[string]any{
			"type": "ID_CARD", "country": "MX", "number": "0000000000000",
			"validUntil": "2031-12-31",
		},
		"riskLabels": []any{},
	}
	switch in.status {
	case "declined":
		v["reason"], v["reasonCode"] = veriff.ReasonCodeText(102), 102
	case "resubmission_requested":
		v["reason"], v["reasonCode"] = veriff.ReasonCodeText(204), 204
	}
	return map[string]any{
		"status":        "success",
		"verification":  v,
		"technicalData": map[string]any{"ip": nil},
	}
}

func eventSample(in sampleInput) any {
	code := veriff.CodeSubmitted
	if in.status == "started" {
		code = veriff.CodeStarted
	}
	return map[string]any{
		"id": in.sessionID, "attemptId": in.attemptID, "feature": "selfid",
		"code": code, "action": in.status,
		"vendorData": sampleVendorData, "endUserId": nil,
	}
}

func ineDetails(active bool) map[string]any {
	if active {
		return map[string]any{"active": true, "documentState": "Credencial vigente (muestra de veriff trigger)"}
	}
	return map[string]any{"active": false, "documentState": "Credencial no vigente (muestra de veriff trigger)"}
}

func ineSample(in sampleInput) any {
	return eventEnvelope(in, "ine_registry", "1.0.0", map[string]any{
		"status": "Consulta realizada", "code": 200,
		"details": ineDetails(in.status == "active"),
	})
}

func curpDetails(status string) map[string]any {
	return map[string]any{
		"statusCurp": status, "curp": "EJPM900131MDFJRR05",
		"description": "Registro de muestra de veriff trigger",
	}
}

func curpSample(in sampleInput) any {
	return eventEnvelope(in, "curp_registry", "1.0.0", map[string]any{
		"name": "curp_registry", "status": "found", "code": 200,
		"details": curpDetails(in.status),
	})
}

func combinedSample(in sampleInput) any {
	return eventEnvelope(in, "combined-ine-curp-registry", "1.0.0", map[string]any{
		"status": "success", "code": 200,
		"details": map[string]any{
			"ine":  ineDetails(in.status == "active"),
			"curp": curpDetails(string(veriff.CURPStatusAltaNormal)),
		},
	})
}

// eventEnvelope is the body of the webhooks that carry an eventType: the
// session's IDs, the version (none when ""), the time and data.
func eventEnvelope(in sampleInput, eventType, version string, data map[string]any) map[string]any {
	e := map[string]any{
		"eventType": eventType, "sessionId": in.sessionID, "attemptId": in.attemptID,
		"vendorData": sampleVendorData, "endUserId": nil, "time": stamp(in.now), "data": data,
	}
	if version != "" {
		e["version"] = version
	}
	return e
}

func watchlistSample(in sampleInput) any {
	hits := []any{}
	if in.status == string(veriff.MatchStatusPossibleMatch) {
		hits = append(hits, map[string]any{
			"matchedName": "MARIA EJEMPLO", "countries": []string{"MX"},
			"dateOfBirth": "1990", "matchTypes": []string{"name_exact"},
		})
	}
	return map[string]any{
		"checkType": veriff.CheckTypeInitialResult, "sessionId": in.sessionID, "attemptId": in.attemptID,
		"vendorData": sampleVendorData, "endUserId": nil,
		"matchStatus": in.status,
		"searchTerm":  map[string]any{"name": "MARIA EJEMPLO PRUEBA", "year": "1990"},
		"totalHits":   len(hits), "createdAt": stamp(in.now), "hits": hits,
	}
}

func fullAutoSample(in sampleInput) any {
	score := 0.93
	if in.status == "declined" {
		score = 0.12
	}
	return eventEnvelope(in, "fullauto", "", map[string]any{
		"verification": map[string]any{"decision": in.status, "decisionScore": score},
	})
}
