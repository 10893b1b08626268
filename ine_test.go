package veriff

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRegistryWire(t *testing.T) {
	tests := []struct {
		name    string
		call    func(c *Client) (any, error)
		path    string
		fixture string
	}{
		{"ine", func(c *Client) (any, error) { return c.INERegistry(context.Background(), testSessionID) },
			"/v1/sessions/" + testSessionID + "/decision/ine-registry", "ine/ine_registry.json"},
		{"curp", func(c *Client) (any, error) { return c.CURPRegistry(context.Background(), testSessionID) },
			"/v1/sessions/" + testSessionID + "/decision/curp-registry", "ine/curp_registry.json"},
		{"combined", func(c *Client) (any, error) { return c.CombinedINECURPRegistry(context.Background(), testSessionID) },
			"/v1/sessions/" + testSessionID + "/decision/combined-ine-curp-registry", "ine/combined_ine_curp_registry.json"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, mt := setup(t)
			rec := newRecorder(mt, reply(http.StatusOK, fixture(t, tt.fixture)))
			res, err := tt.call(c)
			require.NoError(t, err)
			require.NotNil(t, res)
			require.Len(t, rec.seen, 1)
			r := rec.seen[0]
			// Signed over the session ID only: the query is not signed.
			assertSignedGET(t, r, tt.path, testSessionID)
			assert.Equal(t, "version=1.0.0", r.rawQuery)
			assert.Equal(t, "version="+INERegistryVersion, r.rawQuery)
			assert.Equal(t, "application/json", r.header.Get("Accept"))
			assert.Empty(t, r.header.Get("Content-Type"), "a GET has no body")
		})
	}
}

func TestINERegistryParse(t *testing.T) {
	tests := []struct {
		fixture string
		want    INERegistryResult
	}{
		{"ine/ine_registry.json", INERegistryResult{Active: true, DocumentState: "El documento es válido."}},
		{"ine/ine_registry_not_found.json", INERegistryResult{Active: false, DocumentState: "No se obtuvieron datos de la consulta con los parámetros seleccionados"}},
	}
	for _, tt := range tests {
		t.Run(tt.fixture, func(t *testing.T) {
			c, mt := setup(t)
			newRecorder(mt, reply(http.StatusOK, fixture(t, tt.fixture)))
			res, err := c.INERegistry(context.Background(), testSessionID)
			require.NoError(t, err)
			assert.Equal(t, tt.want, *res)
		})
	}
}

func TestINERegistryErrors(t *testing.T) {
	c, mt := setup(t)
	rec := newRecorder(mt, reply(http.StatusBadRequest, fixture(t, "ine/ine_registry_bad_request.json")))
	res, err := c.INERegistry(context.Background(), testSessionID)
	assert.Nil(t, res)
	require.ErrorIs(t, err, ErrBadRequest)
	var apiErr *APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, "1101", apiErr.Code)
	assert.Equal(t, "/v1/sessions/"+testSessionID+"/decision/ine-registry", apiErr.Path)
	assert.Len(t, rec.seen, 1, "a 400 is not retried")

	c, mt = setup(t)
	rec = newRecorder(mt, reply(http.StatusNotFound, []byte(`{"status":"fail","code":"1101","message":"Resource not found"}`)))
	_, err = c.CURPRegistry(context.Background(), testSessionID)
	assert.ErrorIs(t, err, ErrNotFound)
	assert.Len(t, rec.seen, 1)

	for _, id := range []string{"", "a/b", "x y", "..", "id?version=2"} {
		c, mt = setup(t)
		_, err = c.INERegistry(context.Background(), id)
		assert.ErrorIs(t, err, ErrInvalidInput, id)
		_, err = c.CURPRegistry(context.Background(), id)
		assert.ErrorIs(t, err, ErrInvalidInput, id)
		_, err = c.CombinedINECURPRegistry(context.Background(), id)
		assert.ErrorIs(t, err, ErrInvalidInput, id)
		assert.Zero(t, mt.GetTotalCallCount())
	}
}

func TestCURPRegistryParse(t *testing.T) {
	c, mt := setup(t)
	newRecorder(mt, reply(http.StatusOK, fixture(t, "ine/curp_registry.json")), reply(http.StatusOK, fixture(t, "ine/curp_registry_inactive.json")))

	res, err := c.CURPRegistry(context.Background(), testSessionID)
	require.NoError(t, err)
	assert.Equal(t, CURPStatusCambioNoAfectando, res.StatusCurp)
	assert.Equal(t, "VISH760905HSRLNN06", res.CURP)
	assert.Equal(t, "Registro de cambio no afectando a curp", res.Description)
	assert.True(t, res.Active())
	assert.JSONEq(t, string(fixture(t, "ine/curp_registry.json")), string(res.Raw))

	res, err = c.CURPRegistry(context.Background(), testSessionID)
	require.NoError(t, err)
	assert.Equal(t, CURPStatusBajaDefuncion, res.StatusCurp)
	assert.False(t, res.Active())
	assert.True(t, res.StatusCurp.Inactive())
	assert.Contains(t, string(res.Raw), `"newField":42`, "unknown fields stay in Raw")
}

func TestCURPStatus(t *testing.T) {
	tests := []struct {
		s                CURPStatus
		active, inactive bool
	}{
		{"AN", true, false}, {"AH", true, false}, {"CRA CU", true, false}, {"cra  cu", true, false},
		{"RCN", true, false}, {"RCC", true, false}, {" rcn ", true, false}, {"active", true, false},
		{"BD", false, true}, {"BDA", false, true}, {"BCC", false, true}, {"BCN", false, true}, {"inactive", false, true},
		{"", false, false}, {"XYZ", false, false}, {"changed", false, false},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.active, tt.s.Active(), "%q active", tt.s)
		assert.Equal(t, tt.inactive, tt.s.Inactive(), "%q inactive", tt.s)
	}
	var nilRes *CURPRegistryResult
	assert.False(t, nilRes.Active())
}

func TestCombinedINECURPParse(t *testing.T) {
	c, mt := setup(t)
	newRecorder(mt, reply(http.StatusOK, fixture(t, "ine/combined_ine_curp_registry.json")))
	res, err := c.CombinedINECURPRegistry(context.Background(), testSessionID)
	require.NoError(t, err)

	require.NotNil(t, res.INE)
	assert.True(t, res.INE.Active)
	assert.Equal(t, "La credencial esta vigente", res.INE.Status)
	assert.Contains(t, res.INE.Information, "Clave de elector")
	assert.Equal(t, "000000000", res.INE.INEIdentifier)
	assert.Empty(t, res.INE.IFEIdentifier, "the CIC is not the OCR number")

	require.NotNil(t, res.CURP)
	assert.Equal(t, CURPStatusAltaNormal, res.CURP.StatusCurp)
	assert.True(t, res.CURP.Active())
	assert.Equal(t, "FOHJ920625HGTLRR06", res.CURP.CURP)
	var extra struct {
		DocumentEvidence map[string]string `json:"documentEvidence"`
	}
	require.NoError(t, json.Unmarshal(res.CURP.Raw, &extra))
	assert.Equal(t, "3", extra.DocumentEvidence["volume"], "details not modelled stay reachable through Raw")
	assert.JSONEq(t, string(fixture(t, "ine/combined_ine_curp_registry.json")), string(res.Raw))
}

func TestCombinedINECURPShapes(t *testing.T) {
	tests := []struct {
		name         string
		body         string
		ine, curp    bool
		ineID, ifeID string
		curpVal      string
	}{
		{"top level, legacy IFE identifier", `{"ine":{"active":false,"ifeIdentifier":"IFE1"},"curp":{"statusCurp":"BD","curp":"C1"}}`, true, true, "", "IFE1", "C1"},
		{"data wins over top level", `{"data":{"curp":{"statusCurp":"AN","curp":"C2"}},"curp":{"curp":"old"}}`, false, true, "", "", "C2"},
		{"nothing yet", `{"status":"success","data":{}}`, false, false, "", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var res CombinedINECURPResult
			require.NoError(t, json.Unmarshal([]byte(tt.body), &res))
			assert.Equal(t, tt.ine, res.INE != nil)
			assert.Equal(t, tt.curp, res.CURP != nil)
			if res.INE != nil {
				assert.Equal(t, tt.ineID, res.INE.INEIdentifier)
				assert.Equal(t, tt.ifeID, res.INE.IFEIdentifier)
			}
			if res.CURP != nil {
				assert.Equal(t, tt.curpVal, res.CURP.CURP)
			}
			assert.JSONEq(t, tt.body, string(res.Raw))
		})
	}
}

func TestINERegistryResultIsReusable(t *testing.T) {
	// The INE registry webhook carries the same object in data.details.
	var wh struct {
		Data struct {
			Details INERegistryResult `json:"details"`
		} `json:"data"`
	}
	body := `{"eventType":"ine_registry","data":{"status":"La credencial es válida","code":200,"details":{"active":true,"documentState":"El documento es válido."}}}`
	require.NoError(t, json.Unmarshal([]byte(body), &wh))
	assert.Equal(t, INERegistryResult{Active: true, DocumentState: "El documento es válido."}, wh.Data.Details)

	out, err := json.Marshal(INERegistryResult{Active: true, DocumentState: "ok"})
	require.NoError(t, err)
	assert.JSONEq(t, `{"active":true,"documentState":"ok"}`, string(out))
}

func TestINEBiometricVerdict(t *testing.T) {
	yes, no := true, false
	pct := func(f float64) *float64 { return &f }
	str := func(s string) *string { return &s }
	tests := []struct {
		name   string
		v      *INEBiometricRegistryValidation
		want   INEVerdict
		reason string
	}{
		{"no validation in the decision", nil, INEVerdictPending, "no INE biometric registry result"},
		{"all null", &INEBiometricRegistryValidation{}, INEVerdictPending, "not answered"},
		{"face data but no status", &INEBiometricRegistryValidation{FaceMatch: &yes}, INEVerdictPending, "not answered"},
		{"match", &INEBiometricRegistryValidation{FaceMatch: &yes, FaceMatchPercentage: pct(97), ResponseStatus: str("success")}, INEVerdictValid, "valid and active"},
		{"match from percentage", &INEBiometricRegistryValidation{FaceMatchPercentage: pct(85), ResponseStatus: str("success")}, INEVerdictValid, "similarity 85%"},
		{"status case and spaces", &INEBiometricRegistryValidation{FaceMatch: &yes, ResponseStatus: str(" Success ")}, INEVerdictValid, "face matches"},
		{"mismatch", &INEBiometricRegistryValidation{FaceMatch: &no, FaceMatchPercentage: pct(40), ResponseStatus: str("success")}, INEVerdictFaceMismatch, "does not match (similarity 40%)"},
		{"mismatch from percentage", &INEBiometricRegistryValidation{FaceMatchPercentage: pct(84.9), ResponseStatus: str("success")}, INEVerdictFaceMismatch, "below 85%"},
		{"explicit faceMatch wins over percentage", &INEBiometricRegistryValidation{FaceMatch: &no, FaceMatchPercentage: pct(90), ResponseStatus: str("success")}, INEVerdictFaceMismatch, "does not match"},
		{"success without face comparison", &INEBiometricRegistryValidation{ResponseStatus: str("success")}, INEVerdictPending, "no face comparison"},
		{"failure", &INEBiometricRegistryValidation{FaceMatch: &yes, ResponseStatus: str("failure")}, INEVerdictFailure, "check failed"},
		{"not found", &INEBiometricRegistryValidation{ResponseStatus: str("not_found")}, INEVerdictNotFound, "not_found"},
		{"inactive", &INEBiometricRegistryValidation{ResponseStatus: str("inactive")}, INEVerdictNotFound, "inactive"},
		{"unknown status", &INEBiometricRegistryValidation{ResponseStatus: str("maybe")}, INEVerdictFailure, `unrecognised status "maybe"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, tt.v.Verdict())
			assert.Equal(t, tt.want == INEVerdictValid, tt.v.OK())
			assert.Contains(t, tt.v.Reason(), tt.reason)
		})
	}
}

func TestINEBiometricParse(t *testing.T) {
	var v INEBiometricRegistryValidation
	require.NoError(t, json.Unmarshal(fixture(t, "ine/decision_ine_biometric.json"), &v))
	assert.Nil(t, v.FaceMatch)
	require.NotNil(t, v.FaceMatchPercentage)
	assert.InDelta(t, 91.5, *v.FaceMatchPercentage, 1e-9)
	require.NotNil(t, v.ResponseStatus)
	assert.Equal(t, "success", *v.ResponseStatus)
	assert.Equal(t, INEVerdictValid, v.Verdict())
	assert.True(t, v.OK())
}

func TestDecisionINEBiometric(t *testing.T) {
	var d Decision
	require.NoError(t, json.Unmarshal(fixture(t, "ine/decision_ine_biometric_mismatch.json"), &d))
	v := d.INEBiometric()
	require.NotNil(t, v)
	assert.Equal(t, INEVerdictFaceMismatch, v.Verdict())
	assert.False(t, v.OK())
	assert.Contains(t, v.Reason(), "similarity 42.5%")

	for name, body := range map[string]string{
		"no verification yet":     `{"status":"success","verification":null}`,
		"no additional data":      `{"status":"success","verification":{"id":"x","status":"approved","code":9001}}`,
		"no INE biometric result": `{"status":"success","verification":{"id":"x","status":"approved","code":9001,"additionalVerifiedData":{"estimatedAge":30}}}`,
	} {
		var d Decision
		require.NoError(t, json.Unmarshal([]byte(body), &d), name)
		assert.Nil(t, d.INEBiometric(), name)
		assert.Equal(t, INEVerdictPending, d.INEBiometric().Verdict(), name)
	}
	var nilDecision *Decision
	assert.Nil(t, nilDecision.INEBiometric())
}

func ExampleINEBiometricRegistryValidation_Verdict() {
	body := []byte(`{"status":"success","verification":{"id":"12df6045-3846-3e45-946a-14fa6136d78b","status":"approved","code":9001,
		"additionalVerifiedData":{"ineBiometricRegistryValidation":{"faceMatch":null,"faceMatchPercentage":91.5,"responseStatus":"success"}}}}`)
	var d Decision
	if err := json.Unmarshal(body, &d); err != nil {
		fmt.Println(err)
		return
	}
	v := d.INEBiometric()
	fmt.Println(v.Verdict(), v.OK())
	fmt.Println(v.Reason())
	// Output:
	// valid true
	// the credential is valid and active in the INE registry and the face matches (similarity 91.5%)
}
