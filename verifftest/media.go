package verifftest

// This file holds media upload, listing and download through API v1.

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/veriffgo/veriff"
	"github.com/veriffgo/veriff/internal/ids"
	"github.com/veriffgo/veriff/internal/mediatype"
)

// imageContexts are the image contexts Veriff documents.
var imageContexts = map[string]bool{
	"face": true, "face-pre": true, "face-nfc": true, "face-cropped": true, "face-reference": true,
	"document-front": true, "document-front-pre": true, "document-front-qrcode": true,
	"document-front-qrcode-pre": true, "document-front-face-cropped": true,
	"document-front-with-signature": true, "document-front-with-signature-pre": true,
	"document-back": true, "document-back-pre": true, "document-back-barcode": true,
	"document-back-barcode-pre": true, "document-back-qrcode": true, "document-back-qrcode-pre": true,
	"document-and-face": true, "document-and-face-pre": true,
	"address-front": true, "registry-face": true,
}

// decodeImage decodes base64 content, in data-URI form
// ("data:image/jpeg;base64,...") or bare.
func decodeImage(content string) ([]byte, bool) {
	if rest, ok := strings.CutPrefix(content, "data:"); ok {
		meta, data, found := strings.Cut(rest, ",")
		if !found || !strings.HasSuffix(meta, ";base64") {
			return nil, false
		}
		content = data
	}
	b, err := base64.StdEncoding.DecodeString(content)
	if err != nil {
		b, err = base64.RawStdEncoding.DecodeString(content)
	}
	return b, err == nil
}

// POST /v1/sessions/{id}/media
func (s *Server) uploadMedia(w http.ResponseWriter, r *http.Request, body []byte) {
	var in struct {
		Image *struct {
			Context   *string `json:"context"`
			Content   *string `json:"content"`
			Timestamp *string `json:"timestamp"`
		} `json:"image"`
	}
	s.mu.Lock()
	ss := s.lookup(w, r)
	s.mu.Unlock()
	if ss == nil {
		return
	}
	if err := json.Unmarshal(body, &in); err != nil {
		s.fail(w, http.StatusBadRequest, "1102", "Mandatory parameters are missing from the request: the body is not a JSON object.")
		return
	}
	img := in.Image
	if img == nil {
		s.fail(w, http.StatusBadRequest, "1400", "Image data not found.")
		return
	}
	if img.Context == nil || img.Content == nil {
		s.fail(w, http.StatusBadRequest, "1403", "Image property is missing: context and content are required.")
		return
	}
	if !imageContexts[*img.Context] {
		s.fail(w, http.StatusBadRequest, "1402", "Image context is not supported.")
		return
	}
	data, ok := decodeImage(*img.Content)
	if !ok {
		s.fail(w, http.StatusBadRequest, "1401", "Image is not valid base64.")
		return
	}
	if len(data) == 0 {
		s.fail(w, http.StatusBadRequest, "1400", "Image data not found.")
		return
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	if s.sessions[ss.id] != ss { // deleted meanwhile
		s.fail(w, http.StatusNotFound, "", "Session not found.")
		return
	}
	if !ss.open() {
		s.fail(w, http.StatusConflict, "1304", "Media cannot be uploaded: the session is "+string(ss.status)+".")
		return
	}
	m := s.addMediaLocked(ss, *img.Context, data)
	s.writeJSON(w, http.StatusOK, struct {
		Status string   `json:"status"`
		Image  mediaOut `json:"image"`
	}{"success", mediaOutOf(m, s.baseFor(r))})
}

// addMediaLocked stores data in the current attempt of the open session
// ss, which starts it (event 7001 on an attempt's first upload); s.mu must
// be held.
func (s *Server) addMediaLocked(ss *session, context string, data []byte) *mediaItem {
	a := s.startLocked(ss)
	m := &mediaItem{
		id:         ids.NewUUID(),
		name:       context,
		mimeType:   mimeTypeOf(data),
		sessionID:  ss.id,
		attempID:   a.id,
		context:    veriff.MediaContext(context),
		uploadedAt: time.Now().UTC(),
	}
	s.storeMediaLocked(m, data)
	a.media = append(a.media, m)
	s.media[m.id] = m
	return m
}

// startLocked starts the current attempt of the open session ss, once per
// attempt: status started and event 7001, when the hosted flow is opened
// or, through the API, on the first upload. It returns the attempt; s.mu
// must be held.
func (s *Server) startLocked(ss *session) *attempt {
	a := s.current(ss)
	if a.startedSent {
		return a
	}
	a.startedSent = true
	a.status = veriff.StatusStarted
	ss.status = veriff.StatusStarted
	s.sendEvent(ss, a, 7001, "started")
	return a
}

type mediaOut struct {
	ID        string  `json:"id"`
	Name      string  `json:"name"`
	Context   string  `json:"context"`
	Timestamp *string `json:"timestamp"`
	Size      int     `json:"size"`
	MimeType  string  `json:"mimetype"`
	URL       string  `json:"url"`
	SessionID string  `json:"sessionId"`
}

func mediaOutOf(m *mediaItem, base string) mediaOut {
	return mediaOut{
		ID:        m.id,
		Name:      m.name,
		Context:   string(m.context),
		Size:      m.size,
		MimeType:  m.mimeType,
		URL:       base + "/v1/media/" + m.id,
		SessionID: m.sessionID,
	}
}

func (s *Server) mediaList(w http.ResponseWriter, r *http.Request, items []*mediaItem) {
	out := struct {
		Status       string     `json:"status"`
		Images       []mediaOut `json:"images"`
		Videos       []mediaOut `json:"videos"`
		NFCDocuments []mediaOut `json:"nfcDocuments"`
	}{Status: "success", Images: []mediaOut{}, Videos: []mediaOut{}, NFCDocuments: []mediaOut{}}
	for _, m := range items {
		if m.context == veriff.ContextDocumentNFC {
			out.NFCDocuments = append(out.NFCDocuments, mediaOutOf(m, s.baseFor(r)))
			continue
		}
		out.Images = append(out.Images, mediaOutOf(m, s.baseFor(r)))
	}
	s.writeJSON(w, http.StatusOK, out)
}

// GET /v1/sessions/{id}/media: the media of the most recent attempt.
func (s *Server) sessionMedia(w http.ResponseWriter, r *http.Request, _ []byte, ss *session) {
	s.mediaList(w, r, ss.attempts[len(ss.attempts)-1].media)
}

// GET /v1/attempts/{id}/media
func (s *Server) attemptMedia(w http.ResponseWriter, r *http.Request, _ []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.attempts[r.PathValue("id")]
	if a == nil {
		s.fail(w, http.StatusNotFound, "", "Attempt not found.")
		return
	}
	s.mediaList(w, r, a.media)
}

// GET /v1/media/{id}: the file, byte for byte; 404, as Veriff answers
// for media it no longer has, once dropped (WithMaxMediaBytes).
func (s *Server) downloadMedia(w http.ResponseWriter, r *http.Request, _ []byte) {
	s.mu.Lock()
	m := s.media[r.PathValue("id")]
	var data []byte
	ok := false
	if m != nil {
		data, ok = s.mediaBody(m)
	}
	s.mu.Unlock()
	if !ok {
		s.fail(w, http.StatusNotFound, "", "Media not found.")
		return
	}
	w.Header().Set("Content-Length", fmt.Sprint(len(data)))
	s.writeRaw(w, http.StatusOK, m.mimeType, data) // data is never modified
}

// mimeTypeOf names the type of uploaded media as the SDK detects it (JPEG,
// PNG, WebP, HEIC/HEIF, PDF), else as net/http sniffs it.
func mimeTypeOf(data []byte) string {
	if t := mediatype.Detect(data); t != "" {
		return t
	}
	return http.DetectContentType(data)
}
