package veriff

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The inputs of the INEChecks table: every status, registry answer and
// biometric result.
var (
	checksStatuses = []string{"nil decision", "nil verification",
		string(StatusCreated), string(StatusStarted), string(StatusSubmitted),
		string(StatusApproved), string(StatusReview), string(StatusDeclined),
		string(StatusExpired), string(StatusAbandoned), string(StatusResubmissionRequested),
		"some_new_status"}
	checksRegistries = []string{"nil", "active", "inactive"}
	checksBiometrics = []string{"absent", "passed", "failed", "face mismatch", "not found"}
)

// everyINEChecks is the cross product of the three named checks.
func everyINEChecks() []INEChecks {
	var all []INEChecks
	for i := range 8 {
		all = append(all, INEChecks{Registry: i&1 != 0, Database: i&2 != 0, Biometric: i&4 != 0})
	}
	return all
}

func checksRegistry(kind string) *INERegistryResult {
	switch kind {
	case "active":
		return &INERegistryResult{Active: true, DocumentState: "El documento es válido.", INEIdentifier: "1859402736481"}
	case "inactive":
		return &INERegistryResult{Active: false, DocumentState: "No se obtuvieron datos", IFEIdentifier: "0123456789012"}
	}
	return nil
}

func checksBiometric(kind string) *INEBiometricRegistryValidation {
	ok, notFound := "success", "not_found"
	switch kind {
	case "passed":
		return &INEBiometricRegistryValidation{FaceMatch: ptr(true), FaceMatchPercentage: ptr(97.0), ResponseStatus: &ok}
	case "face mismatch":
		return &INEBiometricRegistryValidation{FaceMatch: ptr(false), FaceMatchPercentage: ptr(41.0), ResponseStatus: &ok}
	case "not found":
		return &INEBiometricRegistryValidation{ResponseStatus: &notFound}
	case "failed":
		return &INEBiometricRegistryValidation{ResponseStatus: ptr("failure")}
	}
	return nil
}

// checksDecision builds the decision of a status, with a person whose
// personal data must never reach a reason.
func checksDecision(status, bio string) *Decision {
	switch status {
	case "nil decision":
		return nil
	case "nil verification":
		return &Decision{Status: "success"}
	}
	return &Decision{Status: "success", Verification: &Verification{
		Status:                 SessionStatus(status),
		Person:                 &DecisionPerson{FirstName: "MARÍA GUADALUPE", LastName: "HERNÁNDEZ LÓPEZ", IDNumber: "HELG900215MDFRPD09"},
		AdditionalVerifiedData: &AdditionalVerifiedData{INEBiometricRegistryValidation: checksBiometric(bio)},
	}}
}

// wantINEVerdict states the contract's rules, one line each.
func wantINEVerdict(c INEChecks, status, reg, bio string) Verdict {
	switch {
	case c == INEChecks{}:
		return VerdictReview // no check named
	case status == "nil decision" || status == "nil verification" ||
		status == string(StatusCreated) || status == string(StatusStarted) || status == string(StatusSubmitted):
		return VerdictPending // not decided yet
	case status == string(StatusDeclined) || status == string(StatusExpired) || status == string(StatusAbandoned):
		return VerdictRejected
	case status == string(StatusResubmissionRequested):
		return VerdictResubmit
	case status == "some_new_status":
		return VerdictReview
	case reg == "inactive":
		return VerdictRejected // a failed registry answer blocks, named or not
	case status == string(StatusReview):
		return VerdictReview
	case bio == "failed" || bio == "face mismatch" || bio == "not found":
		return VerdictReview // a failed biometric check blocks, named or not
	case c.Biometric && bio != "passed":
		return VerdictReview // named, and it did not run: it will not come later
	case c.Registry && reg == "nil":
		return VerdictPending // named: the registry answer follows the decision
	}
	return VerdictVerified // approved, every named check passed, nothing failed
}

func TestINEChecksAssessAllCombinations(t *testing.T) {
	n := 0
	for _, c := range everyINEChecks() {
		for _, status := range checksStatuses {
			for _, reg := range checksRegistries {
				for _, bio := range checksBiometrics {
					n++
					name := fmt.Sprintf("%+v/%s/%s/%s", c, status, reg, bio)
					t.Run(name, func(t *testing.T) {
						a := c.Assess(checksDecision(status, bio), checksRegistry(reg))
						assert.Equal(t, wantINEVerdict(c, status, reg, bio), a.Verdict)
						assertPlainReasons(t, a)
						if c == (INEChecks{}) {
							assert.Contains(t, a.Reasons[0], "no INE check was named")
						}
					})
				}
			}
		}
	}
	assert.Equal(t, 8*12*3*5, n)
}

// assertPlainReasons checks that reasons are given, and hold no personal
// data and no registry text.
func assertPlainReasons(t *testing.T, a Assessment) {
	t.Helper()
	require.NotEmpty(t, a.Reasons)
	for _, r := range a.Reasons {
		assert.NotEmpty(t, strings.TrimSpace(r))
		for _, personal := range []string{"MARÍA", "HERNÁNDEZ", "HELG900215", "1859402736481", "0123456789012", "válido", "No se obtuvieron"} {
			assert.NotContains(t, r, personal)
		}
	}
}

func TestAssessINEIsRegistryChecks(t *testing.T) {
	for _, status := range checksStatuses {
		for _, reg := range checksRegistries {
			for _, bio := range append(checksBiometrics, "pending") {
				d := checksDecision(status, bio)
				if bio == "pending" && d != nil && d.Verification != nil {
					d.Verification.AdditionalVerifiedData.INEBiometricRegistryValidation = &INEBiometricRegistryValidation{}
				}
				got := AssessINE(d, checksRegistry(reg))
				assert.Equal(t, INEChecks{Registry: true}.Assess(d, checksRegistry(reg)), got, "%s/%s/%s", status, reg, bio)
				assert.Equal(t, assessINEOracle(d, checksRegistry(reg)), got, "%s/%s/%s: as before INEChecks", status, reg, bio)
			}
		}
	}
}

// TestINEChecksReasons pins the reasons of the current products' verdicts.
func TestINEChecksReasons(t *testing.T) {
	current := INEChecks{Database: true, Biometric: true}
	a := current.Assess(checksDecision(string(StatusApproved), "passed"), nil)
	assert.Equal(t, VerdictVerified, a.Verdict)
	assert.Equal(t, []string{"Veriff approved the session",
		"the approved decision includes the INE Database Verification's outcome",
		"the credential is valid and active in the INE registry and the face matches (similarity 97%)"}, a.Reasons)

	a = current.Assess(checksDecision(string(StatusApproved), "absent"), nil)
	assert.Equal(t, VerdictReview, a.Verdict)
	assert.Contains(t, a.Reasons[len(a.Reasons)-1], "the decision carries no INE biometric result")

	a = INEChecks{Database: true}.Assess(checksDecision(string(StatusApproved), "absent"), nil)
	assert.Equal(t, VerdictVerified, a.Verdict)
	assert.Equal(t, "no INE biometric check was reported", a.Reasons[len(a.Reasons)-1])

	d := checksDecision(string(StatusApproved), "absent")
	d.Verification.AdditionalVerifiedData.INEBiometricRegistryValidation = &INEBiometricRegistryValidation{}
	a = INEChecks{Database: true}.Assess(d, nil)
	assert.Equal(t, VerdictVerified, a.Verdict)
	assert.Equal(t, "the INE biometric check has no result yet and is not required", a.Reasons[len(a.Reasons)-1])
}

// TestINEChecksUnknownINEObjects: INE objects the SDK does not know (and a
// mistyped biometric block) neither fail Assess nor get lost from Raw.
func TestINEChecksUnknownINEObjects(t *testing.T) {
	var d Decision
	require.NoError(t, json.Unmarshal(fixture(t, "ine/decision_unknown_ine_objects.json"), &d))
	require.NotNil(t, d.Verification)
	assert.Nil(t, d.INEBiometric(), "the mistyped block is dropped, not guessed")
	assert.Contains(t, string(d.Verification.Raw), `"ineDatabaseVerification"`)
	assert.Contains(t, string(d.Verification.AdditionalVerifiedData.Raw), `"ineDatabaseValidation"`)
	require.NotNil(t, d.Verification.AdditionalVerifiedData.EstimatedAge, "its neighbours survive")

	assert.Equal(t, VerdictVerified, INEChecks{Database: true}.Assess(&d, nil).Verdict)
	assert.Equal(t, VerdictReview, INEChecks{Database: true, Biometric: true}.Assess(&d, nil).Verdict)
	assert.Equal(t, VerdictPending, INEChecks{Registry: true}.Assess(&d, nil).Verdict)
}
