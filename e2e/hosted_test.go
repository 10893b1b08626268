package e2e

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/veriffgo/veriff"
	"github.com/veriffgo/veriff/verifftest"
)

// fileFields are the hosted flow's file inputs, one per media context, in
// the order of testImages.
var fileFields = []string{"document-front", "document-back", "face"}

// chooseFiles sets the three file inputs to paths.
func chooseFiles(paths []string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		for i, name := range fileFields {
			sel := chromedp.CSS(`input[type=file][name="` + name + `"]`)
			if _, err := chromedp.SetUploadFiles(sel, []string{paths[i]})(ctx, tg); err != nil {
				return err
			}
		}
		return nil
	})
}

// previewsShown is true once every preview image is visible and decoded.
const previewsShown = `(() => {
  const imgs = [...document.querySelectorAll('img.preview')];
  return imgs.length === 3 && imgs.every(i => !i.hidden && i.complete && i.naturalWidth > 0 && i.getBoundingClientRect().width > 0);
})()`

// disableJS turns JavaScript off in the tab, for the pages that must work
// without it.
func disableJS(t *testing.T, ctx context.Context) {
	t.Helper()
	_, err := chromedp.Call(ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true})
	require.NoError(t, err)
}

// submitUpload clicks the upload form's submit button and waits until the
// next page replaced the form.
func submitUpload(t *testing.T, ctx context.Context) {
	t.Helper()
	clickAndLoad(t, ctx, chromedp.CSS(`form.upload button[type=submit]`))
	n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('form.upload').length`))
	require.NoError(t, err)
	require.Zero(t, n, "the form was replaced: %s", pageText(t, ctx))
}

// openHosted opens a session's verification URL and waits for its form.
func openHosted(t *testing.T, ctx context.Context, url string) {
	t.Helper()
	require.NoError(t, chromedp.Do(ctx, chromedp.Navigate(url), chromedp.WaitVisible(chromedp.CSS(`form.upload`))))
}

func createSession(t *testing.T, c *veriff.Client, req veriff.CreateSessionRequest) *veriff.Session {
	t.Helper()
	s, err := c.CreateSession(context.Background(), req)
	require.NoError(t, err)
	return s
}

// requireMediaContexts checks that the session's latest attempt holds one
// image of each context of the hosted flow.
func requireMediaContexts(t *testing.T, snap verifftest.Session) {
	t.Helper()
	require.NotEmpty(t, snap.Attempts)
	var got []string
	for _, m := range snap.Attempts[len(snap.Attempts)-1].Media {
		got = append(got, string(m.Context))
		assert.True(t, strings.HasPrefix(m.MimeType, "image/"), m.MimeType)
	}
	assert.ElementsMatch(t, fileFields, got)
}

func TestHostedFlowChooseSeePreviewsSubmitDone(t *testing.T) {
	srv := newServer(t)
	recv := newReceiver(t)
	srv.SetWebhookURL(recv.URL)
	s := createSession(t, newClient(t, srv), veriff.CreateSessionRequest{
		VendorData: "hosted-e2e",
		Person:     &veriff.SessionPerson{FirstName: "Maria", LastName: "Ejemplo"},
		Consents:   []veriff.Consent{veriff.INEConsent()},
	})
	ctx := newBrowser(t)
	openHosted(t, ctx, s.URL)
	for _, name := range fileFields {
		label, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`label[for="`+name+`"]`)))
		require.NoError(t, err, "each input has a label")
		assert.NotEmpty(t, strings.TrimSpace(label))
	}
	screenshot(t, ctx, "hosted-flow-1-open", "")

	require.NoError(t, chromedp.Do(ctx, chooseFiles(testImages(t))))
	_, err := chromedp.Run(ctx, chromedp.Poll[bool](previewsShown))
	require.NoError(t, err, "the three previews show")
	screenshot(t, ctx, "hosted-flow-2-previews", "hosted-flow.png")
	// At a phone's width the page fits: nothing wider than the viewport.
	require.NoError(t, chromedp.Do(ctx, chromedp.EmulateViewport(390, 844)))
	overflow, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.documentElement.scrollWidth > window.innerWidth`))
	require.NoError(t, err)
	assert.False(t, overflow, "no horizontal scrolling at 390px")
	screenshot(t, ctx, "hosted-flow-2-previews-phone", "")
	require.NoError(t, chromedp.Do(ctx, chromedp.EmulateViewport(1280, 900)))

	submitUpload(t, ctx)
	assert.Contains(t, pageText(t, ctx), "Thank you")
	screenshot(t, ctx, "hosted-flow-3-done", "")

	snap, ok := srv.Session(s.ID)
	require.True(t, ok)
	assert.Equal(t, veriff.StatusSubmitted, snap.Status)
	requireMediaContexts(t, snap)
	// Events 7001 and 7002, as through the API.
	dctx, cancel := context.WithTimeout(context.Background(), pageTimeout)
	defer cancel()
	_, err = srv.WaitForDeliveries(dctx, 2)
	require.NoError(t, err)
	assert.Equal(t, 2, recv.count(veriff.WebhookEvent))

	// A second visit: the session is no longer open, and the page says so.
	require.NoError(t, chromedp.Do(ctx, chromedp.Navigate(s.URL), chromedp.WaitReady(chromedp.CSS(`body`))))
	forms, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('form.upload').length`))
	require.NoError(t, err)
	assert.Zero(t, forms, "no upload form on a submitted session")
	assert.Regexp(t, `(?i)submitted|already`, pageText(t, ctx))
	screenshot(t, ctx, "hosted-flow-4-second-visit", "")
}

func TestHostedFlowRedirectsToCallback(t *testing.T) {
	srv := newServer(t)
	back := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, `<!doctype html><title>Shop</title><h1 id="back">Back in the shop</h1>`)
	}))
	t.Cleanup(back.Close)
	s := createSession(t, newClient(t, srv), veriff.CreateSessionRequest{Callback: back.URL + "/verified?order=77"})
	ctx := newBrowser(t)
	openHosted(t, ctx, s.URL)
	require.NoError(t, chromedp.Do(ctx, chooseFiles(testImages(t))))
	_, err := chromedp.Run(ctx, chromedp.Poll[bool](previewsShown))
	require.NoError(t, err)
	clickAndLoad(t, ctx, chromedp.CSS(`form.upload button[type=submit]`))
	require.NoError(t, chromedp.Do(ctx, chromedp.WaitVisible(chromedp.ID("back"))))
	assert.True(t, strings.HasPrefix(location(t, ctx), back.URL+"/verified"), location(t, ctx))
	screenshot(t, ctx, "hosted-flow-callback", "")
	snap, ok := srv.Session(s.ID)
	require.True(t, ok)
	assert.Equal(t, veriff.StatusSubmitted, snap.Status)
}

// With JavaScript off the page is one multipart form: it still submits.
func TestHostedFlowWithoutJavaScript(t *testing.T) {
	srv := newServer(t)
	s := createSession(t, newClient(t, srv), veriff.CreateSessionRequest{VendorData: "no-js"})
	ctx := newBrowser(t)
	disableJS(t, ctx)
	openHosted(t, ctx, s.URL)
	require.NoError(t, chromedp.Do(ctx, chooseFiles(testImages(t))))
	submitUpload(t, ctx)
	assert.Contains(t, pageText(t, ctx), "Thank you")
	screenshot(t, ctx, "hosted-flow-no-js-done", "")
	snap, ok := srv.Session(s.ID)
	require.True(t, ok)
	assert.Equal(t, veriff.StatusSubmitted, snap.Status)
	requireMediaContexts(t, snap)
}

// A file that is not an image is refused with a message on the page, and
// the session stays open with nothing uploaded.
func TestHostedFlowRefusesANonImage(t *testing.T) {
	srv := newServer(t)
	s := createSession(t, newClient(t, srv), veriff.CreateSessionRequest{})
	paths := testImages(t)
	notImage := filepath.Join(t.TempDir(), "notes.txt")
	require.NoError(t, os.WriteFile(notImage, []byte("this is not a photo\n"), 0o644))
	paths[1] = notImage
	ctx := newBrowser(t)
	disableJS(t, ctx) // the server's check, not the page's
	openHosted(t, ctx, s.URL)
	require.NoError(t, chromedp.Do(ctx, chooseFiles(paths)))
	clickAndLoad(t, ctx, chromedp.CSS(`form.upload button[type=submit]`))
	require.NoError(t, chromedp.Do(ctx, chromedp.WaitVisible(chromedp.CSS(`[role=alert]`))))
	msg, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`[role=alert]`)))
	require.NoError(t, err)
	assert.Regexp(t, `(?i)image`, msg)
	assert.NotContains(t, msg, "notes.txt", "no file name echoed")
	screenshot(t, ctx, "hosted-flow-error-not-an-image", "")
	snap, ok := srv.Session(s.ID)
	require.True(t, ok)
	assert.NotEqual(t, veriff.StatusSubmitted, snap.Status)
	for _, a := range snap.Attempts {
		assert.Empty(t, a.Media, "nothing is half-uploaded")
	}
}

// The form can be filled from the keyboard: Tab reaches the skip link, the
// three file inputs in order and then the submit button.
func TestHostedFlowKeyboardOrder(t *testing.T) {
	srv := newServer(t)
	s := createSession(t, newClient(t, srv), veriff.CreateSessionRequest{})
	ctx := newBrowser(t)
	openHosted(t, ctx, s.URL)
	want := []string{"skip", "document-front", "document-back", "face", "primary"}
	var got []string
	for range want {
		require.NoError(t, chromedp.Do(ctx, chromedp.KeyEvent("\t")))
		name, err := chromedp.Run(ctx, chromedp.Evaluate[string](
			`(e => e.name || e.className || e.tagName.toLowerCase())(document.activeElement)`))
		require.NoError(t, err)
		got = append(got, name)
	}
	assert.Equal(t, want, got, "the tab order")
}
