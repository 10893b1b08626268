package veriff

import (
	"encoding/json"
	"testing"
	"time"
)

// plainDecision is the shape of a decision body as plain structs, with no
// UnmarshalJSON anywhere: what a hand-written client decodes into, and the
// baseline of the decode and round-trip benchmarks.
type plainDecision struct {
	Status        string             `json:"status"`
	Verification  *plainVerification `json:"verification"`
	TechnicalData *struct {
		IP *string `json:"ip"`
	} `json:"technicalData"`
}

type plainVerification struct {
	ID             string     `json:"id"`
	AttemptID      string     `json:"attemptId"`
	VendorData     string     `json:"vendorData"`
	EndUserID      string     `json:"endUserId"`
	Status         string     `json:"status"`
	Code           int        `json:"code"`
	Reason         *string    `json:"reason"`
	ReasonCode     *int       `json:"reasonCode"`
	DecisionTime   *time.Time `json:"decisionTime"`
	AcceptanceTime time.Time  `json:"acceptanceTime"`
	Person         *struct {
		FirstName, LastName, FullName, DateOfBirth, YearOfBirth, PlaceOfBirth string
		Gender, IDNumber, Nationality, Citizenship                            string
		Addresses                                                             []struct {
			FullAddress   string            `json:"fullAddress"`
			ParsedAddress map[string]string `json:"parsedAddress"`
		} `json:"addresses"`
		Occupation, Employer, ForeignerStatus, ExtraNames, Title string
		IFEIdentifier, INEIdentifier, ElectorNumber              string
		EyeColor, HairColor, Height, Weight                      string
	} `json:"person"`
	Document *struct {
		Number, Type, Country, State                          string
		ValidFrom, ValidUntil, PlaceOfIssue, FirstIssue       string
		IssueNumber                                           json.Number
		IssuedBy, Remarks, ResidencePermitType, INEIdentifier string
		NFCValidated, PortraitIsVisible, SignatureIsVisible   *bool
		Specimen                                              *DocumentSpecimen `json:"specimen"`
	} `json:"document"`
	AdditionalVerifiedData *struct {
		DriversLicenseNumber           string                          `json:"driversLicenseNumber"`
		DriversLicenseCategory         map[string]bool                 `json:"driversLicenseCategory"`
		DriversLicenseCategoryFrom     map[string]string               `json:"driversLicenseCategoryFrom"`
		DriversLicenseCategoryUntil    map[string]string               `json:"driversLicenseCategoryUntil"`
		DriversLicenseCategories       json.RawMessage                 `json:"driversLicenseCategories"`
		EstimatedAge                   json.Number                     `json:"estimatedAge"`
		EstimatedGender                json.Number                     `json:"estimatedGender"`
		ProcessNumber                  string                          `json:"processNumber"`
		INEBiometricRegistryValidation *INEBiometricRegistryValidation `json:"ineBiometricRegistryValidation"`
		UKTFCheckResult                json.RawMessage                 `json:"UKTFCheckResult"`
		CPFValidation                  json.RawMessage                 `json:"cpfValidation"`
		RegistryValidation             json.RawMessage                 `json:"registryValidation"`
		ProofOfAddress                 json.RawMessage                 `json:"proofOfAddress"`
		ValidationResults              json.RawMessage                 `json:"validationResults"`
	} `json:"additionalVerifiedData"`
	RiskLabels              []RiskLabel              `json:"riskLabels"`
	RiskScore               json.RawMessage          `json:"riskScore"`
	BiometricAuthentication *BiometricAuthentication `json:"biometricAuthentication"`
	Comments                []json.RawMessage        `json:"comments"`
	HighRisk                *bool                    `json:"highRisk"`
}

// BenchmarkDecodeDecision measures decoding the approved-decision fixture
// (3.5 KB) into a *Decision as Client.Decision does: Decision.UnmarshalJSON
// (decodeLenient) on the body, every field typed and every Raw set.
func BenchmarkDecodeDecision(b *testing.B) {
	data := fixture(b, "sessions/decision_approved.json")
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	for i := 0; i < b.N; i++ {
		var d Decision
		if err := d.UnmarshalJSON(data); err != nil {
			b.Fatal(err)
		}
		if d.Verification == nil || d.Verification.Person == nil || d.Verification.Raw == nil {
			b.Fatal("decision not decoded")
		}
	}
}

// BenchmarkDecodeDecisionUnmarshal is the same through json.Unmarshal,
// which validates the body and scans it once more before it calls
// Decision.UnmarshalJSON.
func BenchmarkDecodeDecisionUnmarshal(b *testing.B) {
	data := fixture(b, "sessions/decision_approved.json")
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	for i := 0; i < b.N; i++ {
		var d Decision
		if err := json.Unmarshal(data, &d); err != nil {
			b.Fatal(err)
		}
		if d.Verification == nil || d.Verification.Person == nil || d.Verification.Raw == nil {
			b.Fatal("decision not decoded")
		}
	}
}

// BenchmarkDecodeDecisionMap is the baseline of map[string]any.
func BenchmarkDecodeDecisionMap(b *testing.B) {
	data := fixture(b, "sessions/decision_approved.json")
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	for i := 0; i < b.N; i++ {
		var m map[string]any
		if err := json.Unmarshal(data, &m); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDecodeDecisionPlain is the baseline of plain structs decoded by
// encoding/json (no leniency, no Raw).
func BenchmarkDecodeDecisionPlain(b *testing.B) {
	data := fixture(b, "sessions/decision_approved.json")
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	for i := 0; i < b.N; i++ {
		var d plainDecision
		if err := json.Unmarshal(data, &d); err != nil {
			b.Fatal(err)
		}
		if d.Verification == nil || d.Verification.Person == nil {
			b.Fatal("decision not decoded")
		}
	}
}
