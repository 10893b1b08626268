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
	"time"
)

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

// decodeObject is the UnmarshalJSON of the nested payload types: a JSON
// object is decoded leniently into v (see decodeLenient); any other value
// leaves v as it is, without an error, so that a mistyped member loses
// only itself.
func decodeObject(data []byte, v any) error {
	if !isJSONObject(data) {
		return nil
	}
	return decodeLenient(data, v)
}

// UnmarshalJSON decodes a verification leniently (see Decision.UnmarshalJSON)
// and keeps the object in Raw. A value that is not an object leaves v
// unchanged, without an error.
func (v *Verification) UnmarshalJSON(data []byte) error { return decodeObject(data, v) }

// UnmarshalJSON decodes the person leniently, keeping the object in Raw:
// YearOfBirth, Height and Weight may be numbers.
func (p *DecisionPerson) UnmarshalJSON(data []byte) error { return decodeObject(data, p) }

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
	Gender       Gender `json:"gender,omitempty"`
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
func (a *ParsedAddress) UnmarshalJSON(data []byte) error { return decodeObject(data, a) }

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
	Number  string       `json:"number,omitempty"`
	Type    DocumentType `json:"type,omitempty"`
	Country string       `json:"country,omitempty"` // ISO 3166-1 alpha-2
	State   string       `json:"state,omitempty"`

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
func (d *DecisionDocument) UnmarshalJSON(data []byte) error { return decodeObject(data, d) }

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
func (a *AdditionalVerifiedData) UnmarshalJSON(data []byte) error { return decodeObject(data, a) }

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
	return getJSON[Decision](ctx, c, "/sessions/{sessionID}/decision", sessionID)
}

// WaitForDecision polls Decision at once and then every interval until
// Veriff has decided, and returns that decision: any decision ends the
// wait, resubmission_requested and review included. Temporary failures
// (429, 5xx, connection errors) do not end it; a Retry-After is honoured up
// to WithRetryAfterCap, and one above the cap ends it with its *APIError.
// When ctx is done it returns an error for which errors.Is(err, ctx.Err())
// holds and that wraps the last temporary failure: give ctx a deadline.
// Veriff recommends the decision webhook over polling.
//
// Veriff API: GET /v1/sessions/{id}/decision
func (c *Client) WaitForDecision(ctx context.Context, sessionID string, every time.Duration) (*Decision, error) {
	r, err := newRequest(http.MethodGet, "/sessions/{sessionID}/decision", sessionID)
	if err != nil {
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
		d, err := doJSON[Decision](ctx, c, r)
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
