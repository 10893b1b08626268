package emulator_test

import (
	"html/template"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/veriffgo/veriff"
	"github.com/veriffgo/veriff/internal/faketest"
	"github.com/veriffgo/veriff/verifftest"
)

var csrfRE = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// portalToken reads the forms' token from a session page.
func portalToken(t *testing.T, srv *server, id string) string {
	t.Helper()
	r := faketest.Get(t, srv.URL+"/sessions/"+id)
	require.Equal(t, http.StatusOK, r.Status)
	m := csrfRE.FindStringSubmatch(string(r.Body))
	require.NotNil(t, m, "the page has forms with a token")
	return m[1]
}

// postPortal posts a portal form with the given headers.
func postPortal(t *testing.T, target string, form url.Values, hdr map[string]string) faketest.Response {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, target, strings.NewReader(form.Encode()))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	return faketest.Do(t, req)
}

func TestPortalIndex(t *testing.T) {
	srv := newServer(t)
	a := newAPI(t, srv)
	r := faketest.Get(t, srv.URL+"/")
	require.Equal(t, http.StatusOK, r.Status)
	assert.Contains(t, string(r.Body), "No sessions yet")

	first := a.Create(`{"verification":{"vendorData":"first-<b>"}}`)
	second := a.Create(`{"verification":{"vendorData":"second"}}`)
	r = faketest.Get(t, srv.URL+"/")
	page := string(r.Body)
	require.Equal(t, http.StatusOK, r.Status)
	i, j := strings.Index(page, `href="/sessions/`+second+`"`), strings.Index(page, `href="/sessions/`+first+`"`)
	require.True(t, i > 0 && j > 0, "both sessions are listed")
	assert.Less(t, i, j, "newest first")
	assert.Contains(t, page, "first-&lt;b&gt;", "vendorData is escaped")
	assert.Contains(t, page, `<span class="badge neutral">created</span>`)
	assert.Contains(t, r.Header.Get("Content-Security-Policy"), "frame-ancestors 'none'")
	assert.Equal(t, http.StatusNotFound, faketest.Get(t, srv.URL+"/no/such/page").Status)
}

func TestPortalSessionPage(t *testing.T) {
	srv := newServer(t)
	rc := newReceiver(t)
	srv.SetWebhookURL(rc.URL)
	a := newAPI(t, srv)
	id := a.Create(faketest.INESessionBody)
	img := a.upload(id, "document-front", faketest.JPEG)
	require.NoError(t, srv.DecideWithReason(id, veriff.StatusDeclined, 106))
	_, err := srv.WaitForDeliveries(waitCtx(t), 3)
	require.NoError(t, err)

	r := faketest.Get(t, srv.URL+"/sessions/"+id)
	require.Equal(t, http.StatusOK, r.Status)
	page := string(r.Body)
	for _, want := range []string{
		"Juan", "Pérez García", "PEGJ850720HDFRRN04", "1985-07-20", "user-42", "ID_CARD", "https://example.com/done",
		`<img src="/sessions/` + id + `/media/` + img["id"].(string) + `"`,
		"106: Known fraud", `<span class="badge bad">declined</span>`,
		`action="/sessions/` + id + `/decision"`, `action="/sessions/` + id + `/ine-registry"`,
		`<option value="106" selected>106 · `, `<option value="204">204 · `,
		`value="not-found"`, `action="/deliveries/1/resend"`, "<td>event</td>", "<td>decision</td>", "<td>ine_registry</td>",
		`<label for="status">`, `<label for="reasonCode">`,
	} {
		assert.Contains(t, page, want)
	}
	thumb := faketest.Get(t, srv.URL+"/sessions/"+id+"/media/"+img["id"].(string))
	require.Equal(t, http.StatusOK, thumb.Status)
	assert.Equal(t, faketest.JPEG, thumb.Body)
	assert.Equal(t, "image/jpeg", thumb.Header.Get("Content-Type"))
	assert.Equal(t, http.StatusNotFound, faketest.Get(t, srv.URL+"/sessions/other/media/"+img["id"].(string)).Status)
	assert.Equal(t, http.StatusNotFound, faketest.Get(t, srv.URL+"/sessions/nope").Status)
}

func TestPortalForms(t *testing.T) {
	srv := newServer(t)
	rc := newReceiver(t)
	srv.SetWebhookURL(rc.URL)
	a := newAPI(t, srv)
	id := a.Create(faketest.INESessionBody)
	tok := portalToken(t, srv, id)
	base := srv.URL + "/sessions/" + id

	hdr := map[string]string{"Origin": srv.URL, "Sec-Fetch-Site": "same-origin"}
	form := url.Values{"csrf": {tok}, "status": {"declined"}, "reasonCode": {"108"}}
	assert.Contains(t, string(faketest.Get(t, base).Body), `name="force" value="1"`, "never submitted: the form offers to force")
	r := postPortal(t, base+"/decision", form, hdr)
	require.Equal(t, http.StatusConflict, r.Status, "never submitted, not forced")
	s, _ := srv.Session(id)
	assert.Nil(t, s.Decision)
	form.Set("force", "1")
	r = postPortal(t, base+"/decision", form, hdr)
	require.Equal(t, http.StatusSeeOther, r.Status, "body: %s", r.Body)
	assert.Equal(t, "/sessions/"+id+"?done=decided", r.Header.Get("Location"))
	d := a.Decision(id)["verification"].(map[string]any)
	assert.Equal(t, "declined", d["status"])
	assert.EqualValues(t, 108, d["reasonCode"])
	assert.Contains(t, string(faketest.Get(t, srv.URL+r.Header.Get("Location")).Body), "The decision was recorded")

	r = postPortal(t, base+"/ine-registry", url.Values{"csrf": {tok}, "answer": {"inactive"}}, nil)
	require.Equal(t, http.StatusSeeOther, r.Status, "body: %s", r.Body)
	s, _ = srv.Session(id)
	require.NotNil(t, s.INERegistry)
	assert.False(t, s.INERegistry.Active)

	ds, err := srv.WaitForDeliveries(waitCtx(t), 2)
	require.NoError(t, err)
	r = postPortal(t, srv.URL+"/deliveries/1/resend", url.Values{"csrf": {tok}}, nil)
	require.Equal(t, http.StatusSeeOther, r.Status)
	assert.Equal(t, "/sessions/"+ds[0].SessionID+"?done=resent", r.Header.Get("Location"))
	_, err = srv.WaitForDeliveries(waitCtx(t), 3)
	require.NoError(t, err)
}

func TestPortalFormsRefused(t *testing.T) {
	srv := newServer(t)
	a := newAPI(t, srv)
	id := a.Create(faketest.INESessionBody)
	plain := a.Create(`{"verification":{}}`)
	tok := portalToken(t, srv, id)
	base := srv.URL + "/sessions/" + id
	tests := []struct {
		name   string
		target string
		form   url.Values
		hdr    map[string]string
		status int
	}{
		{"no token", base + "/decision", url.Values{"status": {"approved"}}, nil, 403},
		{"wrong token", base + "/decision", url.Values{"csrf": {"guess"}, "status": {"approved"}}, nil, 403},
		{"cross-site fetch", base + "/decision", url.Values{"csrf": {tok}, "status": {"approved"}}, map[string]string{"Sec-Fetch-Site": "cross-site"}, 403},
		{"foreign origin", base + "/decision", url.Values{"csrf": {tok}, "status": {"approved"}}, map[string]string{"Origin": "https://evil.example"}, 403},
		{"opaque origin", base + "/decision", url.Values{"csrf": {tok}, "status": {"approved"}}, map[string]string{"Origin": "null"}, 403},
		{"other scheme", base + "/decision", url.Values{"csrf": {tok}, "status": {"approved"}}, map[string]string{"Origin": "ftp://" + strings.TrimPrefix(srv.URL, "http://")}, 403},
		{"origin with a path", base + "/decision", url.Values{"csrf": {tok}, "status": {"approved"}}, map[string]string{"Origin": srv.URL + "/x"}, 403},
		{"bad status", base + "/decision", url.Values{"csrf": {tok}, "status": {"submitted"}}, nil, 400},
		{"unknown reason", base + "/decision", url.Values{"csrf": {tok}, "status": {"declined"}, "reasonCode": {"999"}}, nil, 400},
		{"unknown session", srv.URL + "/sessions/nope/decision", url.Values{"csrf": {tok}, "status": {"approved"}}, nil, 404},
		{"bad registry answer", base + "/ine-registry", url.Values{"csrf": {tok}, "answer": {"maybe"}}, nil, 400},
		{"registry without consent", srv.URL + "/sessions/" + plain + "/ine-registry", url.Values{"csrf": {tok}, "answer": {"active"}}, nil, 409},
		{"resend unknown", srv.URL + "/deliveries/7/resend", url.Values{"csrf": {tok}}, nil, 404},
		{"resend without token", srv.URL + "/deliveries/1/resend", url.Values{}, nil, 403},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := postPortal(t, tt.target, tt.form, tt.hdr)
			assert.Equal(t, tt.status, r.Status)
			assert.Contains(t, string(r.Body), `role="alert"`)
		})
	}
	for _, sid := range []string{id, plain} {
		s, _ := srv.Session(sid)
		assert.Equal(t, veriff.StatusCreated, s.Status, "nothing changed")
		assert.Nil(t, s.Decision)
		assert.Nil(t, s.INERegistry)
	}
}

// notGiven is how a page marks a value that was not sent.
const notGiven = `<span class="none" aria-hidden="true">—</span><span class="sr-only">not given</span>`

var (
	timeRE    = regexp.MustCompile(`<time datetime="([^"]+)">([^<]*)</time>`)
	rawTimeRE = regexp.MustCompile(`>[^<]*\d{4}-\d\d-\d\dT\d\d:\d\d`)
	optionRE  = regexp.MustCompile(`<option value="([^"]*)"( selected)?>`)
)

// selectOptions returns the option values of the select with the given id,
// and the values that are selected.
func selectOptions(t *testing.T, page, id string) (values, selected []string) {
	t.Helper()
	m := regexp.MustCompile(`(?s)<select id="` + id + `"[^>]*>(.*?)</select>`).FindStringSubmatch(page)
	require.NotNil(t, m, "a select #%s", id)
	for _, o := range optionRE.FindAllStringSubmatch(m[1], -1) {
		values = append(values, o[1])
		if o[2] != "" {
			selected = append(selected, o[1])
		}
	}
	return values, selected
}

// Every time on the portal reads the same way, the decision's too.
func TestPortalTimesOneFormat(t *testing.T) {
	srv := newServer(t)
	a := newAPI(t, srv)
	id := a.Create(faketest.INESessionBody)
	a.upload(id, "face", faketest.JPEG)
	require.NoError(t, srv.DecideWithReason(id, veriff.StatusDeclined, 106))
	raw := a.Decision(id)["verification"].(map[string]any)["decisionTime"].(string)
	decided, err := time.Parse(time.RFC3339Nano, raw)
	require.NoError(t, err)

	for _, target := range []string{"/sessions/" + id, "/"} {
		page := string(faketest.Get(t, srv.URL+target).Body)
		times := timeRE.FindAllStringSubmatch(page, -1)
		require.NotEmpty(t, times, target)
		for _, tm := range times {
			at, err := time.Parse(time.RFC3339, tm[1])
			require.NoError(t, err, "datetime %q", tm[1])
			assert.Equal(t, at.UTC().Format("2006-01-02 15:04:05 UTC"), tm[2], "%s: the one format", target)
		}
		assert.False(t, rawTimeRE.MatchString(strings.Split(page, "<details>")[0]), "%s: no RFC 3339 text outside the payload", target)
	}
	page := string(faketest.Get(t, srv.URL+"/sessions/"+id).Body)
	assert.Len(t, timeRE.FindAllString(page, -1), 3, "created, attempt and decided")
	assert.Contains(t, page, `<dt>Decided</dt><dd><time datetime="`+decided.UTC().Format(time.RFC3339)+`">`+
		decided.UTC().Format("2006-01-02 15:04:05 UTC")+`</time></dd>`)
	assert.NotContains(t, page, "<dd>"+raw)
}

// A value that was not sent shows a dash, with words for screen readers.
func TestPortalEmptyFields(t *testing.T) {
	srv := newServer(t)
	a := newAPI(t, srv)
	full := a.Create(faketest.INESessionBody)
	bare := a.Create(`{"verification":{}}`)

	page := string(faketest.Get(t, srv.URL+"/sessions/"+full).Body)
	for _, dt := range []string{"Email", "Phone", "Address"} {
		assert.Contains(t, page, `<dt>`+dt+`</dt><dd>`+notGiven+`</dd>`, dt)
	}
	assert.Contains(t, page, `<dt>Number</dt><dd class="mono">`+notGiven+`</dd>`)
	assert.Contains(t, page, `<dt>First name</dt><dd>Juan</dd>`)
	assert.NotContains(t, page, `<dd></dd>`)
	assert.NotContains(t, page, `<dd class="mono"></dd>`)

	page = string(faketest.Get(t, srv.URL+"/sessions/"+bare).Body)
	assert.NotContains(t, page, `<dd></dd>`)
	assert.NotContains(t, page, `<dd class="mono"></dd>`)
	for _, dt := range []string{"Vendor data", "First name", "Last name", "Date of birth", "Type", "Country", "First issue"} {
		assert.Contains(t, page, `<dt>`+dt+`</dt><dd>`+notGiven+`</dd>`, dt)
	}
	for _, dt := range []string{"End-user ID", "Callback", "ID number", "Number"} {
		assert.Contains(t, page, `<dt>`+dt+`</dt><dd class="mono">`+notGiven+`</dd>`, dt)
	}
	index := string(faketest.Get(t, srv.URL+"/").Body)
	assert.Contains(t, index, `<td>`+notGiven+`</td>`, "the list too")
	assert.Contains(t, index, `<td>user-42</td>`)
}

// The Decide form starts from the session's current decision: its status
// and reason code are chosen, or a prompt before any decision.
func TestPortalDecideFormPreselects(t *testing.T) {
	srv := newServer(t)
	a := newAPI(t, srv)
	tests := []struct {
		name         string
		decide       func(id string) error
		status       []string
		reason       []string
		registryFrom url.Values
		registry     string
	}{
		{"undecided", func(string) error { return nil }, []string{""}, []string{""}, nil, "active"},
		{"declined", func(id string) error { return srv.DecideWithReason(id, veriff.StatusDeclined, 108) }, []string{"declined"}, []string{"108"}, nil, "active"},
		{"resubmission", func(id string) error { return srv.DecideWithReason(id, veriff.StatusResubmissionRequested, 204) }, []string{"resubmission_requested"}, []string{"204"}, nil, "active"},
		{"approved", func(id string) error { return srv.Decide(id, veriff.StatusApproved) }, []string{"approved"}, []string{""}, nil, "active"},
		{"review", func(id string) error { return srv.Decide(id, veriff.StatusReview) }, []string{"review"}, []string{""}, nil, "active"},
		{"registry inactive", func(string) error { return nil }, []string{""}, []string{""}, url.Values{"answer": {"inactive"}}, "inactive"},
		{"registry not found", func(string) error { return nil }, []string{""}, []string{""}, url.Values{"answer": {"not-found"}}, "not-found"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id := a.Create(faketest.INESessionBody)
			a.upload(id, "face", faketest.JPEG)
			require.NoError(t, tt.decide(id))
			if tt.registryFrom != nil {
				tt.registryFrom.Set("csrf", portalToken(t, srv, id))
				require.Equal(t, http.StatusSeeOther, postPortal(t, srv.URL+"/sessions/"+id+"/ine-registry", tt.registryFrom, nil).Status)
			}
			page := string(faketest.Get(t, srv.URL+"/sessions/"+id).Body)
			values, selected := selectOptions(t, page, "status")
			wantValues := []string{"approved", "declined", "resubmission_requested", "review"}
			if tt.status[0] == "" {
				wantValues = append([]string{""}, wantValues...)
				assert.Contains(t, page, `<option value="" selected>Choose a decision…</option>`)
			}
			assert.Equal(t, wantValues, values, "the four decisions")
			assert.Equal(t, tt.status, selected, "status")
			if tt.reason[0] == "" {
				_, sel := selectOptions(t, page, "reasonCode")
				assert.Empty(t, sel, "Veriff's default, the first option")
			} else {
				_, sel := selectOptions(t, page, "reasonCode")
				assert.Equal(t, tt.reason, sel, "reason code")
			}
			checked := regexp.MustCompile(`name="answer" value="([^"]+)" checked>`).FindAllStringSubmatch(page, -1)
			require.Len(t, checked, 1, "one registry answer checked")
			assert.Equal(t, tt.registry, checked[0][1])
		})
	}
}

// Each of the four decisions is labelled in the select, the selects are
// labelled and described, and the reason codes come from Veriff's table.
func TestPortalDecideFormLabels(t *testing.T) {
	srv := newServer(t)
	a := newAPI(t, srv)
	id := a.Create(faketest.INESessionBody)
	page := string(faketest.Get(t, srv.URL+"/sessions/"+id).Body)
	for _, want := range []string{
		`<option value="approved">Approve (approved)</option>`,
		`<option value="declined">Decline (declined)</option>`,
		`<option value="resubmission_requested">Request resubmission (resubmission_requested)</option>`,
		`<option value="review">Set to review (review)</option>`,
		`<label for="status">Decision</label>`, `aria-describedby="status-hint"`, `id="status-hint"`,
		`<label for="reasonCode">Reason code</label>`, `aria-describedby="reasonCode-hint"`, `id="reasonCode-hint"`,
		`<select id="status" name="status" required`,
	} {
		assert.Contains(t, page, want)
	}
	values, _ := selectOptions(t, page, "reasonCode")
	require.Greater(t, len(values), 1)
	assert.Equal(t, "", values[0], "Veriff's default first")
	for _, v := range values[1:] {
		code, err := strconv.Atoi(v)
		require.NoError(t, err)
		text, ok := verifftest.ReasonText(code)
		require.True(t, ok, "code %d is in Veriff's table", code)
		assert.Contains(t, page, `<option value="`+v+`">`+v+` · `+template.HTMLEscapeString(text)+`</option>`)
	}
	r := postPortal(t, srv.URL+"/sessions/"+id+"/decision", url.Values{"csrf": {portalToken(t, srv, id)}, "status": {""}}, nil)
	assert.Equal(t, http.StatusBadRequest, r.Status, "the prompt is not a decision")
}

// The portal says when a session's media were dropped
// to bound memory.
func TestPortalSaysMediaDropped(t *testing.T) {
	srv := newServer(t, verifftest.WithMaxMediaBytes(int64(len(faketest.JPEG))))
	a := newAPI(t, srv)
	old := a.Create(`{"verification":{}}`)
	oldImg := a.upload(old, "face", faketest.JPEG)
	recent := a.Create(`{"verification":{}}`)
	a.upload(recent, "face", faketest.JPEG)
	page := string(faketest.Get(t, srv.URL+"/sessions/"+old).Body)
	assert.Contains(t, page, "Dropped from memory")
	assert.NotContains(t, page, `<img src="/sessions/`+old)
	assert.Equal(t, http.StatusNotFound, faketest.Get(t, srv.URL+"/sessions/"+old+"/media/"+oldImg["id"].(string)).Status)
	assert.NotContains(t, string(faketest.Get(t, srv.URL+"/sessions/"+recent).Body), "Dropped from memory")
}

// A session the person cancelled shows as cancelled and
// still open, in the list and on its page.
func TestPortalShowsCancelled(t *testing.T) {
	srv := newServer(t)
	r := newAPI(t, srv).Send(http.MethodPost, "/v1/sessions", []byte(`{"verification":{}}`))
	v := r.JSON(t)["verification"].(map[string]any)
	id, vurl := v["id"].(string), v["url"].(string)
	req, err := http.NewRequest(http.MethodPost, vurl+"/cancel", nil)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, faketest.Do(t, req).Status)
	assert.Contains(t, string(faketest.Get(t, srv.URL+"/").Body), "cancelled by the person, still open")
	page := string(faketest.Get(t, srv.URL+"/sessions/"+id).Body)
	assert.Contains(t, page, "the person left the flow with its cancel control")
	assert.Contains(t, page, "the session stays open, as at Veriff")
}
