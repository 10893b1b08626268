package emulator_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/veriffgo/veriff"
	"github.com/veriffgo/veriff/internal/faketest"
)

// adminCall calls the admin API with key in X-AUTH-CLIENT ("" for none).
func adminCall(t *testing.T, base, method, path, key, body string) faketest.Response {
	t.Helper()
	var rd *bytes.Reader
	if body != "" {
		rd = bytes.NewReader([]byte(body))
	} else {
		rd = bytes.NewReader(nil)
	}
	req, err := http.NewRequest(method, base+path, rd)
	require.NoError(t, err)
	if key != "" {
		req.Header.Set("X-AUTH-CLIENT", key)
	}
	r := faketest.Do(t, req)
	assert.Equal(t, "application/json", r.Header.Get("Content-Type"), "%s %s", method, path)
	return r
}

func TestAdminAuthentication(t *testing.T) {
	srv := newServer(t)
	id := newAPI(t, srv).Create(`{"verification":{}}`)
	calls := []struct{ method, path, body string }{
		{"GET", "/_emulator/sessions", ""},
		{"POST", "/_emulator/sessions/" + id + "/decision", `{"status":"approved"}`},
		{"PUT", "/_emulator/sessions/" + id + "/ine-registry", `{"active":true}`},
		{"GET", "/_emulator/deliveries", ""},
		{"POST", "/_emulator/deliveries/1/resend", ""},
		{"POST", "/_emulator/faults", `{"status":500}`},
	}
	for _, c := range calls {
		for _, key := range []string{"", "wrong-key", faketest.Secret} {
			r := adminCall(t, srv.URL, c.method, c.path, key, c.body)
			assert.Equal(t, http.StatusUnauthorized, r.Status, "%s %s with key %q", c.method, c.path, key)
			assert.NotEmpty(t, r.JSON(t)["error"])
		}
	}
	s, _ := srv.Session(id)
	assert.Equal(t, veriff.StatusCreated, s.Status, "nothing changed")
	assert.Zero(t, srv.PendingFaults())
}

func TestAdminSessionsAndDecision(t *testing.T) {
	srv := newServer(t)
	rc := newReceiver(t)
	srv.SetWebhookURL(rc.URL)
	a := newAPI(t, srv)
	id := a.Create(`{"verification":{"vendorData":"adm-1"}}`)
	other := a.Create(`{"verification":{}}`)

	r := adminCall(t, srv.URL, "GET", "/_emulator/sessions", faketest.Key, "")
	require.Equal(t, http.StatusOK, r.Status)
	assert.JSONEq(t, `[{"id":"`+id+`","status":"created","vendorData":"adm-1","decision":null},{"id":"`+other+`","status":"created","vendorData":null,"decision":null}]`, string(r.Body))

	require.Equal(t, http.StatusOK, a.Submit(id).Status)
	r = adminCall(t, srv.URL, "POST", "/_emulator/sessions/"+id+"/decision", faketest.Key, `{"status":"declined","reasonCode":106}`)
	require.Equal(t, http.StatusOK, r.Status, "body: %s", r.Body)
	d := a.Decision(id)["verification"].(map[string]any)
	assert.Equal(t, "declined", d["status"])
	assert.EqualValues(t, 106, d["reasonCode"])
	ds, err := srv.WaitForDeliveries(waitCtx(t), 2)
	require.NoError(t, err)
	kinds := []veriff.WebhookKind{ds[0].Kind, ds[1].Kind}
	assert.ElementsMatch(t, []veriff.WebhookKind{veriff.WebhookEvent, veriff.WebhookDecision}, kinds)

	var list []map[string]any
	r = adminCall(t, srv.URL, "GET", "/_emulator/sessions", faketest.Key, "")
	require.NoError(t, json.Unmarshal(r.Body, &list))
	assert.Equal(t, "declined", list[0]["status"])
	assert.Equal(t, "declined", list[0]["decision"].(map[string]any)["verification"].(map[string]any)["status"])
}

func TestAdminBadBodies(t *testing.T) {
	srv := newServer(t)
	a := newAPI(t, srv)
	id := a.Create(faketest.INESessionBody)
	plain := a.Create(`{"verification":{}}`)
	const unknown = "3f1c2b8e-9d4a-4e6b-8c7d-112233445566"
	dec := "/_emulator/sessions/" + id + "/decision"
	ine := "/_emulator/sessions/" + id + "/ine-registry"
	tests := []struct {
		name, method, path, body string
		status                   int
	}{
		{"decision: bad JSON", "POST", dec, `{"status":`, 400},
		{"decision: empty body", "POST", dec, ``, 400},
		{"decision: unknown field", "POST", dec, `{"status":"approved","extra":1}`, 400},
		{"decision: trailing data", "POST", dec, `{"status":"approved"} {}`, 400},
		{"decision: no status", "POST", dec, `{"reasonCode":102}`, 400},
		{"decision: bad status", "POST", dec, `{"status":"submitted"}`, 400},
		{"decision: status of the wrong type", "POST", dec, `{"status":9001}`, 400},
		{"decision: reason with approved", "POST", dec, `{"status":"approved","reasonCode":102}`, 400},
		{"decision: unknown reason code", "POST", dec, `{"status":"declined","reasonCode":999}`, 400},
		{"decision: unknown session", "POST", "/_emulator/sessions/" + unknown + "/decision", `{"status":"approved"}`, 404},
		{"registry: no active", "PUT", ine, `{"documentState":"x"}`, 400},
		{"registry: unknown field", "PUT", ine, `{"active":true,"colour":"red"}`, 400},
		{"registry: wrong type", "PUT", ine, `{"active":"yes"}`, 400},
		{"registry: unknown session", "PUT", "/_emulator/sessions/" + unknown + "/ine-registry", `{"active":true}`, 404},
		{"registry: no INE consent", "PUT", "/_emulator/sessions/" + plain + "/ine-registry", `{"active":true}`, 409},
		{"resend: unknown delivery", "POST", "/_emulator/deliveries/1/resend", ``, 404},
		{"resend: not a number", "POST", "/_emulator/deliveries/x/resend", ``, 400},
		{"faults: bad status", "POST", "/_emulator/faults", `{"status":200}`, 400},
		{"faults: bad method", "POST", "/_emulator/faults", `{"method":"BREW"}`, 400},
		{"faults: route outside the API", "POST", "/_emulator/faults", `{"route":"/_emulator/sessions"}`, 400},
		{"faults: negative count", "POST", "/_emulator/faults", `{"count":-1}`, 400},
		{"faults: unknown field", "POST", "/_emulator/faults", `{"status":500,"times":2}`, 400},
		{"unknown call", "GET", "/_emulator/nothing", ``, 404},
		{"wrong method", "DELETE", "/_emulator/sessions", ``, 404},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := adminCall(t, srv.URL, tt.method, tt.path, faketest.Key, tt.body)
			assert.Equal(t, tt.status, r.Status, "body: %s", r.Body)
			assert.NotEmpty(t, r.JSON(t)["error"])
		})
	}
	for _, sid := range []string{id, plain} {
		s, _ := srv.Session(sid)
		assert.Equal(t, veriff.StatusCreated, s.Status, "nothing changed")
		assert.Nil(t, s.Decision)
		assert.Nil(t, s.INERegistry)
	}
	assert.Zero(t, srv.PendingFaults())
}

func TestAdminINERegistry(t *testing.T) {
	srv := newServer(t)
	a := newAPI(t, srv)
	id := a.Create(faketest.INESessionBody)
	r := adminCall(t, srv.URL, "PUT", "/_emulator/sessions/"+id+"/ine-registry", faketest.Key, `{"active":false,"documentState":"Credencial reportada como robada"}`)
	require.Equal(t, http.StatusOK, r.Status, "body: %s", r.Body)
	require.NoError(t, srv.Decide(id, veriff.StatusApproved))
	g := a.Get(http.MethodGet, "/v1/sessions/"+id+"/decision/ine-registry?version=1.0.0", id)
	require.Equal(t, http.StatusOK, g.Status)
	assert.JSONEq(t, `{"active":false,"documentState":"Credencial reportada como robada"}`, string(g.Body))
}

func TestAdminDeliveriesAndResend(t *testing.T) {
	srv := newServer(t)
	rc := newReceiver(t)
	srv.SetWebhookURL(rc.URL + "/hooks")
	a := newAPI(t, srv)
	id := a.Create(`{"verification":{}}`)
	require.NoError(t, srv.Decide(id, veriff.StatusApproved))
	_, err := srv.WaitForDeliveries(waitCtx(t), 1)
	require.NoError(t, err)

	r := adminCall(t, srv.URL, "GET", "/_emulator/deliveries", faketest.Key, "")
	require.Equal(t, http.StatusOK, r.Status)
	assert.JSONEq(t, `[{"n":1,"kind":"decision","sessionId":"`+id+`","url":"`+rc.URL+`/hooks","attempts":1,"lastStatus":200,"delivered":true}]`, string(r.Body))

	r = adminCall(t, srv.URL, "POST", "/_emulator/deliveries/1/resend", faketest.Key, "")
	require.Equal(t, http.StatusOK, r.Status)
	ds, err := srv.WaitForDeliveries(waitCtx(t), 2)
	require.NoError(t, err)
	assert.Equal(t, ds[0].Body, ds[1].Body, "the same body")
	assert.Equal(t, ds[0].Signature, ds[1].Signature)
	assert.Equal(t, ds[0].URL, ds[1].URL)
}

func TestAdminFaults(t *testing.T) {
	srv := newServer(t)
	a := newAPI(t, srv)
	r := adminCall(t, srv.URL, "POST", "/_emulator/faults", faketest.Key, `{"method":"POST","route":"/v1/sessions","status":500,"count":1}`)
	require.Equal(t, http.StatusOK, r.Status, "body: %s", r.Body)
	assert.Equal(t, 1, srv.PendingFaults())
	// Admin and portal requests do not consume API faults.
	assert.Equal(t, http.StatusOK, adminCall(t, srv.URL, "GET", "/_emulator/sessions", faketest.Key, "").Status)
	assert.Equal(t, http.StatusOK, faketest.Get(t, srv.URL+"/").Status)
	res := a.Send(http.MethodPost, "/v1/sessions", []byte(`{"verification":{}}`))
	assert.Equal(t, http.StatusInternalServerError, res.Status)
	assert.Zero(t, srv.PendingFaults())
	assert.Equal(t, http.StatusCreated, a.Send(http.MethodPost, "/v1/sessions", []byte(`{"verification":{}}`)).Status)
}

// The admin API takes "count" 1 to 1000 (absent means 1) and at most 1000
// pending faults.
func TestAdminFaultCountAndCap(t *testing.T) {
	cases := []struct {
		name   string
		body   string
		status int
	}{
		{"absent count", `{"status":500}`, 200},
		{"count 1", `{"status":500,"count":1}`, 200},
		{"count 1000", `{"status":500,"count":1000}`, 200},
		{"count 0", `{"status":500,"count":0}`, 400},
		{"count -1", `{"status":500,"count":-1}`, 400},
		{"count 1001", `{"status":500,"count":1001}`, 400},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := newServer(t)
			r := adminCall(t, srv.URL, "POST", "/_emulator/faults", faketest.Key, tc.body)
			assert.Equal(t, tc.status, r.Status, "%s", r.Body)
			if tc.status != 200 {
				assert.Zero(t, srv.PendingFaults(), "a refused fault changes nothing")
			}
		})
	}
	srv := newServer(t)
	for i := 0; i < 1000; i++ {
		r := adminCall(t, srv.URL, "POST", "/_emulator/faults", faketest.Key, `{"route":"/v1/sessions/none","status":500}`)
		require.Equal(t, 200, r.Status, "fault %d", i)
	}
	r := adminCall(t, srv.URL, "POST", "/_emulator/faults", faketest.Key, `{"status":500}`)
	assert.Equal(t, http.StatusBadRequest, r.Status)
	assert.Contains(t, string(r.Body), "pending")
	assert.Equal(t, 1000, srv.PendingFaults())
}

// A session never submitted is not decided (409, nothing
// changes) unless the body says "force": true; a forced decision invents
// no personal data. Expired and abandoned need no force.
func TestAdminDecisionNeedsSubmission(t *testing.T) {
	srv := newServer(t)
	a := newAPI(t, srv)
	id := a.Create(`{"verification":{}}`)
	path := "/_emulator/sessions/" + id + "/decision"
	r := adminCall(t, srv.URL, "POST", path, faketest.Key, `{"status":"approved"}`)
	assert.Equal(t, http.StatusConflict, r.Status)
	assert.Contains(t, r.JSON(t)["error"], "force")
	s, _ := srv.Session(id)
	assert.Nil(t, s.Decision, "nothing changed")
	assert.Equal(t, veriff.StatusCreated, s.Status)

	r = adminCall(t, srv.URL, "POST", path, faketest.Key, `{"status":"approved","force":true}`)
	require.Equal(t, http.StatusOK, r.Status, "%s", r.Body)
	d := a.Decision(id)["verification"].(map[string]any)
	assert.Equal(t, "approved", d["status"])
	assert.Nil(t, d["person"], "no invented person")
	assert.Nil(t, d["document"], "no invented document")

	other := a.Create(`{"verification":{}}`)
	r = adminCall(t, srv.URL, "POST", "/_emulator/sessions/"+other+"/decision", faketest.Key, `{"status":"expired"}`)
	assert.Equal(t, http.StatusOK, r.Status, "%s", r.Body)
	r = adminCall(t, srv.URL, "POST", "/_emulator/sessions/"+other+"/decision", faketest.Key, `{"status":"approved","force":"yes"}`)
	assert.Equal(t, http.StatusBadRequest, r.Status)
}
