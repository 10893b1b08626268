package verifftest

// This file holds the fake Feedback API (fraud reports) and NewFeedbackClient.

import (
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/veriffgo/veriff"
)

// The Feedback API: fraud categories and reports, served under
// /v1/feedback with its own authentication (see handleFeedback).

// maxFeedbackBody caps a Feedback API request body.
const maxFeedbackBody = 1 << 20

// FraudCategories are the categories the fake's Feedback API accepts.
var FraudCategories = []string{"identity_theft", "synthetic_identity", "document_forgery", "account_takeover", "money_mule"}

// handleFeedback registers h behind the Feedback API's authentication:
// VRF-AUTH-CLIENT, and VRF-HMAC-SIGNATURE = HMAC-SHA256 of the full path
// alone for a GET, of the path, a line break and the body for any other
// method (as veriff.FeedbackClient signs). Answers are signed in
// VRF-HMAC-SIGNATURE (and X-HMAC-SIGNATURE) over the body.
func (s *Server) handleFeedback(pattern string, h handlerFunc) {
	s.mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		body, ok := s.readRequest(w, r, maxFeedbackBody, "")
		if !ok {
			return
		}
		if !s.keyMatches(r.Header.Get("VRF-AUTH-CLIENT")) {
			s.fail(w, http.StatusUnauthorized, "", "Missing or unknown VRF-AUTH-CLIENT.")
			return
		}
		got, err := hex.DecodeString(r.Header.Get("VRF-HMAC-SIGNATURE"))
		signed := [][]byte{[]byte(r.URL.Path + "\n"), body}
		if r.Method == http.MethodGet {
			signed = [][]byte{[]byte(r.URL.Path)}
		}
		if err != nil || !s.macMatches(got, signed...) {
			s.fail(w, http.StatusUnauthorized, "", "VRF-HMAC-SIGNATURE does not match the HMAC-SHA256 of the path and body.")
			return
		}
		h(w, r, body)
	})
}

// writeFeedback answers v signed as the Feedback API signs its answers.
func (s *Server) writeFeedback(w http.ResponseWriter, v any) {
	b, _ := json.Marshal(v)
	w.Header().Set("VRF-HMAC-SIGNATURE", veriff.Sign(s.secret, b))
	w.Header().Set("VRF-AUTH-CLIENT", s.apiKey)
	s.writeRaw(w, http.StatusOK, "application/json", b)
}

func (s *Server) fraudCategories(w http.ResponseWriter, _ *http.Request, _ []byte) {
	s.writeFeedback(w, map[string]any{"categories": FraudCategories})
}

// POST /v1/feedback/fraud-reports: each report is judged on its own; an
// unknown session or category is an "error" item, not a failed call.
func (s *Server) reportFraud(w http.ResponseWriter, _ *http.Request, body []byte) {
	var in struct {
		Reports []struct {
			SessionID  string   `json:"sessionId"`
			Categories []string `json:"categories"`
			Comment    *string  `json:"comment"`
		} `json:"reports"`
	}
	if json.Unmarshal(body, &in) != nil || len(in.Reports) == 0 {
		s.fail(w, http.StatusBadRequest, "", "reports must be a non-empty array.")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.api()
	out := make([]map[string]any, 0, len(in.Reports))
	for _, rep := range in.Reports {
		item := map[string]any{"sessionId": rep.SessionID}
		if detail := s.checkReport(rep.SessionID, rep.Categories); detail != "" {
			item["status"], item["details"] = "error", detail
			out = append(out, item)
			continue
		}
		st.seq++
		id := fmt.Sprintf("rep-%04d", st.seq)
		item["status"], item["reportId"] = "reported", id
		st.reports[rep.SessionID] = append(st.reports[rep.SessionID], map[string]any{
			"reportId": id, "categories": rep.Categories, "comment": rep.Comment, "createdAt": formatTime(time.Now()),
		})
		out = append(out, item)
	}
	s.writeFeedback(w, map[string]any{"reports": out})
}

// checkReport returns why a report is refused, or ""; s.mu must be held.
func (s *Server) checkReport(sessionID string, cats []string) string {
	if s.sessions[sessionID] == nil {
		return "Session not found"
	}
	if len(cats) == 0 {
		return "At least one category is required"
	}
	seen := map[string]bool{}
	for _, c := range cats {
		known := false
		for _, k := range FraudCategories {
			known = known || k == c
		}
		if !known {
			return "Unknown category"
		}
		if seen[c] {
			return "Duplicate category"
		}
		seen[c] = true
	}
	return ""
}

// POST /v1/feedback/fraud-reports/retrieve: 1 to 10 session IDs.
func (s *Server) retrieveFraudReports(w http.ResponseWriter, _ *http.Request, body []byte) {
	var in struct {
		SessionIDs []string `json:"sessionIds"`
	}
	if json.Unmarshal(body, &in) != nil || len(in.SessionIDs) == 0 || len(in.SessionIDs) > 10 {
		s.fail(w, http.StatusBadRequest, "", "sessionIds must hold 1 to 10 session IDs.")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]map[string]any, 0, len(in.SessionIDs))
	for _, id := range in.SessionIDs {
		if reps := s.api().reports[id]; len(reps) > 0 {
			out = append(out, map[string]any{"sessionId": id, "status": "FOUND", "details": map[string]any{"reports": reps}})
			continue
		}
		out = append(out, map[string]any{"sessionId": id, "status": "NOT_FOUND", "errorMessage": "No fraud reports for this session"})
	}
	s.writeFeedback(w, map[string]any{"sessions": out})
}

// NewFeedbackClient returns a *veriff.FeedbackClient for this server's
// Feedback API (served under URL + "/v1/feedback"), with short retry waits.
func (s *Server) NewFeedbackClient(opts ...veriff.Option) (*veriff.FeedbackClient, error) {
	return veriff.NewFeedbackClient(s.apiKey, s.secret, s.clientOptions(opts)...)
}
