package verifftest

// This file holds rendering of the hosted flow's pages (templates/) and its assets (assets/).

import (
	"embed"
	"html/template"
	"io/fs"
	"net/http"
	"path"

	"github.com/veriffgo/veriff/internal/fake"
)

// The hosted flow's pages: templates and assets embedded, so that they need
// nothing from the network and work without JavaScript (hosted.js only
// adds photo previews and, in a frame, Veriff's InContext messages).
//
//go:embed templates/*.html
var templateFS embed.FS

//go:embed assets
var assetFS embed.FS

// pages holds one parsed template set per page, each with the layout.
var pages = parsePages("hosted", "done", "canceled", "message")

func parsePages(names ...string) map[string]*template.Template {
	out := make(map[string]*template.Template, len(names))
	for _, n := range names {
		out[n] = template.Must(template.New(n).ParseFS(templateFS, "templates/layout.html", "templates/"+n+".html"))
	}
	return out
}

// pageData is what every page's layout needs.
type pageData struct {
	Title string
	Lang  string            // "en" or "es": <html lang> and T
	T     map[string]string // the sentences in Lang (texts)
	// Post lists the InContext messages (VERIFF_STARTED, ...) the page
	// posts to its parent when it is framed; hosted.js reads it.
	Post string
	// Next is where a framed page goes once its messages are posted, if
	// the parent has not closed the frame by then (the callback).
	Next string
	Body any
}

// render answers the page name with status, or a plain 500 when the
// template fails (it is rendered into a buffer first).
func (s *Server) render(w http.ResponseWriter, status int, name string, d pageData) {
	if d.Lang == "" {
		d.Lang = langEN
	}
	d.T = catalogs[d.Lang]
	w.Header().Set("Content-Language", d.Lang)
	// The hosted flow may be framed (Veriff's InContext SDK does) and
	// redirects its form to the callback: no frame-ancestors, no
	// form-action.
	fake.RenderPage(w, status, pages[name], d, "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self' blob:", "verifftest")
}

// message renders a page with a title and a sentence (keys of texts), such
// as an error.
func (s *Server) message(w http.ResponseWriter, status int, lang, title, text string) {
	s.render(w, status, "message", pageData{Title: tr(lang, title), Lang: lang, Body: struct {
		Text  string
		Error bool
	}{tr(lang, text), status >= 400}})
}

// pageRoutes registers the hosted flow, its assets, and the not-found page
// of every other path outside the API.
func (s *Server) pageRoutes() {
	s.hostedRoutes()
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
	s.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		s.message(w, http.StatusNotFound, pickLang(r.URL.Query().Get("lang")), "notfound_title", "notfound_text")
	})
}
