package emulator_test

import (
	"context"
	"net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/veriffgo/veriff"
	"github.com/veriffgo/veriff/internal/faketest"
	"github.com/veriffgo/veriff/verifftest"
)

// clientOf is an SDK client of the emulator srv.
func clientOf(t *testing.T, srv *server) *veriff.Client {
	t.Helper()
	c, err := veriff.NewClient(faketest.Key, faketest.Secret, veriff.WithBaseURL(srv.URL))
	require.NoError(t, err)
	return c
}

// TestINEInactiveByAdminAndPortal: with Database only, a credential set
// inactive through the admin API or the portal declines the session with
// verifftest.DatabaseDeclineReasonCode, as through the Go test API.
func TestINEInactiveByAdminAndPortal(t *testing.T) {
	ways := map[string]func(t *testing.T, srv *server, id string){
		"admin API": func(t *testing.T, srv *server, id string) {
			r := adminCall(t, srv.URL, "PUT", "/_emulator/sessions/"+id+"/ine-registry", faketest.Key, `{"active":false}`)
			require.Equal(t, http.StatusOK, r.Status, "body: %s", r.Body)
		},
		"portal": func(t *testing.T, srv *server, id string) {
			r := postPortal(t, srv.URL+"/sessions/"+id+"/ine-registry", url.Values{"csrf": {portalToken(t, srv, id)}, "answer": {"inactive"}}, nil)
			require.Equal(t, http.StatusSeeOther, r.Status, "body: %s", r.Body)
		},
	}
	srv := newServer(t, verifftest.WithINEChecks(veriff.INEChecks{Database: true}))
	a, c := newAPI(t, srv), clientOf(t, srv)
	for way, set := range ways {
		id := a.Create(faketest.INESessionBody)
		set(t, srv, id)
		require.NoError(t, srv.Decide(id, veriff.StatusApproved))
		d, err := c.Decision(context.Background(), id)
		require.NoError(t, err)
		assert.Equal(t, veriff.StatusDeclined, d.Verification.Status, way)
		require.NotNil(t, d.Verification.ReasonCode, way)
		assert.Equal(t, verifftest.DatabaseDeclineReasonCode, *d.Verification.ReasonCode, way)
		_, err = c.INERegistry(context.Background(), id)
		require.ErrorIs(t, err, veriff.ErrNotFound, "no legacy endpoint with Database only")
	}
}

// TestINEBiometricByAdminAndPortal: the admin API and the portal set each
// INE biometric result, which the next decision carries.
func TestINEBiometricByAdminAndPortal(t *testing.T) {
	ways := map[string]func(t *testing.T, srv *server, id string, v veriff.INEVerdict){
		"admin API": func(t *testing.T, srv *server, id string, v veriff.INEVerdict) {
			r := adminCall(t, srv.URL, "PUT", "/_emulator/sessions/"+id+"/ine-biometric", faketest.Key, `{"verdict":"`+string(v)+`"}`)
			require.Equal(t, http.StatusOK, r.Status, "body: %s", r.Body)
		},
		"portal": func(t *testing.T, srv *server, id string, v veriff.INEVerdict) {
			r := postPortal(t, srv.URL+"/sessions/"+id+"/ine-biometric", url.Values{"csrf": {portalToken(t, srv, id)}, "verdict": {string(v)}}, nil)
			require.Equal(t, http.StatusSeeOther, r.Status, "body: %s", r.Body)
		},
	}
	srv := newServer(t)
	a, c := newAPI(t, srv), clientOf(t, srv)
	for way, set := range ways {
		for _, v := range []veriff.INEVerdict{veriff.INEVerdictValid, veriff.INEVerdictFailure,
			veriff.INEVerdictFaceMismatch, veriff.INEVerdictNotFound} {
			id := a.Create(faketest.INESessionBody)
			set(t, srv, id, v)
			require.NoError(t, srv.Decide(id, veriff.StatusApproved))
			d, err := c.Decision(context.Background(), id)
			require.NoError(t, err)
			assert.Equal(t, v, d.INEBiometric().Verdict(), "%s: %s", way, v)
		}
	}
}

// TestINEBiometricRefusedByAdminAndPortal: bad verdicts, sessions without
// the INE consent and unknown sessions are refused and change nothing.
func TestINEBiometricRefusedByAdminAndPortal(t *testing.T) {
	srv := newServer(t)
	a := newAPI(t, srv)
	id := a.Create(faketest.INESessionBody)
	plain := a.Create(`{"verification":{}}`)

	path := "/_emulator/sessions/" + id + "/ine-biometric"
	for body, want := range map[string]int{`{"verdict":"maybe"}`: 400, `{}`: 400, `{"verdict":1}`: 400, `{"verdict":"valid","x":1}`: 400} {
		r := adminCall(t, srv.URL, "PUT", path, faketest.Key, body)
		assert.Equal(t, want, r.Status, "%s: %s", body, r.Body)
	}
	assert.Equal(t, http.StatusConflict, adminCall(t, srv.URL, "PUT", "/_emulator/sessions/"+plain+"/ine-biometric", faketest.Key, `{"verdict":"valid"}`).Status)
	assert.Equal(t, http.StatusNotFound, adminCall(t, srv.URL, "PUT", "/_emulator/sessions/nope/ine-biometric", faketest.Key, `{"verdict":"valid"}`).Status)

	r := postPortal(t, srv.URL+"/sessions/"+id+"/ine-biometric", url.Values{"csrf": {portalToken(t, srv, id)}, "verdict": {"maybe"}}, nil)
	assert.Equal(t, http.StatusBadRequest, r.Status)
	page := string(faketest.Get(t, srv.URL+"/sessions/"+id).Body)
	assert.Contains(t, page, "INE biometric result")
	assert.NotContains(t, string(faketest.Get(t, srv.URL+"/sessions/"+plain).Body), "INE biometric result", "no form without the consent")
}

// TestPortalNamesBothINENumbers: the CIC and the voter card OCR number are
// two numbers, each shown under its own name.
func TestPortalNamesBothINENumbers(t *testing.T) {
	srv := newServer(t, verifftest.WithINEChecks(veriff.INEChecks{Database: true}))
	id := newAPI(t, srv).Create(faketest.INESessionBody)
	require.NoError(t, srv.SetINERegistry(id, veriff.INERegistryResult{Active: true, INEIdentifier: "1859402736481", IFEIdentifier: "0123456789012"}))
	page := string(faketest.Get(t, srv.URL+"/sessions/"+id).Body)
	assert.Regexp(t, `citizen(&#39;|')s identifier \(CIC, ineIdentifier\) <span class="mono">1859402736481</span>`, page)
	assert.Contains(t, page, `voter card OCR number (ifeIdentifier) <span class="mono">0123456789012</span>`)
	assert.Contains(t, page, "does not run the legacy INE registry check")
	assert.Contains(t, page, "an inactive credential declines the session")
	assert.NotContains(t, page, "INE biometric result", "no biometric form without the Biometric check")
}
