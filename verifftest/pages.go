package verifftest

import (
	"bytes"
	"crypto/subtle"
	"embed"
	"html/template"
	"io/fs"
	"net/http"
	"path"
	"strings"
	"time"

	"github.com/veriffgo/veriff"
)

// The portal's and the hosted flow's templates and assets, embedded: the
// pages need nothing from the network, and work without JavaScript.
//
//go:embed templates/*.html
var templateFS embed.FS

//go:embed assets
var assetFS embed.FS

// pages holds one parsed template set per page, each with the layout.
var pages = parsePages("index", "session", "hosted", "done", "message")

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
	Title  string
	Portal bool // the portal's header and navigation, not the end-user's
	CSRF   string
	Body   any
}

// render answers the page name with status, or a plain 500 when the
// template fails (it is rendered into a buffer first).
func (s *Server) render(w http.ResponseWriter, status int, name string, d pageData) {
	var buf bytes.Buffer
	d.CSRF = s.csrf
	if err := pages[name].ExecuteTemplate(&buf, "layout", d); err != nil {
		http.Error(w, "verifftest: cannot render the page", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "same-origin")
	csp := "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self' blob:"
	if d.Portal {
		// The hosted flow may be framed (Veriff's InContext SDK does) and
		// redirects its form to the callback; the portal does neither.
		csp += "; form-action 'self'; frame-ancestors 'none'"
	}
	h.Set("Content-Security-Policy", csp)
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// message renders a page with a title and a sentence, such as an error.
func (s *Server) message(w http.ResponseWriter, status int, portal bool, title, text string) {
	s.render(w, status, "message", pageData{Title: title, Portal: portal, Body: struct {
		Text  string
		Error bool
	}{text, status >= 400}})
}

// emulatorRoutes registers the hosted flow, the portal, its assets and the
// admin API.
func (s *Server) emulatorRoutes() {
	s.adminRoutes()
	s.hostedRoutes()
	s.portalRoutes()
	sub, _ := fs.Sub(assetFS, "assets")
	assets := http.StripPrefix("/_assets/", http.FileServer(http.FS(sub)))
	s.mux.Handle("GET /_assets/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Content-Type-Options", "nosniff")
		w.Header().Set("Cache-Control", "public, max-age=3600")
		if path.Ext(r.URL.Path) == "" {
			http.NotFound(w, r)
			return
		}
		assets.ServeHTTP(w, r)
	}))
	s.mux.HandleFunc("/", func(w http.ResponseWriter, _ *http.Request) {
		s.message(w, http.StatusNotFound, true, "Not found", "There is no page at this address.")
	})
}

// sameOrigin guards the portal's POST forms against cross-site requests:
// the browser's Sec-Fetch-Site and Origin must not name another site, and
// the form must carry the server's token (a random value per server, in a
// hidden field). It answers 403 itself and reports whether r may proceed.
func (s *Server) sameOrigin(w http.ResponseWriter, r *http.Request) bool {
	ok := true
	if site := r.Header.Get("Sec-Fetch-Site"); site != "" && site != "same-origin" && site != "none" {
		ok = false
	}
	if o := r.Header.Get("Origin"); o != "" && !strings.EqualFold(strings.TrimPrefix(strings.TrimPrefix(o, "http://"), "https://"), r.Host) {
		ok = false
	}
	if subtle.ConstantTimeCompare([]byte(r.PostFormValue("csrf")), []byte(s.csrf)) != 1 {
		ok = false
	}
	if !ok {
		s.message(w, http.StatusForbidden, true, "Refused", "This form was not sent from the emulator's own pages. Reload the page and try again.")
	}
	return ok
}
