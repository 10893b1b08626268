package veriff

import "fmt"

// Verdict is the one answer AssessINE gives a compliance team to gate on.
type Verdict string

// Verdicts of AssessINE.
const (
	// VerdictVerified: approved, the credential is active in the INE
	// registry, and no INE biometric check failed. The only verdict that
	// lets the person through.
	VerdictVerified Verdict = "verified"
	// VerdictRejected: declined, expired or abandoned, or the INE registry
	// reports the credential as inactive.
	VerdictRejected Verdict = "rejected"
	// VerdictResubmit: Veriff asked the person to try again.
	VerdictResubmit Verdict = "resubmit"
	// VerdictReview: a person must look (Veriff's review status, an
	// approved session whose INE biometric check failed, or a status the
	// SDK does not know).
	VerdictReview Verdict = "review"
	// VerdictPending: not decided yet, or approved while the INE registry
	// answer is still to come. Ask again later.
	VerdictPending Verdict = "pending"
)

// Assessment is the result of AssessINE.
type Assessment struct {
	Verdict Verdict
	// Reasons explain the verdict in plain language, in the order they
	// decided it. They hold no personal data.
	Reasons []string
}

// AssessINE combines the decision d (Client.Decision or the decision
// webhook: its status reflects the INE Database Verification, and it
// carries the INE biometric check, Decision.INEBiometric) and the legacy
// INE registry answer (Client.INERegistry or the ine_registry webhook; nil
// when not queried or not known yet) into one conservative verdict. Only an
// approved session with an active credential and no failed biometric check
// is VerdictVerified; the whole rule is in the package documentation ("One
// INE verdict"). Reasons are in the order they decided the verdict.
func AssessINE(d *Decision, registry *INERegistryResult) Assessment {
	var a Assessment
	add := func(format string, args ...any) { a.Reasons = append(a.Reasons, fmt.Sprintf(format, args...)) }
	// done gives the last reason and the verdict.
	done := func(v Verdict, format string, args ...any) Assessment {
		add(format, args...)
		a.Verdict = v
		return a
	}
	if d == nil || d.Verification == nil {
		return done(VerdictPending, "Veriff has not decided the session yet")
	}
	status := d.Verification.Status
	switch status {
	case StatusCreated, StatusStarted, StatusSubmitted:
		return done(VerdictPending, "the session is %s and not decided yet", status)
	case StatusDeclined, StatusExpired, StatusAbandoned:
		add("Veriff's decision is %s", status)
		if rc := d.Verification.ReasonCode; rc != nil && ReasonCodeText(*rc) != "" {
			add("reason %d: %s", *rc, ReasonCodeText(*rc))
		}
		a.Verdict = VerdictRejected
		return a
	case StatusResubmissionRequested:
		return done(VerdictResubmit, "Veriff asked for the verification to be done again")
	case StatusApproved, StatusReview:
	default:
		return done(VerdictReview, "Veriff's decision has a status the SDK does not know (%q): a person must look", status)
	}
	if registry != nil && !registry.Active {
		return done(VerdictRejected, "the INE registry reports the voter credential as not active")
	}
	if status == StatusReview {
		return done(VerdictReview, "Veriff sent the session to manual review")
	}
	add("Veriff approved the session")
	if bio := d.INEBiometric(); biometricFailed(bio) {
		return done(VerdictReview, "%s", bio.Reason())
	}
	if registry == nil {
		return done(VerdictPending, "the INE registry answer has not arrived yet")
	}
	add("the INE registry reports the voter credential as active")
	if bio := d.INEBiometric(); bio != nil {
		return done(VerdictVerified, "%s", bio.Reason())
	}
	return done(VerdictVerified, "no INE biometric check was reported")
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
