package e2e

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/veriffgo/veriff"
	"github.com/veriffgo/veriff/verifftest"
)

// submittedSession creates a session through the SDK, uploads the three
// images and submits it, as an integration would.
func submittedSession(t *testing.T, srv *server, vendorData string) *veriff.Session {
	t.Helper()
	c := newClient(t, srv)
	ctx := context.Background()
	s := createSession(t, c, veriff.CreateSessionRequest{
		VendorData: vendorData,
		Person:     &veriff.SessionPerson{FirstName: "Maria", LastName: "Ejemplo", DateOfBirth: "1990-01-31"},
		Document:   &veriff.SessionDocument{Country: "MX", Type: veriff.DocumentTypeIDCard},
		Consents:   []veriff.Consent{veriff.INEConsent()},
	})
	for i, path := range testImages(t) {
		b, err := os.ReadFile(path)
		require.NoError(t, err)
		_, err = c.UploadMedia(ctx, s.ID, veriff.MediaUpload{Context: veriff.MediaContext(fileFields[i]), Content: b})
		require.NoError(t, err)
	}
	_, err := c.SubmitSession(ctx, s.ID)
	require.NoError(t, err)
	return s
}

// waitDeliveries waits until n webhook deliveries have ended.
func waitDeliveries(t *testing.T, srv *server, n int) []verifftest.Delivery {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), pageTimeout)
	defer cancel()
	ds, err := srv.WaitForDeliveries(ctx, n)
	require.NoError(t, err)
	return ds
}

// waitBadge waits until the session page's heading shows status.
func waitBadge(t *testing.T, ctx context.Context, status veriff.SessionStatus) {
	t.Helper()
	_, err := chromedp.Run(ctx, chromedp.Poll[bool](fmt.Sprintf(
		`(() => { const b = document.querySelector('h1 .badge'); return !!b && b.textContent.trim() === %q; })()`, status)))
	require.NoError(t, err, "the heading shows %s", status)
}

// Open a session from the list, decline it with a reason, see the decision
// and its webhook delivery, and resend it.
func TestPortalDeclineWithReasonAndResend(t *testing.T) {
	srv := newServer(t)
	recv := newReceiver(t)
	srv.SetWebhookURL(recv.URL)
	older := submittedSession(t, srv, "order-1041")
	s := submittedSession(t, srv, "order-1042")
	waitDeliveries(t, srv, 4) // 7001 and 7002 of each

	ctx := newBrowser(t)
	require.NoError(t, chromedp.Do(ctx,
		chromedp.Navigate(srv.URL+"/"),
		chromedp.WaitVisible(chromedp.CSS(`a[href="/sessions/`+s.ID+`"]`)),
	))
	order, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll('tbody tr a')].map(a => a.textContent.trim())`))
	require.NoError(t, err)
	assert.Equal(t, []string{s.ID, older.ID}, order, "newest first")
	assert.Contains(t, pageText(t, ctx), "order-1042")
	screenshot(t, ctx, "portal-1-sessions", "")

	clickAndLoad(t, ctx, chromedp.CSS(`a[href="/sessions/`+s.ID+`"]`))
	text := pageText(t, ctx)
	assert.Contains(t, text, "Maria")
	assert.Contains(t, text, "order-1042")
	_, err = chromedp.Run(ctx, chromedp.Poll[bool](`[...document.querySelectorAll('ul.thumbs img')].filter(i => i.complete && i.naturalWidth > 0).length === 3`))
	require.NoError(t, err, "three media thumbnails load")
	screenshot(t, ctx, "portal-2-session", "")

	// Decline with the first decline reason the page offers.
	reason, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector('optgroup[label^="Decline"] option').value`))
	require.NoError(t, err)
	code, err := strconv.Atoi(reason)
	require.NoError(t, err)
	require.NoError(t, chromedp.Do(ctx,
		chromedp.SetValue(chromedp.CSS(`select#status`), string(veriff.StatusDeclined)),
		chromedp.SetValue(chromedp.CSS(`select#reasonCode`), reason),
	))
	clickAndLoad(t, ctx, chromedp.CSS(`form[action$="/decision"] button[type=submit]`))
	waitBadge(t, ctx, veriff.StatusDeclined)
	d, err := newClient(t, srv).Decision(context.Background(), s.ID)
	require.NoError(t, err)
	require.NotNil(t, d.Verification)
	assert.Equal(t, veriff.StatusDeclined, d.Verification.Status)
	require.NotNil(t, d.Verification.ReasonCode)
	assert.Equal(t, code, *d.Verification.ReasonCode)

	// The decision webhook (and the INE registry one) reach the receiver;
	// the page lists the delivery with the receiver's 200.
	ds := waitDeliveries(t, srv, 6)
	decisionN := 0
	for i, dl := range ds {
		if dl.Kind == veriff.WebhookDecision && dl.SessionID == s.ID {
			decisionN = i + 1
		}
	}
	require.NotZero(t, decisionN, "a decision delivery")
	require.Equal(t, 1, recv.count(veriff.WebhookDecision))
	require.NoError(t, chromedp.Do(ctx, chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS(`select#status`))))
	text = pageText(t, ctx)
	assert.Contains(t, text, "declined")
	assert.Contains(t, text, reason)
	assert.Contains(t, text, veriff.ReasonCodeText(code))
	row, err := chromedp.Run(ctx, chromedp.Evaluate[string](
		`[...document.querySelectorAll('tbody tr')].map(r => r.textContent.replace(/\s+/g, ' ').trim()).find(t => t.includes('decision')) || ''`))
	require.NoError(t, err)
	assert.Contains(t, row, "200")
	screenshot(t, ctx, "portal-3-declined", "portal.png")

	// Resend it: the receiver gets the same delivery again.
	resend := chromedp.CSS(fmt.Sprintf(`form[action="/deliveries/%d/resend"] button`, decisionN))
	clickAndLoad(t, ctx, resend)
	waitDeliveries(t, srv, 7)
	assert.Equal(t, 2, recv.count(veriff.WebhookDecision))
	require.NoError(t, chromedp.Do(ctx, chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS(`select#status`))))
	screenshot(t, ctx, "portal-4-resent", "")
}

// The portal works without JavaScript: plain forms.
func TestPortalWithoutJavaScript(t *testing.T) {
	srv := newServer(t)
	s := submittedSession(t, srv, "order-nojs")
	ctx := newBrowser(t)
	disableJS(t, ctx)
	require.NoError(t, chromedp.Do(ctx,
		chromedp.Navigate(srv.URL+"/sessions/"+s.ID),
		chromedp.WaitVisible(chromedp.CSS(`select#status`)),
		chromedp.SetValue(chromedp.CSS(`select#status`), string(veriff.StatusApproved)),
	))
	clickAndLoad(t, ctx, chromedp.CSS(`form[action$="/decision"] button[type=submit]`))
	waitBadge(t, ctx, veriff.StatusApproved)
	snap, ok := srv.Session(s.ID)
	require.True(t, ok)
	assert.Equal(t, veriff.StatusApproved, snap.Status)
	screenshot(t, ctx, "portal-no-js-approved", "")
}
