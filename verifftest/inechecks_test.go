package verifftest_test

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/veriffgo/veriff"
	"github.com/veriffgo/veriff/internal/faketest"
	"github.com/veriffgo/veriff/verifftest"
)

// inactiveBy sets the session's credential inactive through the Go test
// API (the emulator's tests add its admin API and portal).
var inactiveBy = map[string]func(t *testing.T, srv *verifftest.Server, id string){
	"Go test API": func(t *testing.T, srv *verifftest.Server, id string) {
		require.NoError(t, srv.SetINERegistry(id, veriff.INERegistryResult{Active: false}))
	},
}

// TestINEChecksDatabaseOnly: with Database only, the legacy registry
// endpoints never answer 200, no ine_registry webhook is ever sent, and a
// credential set inactive (each way) declines the session with
// DatabaseDeclineReasonCode.
func TestINEChecksDatabaseOnly(t *testing.T) {
	srv := verifftest.NewServer(faketest.Key, faketest.Secret, verifftest.WithINEChecks(veriff.INEChecks{Database: true}))
	t.Cleanup(srv.Close)
	rc := newReceiver(t)
	srv.SetWebhookURL(rc.URL)
	a := newAPI(t, srv)
	c, err := srv.NewClient()
	require.NoError(t, err)
	ctx := context.Background()

	approved := a.Create(faketest.INESessionBody)
	require.NoError(t, srv.Decide(approved, veriff.StatusApproved))
	declined := a.Create(faketest.INESessionBody)
	require.NoError(t, srv.Decide(declined, veriff.StatusDeclined))
	var ids []string
	for way, set := range inactiveBy {
		id := a.Create(faketest.INESessionBody)
		set(t, srv, id)
		require.NoError(t, srv.Decide(id, veriff.StatusApproved))
		d, err := c.Decision(ctx, id)
		require.NoError(t, err)
		assert.Equal(t, veriff.StatusDeclined, d.Verification.Status, way)
		require.NotNil(t, d.Verification.ReasonCode, way)
		assert.Equal(t, verifftest.DatabaseDeclineReasonCode, *d.Verification.ReasonCode, way)
		assert.Equal(t, veriff.VerdictRejected, veriff.INEChecks{Database: true}.Assess(d, nil).Verdict, way)
		ids = append(ids, id)
	}
	d, err := c.Decision(ctx, approved)
	require.NoError(t, err)
	assert.Nil(t, d.INEBiometric(), "no biometric block without Biometric")
	assert.Equal(t, veriff.VerdictVerified, veriff.INEChecks{Database: true}.Assess(d, nil).Verdict)

	for _, id := range append(ids, approved, declined) {
		for _, name := range []string{"ine-registry", "curp-registry", "combined-ine-curp-registry"} {
			r := a.Get(http.MethodGet, "/v1/sessions/"+id+"/decision/"+name+"?version=1.0.0", id)
			assert.Equal(t, http.StatusNotFound, r.Status, "%s: %s", name, r.Body)
		}
		_, err := c.INERegistry(ctx, id)
		require.ErrorIs(t, err, veriff.ErrNotFound)
	}
	registryRoute := "/v1/sessions/{id}/decision/ine-registry"
	require.Positive(t, srv.RequestCount(http.MethodGet, registryRoute))
	for _, r := range srv.Requests() {
		if r.Route == registryRoute {
			assert.Equal(t, http.StatusNotFound, r.Status)
		}
	}
	n := 2 + len(inactiveBy) // one decision webhook per session, nothing else
	_, err = srv.WaitForDeliveries(waitCtx(t), n)
	require.NoError(t, err)
	srv.Close() // waits for every delivery still under way
	ds := srv.Deliveries()
	require.Len(t, ds, n)
	for _, d := range ds {
		assert.Equal(t, veriff.WebhookDecision, d.Kind)
	}
	require.Len(t, rc.received(), n)
	for _, got := range rc.received() {
		var probe struct {
			EventType string `json:"eventType"`
		}
		require.NoError(t, json.Unmarshal(got.Body, &probe))
		assert.NotEqual(t, "ine_registry", probe.EventType)
	}
}

// setBiometricBy sets the session's biometric result through the Go test
// API (the emulator's tests add its admin API and portal).
var setBiometricBy = map[string]func(t *testing.T, srv *verifftest.Server, id string, v veriff.INEVerdict){
	"Go test API": func(t *testing.T, srv *verifftest.Server, id string, v veriff.INEVerdict) {
		require.NoError(t, srv.SetINEBiometricVerdict(id, v))
	},
}

// TestINEChecksBiometric: with Biometric (the default), every decision of
// an INE session carries the biometric block, settable to each result;
// without it, none does.
func TestINEChecksBiometric(t *testing.T) {
	srv := newServer(t)
	assert.Equal(t, veriff.INEChecks{Registry: true, Biometric: true}, srv.INEChecks(), "the default")
	c, err := srv.NewClient()
	require.NoError(t, err)
	a := newAPI(t, srv)
	for _, status := range []veriff.SessionStatus{veriff.StatusApproved, veriff.StatusDeclined, veriff.StatusReview,
		veriff.StatusResubmissionRequested, veriff.StatusExpired, veriff.StatusAbandoned} {
		id := a.Create(faketest.INESessionBody)
		require.NoError(t, srv.Decide(id, status))
		bio := a.Decision(id)["verification"].(map[string]any)["additionalVerifiedData"].(map[string]any)
		assert.Contains(t, bio, "ineBiometricRegistryValidation", status)
	}
	for way, set := range setBiometricBy {
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

	without := verifftest.NewServer(faketest.Key, faketest.Secret, verifftest.WithINEChecks(veriff.INEChecks{Registry: true}))
	t.Cleanup(without.Close)
	wa := newAPI(t, without)
	for _, status := range []veriff.SessionStatus{veriff.StatusApproved, veriff.StatusDeclined, veriff.StatusExpired} {
		id := wa.Create(faketest.INESessionBody)
		require.NoError(t, without.SetINEBiometricVerdict(id, veriff.INEVerdictValid))
		require.NoError(t, without.Decide(id, status))
		v := wa.Decision(id)["verification"].(map[string]any)
		avd, _ := v["additionalVerifiedData"].(map[string]any)
		assert.NotContains(t, avd, "ineBiometricRegistryValidation", status)
	}
}

func TestINEChecksBiometricRefused(t *testing.T) {
	srv := newServer(t)
	a := newAPI(t, srv)
	id := a.Create(faketest.INESessionBody)
	plain := a.Create(`{"verification":{}}`)

	require.Error(t, srv.SetINEBiometricVerdict(id, "maybe"))
	require.ErrorIs(t, srv.SetINEBiometricVerdict(plain, veriff.INEVerdictValid), verifftest.ErrNoINEConsent)
	require.ErrorIs(t, srv.SetINEBiometricVerdict("nope", veriff.INEVerdictValid), verifftest.ErrUnknownSession)
}
