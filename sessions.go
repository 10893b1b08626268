package veriff

import (
	"context"
	"encoding/json"
	"fmt"
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

// DocumentType is the type of an identity document, in
// SessionDocument.Type and DecisionDocument.Type. It is an open set: Veriff
// may send others. An INE voter card is an ID_CARD from MX.
type DocumentType string

// The document types Veriff documents.
const (
	DocumentTypePassport        DocumentType = "PASSPORT"
	DocumentTypeIDCard          DocumentType = "ID_CARD"
	DocumentTypeDriversLicense  DocumentType = "DRIVERS_LICENSE"
	DocumentTypeResidencePermit DocumentType = "RESIDENCE_PERMIT"
	DocumentTypeVisa            DocumentType = "VISA"
	DocumentTypeOther           DocumentType = "OTHER" // in responses only
)

// Gender is a person's gender as Veriff writes it, in SessionPerson,
// DecisionPerson and PersonResult: "M" or "F" (an open set).
type Gender string

// The genders Veriff documents.
const (
	GenderMale   Gender = "M"
	GenderFemale Gender = "F"
)

// MaritalStatus is the value of SessionPerson.MaritalStatus (an open set).
type MaritalStatus string

// The marital statuses Veriff documents.
const (
	MaritalStatusSingle   MaritalStatus = "single"
	MaritalStatusMarried  MaritalStatus = "married"
	MaritalStatusDivorced MaritalStatus = "divorced"
	MaritalStatusWidowed  MaritalStatus = "widowed"
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
	Gender      Gender `json:"gender,omitempty"` // GenderMale, GenderFemale
	// DateOfBirth is formatted YYYY-MM-DD.
	DateOfBirth   string        `json:"dateOfBirth,omitempty"`
	Email         string        `json:"email,omitempty"`
	MaritalStatus MaritalStatus `json:"maritalStatus,omitempty"` // MaritalStatusSingle, ...
	IsDeceased    *bool         `json:"isDeceased,omitempty"`
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
func (s *Session) UnmarshalJSON(data []byte) error { return decodeObject(data, s) }

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
	r, err := newRequest(http.MethodPatch, "/sessions/{sessionID}", sessionID)
	if err != nil {
		return nil, err
	}
	r.body = submitBody
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
	r, err := newRequest(http.MethodDelete, "/sessions/{sessionID}", sessionID)
	if err != nil {
		return err
	}
	return c.do(ctx, r, nil)
}
