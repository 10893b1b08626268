package veriff

import "fmt"

// Verdict is the one answer INEChecks.Assess (and AssessINE) gives a
// compliance team to gate on.
type Verdict string

// Verdicts of INEChecks.Assess and AssessINE.
const (
	// VerdictVerified: approved, every INE check the integration runs
	// (INEChecks) passed, and no INE check failed. The only verdict that
	// lets the person through.
	VerdictVerified Verdict = "verified"
	// VerdictRejected: declined, expired or abandoned, or the INE registry
	// reports the credential as inactive.
	VerdictRejected Verdict = "rejected"
	// VerdictResubmit: Veriff asked the person to try again.
	VerdictResubmit Verdict = "resubmit"
	// VerdictReview: a person must look (Veriff's review status, an
	// approved session whose INE biometric check failed or, when named,
	// did not report, a status the SDK does not know, or no INE check
	// named).
	VerdictReview Verdict = "review"
	// VerdictPending: not decided yet, or approved while the INE registry
	// answer is still to come. Ask again later.
	VerdictPending Verdict = "pending"
)

// Assessment is the result of INEChecks.Assess and AssessINE.
type Assessment struct {
	Verdict Verdict
	// Reasons explain the verdict in plain language, in the order they
	// decided it. They hold no personal data.
	Reasons []string
}

// AssessINE combines the decision d and the legacy INE registry answer
// into one conservative verdict, for an integration that runs the legacy
// INE registry check: it is INEChecks{Registry: true}.Assess(d, registry),
// and says what it said before INEChecks existed. Integrations on Veriff's
// current INE products use INEChecks.Assess with the checks they run.
func AssessINE(d *Decision, registry *INERegistryResult) Assessment {
	return INEChecks{Registry: true}.Assess(d, registry)
}

// INEChecks names the INE checks Veriff runs for an integration (Veriff
// configures them per integration; ask your Veriff contact or look at the
// integration in the Customer Portal). Assess requires the result of each
// named check; a check not named is not required, but a failed result of
// it still blocks. The zero value names none and never verifies.
type INEChecks struct {
	// Registry is the legacy INE registry check: its answer comes from
	// Client.INERegistry or the ine_registry webhook, and must say active.
	Registry bool
	// Database is the current INE Database Verification: it has no
	// endpoint or webhook of its own, its outcome is the decision's status
	// (a credential the registry rejects declines the session).
	Database bool
	// Biometric is the INE Biometric Database Verification: the decision
	// must carry a passed face match (Decision.INEBiometric).
	Biometric bool
}

// Assess combines the decision d (Client.Decision or the decision webhook)
// and, when Registry is named, the legacy INE registry answer
// (Client.INERegistry or the ine_registry webhook; nil while unknown, and
// nil when Registry is not named) into one conservative verdict. Only an
// approved session whose named checks all passed, with no failed result of
// any check, is VerdictVerified: a named registry answer still missing
// gives VerdictPending, a named biometric result missing gives
// VerdictReview (it will not come later). The whole rule is in the package
// documentation ("One INE verdict"). Reasons are plain language, hold no
// personal data, and come in the order they decided the verdict.
func (c INEChecks) Assess(d *Decision, registry *INERegistryResult) Assessment {
	var a Assessment
	add := func(format string, args ...any) { a.Reasons = append(a.Reasons, fmt.Sprintf(format, args...)) }
	// done gives the last reason and the verdict.
	done := func(v Verdict, format string, args ...any) Assessment {
		add(format, args...)
		a.Verdict = v
		return a
	}
	if c == (INEChecks{}) {
		return done(VerdictReview, "no INE check was named: set INEChecks to the checks Veriff runs for the integration")
	}
	if v, ok := assessStatus(d, add); !ok {
		a.Verdict = v
		return a
	}
	status := d.Verification.Status
	if registry != nil && !registry.Active {
		return done(VerdictRejected, "the INE registry reports the voter credential as not active")
	}
	if status == StatusReview {
		return done(VerdictReview, "Veriff sent the session to manual review")
	}
	add("Veriff approved the session")
	bio := d.INEBiometric()
	if biometricFailed(bio) {
		return done(VerdictReview, "%s", bio.Reason())
	}
	if c.Biometric && !bio.OK() {
		return done(VerdictReview, "the decision carries no INE biometric result: the check did not run on this session")
	}
	if c.Registry && registry == nil {
		return done(VerdictPending, "the INE registry answer has not arrived yet")
	}
	if registry != nil {
		add("the INE registry reports the voter credential as active")
	}
	if c.Database {
		add("the approved decision includes the INE Database Verification's outcome")
	}
	switch {
	case bio == nil:
		return done(VerdictVerified, "no INE biometric check was reported")
	case bio.OK() || c == INEChecks{Registry: true}:
		// AssessINE has always given the biometric result's own reason.
		return done(VerdictVerified, "%s", bio.Reason())
	}
	return done(VerdictVerified, "the INE biometric check has no result yet and is not required")
}

// assessStatus judges the decision's status alone: ok is true for approved
// and review, whose verdict depends on the INE checks; otherwise v is the
// verdict and its reasons have been given to add.
func assessStatus(d *Decision, add func(format string, args ...any)) (v Verdict, ok bool) {
	if d == nil || d.Verification == nil {
		add("Veriff has not decided the session yet")
		return VerdictPending, false
	}
	status := d.Verification.Status
	switch status {
	case StatusCreated, StatusStarted, StatusSubmitted:
		add("the session is %s and not decided yet", status)
		return VerdictPending, false
	case StatusDeclined, StatusExpired, StatusAbandoned:
		add("Veriff's decision is %s", status)
		if rc := d.Verification.ReasonCode; rc != nil && ReasonCodeText(*rc) != "" {
			add("reason %d: %s", *rc, ReasonCodeText(*rc))
		}
		return VerdictRejected, false
	case StatusResubmissionRequested:
		add("Veriff asked for the verification to be done again")
		return VerdictResubmit, false
	case StatusApproved, StatusReview:
		return "", true
	}
	add("Veriff's decision has a status the SDK does not know (%q): a person must look", status)
	return VerdictReview, false
}

// biometricFailed reports whether the INE biometric check failed: a face
// mismatch, a failure answer, or a credential the registry did not find.
func biometricFailed(v *INEBiometricRegistryValidation) bool {
	switch v.Verdict() {
	case INEVerdictFaceMismatch, INEVerdictFailure, INEVerdictNotFound:
		return true
	}
	return false
}
