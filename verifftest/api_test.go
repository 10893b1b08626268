package verifftest_test

import (
	"bytes"
	"context"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/veriffgo/veriff"
	"github.com/veriffgo/veriff/internal/faketest"
	"github.com/veriffgo/veriff/verifftest"
)

// newVerifiedClient is a client of srv that checks every response signature.
func newVerifiedClient(t *testing.T, srv interface {
	NewClient(...veriff.Option) (*veriff.Client, error)
}) *veriff.Client {
	t.Helper()
	c, err := srv.NewClient(veriff.WithResponseVerification())
	require.NoError(t, err)
	return c
}

func createSession(t *testing.T, c *veriff.Client) string {
	t.Helper()
	s, err := c.CreateSession(context.Background(), veriff.CreateSessionRequest{VendorData: "user-1"})
	require.NoError(t, err)
	return s.ID
}

func TestWatchlistPatchRoundTrip(t *testing.T) {
	ctx := context.Background()
	srv := newServer(t)
	c := newVerifiedClient(t, srv)
	id := createSession(t, c)
	require.NoError(t, srv.AddWatchlistHit(id, "hit-1"))
	require.NoError(t, srv.AddWatchlistHit(id, "hit-2"))
	require.ErrorIs(t, srv.AddWatchlistHit("nope", "hit-x"), verifftest.ErrUnknownSession)

	w, err := c.WatchlistScreening(ctx, id)
	require.NoError(t, err)
	assert.Equal(t, "enabled", w.MonitorStatus)
	assert.Equal(t, 2, w.TotalHits)

	require.NoError(t, c.DisableWatchlistMonitoring(ctx, id))
	err = c.SetWatchlistHitRiskLevel(ctx, id, "hit-1", veriff.RiskLevelHigh)
	require.ErrorIs(t, err, veriff.ErrBadRequest, "a risk level on a potential match is a 400")
	require.NoError(t, c.ReviewWatchlistHit(ctx, id, veriff.WatchlistHitReview{HitID: "hit-1", MatchStatus: veriff.HitTrueMatch}))
	require.NoError(t, c.SetWatchlistHitRiskLevel(ctx, id, "hit-1", veriff.RiskLevelHigh))
	require.NoError(t, c.WhitelistWatchlistHit(ctx, id, "hit-2"))
	require.ErrorIs(t, c.WhitelistWatchlistHit(ctx, id, "hit-9"), veriff.ErrNotFound)

	err = c.Execute(ctx, veriff.RawRequest{Method: http.MethodPatch, Path: "/sessions/" + id + "/watchlist-screening",
		Body: map[string]any{"monitorStatus": "disabled", "hit": map[string]any{"id": "hit-1", "isWhitelisted": true}}}, nil)
	require.ErrorIs(t, err, veriff.ErrBadRequest, "two operations are a 400")

	w, err = c.WatchlistScreening(ctx, id)
	require.NoError(t, err)
	assert.Equal(t, "disabled", w.MonitorStatus)
	require.Len(t, w.Hits, 2)
	assert.JSONEq(t, `{"id":"hit-1","matchedName":"Example Listed Person","matchStatus":"true_match","riskLevel":"high","isWhitelisted":false}`, string(w.Hits[0].Raw))
	assert.Contains(t, string(w.Hits[1].Raw), `"isWhitelisted":true`)
}

func TestCertificatesRoundTrip(t *testing.T) {
	ctx := context.Background()
	srv := newServer(t)
	c := newVerifiedClient(t, srv)
	id := createSession(t, c)

	certs, err := c.Certificates(ctx, id)
	require.NoError(t, err)
	assert.Empty(t, certs)

	m, err := c.UploadMedia(ctx, id, veriff.MediaUpload{Context: veriff.ContextDocumentFront, Content: faketest.JPEG})
	require.NoError(t, err)
	certs, err = c.Certificates(ctx, id)
	require.NoError(t, err)
	require.Len(t, certs, 1)
	require.Len(t, certs[0].Files, 1)
	assert.Equal(t, m.ID, certs[0].Files[0].ID)
	assert.Equal(t, int64(len(faketest.JPEG)), certs[0].Files[0].Size)

	var out bytes.Buffer
	n, err := c.DownloadCertificateFile(ctx, id, certs[0].ID, certs[0].Files[0].ID, &out)
	require.NoError(t, err, "signed over the session ID, response signature checked")
	assert.Equal(t, int64(len(faketest.JPEG)), n)
	assert.Equal(t, faketest.JPEG, out.Bytes())

	_, err = c.DownloadCertificateFile(ctx, id, certs[0].ID, "no-such-file", &out)
	require.ErrorIs(t, err, veriff.ErrNotFound)
}

func TestNFCDocumentsRoundTrip(t *testing.T) {
	ctx := context.Background()
	srv := newServer(t)
	c := newVerifiedClient(t, srv)
	id := createSession(t, c)
	_, err := c.UploadMedia(ctx, id, veriff.MediaUpload{Context: veriff.ContextDocumentFront, Content: faketest.JPEG})
	require.NoError(t, err)
	nfcID, err := srv.AddNFCDocument(id, []byte("dg1 dg2 sod"))
	require.NoError(t, err)
	l, err := c.SessionMedia(ctx, id)
	require.NoError(t, err)
	require.Len(t, l.Images, 1)
	require.Len(t, l.NFCDocuments, 1)
	assert.Equal(t, veriff.ContextDocumentNFC, l.NFCDocuments[0].Context)
	assert.Equal(t, nfcID, l.NFCDocuments[0].ID)
	var out bytes.Buffer
	_, err = c.DownloadMedia(ctx, nfcID, &out)
	require.NoError(t, err)
	assert.Equal(t, "dg1 dg2 sod", out.String())
	_, err = srv.AddNFCDocument("nope", nil)
	require.ErrorIs(t, err, verifftest.ErrUnknownSession)
}

func TestFeedbackRoundTrip(t *testing.T) {
	ctx := context.Background()
	srv := newServer(t)
	c := newVerifiedClient(t, srv)
	known := createSession(t, c)
	f, err := srv.NewFeedbackClient(veriff.WithResponseVerification())
	require.NoError(t, err)

	cats, err := f.FraudCategories(ctx)
	require.NoError(t, err)
	assert.Equal(t, verifftest.FraudCategories, cats)

	unknown := "bbbbbbbb-0000-4000-8000-000000000000"
	res, err := f.ReportFraud(ctx, []veriff.FraudReport{
		{SessionID: known, Categories: []string{"identity_theft"}, Comment: "reused document"},
		{SessionID: unknown, Categories: []string{"identity_theft"}},
		{SessionID: known, Categories: []string{"not_a_category"}},
	})
	require.NoError(t, err, "partial success is a result")
	require.Len(t, res, 3)
	assert.True(t, res[0].Reported())
	assert.NotEmpty(t, res[0].ReportID)
	assert.Equal(t, veriff.FraudReportError, res[1].Status)
	assert.Equal(t, "Session not found", res[1].Details)
	assert.Equal(t, "Unknown category", res[2].Details)

	st, err := f.FraudReports(ctx, known, unknown)
	require.NoError(t, err)
	require.Len(t, st, 2)
	assert.True(t, st[0].Found())
	assert.Contains(t, string(st[0].Details), res[0].ReportID)
	assert.Equal(t, veriff.FraudReportNotFound, st[1].Status)

	wrong, err := veriff.NewFeedbackClient(srv.APIKey(), "wrong-secret", veriff.WithBaseURL(srv.URL), veriff.WithMaxRetries(0))
	require.NoError(t, err)
	_, err = wrong.FraudCategories(ctx)
	require.ErrorIs(t, err, veriff.ErrUnauthorized)

	// The Public API's signing is not the Feedback API's.
	err = c.Execute(ctx, veriff.RawRequest{Method: http.MethodPost, Path: "/feedback/fraud-reports/retrieve", Body: map[string]any{"sessionIds": []string{known}}}, nil)
	require.ErrorIs(t, err, veriff.ErrUnauthorized)
}

func TestResponseVerificationRoundTrip(t *testing.T) {
	ctx := context.Background()
	srv := newServer(t)
	c := newVerifiedClient(t, srv)
	id := createSession(t, c)
	m, err := c.UploadMedia(ctx, id, veriff.MediaUpload{Context: veriff.ContextFace, Content: faketest.JPEG})
	require.NoError(t, err)
	require.NoError(t, srv.Decide(id, veriff.StatusApproved))
	d, err := c.Decision(ctx, id)
	require.NoError(t, err)
	assert.Equal(t, veriff.StatusApproved, d.Verification.Status)
	var out bytes.Buffer
	_, err = c.DownloadMedia(ctx, m.ID, &out)
	require.NoError(t, err)

	c2, err := c.With(veriff.WithMaxRetries(0))
	require.NoError(t, err)
	srv.InjectFault(verifftest.Fault{Method: http.MethodGet, Route: "/v1/sessions/{id}/decision", Status: http.StatusServiceUnavailable})
	_, err = c2.Decision(ctx, id)
	require.ErrorIs(t, err, veriff.ErrServer, "error answers are not signature-checked, and stay typed")
}
