package verifftest

import (
	"encoding/json"
	"errors"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/veriffgo/veriff"
)

// maxFormBytes caps a portal form.
const maxFormBytes = 64 << 10

func (s *Server) portalRoutes() {
	s.mux.HandleFunc("GET /{$}", s.portalIndex)
	s.mux.HandleFunc("GET /sessions/{id}", s.portalSession)
	s.mux.HandleFunc("GET /sessions/{id}/media/{media}", s.portalMedia)
	s.mux.HandleFunc("POST /sessions/{id}/decision", s.portalDecide)
	s.mux.HandleFunc("POST /sessions/{id}/ine-registry", s.portalINE)
	s.mux.HandleFunc("POST /deliveries/{n}/resend", s.portalResend)
}

// reasonOption is one reason code of the decline and resubmission forms.
type reasonOption struct {
	Code     int
	Text     string
	Selected bool // the code of the session's current decision
}

// reasonOptions lists Veriff's decline (1xx, 5xx) and resubmission (2xx)
// reason codes, in code order.
var reasonOptions = func() (decline, resubmit []reasonOption) {
	for c := 100; c < 1000; c++ {
		if t, ok := ReasonText(c); ok {
			if c >= 200 && c < 300 {
				resubmit = append(resubmit, reasonOption{Code: c, Text: t})
			} else {
				decline = append(decline, reasonOption{Code: c, Text: t})
			}
		}
	}
	return decline, resubmit
}

// GET /: the sessions, newest first.
func (s *Server) portalIndex(w http.ResponseWriter, _ *http.Request) {
	s.mu.Lock()
	all := s.sortedSessions()
	rows := make([]Session, 0, len(all))
	for i := len(all) - 1; i >= 0; i-- {
		rows = append(rows, snapshot(all[i]))
	}
	s.mu.Unlock()
	s.render(w, http.StatusOK, "index", pageData{Title: "Sessions", Portal: true, Body: rows})
}

// sessionView is the data of a session's portal page.
type sessionView struct {
	Session
	Person          personIn
	Document        documentIn
	Address         string
	Decision        *decisionView
	DecisionJSON    string
	Deliveries      []deliverySummary
	DeclineCodes    []reasonOption
	ResubmitCodes   []reasonOption
	DecisionStates  []decisionChoice
	StatusChosen    bool // one of DecisionStates is the current status
	RegistryChoices []registryChoice
	Flash           string
}

// registryChoice is one radio button of the INE registry form.
type registryChoice struct {
	Value, Label string
	Checked      bool
}

// decisionChoice is one option of the Decide form's status select.
type decisionChoice struct {
	Value    veriff.SessionStatus
	Label    string
	Selected bool
}

// decisionLabels are the Decide form's choices, in the order of the select.
var decisionLabels = []struct {
	status veriff.SessionStatus
	label  string
}{
	{veriff.StatusApproved, "Approve"},
	{veriff.StatusDeclined, "Decline"},
	{veriff.StatusResubmissionRequested, "Request resubmission"},
	{veriff.StatusReview, "Set to review"},
}

// decisionView is the part of the decision the page shows in a table.
type decisionView struct {
	Status       string  `json:"status"`
	Code         int     `json:"code"`
	Reason       *string `json:"reason"`
	ReasonCode   *int    `json:"reasonCode"`
	DecisionTime string  `json:"decisionTime"`
}

// Decided is DecisionTime as a time, or the zero time when it is not an
// RFC 3339 time.
func (d *decisionView) Decided() time.Time {
	t, err := time.Parse(time.RFC3339Nano, d.DecisionTime)
	if err != nil {
		return time.Time{}
	}
	return t
}

// flashes are the sentences shown after a form succeeded, by key.
var flashes = map[string]string{
	"decided":  "The decision was recorded and its webhooks were sent.",
	"ine":      "The INE registry answer was set.",
	"resent":   "The webhook is being sent again; reload to see the new delivery.",
	"resubmit": "Resubmission was requested: the session accepts a new attempt.",
}

// GET /sessions/{id}
func (s *Server) portalSession(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	ss := s.sessions[r.PathValue("id")]
	var v sessionView
	if ss != nil {
		v = sessionView{Session: snapshot(ss), Person: ss.person, Document: ss.document, Address: ss.address}
	}
	s.mu.Unlock()
	if ss == nil {
		s.message(w, http.StatusNotFound, true, "Session not found", "There is no session with this ID (it may have been deleted).")
		return
	}
	if v.Session.Decision != nil {
		var env struct {
			Verification decisionView `json:"verification"`
		}
		_ = json.Unmarshal(v.Session.Decision, &env)
		v.Decision = &env.Verification
		var pretty strings.Builder
		enc := json.NewEncoder(&pretty)
		enc.SetIndent("", "  ")
		var raw any
		_ = json.Unmarshal(v.Session.Decision, &raw)
		_ = enc.Encode(raw)
		v.DecisionJSON = pretty.String()
	}
	for _, d := range summariesOf(s.Deliveries()) {
		if d.SessionID == v.ID {
			v.Deliveries = append(v.Deliveries, d)
		}
	}
	sort.SliceStable(v.Deliveries, func(i, j int) bool { return v.Deliveries[i].N > v.Deliveries[j].N })
	v.decideForm()
	v.registryForm()
	v.Flash = flashes[r.URL.Query().Get("done")]
	s.render(w, http.StatusOK, "session", pageData{Title: "Session " + v.ID, Portal: true, Body: v})
}

// decideForm fills the Decide form's choices, with the session's current
// status and reason code chosen.
func (v *sessionView) decideForm() {
	for _, c := range decisionLabels {
		sel := c.status == v.Status
		v.StatusChosen = v.StatusChosen || sel
		v.DecisionStates = append(v.DecisionStates, decisionChoice{c.status, c.label, sel})
	}
	v.DeclineCodes, v.ResubmitCodes = reasonOptions()
	if v.Decision == nil || v.Decision.ReasonCode == nil {
		return
	}
	codes := v.DeclineCodes
	if v.Status == veriff.StatusResubmissionRequested {
		codes = v.ResubmitCodes
	}
	for i := range codes {
		codes[i].Selected = codes[i].Code == *v.Decision.ReasonCode
	}
}

// GET /sessions/{id}/media/{media}: an uploaded image, for the thumbnails.
func (s *Server) portalMedia(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	m := s.media[r.PathValue("media")]
	s.mu.Unlock()
	if m == nil || m.sessionID != r.PathValue("id") || !strings.HasPrefix(m.mimeType, "image/") {
		http.NotFound(w, r)
		return
	}
	h := w.Header()
	h.Set("Content-Type", m.mimeType)
	h.Set("Content-Length", strconv.Itoa(len(m.data)))
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "default-src 'none'")
	h.Set("Cache-Control", "private, max-age=3600")
	_, _ = w.Write(m.data)
}

// portalForm reads a portal form and checks its origin; it answers the
// refusal itself.
func (s *Server) portalForm(w http.ResponseWriter, r *http.Request) bool {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		s.message(w, http.StatusBadRequest, true, "Bad form", "The form could not be read.")
		return false
	}
	return s.sameOrigin(w, r)
}

func (s *Server) backTo(w http.ResponseWriter, r *http.Request, id, flash string) {
	http.Redirect(w, r, "/sessions/"+id+"?done="+flash, http.StatusSeeOther)
}

// POST /sessions/{id}/decision: status, and reasonCode for a decline or
// resubmission request.
func (s *Server) portalDecide(w http.ResponseWriter, r *http.Request) {
	if !s.portalForm(w, r) {
		return
	}
	id := r.PathValue("id")
	status := veriff.SessionStatus(r.PostFormValue("status"))
	code, given := 0, false
	if rc := r.PostFormValue("reasonCode"); rc != "" && (status == veriff.StatusDeclined || status == veriff.StatusResubmissionRequested) {
		n, err := strconv.Atoi(rc)
		if err != nil {
			s.message(w, http.StatusBadRequest, true, "Not decided", "The reason code must be a number.")
			return
		}
		code, given = n, true
	}
	if err := checkDecision(status, code, given); err != nil {
		s.message(w, http.StatusBadRequest, true, "Not decided", strings.ReplaceAll(err.Error(), `"`, ""))
		return
	}
	if err := s.decide(id, status, code); err != nil {
		s.message(w, http.StatusNotFound, true, "Not decided", "There is no session with this ID.")
		return
	}
	flash := "decided"
	if status == veriff.StatusResubmissionRequested {
		flash = "resubmit"
	}
	s.backTo(w, r, id, flash)
}

// registryLabels are the INE registry form's choices, in page order.
var registryLabels = [][2]string{
	{"active", "Active credential"},
	{"inactive", "Inactive credential"},
	{"not-found", "Not found in the registry"},
}

// registryForm fills the INE registry form's choices, with the answer set
// now checked (active when none is).
func (v *sessionView) registryForm() {
	current := "active"
	if r := v.INERegistry; r != nil && !r.Active {
		current = "inactive"
		if r.DocumentState == ineNoDataState {
			current = "not-found"
		}
	}
	for _, c := range registryLabels {
		v.RegistryChoices = append(v.RegistryChoices, registryChoice{c[0], c[1], c[0] == current})
	}
}

// registryAnswers are the INE registry answers the portal offers.
var registryAnswers = map[string]veriff.INERegistryResult{
	"active":    {Active: true, DocumentState: ineValidState},
	"inactive":  {Active: false, DocumentState: "La credencial no está vigente."},
	"not-found": {Active: false, DocumentState: ineNoDataState},
}

// POST /sessions/{id}/ine-registry: answer = active, inactive or not-found.
func (s *Server) portalINE(w http.ResponseWriter, r *http.Request) {
	if !s.portalForm(w, r) {
		return
	}
	id := r.PathValue("id")
	res, ok := registryAnswers[r.PostFormValue("answer")]
	if !ok {
		s.message(w, http.StatusBadRequest, true, "Not set", "Choose active, inactive or not found.")
		return
	}
	switch err := s.SetINERegistry(id, res); {
	case err == nil:
		s.backTo(w, r, id, "ine")
	case errors.Is(err, ErrNoINEConsent):
		s.message(w, http.StatusConflict, true, "Not set", "This session was created without the INE consent: it has no registry answer.")
	default:
		s.message(w, http.StatusNotFound, true, "Not set", "There is no session with this ID.")
	}
}

// POST /deliveries/{n}/resend
func (s *Server) portalResend(w http.ResponseWriter, r *http.Request) {
	if !s.portalForm(w, r) {
		return
	}
	n, _ := strconv.Atoi(r.PathValue("n"))
	s.mu.Lock()
	d, ok := s.deliveryLocked(n)
	s.mu.Unlock()
	if !ok || s.Resend(n) != nil {
		s.message(w, http.StatusNotFound, true, "Not resent", "There is no such webhook delivery.")
		return
	}
	s.backTo(w, r, d.SessionID, "resent")
}

// age is how long ago t was, for the sessions list.
func age(t time.Time) string {
	d := time.Since(t).Round(time.Second)
	switch {
	case d < time.Minute:
		return "just now"
	case d < time.Hour:
		return strconv.Itoa(int(d/time.Minute)) + " min ago"
	}
	return strconv.Itoa(int(d/time.Hour)) + " h ago"
}
