package verifftest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/veriffgo/veriff"
)

// maxAdminBody caps an admin API request body.
const maxAdminBody = 64 << 10

// adminRoutes registers the admin API under /_emulator/.
func (s *Server) adminRoutes() {
	s.admin("GET /_emulator/sessions", s.adminSessions)
	s.admin("POST /_emulator/sessions/{id}/decision", s.adminDecision)
	s.admin("PUT /_emulator/sessions/{id}/ine-registry", s.adminINERegistry)
	s.admin("GET /_emulator/deliveries", s.adminDeliveries)
	s.admin("POST /_emulator/deliveries/{n}/resend", s.adminResend)
	s.admin("POST /_emulator/faults", s.adminFaults)
	s.admin("/_emulator/", func(w http.ResponseWriter, _ *http.Request, _ []byte) {
		adminError(w, http.StatusNotFound, "no such admin API call")
	})
}

// admin registers h behind the admin API's authentication: X-AUTH-CLIENT
// must be the server's API key. The body is read (at most maxAdminBody)
// before h runs.
func (s *Server) admin(pattern string, h handlerFunc) {
	s.mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		key := r.Header.Get("X-AUTH-CLIENT")
		if key == "" || !s.keyMatches(key) {
			adminError(w, http.StatusUnauthorized, "X-AUTH-CLIENT must carry the emulator's API key")
			return
		}
		body, err := readBody(r.Body, maxAdminBody)
		if errors.Is(err, errTooLarge) {
			adminError(w, http.StatusRequestEntityTooLarge, "request body too large")
			return
		}
		if err != nil {
			adminError(w, http.StatusBadRequest, "could not read the request body")
			return
		}
		h(w, r, body)
	})
}

func adminError(w http.ResponseWriter, status int, msg string) {
	adminJSON(w, status, map[string]string{"error": msg})
}

func adminJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status, b = http.StatusInternalServerError, []byte(`{"error":"cannot encode the answer"}`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(append(b, '\n'))
}

// decodeStrict decodes one JSON object into v, refusing unknown fields and
// trailing data; it answers 400 itself and reports whether it succeeded.
func decodeStrict(w http.ResponseWriter, body []byte, v any) bool {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	if err == nil && dec.Decode(&struct{}{}) != io.EOF {
		err = errors.New("data after the JSON object")
	}
	if err != nil {
		adminError(w, http.StatusBadRequest, "invalid JSON body: "+jsonProblem(err))
		return false
	}
	return true
}

// jsonProblem says what is wrong with a body without echoing its values.
func jsonProblem(err error) string {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return "field " + strconv.Quote(te.Field) + " has the wrong type"
	}
	if msg := err.Error(); strings.HasPrefix(msg, "json: unknown field ") {
		return "unknown field " + strings.TrimPrefix(msg, "json: unknown field ")
	}
	if errors.Is(err, io.EOF) {
		return "empty body"
	}
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return fmt.Sprintf("syntax error at byte %d", se.Offset)
	}
	return "not a single JSON object"
}

// sessionSummary is one session in GET /_emulator/sessions.
type sessionSummary struct {
	ID         string          `json:"id"`
	Status     string          `json:"status"`
	VendorData *string         `json:"vendorData"`
	Decision   json.RawMessage `json:"decision"`
}

// summaryOf summarises ss; s.mu must be held.
func summaryOf(ss *session) sessionSummary {
	d := json.RawMessage("null")
	if ss.decision != nil {
		d = append(json.RawMessage(nil), ss.decision...)
	}
	return sessionSummary{ID: ss.id, Status: string(ss.status), VendorData: ss.vendorData, Decision: d}
}

// GET /_emulator/sessions: every session, oldest first.
func (s *Server) adminSessions(w http.ResponseWriter, _ *http.Request, _ []byte) {
	s.mu.Lock()
	out := []sessionSummary{}
	for _, ss := range s.sortedSessions() {
		out = append(out, summaryOf(ss))
	}
	s.mu.Unlock()
	adminJSON(w, http.StatusOK, out)
}

// POST /_emulator/sessions/{id}/decision {"status":"declined","reasonCode":102}
func (s *Server) adminDecision(w http.ResponseWriter, r *http.Request, body []byte) {
	var in struct {
		Status     *veriff.SessionStatus `json:"status"`
		ReasonCode *int                  `json:"reasonCode"`
	}
	if !decodeStrict(w, body, &in) {
		return
	}
	if in.Status == nil {
		adminError(w, http.StatusBadRequest, `"status" is required`)
		return
	}
	code := 0
	if in.ReasonCode != nil {
		code = *in.ReasonCode
	}
	if err := checkDecision(*in.Status, code, in.ReasonCode != nil); err != nil {
		adminError(w, http.StatusBadRequest, err.Error())
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	ss := s.sessions[r.PathValue("id")]
	if ss == nil {
		adminError(w, http.StatusNotFound, "unknown session")
		return
	}
	if err := s.decideLocked(ss, *in.Status, code); err != nil {
		adminError(w, http.StatusBadRequest, err.Error())
		return
	}
	adminJSON(w, http.StatusOK, summaryOf(ss))
}

// checkDecision checks a decision asked for by the admin API or the portal
// before anything changes.
func checkDecision(status veriff.SessionStatus, code int, codeGiven bool) error {
	if _, ok := decisionCodes[status]; !ok {
		return errors.New(`"status" must be one of approved, declined, resubmission_requested, review, expired, abandoned`)
	}
	if !codeGiven {
		return nil
	}
	if status != veriff.StatusDeclined && status != veriff.StatusResubmissionRequested {
		return errors.New(`"reasonCode" goes with declined or resubmission_requested only`)
	}
	if _, known := ReasonText(code); !known {
		return errors.New(`"reasonCode" is not one of Veriff's reason codes`)
	}
	return nil
}

// PUT /_emulator/sessions/{id}/ine-registry {"active":false,"documentState":"..."}
func (s *Server) adminINERegistry(w http.ResponseWriter, r *http.Request, body []byte) {
	// Spelled out, not veriff.INERegistryResult: its decoding is lenient.
	var in struct {
		Active        *bool  `json:"active"`
		DocumentState string `json:"documentState"`
		Status        string `json:"status"`
		Information   string `json:"information"`
		INEIdentifier string `json:"ineIdentifier"`
		IFEIdentifier string `json:"ifeIdentifier"`
	}
	if !decodeStrict(w, body, &in) {
		return
	}
	if in.Active == nil {
		adminError(w, http.StatusBadRequest, `"active" is required`)
		return
	}
	res := veriff.INERegistryResult{Active: *in.Active, DocumentState: in.DocumentState, Status: in.Status,
		Information: in.Information, INEIdentifier: in.INEIdentifier, IFEIdentifier: in.IFEIdentifier}
	err := s.SetINERegistry(r.PathValue("id"), res)
	switch {
	case errors.Is(err, ErrUnknownSession):
		adminError(w, http.StatusNotFound, "unknown session")
	case errors.Is(err, ErrNoINEConsent):
		adminError(w, http.StatusConflict, "the session was created without the INE consent")
	case err != nil:
		adminError(w, http.StatusBadRequest, err.Error())
	default:
		adminJSON(w, http.StatusOK, res)
	}
}

// deliverySummary is one delivery in GET /_emulator/deliveries.
type deliverySummary struct {
	N          int    `json:"n"`
	Kind       string `json:"kind"`
	SessionID  string `json:"sessionId"`
	URL        string `json:"url"`
	Attempts   int    `json:"attempts"`
	LastStatus int    `json:"lastStatus"`
	Delivered  bool   `json:"delivered"`
}

func summariesOf(ds []Delivery) []deliverySummary {
	out := []deliverySummary{}
	for _, d := range ds {
		out = append(out, deliverySummary{N: d.N, Kind: string(d.Kind), SessionID: d.SessionID,
			URL: d.URL, Attempts: d.Attempts, LastStatus: d.StatusCode, Delivered: d.Delivered})
	}
	return out
}

// GET /_emulator/deliveries: the deliveries that have ended, in that order.
func (s *Server) adminDeliveries(w http.ResponseWriter, _ *http.Request, _ []byte) {
	adminJSON(w, http.StatusOK, summariesOf(s.Deliveries()))
}

// POST /_emulator/deliveries/{n}/resend
func (s *Server) adminResend(w http.ResponseWriter, r *http.Request, _ []byte) {
	n, err := strconv.Atoi(r.PathValue("n"))
	if err != nil {
		adminError(w, http.StatusBadRequest, "the delivery number must be a positive integer")
		return
	}
	if err := s.Resend(n); err != nil {
		adminError(w, http.StatusNotFound, "unknown delivery")
		return
	}
	adminJSON(w, http.StatusOK, map[string]string{"status": "resending"})
}

// POST /_emulator/faults {"method":"POST","route":"/v1/sessions","status":500,"count":1}
func (s *Server) adminFaults(w http.ResponseWriter, _ *http.Request, body []byte) {
	var in struct {
		Fault
		Count *int `json:"count"` // absent means 1; present, 1 to 1000
	}
	if !decodeStrict(w, body, &in) {
		return
	}
	var problem string
	switch {
	case in.Method != "" && !validMethods[in.Method]:
		problem = `"method" must be GET, POST, PATCH, PUT or DELETE (or absent for any)`
	case in.Route != "" && !isAPI(in.Route):
		problem = `"route" must be a path or route pattern under /v1 (or absent for any)`
	case in.Status != 0 && (in.Status < 400 || in.Status > 599):
		problem = `"status" must be between 400 and 599`
	case in.Count != nil && (*in.Count < 1 || *in.Count > 1000):
		problem = `"count" must be between 1 and 1000`
	case in.Drop && in.DropAfterProcessing:
		problem = `"drop" and "dropAfterProcessing" exclude each other`
	}
	if problem != "" {
		adminError(w, http.StatusBadRequest, problem)
		return
	}
	if in.Count != nil {
		in.Fault.Count = *in.Count
	}
	if !s.injectFaultCapped(in.Fault, maxAdminFaults) {
		adminError(w, http.StatusBadRequest, fmt.Sprintf("%d faults are already pending: no more are taken until requests consume them", maxAdminFaults))
		return
	}
	adminJSON(w, http.StatusOK, map[string]int{"pendingFaults": s.PendingFaults()})
}

// maxAdminFaults caps the faults the admin API keeps queued at once.
const maxAdminFaults = 1000

var validMethods = map[string]bool{"GET": true, "POST": true, "PATCH": true, "PUT": true, "DELETE": true}
