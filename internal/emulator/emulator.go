package emulator

import (
	"crypto/subtle"
	"embed"
	"html/template"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/veriffgo/veriff"
	"github.com/veriffgo/veriff/internal/fake"
	"github.com/veriffgo/veriff/internal/ids"
	"github.com/veriffgo/veriff/verifftest"
)

// The portal's templates, embedded; its stylesheet is the hosted flow's
// (/_assets/style.css, served by verifftest).
//
//go:embed templates/*.html
var templateFS embed.FS

// pages holds one parsed template set per page, each with the layout.
var pages = parsePages("index", "session", "message")

var funcs = template.FuncMap{
	"time": func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.UTC().Format("2006-01-02 15:04:05 UTC")
	},
	"iso": func(t time.Time) string { return t.UTC().Format(time.RFC3339) },
	"deref": func(p *string) string {
		if p == nil {
			return ""
		}
		return *p
	},
	"statusClass": statusClass,
	"age":         age,
}

func parsePages(names ...string) map[string]*template.Template {
	out := make(map[string]*template.Template, len(names))
	for _, n := range names {
		out[n] = template.Must(template.New(n).Funcs(funcs).ParseFS(templateFS, "templates/layout.html", "templates/"+n+".html"))
	}
	return out
}

// Emulator serves the portal and the admin API in front of a
// verifftest.Server. Make it with New; its methods are safe for concurrent
// use.
type Emulator struct {
	srv  *verifftest.Server
	mux  *http.ServeMux
	csrf string // the portal forms' token: random per Emulator
	log  func(method, route string, status int)
}

// Option configures an Emulator made by New. A nil Option is ignored.
type Option func(*Emulator)

// WithRequestLog calls log once per portal or admin request, after the
// answer, with the method, the route pattern (never the path) and the
// status. Give the Server the same function (verifftest.WithRequestLog)
// for one log of everything.
func WithRequestLog(log func(method, route string, status int)) Option {
	return func(e *Emulator) { e.log = log }
}

// New returns the portal and admin API of srv.
func New(srv *verifftest.Server, opts ...Option) *Emulator {
	e := &Emulator{srv: srv, mux: http.NewServeMux(), csrf: ids.NewUUID()}
	for _, o := range opts {
		if o != nil {
			o(e)
		}
	}
	e.adminRoutes()
	e.portalRoutes()
	e.mux.Handle("/", srv.Handler()) // API v1, the hosted flow, assets
	return e
}

// Handler serves the portal at /, the admin API under /_emulator/, and
// everything else through the Server's own Handler. Requests whose Host
// does not name the server (see verifftest.Server.AllowsHost) get 421.
func (e *Emulator) Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, pattern := e.mux.Handler(r)
		if pattern == "/" {
			e.srv.Handler().ServeHTTP(w, r) // it checks the Host and logs itself
			return
		}
		route := fake.Route(pattern)
		sw := &fake.StatusWriter{ResponseWriter: w}
		if !e.srv.AllowsHost(r.Host) {
			fake.Misdirected(sw)
		} else {
			e.mux.ServeHTTP(sw, r)
		}
		if e.log != nil {
			e.log(r.Method, route, sw.Status())
		}
	})
}

// statusClass names the badge colour of a session status.
func statusClass(st veriff.SessionStatus) string {
	switch st {
	case veriff.StatusApproved:
		return "ok"
	case veriff.StatusDeclined, veriff.StatusExpired, veriff.StatusAbandoned:
		return "bad"
	case veriff.StatusResubmissionRequested, veriff.StatusReview:
		return "warn"
	}
	return "neutral"
}

// pageData is what every page's layout needs.
type pageData struct {
	Title string
	CSRF  string
	Body  any
}

// render answers the page name with status, or a plain 500 when the
// template fails (it is rendered into a buffer first).
func (e *Emulator) render(w http.ResponseWriter, status int, name string, d pageData) {
	d.CSRF = e.csrf
	fake.RenderPage(w, status, pages[name], d, "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'", "emulator")
}

// message renders a page with a title and a sentence, such as an error.
func (e *Emulator) message(w http.ResponseWriter, status int, title, text string) {
	e.render(w, status, "message", pageData{Title: title, Body: struct {
		Text  string
		Error bool
	}{text, status >= 400}})
}

// sameOrigin guards the portal's POST forms against cross-site requests:
// Sec-Fetch-Site must not name another site, Origin (when sent) must be
// this page's own origin (http or https and r.Host, which Handler has
// found to name the server: verifftest.Server.AllowsHost), and the form
// must carry the Emulator's token (random, in a hidden field). It answers
// 403 itself and reports whether r may proceed.
func (e *Emulator) sameOrigin(w http.ResponseWriter, r *http.Request) bool {
	ok := true
	if site := r.Header.Get("Sec-Fetch-Site"); site != "" && site != "same-origin" && site != "none" {
		ok = false
	}
	if o := r.Header.Get("Origin"); o != "" && !isOriginOf(o, r.Host) {
		ok = false
	}
	if subtle.ConstantTimeCompare([]byte(r.PostFormValue("csrf")), []byte(e.csrf)) != 1 {
		ok = false
	}
	if !ok {
		e.message(w, http.StatusForbidden, "Refused", "This form was not sent from the emulator's own pages. Reload the page and try again.")
	}
	return ok
}

// isOriginOf reports whether origin (an Origin header) is an http or https
// origin whose host and port are host; "null" is not.
func isOriginOf(origin, host string) bool {
	u, err := url.Parse(origin)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Path == "" &&
		u.RawQuery == "" && u.User == nil && strings.EqualFold(u.Host, host)
}
