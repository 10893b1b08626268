package verifftest

// This file holds the hosted verification flow at each verification.url: page, upload and submit, cancel.

import (
	"errors"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/veriffgo/veriff"
)

// The hosted verification flow, at each session's verification.url
// (/v/{token}): GET shows the form (and starts the session: event 7001, as
// when a person opens Veriff's flow), POST takes the three images and
// submits, POST .../cancel is the person leaving (the session stays open).
// lang picks English or Spanish (lang.go); framed, hosted.js posts Veriff's
// InContext messages to the parent.

// MaxHostedImageBytes is the largest file the hosted flow accepts: Veriff
// takes images of up to 24 MB in base64, which is 18,000,000 bytes raw.
const MaxHostedImageBytes = 24_000_000 / 4 * 3

// maxHostedBodyBytes bounds the hosted flow's whole multipart body: three
// images at most MaxHostedImageBytes each, and room for the form's parts.
const maxHostedBodyBytes = 3*MaxHostedImageBytes + 1<<20

// The InContext messages the pages post to a parent frame.
const (
	msgStarted   = "VERIFF_STARTED"
	msgSubmitted = "VERIFF_SUBMITTED"
	msgFinished  = "VERIFF_FINISHED"
	msgCanceled  = "VERIFF_CANCELED"
)

// hostedField is one file input of the hosted flow; Key names its label
// and hint in texts.
type hostedField struct {
	Name, Key, Capture string
}

// hostedFields are the hosted flow's inputs, in the order of the page.
var hostedFields = []hostedField{
	{string(veriff.ContextDocumentFront), "front", "environment"},
	{string(veriff.ContextDocumentBack), "back", "environment"},
	{string(veriff.ContextFace), "face", "user"},
}

// fieldView is a hostedField in the page's language.
type fieldView struct {
	Name, Label, Hint, Preview, Capture string
}

func (s *Server) hostedRoutes() {
	s.mux.HandleFunc("GET /v/{token}", s.hostedPage)
	s.mux.HandleFunc("POST /v/{token}", s.hostedSubmit)
	s.mux.HandleFunc("POST /v/{token}/cancel", s.hostedCancel)
}

// hostedView is the data of the hosted flow's page.
type hostedView struct {
	Action       string
	CancelAction string
	Fields       []fieldView
	Error        string // the sentence above the form, if any
	Info         bool   // Error is a normal state (already submitted), not a failure
	Role         string // Error's ARIA role: alert, or status for a page just opened
	Open         bool
	Status       veriff.SessionStatus
}

// sessionByToken returns the session of a verification URL's token; s.mu
// must be held. The token is a capability: it is looked up in a map, never
// compared in a loop that could leak how much of it matched.
func (s *Server) sessionByToken(token string) *session {
	return s.byToken[token]
}

// closedText explains, in lang, why a session takes no more media.
func closedText(lang string, st veriff.SessionStatus) string {
	if st == veriff.StatusSubmitted {
		return tr(lang, "closed_sent")
	}
	return tr(lang, "closed_other", string(st))
}

// langOf is the page language the request asks for (?lang=).
func langOf(r *http.Request) string { return pickLang(r.URL.Query().Get("lang")) }

// withLang is path with the request's lang parameter, if any, kept.
func withLang(path string, r *http.Request) string {
	if q := r.URL.Query().Get("lang"); q != "" {
		return path + "?lang=" + url.QueryEscape(q)
	}
	return path
}

// GET /v/{token}: the page where the end-user gives the three images.
// Opening an open session starts it (event 7001, once per attempt), as
// Veriff's flow does.
func (s *Server) hostedPage(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	ss := s.sessionByToken(r.PathValue("token"))
	var st veriff.SessionStatus
	open := false
	if ss != nil {
		if open = ss.open(); open {
			s.startLocked(ss)
		}
		st = ss.status
	}
	s.mu.Unlock()
	if ss == nil {
		s.message(w, http.StatusNotFound, langOf(r), "invalid_title", "invalid_text")
		return
	}
	s.hostedForm(w, r, http.StatusOK, st, open, "")
}

func (s *Server) hostedForm(w http.ResponseWriter, r *http.Request, status int, st veriff.SessionStatus, open bool, errText string) {
	lang := langOf(r)
	if !open && errText == "" {
		errText = closedText(lang, st)
	}
	info := !open && st == veriff.StatusSubmitted
	role := "alert"
	post := ""
	if r.Method == http.MethodGet {
		if info {
			role = "status"
		}
		if open {
			post = msgStarted
		}
	}
	fields := make([]fieldView, len(hostedFields))
	for i, f := range hostedFields {
		label := tr(lang, f.Key+"_label")
		fields[i] = fieldView{f.Name, label, tr(lang, f.Key+"_hint"), tr(lang, "preview", label), f.Capture}
	}
	token := r.PathValue("token")
	s.render(w, status, "hosted", pageData{Title: tr(lang, "verify_title"), Lang: lang, Post: post, Body: hostedView{
		Action: withLang("/v/"+token, r), CancelAction: withLang("/v/"+token+"/cancel", r),
		Fields: fields, Error: errText, Info: info, Role: role, Open: open, Status: st,
	}})
}

// uploadError is a refusal of the hosted flow's upload: its status and
// the sentence shown (a key of texts, and the field whose label goes in
// its %s, if any).
type uploadError struct {
	status int
	key    string
	field  string // a hostedField.Key, or ""
}

func (e *uploadError) Error() string { return e.text(langEN) }

// text is the sentence in lang.
func (e *uploadError) text(lang string) string {
	if e.field == "" {
		return tr(lang, e.key)
	}
	label := tr(lang, e.field+"_label")
	if e.key == "err_missing" {
		label = strings.ToLower(label[:1]) + label[1:]
	}
	return tr(lang, e.key, label)
}

// errHostedBodyTooLarge answers a hosted upload over maxHostedBodyBytes.
var errHostedBodyTooLarge = &uploadError{http.StatusRequestEntityTooLarge, "err_body", ""}

var errUnreadable = &uploadError{http.StatusBadRequest, "err_read", ""}

// upload is the hosted flow's form as read: one image per field, and
// whether hosted.js said the page is framed.
type upload struct {
	files  map[string][]byte
	framed bool
}

// readUploads reads the hosted flow's multipart body: one image per field
// of hostedFields. Nothing is stored here.
func readUploads(r *http.Request) (*upload, error) {
	mr, err := r.MultipartReader()
	if err != nil {
		return nil, &uploadError{http.StatusBadRequest, "err_form", ""}
	}
	up := &upload{files: map[string][]byte{}}
	for parts := 0; ; parts++ {
		p, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if tooLarge(err) {
			return nil, errHostedBodyTooLarge
		}
		if err != nil || parts >= 16 {
			return nil, errUnreadable
		}
		if err := readPart(p, up); err != nil {
			_, _ = io.Copy(io.Discard, io.LimitReader(r.Body, maxDrainBytes))
			return nil, err
		}
	}
	for _, f := range hostedFields {
		if len(up.files[f.Name]) == 0 {
			return nil, &uploadError{http.StatusBadRequest, "err_missing", f.Key}
		}
	}
	return up, nil
}

// tooLarge reports whether err is the body's http.MaxBytesReader refusing
// to read further.
func tooLarge(err error) bool {
	var mbe *http.MaxBytesError
	return errors.As(err, &mbe)
}

// readPart reads one part into up when it is one of the image fields
// (checking its size and that it is an image) or the framed flag.
func readPart(p *multipart.Part, up *upload) error {
	defer p.Close()
	var field *hostedField
	for i := range hostedFields {
		if hostedFields[i].Name == p.FormName() {
			field = &hostedFields[i]
		}
	}
	if field == nil {
		v, _ := io.ReadAll(io.LimitReader(p, 64<<10))
		if p.FormName() == "framed" && string(v) == "1" {
			up.framed = true
		}
		return nil
	}
	data, err := io.ReadAll(io.LimitReader(p, MaxHostedImageBytes+1))
	if tooLarge(err) {
		return errHostedBodyTooLarge
	}
	if err != nil {
		return errUnreadable
	}
	switch {
	case len(data) > MaxHostedImageBytes:
		return &uploadError{http.StatusRequestEntityTooLarge, "err_size", field.Key}
	case len(data) == 0:
		return nil // no file chosen: reported as missing
	case up.files[field.Name] != nil:
		return &uploadError{http.StatusBadRequest, "err_one", field.Key}
	case !strings.HasPrefix(mimeTypeOf(data), "image/"):
		return &uploadError{http.StatusUnsupportedMediaType, "err_image", field.Key}
	}
	up.files[field.Name] = data
	return nil
}

// hostedSession finds the open session of the path's token before any of
// the body is read, or answers the refusal itself (404, or 409 with the
// page saying why) and returns nil.
func (s *Server) hostedSession(w http.ResponseWriter, r *http.Request) *session {
	s.mu.Lock()
	ss := s.sessionByToken(r.PathValue("token"))
	var st veriff.SessionStatus
	open := false
	if ss != nil {
		st, open = ss.status, ss.open()
	}
	s.mu.Unlock()
	switch {
	case ss == nil:
		s.message(w, http.StatusNotFound, langOf(r), "invalid_title", "invalid_text")
		return nil
	case !open:
		w.Header().Set("Connection", "close") // the upload is not read
		s.hostedForm(w, r, http.StatusConflict, st, false, closedText(langOf(r), st))
		return nil
	}
	return ss
}

// POST /v/{token}: uploads the three images and submits the session, all
// at once or not at all, through the same state machine as the API. A
// session no longer open is refused before the upload is read.
func (s *Server) hostedSubmit(w http.ResponseWriter, r *http.Request) {
	ss := s.hostedSession(w, r)
	if ss == nil {
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxHostedBodyBytes)
	up, err := readUploads(r)
	lang := langOf(r)
	s.mu.Lock()
	alive := s.sessions[ss.id] == ss
	st, open := ss.status, ss.open()
	var ue *uploadError
	switch {
	case !alive:
		s.mu.Unlock()
		s.message(w, http.StatusNotFound, lang, "invalid_title", "invalid_gone")
		return
	case !open:
		s.mu.Unlock()
		s.hostedForm(w, r, http.StatusConflict, st, false, closedText(lang, st))
		return
	case err != nil:
		s.mu.Unlock()
		if !errors.As(err, &ue) {
			ue = errUnreadable
		}
		s.hostedForm(w, r, ue.status, st, true, ue.text(lang))
		return
	}
	for _, f := range hostedFields {
		s.addMediaLocked(ss, f.Name, up.files[f.Name])
	}
	s.submitLocked(ss)
	callback := ss.callback
	s.mu.Unlock()
	// Framed, the parent page learns first: the done page posts
	// VERIFF_SUBMITTED and VERIFF_FINISHED (Veriff's InContext SDK closes
	// the frame on it), and only a frame still open after that follows
	// the callback.
	var next string
	if u, err := url.Parse(callback); err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != "" {
		next = u.String()
	}
	if next != "" && !up.framed {
		http.Redirect(w, r, next, http.StatusSeeOther)
		return
	}
	s.render(w, http.StatusOK, "done", pageData{Title: tr(lang, "done_title"), Lang: lang, Post: msgSubmitted + " " + msgFinished, Next: next})
}

// POST /v/{token}/cancel: the person leaves the flow. As at Veriff this
// decides nothing: the session stays open (the same link works again),
// and Session.CanceledAt records it for the portal. Framed, the page posts
// VERIFF_CANCELED, which closes the frame.
func (s *Server) hostedCancel(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	ss := s.sessionByToken(r.PathValue("token"))
	if ss != nil && ss.open() {
		ss.canceledAt = time.Now().UTC()
	}
	s.mu.Unlock()
	lang := langOf(r)
	if ss == nil {
		s.message(w, http.StatusNotFound, lang, "invalid_title", "invalid_text")
		return
	}
	s.render(w, http.StatusOK, "canceled", pageData{Title: tr(lang, "canceled_title"), Lang: lang, Post: msgCanceled,
		Body: struct{ Resume string }{withLang("/v/"+r.PathValue("token"), r)}})
}
