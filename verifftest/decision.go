package verifftest

// This file holds decisions: Decide, DecideWithReason, DecideAsSent, the INE answers, and the decision payload.

import (
	"encoding/json"
	"fmt"
	"maps"
	"strings"
	"time"

	"github.com/veriffgo/veriff"
	"github.com/veriffgo/veriff/internal/fake"
)

// Default decision data, used where the session was created without it:
// a plausible holder of a Mexican INE voter card.
const (
	defaultFirstName    = "MARÍA GUADALUPE"
	defaultLastName     = "HERNÁNDEZ LÓPEZ"
	defaultDateOfBirth  = "1990-02-15"
	defaultGender       = "F"
	defaultCURP         = "HELG900215MDFRPD09"
	defaultElectorKey   = "HRLPGD90021509M300"
	defaultINEID        = "1859402736481"
	defaultDocNumber    = "IDMEX1859402736"
	defaultPlaceOfBirth = "CIUDAD DE MÉXICO"
	defaultAddress      = "AV. INSURGENTES SUR 1602, CRÉDITO CONSTRUCTOR, BENITO JUÁREZ, 03940 CIUDAD DE MÉXICO, CDMX"
)

// Default reason codes of Decide for the statuses that need one.
const (
	DefaultDeclineReasonCode      = 102 // Suspected document tampering
	DefaultResubmissionReasonCode = 204 // Poor image quality
)

// ReasonText returns the reason Veriff sends with a decline (1xx, 5xx) or
// resubmission (2xx) reason code, and whether the code is known.
func ReasonText(code int) (string, bool) {
	t := veriff.ReasonCodeText(code)
	return t, t != ""
}

// decisionCodes are the verification codes of Veriff's decision statuses.
var decisionCodes = map[veriff.SessionStatus]int{
	veriff.StatusApproved:              9001,
	veriff.StatusDeclined:              9102,
	veriff.StatusResubmissionRequested: 9103,
	veriff.StatusExpired:               9104,
	veriff.StatusAbandoned:             9104,
	veriff.StatusReview:                9121,
}

// Decide decides the session as Veriff would: status is one of approved,
// declined, resubmission_requested, expired, abandoned or review.
//
// From then on GET /decision returns a full decision payload: attemptId,
// code (9001, 9102, 9103, 9104 or 9121), decisionTime and acceptanceTime,
// the person (with the Mexican INE fields: CURP as idNumber,
// ineIdentifier, electorNumber) taken from the data sent on creation, or
// plausible defaults, an ID_CARD document from MX, and, when the session
// was created with an approved "ine" consent and the server runs the
// Biometric check (the default, see WithINEChecks), additionalVerifiedData
// .ineBiometricRegistryValidation. Expired and abandoned decisions carry no
// person or document. A decline gets reason code 102 and a resubmission
// request 204 (see DecideWithReason to choose). With the Database check, an
// approval of a session whose credential was set inactive becomes a
// decline with DatabaseDeclineReasonCode.
//
// Decide sends a decision webhook and, for an approved or declined session
// with INE consent when the server runs the Registry check (the default),
// an INE registry webhook (see SetWebhookURL). A session
// may be decided again, as after a manual review. After
// resubmission_requested the session accepts media and a submit again, in
// a new attempt.
func (s *Server) Decide(sessionID string, status veriff.SessionStatus) error {
	return s.decide(sessionID, status, 0)
}

// DecideWithReason is Decide for a declined or resubmission_requested
// decision with the given reason code; the reason text is Veriff's for
// that code (see ReasonText), or "Reason <code>" for a code it does not
// list.
func (s *Server) DecideWithReason(sessionID string, status veriff.SessionStatus, reasonCode int) error {
	if status != veriff.StatusDeclined && status != veriff.StatusResubmissionRequested {
		return fmt.Errorf("verifftest: a reason code goes with declined or resubmission_requested, not %q", status)
	}
	if reasonCode <= 0 {
		return fmt.Errorf("verifftest: invalid reason code %d", reasonCode)
	}
	return s.decide(sessionID, status, reasonCode)
}

func (s *Server) decide(sessionID string, status veriff.SessionStatus, reasonCode int) error {
	return s.onSession(sessionID, func(ss *session) error {
		return s.decideLocked(ss, status, reasonCode)
	})
}

// onSession runs f with s.mu held on the session sessionID, or returns
// ErrUnknownSession.
func (s *Server) onSession(sessionID string, f func(ss *session) error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	ss := s.sessions[sessionID]
	if ss == nil {
		return fmt.Errorf("%w: %q", ErrUnknownSession, sessionID)
	}
	return f(ss)
}

// SetINERegistry sets what GET .../decision/ine-registry answers for the
// session (every field but Status, which that body has no room for), the
// INE section of the combined INE+CURP answer, and what the INE registry
// webhook sent by Decide carries. Set it before Decide for the webhook to
// carry it. As at Veriff, the registry queries answer 404 until the session
// is decided, whatever was set. A session created without an approved
// "ine" consent has no registry answer to set: SetINERegistry returns
// ErrNoINEConsent, and its queries always answer the no-data result below.
//
// The registry queries and the webhook exist only while the server runs
// the Registry check (the default, see WithINEChecks). With the Database
// check, a credential set inactive makes Decide decline the session where
// it would approve it (DatabaseDeclineReasonCode).
//
// Until it is set, the answer follows the decision: {"active":true,
// "documentState":"El documento es válido."} once the session is approved,
// and otherwise Veriff's answer when the registry returned nothing:
// {"active":false,"documentState":"No se obtuvieron datos de la consulta
// con los parámetros seleccionados"}.
func (s *Server) SetINERegistry(sessionID string, res veriff.INERegistryResult) error {
	return s.onSession(sessionID, func(ss *session) error {
		if !ss.ineConsent {
			return fmt.Errorf("%w: %q", ErrNoINEConsent, sessionID)
		}
		ss.ine = &res
		return nil
	})
}

// SetINEBiometric sets the additionalVerifiedData.ineBiometricRegistryValidation
// that the next decisions of the session carry when the server runs the
// Biometric check (see SetINEBiometricVerdict to set it by meaning). Set
// it before Decide. By
// default an approved or review decision has a face match of 97%, a decline
// a mismatch of 41%, both with responseStatus "success"; resubmissions carry
// nulls with "failure".
func (s *Server) SetINEBiometric(sessionID string, v veriff.INEBiometricRegistryValidation) error {
	return s.onSession(sessionID, func(ss *session) error {
		ss.ineBiometric = &veriff.INEBiometricRegistryValidation{
			FaceMatch:           clonePtr(v.FaceMatch),
			FaceMatchPercentage: clonePtr(v.FaceMatchPercentage),
			ResponseStatus:      clonePtr(v.ResponseStatus),
		}
		return nil
	})
}

// clonePtr returns a pointer to a copy of *p, or nil.
// SetTechnicalData adds keys to the technicalData object of the session's
// next decisions, beside "ip": Veriff adds fields without notice, and this
// lets a test check that code keeps or ignores the ones it does not know.
// A key "ip" replaces the recorded client IP. Set it before Decide.
func (s *Server) SetTechnicalData(sessionID string, extra map[string]any) error {
	return s.onSession(sessionID, func(ss *session) error {
		ss.technicalExtra = maps.Clone(extra)
		return nil
	})
}

func clonePtr[T any](p *T) *T {
	if p == nil {
		return nil
	}
	v := *p
	return &v
}

// registryReady reports whether the registry queries have an answer: once
// the session is decided (and not expired or abandoned: no check ran), as
// Veriff answers 404 before; s.mu must be held.
func registryReady(ss *session) bool {
	return ss.decision != nil && ss.status != veriff.StatusExpired && ss.status != veriff.StatusAbandoned
}

// ineResult is the session's INE registry answer; s.mu must be held. A
// session without the INE consent never has an active credential.
func ineResult(ss *session) veriff.INERegistryResult {
	if !ss.ineConsent {
		return veriff.INERegistryResult{Active: false, DocumentState: fake.INENoDataState}
	}
	if ss.ine != nil {
		return *ss.ine
	}
	if ss.status == veriff.StatusApproved {
		return veriff.INERegistryResult{Active: true, DocumentState: fake.INEValidState}
	}
	return veriff.INERegistryResult{Active: false, DocumentState: fake.INENoDataState}
}

// Wire shapes of the decision payload.
type (
	// attemptRef names the attempt, and the integration's own IDs, in the
	// decision and in the INE registry webhook.
	attemptRef struct {
		AttemptID  string  `json:"attemptId"`
		VendorData *string `json:"vendorData"`
		EndUserID  *string `json:"endUserId"`
	}
	decisionOut struct {
		Status        string          `json:"status"`
		Verification  verificationOut `json:"verification"`
		TechnicalData map[string]any  `json:"technicalData"`
	}
	verificationOut struct {
		ID string `json:"id"`
		attemptRef
		Status                 string         `json:"status"`
		Code                   int            `json:"code"`
		Reason                 *string        `json:"reason"`
		ReasonCode             *int           `json:"reasonCode"`
		DecisionTime           string         `json:"decisionTime"`
		AcceptanceTime         string         `json:"acceptanceTime"`
		Person                 *personOut     `json:"person"`
		Document               *documentOut   `json:"document"`
		AdditionalVerifiedData map[string]any `json:"additionalVerifiedData"`
		RiskLabels             []any          `json:"riskLabels"`
		Comments               []any          `json:"comments"`
	}
	personOut struct {
		FirstName     string       `json:"firstName"`
		LastName      string       `json:"lastName"`
		FullName      string       `json:"fullName"`
		DateOfBirth   string       `json:"dateOfBirth"`
		YearOfBirth   string       `json:"yearOfBirth"`
		PlaceOfBirth  string       `json:"placeOfBirth"`
		Gender        string       `json:"gender"`
		IDNumber      string       `json:"idNumber"`
		Nationality   string       `json:"nationality"`
		Citizenship   *string      `json:"citizenship"`
		Addresses     []addressOut `json:"addresses"`
		INEIdentifier string       `json:"ineIdentifier"`
		ElectorNumber string       `json:"electorNumber"`
	}
	addressOut struct {
		FullAddress   string         `json:"fullAddress"`
		ParsedAddress map[string]any `json:"parsedAddress"`
	}
	documentOut struct {
		Number       string  `json:"number"`
		Type         string  `json:"type"`
		Country      string  `json:"country"`
		State        *string `json:"state"`
		ValidFrom    string  `json:"validFrom"`
		ValidUntil   string  `json:"validUntil"`
		PlaceOfIssue *string `json:"placeOfIssue"`
		IssuedBy     string  `json:"issuedBy"`
	}
)

func refOf(ss *session, a *attempt) attemptRef {
	return attemptRef{AttemptID: a.id, VendorData: ss.vendorData, EndUserID: ss.endUserID}
}

// personFor is the decided person of the session.
func personFor(ss *session) personOut {
	p := personOut{
		FirstName:     defaultFirstName,
		LastName:      defaultLastName,
		DateOfBirth:   defaultDateOfBirth,
		PlaceOfBirth:  defaultPlaceOfBirth,
		Gender:        defaultGender,
		IDNumber:      curpFor(ss),
		Nationality:   "MX",
		INEIdentifier: defaultINEID,
		ElectorNumber: defaultElectorKey,
	}
	in := ss.person
	if in.FirstName != "" {
		p.FirstName = strings.ToUpper(in.FirstName)
	}
	if in.LastName != "" {
		p.LastName = strings.ToUpper(in.LastName)
	}
	if in.DateOfBirth != "" {
		p.DateOfBirth = in.DateOfBirth
	}
	switch strings.ToUpper(in.Gender) {
	case "M", "MALE":
		p.Gender = "M"
	case "F", "FEMALE":
		p.Gender = "F"
	}
	p.FullName = p.FirstName + " " + p.LastName
	if len(p.DateOfBirth) >= 4 {
		p.YearOfBirth = p.DateOfBirth[:4]
	}
	addr := ss.address
	if addr == "" {
		addr = defaultAddress
	}
	p.Addresses = []addressOut{{FullAddress: addr, ParsedAddress: map[string]any{
		"street": nil, "houseNumber": nil, "unit": nil, "city": nil,
		"state": nil, "postcode": nil, "country": "MX",
	}}}
	if ss.address == "" {
		p.Addresses[0].ParsedAddress = map[string]any{
			"street": "AV. INSURGENTES SUR", "houseNumber": "1602", "unit": nil,
			"city": "CIUDAD DE MÉXICO", "state": "CDMX", "postcode": "03940", "country": "MX",
		}
	}
	return p
}

// curpFor is the session's CURP: the idNumber sent on creation when it has
// a CURP's 18 characters, else a default.
func curpFor(ss *session) string {
	if id := strings.ToUpper(ss.person.IDNumber); len(id) == 18 {
		return id
	}
	return defaultCURP
}

func documentFor(ss *session) *documentOut {
	d := &documentOut{
		Number:     defaultDocNumber,
		Type:       "ID_CARD",
		Country:    "MX",
		ValidFrom:  "2019-01-01",
		ValidUntil: fmt.Sprint(time.Now().Year()+5) + "-12-31",
		IssuedBy:   "INSTITUTO NACIONAL ELECTORAL",
	}
	if ss.document.Number != "" {
		d.Number = ss.document.Number
	}
	if ss.document.Type != "" {
		d.Type = ss.document.Type
	}
	if ss.document.Country != "" {
		d.Country = ss.document.Country
	}
	return d
}

// DecideAsSent is DecideWithReason (a reasonCode of 0 takes the default
// of Decide) for a decision that invents nothing: its person and document
// hold only what was sent on creation (none when nothing was), and no
// check result is made up. The veriff emulator's admin API uses it for a
// forced decision of a session that was never submitted.
func (s *Server) DecideAsSent(sessionID string, status veriff.SessionStatus, reasonCode int) error {
	if reasonCode < 0 {
		return fmt.Errorf("verifftest: invalid reason code %d", reasonCode)
	}
	return s.onSession(sessionID, func(ss *session) error {
		return s.decideWith(ss, status, reasonCode, false)
	})
}

// decideLocked decides ss; s.mu must be held.
func (s *Server) decideLocked(ss *session, status veriff.SessionStatus, reasonCode int) error {
	return s.decideWith(ss, status, reasonCode, true)
}

// personSent is the decided person made of what was sent on creation
// only; nil when nothing was.
func personSent(ss *session) *personOut {
	in := ss.person
	if in.FirstName == "" && in.LastName == "" && in.DateOfBirth == "" && in.IDNumber == "" && ss.address == "" {
		return nil
	}
	p := &personOut{FirstName: strings.ToUpper(in.FirstName), LastName: strings.ToUpper(in.LastName),
		DateOfBirth: in.DateOfBirth, IDNumber: strings.ToUpper(in.IDNumber), Addresses: []addressOut{}}
	p.FullName = strings.TrimSpace(p.FirstName + " " + p.LastName)
	if len(p.DateOfBirth) >= 4 {
		p.YearOfBirth = p.DateOfBirth[:4]
	}
	if ss.address != "" {
		p.Addresses = []addressOut{{FullAddress: ss.address, ParsedAddress: map[string]any{}}}
	}
	return p
}

// documentSent is the decided document made of what was sent on creation
// only; nil when no number was.
func documentSent(ss *session) *documentOut {
	d := ss.document
	if d.Number == "" {
		return nil
	}
	return &documentOut{Number: d.Number, Type: d.Type, Country: d.Country}
}

// decideWith decides ss, with plausible defaults for what was not sent
// when invent is set; s.mu must be held.
func (s *Server) decideWith(ss *session, status veriff.SessionStatus, reasonCode int, invent bool) error {
	code, ok := decisionCodes[status]
	if !ok {
		return fmt.Errorf("verifftest: %q is not a decision status (approved, declined, resubmission_requested, expired, abandoned, review)", status)
	}
	if s.databaseDeclines(ss, status) {
		status, code, reasonCode = veriff.StatusDeclined, decisionCodes[veriff.StatusDeclined], DatabaseDeclineReasonCode
	}
	if reasonCode == 0 {
		switch status {
		case veriff.StatusDeclined:
			reasonCode = DefaultDeclineReasonCode
		case veriff.StatusResubmissionRequested:
			reasonCode = DefaultResubmissionReasonCode
		}
	}
	a := ss.attempts[len(ss.attempts)-1]
	now := time.Now().UTC()
	v := verificationOut{
		ID:             ss.id,
		attemptRef:     refOf(ss, a),
		Status:         string(status),
		Code:           code,
		DecisionTime:   formatTime(now),
		AcceptanceTime: formatTime(ss.createdAt),
		RiskLabels:     []any{},
		Comments:       []any{},
	}
	if reasonCode != 0 {
		text, ok := ReasonText(reasonCode)
		if !ok {
			text = fmt.Sprintf("Reason %d", reasonCode)
		}
		v.Reason, v.ReasonCode = &text, &reasonCode
	}
	if status != veriff.StatusExpired && status != veriff.StatusAbandoned && !invent {
		v.Person, v.Document = personSent(ss), documentSent(ss)
		v.AdditionalVerifiedData = map[string]any{}
	} else if status != veriff.StatusExpired && status != veriff.StatusAbandoned {
		p := personFor(ss)
		v.Person = &p
		v.Document = documentFor(ss)
		v.AdditionalVerifiedData = map[string]any{}
	}
	if s.cfg.ineChecks.Biometric && ss.ineConsent {
		if v.AdditionalVerifiedData == nil {
			v.AdditionalVerifiedData = map[string]any{}
		}
		v.AdditionalVerifiedData["ineBiometricRegistryValidation"] = ineBiometricFor(ss, status)
	}
	out := decisionOut{Status: "success", Verification: v, TechnicalData: map[string]any{"ip": nil}}
	if ss.clientIP != "" {
		out.TechnicalData["ip"] = ss.clientIP
	}
	maps.Copy(out.TechnicalData, ss.technicalExtra)
	body, err := json.Marshal(out)
	if err != nil {
		return fmt.Errorf("verifftest: encoding decision: %w", err)
	}
	ss.decision = body
	ss.status = status
	a.status = status
	ss.newAttempt = status == veriff.StatusResubmissionRequested
	s.dispatch(kindDecision, ss.id, body)
	if s.cfg.ineChecks.Registry && ss.ineConsent && (status == veriff.StatusApproved || status == veriff.StatusDeclined) {
		s.sendINE(ss, a, now)
	}
	return nil
}

func ineBiometricFor(ss *session, status veriff.SessionStatus) any {
	if v := ss.ineBiometric; v != nil {
		return struct {
			FaceMatch           *bool    `json:"faceMatch"`
			FaceMatchPercentage *float64 `json:"faceMatchPercentage"`
			ResponseStatus      *string  `json:"responseStatus"`
		}{v.FaceMatch, v.FaceMatchPercentage, v.ResponseStatus}
	}
	switch status {
	case veriff.StatusApproved, veriff.StatusReview:
		return map[string]any{"faceMatch": true, "faceMatchPercentage": 97, "responseStatus": "success"}
	case veriff.StatusDeclined:
		return map[string]any{"faceMatch": false, "faceMatchPercentage": 41, "responseStatus": "success"}
	case veriff.StatusExpired, veriff.StatusAbandoned:
		return map[string]any{"faceMatch": nil, "faceMatchPercentage": nil, "responseStatus": nil}
	}
	return map[string]any{"faceMatch": nil, "faceMatchPercentage": nil, "responseStatus": "failure"}
}
