package verifftest

// This file holds snapshots of the state for assertions: Sessions, Session, SessionsOverview, MediaFile.

import (
	"encoding/json"
	"time"

	"github.com/veriffgo/veriff"
)

// Session is a snapshot of a session held by the server, for assertions.
// It is a copy: changing it changes nothing on the server.
type Session struct {
	ID     string
	Status veriff.SessionStatus
	// VendorData and EndUserID as sent on creation; "" when absent.
	VendorData string
	EndUserID  string
	// Callback is the callback URL sent on creation.
	Callback string
	// INEConsent reports whether the session was created with an approved
	// "ine" consent.
	INEConsent bool
	// IntegrationID is the vrf-integration-id header sent on creation.
	IntegrationID string
	// Verification is the verification object exactly as sent on creation.
	Verification json.RawMessage
	CreatedAt    time.Time
	// Attempts holds the session's attempts, oldest first; the last is the
	// current one.
	Attempts []Attempt
	// Decision is the body GET /decision answers once the session is
	// decided; nil before.
	Decision json.RawMessage
	// INERegistry is the value set with SetINERegistry, if any.
	INERegistry *veriff.INERegistryResult
	// CollectedData holds the bodies of POST /collected-data.
	CollectedData []json.RawMessage
	// CanceledAt is when the person last left the hosted flow with its
	// cancel control; zero if never. Cancelling decides nothing: the
	// session stays open, as at Veriff.
	CanceledAt time.Time
}

// Attempt is a snapshot of one attempt of a session.
type Attempt struct {
	ID        string
	Status    veriff.SessionStatus
	CreatedAt time.Time
	// SubmittedAt is when the attempt was submitted; zero if never.
	SubmittedAt time.Time
	Media       []Media
}

// Media is a snapshot of one uploaded file.
type Media struct {
	ID        string
	SessionID string
	AttemptID string
	Name      string
	Context   veriff.MediaContext
	// MimeType is sniffed from the content (http.DetectContentType).
	MimeType string
	Size     int64
	// Dropped reports that the server no longer holds the content (see
	// WithMaxMediaBytes): Content is nil and downloads answer 404.
	Dropped bool
	// Content is the decoded file, byte for byte.
	Content    []byte
	UploadedAt time.Time
}

// Sessions returns snapshots of every session the server holds (deleted
// sessions are gone), oldest first.
func (s *Server) Sessions() []Session {
	s.mu.Lock()
	defer s.mu.Unlock()
	all := s.sortedSessions()
	out := make([]Session, len(all))
	for i, ss := range all {
		out[i] = s.snapshot(ss)
	}
	return out
}

// SessionsOverview is Sessions without media content (Media.Content is
// nil; Size is set): cheap enough to call on every page view, as the veriff
// emulator's portal does.
func (s *Server) SessionsOverview() []Session {
	s.mu.Lock()
	defer s.mu.Unlock()
	all := s.sortedSessions()
	out := make([]Session, len(all))
	for i, ss := range all {
		out[i] = s.snapshotWith(ss, false)
	}
	return out
}

// MediaFile returns a snapshot of one uploaded file, content included, and
// whether the server holds it.
func (s *Server) MediaFile(mediaID string) (Media, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.media[mediaID]
	if m == nil {
		return Media{}, false
	}
	return s.mediaSnapshot(m, true), true
}

// Session returns a snapshot of the session with the given ID, and whether
// the server holds it.
func (s *Server) Session(id string) (Session, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ss := s.sessions[id]
	if ss == nil {
		return Session{}, false
	}
	return s.snapshot(ss), true
}

// snapshot copies ss; s.mu must be held.
func (s *Server) snapshot(ss *session) Session { return s.snapshotWith(ss, true) }

// snapshotWith copies ss, media content only when content is set; s.mu
// must be held.
func (s *Server) snapshotWith(ss *session, content bool) Session {
	out := Session{
		ID:            ss.id,
		Status:        ss.status,
		Callback:      ss.callback,
		INEConsent:    ss.ineConsent,
		IntegrationID: ss.integrationID,
		Verification:  append(json.RawMessage(nil), ss.verification...),
		CreatedAt:     ss.createdAt,
		CanceledAt:    ss.canceledAt,
	}
	if ss.vendorData != nil {
		out.VendorData = *ss.vendorData
	}
	if ss.endUserID != nil {
		out.EndUserID = *ss.endUserID
	}
	if ss.decision != nil {
		out.Decision = append(json.RawMessage(nil), ss.decision...)
	}
	if ss.ine != nil {
		v := *ss.ine
		out.INERegistry = &v
	}
	for _, c := range ss.collected {
		out.CollectedData = append(out.CollectedData, append(json.RawMessage(nil), c...))
	}
	for _, a := range ss.attempts {
		sa := Attempt{ID: a.id, Status: a.status, CreatedAt: a.createdAt, SubmittedAt: a.submittedAt}
		for _, m := range a.media {
			sa.Media = append(sa.Media, s.mediaSnapshot(m, content))
		}
		out.Attempts = append(out.Attempts, sa)
	}
	return out
}

// mediaSnapshot copies m, its content only when content is set; s.mu must
// be held.
func (s *Server) mediaSnapshot(m *mediaItem, content bool) Media {
	out := Media{
		ID:         m.id,
		SessionID:  m.sessionID,
		AttemptID:  m.attempID,
		Name:       m.name,
		Context:    m.context,
		MimeType:   m.mimeType,
		Size:       int64(m.size),
		Dropped:    m.dropped,
		UploadedAt: m.uploadedAt,
	}
	if content {
		if data, ok := s.mediaBody(m); ok {
			out.Content = append([]byte(nil), data...)
		}
	}
	return out
}
