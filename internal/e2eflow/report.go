package e2eflow

import (
	"fmt"
	"io"
	"strings"

	"github.com/veriffgo/veriff"
)

// report is what the flow found out.
type report struct {
	sessionID    string
	decision     *veriff.Decision
	registry     *veriff.INERegistryResult // nil when Veriff had no result
	registryNote string
	webhooks     []string // nil when polling
	duplicates   int
}

func printReport(w io.Writer, r report) {
	v := r.decision.Verification
	line := func(name, format string, args ...any) {
		fmt.Fprintf(w, "  %-16s %s\n", name, fmt.Sprintf(format, args...))
	}
	fmt.Fprintln(w, "\nReport")
	line("Session", "%s", r.sessionID)
	line("Decision", "%s (code %d)", v.Status, v.Code)
	switch {
	case v.Reason != nil && v.ReasonCode != nil:
		line("Reason", "%s (reason code %d)", *v.Reason, *v.ReasonCode)
	case v.Reason != nil:
		line("Reason", "%s", *v.Reason)
	default:
		line("Reason", "none")
	}
	if p := v.Person; p != nil {
		name := p.FullName
		if name == "" {
			name = strings.TrimSpace(p.FirstName + " " + p.LastName)
		}
		line("Person", "%s, born %s", orNone(name), orNone(p.DateOfBirth))
		line("CURP", "%s", orNone(p.IDNumber))
		line("INE identifier", "%s", orNone(firstOf(p.INEIdentifier, p.IFEIdentifier)))
		line("Elector key", "%s", orNone(p.ElectorNumber))
	} else {
		line("Person", "none in the decision")
	}
	if doc := v.Document; doc != nil {
		line("Document", "%s %s, number %s", doc.Type, doc.Country, orNone(doc.Number))
	}
	line("INE registry", "%s", r.registryNote)
	if bio := r.decision.INEBiometric(); bio != nil {
		line("INE biometric", "%s: %s", bio.Verdict(), bio.Reason())
	} else {
		line("INE biometric", "none in the decision")
	}
	if r.webhooks != nil {
		line("Webhooks", "%s (%d received, %d duplicates ignored)", strings.Join(r.webhooks, ", "), len(r.webhooks), r.duplicates)
	} else {
		line("Webhooks", "not used (polled GET /decision)")
	}
	a := veriff.AssessINE(r.decision, r.registry)
	line("Verdict", "%s: %s", a.Verdict, strings.Join(a.Reasons, "; "))
	line("Outcome", "%s", outcome(r))
}

// outcome sums up whether the person passed the INE check.
func outcome(r report) string {
	v := r.decision.Verification
	bio := r.decision.INEBiometric()
	switch {
	case v.Status != veriff.StatusApproved:
		return "NOT VERIFIED: the decision is " + string(v.Status)
	case r.registry != nil && !r.registry.Active:
		return "NOT VERIFIED: the INE credential is not active in the registry"
	case bio != nil && bio.Verdict() != veriff.INEVerdictValid && bio.Verdict() != veriff.INEVerdictPending:
		return "NOT VERIFIED: INE biometric check " + string(bio.Verdict())
	case r.registry == nil || bio.Verdict() == veriff.INEVerdictPending:
		return "APPROVED, but an INE result (registry or biometric) is missing"
	default:
		return "VERIFIED: approved, INE credential active, face matches the registry photo"
	}
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

func firstOf(values ...string) string {
	for _, v := range values {
		if v != "" {
			return v
		}
	}
	return ""
}
