package verifftest

import (
	"errors"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"

	"github.com/veriffgo/veriff"
)

// MaxHostedImageBytes is the largest file the hosted flow accepts: Veriff
// takes images of up to 24 MB in base64, which is 18,000,000 bytes raw.
const MaxHostedImageBytes = 24_000_000 / 4 * 3

// maxHostedBodyBytes bounds the hosted flow's whole multipart body: three
// images at most MaxHostedImageBytes each, and room for the form's parts.
const maxHostedBodyBytes = 3*MaxHostedImageBytes + 1<<20

// errHostedBodyTooLarge answers a hosted upload over maxHostedBodyBytes.
var errHostedBodyTooLarge = &uploadError{http.StatusRequestEntityTooLarge,
	"The upload is larger than the three photos may be together (54 MB). Please choose smaller photos."}

// hostedField is one file input of the hosted flow.
type hostedField struct {
	Name, Label, Hint, Capture string
}

// hostedFields are the hosted flow's inputs, in the order of the page.
var hostedFields = []hostedField{
	{string(veriff.ContextDocumentFront), "Front of your ID document", "The side with your photo. Lay the card flat, in good light, with all four corners visible.", "environment"},
	{string(veriff.ContextDocumentBack), "Back of your ID document", "The side with the barcode or QR code.", "environment"},
	{string(veriff.ContextFace), "A photo of your face", "Look straight at the camera, with nothing covering your face.", "user"},
}

func (s *Server) hostedRoutes() {
	s.mux.HandleFunc("GET /v/{token}", s.hostedPage)
	s.mux.HandleFunc("POST /v/{token}", s.hostedSubmit)
}

// hostedView is the data of the hosted flow's page.
type hostedView struct {
	Action string
	Fields []hostedField
	Error  string // the sentence above the form, if any
	Info   bool   // Error is a normal state (already submitted), not a failure
	Role   string // Error's ARIA role: alert, or status for a page just opened
	Open   bool
	Status veriff.SessionStatus
}

// sessionByToken returns the session of a verification URL's token; s.mu
// must be held. The token is a capability: it is looked up in a map, never
// compared in a loop that could leak how much of it matched.
func (s *Server) sessionByToken(token string) *session {
	return s.byToken[token]
}

// closedText explains why a session takes no more media.
func closedText(st veriff.SessionStatus) string {
	if st == veriff.StatusSubmitted {
		return "This verification has already been submitted. There is nothing more to do here."
	}
	return "This verification is no longer open (its status is " + string(st) + "). Ask the service that sent you here for a new link."
}

// GET /v/{token}: the page where the end-user gives the three images.
func (s *Server) hostedPage(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	ss := s.sessionByToken(r.PathValue("token"))
	var st veriff.SessionStatus
	open := false
	if ss != nil {
		st, open = ss.status, ss.open()
	}
	s.mu.Unlock()
	if ss == nil {
		s.message(w, http.StatusNotFound, false, "Link not valid", "This verification link is not valid. Ask the service that sent you here for a new one.")
		return
	}
	s.hostedForm(w, r, http.StatusOK, st, open, "")
}

func (s *Server) hostedForm(w http.ResponseWriter, r *http.Request, status int, st veriff.SessionStatus, open bool, errText string) {
	if !open && errText == "" {
		errText = closedText(st)
	}
	info := !open && st == veriff.StatusSubmitted
	role := "alert"
	if info && r.Method == http.MethodGet {
		role = "status"
	}
	s.render(w, status, "hosted", pageData{Title: "Verify your identity", Body: hostedView{
		Action: r.URL.Path, Fields: hostedFields, Error: errText, Info: info, Role: role, Open: open, Status: st,
	}})
}

// uploadError is a refusal of the hosted flow's upload, with its status
// and the sentence shown to the end-user.
type uploadError struct {
	status int
	text   string
}

func (e *uploadError) Error() string { return e.text }

// readUploads reads the hosted flow's multipart body: one image per field
// of hostedFields. Nothing is stored here.
func readUploads(r *http.Request) (map[string][]byte, error) {
	mr, err := r.MultipartReader()
	if err != nil {
		return nil, &uploadError{http.StatusBadRequest, "The form was not sent as a file upload. Please use the form on this page."}
	}
	files := map[string][]byte{}
	for parts := 0; ; parts++ {
		p, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if tooLarge(err) {
			return nil, errHostedBodyTooLarge
		}
		if err != nil || parts >= 16 {
			return nil, &uploadError{http.StatusBadRequest, "The upload could not be read. Please try again."}
		}
		if err := readPart(p, files); err != nil {
			_, _ = io.Copy(io.Discard, io.LimitReader(r.Body, maxDrainBytes))
			return nil, err
		}
	}
	for _, f := range hostedFields {
		if len(files[f.Name]) == 0 {
			return nil, &uploadError{http.StatusBadRequest, "Please add: " + strings.ToLower(f.Label[:1]) + f.Label[1:] + "."}
		}
	}
	return files, nil
}

// tooLarge reports whether err is the body's http.MaxBytesReader refusing
// to read further.
func tooLarge(err error) bool {
	var mbe *http.MaxBytesError
	return errors.As(err, &mbe)
}

// readPart reads one part into files when it is one of the image fields,
// checking its size and that it is an image.
func readPart(p *multipart.Part, files map[string][]byte) error {
	defer p.Close()
	var field *hostedField
	for i := range hostedFields {
		if hostedFields[i].Name == p.FormName() {
			field = &hostedFields[i]
		}
	}
	if field == nil {
		_, _ = io.Copy(io.Discard, io.LimitReader(p, 64<<10))
		return nil
	}
	data, err := io.ReadAll(io.LimitReader(p, MaxHostedImageBytes+1))
	if tooLarge(err) {
		return errHostedBodyTooLarge
	}
	if err != nil {
		return &uploadError{http.StatusBadRequest, "The upload could not be read. Please try again."}
	}
	switch {
	case len(data) > MaxHostedImageBytes:
		return &uploadError{http.StatusRequestEntityTooLarge, field.Label + ": the file is larger than 18 MB. Please choose a smaller photo."}
	case len(data) == 0:
		return nil // no file chosen: reported as missing
	case files[field.Name] != nil:
		return &uploadError{http.StatusBadRequest, field.Label + ": please give one file only."}
	case !strings.HasPrefix(mimeTypeOf(data), "image/"):
		return &uploadError{http.StatusUnsupportedMediaType, field.Label + ": the file is not an image. Please choose a photo (JPEG, PNG, WebP or HEIC)."}
	}
	files[field.Name] = data
	return nil
}

// POST /v/{token}: uploads the three images and submits the session, all
// at once or not at all, through the same state machine as the API.
func (s *Server) hostedSubmit(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	ss := s.sessionByToken(r.PathValue("token"))
	s.mu.Unlock()
	if ss == nil {
		s.message(w, http.StatusNotFound, false, "Link not valid", "This verification link is not valid. Ask the service that sent you here for a new one.")
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxHostedBodyBytes)
	files, err := readUploads(r)
	s.mu.Lock()
	alive := s.sessions[ss.id] == ss
	st, open := ss.status, ss.open()
	var ue *uploadError
	switch {
	case !alive:
		s.mu.Unlock()
		s.message(w, http.StatusNotFound, false, "Link not valid", "This verification link is not valid any more.")
		return
	case !open:
		s.mu.Unlock()
		s.hostedForm(w, r, http.StatusConflict, st, false, closedText(st))
		return
	case err != nil:
		s.mu.Unlock()
		if !errors.As(err, &ue) {
			ue = &uploadError{http.StatusBadRequest, "The upload could not be read. Please try again."}
		}
		s.hostedForm(w, r, ue.status, st, true, ue.text)
		return
	}
	for _, f := range hostedFields {
		s.addMediaLocked(ss, f.Name, files[f.Name])
	}
	s.submitLocked(ss)
	callback := ss.callback
	s.mu.Unlock()
	if u, err := url.Parse(callback); err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != "" {
		http.Redirect(w, r, u.String(), http.StatusSeeOther)
		return
	}
	s.render(w, http.StatusOK, "done", pageData{Title: "Thank you"})
}
