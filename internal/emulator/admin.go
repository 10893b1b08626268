package emulator

import (
	"bytes"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/veriffgo/veriff"
	"github.com/veriffgo/veriff/internal/fake"
	"github.com/veriffgo/veriff/verifftest"
)

// maxAdminBody caps an admin API request body.
const maxAdminBody = 64 << 10

// handlerFunc serves an authenticated admin request with its body.
type handlerFunc func(w http.ResponseWriter, r *http.Request, body []byte)

// adminRoutes registers the admin API under /_emulator/.
func (e *Emulator) adminRoutes() {
	e.admin("GET /_emulator/sessions", e.adminSessions)
	e.admin("POST /_emulator/sessions/{id}/decision", e.adminDecision)
	e.admin("PUT /_emulator/sessions/{id}/ine-registry", e.adminINERegistry)
	e.admin("PUT /_emulator/sessions/{id}/ine-biometric", e.adminINEBiometric)
	e.admin("GET /_emulator/deliveries", e.adminDeliveries)
	e.admin("POST /_emulator/deliveries/{n}/resend", e.adminResend)
	e.admin("POST /_emulator/faults", e.adminFaults)
	e.admin("/_emulator/", func(w http.ResponseWriter, _ *http.Request, _ []byte) {
		adminError(w, http.StatusNotFound, "no such admin API call")
	})
}

// admin registers h behind the admin API's authentication: X-AUTH-CLIENT
// must be the server's API key, checked (with the declared length) before
// a byte of the body is read; then the body is read, at most maxAdminBody.
func (e *Emulator) admin(pattern string, h handlerFunc) {
	e.mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		key := r.Header.Get("X-AUTH-CLIENT")
		if key == "" || subtle.ConstantTimeCompare([]byte(key), []byte(e.srv.APIKey())) != 1 {
			w.Header().Set("Connection", "close")
			adminError(w, http.StatusUnauthorized, "X-AUTH-CLIENT must carry the emulator's API key")
			return
		}
		if r.ContentLength > maxAdminBody {
			w.Header().Set("Connection", "close")
			adminError(w, http.StatusRequestEntityTooLarge, "request body too large")
			return
		}
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxAdminBody))
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
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

// summaryOf summarises ss.
func summaryOf(ss verifftest.Session) sessionSummary {
	d := json.RawMessage("null")
	if ss.Decision != nil {
		d = ss.Decision
	}
	var vd *string
	if ss.VendorData != "" {
		vd = &ss.VendorData
	}
	return sessionSummary{ID: ss.ID, Status: string(ss.Status), VendorData: vd, Decision: d}
}

// GET /_emulator/sessions: every session, oldest first.
func (e *Emulator) adminSessions(w http.ResponseWriter, _ *http.Request, _ []byte) {
	out := []sessionSummary{}
	for _, ss := range e.srv.SessionsOverview() {
		out = append(out, summaryOf(ss))
	}
	adminJSON(w, http.StatusOK, out)
}

// submitted reports whether an attempt of ss was ever submitted.
func submitted(ss verifftest.Session) bool {
	for _, a := range ss.Attempts {
		if !a.SubmittedAt.IsZero() {
			return true
		}
	}
	return false
}

// errNotSubmitted refuses to decide a session never submitted.
var errNotSubmitted = errors.New(`the session was never submitted: Veriff decides only what was submitted (expired and abandoned excepted); send "force": true to decide it anyway, with no personal data made up`)

// decideChecked decides the session id, refusing (errNotSubmitted) one
// that was never submitted unless force, or the status is expired or
// abandoned (Veriff's answers for sessions never submitted). A forced
// decision carries only what was sent on creation (DecideAsSent).
func (e *Emulator) decideChecked(id string, status veriff.SessionStatus, code int, force bool) error {
	ss, ok := e.srv.Session(id)
	if !ok {
		return verifftest.ErrUnknownSession
	}
	if !submitted(ss) && status != veriff.StatusExpired && status != veriff.StatusAbandoned {
		if !force {
			return errNotSubmitted
		}
		return e.srv.DecideAsSent(id, status, code)
	}
	if code != 0 {
		return e.srv.DecideWithReason(id, status, code)
	}
	return e.srv.Decide(id, status)
}

// POST /_emulator/sessions/{id}/decision {"status":"declined","reasonCode":102,"force":false}
func (e *Emulator) adminDecision(w http.ResponseWriter, r *http.Request, body []byte) {
	var in struct {
		Status     *veriff.SessionStatus `json:"status"`
		ReasonCode *int                  `json:"reasonCode"`
		Force      bool                  `json:"force"`
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
	id := r.PathValue("id")
	switch err := e.decideChecked(id, *in.Status, code, in.Force); {
	case errors.Is(err, verifftest.ErrUnknownSession):
		adminError(w, http.StatusNotFound, "unknown session")
		return
	case errors.Is(err, errNotSubmitted):
		adminError(w, http.StatusConflict, err.Error())
		return
	case err != nil:
		adminError(w, http.StatusBadRequest, "the decision was refused")
		return
	}
	ss, ok := e.srv.Session(id)
	if !ok {
		adminError(w, http.StatusNotFound, "unknown session")
		return
	}
	adminJSON(w, http.StatusOK, summaryOf(ss))
}

// checkDecision checks a decision asked for by the admin API or the portal
// before anything changes.
func checkDecision(status veriff.SessionStatus, code int, codeGiven bool) error {
	if !slices.Contains(fake.DecisionStatuses, status) {
		return errors.New(`"status" must be one of approved, declined, resubmission_requested, review, expired, abandoned`)
	}
	if !codeGiven {
		return nil
	}
	if status != veriff.StatusDeclined && status != veriff.StatusResubmissionRequested {
		return errors.New(`"reasonCode" goes with declined or resubmission_requested only`)
	}
	if _, known := verifftest.ReasonText(code); !known {
		return errors.New(`"reasonCode" is not one of Veriff's reason codes`)
	}
	return nil
}

// PUT /_emulator/sessions/{id}/ine-registry {"active":false,"documentState":"..."}
func (e *Emulator) adminINERegistry(w http.ResponseWriter, r *http.Request, body []byte) {
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
	err := e.srv.SetINERegistry(r.PathValue("id"), res)
	switch {
	case errors.Is(err, verifftest.ErrUnknownSession):
		adminError(w, http.StatusNotFound, "unknown session")
	case errors.Is(err, verifftest.ErrNoINEConsent):
		adminError(w, http.StatusConflict, "the session was created without the INE consent")
	case err != nil:
		adminError(w, http.StatusBadRequest, "the INE registry answer was refused")
	default:
		adminJSON(w, http.StatusOK, res)
	}
}

// PUT /_emulator/sessions/{id}/ine-biometric {"verdict":"face_mismatch"}:
// valid, face_mismatch, not_found, failure or pending (SetINEBiometricVerdict).
func (e *Emulator) adminINEBiometric(w http.ResponseWriter, r *http.Request, body []byte) {
	var in struct {
		Verdict veriff.INEVerdict `json:"verdict"`
	}
	if !decodeStrict(w, body, &in) {
		return
	}
	switch err := e.srv.SetINEBiometricVerdict(r.PathValue("id"), in.Verdict); {
	case errors.Is(err, verifftest.ErrUnknownSession):
		adminError(w, http.StatusNotFound, "unknown session")
	case errors.Is(err, verifftest.ErrNoINEConsent):
		adminError(w, http.StatusConflict, "the session was created without the INE consent")
	case err != nil:
		adminError(w, http.StatusBadRequest, `"verdict" must be one of valid, face_mismatch, not_found, failure, pending`)
	default:
		adminJSON(w, http.StatusOK, in)
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

func summariesOf(ds []verifftest.Delivery) []deliverySummary {
	out := []deliverySummary{}
	for _, d := range ds {
		out = append(out, deliverySummary{N: d.N, Kind: string(d.Kind), SessionID: d.SessionID,
			URL: d.URL, Attempts: d.Attempts, LastStatus: d.StatusCode, Delivered: d.Delivered})
	}
	return out
}

// GET /_emulator/deliveries: the deliveries that have ended, in that order.
func (e *Emulator) adminDeliveries(w http.ResponseWriter, _ *http.Request, _ []byte) {
	adminJSON(w, http.StatusOK, summariesOf(e.srv.Deliveries()))
}

// POST /_emulator/deliveries/{n}/resend
func (e *Emulator) adminResend(w http.ResponseWriter, r *http.Request, _ []byte) {
	n, err := strconv.Atoi(r.PathValue("n"))
	if err != nil {
		adminError(w, http.StatusBadRequest, "the delivery number must be a positive integer")
		return
	}
	if err := e.srv.Resend(n); err != nil {
		adminError(w, http.StatusNotFound, "unknown delivery")
		return
	}
	adminJSON(w, http.StatusOK, map[string]string{"status": "resending"})
}

// POST /_emulator/faults {"method":"POST","route":"/v1/sessions","status":500,"count":1}
func (e *Emulator) adminFaults(w http.ResponseWriter, _ *http.Request, body []byte) {
	var in struct {
		verifftest.Fault
		Count *int `json:"count"` // absent means 1; present, 1 to 1000
	}
	if !decodeStrict(w, body, &in) {
		return
	}
	var problem string
	switch {
	case in.Method != "" && !validMethods[in.Method]:
		problem = `"method" must be GET, POST, PATCH, PUT or DELETE (or absent for any)`
	case in.Route != "" && !(in.Route == "/v1" || strings.HasPrefix(in.Route, "/v1/")):
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
	if e.srv.PendingFaults() >= maxAdminFaults {
		adminError(w, http.StatusBadRequest, fmt.Sprintf("%d faults are already pending: no more are taken until requests consume them", maxAdminFaults))
		return
	}
	e.srv.InjectFault(in.Fault)
	adminJSON(w, http.StatusOK, map[string]int{"pendingFaults": e.srv.PendingFaults()})
}

// maxAdminFaults caps the faults the admin API keeps queued at once.
const maxAdminFaults = 1000

var validMethods = map[string]bool{"GET": true, "POST": true, "PATCH": true, "PUT": true, "DELETE": true}
