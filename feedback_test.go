package veriff

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const (
	fbSession1 = "aaaaaaaa-0000-4000-8000-000000000001"
	fbSession2 = "aaaaaaaa-0000-4000-8000-000000000002"
)

func TestNewFeedbackClient(t *testing.T) {
	f, err := NewFeedbackClient(testAPIKey, testSecret)
	require.NoError(t, err)
	assert.Equal(t, "https://feedback.api.veriff.com/v1", f.BaseURL())
	_, err = NewFeedbackClient("", testSecret)
	require.ErrorIs(t, err, ErrInvalidInput)
	_, err = NewFeedbackClient(testAPIKey, "")
	require.ErrorIs(t, err, ErrInvalidInput)
	_, err = NewFeedbackClient(testAPIKey, testSecret, WithBaseURL("http://feedback.api.veriff.com"), WithPlainHTTP())
	require.ErrorIs(t, err, ErrInvalidInput)
}

func TestFeedbackWire(t *testing.T) {
	tests := []struct {
		name     string
		method   string
		path     string
		fixture  string
		call     func(f *FeedbackClient) error
		wantBody string
	}{
		{"fraud categories", http.MethodGet, "/v1/feedback/fraud-categories", "api/fraud_categories.json",
			func(f *FeedbackClient) error { _, err := f.FraudCategories(context.Background()); return err }, ""},
		{"report fraud", http.MethodPost, "/v1/feedback/fraud-reports", "api/fraud_reports_partial.json",
			func(f *FeedbackClient) error {
				_, err := f.ReportFraud(context.Background(), []FraudReport{
					{SessionID: fbSession1, Categories: []string{"identity_theft"}, Comment: "same face, other names"},
					{SessionID: fbSession2, Categories: []string{"document_forgery", "synthetic_identity"}},
				})
				return err
			},
			`{"reports":[{"sessionId":"` + fbSession1 + `","categories":["identity_theft"],"comment":"same face, other names"},` +
				`{"sessionId":"` + fbSession2 + `","categories":["document_forgery","synthetic_identity"],"comment":null}]}`},
		{"retrieve reports", http.MethodPost, "/v1/feedback/fraud-reports/retrieve", "api/fraud_reports_retrieve.json",
			func(f *FeedbackClient) error {
				_, err := f.FraudReports(context.Background(), fbSession1, fbSession2)
				return err
			},
			`{"sessionIds":["` + fbSession1 + `","` + fbSession2 + `"]}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, mt := setupFeedback(t)
			rec := newRecorder(mt, reply(200, fixture(t, tt.fixture)))
			require.NoError(t, tt.call(f))
			got := rec.last(t)
			assert.Equal(t, tt.method, got.method)
			assert.Equal(t, tt.path, got.path)
			assert.Equal(t, tt.wantBody, string(got.body))
			assert.Equal(t, testAPIKey, got.header.Get("VRF-AUTH-CLIENT"))
			// A GET signs the full path alone, a POST the path, "\n", the body.
			signed := tt.path
			if tt.method == http.MethodPost {
				signed += "\n" + tt.wantBody
			}
			assert.Equal(t, Sign(testSecret, []byte(signed)), got.header.Get("VRF-HMAC-SIGNATURE"))
			assert.Empty(t, got.header.Get("X-AUTH-CLIENT"), "the Feedback API has its own headers")
			assert.Empty(t, got.header.Get("X-HMAC-SIGNATURE"))
		})
	}
}

func TestFeedbackParse(t *testing.T) {
	ctx := context.Background()
	t.Run("categories as strings", func(t *testing.T) {
		f, mt := setupFeedback(t)
		newRecorder(mt, reply(200, fixture(t, "api/fraud_categories.json")))
		cats, err := f.FraudCategories(ctx)
		require.NoError(t, err)
		assert.Equal(t, []string{"identity_theft", "synthetic_identity", "document_forgery", "account_takeover"}, cats)
	})
	t.Run("categories as objects in a bare array", func(t *testing.T) {
		f, mt := setupFeedback(t)
		newRecorder(mt, reply(200, fixture(t, "api/fraud_categories_objects.json")))
		cats, err := f.FraudCategories(ctx)
		require.NoError(t, err)
		assert.Equal(t, []string{"identity_theft", "money_mule", "deepfake"}, cats)
	})
	t.Run("partial success is a result", func(t *testing.T) {
		f, mt := setupFeedback(t)
		newRecorder(mt, reply(200, fixture(t, "api/fraud_reports_partial.json")))
		res, err := f.ReportFraud(ctx, []FraudReport{{SessionID: fbSession1, Categories: []string{"identity_theft"}}})
		require.NoError(t, err)
		require.Len(t, res, 3)
		assert.True(t, res[0].Reported())
		assert.Equal(t, "rep-7001", res[0].ReportID)
		assert.Equal(t, fbSession1, res[0].SessionID)
		assert.False(t, res[1].Reported())
		assert.Equal(t, FraudReportError, res[1].Status)
		assert.Equal(t, "Session not found", res[1].Details)
		assert.JSONEq(t, `{"field":"categories","reason":"unknown category"}`, res[2].Details)
		assert.Contains(t, string(res[2].Raw), `"details"`)
	})
	t.Run("retrieve found and not found", func(t *testing.T) {
		f, mt := setupFeedback(t)
		newRecorder(mt, reply(200, fixture(t, "api/fraud_reports_retrieve.json")))
		st, err := f.FraudReports(ctx, fbSession1, "aaaaaaaa-0000-4000-8000-000000000009")
		require.NoError(t, err)
		require.Len(t, st, 2)
		assert.True(t, st[0].Found())
		assert.Contains(t, string(st[0].Details), "rep-7001")
		assert.False(t, st[1].Found())
		assert.Equal(t, FraudReportNotFound, st[1].Status)
		assert.Equal(t, "No fraud reports for this session", st[1].ErrorMessage)
	})
	t.Run("an error answer is an APIError", func(t *testing.T) {
		f, mt := setupFeedback(t)
		newRecorder(mt, reply(401, fixture(t, "core/error_401_1818.json")))
		_, err := f.FraudCategories(ctx)
		require.ErrorIs(t, err, ErrUnauthorized)
	})
}

func TestFeedbackRefusesBadInput(t *testing.T) {
	ctx := context.Background()
	eleven := make([]string, 11)
	for i := range eleven {
		eleven[i] = fbSession1
	}
	tests := []struct {
		name string
		call func(f *FeedbackClient) error
		want string
	}{
		{"no session IDs", func(f *FeedbackClient) error { _, err := f.FraudReports(ctx); return err }, "1 to 10"},
		{"eleven session IDs", func(f *FeedbackClient) error { _, err := f.FraudReports(ctx, eleven...); return err }, "1 to 10"},
		{"bad session ID", func(f *FeedbackClient) error { _, err := f.FraudReports(ctx, fbSession1, "a/b"); return err }, "sessionIDs"},
		{"no reports", func(f *FeedbackClient) error { _, err := f.ReportFraud(ctx, nil); return err }, "no report"},
		{"report with bad session", func(f *FeedbackClient) error {
			_, err := f.ReportFraud(ctx, []FraudReport{{SessionID: "", Categories: []string{"x"}}})
			return err
		}, "FraudReport.SessionID"},
		{"report without category", func(f *FeedbackClient) error {
			_, err := f.ReportFraud(ctx, []FraudReport{{SessionID: fbSession1}})
			return err
		}, "no category"},
		{"empty category", func(f *FeedbackClient) error {
			_, err := f.ReportFraud(ctx, []FraudReport{{SessionID: fbSession1, Categories: []string{"a", " "}}})
			return err
		}, "empty"},
		{"duplicate category", func(f *FeedbackClient) error {
			_, err := f.ReportFraud(ctx, []FraudReport{{SessionID: fbSession1, Categories: []string{"a", "b"}}, {SessionID: fbSession2, Categories: []string{"a", "a"}}})
			return err
		}, "report 1 names a category twice"},
		{"overlong comment", func(f *FeedbackClient) error {
			_, err := f.ReportFraud(ctx, []FraudReport{{SessionID: fbSession1, Categories: []string{"a"}, Comment: strings.Repeat("x", 10001)}})
			return err
		}, "comment"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, mt := setupFeedback(t)
			err := tt.call(f)
			require.ErrorIs(t, err, ErrInvalidInput)
			assert.Contains(t, err.Error(), tt.want)
			assert.Zero(t, mt.GetTotalCallCount())
		})
	}
}
