package verifftest

// This file holds the newer API v1 endpoints: watchlist screening, certificates, NFC documents.

import (
	"bytes"
	"encoding/json"
	"net/http"
	"time"

	"github.com/veriffgo/veriff"
	"github.com/veriffgo/veriff/internal/ids"
)

// apiState is what the newer endpoints keep per session (watchlist
// reviews, monitoring, fraud reports). Guarded by Server.mu.
type apiState struct {
	monitor map[string]string           // session ID → monitorStatus
	hits    map[string][]*watchlistHit  // session ID → hits
	reports map[string][]map[string]any // session ID → fraud reports
	seq     int
}

type watchlistHit struct {
	ID          string  `json:"id"`
	MatchedName string  `json:"matchedName"`
	MatchStatus string  `json:"matchStatus"`
	RiskLevel   *string `json:"riskLevel"`
	Whitelisted bool    `json:"isWhitelisted"`
}

// api returns the state of the newer endpoints; s.mu must be held.
func (s *Server) api() *apiState {
	if s.apiSt == nil {
		s.apiSt = &apiState{monitor: map[string]string{}, hits: map[string][]*watchlistHit{}, reports: map[string][]map[string]any{}}
	}
	return s.apiSt
}

// routesAPI registers the newer endpoints: the watchlist PATCH, the
// certificates, and the Feedback API (under /v1/feedback on the same
// server, with the Feedback API's own authentication).
func (s *Server) routesAPI() {
	s.handle("PATCH /v1/sessions/{id}/watchlist-screening", s.patchWatchlist)
	s.handle("GET /v1/sessions/{id}/certificates", s.withSession(s.certificates))
	s.handle("GET /v1/sessions/{id}/certificates/{cert}/files/{file}", s.certificateFile)
	s.handleFeedback("GET /v1/feedback/fraud-categories", s.fraudCategories)
	s.handleFeedback("POST /v1/feedback/fraud-reports", s.reportFraud)
	s.handleFeedback("POST /v1/feedback/fraud-reports/retrieve", s.retrieveFraudReports)
}

// AddWatchlistHit adds a hit (match status potential_match) to the
// session's screening, for ReviewWatchlistHit and friends to act on.
func (s *Server) AddWatchlistHit(sessionID, hitID string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.sessions[sessionID] == nil {
		return ErrUnknownSession
	}
	st := s.api()
	st.hits[sessionID] = append(st.hits[sessionID], &watchlistHit{ID: hitID, MatchedName: "Example Listed Person", MatchStatus: string(veriff.HitPotentialMatch)})
	return nil
}

// withWatchlistState adds to a GET watchlist-screening data object what
// the PATCH operations changed: monitorStatus and the hits; s.mu must be
// held.
func (s *Server) withWatchlistState(sessionID string, data map[string]any) map[string]any {
	st := s.api()
	data["monitorStatus"] = "enabled"
	if m := st.monitor[sessionID]; m != "" {
		data["monitorStatus"] = m
	}
	if hits := st.hits[sessionID]; len(hits) > 0 {
		data["hits"], data["totalHits"], data["matchStatus"] = hits, len(hits), "possible_match"
	}
	return data
}

// PATCH /v1/sessions/{id}/watchlist-screening: exactly one operation.
func (s *Server) patchWatchlist(w http.ResponseWriter, r *http.Request, body []byte) {
	var ops map[string]json.RawMessage
	if json.Unmarshal(body, &ops) != nil {
		s.fail(w, http.StatusBadRequest, "1102", "The body is not a JSON object.")
		return
	}
	if len(ops) != 1 {
		s.fail(w, http.StatusBadRequest, "1104", "Exactly one operation is allowed per request.")
		return
	}
	s.withSession(func(w http.ResponseWriter, _ *http.Request, _ []byte, ss *session) {
		s.applyWatchlistOp(w, ss, ops)
	})(w, r, body)
}

// applyWatchlistOp applies the one operation of a watchlist PATCH; s.mu
// must be held.
func (s *Server) applyWatchlistOp(w http.ResponseWriter, ss *session, ops map[string]json.RawMessage) {
	st := s.api()
	if raw, ok := ops["monitorStatus"]; ok {
		var v string
		if json.Unmarshal(raw, &v) != nil || v != "disabled" {
			s.fail(w, http.StatusBadRequest, "1104", "monitorStatus must be \"disabled\".")
			return
		}
		st.monitor[ss.id] = v
		s.writeSuccess(w)
		return
	}
	raw, ok := ops["hit"]
	var in struct {
		ID          string  `json:"id"`
		MatchStatus *string `json:"matchStatus"`
		RiskLevel   *string `json:"riskLevel"`
		Whitelisted *bool   `json:"isWhitelisted"`
	}
	if !ok || json.Unmarshal(raw, &in) != nil || in.ID == "" {
		s.fail(w, http.StatusBadRequest, "1104", "Unknown operation or malformed hit.")
		return
	}
	var hit *watchlistHit
	for _, h := range st.hits[ss.id] {
		if h.ID == in.ID {
			hit = h
		}
	}
	if hit == nil {
		s.fail(w, http.StatusNotFound, "", "Hit not found.")
		return
	}
	status := hit.MatchStatus
	if in.MatchStatus != nil {
		switch veriff.HitMatchStatus(*in.MatchStatus) {
		case veriff.HitFalsePositive, veriff.HitPotentialMatch, veriff.HitTrueMatch, veriff.HitInconclusive:
			status = *in.MatchStatus
		default:
			s.fail(w, http.StatusBadRequest, "1104", "Invalid matchStatus.")
			return
		}
	}
	if in.RiskLevel != nil {
		if status != string(veriff.HitTrueMatch) {
			s.fail(w, http.StatusBadRequest, "1104", "riskLevel is allowed only for true_match hits.")
			return
		}
		if *in.RiskLevel != string(veriff.RiskLevelLow) && *in.RiskLevel != string(veriff.RiskLevelHigh) {
			s.fail(w, http.StatusBadRequest, "1104", "Invalid riskLevel.")
			return
		}
		level := *in.RiskLevel
		hit.RiskLevel = &level
	}
	hit.MatchStatus = status
	if in.Whitelisted != nil {
		hit.Whitelisted = *in.Whitelisted
	}
	s.writeSuccess(w)
}

// GET /v1/sessions/{id}/certificates: one long-term preservation
// certificate over the files of the current attempt, once there are any.
func (s *Server) certificates(w http.ResponseWriter, _ *http.Request, _ []byte, ss *session) {
	certs := []any{}
	if media := ss.attempts[len(ss.attempts)-1].media; len(media) > 0 {
		files := make([]map[string]any, 0, len(media))
		for _, m := range media {
			files = append(files, map[string]any{"id": m.id, "name": m.name, "mimetype": m.mimeType, "context": string(m.context), "size": m.size})
		}
		certs = append(certs, map[string]any{"id": certificateID(ss.id), "type": "long_term_preservation", "status": "issued",
			"createdAt": formatTime(ss.createdAt), "files": files})
	}
	s.writeJSON(w, http.StatusOK, map[string]any{"status": "success", "certificates": certs})
}

func certificateID(sessionID string) string { return "cert-" + sessionID }

// GET /v1/sessions/{id}/certificates/{cert}/files/{file}: the file, byte
// for byte, signed over the session ID like every session GET.
func (s *Server) certificateFile(w http.ResponseWriter, r *http.Request, _ []byte) {
	s.mu.Lock()
	ss := s.lookup(w, r)
	var m *mediaItem
	var data []byte
	ok := false
	if ss != nil && r.PathValue("cert") == certificateID(ss.id) {
		for _, it := range ss.attempts[len(ss.attempts)-1].media {
			if it.id == r.PathValue("file") {
				m = it
			}
		}
	}
	if m != nil {
		data, ok = s.mediaBody(m)
	}
	s.mu.Unlock()
	if ss == nil {
		return
	}
	if !ok {
		s.fail(w, http.StatusNotFound, "", "Certificate file not found.")
		return
	}
	s.writeRaw(w, http.StatusOK, m.mimeType, data)
}

// AddNFCDocument records NFC chip data read from the session's document in
// its current attempt, as Veriff's SDKs upload it: it is listed under
// nfcDocuments by SessionMedia and AttemptMedia and downloadable with
// DownloadMedia. It returns the media ID.
func (s *Server) AddNFCDocument(sessionID string, data []byte) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ss := s.sessions[sessionID]
	if ss == nil {
		return "", ErrUnknownSession
	}
	a := s.current(ss)
	m := &mediaItem{
		id: ids.NewUUID(), name: string(veriff.ContextDocumentNFC), mimeType: "application/octet-stream",
		sessionID: ss.id, attempID: a.id, context: veriff.ContextDocumentNFC, uploadedAt: time.Now(),
	}
	s.storeMediaLocked(m, bytes.Clone(data))
	a.media = append(a.media, m)
	s.media[m.id] = m
	return m.id, nil
}
