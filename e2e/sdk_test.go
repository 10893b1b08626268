package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"html/template"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/veriffgo/veriff"
)

// Veriff's published front-end SDKs, installed from npm by .ci/e2e into
// sdk/node_modules (sdk/package.json, sdk/package-lock.json) and served
// unchanged: the js-sdk's CommonJS build (its only build) and the
// incontext-sdk's browser bundle (window.veriffSDK).
var sdkFiles = map[string]string{
	"/sdk/js-sdk.js":    "sdk/node_modules/@veriff/js-sdk/lib/veriff.js",
	"/sdk/incontext.js": "sdk/node_modules/@veriff/incontext-sdk/dist/v2.5.0/veriff.js",
}

// appPage is an integrator's page on another origin: the js-sdk's form
// creates the session (an unsigned POST /v1/sessions with the API key, as
// in a browser), and the incontext-sdk frames its verification.url. Every
// event of the frame lands in window.veriffEvents.
var appPage = template.Must(template.New("app").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>An app using Veriff's SDKs</title></head>
<body>
<h1>Shop checkout</h1>
<div id="veriff-root"></div>
<script>var module = {exports: {}};</script>
<script src="/sdk/js-sdk.js"></script>
<script src="/sdk/incontext.js"></script>
<script>
window.veriffEvents = [];
var query = new URLSearchParams(location.search);
var lang = query.get("lang") || undefined;
var veriff = module.exports.Veriff({
  host: {{.Host}},
  apiKey: {{.Key}},
  parentId: "veriff-root",
  onSession: function (err, response) {
    if (err) { window.veriffError = JSON.stringify(err); return; }
    window.veriffSession = response.verification;
    window.veriffSDK.createVeriffFrame({
      url: response.verification.url,
      lang: lang,
      onEvent: function (msg) { window.veriffEvents.push(msg); }
    });
  }
});
veriff.setParams({person: {givenName: "Ana", lastName: "Ruiz"}, vendorData: "sdk-e2e", callback: query.get("callback") || undefined});
veriff.mount();
</script>
</body></html>`))

// newAppServer serves appPage and the SDK files on a loopback origin of
// its own (another port than the emulator's).
func newAppServer(t *testing.T, emulatorURL string) string {
	t.Helper()
	for _, p := range sdkFiles {
		if _, err := os.Stat(p); err != nil {
			if os.Getenv("E2E_REQUIRE") == "1" {
				t.Fatalf("E2E_REQUIRE=1 but %s is missing: run npm ci in e2e/sdk (.ci/e2e does)", p)
			}
			t.Skipf("%s is missing: run npm ci in e2e/sdk; set E2E_REQUIRE=1 to make this a failure", p)
		}
	}
	mux := http.NewServeMux()
	for route, p := range sdkFiles {
		mux.HandleFunc("GET "+route, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
			http.ServeFile(w, r, filepath.Clean(p))
		})
	}
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_ = appPage.Execute(w, struct{ Host, Key string }{emulatorURL, testKey})
	})
	hs := httptest.NewServer(mux)
	t.Cleanup(hs.Close)
	return hs.URL
}

// sdkBrowser is a browser tab on the app page, with requests to the web
// font the js-sdk links blocked (the tests reach loopback only).
func sdkBrowser(t *testing.T, appURL string) context.Context {
	t.Helper()
	ctx := newBrowser(t)
	_, err := chromedp.Call(ctx, network.Enable, network.EnableParams{})
	require.NoError(t, err)
	_, err = chromedp.Call(ctx, network.SetBlockedURLs, network.SetBlockedURLsParams{URLPatterns: []*network.BlockPattern{
		{URLPattern: "https://fonts.googleapis.com/*", Block: true},
		{URLPattern: "https://fonts.gstatic.com/*", Block: true},
	}})
	require.NoError(t, err)
	require.NoError(t, chromedp.Do(ctx,
		chromedp.Navigate(appURL),
		chromedp.WaitVisible(chromedp.CSS(`#veriff-root input[name=submitBtn]`)),
	))
	return ctx
}

// startWithJSSDK clicks the js-sdk's button and waits for the framed flow
// to be ready; it returns the frame's node and the session's ID.
func startWithJSSDK(t *testing.T, ctx context.Context) (*chromedp.Node, string) {
	t.Helper()
	require.NoError(t, chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`#veriff-root input[name=submitBtn]`))))
	waitJS(t, ctx, `!!document.getElementById("veriffFrame") || !!window.veriffError`)
	require.Empty(t, eval[string](t, ctx, `window.veriffError || ""`), "the js-sdk created no session")
	id := eval[string](t, ctx, `window.veriffSession.id`)
	frames, err := chromedp.Run(ctx, chromedp.Nodes(chromedp.CSS(`iframe#veriffFrame`)))
	require.NoError(t, err)
	require.Len(t, frames, 1)
	require.NoError(t, chromedp.Do(ctx, chromedp.WaitVisible(chromedp.CSS(`form.upload`), chromedp.FromNode(frames[0]))))
	waitEvents(t, ctx, "STARTED")
	return frames[0], id
}

// waitEvents waits until the page got exactly these events from the frame.
func waitEvents(t *testing.T, ctx context.Context, want ...string) {
	t.Helper()
	w, err := json.Marshal(want)
	require.NoError(t, err)
	expr := fmt.Sprintf(`JSON.stringify(window.veriffEvents) === %q`, string(w))
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](expr, chromedp.WithPollingTimeout(20*time.Second))); err != nil {
		t.Fatalf("events: got %s, want %s", eval[string](t, ctx, `JSON.stringify(window.veriffEvents)`), w)
	}
}

// frameGone waits until the incontext frame was removed.
func frameGone(t *testing.T, ctx context.Context) {
	t.Helper()
	waitJS(t, ctx, `!document.getElementById("veriffFrame")`)
}

// A page on another origin, with Veriff's SDKs unchanged,
// creates a session against the emulator with the js-sdk (CORS), frames
// the flow with the incontext-sdk, and receives STARTED, SUBMITTED and
// FINISHED; FINISHED closes the frame, before the session's callback is
// followed.
func TestSDKsFramedFlowFinished(t *testing.T) {
	srv := newServer(t)
	recv := newReceiver(t)
	srv.SetWebhookURL(recv.URL)
	appURL := newAppServer(t, srv.URL)
	require.NotEqual(t, appURL, srv.URL, "another origin")
	start := appURL + "/?callback=" + appURL + "/done"
	ctx := sdkBrowser(t, start)

	frame, id := startWithJSSDK(t, ctx)
	screenshot(t, ctx, "sdk-framed-start", "")
	images := testImages(t)
	for i, name := range fileFields {
		require.NoError(t, chromedp.Do(ctx, chromedp.SetUploadFiles(chromedp.CSS(`input[type=file][name="`+name+`"]`),
			[]string{images[i]}, chromedp.FromNode(frame))))
	}
	require.NoError(t, chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`form.upload button[type=submit]`), chromedp.FromNode(frame))))
	waitEvents(t, ctx, "STARTED", "SUBMITTED", "FINISHED")
	frameGone(t, ctx)
	screenshot(t, ctx, "sdk-framed-finished", "")

	snap, ok := srv.Session(id)
	require.True(t, ok)
	assert.Equal(t, veriff.StatusSubmitted, snap.Status)
	assert.Equal(t, "sdk-e2e", snap.VendorData)
	requireMediaContexts(t, snap)
	var fromSDK bool
	for _, r := range srv.Requests() {
		fromSDK = fromSDK || (r.Route == "/v1/sessions" && r.Method == http.MethodPost && r.Header.Get("X-Origin") == "js-sdk" && r.Header.Get("X-Hmac-Signature") == "")
	}
	assert.True(t, fromSDK, "the session came from the js-sdk, unsigned")
	assert.Contains(t, string(snap.Verification), `"firstName":"Ana"`)
	assert.Equal(t, appURL+"/done", snap.Callback)
	assert.Equal(t, start, location(t, ctx), "the page stays; the frame is gone")
}

// The cancel control posts CANCELED (the frame closes) and the
// session stays open; with lang=es the framed page is Spanish.
func TestSDKsFramedFlowCanceledInSpanish(t *testing.T) {
	srv := newServer(t)
	appURL := newAppServer(t, srv.URL)
	ctx := sdkBrowser(t, appURL+"/?lang=es")

	frame, id := startWithJSSDK(t, ctx)
	lang, err := chromedp.Run(ctx, chromedp.AttributeValue(chromedp.CSS(`html`), "lang", chromedp.FromNode(frame)))
	require.NoError(t, err)
	assert.Equal(t, "es", lang.Value)
	text, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`main`), chromedp.FromNode(frame)))
	require.NoError(t, err)
	for _, want := range []string{"Verifica tu identidad", "Frente de tu identificación", "Enviar para verificación", "Cancelar"} {
		assert.Contains(t, text, want)
	}
	assert.NotContains(t, text, "Verify your identity")
	screenshot(t, ctx, "sdk-framed-es", "")

	require.NoError(t, chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`#veriff-cancel`), chromedp.FromNode(frame))))
	waitEvents(t, ctx, "STARTED", "CANCELED")
	frameGone(t, ctx)
	screenshot(t, ctx, "sdk-framed-canceled", "")
	snap, ok := srv.Session(id)
	require.True(t, ok)
	assert.Equal(t, veriff.StatusStarted, snap.Status, "cancelling decides nothing")
	assert.False(t, snap.CanceledAt.IsZero())
	assert.Nil(t, snap.Decision)
	assert.True(t, strings.HasPrefix(appURL, "http://127.0.0.1:"))
}
