package verifftest

// This file holds the session state, the API v1 routes, and session create, submit and delete.

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/veriffgo/veriff"
	"github.com/veriffgo/veriff/internal/fake"
	"github.com/veriffgo/veriff/internal/ids"
)

// session is the server's state of one verification session.
type session struct {
	seq           int64
	id            string
	token         string
	status        veriff.SessionStatus
	createdAt     time.Time
	vendorData    *string
	endUserID     *string
	callback      string
	person        fake.Person
	document      fake.Document
	address       string
	ineConsent    bool
	integrationID string
	clientIP      string
	// technicalExtra holds keys SetTechnicalData adds to technicalData.
	technicalExtra map[string]any
	verification   json.RawMessage // as sent on creation
	attempts       []*attempt      // oldest first; the last is the current one
	newAttempt     bool            // resubmission requested: the next upload or submit opens an attempt
	decision       []byte          // body of GET /decision once decided
	ine            *veriff.INERegistryResult
	ineBiometric   *veriff.INEBiometricRegistryValidation
	collected      []json.RawMessage
	canceledAt     time.Time // the person last left the hosted flow with its cancel control
}

type attempt struct {
	id          string
	sessionID   string
	status      veriff.SessionStatus
	createdAt   time.Time
	media       []*mediaItem
	startedSent bool
	submittedAt time.Time
}

type mediaItem struct {
	id, name, mimeType  string
	sessionID, attempID string
	context             veriff.MediaContext
	data                []byte // the content in memory; nil when onDisk or dropped (storage.go)
	size                int
	onDisk              bool // the content is in the data directory
	dropped             bool // the content was dropped to bound memory
	uploadedAt          time.Time
}

type createIn struct {
	Callback *string        `json:"callback"`
	Person   *fake.Person   `json:"person"`
	Document *fake.Document `json:"document"`
	Address  *struct {
		FullAddress string `json:"fullAddress"`
	} `json:"address"`
	VendorData json.RawMessage `json:"vendorData"`
	EndUserID  *string         `json:"endUserId"`
	Consents   []struct {
		Type     string `json:"type"`
		Approved *bool  `json:"approved"`
	} `json:"consents"`
}

func (s *Server) routes() {
	s.handle("POST /v1/sessions", s.createSession)
	s.mux.HandleFunc("OPTIONS /v1/sessions", s.sessionsPreflight)
	s.handle("PATCH /v1/sessions/{id}", s.withSession(s.patchSession))
	s.handle("DELETE /v1/sessions/{id}", s.withSession(s.deleteSession))
	s.handle("POST /v1/sessions/{id}/media", s.uploadMedia)
	s.handle("GET /v1/sessions/{id}/media", s.withSession(s.sessionMedia))
	s.handle("GET /v1/attempts/{id}/media", s.attemptMedia)
	s.handle("GET /v1/media/{id}", s.downloadMedia)
	s.handle("GET /v1/sessions/{id}/decision", s.withSession(s.getDecision))
	s.handle("GET /v1/sessions/{id}/decision/ine-registry", s.withLegacyRegistry(s.withRegistry(s.ineRegistry)))
	s.handle("GET /v1/sessions/{id}/decision/curp-registry", s.withLegacyRegistry(s.withRegistry(s.curpRegistry)))
	s.handle("GET /v1/sessions/{id}/decision/combined-ine-curp-registry", s.withLegacyRegistry(s.withRegistry(s.combinedRegistry)))
	s.handle("GET /v1/sessions/{id}/person", s.withSession(s.person))
	s.handle("GET /v1/sessions/{id}/attempts", s.withSession(s.listAttempts))
	s.handle("GET /v1/sessions/{id}/watchlist-screening", s.withSession(s.watchlist))
	s.handle("POST /v1/sessions/{id}/collected-data", s.withSession(s.collectedData))
	s.routesAPI()
	s.mux.HandleFunc("/v1/", func(w http.ResponseWriter, r *http.Request) {
		s.fail(w, http.StatusNotFound, "", "Not found")
	})
	s.pageRoutes()
}

// decodeVerification reads {"verification":{...}} into out: 1102 when the
// body is not JSON or has no verification object, 1104 for wrongly typed
// fields. It answers the error itself and reports whether it succeeded.
func (s *Server) decodeVerification(w http.ResponseWriter, body []byte, out any) bool {
	var env struct {
		Verification json.RawMessage `json:"verification"`
	}
	if err := json.Unmarshal(body, &env); err != nil {
		s.fail(w, http.StatusBadRequest, "1102", "Mandatory parameters are missing from the request: the body is not a JSON object.")
		return false
	}
	v := bytes.TrimSpace(env.Verification)
	if len(v) == 0 || v[0] != '{' {
		s.fail(w, http.StatusBadRequest, "1102", "Mandatory parameters are missing from the request: verification.")
		return false
	}
	if err := json.Unmarshal(v, out); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			s.fail(w, http.StatusBadRequest, "1104", "Request includes invalid parameters: "+te.Field+".")
			return false
		}
		s.fail(w, http.StatusBadRequest, "1102", "Mandatory parameters are missing from the request.")
		return false
	}
	return true
}

func validDate(s string) bool {
	if s == "" {
		return true
	}
	_, err := time.Parse("2006-01-02", s)
	return err == nil
}

// checkCreate checks what POST /v1/sessions sent, as Veriff does, and
// returns its vendorData and whether it carries the approved INE consent;
// it answers the refusal itself and reports whether the session may be
// created.
func (s *Server) checkCreate(w http.ResponseWriter, in *createIn) (vendorData *string, ine bool, ok bool) {
	if v := bytes.TrimSpace(in.VendorData); len(v) > 0 && string(v) != "null" {
		var str string
		if err := json.Unmarshal(v, &str); err != nil {
			s.fail(w, http.StatusBadRequest, "1501", "Vendor data must be a string.")
			return nil, false, false
		}
		if utf8.RuneCountInString(str) > 1000 {
			s.fail(w, http.StatusBadRequest, "1500", "Vendor data cannot be more than 1000 characters.")
			return nil, false, false
		}
		vendorData = &str
	}
	if in.Person != nil && !validDate(in.Person.DateOfBirth) {
		s.fail(w, http.StatusBadRequest, "1203", "Invalid ISO 8601 date: person.dateOfBirth must be YYYY-MM-DD.")
		return nil, false, false
	}
	if in.Document != nil && !validDate(in.Document.FirstIssue) {
		s.fail(w, http.StatusBadRequest, "1203", "Invalid ISO 8601 date: document.firstIssue must be YYYY-MM-DD.")
		return nil, false, false
	}
	for _, c := range in.Consents {
		if strings.EqualFold(c.Type, "ine") {
			if c.Approved == nil || !*c.Approved {
				s.fail(w, http.StatusBadRequest, "1104", "Request includes invalid parameters: the ine consent must be approved.")
				return nil, false, false
			}
			ine = true
		}
	}
	return vendorData, ine, true
}

// POST /v1/sessions
func (s *Server) createSession(w http.ResponseWriter, r *http.Request, body []byte) {
	var in createIn
	if !s.decodeVerification(w, body, &in) {
		return
	}
	vendorData, ine, ok := s.checkCreate(w, &in)
	if !ok {
		return
	}
	var env struct {
		Verification json.RawMessage `json:"verification"`
	}
	_ = json.Unmarshal(body, &env)

	now := time.Now().UTC()
	ss := &session{
		id:            ids.NewUUID(),
		status:        veriff.StatusCreated,
		createdAt:     now,
		vendorData:    vendorData,
		endUserID:     in.EndUserID,
		ineConsent:    ine,
		integrationID: r.Header.Get("vrf-integration-id"),
		clientIP:      remoteIP(r),
		verification:  append(json.RawMessage(nil), bytes.TrimSpace(env.Verification)...),
	}
	if in.Callback != nil {
		ss.callback = *in.Callback
	}
	if in.Person != nil {
		ss.person = *in.Person
	}
	if in.Document != nil {
		ss.document = *in.Document
	}
	if in.Address != nil {
		ss.address = in.Address.FullAddress
	}
	ss.token = sessionToken(ss.id)
	ss.attempts = []*attempt{{id: ids.NewUUID(), sessionID: ss.id, status: veriff.StatusCreated, createdAt: now}}

	s.mu.Lock()
	s.seq++
	ss.seq = s.seq
	s.sessions[ss.id] = ss
	s.byToken[ss.token] = ss
	s.attempts[ss.attempts[0].id] = ss.attempts[0]
	resp := s.sessionResponse(ss, s.baseFor(r))
	s.mu.Unlock()
	s.writeJSON(w, http.StatusCreated, resp)
}

type sessionOut struct {
	ID           string  `json:"id"`
	URL          string  `json:"url"`
	VendorData   *string `json:"vendorData"`
	Host         string  `json:"host"`
	Status       string  `json:"status"`
	SessionToken string  `json:"sessionToken"`
}

// sessionResponse is the answer of POST and PATCH, with URLs under base;
// s.mu must be held.
func (s *Server) sessionResponse(ss *session, base string) any {
	return struct {
		Status       string     `json:"status"`
		Verification sessionOut `json:"verification"`
	}{"success", sessionOut{
		ID:           ss.id,
		URL:          base + "/v/" + ss.token,
		VendorData:   ss.vendorData,
		Host:         base,
		Status:       string(ss.status),
		SessionToken: ss.token,
	}}
}

// lookup returns the session of the path, or answers 404; s.mu must be held.
func (s *Server) lookup(w http.ResponseWriter, r *http.Request) *session {
	ss := s.sessions[r.PathValue("id")]
	if ss == nil {
		s.fail(w, http.StatusNotFound, "", "Session not found.")
	}
	return ss
}

// sessionHandler serves a request about the session of the path's {id},
// with s.mu held.
type sessionHandler func(w http.ResponseWriter, r *http.Request, body []byte, ss *session)

// withSession serves h with s.mu held on the session of the path's {id},
// or answers 404.
func (s *Server) withSession(h sessionHandler) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request, body []byte) {
		s.mu.Lock()
		defer s.mu.Unlock()
		if ss := s.lookup(w, r); ss != nil {
			h(w, r, body, ss)
		}
	}
}

// withRegistry is withSession for the registry queries: 400 1102 without
// the version query parameter, and 404 also while the registry has no
// answer yet (see registryReady).
func (s *Server) withRegistry(h sessionHandler) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request, body []byte) {
		if r.URL.Query().Get("version") == "" {
			s.fail(w, http.StatusBadRequest, "1102", "Mandatory parameters are missing from the request: version.")
			return
		}
		s.withSession(func(w http.ResponseWriter, r *http.Request, body []byte, ss *session) {
			if !registryReady(ss) {
				s.fail(w, http.StatusNotFound, "", "Registry result not found: the session is not decided yet.")
				return
			}
			h(w, r, body, ss)
		})(w, r, body)
	}
}

// writeSuccess answers Veriff's bare success envelope, {"status":"success"}.
func (s *Server) writeSuccess(w http.ResponseWriter) {
	s.writeJSON(w, http.StatusOK, struct {
		Status string `json:"status"`
	}{"success"})
}

// open reports whether media and submission are still accepted.
func (ss *session) open() bool {
	switch ss.status {
	case veriff.StatusCreated, veriff.StatusStarted, veriff.StatusResubmissionRequested:
		return true
	}
	return false
}

// current returns the attempt that uploads and submission apply to,
// opening a new one after a resubmission request; s.mu must be held.
func (s *Server) current(ss *session) *attempt {
	if ss.newAttempt {
		ss.newAttempt = false
		a := &attempt{id: ids.NewUUID(), sessionID: ss.id, status: veriff.StatusCreated, createdAt: time.Now().UTC()}
		ss.attempts = append(ss.attempts, a)
		s.attempts[a.id] = a
	}
	return ss.attempts[len(ss.attempts)-1]
}

// PATCH /v1/sessions/{id}
func (s *Server) patchSession(w http.ResponseWriter, r *http.Request, body []byte, ss *session) {
	var in struct {
		Status *string `json:"status"`
	}
	if !s.decodeVerification(w, body, &in) {
		return
	}
	if in.Status == nil || *in.Status == "" {
		s.fail(w, http.StatusBadRequest, "1102", "Mandatory parameters are missing from the request: verification.status.")
		return
	}
	if *in.Status != string(veriff.StatusSubmitted) {
		s.fail(w, http.StatusBadRequest, "1303", "Invalid status.")
		return
	}
	if !ss.open() {
		s.fail(w, http.StatusConflict, "1304", `Cannot transition to "submitted" status.`)
		return
	}
	// Veriff answers the submit itself with "submitted"; a decision comes
	// later, by webhook or query.
	resp := s.sessionResponse(s.submitLocked(ss), s.baseFor(r))
	s.writeJSON(w, http.StatusOK, resp)
}

// submitLocked submits the open session ss: event 7002, then the decision
// of the firstName trick or of AutoDecide. It returns a copy of the
// session as submitted, before any decision, for the answer; s.mu must be
// held.
func (s *Server) submitLocked(ss *session) *session {
	a := s.current(ss)
	a.status = veriff.StatusSubmitted
	a.submittedAt = time.Now().UTC()
	ss.status = veriff.StatusSubmitted
	s.sendEvent(ss, a, 7002, "submitted")
	submitted := *ss
	status := s.autoDecide
	if t := trickStatus(ss.person.FirstName); t != "" {
		status = t
	}
	if status != "" {
		// An unsupported AutoDecide status leaves the session submitted.
		_ = s.decideLocked(ss, status, 0)
	}
	return &submitted
}

// trickStatus is the decision Veriff's test integrations make for a
// person.firstName of "Approve", "Decline" or "Resubmit", or "".
func trickStatus(firstName string) veriff.SessionStatus {
	switch strings.ToLower(strings.TrimSpace(firstName)) {
	case "approve":
		return veriff.StatusApproved
	case "decline":
		return veriff.StatusDeclined
	case "resubmit":
		return veriff.StatusResubmissionRequested
	}
	return ""
}

// DELETE /v1/sessions/{id}
func (s *Server) deleteSession(w http.ResponseWriter, _ *http.Request, _ []byte, ss *session) {
	var final veriff.SessionStatus
	switch ss.status {
	case veriff.StatusCreated:
		final = veriff.StatusExpired
	case veriff.StatusStarted, veriff.StatusResubmissionRequested:
		final = veriff.StatusAbandoned
	case veriff.StatusApproved, veriff.StatusDeclined, veriff.StatusExpired,
		veriff.StatusAbandoned, veriff.StatusReview:
	default:
		s.fail(w, http.StatusConflict, "1304", "Session is not in a completed status.")
		return
	}
	if final != "" {
		// Veriff tells the integration that the session will not complete.
		_ = s.decideLocked(ss, final, 0)
	}
	for _, a := range ss.attempts {
		for _, m := range a.media {
			s.forgetMediaLocked(m)
		}
		delete(s.attempts, a.id)
	}
	delete(s.sessions, ss.id)
	delete(s.byToken, ss.token)
	s.writeSuccess(w)
}

// sessionToken returns a JWT-like opaque token, as Veriff's sessionToken.
func sessionToken(id string) string {
	enc := base64.RawURLEncoding
	var sig [32]byte
	_, _ = rand.Read(sig[:])
	head := enc.EncodeToString([]byte(`{"alg":"HS256","typ":"JWT"}`))
	body := enc.EncodeToString([]byte(`{"session_id":"` + id + `","iat":` + fmt.Sprint(time.Now().Unix()) + `}`))
	return head + "." + body + "." + enc.EncodeToString(sig[:])
}

func remoteIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// formatTime formats t as Veriff does: ISO 8601, UTC, microseconds.
func formatTime(t time.Time) string {
	return t.UTC().Format("2006-01-02T15:04:05.000000Z")
}
