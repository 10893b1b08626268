package veriff

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestINEWebhookDocsSample is the acceptance check: the docs' INE
// webhook sample, signed with the docs' mock secret, verifies and parses to
// the values the docs show.
func TestINEWebhookDocsSample(t *testing.T) {
	body := fixture(t, "webhooks/ine_registry_active.json")
	require.NoError(t, VerifyWebhook(body, signWebhook(body, testSecret), testSecret))
	wh, err := ParseWebhook(body)
	require.NoError(t, err)
	require.Equal(t, WebhookINERegistry, wh.Kind)
	r := wh.INERegistry
	require.NotNil(t, r)
	assert.Equal(t, "ine_registry", r.EventType)
	assert.Equal(t, "f04bdb47-d3be-4b28-b028-a652feb060b5", r.SessionID)
	assert.Equal(t, "e30122d1-740b-4764-853f-470374a7abf4", r.AttemptID)
	assert.Equal(t, "1234567812345678", r.VendorData)
	assert.Equal(t, "a1b2c35d-e8f7-6d5e-3cd2-a1b2c35db3d4", r.EndUserID)
	assert.Equal(t, "1.0.0", r.Version)
	assert.True(t, r.Time.Equal(time.Date(2021, 6, 2, 11, 4, 0, 287e6, time.UTC)), "time %v", r.Time)
	assert.Equal(t, "2021-06-02T11:04:00.287Z", r.Time.Format(time.RFC3339Nano))
	assert.Equal(t, "La credencial es válida", r.Data.Status)
	assert.Equal(t, 200, r.Data.Code)
	assert.True(t, r.Data.Details.Active)
	assert.Equal(t, "El documento es válido.", r.Data.Details.DocumentState)
	assert.Equal(t, []byte(body), []byte(wh.Raw))
	assert.Equal(t, "f04bdb47-d3be-4b28-b028-a652feb060b5", wh.SessionID())
	assert.Equal(t, "e30122d1-740b-4764-853f-470374a7abf4", wh.AttemptID())
	assert.Equal(t, "1234567812345678", wh.VendorData())
	assert.Equal(t, "a1b2c35d-e8f7-6d5e-3cd2-a1b2c35db3d4", wh.EndUserID())
}

// TestParseWebhookPayloads compares each registry and event payload whole.
// The CURP sections' Raw (the section's bytes) is checked to be JSON and
// left out of the compare.
func TestParseWebhookPayloads(t *testing.T) {
	const sess, att = "f04bdb47-d3be-4b28-b028-a652feb060b5", "e30122d1-740b-4764-853f-470374a7abf4"
	const vendor, endUser = "1234567812345678", "a1b2c35d-e8f7-6d5e-3cd2-a1b2c35db3d4"
	tests := []struct {
		file    string
		payload func(wh *Webhook) any
		want    any
	}{
		{"event_started_7001.json", func(wh *Webhook) any { return wh.Event },
			&Event{ID: "3c1f2d8e-5b7a-4f0e-9a41-7d2c6e8b1f30", AttemptID: "9b2e4c1a-0d3f-4e6b-8a75-c1d2e3f4a5b6", Feature: "selfid", Code: 7001, Action: "started"}},
		{"event_submitted_7002.json", func(wh *Webhook) any { return wh.Event },
			&Event{ID: sess, AttemptID: att, Feature: "selfid", Code: 7002, Action: string(StatusSubmitted), VendorData: "12345678", EndUserID: endUser}},
		{"ine_registry_active.json", func(wh *Webhook) any { return wh.INERegistry },
			&INERegistryWebhook{EventType: "ine_registry", SessionID: sess, AttemptID: att, VendorData: vendor, EndUserID: endUser, Version: "1.0.0",
				Time: time.Date(2021, 6, 2, 11, 4, 0, 287e6, time.UTC),
				Data: INERegistryWebhookData{Status: "La credencial es válida", Code: 200, Details: INERegistryResult{Active: true, DocumentState: "El documento es válido."}}}},
		{"ine_registry_inactive.json", func(wh *Webhook) any { return wh.INERegistry },
			&INERegistryWebhook{EventType: "ine_registry", SessionID: "7a9d1c3e-2b4f-4d6a-8e0c-1f3b5d7e9a2c", AttemptID: "5e7f9a1b-3c5d-4e7f-9a1b-3c5d7e9f1a2b",
				VendorData: "cliente-20931", Version: "1.0.0", Time: time.Date(2024, 3, 14, 17, 22, 9, 512e6, time.UTC),
				Data: INERegistryWebhookData{Status: "No se obtuvieron datos", Code: 200,
					Details: INERegistryResult{DocumentState: "No se obtuvieron datos de la consulta con los parámetros seleccionados"}}}},
		// The sample names the session "id" and puts the attempt in data.attemptId.
		{"curp_registry.json", func(wh *Webhook) any {
			r := wh.CURPRegistry
			require.NotNil(t, r)
			assert.True(t, json.Valid(r.Data.Details.Raw))
			r.Data.Details.Raw = nil
			return r
		},
			&CURPRegistryWebhook{EventType: "curp_registry", SessionID: sess, AttemptID: att, VendorData: vendor, EndUserID: endUser, Version: "1.0.0",
				Data: CURPRegistryWebhookData{Name: "curp_registry", Status: "found", Code: 200,
					Details: CURPRegistryResult{StatusCurp: "RCN", CURP: "VISH760905HSRLNN06", Description: "Registro de cambio no afectando a curp"}}}},
		{"combined_ine_curp_registry.json", func(wh *Webhook) any {
			r := wh.CombinedRegistry
			require.NotNil(t, r)
			require.NotNil(t, r.Data.Details.CURP)
			assert.True(t, json.Valid(r.Data.Details.CURP.Raw))
			r.Data.Details.Raw, r.Data.Details.CURP.Raw = nil, nil
			return r
		}, &CombinedRegistryWebhook{EventType: "combined-ine-curp-registry", SessionID: sess, AttemptID: att, VendorData: vendor, EndUserID: endUser, Version: "1.0.0",
			Time: time.Date(2023, 8, 11, 10, 31, 17, 904e6, time.UTC),
			Data: CombinedRegistryWebhookData{Status: "found", Code: 200, Details: CombinedINECURPResult{
				INE: &INERegistryResult{Active: true, Status: "La credencial esta vigente", INEIdentifier: "000000000",
					Information: "CIC 000000000 Clave de elector JRLGLS00000000H000 Número de emisión 1 Año de registro 2009 Año de emisión 2020"},
				CURP: &CURPRegistryResult{StatusCurp: "AN", CURP: "JRLG000000HDFXXX00", Description: "Alta normal"},
			}}}},
		{"watchlist.json", func(wh *Webhook) any {
			w := wh.Watchlist
			require.NotNil(t, w)
			return []any{w.CheckType, w.MatchStatus, w.TotalHits, w.SessionID, len(w.Hits)}
		}, []any{CheckTypeUpdatedResult, MatchStatusPossibleMatch, 1, sess, 1}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			wh, err := ParseWebhook(fixture(t, "webhooks/"+tt.file))
			require.NoError(t, err)
			assert.Equal(t, tt.want, tt.payload(wh))
		})
	}
	wh, err := ParseWebhook(fixture(t, "webhooks/combined_ine_curp_registry.json"))
	require.NoError(t, err)
	assert.Equal(t, "000000000", wh.CombinedRegistry.Data.Details.INE.INEIdentifier)
	wh, err = ParseWebhook(fixture(t, "webhooks/curp_registry.json"))
	require.NoError(t, err)
	assert.True(t, wh.CURPRegistry.Data.Details.Active())
}

// decisionSummary is what the decision table checks of each decision.
type decisionSummary struct {
	Status       SessionStatus
	Code         int
	Reason       *string
	ReasonCode   *int
	DecisionTime string
	FirstName    string // "" when there is no person
	HasPerson    bool
	RiskLabels   int
}

func summarize(d *Decision) decisionSummary {
	v := d.Verification
	s := decisionSummary{Status: v.Status, Code: v.Code, Reason: v.Reason, ReasonCode: v.ReasonCode, HasPerson: v.Person != nil, RiskLabels: len(v.RiskLabels)}
	if v.DecisionTime != nil {
		s.DecisionTime = v.DecisionTime.UTC().Format(time.RFC3339Nano)
	}
	if v.Person != nil {
		s.FirstName = v.Person.FirstName
	}
	return s
}

func TestParseWebhookDecisions(t *testing.T) {
	tests := []struct {
		file string
		want decisionSummary
	}{
		{"decision_approved.json", decisionSummary{StatusApproved, 9001, nil, nil, "2024-05-20T16:41:07.318Z", "MARÍA GUADALUPE", true, 0}},
		{"decision_declined.json", decisionSummary{StatusDeclined, 9102, ptr("Suspected document tampering"), ptr(102), "2024-05-18T09:20:31.442Z", "JUAN CARLOS", true, 1}},
		{"decision_resubmission_requested.json", decisionSummary{StatusResubmissionRequested, 9103, ptr("Video and/or photos missing"), ptr(201), "2024-05-19T12:02:15.007Z", "", false, 0}},
		{"decision_expired.json", decisionSummary{StatusExpired, 9104, nil, nil, "2024-05-27T09:12:45.12Z", "", false, 0}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			wh, err := ParseWebhook(fixture(t, "webhooks/"+tt.file))
			require.NoError(t, err)
			require.NotNil(t, wh.Decision)
			require.NotNil(t, wh.Decision.Verification)
			assert.Equal(t, "success", wh.Decision.Status)
			assert.Equal(t, tt.want, summarize(wh.Decision))
		})
	}
}

// TestParseWebhookDecisionApproved checks the approved decision's person,
// document, INE biometric check and technical data.
func TestParseWebhookDecisionApproved(t *testing.T) {
	wh, err := ParseWebhook(fixture(t, "webhooks/decision_approved.json"))
	require.NoError(t, err)
	v := wh.Decision.Verification
	assert.Equal(t, "b6a4c3e1-8f2d-4a7b-9c1e-5d3f7a9b2c4e", v.ID)
	assert.Equal(t, "d2f8a6c4-1e3b-4d5f-a7c9-e1b3d5f7a9c2", v.AttemptID)
	require.NotNil(t, v.Person)
	assert.Equal(t, "HERNÁNDEZ LÓPEZ", v.Person.LastName)
	assert.Equal(t, "1988-11-23", v.Person.DateOfBirth)
	assert.Equal(t, "HELG881123MJCRPD07", v.Person.IDNumber)
	assert.Equal(t, "1234567890123", v.Person.INEIdentifier)
	assert.Equal(t, "HRLPGD88112314M700", v.Person.ElectorNumber)
	require.Len(t, v.Person.Addresses, 1)
	require.NotNil(t, v.Person.Addresses[0].ParsedAddress)
	assert.Equal(t, "GUADALAJARA", v.Person.Addresses[0].ParsedAddress.City)
	require.NotNil(t, v.Document)
	assert.Equal(t, "MX", v.Document.Country)
	assert.Equal(t, DocumentTypeIDCard, v.Document.Type)
	assert.Equal(t, "2029-12-31", v.Document.ValidUntil)
	require.NotNil(t, v.AdditionalVerifiedData)
	ine := v.AdditionalVerifiedData.INEBiometricRegistryValidation
	require.NotNil(t, ine)
	assert.Equal(t, ptr(true), ine.FaceMatch)
	require.NotNil(t, ine.FaceMatchPercentage)
	assert.InDelta(t, 97.4, *ine.FaceMatchPercentage, 1e-9)
	assert.Equal(t, ptr("success"), ine.ResponseStatus)
	require.NotNil(t, wh.Decision.TechnicalData)
	assert.Equal(t, ptr("189.203.45.17"), wh.Decision.TechnicalData.IP)
}

// TestWebhookFixturesAllParsed makes sure no fixture is left out of the
// tables above.
func TestWebhookFixturesAllParsed(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "webhooks", "*.json"))
	require.NoError(t, err)
	require.GreaterOrEqual(t, len(files), 14)
	for _, f := range files {
		body, err := os.ReadFile(f)
		require.NoError(t, err)
		wh, err := ParseWebhook(body)
		require.NoError(t, err, f)
		assert.NotEmpty(t, wh.DeliveryKey(), f)
	}
}
