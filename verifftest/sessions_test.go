package verifftest_test

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/veriffgo/veriff"
	"github.com/veriffgo/veriff/internal/faketest"
	"github.com/veriffgo/veriff/verifftest"
)

func TestCreateSessionBodyErrors(t *testing.T) {
	a := newAPI(t, newServer(t))
	cases := []struct {
		name string
		body string
		code string
	}{
		{"not JSON", `{"verification":`, "1102"},
		{"empty body", ``, "1102"},
		{"no verification", `{}`, "1102"},
		{"null verification", `{"verification":null}`, "1102"},
		{"verification not an object", `{"verification":"x"}`, "1102"},
		{"wrongly typed field", `{"verification":{"person":{"firstName":5}}}`, "1104"},
		{"vendorData over 1000 characters", `{"verification":{"vendorData":"` + strings.Repeat("é", 1001) + `"}}`, "1500"},
		{"vendorData not a string", `{"verification":{"vendorData":12}}`, "1501"},
		{"ine consent not approved", `{"verification":{"consents":[{"type":"ine","approved":false}]}}`, "1104"},
		{"ine consent without approved", `{"verification":{"consents":[{"type":"ine"}]}}`, "1104"},
		{"bad date of birth", `{"verification":{"person":{"dateOfBirth":"20/07/1985"}}}`, "1203"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := a.Send(http.MethodPost, "/v1/sessions", []byte(c.body))
			assert.Equal(t, http.StatusBadRequest, r.Status, "body: %s", r.Body)
			assert.Equal(t, c.code, r.Code(t))
		})
	}
	assert.Empty(t, a.srv.Sessions(), "no session is created by a refused request")
}

func TestCreateSession(t *testing.T) {
	srv := newServer(t)
	a := newAPI(t, srv)
	r := a.Do(http.MethodPost, "/v1/sessions", []byte(faketest.INESessionBody), map[string]string{
		"X-AUTH-CLIENT": faketest.Key, "vrf-integration-id": "integration-7",
	})
	require.Equal(t, http.StatusCreated, r.Status, "body: %s", r.Body)
	m := r.JSON(t)
	assert.Equal(t, "success", m["status"])
	v := m["verification"].(map[string]any)
	id := v["id"].(string)
	assert.Regexp(t, `^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`, id)
	assert.Equal(t, "created", v["status"])
	assert.Equal(t, "user-42", v["vendorData"])
	assert.Equal(t, srv.URL, v["host"])
	token := v["sessionToken"].(string)
	assert.Len(t, strings.Split(token, "."), 3)
	assert.Equal(t, srv.URL+"/v/"+token, v["url"])

	s, ok := srv.Session(id)
	require.True(t, ok)
	assert.Equal(t, veriff.StatusCreated, s.Status)
	assert.True(t, s.INEConsent)
	assert.Equal(t, "user-42", s.VendorData)
	assert.Equal(t, "a1b2c35d-e8f7-4d5e-8cd2-a1b2c35db3d4", s.EndUserID)
	assert.Equal(t, "https://example.com/done", s.Callback)
	assert.Equal(t, "integration-7", s.IntegrationID)
	assert.JSONEq(t, faketest.INESessionBody[len(`{"verification":`):len(faketest.INESessionBody)-1], string(s.Verification))

	// The minimal body, and vendorData left out: null.
	r = a.Send(http.MethodPost, "/v1/sessions", []byte(`{"verification":{}}`))
	require.Equal(t, http.StatusCreated, r.Status)
	assert.Nil(t, r.JSON(t)["verification"].(map[string]any)["vendorData"])
	assert.Len(t, srv.Sessions(), 2)
	assert.Equal(t, id, srv.Sessions()[0].ID, "oldest first")
}

func TestMediaBodyErrors(t *testing.T) {
	a := newAPI(t, newServer(t))
	id := a.Create(`{"verification":{}}`)
	good := base64.StdEncoding.EncodeToString(faketest.JPEG)
	cases := []struct {
		name string
		body string
		code string
	}{
		{"not JSON", `{"image":`, "1102"},
		{"no image", `{}`, "1400"},
		{"null image", `{"image":null}`, "1400"},
		{"no content", `{"image":{"context":"face"}}`, "1403"},
		{"no context", `{"image":{"content":"` + good + `"}}`, "1403"},
		{"empty context", `{"image":{"context":"","content":"` + good + `"}}`, "1402"},
		{"unsupported context", `{"image":{"context":"selfie-of-my-cat","content":"` + good + `"}}`, "1402"},
		{"content not base64", `{"image":{"context":"face","content":"@@not base64@@"}}`, "1401"},
		{"data URI without base64", `{"image":{"context":"face","content":"data:image/jpeg,` + good + `"}}`, "1401"},
		{"empty content", `{"image":{"context":"face","content":""}}`, "1400"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := a.Send(http.MethodPost, "/v1/sessions/"+id+"/media", []byte(c.body))
			assert.Equal(t, http.StatusBadRequest, r.Status, "body: %s", r.Body)
			assert.Equal(t, c.code, r.Code(t))
		})
	}
	s, _ := a.srv.Session(id)
	assert.Empty(t, s.Attempts[0].Media)
	assert.Equal(t, veriff.StatusCreated, s.Status)
}

func TestPatchBodyErrors(t *testing.T) {
	a := newAPI(t, newServer(t))
	id := a.Create(`{"verification":{}}`)
	cases := []struct {
		name, body, code string
	}{
		{"not JSON", `nope`, "1102"},
		{"no verification", `{"status":"submitted"}`, "1102"},
		{"no status", `{"verification":{}}`, "1102"},
		{"status approved", `{"verification":{"status":"approved"}}`, "1303"},
		{"status started", `{"verification":{"status":"started"}}`, "1303"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := a.Send(http.MethodPatch, "/v1/sessions/"+id, []byte(c.body))
			assert.Equal(t, http.StatusBadRequest, r.Status, "body: %s", r.Body)
			assert.Equal(t, c.code, r.Code(t))
		})
	}
	// Legacy fields next to the status are accepted.
	r := a.Send(http.MethodPatch, "/v1/sessions/"+id, []byte(`{"verification":{"status":"submitted","frontState":"done","timestamp":"2024-01-01T00:00:00.000Z"}}`))
	assert.Equal(t, http.StatusOK, r.Status, "body: %s", r.Body)
}

func TestUnknownIDs(t *testing.T) {
	a := newAPI(t, newServer(t))
	const id = "0b7e1d1c-5a55-4c8b-9a1e-d00d00d00d00"
	for _, c := range []struct{ method, path string }{
		{"GET", "/v1/sessions/" + id + "/decision"},
		{"GET", "/v1/sessions/" + id + "/decision/ine-registry?version=1.0.0"},
		{"GET", "/v1/sessions/" + id + "/decision/curp-registry?version=1.0.0"},
		{"GET", "/v1/sessions/" + id + "/decision/combined-ine-curp-registry?version=1.0.0"},
		{"GET", "/v1/sessions/" + id + "/media"},
		{"GET", "/v1/sessions/" + id + "/person"},
		{"GET", "/v1/sessions/" + id + "/attempts"},
		{"GET", "/v1/sessions/" + id + "/watchlist-screening"},
		{"GET", "/v1/attempts/" + id + "/media"},
		{"GET", "/v1/media/" + id},
		{"DELETE", "/v1/sessions/" + id},
	} {
		r := a.Get(c.method, c.path, id)
		assert.Equal(t, http.StatusNotFound, r.Status, "%s %s: %s", c.method, c.path, r.Body)
		assert.Equal(t, "fail", r.JSON(t)["status"])
	}
	for _, path := range []string{"/v1/sessions/" + id, "/v1/sessions/" + id + "/media", "/v1/sessions/" + id + "/collected-data"} {
		method := http.MethodPost
		if path == "/v1/sessions/"+id {
			method = http.MethodPatch
		}
		r := a.Send(method, path, []byte(faketest.SubmitBody))
		assert.Equal(t, http.StatusNotFound, r.Status, "%s %s", method, path)
	}
	r := a.Get(http.MethodGet, "/v1/no-such-endpoint", "")
	assert.Equal(t, http.StatusNotFound, r.Status)
}

func TestStateMachine(t *testing.T) {
	srv := newServer(t)
	a := newAPI(t, srv)
	id := a.Create(faketest.INESessionBody)

	assert.Nil(t, a.Decision(id)["verification"], "no decision before submit")
	assert.Equal(t, "success", a.Decision(id)["status"])

	a.upload(id, "document-front", faketest.JPEG)
	s, _ := srv.Session(id)
	assert.Equal(t, veriff.StatusStarted, s.Status)
	a.upload(id, "document-back", faketest.JPEG)
	a.upload(id, "face", pngBytes)

	r := a.Submit(id)
	require.Equal(t, http.StatusOK, r.Status, "body: %s", r.Body)
	v := r.JSON(t)["verification"].(map[string]any)
	assert.Equal(t, "submitted", v["status"])
	assert.Equal(t, id, v["id"])

	// Media after submit, and a second submit: 409.
	r = a.sendJSON(http.MethodPost, "/v1/sessions/"+id+"/media", map[string]any{
		"image": map[string]any{"context": "face", "content": base64.StdEncoding.EncodeToString(faketest.JPEG)},
	})
	assert.Equal(t, http.StatusConflict, r.Status)
	assert.Equal(t, "1304", r.Code(t))
	r = a.Submit(id)
	assert.Equal(t, http.StatusConflict, r.Status)
	assert.Equal(t, "1304", r.Code(t))

	// Submitted but undecided: still no decision.
	assert.Nil(t, a.Decision(id)["verification"])

	require.NoError(t, srv.Decide(id, veriff.StatusApproved))
	d := a.Decision(id)
	assert.Equal(t, "success", d["status"])
	dv := d["verification"].(map[string]any)
	assert.Equal(t, "approved", dv["status"])
	assert.EqualValues(t, 9001, dv["code"])

	// A decided session takes no more media or submits.
	r = a.Submit(id)
	assert.Equal(t, http.StatusConflict, r.Status)
	s, _ = srv.Session(id)
	assert.Equal(t, veriff.StatusApproved, s.Status)
	assert.Equal(t, veriff.StatusApproved, s.Attempts[0].Status)
	assert.JSONEq(t, string(s.Decision), mustJSON(t, d))
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return string(b)
}

// decisionOf decodes a decision body into the SDK's type.
func decisionOf(t *testing.T, body []byte) *veriff.Decision {
	t.Helper()
	var d veriff.Decision
	require.NoError(t, json.Unmarshal(body, &d))
	return &d
}

func TestDecisionPayload(t *testing.T) {
	cases := []struct {
		status     veriff.SessionStatus
		reasonCode int // 0: Decide
		code       int
		wantReason string
		wantCode   int
		person     bool
	}{
		{veriff.StatusApproved, 0, 9001, "", 0, true},
		{veriff.StatusDeclined, 0, 9102, "Suspected document tampering", 102, true},
		{veriff.StatusDeclined, 103, 9102, "Person showing the document does not appear to match document photo", 103, true},
		{veriff.StatusDeclined, 123, 9102, "Unable to pass registry checks", 123, true},
		{veriff.StatusDeclined, 777, 9102, "Reason 777", 777, true},
		{veriff.StatusResubmissionRequested, 0, 9103, "Poor image quality", 204, true},
		{veriff.StatusResubmissionRequested, 208, 9103, "Selfie missing", 208, true},
		{veriff.StatusExpired, 0, 9104, "", 0, false},
		{veriff.StatusAbandoned, 0, 9104, "", 0, false},
		{veriff.StatusReview, 0, 9121, "", 0, true},
	}
	for _, c := range cases {
		t.Run(string(c.status)+"/"+c.wantReason, func(t *testing.T) {
			srv := newServer(t)
			a := newAPI(t, srv)
			id := a.Create(faketest.INESessionBody)
			a.upload(id, "document-front", faketest.JPEG)
			require.Equal(t, http.StatusOK, a.Submit(id).Status)
			before := time.Now().UTC().Add(-time.Second)
			if c.reasonCode != 0 {
				require.NoError(t, srv.DecideWithReason(id, c.status, c.reasonCode))
			} else {
				require.NoError(t, srv.Decide(id, c.status))
			}
			s, _ := srv.Session(id)
			r := a.Get(http.MethodGet, "/v1/sessions/"+id+"/decision", id)
			require.Equal(t, http.StatusOK, r.Status)
			var raw struct {
				Verification map[string]any `json:"verification"`
			}
			require.NoError(t, json.Unmarshal(r.Body, &raw))
			v := raw.Verification
			assert.Equal(t, id, v["id"])
			assert.Equal(t, s.Attempts[0].ID, v["attemptId"])
			assert.Equal(t, string(c.status), v["status"])
			assert.EqualValues(t, c.code, v["code"])
			assert.Equal(t, "user-42", v["vendorData"])
			assert.Equal(t, "a1b2c35d-e8f7-4d5e-8cd2-a1b2c35db3d4", v["endUserId"])
			for _, k := range []string{"decisionTime", "acceptanceTime"} {
				ts, err := time.Parse(time.RFC3339Nano, v[k].(string))
				require.NoError(t, err, k)
				assert.False(t, ts.Before(before.Add(-time.Minute)), k)
			}
			if c.wantReason == "" {
				assert.Nil(t, v["reason"])
				assert.Nil(t, v["reasonCode"])
			} else {
				assert.Equal(t, c.wantReason, v["reason"])
				assert.EqualValues(t, c.wantCode, v["reasonCode"])
			}
			if !c.person {
				assert.Nil(t, v["person"])
				assert.Nil(t, v["document"])
				return
			}
			assertDecisionPersonPayload(t, v)

			// The SDK's own type decodes it.
			d := decisionOf(t, r.Body)
			require.NotNil(t, d.Verification)
			assert.Equal(t, c.status, d.Verification.Status)
			assert.Equal(t, c.code, d.Verification.Code)
		})
	}
}

// assertDecisionPersonPayload checks the person, document and INE biometric
// check of the fake's decision v.
func assertDecisionPersonPayload(t *testing.T, v map[string]any) {
	t.Helper()
	p := v["person"].(map[string]any)
	assert.Equal(t, "JUAN", p["firstName"])
	assert.Equal(t, "PÉREZ GARCÍA", p["lastName"])
	assert.Equal(t, "1985-07-20", p["dateOfBirth"])
	assert.Equal(t, "M", p["gender"])
	assert.Equal(t, "PEGJ850720HDFRRN04", p["idNumber"])
	assert.Equal(t, "MX", p["nationality"])
	assert.NotEmpty(t, p["ineIdentifier"])
	assert.Len(t, p["electorNumber"], 18)
	doc := v["document"].(map[string]any)
	assert.Equal(t, "ID_CARD", doc["type"])
	assert.Equal(t, "MX", doc["country"])
	avd := v["additionalVerifiedData"].(map[string]any)
	bio := avd["ineBiometricRegistryValidation"].(map[string]any)
	assert.Contains(t, []any{"success", "failure"}, bio["responseStatus"])
}

func TestDecisionDefaultsWithoutPersonData(t *testing.T) {
	srv := newServer(t)
	a := newAPI(t, srv)
	id := a.Create(`{"verification":{}}`)
	require.NoError(t, srv.Decide(id, veriff.StatusApproved))
	v := a.Decision(id)["verification"].(map[string]any)
	p := v["person"].(map[string]any)
	assert.Equal(t, "MARÍA GUADALUPE", p["firstName"])
	assert.Len(t, p["idNumber"], 18, "a CURP")
	assert.Nil(t, v["vendorData"])
	_, hasBio := v["additionalVerifiedData"].(map[string]any)["ineBiometricRegistryValidation"]
	assert.False(t, hasBio, "no INE biometric result without INE consent")
}

func TestDecideErrors(t *testing.T) {
	srv := newServer(t)
	a := newAPI(t, srv)
	id := a.Create(`{"verification":{}}`)
	err := srv.Decide("0b7e1d1c-5a55-4c8b-9a1e-d00d00d00d00", veriff.StatusApproved)
	assert.True(t, errors.Is(err, verifftest.ErrUnknownSession), "%v", err)
	assert.Error(t, srv.Decide(id, veriff.StatusSubmitted))
	assert.Error(t, srv.Decide(id, "bogus"))
	assert.Error(t, srv.DecideWithReason(id, veriff.StatusApproved, 102))
	assert.Error(t, srv.DecideWithReason(id, veriff.StatusDeclined, 0))
	assert.ErrorIs(t, srv.SetINERegistry("nope", veriff.INERegistryResult{}), verifftest.ErrUnknownSession)
	s, _ := srv.Session(id)
	assert.Equal(t, veriff.StatusCreated, s.Status, "failed decisions change nothing")
	assert.Nil(t, s.Decision)

	text, ok := verifftest.ReasonText(539)
	assert.True(t, ok)
	assert.Equal(t, "Resubmission limit exceeded", text)
	_, ok = verifftest.ReasonText(1)
	assert.False(t, ok)
}

func TestReviewThenFinalDecision(t *testing.T) {
	srv := newServer(t)
	a := newAPI(t, srv)
	id := a.Create(`{"verification":{}}`)
	require.Equal(t, http.StatusOK, a.Submit(id).Status)
	require.NoError(t, srv.Decide(id, veriff.StatusReview))
	assert.EqualValues(t, 9121, a.Decision(id)["verification"].(map[string]any)["code"])
	require.NoError(t, srv.Decide(id, veriff.StatusDeclined))
	assert.EqualValues(t, 9102, a.Decision(id)["verification"].(map[string]any)["code"])
}

func TestResubmission(t *testing.T) {
	srv := newServer(t)
	a := newAPI(t, srv)
	id := a.Create(faketest.INESessionBody)
	first := a.upload(id, "document-front", faketest.JPEG)
	require.Equal(t, http.StatusOK, a.Submit(id).Status)
	require.NoError(t, srv.DecideWithReason(id, veriff.StatusResubmissionRequested, 203))

	// Until the user comes back, the latest attempt is still the first.
	r := a.Get(http.MethodGet, "/v1/sessions/"+id+"/media", id)
	require.Equal(t, http.StatusOK, r.Status)
	assert.Len(t, r.JSON(t)["images"], 1)

	second := a.upload(id, "document-front", pngBytes)
	s, _ := srv.Session(id)
	require.Len(t, s.Attempts, 2)
	assert.Equal(t, veriff.StatusResubmissionRequested, s.Attempts[0].Status)
	assert.Equal(t, veriff.StatusStarted, s.Attempts[1].Status)
	assert.Equal(t, veriff.StatusStarted, s.Status)

	r = a.Get(http.MethodGet, "/v1/sessions/"+id+"/media", id)
	images := r.JSON(t)["images"].([]any)
	require.Len(t, images, 1)
	assert.Equal(t, second["id"], images[0].(map[string]any)["id"])
	r = a.Get(http.MethodGet, "/v1/attempts/"+s.Attempts[0].ID+"/media", s.Attempts[0].ID)
	images = r.JSON(t)["images"].([]any)
	require.Len(t, images, 1)
	assert.Equal(t, first["id"], images[0].(map[string]any)["id"])

	require.Equal(t, http.StatusOK, a.Submit(id).Status)
	require.NoError(t, srv.Decide(id, veriff.StatusApproved))
	v := a.Decision(id)["verification"].(map[string]any)
	assert.Equal(t, s.Attempts[1].ID, v["attemptId"])

	r = a.Get(http.MethodGet, "/v1/sessions/"+id+"/attempts", id)
	require.Equal(t, http.StatusOK, r.Status)
	atts := r.JSON(t)["verifications"].([]any)
	require.Len(t, atts, 2)
	assert.Equal(t, "resubmission_requested", atts[0].(map[string]any)["status"])
	assert.Equal(t, "approved", atts[1].(map[string]any)["status"])
}

func TestAutoDecide(t *testing.T) {
	srv := newServer(t)
	a := newAPI(t, srv)
	srv.AutoDecide(veriff.StatusDeclined)
	id := a.Create(`{"verification":{}}`)
	assert.Nil(t, a.Decision(id)["verification"])
	sub := a.Submit(id)
	require.Equal(t, http.StatusOK, sub.Status)
	assert.Equal(t, "submitted", sub.JSON(t)["verification"].(map[string]any)["status"],
		"the submit answer says submitted; the decision comes separately")
	v := a.Decision(id)["verification"].(map[string]any)
	assert.Equal(t, "declined", v["status"])
	assert.EqualValues(t, 102, v["reasonCode"])

	srv.AutoDecide("")
	id = a.Create(`{"verification":{}}`)
	require.Equal(t, http.StatusOK, a.Submit(id).Status)
	assert.Nil(t, a.Decision(id)["verification"])
}

func TestDeleteSession(t *testing.T) {
	srv := newServer(t)
	a := newAPI(t, srv)
	id := a.Create(`{"verification":{}}`)
	img := a.upload(id, "face", faketest.JPEG)
	mediaID := img["id"].(string)
	require.Equal(t, http.StatusOK, a.Submit(id).Status)

	r := a.Get(http.MethodDelete, "/v1/sessions/"+id, id)
	assert.Equal(t, http.StatusConflict, r.Status, "a submitted session is not in a completed status")

	require.NoError(t, srv.Decide(id, veriff.StatusApproved))
	r = a.Get(http.MethodDelete, "/v1/sessions/"+id, id)
	require.Equal(t, http.StatusOK, r.Status, "body: %s", r.Body)
	assert.Equal(t, "success", r.JSON(t)["status"])

	_, ok := srv.Session(id)
	assert.False(t, ok)
	assert.Equal(t, http.StatusNotFound, a.Get(http.MethodGet, "/v1/sessions/"+id+"/decision", id).Status)
	assert.Equal(t, http.StatusNotFound, a.Get(http.MethodGet, "/v1/media/"+mediaID, mediaID).Status)
	assert.Equal(t, http.StatusNotFound, a.Get(http.MethodDelete, "/v1/sessions/"+id, id).Status)
}

func TestPersonAttemptsWatchlistCollectedData(t *testing.T) {
	srv := newServer(t)
	a := newAPI(t, srv)
	id := a.Create(faketest.INESessionBody)

	r := a.Get(http.MethodGet, "/v1/sessions/"+id+"/person", id)
	require.Equal(t, http.StatusOK, r.Status)
	p := r.JSON(t)["person"].(map[string]any)
	assert.Equal(t, "JUAN", p["firstName"])
	assert.Equal(t, []any{}, p["pepSanctionMatches"])

	r = a.Get(http.MethodGet, "/v1/sessions/"+id+"/attempts", id)
	require.Equal(t, http.StatusOK, r.Status)
	atts := r.JSON(t)["verifications"].([]any)
	require.Len(t, atts, 1)
	assert.Equal(t, "created", atts[0].(map[string]any)["status"])

	r = a.Get(http.MethodGet, "/v1/sessions/"+id+"/watchlist-screening", id)
	require.Equal(t, http.StatusOK, r.Status)
	data := r.JSON(t)["data"].(map[string]any)
	assert.Equal(t, "no_match", data["matchStatus"])
	assert.Equal(t, id, data["sessionId"])

	bad := []string{
		`{}`,
		`{"providerName":"fp","network":{"ip":"not-an-ip"},"device":{"fingerprint":"abc"}}`,
		`{"providerName":"fp","network":{"ip":"10.0.0.1"}}`,
	}
	for _, b := range bad {
		r = a.Send(http.MethodPost, "/v1/sessions/"+id+"/collected-data", []byte(b))
		assert.Equal(t, http.StatusBadRequest, r.Status, b)
		assert.Equal(t, "1102", r.Code(t))
	}
	good := `{"providerName":"fp","network":{"ip":"2001:db8::1"},"device":{"fingerprint":"abc"}}`
	r = a.Send(http.MethodPost, "/v1/sessions/"+id+"/collected-data", []byte(good))
	require.Equal(t, http.StatusOK, r.Status, "body: %s", r.Body)
	s, _ := srv.Session(id)
	require.Len(t, s.CollectedData, 1)
	assert.JSONEq(t, good, string(s.CollectedData[0]))

	require.Equal(t, http.StatusOK, a.Submit(id).Status)
	r = a.Send(http.MethodPost, "/v1/sessions/"+id+"/collected-data", []byte(good))
	assert.Equal(t, http.StatusConflict, r.Status)
}

func TestBodyTooLarge(t *testing.T) {
	a := newAPI(t, newServer(t))
	id := a.Create(`{"verification":{}}`)
	big := `{"image":{"context":"face","content":"` + strings.Repeat("A", 33<<20) + `"}}`
	r := a.Send(http.MethodPost, "/v1/sessions/"+id+"/media", []byte(big))
	assert.Equal(t, http.StatusRequestEntityTooLarge, r.Status)
	assert.Equal(t, "fail", r.JSON(t)["status"])
}
