// Package fake holds what the fake Veriff (package verifftest) and the
// emulator's portal and admin API (internal/emulator) both need, so that
// each exists once: the status-recording ResponseWriter of the request
// log, the headers of every HTML page, the person and document an
// integration sends on session creation, and the INE registry's answers.
// It is internal: users see none of it.
package fake

import (
	"bytes"
	"html/template"
	"net/http"
	"regexp"
	"strings"

	"github.com/veriffgo/veriff"
)

// StatusWriter records the status a handler answered, for the request
// log. Unwrap lets http.ResponseController reach the connection.
type StatusWriter struct {
	http.ResponseWriter
	code int
}

// WriteHeader records the first status written and passes it on.
func (w *StatusWriter) WriteHeader(code int) {
	if w.code == 0 {
		w.code = code
	}
	w.ResponseWriter.WriteHeader(code)
}

// Write records 200 when no status was written first.
func (w *StatusWriter) Write(p []byte) (int, error) {
	if w.code == 0 {
		w.code = http.StatusOK
	}
	return w.ResponseWriter.Write(p)
}

// Unwrap returns the wrapped ResponseWriter.
func (w *StatusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// Status is the status answered: 200 when the handler wrote nothing.
func (w *StatusWriter) Status() int {
	if w.code == 0 {
		return http.StatusOK
	}
	return w.code
}

// RenderPage executes t's "layout" with data into a buffer and answers it
// with status, never cached, with the Content-Security-Policy csp; when
// the template fails it answers a plain 500 that names the page's owner
// (such as "verifftest") and nothing of data.
func RenderPage(w http.ResponseWriter, status int, t *template.Template, data any, csp, owner string) {
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", data); err != nil {
		http.Error(w, owner+": cannot render the page", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "same-origin")
	h.Set("Content-Security-Policy", csp)
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// Route is what the request log shows of a ServeMux pattern: the path
// pattern without its method ("GET /sessions/{id}" → "/sessions/{id}";
// "GET /{$}" → "/"), never the request's path (it holds session IDs and
// the hosted flow's token).
func Route(pattern string) string {
	if _, p, ok := strings.Cut(pattern, " "); ok {
		pattern = p
	}
	return strings.TrimSuffix(pattern, "{$}")
}

// Misdirected answers 421 Misdirected Request, for a request whose Host
// does not name the server (verifftest.Server.AllowsHost), closes the
// connection, and returns that status.
func Misdirected(w http.ResponseWriter) int {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Connection", "close")
	w.WriteHeader(http.StatusMisdirectedRequest)
	_, _ = w.Write([]byte("421 misdirected request: this server answers only requests sent to its own host names (loopback, its listen address, its public URL)\n"))
	return http.StatusMisdirectedRequest
}

// Person is the verification.person an integration sends on session
// creation (POST /v1/sessions), as the fake keeps it.
type Person struct {
	FirstName     string `json:"firstName"`
	LastName      string `json:"lastName"`
	IDNumber      string `json:"idNumber"`
	PhoneNumber   string `json:"phoneNumber"`
	Gender        string `json:"gender"`
	DateOfBirth   string `json:"dateOfBirth"`
	Email         string `json:"email"`
	MaritalStatus string `json:"maritalStatus"`
}

// Document is the verification.document an integration sends on session
// creation, as the fake keeps it.
type Document struct {
	Number     string `json:"number"`
	Country    string `json:"country"`
	Type       string `json:"type"`
	IDCardType string `json:"idCardType"`
	FirstIssue string `json:"firstIssue"`
}

// The INE registry's documentState answers the fake gives: the docs'
// sample for a valid credential, and Veriff's answer when the registry
// returned nothing.
const (
	INEValidState  = "El documento es válido."
	INENoDataState = "No se obtuvieron datos de la consulta con los parámetros seleccionados"
)

// hostRE matches a host name or address with an optional port, nothing
// else.
var hostRE = regexp.MustCompile(`^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+)(:[0-9]{1,5})?$`)

// IsHost reports whether s is a host name or address with an optional
// port and nothing else: a Host header fit to build URLs with, or an
// -allow-host value of the emulator.
func IsHost(s string) bool { return hostRE.MatchString(s) }

// DecisionStatuses are the statuses a decision may have, in the order the
// emulator's help and errors list them: what the admin API, the portal
// and -auto-decide accept.
var DecisionStatuses = []veriff.SessionStatus{
	veriff.StatusApproved, veriff.StatusDeclined, veriff.StatusResubmissionRequested,
	veriff.StatusReview, veriff.StatusExpired, veriff.StatusAbandoned,
}
