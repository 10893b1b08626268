package veriff

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func bioOf(kind string) *INEBiometricRegistryValidation {
	yes, no, ok, failure := true, false, "success", "failure"
	pct := 93.0
	switch kind {
	case "match":
		return &INEBiometricRegistryValidation{FaceMatch: &yes, FaceMatchPercentage: &pct, ResponseStatus: &ok}
	case "mismatch":
		low := 41.0
		return &INEBiometricRegistryValidation{FaceMatch: &no, FaceMatchPercentage: &low, ResponseStatus: &ok}
	case "failed":
		return &INEBiometricRegistryValidation{ResponseStatus: &failure}
	}
	return nil
}

func TestAssessINEAllCombinations(t *testing.T) {
	type row struct {
		status string // "nil decision", "nil verification", or a SessionStatus
		// want gives the verdict for a registry (nil/active/inactive) and a
		// biometric result (absent/match/mismatch/failed).
		want func(reg, bio string) Verdict
	}
	always := func(v Verdict) func(string, string) Verdict { return func(string, string) Verdict { return v } }
	rows := []row{
		{"nil decision", always(VerdictPending)},
		{"nil verification", always(VerdictPending)},
		{string(StatusCreated), always(VerdictPending)},
		{string(StatusStarted), always(VerdictPending)},
		{string(StatusSubmitted), always(VerdictPending)},
		{string(StatusDeclined), always(VerdictRejected)},
		{string(StatusExpired), always(VerdictRejected)},
		{string(StatusAbandoned), always(VerdictRejected)},
		{string(StatusResubmissionRequested), always(VerdictResubmit)},
		{"some_new_status", always(VerdictReview)},
		{string(StatusReview), func(reg, _ string) Verdict {
			if reg == "inactive" {
				return VerdictRejected
			}
			return VerdictReview
		}},
		{string(StatusApproved), func(reg, bio string) Verdict {
			switch {
			case reg == "inactive":
				return VerdictRejected
			case bio == "mismatch" || bio == "failed":
				return VerdictReview
			case reg == "nil":
				return VerdictPending
			}
			return VerdictVerified // active, biometric absent or match
		}},
	}
	registries := map[string]*INERegistryResult{
		"nil":      nil,
		"active":   {Active: true, DocumentState: "El documento es válido."},
		"inactive": {Active: false, DocumentState: "No se obtuvieron datos"},
	}
	for _, r := range rows {
		for _, reg := range []string{"nil", "active", "inactive"} {
			for _, bio := range []string{"absent", "match", "mismatch", "failed"} {
				t.Run(fmt.Sprintf("%s/%s/%s", r.status, reg, bio), func(t *testing.T) {
					var d *Decision
					switch r.status {
					case "nil decision":
					case "nil verification":
						d = &Decision{Status: "success"}
					default:
						d = &Decision{Status: "success", Verification: &Verification{
							Status:                 SessionStatus(r.status),
							AdditionalVerifiedData: &AdditionalVerifiedData{INEBiometricRegistryValidation: bioOf(bio)},
						}}
					}
					a := AssessINE(d, registries[reg])
					assert.Equal(t, r.want(reg, bio), a.Verdict)
					require.NotEmpty(t, a.Reasons)
					for _, reason := range a.Reasons {
						assert.NotEmpty(t, strings.TrimSpace(reason))
						assert.NotContains(t, reason, "válido", "no registry text in reasons")
					}
				})
			}
		}
	}
}

func TestAssessINEReasonsInOrder(t *testing.T) {
	d := &Decision{Verification: &Verification{Status: StatusApproved,
		AdditionalVerifiedData: &AdditionalVerifiedData{INEBiometricRegistryValidation: bioOf("mismatch")}}}
	a := AssessINE(d, &INERegistryResult{Active: true})
	assert.Equal(t, VerdictReview, a.Verdict)
	require.Len(t, a.Reasons, 2)
	assert.Equal(t, "Veriff approved the session", a.Reasons[0])
	assert.Contains(t, a.Reasons[1], "face does not match")

	code := 102
	a = AssessINE(&Decision{Verification: &Verification{Status: StatusDeclined, ReasonCode: &code}}, nil)
	assert.Equal(t, VerdictRejected, a.Verdict)
	assert.Equal(t, []string{"Veriff's decision is declined", "reason 102: " + ReasonCodeText(102)}, a.Reasons)
}

func TestAssessINEFromFixtures(t *testing.T) {
	var bio INEBiometricRegistryValidation
	require.NoError(t, decodeLenient(fixture(t, "ine/decision_ine_biometric.json"), &bio))
	d := &Decision{Verification: &Verification{Status: StatusApproved,
		AdditionalVerifiedData: &AdditionalVerifiedData{INEBiometricRegistryValidation: &bio}}}
	assert.Equal(t, VerdictVerified, AssessINE(d, &INERegistryResult{Active: true}).Verdict)

	var mismatch Decision
	require.NoError(t, decodeLenient(fixture(t, "api/decision_approved_ine_mismatch.json"), &mismatch))
	a := AssessINE(&mismatch, &INERegistryResult{Active: true})
	assert.Equal(t, VerdictReview, a.Verdict)
	assert.Equal(t, "Veriff approved the session", a.Reasons[0])
}
