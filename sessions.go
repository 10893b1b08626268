package veriff

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"
)

// SessionStatus is the status of a session or decision as Veriff sends it.
// The type is open: Veriff may send values without a constant here.
type SessionStatus string

// Session statuses.
const (
	StatusCreated               SessionStatus = "created"
	StatusStarted               SessionStatus = "started"
	StatusSubmitted             SessionStatus = "submitted"
	StatusApproved              SessionStatus = "approved"
	StatusDeclined              SessionStatus = "declined"
	StatusResubmissionRequested SessionStatus = "resubmission_requested"
	StatusExpired               SessionStatus = "expired"
	StatusAbandoned             SessionStatus = "abandoned"
	StatusReview                SessionStatus = "review"
)

// IsFinal reports whether the status ends the session for good: approved,
// declined, expired or abandoned. resubmission_requested is not final (the
// end-user goes through the same session URL again), nor is review (a
// reviewer has yet to decide).
func (s SessionStatus) IsFinal() bool {
	switch s {
	case StatusApproved, StatusDeclined, StatusExpired, StatusAbandoned:
		return true
	}
	return false
}

// IsDecided reports whether the status is one Veriff reports through a
// decision (a 9xxx code): approved, declined, resubmission_requested,
// expired, abandoned or review. created, started and submitted are not.
func (s SessionStatus) IsDecided() bool {
	return s.IsFinal() || s == StatusResubmissionRequested || s == StatusReview
}

// Session and decision codes (verification.code and event codes). Key your
// logic on the status string: Veriff's pages disagree on 9121, and 9104
// stands for both expired and abandoned.
const (
	CodeStarted               = 7001 // event: the end-user entered the flow
	CodeSubmitted             = 7002 // event: the end-user submitted the data
	CodeApproved              = 9001
	CodeDeclined              = 9102
	CodeResubmissionRequested = 9103
	CodeExpiredOrAbandoned    = 9104
	CodeReview                = 9121
)

// reasonTexts holds Veriff's reason codes (verification.reasonCode) of
// declined and resubmission_requested decisions, granular codes included.
var reasonTexts = map[int]string{
	101: "Physical document not used",
	102: "Suspected document tampering",
	103: "Person showing the document does not appear to match document photo",
	104: "Name entered does not match name on document",
	105: "Suspicious behaviour",
	106: "Known fraud",
	107: "Velocity/abuse",
	108: "Velocity/abuse duplicated end-user",
	109: "Velocity/abuse duplicated device",
	110: "Velocity/abuse duplicated ID",
	111: "Session fraudulently accessed",
	112: "Restricted IP location",
	113: "Suspicious behaviour - Identity Farming",
	120: "Person on the portrait does not appear to match reference photo",
	121: "User ID missing",
	122: "No reference found",
	123: "Unable to pass registry checks",
	124: "Face already exists in the face collection",
	126: "Potential PEP match",
	127: "Face match with blocklist",
	128: "End User ID mismatch",
	129: "Invalid workflow",
	201: "Video and/or photos missing",
	202: "Face not clearly visible",
	203: "Full document not visible",
	204: "Poor image quality",
	205: "Document damaged",
	206: "Document type not supported",
	207: "Document expired",
	208: "Selfie missing",
	209: "Document photo missing",
	501: "High probability of fraudulent attempt",
	502: "Multiple parties present in session",
	503: "Attempted deceit",
	504: "Attempted deceit, device screen used",
	505: "Attempted deceit, printout used",
	506: "Presented document tampered",
	507: "Presented document tampered, data cross reference",
	508: "Presented document tampered, document similarity to specimen",
	509: "Person showing the document does not match document photo",
	510: "Presented document type not supported",
	511: "Presented document expired",
	515: "Attempted deceit, device screen used for face image",
	526: "Attempted deceit, photos streamed",
	527: "Unable to collect proof of address data",
	528: "Proof of address issue date too old",
	530: "Person is under 13 years old",
	531: "Person is under 14 years old",
	532: "Person is under 16 years old",
	533: "Person is under 18 years old",
	534: "Person is under 20 years old",
	535: "Person is under 21 years old",
	536: "Person is under 25 years old",
	537: "Unable to perform document media portrait cropping",
	539: "Resubmission limit exceeded",
}

// ReasonCodeText returns the English text Veriff documents for a decision
// reason code (verification.reasonCode), or "" for a code it does not know.
// Veriff sends the text itself in verification.reason; prefer that when set.
func ReasonCodeText(code int) string { return reasonTexts[code] }

// ---------------------------------------------------------------------------
// Creating a session

// Consent types of CreateSessionRequest.Consents.
const (
	ConsentTypeINE     = "ine"     // Mexico's INE biometric database verification
	ConsentTypeBIPA    = "bipa"    // Illinois Biometric Information Privacy Act
	ConsentTypeAadhaar = "aadhaar" // India's Aadhaar
)

// Consent records the end-user's consent to a feature that needs one.
type Consent struct {
	Type     string `json:"type"` // ConsentTypeINE, ...
	Approved bool   `json:"approved"`
}

// INEConsent returns the approved INE consent that sessions using Veriff's
// INE Biometric Database Verification must carry; without it Veriff does not
// create the session.
func INEConsent() Consent { return Consent{Type: ConsentTypeINE, Approved: true} }

// Values of SessionDocument.Type and DecisionDocument.Type, the type of an
// identity document. Veriff may send others. An INE voter card is an ID_CARD
// from MX.
const (
	DocumentTypePassport        = "PASSPORT"
	DocumentTypeIDCard          = "ID_CARD"
	DocumentTypeDriversLicense  = "DRIVERS_LICENSE"
	DocumentTypeResidencePermit = "RESIDENCE_PERMIT"
	DocumentTypeVisa            = "VISA"
	DocumentTypeOther           = "OTHER" // in responses only
)

// Values of SessionPerson.Gender and SessionPerson.MaritalStatus.
const (
	GenderMale   = "M"
	GenderFemale = "F"

	MaritalStatusSingle   = "single"
	MaritalStatusMarried  = "married"
	MaritalStatusDivorced = "divorced"
	MaritalStatusWidowed  = "widowed"
)

// MaxVendorDataLength is the longest vendorData Veriff accepts, in characters.
const MaxVendorDataLength = 1000

// dateLayout is the layout of dates Veriff takes and sends (YYYY-MM-DD).
const dateLayout = "2006-01-02"

// CreateSessionRequest is the body of POST /v1/sessions. Every field is
// optional: the zero value creates a session with no data. Unset fields and
// nil blocks are left out of the JSON.
type CreateSessionRequest struct {
	// Callback is the URL the end-user is sent to after the flow; it
	// overrides the integration's default for this session only.
	Callback string `json:"callback,omitempty"`
	// Person is what you already know about the end-user.
	Person *SessionPerson `json:"person,omitempty"`
	// Document is what you already know about the document to be used.
	Document *SessionDocument `json:"document,omitempty"`
	// Address is mandatory only for the UK DIATF M1B flow.
	Address *SessionAddress `json:"address,omitempty"`
	// ProofOfAddress restricts the documents accepted as proof of address
	// (proof-of-address solution only).
	ProofOfAddress *SessionProofOfAddress `json:"proofOfAddress,omitempty"`
	// VendorData is your own non-semantic identifier of the end-user, at most
	// 1000 characters. Veriff returns it unchanged and it cannot be changed
	// later.
	VendorData string `json:"vendorData,omitempty"`
	// EndUserID is your UUID of the end-user, returned unchanged.
	EndUserID string `json:"endUserId,omitempty"`
	// Consents lists the end-user's consents to features that need one. INE
	// biometric flows need INEConsent().
	Consents []Consent `json:"consents,omitempty"`
}

// SessionPerson is the person block of CreateSessionRequest.
type SessionPerson struct {
	FirstName   string `json:"firstName,omitempty"`
	LastName    string `json:"lastName,omitempty"`
	IDNumber    string `json:"idNumber,omitempty"` // national ID number
	PhoneNumber string `json:"phoneNumber,omitempty"`
	Gender      string `json:"gender,omitempty"` // GenderMale, GenderFemale
	// DateOfBirth is formatted YYYY-MM-DD.
	DateOfBirth   string `json:"dateOfBirth,omitempty"`
	Email         string `json:"email,omitempty"`
	MaritalStatus string `json:"maritalStatus,omitempty"` // MaritalStatusSingle, ...
	IsDeceased    *bool  `json:"isDeceased,omitempty"`
}

// SessionDocument is the document block of CreateSessionRequest.
type SessionDocument struct {
	Number  string `json:"number,omitempty"`  // letters and digits only
	Country string `json:"country,omitempty"` // ISO 3166-1 alpha-2
	Type    string `json:"type,omitempty"`
	// IDCardType is for Colombia only: CC, CE or TI.
	IDCardType string `json:"idCardType,omitempty"`
	// FirstIssue is formatted YYYY-MM-DD.
	FirstIssue string `json:"firstIssue,omitempty"`
}

// SessionAddress is the address block of CreateSessionRequest.
type SessionAddress struct {
	FullAddress string `json:"fullAddress,omitempty"`
}

// SessionProofOfAddress is the proofOfAddress block of CreateSessionRequest.
type SessionProofOfAddress struct {
	AcceptableTypes []AcceptableType `json:"acceptableTypes,omitempty"`
}

// AcceptableType names a document accepted as proof of address, such as
// "BANK_STATEMENT" or "ELECTRICITY_BILL".
type AcceptableType struct {
	Name string `json:"name"`
}

// Validate checks the request as CreateSession does before sending it:
// vendorData length, date formats, consent types and the callback URL. The
// error wraps ErrInvalidInput.
func (r *CreateSessionRequest) Validate() error {
	if n := utf8.RuneCountInString(r.VendorData); n > MaxVendorDataLength {
		return invalidInput("VendorData", "%d characters, more than %d", n, MaxVendorDataLength)
	}
	if r.Callback != "" {
		u, err := url.Parse(r.Callback)
		if err != nil || !u.IsAbs() || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
			return invalidInput("Callback", "must be an absolute http(s) URL")
		}
	}
	if p := r.Person; p != nil && p.DateOfBirth != "" {
		if err := checkDate("Person.DateOfBirth", p.DateOfBirth); err != nil {
			return err
		}
	}
	if d := r.Document; d != nil && d.FirstIssue != "" {
		if err := checkDate("Document.FirstIssue", d.FirstIssue); err != nil {
			return err
		}
	}
	for i, c := range r.Consents {
		if strings.TrimSpace(c.Type) == "" {
			return invalidInput(fmt.Sprintf("Consents[%d].Type", i), "empty consent type")
		}
	}
	if poa := r.ProofOfAddress; poa != nil {
		for i, t := range poa.AcceptableTypes {
			if strings.TrimSpace(t.Name) == "" {
				return invalidInput(fmt.Sprintf("ProofOfAddress.AcceptableTypes[%d].Name", i), "empty name")
			}
		}
	}
	return nil
}

func checkDate(field, s string) error {
	if _, err := time.Parse(dateLayout, s); err != nil {
		return invalidInput(field, "not a date formatted YYYY-MM-DD")
	}
	return nil
}

// Session is a verification session as Veriff returns it on creation and
// submission.
type Session struct {
	// ID is the session ID every other endpoint takes.
	ID string `json:"id"`
	// URL is where the end-user goes through the hosted flow.
	URL string `json:"url"`
	// VendorData is returned as sent; empty when Veriff sends null.
	VendorData string `json:"vendorData,omitempty"`
	// Host is the hosted flow's host; filled from the legacy "baseUrl" key
	// when "host" is absent.
	Host   string        `json:"host,omitempty"`
	Status SessionStatus `json:"status,omitempty"`
	// SessionToken is kept by Veriff for legacy purposes.
	SessionToken string `json:"sessionToken,omitempty"`
}

// UnmarshalJSON decodes a session leniently and accepts the legacy
// "baseUrl" key for Host.
func (s *Session) UnmarshalJSON(data []byte) error {
	if !isJSONObject(data) {
		return nil
	}
	return decodeLenient(data, s)
}

// afterDecode fills Host from the legacy "baseUrl" key.
func (s *Session) afterDecode(obj []byte) {
	if s.Host == "" {
		s.Host = jsonString(memberValue(obj, "baseUrl"))
	}
}

// sessionEnvelope is the body of the create and submit responses.
type sessionEnvelope struct {
	Status       string   `json:"status"`
	Verification *Session `json:"verification"`
}

// CreateSession creates a verification session and returns its ID and URL.
// The request is validated first (see CreateSessionRequest.Validate); the
// client's integration ID, if any, is sent as vrf-integration-id.
//
// Veriff documents no idempotency key: the request is never retried once it
// may have reached Veriff, and Veriff may have created a session even when
// the call failed. Veriff cannot look sessions up by VendorData: store the
// session ID as soon as this returns, and after a failure either create
// again and keep the first session you learn of, or treat the unknown one
// as abandoned (sessions expire after 7 days).
//
// Veriff API: POST /v1/sessions
func (c *Client) CreateSession(ctx context.Context, req CreateSessionRequest) (*Session, error) {
	if err := req.Validate(); err != nil {
		return nil, err
	}
	body := struct {
		Verification *CreateSessionRequest `json:"verification"`
	}{&req}
	r := &request{method: http.MethodPost, path: "/sessions", body: body, integrationID: true}
	var env sessionEnvelope
	if err := c.do(ctx, r, &env); err != nil {
		return nil, err
	}
	if env.Verification == nil || env.Verification.ID == "" {
		return nil, fmt.Errorf("veriff: POST /v1/sessions: %w: no session ID in the response", ErrInvalidResponse)
	}
	return env.Verification, nil
}

// SubmitSession marks the session submitted, after all media has been
// uploaded: Veriff then starts verifying it. The session must be created or
// started; a second submit fails (code 1304, or ErrConflict).
//
// Veriff API: PATCH /v1/sessions/{id}
func (c *Client) SubmitSession(ctx context.Context, sessionID string) (*Session, error) {
	if err := validateID("sessionID", sessionID); err != nil {
		return nil, err
	}
	r := &request{method: http.MethodPatch, path: "/sessions/" + sessionID, body: submitBody}
	var env sessionEnvelope
	if err := c.do(ctx, r, &env); err != nil {
		return nil, err
	}
	s := env.Verification
	if s == nil {
		s = &Session{}
	}
	if s.ID == "" {
		s.ID = sessionID
	}
	return s, nil
}

// submitBody is the only change of status the endpoint takes.
var submitBody = json.RawMessage(`{"verification":{"status":"submitted"}}`)

// DeleteSession deletes the session and its data. The endpoint is off until
// Veriff enables it, and is rate limited (5 per hour, 10 per day). Deleting a
// created, started or resubmission_requested session makes Veriff send an
// expired or abandoned decision webhook.
//
// Veriff API: DELETE /v1/sessions/{id}
func (c *Client) DeleteSession(ctx context.Context, sessionID string) error {
	r, err := byID(http.MethodDelete, "sessionID", "/sessions/", sessionID, "")
	if err != nil {
		return err
	}
	return c.do(ctx, r, nil)
}

// ---------------------------------------------------------------------------
// Decisions

// Decision is the answer of GET /v1/sessions/{id}/decision and the body of a
// decision webhook.
type Decision struct {
	// Status is the status of the message itself ("success"), not of the
	// session: see Verification.Status.
	Status string `json:"status"`
	// Verification is nil until Veriff has decided.
	Verification  *Verification  `json:"verification"`
	TechnicalData *TechnicalData `json:"technicalData,omitempty"`
}

// UnmarshalJSON decodes a decision leniently: a field of an unexpected shape
// is left zero (and stays readable in Verification.Raw) instead of failing
// the whole payload. A body that is not a JSON object (or null) is an error.
func (d *Decision) UnmarshalJSON(data []byte) error { return decodeLenient(data, d) }

// Verification is the decided session inside a Decision. Any field may be
// absent, null or empty, depending on the integration's configuration and
// the outcome; Raw keeps the whole object, unknown keys included.
type Verification struct {
	// ID is the session ID; AttemptID the attempt that got this decision.
	ID        string `json:"id"`
	AttemptID string `json:"attemptId,omitempty"`
	// VendorData and EndUserID are returned as given at session creation;
	// empty when Veriff sends null.
	VendorData string `json:"vendorData"`
	EndUserID  string `json:"endUserId"`
	// Status is the decision: approved, declined, resubmission_requested,
	// expired, abandoned or review.
	Status SessionStatus `json:"status"`
	// Code is the decision code (CodeApproved, ...). Key logic on Status.
	Code int `json:"code" veriff:"flex"`
	// Reason and ReasonCode explain declined and resubmission_requested
	// decisions; nil otherwise. See ReasonCodeText.
	Reason     *string `json:"reason"`
	ReasonCode *int    `json:"reasonCode" veriff:"flex"`
	// DecisionTime is when Veriff decided (nil when Veriff sends null);
	// AcceptanceTime is when the session was created (zero when absent).
	DecisionTime   *time.Time `json:"decisionTime"`
	AcceptanceTime time.Time  `json:"acceptanceTime"`

	Person                 *DecisionPerson         `json:"person,omitempty"`
	Document               *DecisionDocument       `json:"document,omitempty"`
	AdditionalVerifiedData *AdditionalVerifiedData `json:"additionalVerifiedData,omitempty"`
	RiskLabels             []RiskLabel             `json:"riskLabels,omitempty"`
	// RiskScore is kept raw: its shape is not documented.
	RiskScore               json.RawMessage          `json:"riskScore,omitempty"`
	BiometricAuthentication *BiometricAuthentication `json:"biometricAuthentication,omitempty"`
	// Comments is deprecated by Veriff.
	Comments []json.RawMessage `json:"comments,omitempty"`
	// HighRisk is deprecated by Veriff.
	HighRisk *bool `json:"highRisk,omitempty" veriff:"flex"`

	// Raw is the verification object as received.
	Raw json.RawMessage `json:"-"`
}

// UnmarshalJSON decodes a verification leniently (see Decision.UnmarshalJSON)
// and keeps the object in Raw. A value that is not an object leaves v
// unchanged, without an error.
func (v *Verification) UnmarshalJSON(data []byte) error {
	if !isJSONObject(data) {
		return nil
	}
	return decodeLenient(data, v)
}

// UnmarshalJSON decodes the person leniently, keeping the object in Raw:
// YearOfBirth, Height and Weight may be numbers.
func (p *DecisionPerson) UnmarshalJSON(data []byte) error {
	if !isJSONObject(data) {
		return nil
	}
	return decodeLenient(data, p)
}

// DecisionPerson is the person data Veriff extracted or verified. Dates are
// formatted YYYY-MM-DD.
type DecisionPerson struct {
	FirstName   string `json:"firstName,omitempty"`
	LastName    string `json:"lastName,omitempty"`
	FullName    string `json:"fullName,omitempty"`
	DateOfBirth string `json:"dateOfBirth,omitempty"`
	// YearOfBirth is a string: Veriff sends it as a string or a number.
	YearOfBirth  string `json:"yearOfBirth,omitempty" veriff:"flex"`
	PlaceOfBirth string `json:"placeOfBirth,omitempty"`
	Gender       string `json:"gender,omitempty"`
	IDNumber     string `json:"idNumber,omitempty"`
	Nationality  string `json:"nationality,omitempty"`
	// Citizenship is deprecated by Veriff (always null).
	Citizenship     string          `json:"citizenship,omitempty"`
	Addresses       []PersonAddress `json:"addresses,omitempty"`
	Occupation      string          `json:"occupation,omitempty"`
	Employer        string          `json:"employer,omitempty"`
	ForeignerStatus string          `json:"foreignerStatus,omitempty"`
	ExtraNames      string          `json:"extraNames,omitempty"`
	Title           string          `json:"title,omitempty"`

	// Mexican voter card (INE/IFE) identifiers.
	IFEIdentifier string `json:"ifeIdentifier,omitempty"`
	INEIdentifier string `json:"ineIdentifier,omitempty"`
	ElectorNumber string `json:"electorNumber,omitempty"`

	EyeColor  string `json:"eyeColor,omitempty"`
	HairColor string `json:"hairColor,omitempty"`
	// Height and Weight are strings as printed on the document.
	Height string `json:"height,omitempty" veriff:"flex"`
	Weight string `json:"weight,omitempty" veriff:"flex"`

	// Raw is the person object as received, unknown keys included.
	Raw json.RawMessage `json:"-"`
}

// PersonAddress is one address of a DecisionPerson.
type PersonAddress struct {
	FullAddress   string         `json:"fullAddress,omitempty"`
	ParsedAddress *ParsedAddress `json:"parsedAddress,omitempty"`
}

// ParsedAddress is an address split into parts. Veriff has sent the string
// "null" for a missing part; it is decoded as "".
type ParsedAddress struct {
	Street      string `json:"street,omitempty"`
	HouseNumber string `json:"houseNumber,omitempty"`
	Unit        string `json:"unit,omitempty"`
	City        string `json:"city,omitempty"`
	State       string `json:"state,omitempty"`
	Postcode    string `json:"postcode,omitempty"`
	Country     string `json:"country,omitempty"`
}

// UnmarshalJSON decodes the address leniently, turning "null" strings into "".
func (a *ParsedAddress) UnmarshalJSON(data []byte) error {
	if !isJSONObject(data) {
		return nil
	}
	return decodeLenient(data, a)
}

// afterDecode turns the placeholder "null" into "".
func (a *ParsedAddress) afterDecode([]byte) {
	for _, p := range []*string{&a.Street, &a.HouseNumber, &a.Unit, &a.City, &a.State, &a.Postcode, &a.Country} {
		if *p == "null" {
			*p = ""
		}
	}
}

// DecisionDocument is the document data Veriff extracted or verified. Dates
// are formatted YYYY-MM-DD.
type DecisionDocument struct {
	Number  string `json:"number,omitempty"`
	Type    string `json:"type,omitempty"`
	Country string `json:"country,omitempty"` // ISO 3166-1 alpha-2
	State   string `json:"state,omitempty"`

	ValidFrom    string `json:"validFrom,omitempty"`
	ValidUntil   string `json:"validUntil,omitempty"`
	PlaceOfIssue string `json:"placeOfIssue,omitempty"`
	FirstIssue   string `json:"firstIssue,omitempty"`
	IssueNumber  string `json:"issueNumber,omitempty" veriff:"flex"`
	IssuedBy     string `json:"issuedBy,omitempty"`
	Remarks      string `json:"remarks,omitempty"`

	NFCValidated        *bool  `json:"nfcValidated,omitempty" veriff:"flex"`
	ResidencePermitType string `json:"residencePermitType,omitempty"`
	PortraitIsVisible   *bool  `json:"portraitIsVisible,omitempty" veriff:"flex"`
	SignatureIsVisible  *bool  `json:"signatureIsVisible,omitempty" veriff:"flex"`
	// INEIdentifier is the Mexican voter card identifier.
	INEIdentifier string `json:"ineIdentifier,omitempty"`

	Specimen *DocumentSpecimen `json:"specimen,omitempty"`

	// Raw is the document object as received, unknown keys included.
	Raw json.RawMessage `json:"-"`
}

// UnmarshalJSON decodes the document leniently, keeping the object in Raw:
// IssueNumber may be a number, and the booleans strings.
func (d *DecisionDocument) UnmarshalJSON(data []byte) error {
	if !isJSONObject(data) {
		return nil
	}
	return decodeLenient(data, d)
}

// DocumentSpecimen describes the document model Veriff recognised.
type DocumentSpecimen struct {
	ContainsContactlessChip    *bool  `json:"containsContactlessChip,omitempty"`
	FirstIssuedDate            string `json:"firstIssuedDate,omitempty"`
	LastIssuedDate             string `json:"lastIssuedDate,omitempty"`
	NISTVersion                string `json:"nistVersion,omitempty"`
	DigitalDocument            *bool  `json:"digitalDocument,omitempty"`
	NonStandardDrivingLicense  *bool  `json:"nonStandardDrivingLicense,omitempty"`
	MilitaryDocument           *bool  `json:"militaryDocument,omitempty"`
	TemporaryEmergencyDocument *bool  `json:"temporaryEmergencyDocument,omitempty"`
	AsylumRefugeeDocument      *bool  `json:"asylumRefugeeDocument,omitempty"`
	ICAOStandardizedDocument   *bool  `json:"ICAOStandardizedDocument,omitempty"`
	NotNationalIDCard          *bool  `json:"notNationalIdCard,omitempty"`
	LegalStatus                string `json:"legalStatus,omitempty"`
	HasSecurityRisk            *bool  `json:"hasSecurityRisk,omitempty"`
}

// AdditionalVerifiedData holds the results of optional checks. Blocks whose
// shape Veriff does not document are kept raw; Raw holds the whole object so
// that keys without a field here stay reachable.
type AdditionalVerifiedData struct {
	DriversLicenseNumber string `json:"driversLicenseNumber,omitempty"`
	// DriversLicenseCategory maps a category ("B") to whether it is held;
	// ...From and ...Until map it to dates (YYYY-MM-DD).
	DriversLicenseCategory      map[string]bool   `json:"driversLicenseCategory,omitempty" veriff:"flex"`
	DriversLicenseCategoryFrom  map[string]string `json:"driversLicenseCategoryFrom,omitempty"`
	DriversLicenseCategoryUntil map[string]string `json:"driversLicenseCategoryUntil,omitempty"`
	DriversLicenseCategories    json.RawMessage   `json:"driversLicenseCategories,omitempty"`
	// EstimatedAge is the age estimated from the selfie, in years.
	EstimatedAge *int `json:"estimatedAge,omitempty" veriff:"flex"`
	// EstimatedGender runs from 0 (male) to 1 (female).
	EstimatedGender *float64 `json:"estimatedGender,omitempty" veriff:"flex"`
	ProcessNumber   string   `json:"processNumber,omitempty"`
	// INEBiometricRegistryValidation is the result of Mexico's INE
	// biometric database verification.
	INEBiometricRegistryValidation *INEBiometricRegistryValidation `json:"ineBiometricRegistryValidation,omitempty"`

	UKTFCheckResult    json.RawMessage `json:"UKTFCheckResult,omitempty"`
	CPFValidation      json.RawMessage `json:"cpfValidation,omitempty"`
	RegistryValidation json.RawMessage `json:"registryValidation,omitempty"`
	ProofOfAddress     json.RawMessage `json:"proofOfAddress,omitempty"`
	ValidationResults  json.RawMessage `json:"validationResults,omitempty"`

	// Raw is the additionalVerifiedData object as received.
	Raw json.RawMessage `json:"-"`
}

// UnmarshalJSON decodes the data leniently, keeping the object in Raw:
// EstimatedAge and EstimatedGender may be strings, and the
// DriversLicenseCategory booleans too.
func (a *AdditionalVerifiedData) UnmarshalJSON(data []byte) error {
	if !isJSONObject(data) {
		return nil
	}
	return decodeLenient(data, a)
}

// RiskLabel is a risk Veriff found in the session. Categories include
// client_data_mismatch, crosslinks, device, document, images, network,
// session and person.
type RiskLabel struct {
	Label    string `json:"label"`
	Category string `json:"category"`
	// SessionIDs are the other sessions the label links this one to.
	SessionIDs []string `json:"sessionIds,omitempty"`
}

// BiometricAuthentication names the session whose face matched this one.
type BiometricAuthentication struct {
	MatchedSessionID         string `json:"matchedSessionId,omitempty"`
	MatchedSessionVendorData string `json:"matchedSessionVendorData,omitempty"`
}

// TechnicalData holds technical facts of the session.
type TechnicalData struct {
	// IP is the end-user's IP address, when known.
	IP *string `json:"ip"`
}

// Decision returns the session's decision. Before Veriff has decided,
// Verification is nil (Veriff answers "verification": null).
//
// Veriff API: GET /v1/sessions/{id}/decision
func (c *Client) Decision(ctx context.Context, sessionID string) (*Decision, error) {
	r, err := byID(http.MethodGet, "sessionID", "/sessions/", sessionID, "/decision")
	if err != nil {
		return nil, err
	}
	var d Decision
	if err := c.do(ctx, r, &d); err != nil {
		return nil, err
	}
	return &d, nil
}

// WaitForDecision polls Decision at once and then every interval until
// Verification is set, and returns that decision. Note that any decision
// ends the wait, resubmission_requested (the end-user must go through the
// flow again) and review included: check Verification.Status.
//
// Temporary failures (429, 5xx, connection errors, already retried by the
// client) do not end the wait; a Retry-After longer than every is honoured
// up to the client's cap (WithRetryAfterCap), and one above the cap ends the
// wait with its *APIError.
// Any other error ends it. When ctx is done the wait ends at once with an
// error for which errors.Is(err, ctx.Err()) holds and that also wraps the
// last temporary failure, if any (errors.As finds its *APIError): give ctx
// a deadline. Veriff recommends the decision webhook over polling; test
// integrations only get decisions made by hand.
//
// Veriff API: GET /v1/sessions/{id}/decision
func (c *Client) WaitForDecision(ctx context.Context, sessionID string, every time.Duration) (*Decision, error) {
	if err := validateID("sessionID", sessionID); err != nil {
		return nil, err
	}
	if every <= 0 {
		return nil, invalidInput("every", "poll interval must be positive, got %s", every)
	}
	if ctx == nil {
		return nil, invalidInput("ctx", "nil context")
	}
	var (
		timer *time.Timer
		last  error // the last temporary failure, for the caller to see
	)
	defer func() {
		if timer != nil {
			timer.Stop()
		}
	}()
	for {
		d, err := c.Decision(ctx, sessionID)
		switch {
		case err == nil && d.Verification != nil:
			return d, nil
		case ctx.Err() != nil:
			return nil, waitErr(sessionID, ctx.Err(), last)
		case err != nil && !temporary(err):
			return nil, err
		}
		last = err
		wait := every
		var apiErr *APIError
		if errors.As(err, &apiErr) && apiErr.RetryAfter > wait {
			if apiErr.RetryAfter > c.retryAfterCap {
				return nil, err // longer than the client will wait (WithRetryAfterCap)
			}
			wait = apiErr.RetryAfter
		}
		if timer == nil {
			timer = time.NewTimer(wait)
		} else {
			timer.Reset(wait)
		}
		select {
		case <-ctx.Done():
			return nil, waitErr(sessionID, ctx.Err(), last)
		case <-timer.C:
		}
	}
}

// waitErr is the error of a wait ended by its context, wrapping the last
// temporary failure too.
func waitErr(sessionID string, ctxErr, last error) error {
	if last == nil {
		return fmt.Errorf("veriff: waiting for the decision of session %s: %w", sessionID, ctxErr)
	}
	return fmt.Errorf("veriff: waiting for the decision of session %s: %w (last error: %w)", sessionID, ctxErr, last)
}

// temporary reports whether a failed call may succeed later: a 429 or 5xx
// answer other than 501, or a connection error (also while reading a body).
func temporary(err error) bool {
	var apiErr *APIError
	if errors.As(err, &apiErr) {
		return apiErr.Temporary()
	}
	if errors.Is(err, ErrInvalidInput) || errors.Is(err, ErrResponseTooLarge) {
		return false
	}
	var (
		urlErr *url.Error
		netErr net.Error
	)
	connErr := errors.As(err, &urlErr) || errors.As(err, &netErr) ||
		errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF)
	return connErr && retryableTransportErr(err)
}

// ---------------------------------------------------------------------------
// Person, attempts, watchlist screening

// PersonResult is the person data of GET /v1/sessions/{id}/person: what was
// extracted from the document or given at session creation, with the PEP
// and sanctions matches.
type PersonResult struct {
	// Status is the response status ("success").
	Status       string   `json:"status,omitempty"`
	ID           string   `json:"id,omitempty"`
	FirstName    string   `json:"firstName,omitempty"`
	LastName     string   `json:"lastName,omitempty"`
	IDCode       string   `json:"idCode,omitempty"`
	IDNumber     string   `json:"idNumber,omitempty"`
	DateOfBirth  string   `json:"dateOfBirth,omitempty"`
	Gender       string   `json:"gender,omitempty"`
	Nationality  string   `json:"nationality,omitempty"`
	PlaceOfBirth string   `json:"placeOfBirth,omitempty"`
	Citizenships []string `json:"citizenships,omitempty"`
	// PEPSanctionMatches is empty when the screening found nothing.
	PEPSanctionMatches []PEPSanctionMatch `json:"pepSanctionMatches"`
	// Raw is the person object as received, unknown keys included.
	Raw json.RawMessage `json:"-"`
}

// UnmarshalJSON decodes the person data leniently, keeping it in Raw.
func (p *PersonResult) UnmarshalJSON(data []byte) error {
	if !isJSONObject(data) {
		return nil
	}
	return decodeLenient(data, p)
}

// PEPSanctionMatch is one screening provider's result for the person.
type PEPSanctionMatch struct {
	Provider        string          `json:"provider,omitempty"`
	NumberOfMatches int             `json:"numberOfMatches" veriff:"flex"`
	Date            *time.Time      `json:"date,omitempty"`
	Matches         []PEPMatch      `json:"matches,omitempty"`
	Hits            []WatchlistHit  `json:"hits,omitempty"`
	Raw             json.RawMessage `json:"-"`
}

// UnmarshalJSON decodes the result leniently, keeping it in Raw:
// NumberOfMatches may be a string.
func (m *PEPSanctionMatch) UnmarshalJSON(data []byte) error {
	if !isJSONObject(data) {
		return nil
	}
	return decodeLenient(data, m)
}

// PEPMatch is a short summary of one match.
type PEPMatch struct {
	Name        string `json:"name,omitempty"`
	Nationality string `json:"nationality,omitempty"`
	Category    string `json:"category,omitempty"`
}

// Person returns the person data and PEP/sanctions matches of the session.
//
// Veriff API: GET /v1/sessions/{id}/person
func (c *Client) Person(ctx context.Context, sessionID string) (*PersonResult, error) {
	r, err := byID(http.MethodGet, "sessionID", "/sessions/", sessionID, "/person")
	if err != nil {
		return nil, err
	}
	var env struct {
		Status string        `json:"status"`
		Person *PersonResult `json:"person"`
	}
	if err := c.do(ctx, r, &env); err != nil {
		return nil, err
	}
	res := env.Person
	if res == nil {
		res = &PersonResult{}
	}
	res.Status = env.Status
	return res, nil
}

// Attempt is one attempt of a session: each resubmission is a new attempt.
type Attempt struct {
	ID     string        `json:"id"`
	Status SessionStatus `json:"status"`
	// CreatedTime is when the attempt was created. Veriff does not document
	// the key's name: createdTime, createdAt and created are accepted; Raw
	// holds the object otherwise.
	CreatedTime *time.Time `json:"createdTime,omitempty"`
	// UserDefinedData holds custom statuses set in the Customer Portal.
	UserDefinedData []UserDefinedStatus `json:"userDefinedData,omitempty"`
	Raw             json.RawMessage     `json:"-"`
}

// UnmarshalJSON decodes an attempt leniently, keeping it in Raw.
func (a *Attempt) UnmarshalJSON(data []byte) error {
	if !isJSONObject(data) {
		return nil
	}
	return decodeLenient(data, a)
}

// attemptTimeKeys are the other names Veriff may give createdTime.
var attemptTimeKeys = []string{"createdAt", "created", "createTime", "timestamp"}

// afterDecode takes CreatedTime from another key when createdTime is
// absent or unreadable.
func (a *Attempt) afterDecode(obj []byte) {
	for _, k := range attemptTimeKeys {
		if a.CreatedTime != nil {
			return
		}
		if v := memberValue(obj, k); v != nil {
			a.CreatedTime = ptrIf(flexTime(v))
		}
	}
}

// UserDefinedStatus is a custom status set on an attempt in the Customer
// Portal. ReasonCode is nil when the reviewer typed a custom reason.
type UserDefinedStatus struct {
	Status     string     `json:"status,omitempty"`
	StatusCode string     `json:"statusCode,omitempty"`
	Reason     *string    `json:"reason"`
	ReasonCode *int       `json:"reasonCode" veriff:"flex"`
	CreatedAt  *time.Time `json:"createdAt,omitempty"`
}

// UnmarshalJSON decodes the status leniently: ReasonCode may be a string.
func (u *UserDefinedStatus) UnmarshalJSON(data []byte) error {
	if !isJSONObject(data) {
		return nil
	}
	return decodeLenient(data, u)
}

// Attempts lists the session's attempts, oldest first as Veriff sends them.
// Use an attempt ID with AttemptMedia to reach an older attempt's media.
//
// Veriff API: GET /v1/sessions/{id}/attempts
func (c *Client) Attempts(ctx context.Context, sessionID string) ([]Attempt, error) {
	r, err := byID(http.MethodGet, "sessionID", "/sessions/", sessionID, "/attempts")
	if err != nil {
		return nil, err
	}
	var env struct {
		Status        string    `json:"status"`
		Verifications []Attempt `json:"verifications"`
	}
	if err := c.do(ctx, r, &env); err != nil {
		return nil, err
	}
	if env.Verifications == nil {
		env.Verifications = []Attempt{}
	}
	return env.Verifications, nil
}

// Values of WatchlistScreening.CheckType and WatchlistScreening.MatchStatus.
const (
	CheckTypeInitialResult = "initial_result"
	CheckTypeUpdatedResult = "updated_result"

	MatchStatusPossibleMatch = "possible_match"
	MatchStatusNoMatch       = "no_match"
)

// WatchlistScreening is a PEP and sanctions screening result: the data
// object of GET /v1/sessions/{id}/watchlist-screening, and the body of the
// watchlist-screening webhook, which has the same fields at the top level.
// Decode a webhook body with json.Unmarshal.
type WatchlistScreening struct {
	// Status is the response status ("success") of the GET endpoint; empty
	// in webhooks.
	Status     string `json:"status,omitempty"`
	AttemptID  string `json:"attemptId,omitempty"`
	SessionID  string `json:"sessionId,omitempty"`
	VendorData string `json:"vendorData"`
	EndUserID  string `json:"endUserId"`
	// CheckType is CheckTypeInitialResult or CheckTypeUpdatedResult.
	CheckType string `json:"checkType,omitempty"`
	// MatchStatus is MatchStatusPossibleMatch or MatchStatusNoMatch.
	MatchStatus string               `json:"matchStatus,omitempty"`
	SearchTerm  *WatchlistSearchTerm `json:"searchTerm,omitempty"`
	TotalHits   int                  `json:"totalHits" veriff:"flex"`
	CreatedAt   *time.Time           `json:"createdAt,omitempty"`
	Hits        []WatchlistHit       `json:"hits,omitempty"`
	// MonitorStatus says whether ongoing monitoring is on for the session.
	MonitorStatus string `json:"monitorStatus,omitempty"`
	// ReviewStatus is no_match, potential_match or reviewed.
	ReviewStatus string `json:"reviewStatus,omitempty"`
	// Raw is the screening object as received.
	Raw json.RawMessage `json:"-"`
}

// UnmarshalJSON decodes a screening result leniently, keeping it in Raw.
func (w *WatchlistScreening) UnmarshalJSON(data []byte) error {
	if !isJSONObject(data) {
		return nil
	}
	return decodeLenient(data, w)
}

// WatchlistSearchTerm is what was screened. The enhanced AML solution adds
// the list, country and matching settings.
type WatchlistSearchTerm struct {
	Name string `json:"name,omitempty"`
	// Year is the year of birth; a string since Veriff sends it either way.
	Year            string          `json:"year,omitempty" veriff:"flex"`
	Lists           []string        `json:"lists,omitempty"`
	Countries       []string        `json:"countries,omitempty"`
	ExactMatch      *bool           `json:"exactMatch,omitempty"`
	MatchThreshold  *float64        `json:"matchThreshold,omitempty" veriff:"flex"`
	ExcludeDeceased *bool           `json:"excludeDeceased,omitempty"`
	Raw             json.RawMessage `json:"-"`
}

// UnmarshalJSON decodes the search term leniently, keeping it in Raw: Year
// may be a number, MatchThreshold a string.
func (s *WatchlistSearchTerm) UnmarshalJSON(data []byte) error {
	if !isJSONObject(data) {
		return nil
	}
	return decodeLenient(data, s)
}

// WatchlistHit is one matched record. Its fields vary by provider: the common
// ones are typed, and Raw holds the whole hit.
type WatchlistHit struct {
	ID          string   `json:"id,omitempty"`
	MatchedName string   `json:"matchedName,omitempty"`
	Countries   []string `json:"countries,omitempty"`
	DateOfBirth string   `json:"dateOfBirth,omitempty" veriff:"flex"`
	DateOfDeath string   `json:"dateOfDeath,omitempty" veriff:"flex"`
	MatchTypes  []string `json:"matchTypes,omitempty"`
	AKA         []string `json:"aka,omitempty"`
	Score       *float64 `json:"score,omitempty" veriff:"flex"`
	// Associates and ListingsRelatedToMatch are kept raw.
	Associates             json.RawMessage `json:"associates,omitempty"`
	ListingsRelatedToMatch json.RawMessage `json:"listingsRelatedToMatch,omitempty"`
	Raw                    json.RawMessage `json:"-"`
}

// UnmarshalJSON decodes the hit leniently, keeping it in Raw: the dates
// may be numbers (years), Score a string.
func (h *WatchlistHit) UnmarshalJSON(data []byte) error {
	if !isJSONObject(data) {
		return nil
	}
	return decodeLenient(data, h)
}

// WatchlistScreening returns the session's PEP and sanctions screening
// result (Veriff's PEP and Sanctions service only).
//
// Veriff API: GET /v1/sessions/{id}/watchlist-screening
func (c *Client) WatchlistScreening(ctx context.Context, sessionID string) (*WatchlistScreening, error) {
	r, err := byID(http.MethodGet, "sessionID", "/sessions/", sessionID, "/watchlist-screening")
	if err != nil {
		return nil, err
	}
	var env struct {
		Status string              `json:"status"`
		Data   *WatchlistScreening `json:"data"`
	}
	if err := c.do(ctx, r, &env); err != nil {
		return nil, err
	}
	w := env.Data
	if w == nil {
		w = &WatchlistScreening{}
	}
	w.Status = env.Status
	return w, nil
}

// ---------------------------------------------------------------------------
// Collected data

// CollectedData is device and network data gathered by a fingerprinting
// provider, sent with SendCollectedData. ProviderName, Network.IP and
// Device.Fingerprint are mandatory; leave everything else empty when unknown.
type CollectedData struct {
	// ProviderName names the fingerprinting service, at most 255 characters.
	ProviderName string           `json:"providerName"`
	Network      CollectedNetwork `json:"network"`
	Device       CollectedDevice  `json:"device"`
	Person       *CollectedPerson `json:"person,omitempty"`
	// Extra adds further top-level keys Veriff accepts (a "browser" block,
	// ...). It never overrides the fields above.
	Extra map[string]any `json:"-"`
}

// CollectedNetwork is the network block of CollectedData.
type CollectedNetwork struct {
	// IP is the end-user's IPv4 or IPv6 address.
	IP string `json:"ip"`
	// Extra adds further network keys; it never overrides IP.
	Extra map[string]any `json:"-"`
}

// CollectedDevice is the device block of CollectedData.
type CollectedDevice struct {
	// Fingerprint is the provider's device fingerprint, at most 255
	// characters.
	Fingerprint string `json:"fingerprint"`
	// Extra adds further device keys; it never overrides Fingerprint.
	Extra map[string]any `json:"-"`
}

// CollectedPerson is the person block of CollectedData.
type CollectedPerson struct {
	Email string `json:"email,omitempty"`
	// PhoneNumber holds digits and spaces, with an optional leading "+".
	PhoneNumber string `json:"phoneNumber,omitempty"`
}

// MarshalJSON adds Extra to the object.
func (d CollectedData) MarshalJSON() ([]byte, error) {
	type plain CollectedData
	return marshalWithExtra(plain(d), d.Extra)
}

// MarshalJSON adds Extra to the object.
func (n CollectedNetwork) MarshalJSON() ([]byte, error) {
	type plain CollectedNetwork
	return marshalWithExtra(plain(n), n.Extra)
}

// MarshalJSON adds Extra to the object.
func (d CollectedDevice) MarshalJSON() ([]byte, error) {
	type plain CollectedDevice
	return marshalWithExtra(plain(d), d.Extra)
}

func marshalWithExtra(v any, extra map[string]any) ([]byte, error) {
	b, err := json.Marshal(v)
	if err != nil || len(extra) == 0 {
		return b, err
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, err
	}
	for k, x := range extra {
		if _, taken := m[k]; taken {
			continue
		}
		xb, err := json.Marshal(x)
		if err != nil {
			return nil, err
		}
		m[k] = xb
	}
	return json.Marshal(m)
}

// Validate checks the mandatory fields as SendCollectedData does before
// sending. The error wraps ErrInvalidInput.
func (d *CollectedData) Validate() error {
	switch n := utf8.RuneCountInString(d.ProviderName); {
	case strings.TrimSpace(d.ProviderName) == "":
		return invalidInput("ProviderName", "empty")
	case n > 255:
		return invalidInput("ProviderName", "%d characters, more than 255", n)
	}
	if net.ParseIP(d.Network.IP) == nil {
		return invalidInput("Network.IP", "not an IPv4 or IPv6 address")
	}
	switch n := utf8.RuneCountInString(d.Device.Fingerprint); {
	case strings.TrimSpace(d.Device.Fingerprint) == "":
		return invalidInput("Device.Fingerprint", "empty")
	case n > 255:
		return invalidInput("Device.Fingerprint", "%d characters, more than 255", n)
	}
	if p := d.Person; p != nil && p.PhoneNumber != "" {
		for i, r := range p.PhoneNumber {
			if !(r >= '0' && r <= '9' || r == ' ' || (r == '+' && i == 0)) {
				return invalidInput("Person.PhoneNumber", "only digits, spaces and a leading + are allowed")
			}
		}
	}
	return nil
}

// SendCollectedData sends device and network data from a fingerprinting
// provider to improve fraud detection. The session must be created or
// started. The data is validated first (see CollectedData.Validate).
//
// Veriff API: POST /v1/sessions/{id}/collected-data
func (c *Client) SendCollectedData(ctx context.Context, sessionID string, data CollectedData) error {
	if err := validateID("sessionID", sessionID); err != nil {
		return err
	}
	if err := data.Validate(); err != nil {
		return err
	}
	return c.do(ctx, &request{method: http.MethodPost, path: "/sessions/" + sessionID + "/collected-data", body: data}, nil)
}
