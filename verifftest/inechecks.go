package verifftest

// This file holds the INE checks the fake runs (WithINEChecks), the biometric result by meaning, and the 404 of the legacy registry queries.

import (
	"fmt"
	"net/http"

	"github.com/veriffgo/veriff"
)

// The INE checks the fake runs, as an integration configured by Veriff
// (see WithINEChecks).

// DatabaseDeclineReasonCode is the reason code of the decline the fake
// makes, when it runs the INE Database Verification (WithINEChecks with
// Database), of a session it would approve whose credential was set
// inactive: 123, "Unable to pass registry checks". Veriff's real code for
// that case could not be read; this is the fake's choice.
const DatabaseDeclineReasonCode = 123

// defaultINEChecks are the checks of a fake made without WithINEChecks:
// the legacy registry check and the biometric check, as before the option
// existed.
var defaultINEChecks = veriff.INEChecks{Registry: true, Biometric: true}

// WithINEChecks makes the fake behave as an integration for which Veriff
// runs the named INE checks (the default is Registry and Biometric):
//
//   - Registry: the legacy registry queries (ine-registry, curp-registry,
//     combined-ine-curp-registry) answer, and deciding an INE session
//     approved or declined sends an ine_registry webhook. Without it they
//     answer 404, as for an unknown route, and no ine_registry webhook is
//     ever sent.
//   - Database: the outcome is in the decision: a session whose credential
//     was set inactive (SetINERegistry with Active false, the admin API or
//     the portal) is declined, with DatabaseDeclineReasonCode, where it
//     would have been approved.
//   - Biometric: every decision of a session with the INE consent carries
//     additionalVerifiedData.ineBiometricRegistryValidation (see
//     SetINEBiometricVerdict); without it no decision does.
//
// The zero INEChecks is an integration that runs no INE check.
func WithINEChecks(c veriff.INEChecks) ServerOption {
	return func(cfg *serverConfig) { cfg.ineChecks = c }
}

// INEChecks returns the INE checks the server runs (see WithINEChecks).
func (s *Server) INEChecks() veriff.INEChecks { return s.cfg.ineChecks }

// SetINEBiometricVerdict sets the biometric result of the session's next
// decisions by its meaning: veriff.INEVerdictValid (passed: the face
// matches, 97%), INEVerdictFaceMismatch (41%), INEVerdictNotFound (the
// registry did not find the credential: responseStatus "not_found", the
// spelling the SDK reads, not one read in Veriff's docs),
// INEVerdictFailure (responseStatus "failure") or INEVerdictPending (no
// answer: every field null). Any other value is an error, and so is a
// session without the INE consent (ErrNoINEConsent). The result is sent
// only when the server runs the Biometric check. Set it before Decide.
func (s *Server) SetINEBiometricVerdict(sessionID string, v veriff.INEVerdict) error {
	bio, ok := biometricOf(v)
	if !ok {
		return fmt.Errorf("verifftest: %q is not a biometric result (valid, face_mismatch, not_found, failure, pending)", v)
	}
	return s.onSession(sessionID, func(ss *session) error {
		if !ss.ineConsent {
			return fmt.Errorf("%w: %q", ErrNoINEConsent, sessionID)
		}
		ss.ineBiometric = &bio
		return nil
	})
}

// biometricOf is the validation that means v.
func biometricOf(v veriff.INEVerdict) (veriff.INEBiometricRegistryValidation, bool) {
	success := "success"
	switch v {
	case veriff.INEVerdictValid:
		return veriff.INEBiometricRegistryValidation{FaceMatch: ptr(true), FaceMatchPercentage: ptr(97.0), ResponseStatus: &success}, true
	case veriff.INEVerdictFaceMismatch:
		return veriff.INEBiometricRegistryValidation{FaceMatch: ptr(false), FaceMatchPercentage: ptr(41.0), ResponseStatus: &success}, true
	case veriff.INEVerdictNotFound:
		return veriff.INEBiometricRegistryValidation{ResponseStatus: ptr("not_found")}, true
	case veriff.INEVerdictFailure:
		return veriff.INEBiometricRegistryValidation{ResponseStatus: ptr("failure")}, true
	case veriff.INEVerdictPending:
		return veriff.INEBiometricRegistryValidation{}, true
	}
	return veriff.INEBiometricRegistryValidation{}, false
}

func ptr[T any](v T) *T { return &v }

// databaseDeclines reports whether the INE Database Verification turns an
// approval of ss into a decline; s.mu must be held.
func (s *Server) databaseDeclines(ss *session, status veriff.SessionStatus) bool {
	return s.cfg.ineChecks.Database && status == veriff.StatusApproved &&
		ss.ineConsent && ss.ine != nil && !ss.ine.Active
}

// withLegacyRegistry answers 404 for the legacy registry queries unless
// the server runs the Registry check.
func (s *Server) withLegacyRegistry(h handlerFunc) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request, body []byte) {
		if !s.cfg.ineChecks.Registry {
			s.fail(w, http.StatusNotFound, "", "Not found")
			return
		}
		h(w, r, body)
	}
}
