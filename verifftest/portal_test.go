package verifftest_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/veriffgo/veriff"
	"github.com/veriffgo/veriff/verifftest"
)

var csrfRE = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// portalToken reads the forms' token from a session page.
func portalToken(t *testing.T, srv *verifftest.Server, id string) string {
	t.Helper()
	r := getPage(t, srv.URL+"/sessions/"+id)
	require.Equal(t, http.StatusOK, r.Status)
	m := csrfRE.FindStringSubmatch(string(r.Body))
	require.NotNil(t, m, "the page has forms with a token")
	return m[1]
}

// postPortal posts a portal form with the given headers.
func postPortal(t *testing.T, target string, form url.Values, hdr map[string]string) response {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, target, strings.NewReader(form.Encode()))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	return doRaw(t, req)
}

func TestPortalIndex(t *testing.T) {
	srv := newServer(t)
	a := newAPI(t, srv)
	r := getPage(t, srv.URL+"/")
	require.Equal(t, http.StatusOK, r.Status)
	assert.Contains(t, string(r.Body), "No sessions yet")

	first := a.create(`{"verification":{"vendorData":"first-<b>"}}`)
	second := a.create(`{"verification":{"vendorData":"second"}}`)
	r = getPage(t, srv.URL+"/")
	page := string(r.Body)
	require.Equal(t, http.StatusOK, r.Status)
	i, j := strings.Index(page, `href="/sessions/`+second+`"`), strings.Index(page, `href="/sessions/`+first+`"`)
	require.True(t, i > 0 && j > 0, "both sessions are listed")
	assert.Less(t, i, j, "newest first")
	assert.Contains(t, page, "first-&lt;b&gt;", "vendorData is escaped")
	assert.Contains(t, page, `<span class="badge neutral">created</span>`)
	assert.Contains(t, r.Header.Get("Content-Security-Policy"), "frame-ancestors 'none'")
	assert.Equal(t, http.StatusNotFound, getPage(t, srv.URL+"/no/such/page").Status)
}

func TestPortalSessionPage(t *testing.T) {
	srv := newServer(t)
	rc := newReceiver(t)
	srv.SetWebhookURL(rc.URL)
	a := newAPI(t, srv)
	id := a.create(ineSessionBody)
	img := a.upload(id, "document-front", jpegBytes)
	require.NoError(t, srv.DecideWithReason(id, veriff.StatusDeclined, 106))
	_, err := srv.WaitForDeliveries(waitCtx(t), 3)
	require.NoError(t, err)

	r := getPage(t, srv.URL+"/sessions/"+id)
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
	thumb := getPage(t, srv.URL+"/sessions/"+id+"/media/"+img["id"].(string))
	require.Equal(t, http.StatusOK, thumb.Status)
	assert.Equal(t, jpegBytes, thumb.Body)
	assert.Equal(t, "image/jpeg", thumb.Header.Get("Content-Type"))
	assert.Equal(t, http.StatusNotFound, getPage(t, srv.URL+"/sessions/other/media/"+img["id"].(string)).Status)
	assert.Equal(t, http.StatusNotFound, getPage(t, srv.URL+"/sessions/nope").Status)
}

func TestPortalForms(t *testing.T) {
	srv := newServer(t)
	rc := newReceiver(t)
	srv.SetWebhookURL(rc.URL)
	a := newAPI(t, srv)
	id := a.create(ineSessionBody)
	tok := portalToken(t, srv, id)
	base := srv.URL + "/sessions/" + id

	r := postPortal(t, base+"/decision", url.Values{"csrf": {tok}, "status": {"declined"}, "reasonCode": {"108"}}, map[string]string{"Origin": srv.URL, "Sec-Fetch-Site": "same-origin"})
	require.Equal(t, http.StatusSeeOther, r.Status, "body: %s", r.Body)
	assert.Equal(t, "/sessions/"+id+"?done=decided", r.Header.Get("Location"))
	d := a.decision(id)["verification"].(map[string]any)
	assert.Equal(t, "declined", d["status"])
	assert.EqualValues(t, 108, d["reasonCode"])
	assert.Contains(t, string(getPage(t, srv.URL+r.Header.Get("Location")).Body), "The decision was recorded")

	r = postPortal(t, base+"/ine-registry", url.Values{"csrf": {tok}, "answer": {"inactive"}}, nil)
	require.Equal(t, http.StatusSeeOther, r.Status, "body: %s", r.Body)
	s, _ := srv.Session(id)
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
	id := a.create(ineSessionBody)
	plain := a.create(`{"verification":{}}`)
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
