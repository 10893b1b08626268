package emulator

import (
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/veriffgo/veriff"
	"github.com/veriffgo/veriff/internal/fake"
	"github.com/veriffgo/veriff/verifftest"
)

// maxFormBytes caps a portal form.
const maxFormBytes = 64 << 10

func (e *Emulator) portalRoutes() {
	e.mux.HandleFunc("GET /{$}", e.portalIndex)
	e.mux.HandleFunc("GET /sessions/{id}", e.portalSession)
	e.mux.HandleFunc("GET /sessions/{id}/media/{media}", e.portalMedia)
	e.mux.HandleFunc("POST /sessions/{id}/decision", e.portalDecide)
	e.mux.HandleFunc("POST /sessions/{id}/ine-registry", e.portalINE)
	e.mux.HandleFunc("POST /sessions/{id}/ine-biometric", e.portalINEBiometric)
	e.mux.HandleFunc("POST /deliveries/{n}/resend", e.portalResend)
}

// sentData reads the person, document and address sent on creation;
// fields of the wrong type are left empty.
func sentData(verification json.RawMessage) (p fake.Person, d fake.Document, address string) {
	var in struct {
		Person   json.RawMessage `json:"person"`
		Document json.RawMessage `json:"document"`
		Address  json.RawMessage `json:"address"`
	}
	_ = json.Unmarshal(verification, &in)
	_ = json.Unmarshal(in.Person, &p)
	_ = json.Unmarshal(in.Document, &d)
	var a struct {
		FullAddress string `json:"fullAddress"`
	}
	_ = json.Unmarshal(in.Address, &a)
	return p, d, a.FullAddress
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
		if t, ok := verifftest.ReasonText(c); ok {
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
func (e *Emulator) portalIndex(w http.ResponseWriter, _ *http.Request) {
	rows := e.srv.SessionsOverview()
	slices.Reverse(rows)
	e.render(w, http.StatusOK, "index", pageData{Title: "Sessions", Body: rows})
}

// sessionView is the data of a session's portal page.
type sessionView struct {
	verifftest.Session
	Submitted       bool // an attempt was submitted: a decision needs no force
	Person          fake.Person
	Document        fake.Document
	Address         string
	Decision        *decisionView
	DecisionJSON    string
	Deliveries      []deliverySummary
	DeclineCodes    []reasonOption
	ResubmitCodes   []reasonOption
	DecisionStates  []decisionChoice
	StatusChosen    bool // one of DecisionStates is the current status
	RegistryChoices []registryChoice
	INEChecks       veriff.INEChecks // the checks the server runs
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
	"bio":      "The INE biometric result was set; the next decision carries it.",
	"resent":   "The webhook is being sent again; reload to see the new delivery.",
	"resubmit": "Resubmission was requested: the session accepts a new attempt.",
}

// GET /sessions/{id}
func (e *Emulator) portalSession(w http.ResponseWriter, r *http.Request) {
	ss, ok := e.srv.Session(r.PathValue("id"))
	if !ok {
		e.message(w, http.StatusNotFound, "Session not found", "There is no session with this ID (it may have been deleted).")
		return
	}
	for i := range ss.Attempts {
		for j := range ss.Attempts[i].Media {
			ss.Attempts[i].Media[j].Content = nil // served by portalMedia
		}
	}
	v := sessionView{Session: ss, Submitted: submitted(ss), INEChecks: e.srv.INEChecks()}
	v.Person, v.Document, v.Address = sentData(ss.Verification)
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
	for _, d := range summariesOf(e.srv.Deliveries()) {
		if d.SessionID == v.ID {
			v.Deliveries = append(v.Deliveries, d)
		}
	}
	sort.SliceStable(v.Deliveries, func(i, j int) bool { return v.Deliveries[i].N > v.Deliveries[j].N })
	v.decideForm()
	v.registryForm()
	v.Flash = flashes[r.URL.Query().Get("done")]
	e.render(w, http.StatusOK, "session", pageData{Title: "Session " + v.ID, Body: v})
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
func (e *Emulator) portalMedia(w http.ResponseWriter, r *http.Request) {
	m, ok := e.srv.MediaFile(r.PathValue("media"))
	if !ok || m.SessionID != r.PathValue("id") || !strings.HasPrefix(m.MimeType, "image/") || m.Content == nil {
		http.NotFound(w, r)
		return
	}
	h := w.Header()
	h.Set("Content-Type", m.MimeType)
	h.Set("Content-Length", strconv.Itoa(len(m.Content)))
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "default-src 'none'")
	h.Set("Cache-Control", "private, max-age=3600")
	_, _ = w.Write(m.Content)
}

// portalForm reads a portal form and checks its origin; it answers the
// refusal itself.
func (e *Emulator) portalForm(w http.ResponseWriter, r *http.Request) bool {
	if r.ContentLength > maxFormBytes {
		w.Header().Set("Connection", "close")
		e.message(w, http.StatusRequestEntityTooLarge, "Bad form", "The form is too large.")
		return false
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		e.message(w, http.StatusBadRequest, "Bad form", "The form could not be read.")
		return false
	}
	return e.sameOrigin(w, r)
}

func (e *Emulator) backTo(w http.ResponseWriter, r *http.Request, id, flash string) {
	http.Redirect(w, r, "/sessions/"+id+"?done="+flash, http.StatusSeeOther)
}

// POST /sessions/{id}/decision: status, and reasonCode for a decline or
// resubmission request.
func (e *Emulator) portalDecide(w http.ResponseWriter, r *http.Request) {
	if !e.portalForm(w, r) {
		return
	}
	id := r.PathValue("id")
	status := veriff.SessionStatus(r.PostFormValue("status"))
	code, given := 0, false
	if rc := r.PostFormValue("reasonCode"); rc != "" && (status == veriff.StatusDeclined || status == veriff.StatusResubmissionRequested) {
		n, err := strconv.Atoi(rc)
		if err != nil {
			e.message(w, http.StatusBadRequest, "Not decided", "The reason code must be a number.")
			return
		}
		code, given = n, true
	}
	if err := checkDecision(status, code, given); err != nil {
		e.message(w, http.StatusBadRequest, "Not decided", strings.ReplaceAll(err.Error(), `"`, ""))
		return
	}
	switch err := e.decideChecked(id, status, code, r.PostFormValue("force") == "1"); {
	case errors.Is(err, errNotSubmitted):
		e.message(w, http.StatusConflict, "Not decided", "This session was never submitted. Tick “decide anyway” to decide it without photos: the decision then carries only the data sent on creation.")
		return
	case err != nil:
		e.message(w, http.StatusNotFound, "Not decided", "There is no session with this ID.")
		return
	}
	flash := "decided"
	if status == veriff.StatusResubmissionRequested {
		flash = "resubmit"
	}
	e.backTo(w, r, id, flash)
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
		if r.DocumentState == fake.INENoDataState {
			current = "not-found"
		}
	}
	for _, c := range registryLabels {
		v.RegistryChoices = append(v.RegistryChoices, registryChoice{c[0], c[1], c[0] == current})
	}
}

// registryAnswers are the INE registry answers the portal offers.
var registryAnswers = map[string]veriff.INERegistryResult{
	"active":    {Active: true, DocumentState: fake.INEValidState},
	"inactive":  {Active: false, DocumentState: "La credencial no está vigente."},
	"not-found": {Active: false, DocumentState: fake.INENoDataState},
}

// POST /sessions/{id}/ine-registry: answer = active, inactive or not-found.
func (e *Emulator) portalINE(w http.ResponseWriter, r *http.Request) {
	e.portalSetINE(w, r, "ine", "registry answer", "Choose active, inactive or not found.", func(id string) error {
		res, ok := registryAnswers[r.PostFormValue("answer")]
		if !ok {
			return errBadChoice
		}
		return e.srv.SetINERegistry(id, res)
	})
}

// POST /sessions/{id}/ine-biometric: verdict = valid, face_mismatch,
// not_found or failure (SetINEBiometricVerdict).
func (e *Emulator) portalINEBiometric(w http.ResponseWriter, r *http.Request) {
	e.portalSetINE(w, r, "bio", "biometric result", "Choose passed, face mismatch, not found or failed.", func(id string) error {
		return e.srv.SetINEBiometricVerdict(id, veriff.INEVerdict(r.PostFormValue("verdict")))
	})
}

// errBadChoice is a portal form's value that is none of the form's choices.
var errBadChoice = errors.New("emulator: not one of the form's choices")

// portalSetINE answers a form that sets one INE answer (what) of the
// session: set sets it, after the form passed portalForm, and the session's
// page then shows flash. ErrNoINEConsent answers 409, ErrUnknownSession
// 404, and any other error (a value that is no choice) 400 with badChoice.
func (e *Emulator) portalSetINE(w http.ResponseWriter, r *http.Request, flash, what, badChoice string, set func(id string) error) {
	if !e.portalForm(w, r) {
		return
	}
	id := r.PathValue("id")
	switch err := set(id); {
	case err == nil:
		e.backTo(w, r, id, flash)
	case errors.Is(err, verifftest.ErrNoINEConsent):
		e.message(w, http.StatusConflict, "Not set", "This session was created without the INE consent: it has no "+what+".")
	case errors.Is(err, verifftest.ErrUnknownSession):
		e.message(w, http.StatusNotFound, "Not set", "There is no session with this ID.")
	default:
		e.message(w, http.StatusBadRequest, "Not set", badChoice)
	}
}

// POST /deliveries/{n}/resend
func (e *Emulator) portalResend(w http.ResponseWriter, r *http.Request) {
	if !e.portalForm(w, r) {
		return
	}
	n, _ := strconv.Atoi(r.PathValue("n"))
	sessionID := ""
	for _, d := range e.srv.Deliveries() {
		if d.N == n {
			sessionID = d.SessionID
		}
	}
	if sessionID == "" || e.srv.Resend(n) != nil {
		e.message(w, http.StatusNotFound, "Not resent", "There is no such webhook delivery.")
		return
	}
	e.backTo(w, r, sessionID, "resent")
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
