package veriff

import "fmt"

// assessINEOracle is AssessINE as it was before INEChecks, kept as the
// oracle that AssessINE still says the same on every input.
func assessINEOracle(d *Decision, registry *INERegistryResult) Assessment {
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
