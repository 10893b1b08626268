package veriff

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strings"
)

// DefaultFeedbackBaseURL is the host of Veriff's Feedback API.
const DefaultFeedbackBaseURL = "https://feedback.api.veriff.com"

// feedbackAuth is the Feedback API's authentication: its own header names,
// and HMAC-SHA256 over the full request path ("/v1/feedback/..."): a POST
// signs the path, a line break, then the body; a GET signs the path alone,
// with no line break. How sure: both rules are read from Veriff's
// fraud-reporting docs, a primary source ([P] in the wire notes); the
// HMAC page's own copy of the GET rule was cut off, and no live Feedback
// API call has confirmed either.
var feedbackAuth = &authScheme{
	keyHdr:     "VRF-AUTH-CLIENT",
	sigHdr:     "VRF-HMAC-SIGNATURE",
	baseURL:    DefaultFeedbackBaseURL,
	pathSigned: true,
}

// Limits of the Feedback API's inputs.
const (
	MaxFraudReportSessionIDs = 10
	maxFraudCategoryLen      = 256
	maxFraudCommentLen       = 10000
)

// FraudReportState is the status of one item of a Feedback API answer:
// FraudReportResult.Status and FraudReportStatus.Status (an open set).
type FraudReportState string

// The states the Feedback API documents.
const (
	// FraudReportReported: the report was recorded (ReportID is set).
	FraudReportReported FraudReportState = "reported"
	// FraudReportError: that one report was refused (Details says why).
	FraudReportError FraudReportState = "error"
	// FraudReportFound: FraudReports found reports for the session.
	FraudReportFound FraudReportState = "FOUND"
	// FraudReportNotFound: FraudReports found none (ErrorMessage says why).
	FraudReportNotFound FraudReportState = "NOT_FOUND"
)

// FeedbackClient calls Veriff's Feedback API (fraud reports on sessions).
// It runs on the same request path as Client (retries, typed errors,
// options) with the Feedback API's own signing: the VRF-AUTH-CLIENT and
// VRF-HMAC-SIGNATURE headers, the signature being HMAC-SHA256 over the
// request path ("/v1/feedback/..."), then, for a POST, a line break and
// the body (a GET signs the path alone). It is safe for concurrent use.
type FeedbackClient struct {
	c *Client
}

// NewFeedbackClient returns a client of the Feedback API for the
// integration's API key and shared secret. The default base URL is
// https://feedback.api.veriff.com; every Option of NewClient applies.
func NewFeedbackClient(apiKey, sharedSecret string, opts ...Option) (*FeedbackClient, error) {
	if err := checkCredentials(apiKey, sharedSecret); err != nil {
		return nil, err
	}
	c, err := newClient(apiKey, newSigner(sharedSecret), feedbackAuth, opts)
	if err != nil {
		return nil, err
	}
	return &FeedbackClient{c: c}, nil
}

// BaseURL returns the API root the client calls, ending in "/v1".
func (f *FeedbackClient) BaseURL() string { return f.c.BaseURL() }

// Execute calls a Feedback API endpoint this package does not model, as
// Client.Execute does (SignedID is not needed: every call is signed over
// its path and body).
//
// Veriff API: any call of the Feedback API
func (f *FeedbackClient) Execute(ctx context.Context, r RawRequest, out any) error {
	return f.c.Execute(ctx, r, out)
}

// FraudCategories lists the fraud categories a report may name.
//
// Veriff API: GET /v1/feedback/fraud-categories
func (f *FeedbackClient) FraudCategories(ctx context.Context) ([]string, error) {
	var l categoryList
	if err := f.c.do(ctx, &request{method: http.MethodGet, path: "/feedback/fraud-categories"}, &l); err != nil {
		return nil, err
	}
	return l, nil
}

// FraudReport reports one session as fraudulent.
type FraudReport struct {
	SessionID string
	// Categories are one or more of FraudCategories, each once.
	Categories []string
	// Comment is optional; empty is sent as null.
	Comment string
}

// FraudReportResult is Veriff's answer to one FraudReport. A call may
// record some reports and refuse others: that is a normal result, not an
// error, so check each Status.
type FraudReportResult struct {
	SessionID string `json:"sessionId"`
	// Status is FraudReportReported or FraudReportError.
	Status FraudReportState `json:"status"`
	// ReportID identifies a recorded report.
	ReportID string `json:"reportId,omitempty"`
	// Details explains a refused report (JSON text when it was not a string).
	Details string `json:"-"`
	// Raw is the item as received.
	Raw json.RawMessage `json:"-"`
}

// Reported reports whether the report was recorded.
func (r *FraudReportResult) Reported() bool {
	return strings.EqualFold(string(r.Status), string(FraudReportReported))
}

// UnmarshalJSON decodes the item leniently, keeping it in Raw.
func (r *FraudReportResult) UnmarshalJSON(data []byte) error { return decodeLenient(data, r) }

// afterDecode reads details, which Veriff may send as text or as JSON.
func (r *FraudReportResult) afterDecode(obj []byte) {
	var aux struct {
		Details json.RawMessage `json:"details"`
	}
	if json.Unmarshal(obj, &aux) == nil {
		r.Details = detailsText(aux.Details)
	}
}

// FraudReportStatus is what FraudReports knows of one session.
type FraudReportStatus struct {
	SessionID string `json:"sessionId"`
	// Status is FraudReportFound or FraudReportNotFound.
	Status FraudReportState `json:"status"`
	// Details holds the reports of a FOUND session, as received.
	Details json.RawMessage `json:"details,omitempty"`
	// ErrorMessage explains a NOT_FOUND session.
	ErrorMessage string `json:"errorMessage,omitempty"`
	// Raw is the item as received.
	Raw json.RawMessage `json:"-"`
}

// Found reports whether the session has fraud reports.
func (s *FraudReportStatus) Found() bool {
	return strings.EqualFold(string(s.Status), string(FraudReportFound))
}

// UnmarshalJSON decodes the item leniently, keeping it in Raw.
func (s *FraudReportStatus) UnmarshalJSON(data []byte) error { return decodeLenient(data, s) }

// afterDecode drops a null details.
func (s *FraudReportStatus) afterDecode([]byte) {
	if bytes.Equal(bytes.TrimSpace(s.Details), []byte("null")) {
		s.Details = nil
	}
}

// ReportFraud reports sessions as fraudulent, one FraudReport each. Each
// report is checked before anything is sent (a valid session ID, at least
// one category, each non-empty and given once). The answer has one result
// per report; a refused report is a result with Status FraudReportError,
// not an error of the call.
//
// Veriff API: POST /v1/feedback/fraud-reports
func (f *FeedbackClient) ReportFraud(ctx context.Context, reports []FraudReport) ([]FraudReportResult, error) {
	body, err := fraudReportBody(reports)
	if err != nil {
		return nil, err
	}
	var l itemList[FraudReportResult]
	if err := f.c.do(ctx, &request{method: http.MethodPost, path: "/feedback/fraud-reports", body: body}, &l); err != nil {
		return nil, err
	}
	return l, nil
}

// FraudReports returns what the Feedback API knows of 1 to 10 sessions,
// one FraudReportStatus each; an unknown session is a NOT_FOUND status,
// not an error.
//
// Veriff API: POST /v1/feedback/fraud-reports/retrieve
func (f *FeedbackClient) FraudReports(ctx context.Context, sessionIDs ...string) ([]FraudReportStatus, error) {
	if n := len(sessionIDs); n == 0 || n > MaxFraudReportSessionIDs {
		return nil, invalidInput("sessionIDs", "%d session IDs: give 1 to %d", n, MaxFraudReportSessionIDs)
	}
	for _, id := range sessionIDs {
		if err := validateID("sessionIDs", id); err != nil {
			return nil, err
		}
	}
	body := struct {
		SessionIDs []string `json:"sessionIds"`
	}{sessionIDs}
	var l itemList[FraudReportStatus]
	if err := f.c.do(ctx, &request{method: http.MethodPost, path: "/feedback/fraud-reports/retrieve", body: body}, &l); err != nil {
		return nil, err
	}
	return l, nil
}

type fraudReportWire struct {
	SessionID  string   `json:"sessionId"`
	Categories []string `json:"categories"`
	Comment    *string  `json:"comment"`
}

// fraudReportBody checks reports and returns the request body.
func fraudReportBody(reports []FraudReport) (any, error) {
	if len(reports) == 0 {
		return nil, invalidInput("reports", "no report")
	}
	out := make([]fraudReportWire, len(reports))
	for i, r := range reports {
		if err := validateID("FraudReport.SessionID", r.SessionID); err != nil {
			return nil, err
		}
		if len(r.Categories) == 0 {
			return nil, invalidInput("FraudReport.Categories", "report %d has no category", i)
		}
		seen := make(map[string]bool, len(r.Categories))
		for _, cat := range r.Categories {
			switch {
			case strings.TrimSpace(cat) == "" || hasControl(cat) || len(cat) > maxFraudCategoryLen:
				return nil, invalidInput("FraudReport.Categories", "report %d has an empty, overlong or malformed category", i)
			case seen[cat]:
				return nil, invalidInput("FraudReport.Categories", "report %d names a category twice", i)
			}
			seen[cat] = true
		}
		if len(r.Comment) > maxFraudCommentLen {
			return nil, invalidInput("FraudReport.Comment", "report %d: comment longer than %d bytes", i, maxFraudCommentLen)
		}
		out[i] = fraudReportWire{SessionID: r.SessionID, Categories: r.Categories}
		if r.Comment != "" {
			c := r.Comment
			out[i].Comment = &c
		}
	}
	return struct {
		Reports []fraudReportWire `json:"reports"`
	}{out}, nil
}

// itemList decodes a list of T sent bare or inside an object under one of
// listKeys (Veriff's envelopes vary by endpoint and version).
type itemList[T any] []T

var listKeys = []string{"certificates", "reports", "results", "items", "data", "sessions"}

// UnmarshalJSON decodes the list from a bare array or an envelope.
func (l *itemList[T]) UnmarshalJSON(data []byte) error { return l.decodeSelf(data) }

// unwrap returns the list (nil when the answer had none).
func (l *itemList[T]) unwrap() []T { return *l }

func (l *itemList[T]) decodeSelf(data []byte) error {
	data = bytes.TrimSpace(data)
	if len(data) > 0 && data[0] == '[' {
		return decodeLenient(data, (*[]T)(l))
	}
	var env map[string]json.RawMessage
	if err := decodeLenient(data, &env); err != nil {
		return err
	}
	for _, k := range listKeys {
		if v, ok := env[k]; ok && len(bytes.TrimSpace(v)) > 0 && bytes.TrimSpace(v)[0] == '[' {
			return decodeLenient(v, (*[]T)(l))
		}
	}
	return nil
}

// categoryList decodes the fraud categories: strings, or objects naming
// one, bare or under "categories", "fraudCategories" or "data".
type categoryList []string

func (l *categoryList) UnmarshalJSON(data []byte) error { return l.decodeSelf(data) }

func (l *categoryList) decodeSelf(data []byte) error {
	data = bytes.TrimSpace(data)
	var items []json.RawMessage
	if len(data) > 0 && data[0] == '[' {
		if err := json.Unmarshal(data, &items); err != nil {
			return err
		}
	} else {
		var env map[string]json.RawMessage
		if err := decodeLenient(data, &env); err != nil {
			return err
		}
		for _, k := range []string{"categories", "fraudCategories", "data"} {
			if v, ok := env[k]; ok && json.Unmarshal(v, &items) == nil && items != nil {
				break
			}
		}
	}
	for _, it := range items {
		var s string
		if json.Unmarshal(it, &s) == nil {
			*l = append(*l, s)
			continue
		}
		var o struct{ Name, Category, ID, Code string }
		if json.Unmarshal(it, &o) == nil {
			for _, v := range []string{o.Name, o.Category, o.Code, o.ID} {
				if v != "" {
					*l = append(*l, v)
					break
				}
			}
		}
	}
	return nil
}

// detailsText renders a details value: a string as is, anything else as
// its JSON text, null as "".
func detailsText(raw json.RawMessage) string {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || bytes.Equal(raw, []byte("null")) {
		return ""
	}
	if s, ok := jsonText(raw); ok {
		return s
	}
	return string(raw)
}
