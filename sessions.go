package veriff

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net"
	"net/http"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"sync"
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

// DocumentType is the type of an identity document. The type is open.
type DocumentType string

// Document types.
const (
	DocumentTypePassport        DocumentType = "PASSPORT"
	DocumentTypeIDCard          DocumentType = "ID_CARD"
	DocumentTypeDriversLicense  DocumentType = "DRIVERS_LICENSE"
	DocumentTypeResidencePermit DocumentType = "RESIDENCE_PERMIT"
	DocumentTypeVisa            DocumentType = "VISA"
	DocumentTypeOther           DocumentType = "OTHER" // in responses only
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
	Number  string       `json:"number,omitempty"`  // letters and digits only
	Country string       `json:"country,omitempty"` // ISO 3166-1 alpha-2
	Type    DocumentType `json:"type,omitempty"`
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
		return invalidInput(field, "%q is not a date formatted YYYY-MM-DD", s)
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
	m, err := lenientObject(data, s)
	if err != nil {
		return err
	}
	if s.Host == "" {
		if raw, ok := m["baseUrl"]; ok {
			_ = decodeValue(raw, reflectValueOf(&s.Host))
		}
	}
	return nil
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
// may have reached Veriff, so on an error check for a duplicate session
// through VendorData or EndUserID before creating another.
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
	if err := c.doLenient(ctx, r, &env); err != nil {
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
	if err := c.doLenient(ctx, r, &env); err != nil {
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

// submitBody marshals to exactly {"verification":{"status":"submitted"}}.
var submitBody = struct {
	Verification struct {
		Status SessionStatus `json:"status"`
	} `json:"verification"`
}{Verification: struct {
	Status SessionStatus `json:"status"`
}{Status: StatusSubmitted}}

// DeleteSession deletes the session and its data. The endpoint is off until
// Veriff enables it, and is rate limited (5 per hour, 10 per day). Deleting a
// created, started or resubmission_requested session makes Veriff send an
// expired or abandoned decision webhook.
//
// Veriff API: DELETE /v1/sessions/{id}
func (c *Client) DeleteSession(ctx context.Context, sessionID string) error {
	if err := validateID("sessionID", sessionID); err != nil {
		return err
	}
	return c.do(ctx, &request{method: http.MethodDelete, path: "/sessions/" + sessionID, signID: sessionID}, nil)
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
// the whole payload.
func (d *Decision) UnmarshalJSON(data []byte) error {
	_, err := lenientObject(data, d)
	return err
}

// Verification is the decided session inside a Decision. Any field may be
// absent, null or empty, depending on the integration's configuration and
// the outcome; Raw keeps the whole object, unknown keys included.
type Verification struct {
	// ID is the session ID; AttemptID the attempt that got this decision.
	ID         string  `json:"id"`
	AttemptID  string  `json:"attemptId,omitempty"`
	VendorData *string `json:"vendorData"`
	EndUserID  *string `json:"endUserId"`
	// Status is the decision: approved, declined, resubmission_requested,
	// expired, abandoned or review.
	Status SessionStatus `json:"status"`
	// Code is the decision code (CodeApproved, ...). Key logic on Status.
	Code int `json:"code"`
	// Reason and ReasonCode explain declined and resubmission_requested
	// decisions; nil otherwise. See ReasonCodeText.
	Reason     *string `json:"reason"`
	ReasonCode *int    `json:"reasonCode"`
	// DecisionTime is when Veriff decided; AcceptanceTime when the session
	// was created.
	DecisionTime   *time.Time `json:"decisionTime"`
	AcceptanceTime *time.Time `json:"acceptanceTime,omitempty"`

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
	HighRisk *bool `json:"highRisk,omitempty"`

	// Raw is the verification object as received.
	Raw json.RawMessage `json:"-"`
}

// UnmarshalJSON decodes a verification leniently (see Decision.UnmarshalJSON)
// and keeps the object in Raw.
func (v *Verification) UnmarshalJSON(data []byte) error {
	_, err := lenientObject(data, v)
	return err
}

// DecisionPerson is the person data Veriff extracted or verified. Dates are
// formatted YYYY-MM-DD.
type DecisionPerson struct {
	FirstName   string `json:"firstName,omitempty"`
	LastName    string `json:"lastName,omitempty"`
	FullName    string `json:"fullName,omitempty"`
	DateOfBirth string `json:"dateOfBirth,omitempty"`
	// YearOfBirth is a string: Veriff sends it as a string or a number.
	YearOfBirth  string `json:"yearOfBirth,omitempty"`
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
	Height string `json:"height,omitempty"`
	Weight string `json:"weight,omitempty"`

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
	if _, err := lenientObject(data, a); err != nil {
		return err
	}
	for _, p := range []*string{&a.Street, &a.HouseNumber, &a.Unit, &a.City, &a.State, &a.Postcode, &a.Country} {
		if *p == "null" {
			*p = ""
		}
	}
	return nil
}

// DecisionDocument is the document data Veriff extracted or verified. Dates
// are formatted YYYY-MM-DD.
type DecisionDocument struct {
	Number  string       `json:"number,omitempty"`
	Type    DocumentType `json:"type,omitempty"`
	Country string       `json:"country,omitempty"` // ISO 3166-1 alpha-2
	State   string       `json:"state,omitempty"`

	ValidFrom    string `json:"validFrom,omitempty"`
	ValidUntil   string `json:"validUntil,omitempty"`
	PlaceOfIssue string `json:"placeOfIssue,omitempty"`
	FirstIssue   string `json:"firstIssue,omitempty"`
	IssueNumber  string `json:"issueNumber,omitempty"`
	IssuedBy     string `json:"issuedBy,omitempty"`
	Remarks      string `json:"remarks,omitempty"`

	NFCValidated        *bool  `json:"nfcValidated,omitempty"`
	ResidencePermitType string `json:"residencePermitType,omitempty"`
	PortraitIsVisible   *bool  `json:"portraitIsVisible,omitempty"`
	SignatureIsVisible  *bool  `json:"signatureIsVisible,omitempty"`
	// INEIdentifier is the Mexican voter card identifier.
	INEIdentifier string `json:"ineIdentifier,omitempty"`

	Specimen *DocumentSpecimen `json:"specimen,omitempty"`

	// Raw is the document object as received, unknown keys included.
	Raw json.RawMessage `json:"-"`
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
	DriversLicenseCategory      map[string]bool   `json:"driversLicenseCategory,omitempty"`
	DriversLicenseCategoryFrom  map[string]string `json:"driversLicenseCategoryFrom,omitempty"`
	DriversLicenseCategoryUntil map[string]string `json:"driversLicenseCategoryUntil,omitempty"`
	DriversLicenseCategories    json.RawMessage   `json:"driversLicenseCategories,omitempty"`
	// EstimatedAge is the age estimated from the selfie, in years.
	EstimatedAge *int `json:"estimatedAge,omitempty"`
	// EstimatedGender runs from 0 (male) to 1 (female).
	EstimatedGender *float64 `json:"estimatedGender,omitempty"`
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
	if err := validateID("sessionID", sessionID); err != nil {
		return nil, err
	}
	var d Decision
	if err := c.do(ctx, &request{method: http.MethodGet, path: "/sessions/" + sessionID + "/decision", signID: sessionID}, &d); err != nil {
		return nil, err
	}
	return &d, nil
}

// WaitForDecision polls Decision at once and then every interval until
// Verification is set, and returns that decision. Note that any decision
// ends the wait, resubmission_requested (the end-user must go through the
// flow again) and review included: check Verification.Status.
//
// Temporary failures (429, 5xx, network errors, already retried by the
// client) do not end the wait; any other error does. When ctx is done the
// wait ends at once with an error for which errors.Is(err, ctx.Err()) holds:
// give ctx a deadline. Veriff recommends the decision webhook over polling;
// test integrations only get decisions made by hand.
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
	var timer *time.Timer
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
		case err != nil && (ctx.Err() != nil || !temporary(err)):
			return nil, err
		}
		if timer == nil {
			timer = time.NewTimer(every)
		} else {
			timer.Reset(every)
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("veriff: waiting for the decision of session %s: %w", sessionID, ctx.Err())
		case <-timer.C:
		}
	}
}

// temporary reports whether a failed call may succeed later: a 429 or 5xx
// answer other than 501, or a network error.
func temporary(err error) bool {
	var apiErr *APIError
	if errors.As(err, &apiErr) {
		return apiErr.Temporary()
	}
	if errors.Is(err, ErrInvalidInput) || errors.Is(err, ErrInvalidResponse) || errors.Is(err, ErrResponseTooLarge) {
		return false
	}
	var urlErr *url.Error
	return errors.As(err, &urlErr) && retryableTransportErr(err)
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
	_, err := lenientObject(data, p)
	return err
}

// PEPSanctionMatch is one screening provider's result for the person.
type PEPSanctionMatch struct {
	Provider        string          `json:"provider,omitempty"`
	NumberOfMatches int             `json:"numberOfMatches"`
	Date            *time.Time      `json:"date,omitempty"`
	Matches         []PEPMatch      `json:"matches,omitempty"`
	Hits            []WatchlistHit  `json:"hits,omitempty"`
	Raw             json.RawMessage `json:"-"`
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
	if err := validateID("sessionID", sessionID); err != nil {
		return nil, err
	}
	r := &request{method: http.MethodGet, path: "/sessions/" + sessionID + "/person", signID: sessionID}
	var res PersonResult
	status, err := c.getEnveloped(ctx, r, "person", &res)
	if err != nil {
		return nil, err
	}
	res.Status = status
	return &res, nil
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
	m, err := lenientObject(data, a)
	if err != nil {
		return err
	}
	if a.CreatedTime == nil {
		for _, k := range []string{"createdAt", "created", "createTime", "timestamp"} {
			if raw, ok := m[k]; ok {
				if t, ok := parseTimeJSON(raw); ok {
					a.CreatedTime = &t
					break
				}
			}
		}
	}
	return nil
}

// UserDefinedStatus is a custom status set on an attempt in the Customer
// Portal. ReasonCode is nil when the reviewer typed a custom reason.
type UserDefinedStatus struct {
	Status     string     `json:"status,omitempty"`
	StatusCode string     `json:"statusCode,omitempty"`
	Reason     *string    `json:"reason"`
	ReasonCode *int       `json:"reasonCode"`
	CreatedAt  *time.Time `json:"createdAt,omitempty"`
}

// Attempts lists the session's attempts, oldest first as Veriff sends them.
// Use an attempt ID with AttemptMedia to reach an older attempt's media.
//
// Veriff API: GET /v1/sessions/{id}/attempts
func (c *Client) Attempts(ctx context.Context, sessionID string) ([]Attempt, error) {
	if err := validateID("sessionID", sessionID); err != nil {
		return nil, err
	}
	var env struct {
		Status        string    `json:"status"`
		Verifications []Attempt `json:"verifications"`
	}
	r := &request{method: http.MethodGet, path: "/sessions/" + sessionID + "/attempts", signID: sessionID}
	if err := c.doLenient(ctx, r, &env); err != nil {
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
	Status     string  `json:"status,omitempty"`
	AttemptID  string  `json:"attemptId,omitempty"`
	SessionID  string  `json:"sessionId,omitempty"`
	VendorData *string `json:"vendorData"`
	EndUserID  *string `json:"endUserId"`
	// CheckType is CheckTypeInitialResult or CheckTypeUpdatedResult.
	CheckType string `json:"checkType,omitempty"`
	// MatchStatus is MatchStatusPossibleMatch or MatchStatusNoMatch.
	MatchStatus string               `json:"matchStatus,omitempty"`
	SearchTerm  *WatchlistSearchTerm `json:"searchTerm,omitempty"`
	TotalHits   int                  `json:"totalHits"`
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
	_, err := lenientObject(data, w)
	return err
}

// WatchlistSearchTerm is what was screened. The enhanced AML solution adds
// the list, country and matching settings.
type WatchlistSearchTerm struct {
	Name string `json:"name,omitempty"`
	// Year is the year of birth; a string since Veriff sends it either way.
	Year            string          `json:"year,omitempty"`
	Lists           []string        `json:"lists,omitempty"`
	Countries       []string        `json:"countries,omitempty"`
	ExactMatch      *bool           `json:"exactMatch,omitempty"`
	MatchThreshold  *float64        `json:"matchThreshold,omitempty"`
	ExcludeDeceased *bool           `json:"excludeDeceased,omitempty"`
	Raw             json.RawMessage `json:"-"`
}

// WatchlistHit is one matched record. Its fields vary by provider: the common
// ones are typed, and Raw holds the whole hit.
type WatchlistHit struct {
	ID          string   `json:"id,omitempty"`
	MatchedName string   `json:"matchedName,omitempty"`
	Countries   []string `json:"countries,omitempty"`
	DateOfBirth string   `json:"dateOfBirth,omitempty"`
	DateOfDeath string   `json:"dateOfDeath,omitempty"`
	MatchTypes  []string `json:"matchTypes,omitempty"`
	AKA         []string `json:"aka,omitempty"`
	Score       *float64 `json:"score,omitempty"`
	// Associates and ListingsRelatedToMatch are kept raw.
	Associates             json.RawMessage `json:"associates,omitempty"`
	ListingsRelatedToMatch json.RawMessage `json:"listingsRelatedToMatch,omitempty"`
	Raw                    json.RawMessage `json:"-"`
}

// WatchlistScreening returns the session's PEP and sanctions screening
// result (Veriff's PEP and Sanctions service only).
//
// Veriff API: GET /v1/sessions/{id}/watchlist-screening
func (c *Client) WatchlistScreening(ctx context.Context, sessionID string) (*WatchlistScreening, error) {
	if err := validateID("sessionID", sessionID); err != nil {
		return nil, err
	}
	r := &request{method: http.MethodGet, path: "/sessions/" + sessionID + "/watchlist-screening", signID: sessionID}
	var w WatchlistScreening
	status, err := c.getEnveloped(ctx, r, "data", &w)
	if err != nil {
		return nil, err
	}
	w.Status = status
	return &w, nil
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
		return invalidInput("Network.IP", "%q is not an IPv4 or IPv6 address", d.Network.IP)
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

// ---------------------------------------------------------------------------
// Lenient decoding helpers for the endpoints above.

// doLenient sends r and decodes the JSON object of the answer into the
// struct out leniently (see lenientObject).
func (c *Client) doLenient(ctx context.Context, r *request, out any) error {
	var raw json.RawMessage
	if err := c.do(ctx, r, &raw); err != nil {
		return err
	}
	if _, err := lenientObject(raw, out); err != nil {
		return fmt.Errorf("veriff: %s /v1%s: %w: %v", r.method, r.path, ErrInvalidResponse, err)
	}
	return nil
}

// getEnveloped sends r and decodes the object under key into out, or the
// whole body when that key is absent. It returns the body's "status".
func (c *Client) getEnveloped(ctx context.Context, r *request, key string, out any) (string, error) {
	var raw json.RawMessage
	if err := c.do(ctx, r, &raw); err != nil {
		return "", err
	}
	var env struct {
		Status string `json:"status"`
	}
	m, err := lenientObject(raw, &env)
	if err != nil {
		return "", fmt.Errorf("veriff: %s /v1%s: %w: %v", r.method, r.path, ErrInvalidResponse, err)
	}
	inner, ok := m[key]
	if !ok {
		inner = raw
	}
	if err := json.Unmarshal(inner, out); err != nil && !isJSONNull(inner) {
		return "", fmt.Errorf("veriff: %s /v1%s: %w: %v", r.method, r.path, ErrInvalidResponse, err)
	}
	return env.Status, nil
}

// lenientObject decodes the JSON object data into the struct dst points to,
// field by field by JSON name (exact, then case-insensitive), and returns
// the object's members. Veriff's payloads vary with the integration and
// over time, so a member of an unexpected shape leaves its field as it was
// instead of failing the whole payload: numbers sent as strings and strings
// sent as numbers are converted, times are read in the layouts Veriff uses,
// and a struct's `json:"-"` field named Raw of type json.RawMessage receives
// the object itself. Nested values whose type has its own UnmarshalJSON use
// it. JSON null leaves dst unchanged; anything but an object is an error.
func lenientObject(data []byte, dst any) (map[string]json.RawMessage, error) {
	v := reflect.ValueOf(dst)
	if v.Kind() != reflect.Pointer || v.IsNil() || v.Elem().Kind() != reflect.Struct {
		return nil, fmt.Errorf("veriff: lenient decoding needs a pointer to a struct, got %T", dst)
	}
	data = bytes.TrimSpace(data)
	if isJSONNull(data) {
		return nil, nil
	}
	if len(data) == 0 || data[0] != '{' {
		return nil, errors.New("veriff: expected a JSON object")
	}
	m, ok := decodeStruct(data, v.Elem())
	if !ok {
		return nil, errors.New("veriff: malformed JSON object")
	}
	return m, nil
}

var (
	rawMessageType  = reflect.TypeOf(json.RawMessage(nil))
	timeType        = reflect.TypeOf(time.Time{})
	unmarshalerType = reflect.TypeOf((*json.Unmarshaler)(nil)).Elem()
)

type lenientField struct {
	index int
	name  string
	raw   bool // the Raw field: receives the whole object
}

var lenientFields sync.Map // reflect.Type -> []lenientField

func fieldsOf(t reflect.Type) []lenientField {
	if f, ok := lenientFields.Load(t); ok {
		return f.([]lenientField)
	}
	var fs []lenientField
	for i := 0; i < t.NumField(); i++ {
		sf := t.Field(i)
		if !sf.IsExported() || sf.Anonymous {
			continue
		}
		tag := sf.Tag.Get("json")
		if tag == "-" {
			if sf.Name == "Raw" && sf.Type == rawMessageType {
				fs = append(fs, lenientField{index: i, raw: true})
			}
			continue
		}
		name, _, _ := strings.Cut(tag, ",")
		if name == "" {
			name = sf.Name
		}
		fs = append(fs, lenientField{index: i, name: name})
	}
	lenientFields.Store(t, fs)
	return fs
}

func decodeStruct(data []byte, v reflect.Value) (map[string]json.RawMessage, bool) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(data, &m); err != nil || m == nil {
		return nil, false
	}
	for _, f := range fieldsOf(v.Type()) {
		fv := v.Field(f.index)
		if f.raw {
			fv.SetBytes(append([]byte(nil), data...))
			continue
		}
		raw, ok := m[f.name]
		if !ok {
			for k, r := range m {
				if strings.EqualFold(k, f.name) {
					raw, ok = r, true
					break
				}
			}
		}
		if ok {
			decodeValue(raw, fv)
		}
	}
	return m, true
}

func reflectValueOf(p any) reflect.Value { return reflect.ValueOf(p).Elem() }

func isJSONNull(b []byte) bool { return string(bytes.TrimSpace(b)) == "null" }

// decodeValue decodes raw into the settable v and reports whether it could.
// On failure v is left unchanged.
func decodeValue(raw json.RawMessage, v reflect.Value) bool {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return false
	}
	t := v.Type()
	if isJSONNull(raw) {
		switch v.Kind() {
		case reflect.Pointer, reflect.Map, reflect.Slice, reflect.Interface:
			v.SetZero()
		}
		return true
	}
	switch t {
	case rawMessageType:
		v.SetBytes(append([]byte(nil), raw...))
		return true
	case timeType:
		tm, ok := parseTimeJSON(raw)
		if ok {
			v.Set(reflect.ValueOf(tm))
		}
		return ok
	}
	if v.Kind() == reflect.Pointer {
		nv := reflect.New(t.Elem())
		if !decodeValue(raw, nv.Elem()) {
			return false
		}
		v.Set(nv)
		return true
	}
	if reflect.PointerTo(t).Implements(unmarshalerType) {
		nv := reflect.New(t)
		if err := json.Unmarshal(raw, nv.Interface()); err != nil {
			return false
		}
		v.Set(nv.Elem())
		return true
	}
	switch v.Kind() {
	case reflect.String:
		switch raw[0] {
		case '"':
			var s string
			if json.Unmarshal(raw, &s) != nil {
				return false
			}
			v.SetString(s)
		case '{', '[':
			return false
		default: // a number or a boolean, kept as written
			v.SetString(string(raw))
		}
		return true
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		n, ok := parseIntJSON(raw)
		if !ok || v.OverflowInt(n) {
			return false
		}
		v.SetInt(n)
		return true
	case reflect.Float32, reflect.Float64:
		f, ok := parseFloatJSON(raw)
		if !ok || v.OverflowFloat(f) {
			return false
		}
		v.SetFloat(f)
		return true
	case reflect.Bool:
		s := string(raw)
		if raw[0] == '"' {
			if json.Unmarshal(raw, &s) != nil {
				return false
			}
		}
		b, err := strconv.ParseBool(strings.TrimSpace(s))
		if err != nil {
			return false
		}
		v.SetBool(b)
		return true
	case reflect.Struct:
		if raw[0] != '{' {
			return false
		}
		nv := reflect.New(t).Elem()
		if _, ok := decodeStruct(raw, nv); !ok {
			return false
		}
		v.Set(nv)
		return true
	case reflect.Slice:
		if raw[0] != '[' {
			return false
		}
		var items []json.RawMessage
		if json.Unmarshal(raw, &items) != nil {
			return false
		}
		s := reflect.MakeSlice(t, 0, len(items))
		for _, it := range items {
			ev := reflect.New(t.Elem()).Elem()
			if decodeValue(it, ev) {
				s = reflect.Append(s, ev)
			}
		}
		v.Set(s)
		return true
	case reflect.Map:
		if raw[0] != '{' || t.Key().Kind() != reflect.String {
			return false
		}
		var m map[string]json.RawMessage
		if json.Unmarshal(raw, &m) != nil {
			return false
		}
		mv := reflect.MakeMapWithSize(t, len(m))
		for k, it := range m {
			ev := reflect.New(t.Elem()).Elem()
			if decodeValue(it, ev) {
				mv.SetMapIndex(reflect.ValueOf(k).Convert(t.Key()), ev)
			}
		}
		v.Set(mv)
		return true
	case reflect.Interface:
		if v.NumMethod() != 0 {
			return false
		}
		var x any
		if json.Unmarshal(raw, &x) != nil {
			return false
		}
		v.Set(reflect.ValueOf(&x).Elem())
		return true
	}
	return false
}

// jsonScalar returns the text of a JSON number, or of a JSON string's
// content, trimmed.
func jsonScalar(raw []byte) (string, bool) {
	if len(raw) == 0 {
		return "", false
	}
	switch raw[0] {
	case '"':
		var s string
		if json.Unmarshal(raw, &s) != nil {
			return "", false
		}
		return strings.TrimSpace(s), true
	case '{', '[', 't', 'f', 'n':
		return "", false
	}
	return string(raw), true
}

func parseIntJSON(raw []byte) (int64, bool) {
	s, ok := jsonScalar(raw)
	if !ok || s == "" {
		return 0, false
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return n, true
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f != math.Trunc(f) || f > math.MaxInt64 || f < math.MinInt64 {
		return 0, false
	}
	return int64(f), true
}

func parseFloatJSON(raw []byte) (float64, bool) {
	s, ok := jsonScalar(raw)
	if !ok || s == "" {
		return 0, false
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, false
	}
	return f, true
}

// timeLayouts are the time formats Veriff has been seen to send, RFC 3339
// with any number of fractional digits first.
var timeLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05.999999999Z0700",
	"2006-01-02T15:04:05.999999999",
	"2006-01-02 15:04:05.999999999Z07:00",
	"2006-01-02 15:04:05.999999999",
	dateLayout,
}

// parseTimeJSON reads a JSON string holding a time; times without a zone
// are taken as UTC.
func parseTimeJSON(raw []byte) (time.Time, bool) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || raw[0] != '"' {
		return time.Time{}, false
	}
	var s string
	if json.Unmarshal(raw, &s) != nil {
		return time.Time{}, false
	}
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, false
	}
	for _, layout := range timeLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}
