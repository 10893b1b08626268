package veriff

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// rawAt returns the exact bytes of the member at path inside the JSON
// object body (body itself, trimmed, for no path).
func rawAt(t *testing.T, body []byte, path ...string) json.RawMessage {
	t.Helper()
	raw := json.RawMessage(bytes.TrimSpace(body))
	for _, key := range path {
		var m map[string]json.RawMessage
		require.NoError(t, json.Unmarshal(raw, &m))
		raw = m[key]
		require.NotNil(t, raw, key)
	}
	return raw
}

// TestLenientEveryPayloadType feeds each payload type a body with one
// mistyped member (testdata/lenient) and checks that only that member is
// lost: the whole decoded value is compared with want.
func TestLenientEveryPayloadType(t *testing.T) {
	tests := append(lenientSessionCases(t), lenientWebhookCases(t)...)
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			body := fixture(t, "lenient/"+tt.file)
			got := tt.into()
			require.NoError(t, json.Unmarshal(body, got))
			assert.Equal(t, tt.want(body), got)
		})
	}
}

// lenientWhen is the time every lenient fixture carries.
var lenientWhen = time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC)

// lenientCase is one payload type: the fixture under testdata/lenient, a
// new empty value to decode it into, and the value it must decode to.
type lenientCase struct {
	file string
	into func() any
	want func(b []byte) any
}

// lenientSessionCases are the types the session endpoints answer with.
func lenientSessionCases(t *testing.T) []lenientCase {
	when := lenientWhen
	return []lenientCase{
		{"decision.json", func() any { return &Decision{} }, func(b []byte) any {
			return &Decision{Status: "success", TechnicalData: &TechnicalData{},
				Verification: &Verification{ID: "s1", Status: StatusApproved, Code: 9001, Raw: rawAt(t, b, "verification")}}
		}},
		{"verification.json", func() any { return &Verification{} }, func(b []byte) any {
			return &Verification{ID: "s1", AttemptID: "a1", Status: StatusApproved, Code: 9001, EndUserID: "u1", Raw: rawAt(t, b)}
		}},
		{"decision_person.json", func() any { return &DecisionPerson{} }, func(b []byte) any {
			return &DecisionPerson{FirstName: "ANA", IDNumber: "X1", YearOfBirth: "1980", Raw: rawAt(t, b)}
		}},
		{"parsed_address.json", func() any { return &ParsedAddress{} }, func(b []byte) any {
			return &ParsedAddress{Street: "Av. Juárez", Country: "MX"}
		}},
		{"decision_document.json", func() any { return &DecisionDocument{} }, func(b []byte) any {
			return &DecisionDocument{Number: "IDMEX1", Type: DocumentTypeIDCard, Country: "MX", IssueNumber: "3", Raw: rawAt(t, b)}
		}},
		{"additional_verified_data.json", func() any { return &AdditionalVerifiedData{} }, func(b []byte) any {
			return &AdditionalVerifiedData{DriversLicenseNumber: "D1", EstimatedGender: ptr(0.25), ProcessNumber: "P1", Raw: rawAt(t, b)}
		}},
		{"person_result.json", func() any { return &PersonResult{} }, func(b []byte) any {
			return &PersonResult{ID: "p1", FirstName: "ANA", IDNumber: "X1", Raw: rawAt(t, b)}
		}},
		{"pep_sanction_match.json", func() any { return &PEPSanctionMatch{} }, func(b []byte) any {
			return &PEPSanctionMatch{Provider: "Comply", NumberOfMatches: 2, Raw: rawAt(t, b)}
		}},
		{"attempt.json", func() any { return &Attempt{} }, func(b []byte) any {
			return &Attempt{ID: "a1", Status: StatusApproved, CreatedTime: &when, Raw: rawAt(t, b)}
		}},
		{"user_defined_status.json", func() any { return &UserDefinedStatus{} }, func(b []byte) any {
			return &UserDefinedStatus{Status: "Approved", StatusCode: "a1", ReasonCode: ptr(101)}
		}},
		{"watchlist_screening.json", func() any { return &WatchlistScreening{} }, func(b []byte) any {
			return &WatchlistScreening{SessionID: "s1", AttemptID: "a1", CheckType: CheckTypeInitialResult,
				MatchStatus: MatchStatusNoMatch, MonitorStatus: "on", Raw: rawAt(t, b)}
		}},
		{"watchlist_search_term.json", func() any { return &WatchlistSearchTerm{} }, func(b []byte) any {
			return &WatchlistSearchTerm{Name: "ANA LOPEZ", Year: "1980", Raw: rawAt(t, b)}
		}},
		{"watchlist_hit.json", func() any { return &WatchlistHit{} }, func(b []byte) any {
			return &WatchlistHit{ID: "h1", MatchedName: "ANA", Score: ptr(0.9), Raw: rawAt(t, b)}
		}},
		{"media.json", func() any { return &Media{} }, func(b []byte) any {
			return &Media{ID: "m1", Name: "document-front", MimeType: "image/jpeg", Context: ContextDocumentFront, URL: "https://example.com/m1"}
		}},
		{"media_list.json", func() any { return &MediaList{} }, func(b []byte) any {
			return &MediaList{Images: []Media{{ID: "m1", Context: ContextFace, Size: 10}}, Videos: []Media{}}
		}},
		{"session.json", func() any { return &Session{} }, func(b []byte) any {
			return &Session{ID: "s1", URL: "https://example.com/s1", Host: "https://alchemy.veriff.com"}
		}},
	}
}

// lenientWebhookCases are the webhook payloads and registry results.
func lenientWebhookCases(t *testing.T) []lenientCase {
	when := lenientWhen
	return []lenientCase{
		{"event.json", func() any { return &Event{} }, func(b []byte) any {
			return &Event{ID: "s1", AttemptID: "a1", Feature: "selfid", Code: 7002, Action: "submitted"}
		}},
		{"ine_registry_webhook.json", func() any { return &INERegistryWebhook{} }, func(b []byte) any {
			return &INERegistryWebhook{EventType: "ine_registry", SessionID: "s1", AttemptID: "a1", Version: "1.0.0", Time: when,
				Data: INERegistryWebhookData{Status: "La credencial es válida", Details: INERegistryResult{Active: true}}}
		}},
		{"curp_registry_webhook.json", func() any { return &CURPRegistryWebhook{} }, func(b []byte) any {
			return &CURPRegistryWebhook{EventType: "curp_registry", SessionID: "s1", AttemptID: "a1", Version: "1.0.0",
				Data: CURPRegistryWebhookData{Name: "curp_registry", Status: "found", Code: 200, Details: CURPRegistryResult{
					StatusCurp: CURPStatusAltaNormal, CURP: "LOAA800101MDFPNN09", Raw: rawAt(t, b, "data", "details")}}}
		}},
		{"combined_registry_webhook.json", func() any { return &CombinedRegistryWebhook{} }, func(b []byte) any {
			return &CombinedRegistryWebhook{EventType: "combined-ine-curp-registry", SessionID: "s1", AttemptID: "a1",
				Data: CombinedRegistryWebhookData{Status: "ok", Code: 200, Details: CombinedINECURPResult{
					INE:  &INERegistryResult{Active: true, Status: "La credencial esta vigente"},
					CURP: &CURPRegistryResult{CURP: "LOAA800101MDFPNN09", Raw: rawAt(t, b, "data", "details", "curp")},
					Raw:  rawAt(t, b, "data", "details")}}}
		}},
		{"ine_registry_result.json", func() any { return &INERegistryResult{} }, func(b []byte) any {
			return &INERegistryResult{DocumentState: "El documento es válido.", INEIdentifier: "123"}
		}},
		{"curp_registry_result.json", func() any { return &CURPRegistryResult{} }, func(b []byte) any {
			return &CURPRegistryResult{StatusCurp: CURPStatusAltaNormal, Description: "Alta normal", Raw: rawAt(t, b)}
		}},
		{"combined_ine_curp_result.json", func() any { return &CombinedINECURPResult{} }, func(b []byte) any {
			return &CombinedINECURPResult{
				INE:  &INERegistryResult{Active: true, Status: "La credencial esta vigente", INEIdentifier: "123"},
				CURP: &CURPRegistryResult{CURP: "LOAA800101MDFPNN09", Raw: rawAt(t, b, "data", "curp")},
				Raw:  rawAt(t, b)}
		}},
	}
}

// TestRegistryResultsDecodeLeniently: a combined INE+CURP answer whose
// statusCurp is a number keeps its INE part and the rest of its CURP part,
// through the client as through json.Unmarshal.
func TestRegistryResultsDecodeLeniently(t *testing.T) {
	body := fixture(t, "lenient/combined_ine_curp_result.json")
	c, mt := setup(t)
	mt.RegisterResponder(http.MethodGet, testBase+"/v1/sessions/"+testSessionID+"/decision/combined-ine-curp-registry",
		httpmock.NewBytesResponder(200, body))
	res, err := c.CombinedINECURPRegistry(context.Background(), testSessionID)
	require.NoError(t, err)
	want := &CombinedINECURPResult{
		INE:  &INERegistryResult{Active: true, Status: "La credencial esta vigente", INEIdentifier: "123"},
		CURP: &CURPRegistryResult{CURP: "LOAA800101MDFPNN09", Raw: rawAt(t, body, "data", "curp")},
		Raw:  rawAt(t, body),
	}
	assert.Equal(t, want, res)
	assert.False(t, res.CURP.Active(), "an unreadable status is not active")

	for _, f := range []string{"ine_registry_webhook.json", "curp_registry_webhook.json", "combined_registry_webhook.json"} {
		wh, err := ParseWebhook(fixture(t, "lenient/"+f))
		require.NoError(t, err, f)
		assert.Equal(t, "s1", wh.SessionID(), f)
		assert.Equal(t, "a1", wh.AttemptID(), f)
	}
	wh, err := ParseWebhook(fixture(t, "lenient/combined_registry_webhook.json"))
	require.NoError(t, err)
	require.NotNil(t, wh.CombinedRegistry.Data.Details.INE)
	assert.True(t, wh.CombinedRegistry.Data.Details.INE.Active)
}

// TestDecodeRawIsACopy: Raw never aliases the caller's buffer, which the
// client reuses.
func TestDecodeRawIsACopy(t *testing.T) {
	body := fixture(t, "sessions/decision_approved.json")
	buf := append([]byte(nil), body...)
	var d Decision
	require.NoError(t, d.UnmarshalJSON(buf))
	for i := range buf {
		buf[i] = ' '
	}
	assert.JSONEq(t, string(rawAt(t, body, "verification")), string(d.Verification.Raw))
	assert.Equal(t, len(d.Verification.Raw), cap(d.Verification.Raw), "an append to Raw cannot overwrite its neighbours")
}

// TestDecisionOneDecodePath: Client.Decision and json.Unmarshal give the
// same Decision, on the fast path and on the slow one.
func TestDecisionOneDecodePath(t *testing.T) {
	for _, body := range [][]byte{
		fixture(t, "sessions/decision_approved.json"),
		[]byte(`{"status":"success","verification":{"id":"s","code":"9001x","person":{"firstName":1,"lastName":"L"},"riskLabels":[5,{"label":"a"}]}}`),
	} {
		c, mt := setup(t)
		mt.RegisterResponder(http.MethodGet, testBase+"/v1/sessions/"+testSessionID+"/decision", httpmock.NewBytesResponder(200, body))
		got, err := c.Decision(context.Background(), testSessionID)
		require.NoError(t, err)
		var want Decision
		require.NoError(t, json.Unmarshal(body, &want))
		assert.Equal(t, &want, got)
	}
}

// TestDecodeLenientSlowPath covers what the member-by-member path must
// match of encoding/json: escaped and differently cased keys, promoted
// fields of embedded structs, and the drop rules of lists and maps.
func TestDecodeLenientSlowPath(t *testing.T) {
	type item struct {
		N int `json:"n"`
	}
	type base struct {
		Base string `json:"base"`
	}
	type doc struct {
		base
		AB    string          `json:"ab"`
		Flex  *int            `json:"flex" veriff:"flex"`
		Items []item          `json:"items"`
		Flags map[string]bool `json:"flags" veriff:"flex"`
		Bad   int             `json:"bad"`
	}
	body := `{"a\u0062":"x","BASE":"b","flex":"12","items":[{"n":1},"junk",null,{"n":"two"}],"flags":{"a":"true","b":"maybe"},"bad":"1"}`
	var got doc
	require.NoError(t, decodeLenient([]byte(body), &got))
	assert.Equal(t, doc{base: base{Base: "b"}, AB: "x", Flex: ptr(12), Items: []item{{N: 1}, {}, {}},
		Flags: map[string]bool{"a": true}}, got)

	var list []item
	require.Error(t, decodeLenient([]byte(`{"n":1}`), &list), "an object where a list is expected")
	require.NoError(t, decodeLenient([]byte(` [{"n":1},{"n":"x"}] `), &list))
	assert.Equal(t, []item{{N: 1}, {}}, list)
}

func TestUnmarshalLenient(t *testing.T) {
	type inner struct {
		N int `json:"n"`
	}
	type doc struct {
		A     int      `json:"a"`
		B     string   `json:"b"`
		In    inner    `json:"in"`
		List  []string `json:"list"`
		After string   `json:"after"`
	}
	tests := []struct {
		name    string
		body    string
		want    doc
		wantErr bool
	}{
		{"clean", `{"a":1,"b":"x","after":"z"}`, doc{A: 1, B: "x", After: "z"}, false},
		{"wrong types leave their own fields empty", `{"a":"1","b":2,"in":{"n":"x"},"list":{},"after":"z"}`, doc{After: "z"}, false},
		{"wrong element type", `{"list":["a",1,"c"],"after":"z"}`, doc{List: []string{"a", "", "c"}, After: "z"}, false},
		{"syntax error", `{"a":1,`, doc{}, true},
		{"array for an object", `[1]`, doc{}, true},
		{"string for an object", `"x"`, doc{}, true},
		{"null", `null`, doc{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got doc
			err := decodeLenient([]byte(tt.body), &got)
			if tt.wantErr {
				require.Error(t, err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

// TestMemberValueAsEncodingJSON: the probe that reads one member (the
// webhook's type, a registry answer's data) takes the member encoding/json
// and the lenient decoder take: of those matching without regard to case,
// the last.
func TestMemberValueAsEncodingJSON(t *testing.T) {
	tests := []struct {
		name, obj string
	}{
		{"one", `{"type":"a"}`},
		{"absent", `{"other":"a"}`},
		{"duplicate", `{"type":"a","type":"b"}`},
		{"folded after exact", `{"type":"a","TYPE":"b"}`},
		{"exact after folded", `{"Type":"a","type":"b"}`},
		{"nested is not a member", `{"data":{"type":"a"},"type":"b"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var want struct {
				Type json.RawMessage `json:"type"`
			}
			require.NoError(t, json.Unmarshal([]byte(tt.obj), &want))
			assert.Equal(t, string(want.Type), string(memberValue([]byte(tt.obj), "type")))
		})
	}
}
