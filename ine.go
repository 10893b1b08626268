package veriff

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
)

// INERegistryVersion is the version of the Mexican registry results the SDK
// asks for (the required "version" query parameter) and understands.
const INERegistryVersion = "1.0.0"

const registryQuery = "version=" + INERegistryVersion

// INERegistryResult is the result of the (legacy) INE check of a Mexican
// voter credential against the Instituto Nacional Electoral registry, as
// returned by INERegistry, inside the INE registry webhook (data.details)
// and as the INE section of CombinedINECURPRegistry. It is a plain,
// comparable value; the combined result keeps the raw JSON.
type INERegistryResult struct {
	// Active reports whether the credential is valid and current.
	Active bool `json:"active"`
	// DocumentState is Veriff's explanation in Spanish, e.g.
	// "El documento es válido." or, when nothing was found,
	// "No se obtuvieron datos de la consulta con los parámetros seleccionados".
	DocumentState string `json:"documentState,omitempty"`
	// Status is the registry's explanation sent beside the result in the
	// combined INE+CURP result (e.g. "La credencial esta vigente"). The
	// response envelope's "status":"success" is not part of the result.
	Status string `json:"status,omitempty"`
	// Information is extra text from the registry (voter key, OCR number,
	// validity), sent in the combined INE+CURP result.
	Information string `json:"information,omitempty"`
	// INEIdentifier is the citizen's identifier (CIC, "Identificador del
	// Ciudadano") and IFEIdentifier the voter card's OCR number (the
	// legacy IFE name): two different numbers, each kept for what it is.
	// Veriff may send either or both; nothing in the SDK merges them.
	INEIdentifier string `json:"ineIdentifier,omitempty"`
	IFEIdentifier string `json:"ifeIdentifier,omitempty"`
}

// UnmarshalJSON decodes the result leniently.
func (r *INERegistryResult) UnmarshalJSON(b []byte) error { return decodeLenient(b, r) }

// CURPStatus is the status code of a CURP in the Mexican population registry
// (RENAPO), as Veriff sends it in statusCurp. The type is open.
type CURPStatus string

// CURP status codes. The first five mean the CURP is active, the others
// that it was cancelled (baja).
const (
	CURPStatusAltaNormal          CURPStatus = "AN"     // normal registration
	CURPStatusAltaHomonimia       CURPStatus = "AH"     // registration with homonymy
	CURPStatusReactivada          CURPStatus = "CRA CU" // reactivated CURP
	CURPStatusCambioNoAfectando   CURPStatus = "RCN"    // change not affecting the CURP
	CURPStatusCambioAfectando     CURPStatus = "RCC"    // change affecting the CURP
	CURPStatusBajaDefuncion       CURPStatus = "BD"     // cancelled: death
	CURPStatusBajaDuplicidad      CURPStatus = "BDA"    // cancelled: duplicate
	CURPStatusBajaCambio          CURPStatus = "BCC"    // cancelled: CURP changed
	CURPStatusBajaNoAfectandoCURP CURPStatus = "BCN"    // cancelled, not affecting the CURP
)

// normalize folds case and runs of white space ("cra  cu" → "CRA CU").
func (s CURPStatus) normalize() string {
	return strings.ToUpper(strings.Join(strings.Fields(string(s)), " "))
}

// Active reports whether the status says the CURP is active: one of the
// active codes (AN, AH, CRA CU, RCN, RCC) or the word "active".
func (s CURPStatus) Active() bool {
	switch CURPStatus(s.normalize()) {
	case CURPStatusAltaNormal, CURPStatusAltaHomonimia, CURPStatusReactivada,
		CURPStatusCambioNoAfectando, CURPStatusCambioAfectando, "ACTIVE":
		return true
	}
	return false
}

// Inactive reports whether the status says the CURP was cancelled: one of
// the codes BD, BDA, BCC, BCN or the word "inactive". A status that is
// neither Active nor Inactive is unknown or missing.
func (s CURPStatus) Inactive() bool {
	switch CURPStatus(s.normalize()) {
	case CURPStatusBajaDefuncion, CURPStatusBajaDuplicidad, CURPStatusBajaCambio,
		CURPStatusBajaNoAfectandoCURP, "INACTIVE":
		return true
	}
	return false
}

// CURPRegistryResult is the result of the (legacy) CURP check against the
// Mexican population registry, as returned by CURPRegistry, inside the CURP
// registry webhook (data.details) and as the CURP section of
// CombinedINECURPRegistry.
type CURPRegistryResult struct {
	// StatusCurp is the registry's status code (see CURPStatus.Active).
	StatusCurp CURPStatus `json:"statusCurp"`
	// CURP is the person's 18-character CURP.
	CURP string `json:"curp"`
	// Description explains the status in Spanish, when sent.
	Description string `json:"description,omitempty"`
	// Raw is the JSON object the result was decoded from, including the
	// person details and birth-certificate evidence of the combined result.
	// It is not encoded by json.Marshal.
	Raw json.RawMessage `json:"-"`
}

// UnmarshalJSON decodes the result leniently and keeps the raw object.
func (r *CURPRegistryResult) UnmarshalJSON(b []byte) error { return decodeLenient(b, r) }

// Active reports whether the CURP is active in the registry.
func (r *CURPRegistryResult) Active() bool { return r != nil && r.StatusCurp.Active() }

// CombinedINECURPResult is the result of the combined (legacy) INE and CURP
// checks. A section is nil when Veriff sent none.
type CombinedINECURPResult struct {
	INE  *INERegistryResult  `json:"ine"`
	CURP *CURPRegistryResult `json:"curp"`
	// Raw is the whole response body.
	Raw json.RawMessage `json:"-"`
}

// UnmarshalJSON decodes the result leniently: the sections may be inside a
// "data" object (as the API documents) or at the top level.
func (r *CombinedINECURPResult) UnmarshalJSON(b []byte) error { return decodeLenient(b, r) }

// afterDecode takes the sections inside "data", where Veriff documents
// them, over those at the top level.
func (r *CombinedINECURPResult) afterDecode(obj []byte) {
	data := memberValue(obj, "data")
	if !isJSONObject(data) {
		return
	}
	var sections struct {
		INE  *INERegistryResult  `json:"ine"`
		CURP *CURPRegistryResult `json:"curp"`
	}
	_ = decodeLenient(data, &sections)
	if sections.INE != nil {
		r.INE = sections.INE
	}
	if sections.CURP != nil {
		r.CURP = sections.CURP
	}
}

// INERegistry returns the result of the (legacy) INE registry check of a
// session. Until the check has run Veriff may answer 404 (ErrNotFound).
// The request is signed over the session ID; the version query is not
// signed.
//
// Veriff API: GET /v1/sessions/{id}/decision/ine-registry?version=1.0.0
func (c *Client) INERegistry(ctx context.Context, sessionID string) (*INERegistryResult, error) {
	var res INERegistryResult
	if err := c.registry(ctx, sessionID, "ine-registry", &res); err != nil {
		return nil, err
	}
	// The top-level "status" of this answer is the envelope's ("success").
	res.Status = ""
	return &res, nil
}

// CURPRegistry returns the result of the (legacy) CURP registry check of a
// session.
//
// Veriff API: GET /v1/sessions/{id}/decision/curp-registry?version=1.0.0
func (c *Client) CURPRegistry(ctx context.Context, sessionID string) (*CURPRegistryResult, error) {
	var res CURPRegistryResult
	if err := c.registry(ctx, sessionID, "curp-registry", &res); err != nil {
		return nil, err
	}
	return &res, nil
}

// CombinedINECURPRegistry returns the results of the combined (legacy) INE
// and CURP registry checks of a session.
//
// Veriff API: GET /v1/sessions/{id}/decision/combined-ine-curp-registry?version=1.0.0
func (c *Client) CombinedINECURPRegistry(ctx context.Context, sessionID string) (*CombinedINECURPResult, error) {
	var res CombinedINECURPResult
	if err := c.registry(ctx, sessionID, "combined-ine-curp-registry", &res); err != nil {
		return nil, err
	}
	return &res, nil
}

// registry fetches the registry answer under /decision/{name} into out.
func (c *Client) registry(ctx context.Context, sessionID, name string, out any) error {
	r, err := newRequest(http.MethodGet, "/sessions/{sessionID}/decision/"+name, sessionID)
	if err != nil {
		return err
	}
	r.query = registryQuery
	return c.do(ctx, r, out)
}

// INEBiometricRegistryValidation is the INE biometric registry result inside
// a decision (verification.additionalVerifiedData.ineBiometricRegistryValidation):
// the credential was looked up in the INE registry and the registry's photo
// compared with the end-user's face. Verdict says what it means.
type INEBiometricRegistryValidation struct {
	// FaceMatch is Veriff's verdict on the face comparison; nil when not
	// given.
	FaceMatch *bool `json:"faceMatch"`
	// FaceMatchPercentage is the similarity from 0 to 100; at least
	// INEFaceMatchThreshold counts as a match.
	FaceMatchPercentage *float64 `json:"faceMatchPercentage"`
	// ResponseStatus is the registry's answer: "success", "failure", or nil
	// while there is none.
	ResponseStatus *string `json:"responseStatus"`
}

// INEFaceMatchThreshold is the FaceMatchPercentage from which Veriff counts
// the faces as matching.
const INEFaceMatchThreshold = 85.0

// INEVerdict is the plain meaning of an INE registry validation. The type
// is open; the SDK returns only the constants below.
type INEVerdict string

// INE verdicts.
const (
	// INEVerdictValid: the registry confirmed the credential as valid and
	// active and the face matches.
	INEVerdictValid INEVerdict = "valid"
	// INEVerdictFaceMismatch: the registry answered but the face does not
	// match the credential's photo.
	INEVerdictFaceMismatch INEVerdict = "face_mismatch"
	// INEVerdictNotFound: the registry reported the credential as not
	// found, inactive or invalid.
	INEVerdictNotFound INEVerdict = "not_found"
	// INEVerdictFailure: the registry check failed ("failure"): the
	// credential could not be validated, or the registry could not be
	// queried. It is not a positive result.
	INEVerdictFailure INEVerdict = "failure"
	// INEVerdictPending: there is no result yet (no validation in the
	// decision, or no response status, or no face comparison).
	INEVerdictPending INEVerdict = "pending"
)

// Verdict returns the plain meaning of the validation. A nil receiver is
// INEVerdictPending.
func (v *INEBiometricRegistryValidation) Verdict() INEVerdict {
	verdict, _ := v.evaluate()
	return verdict
}

// OK reports whether the credential is valid and active and the face
// matches (Verdict is INEVerdictValid).
func (v *INEBiometricRegistryValidation) OK() bool { return v.Verdict() == INEVerdictValid }

// Reason returns a readable sentence explaining the verdict.
func (v *INEBiometricRegistryValidation) Reason() string {
	_, reason := v.evaluate()
	return reason
}

func (v *INEBiometricRegistryValidation) evaluate() (INEVerdict, string) {
	if v == nil {
		return INEVerdictPending, "no INE biometric registry result yet"
	}
	if v.ResponseStatus == nil || strings.TrimSpace(*v.ResponseStatus) == "" {
		return INEVerdictPending, "the INE registry has not answered yet"
	}
	status := strings.ToLower(strings.TrimSpace(*v.ResponseStatus))
	switch status {
	case "success":
	case "failure", "failed", "fail", "error":
		return INEVerdictFailure, "the INE registry check failed: the credential could not be validated"
	case "not_found", "not-found", "notfound", "not found", "inactive", "invalid":
		return INEVerdictNotFound, fmt.Sprintf("the INE registry reported the credential as %s", status)
	default:
		return INEVerdictFailure, fmt.Sprintf("the INE registry answered with an unrecognised status %s", strconv.Quote(*v.ResponseStatus))
	}
	pct := ""
	if v.FaceMatchPercentage != nil {
		pct = fmt.Sprintf(" (similarity %s%%)", strconv.FormatFloat(*v.FaceMatchPercentage, 'f', -1, 64))
	}
	switch {
	case v.FaceMatch != nil && *v.FaceMatch:
		return INEVerdictValid, "the credential is valid and active in the INE registry and the face matches" + pct
	case v.FaceMatch != nil:
		return INEVerdictFaceMismatch, "the credential was found in the INE registry but the face does not match" + pct
	case v.FaceMatchPercentage != nil && *v.FaceMatchPercentage >= INEFaceMatchThreshold:
		return INEVerdictValid, "the credential is valid and active in the INE registry and the face matches" + pct
	case v.FaceMatchPercentage != nil:
		return INEVerdictFaceMismatch, fmt.Sprintf("the credential was found in the INE registry but the face does not match%s, below %v%%", pct, INEFaceMatchThreshold)
	}
	return INEVerdictPending, "the INE registry answered but there is no face comparison yet"
}

// INEBiometric returns the INE biometric registry validation carried by the
// decision (verification.additionalVerifiedData.ineBiometricRegistryValidation),
// or nil when there is none yet. The result's methods accept nil, so
// d.INEBiometric().Verdict() is INEVerdictPending until the check reports.
func (d *Decision) INEBiometric() *INEBiometricRegistryValidation {
	if d == nil || d.Verification == nil || d.Verification.AdditionalVerifiedData == nil {
		return nil
	}
	return d.Verification.AdditionalVerifiedData.INEBiometricRegistryValidation
}
