package verifftest

// This file holds the data directory (WithDataDir): the state saved to and restored from disk.

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/veriffgo/veriff"
	"github.com/veriffgo/veriff/internal/fake"
)

// The data directory (WithDataDir): state.json holds the sessions, their
// attempts, media records, decisions and INE answers, and the recorded
// webhook deliveries; media/<id> each file. A server on the same directory
// later (a restarted emulator) answers for every earlier session.

// stateFileName is the state's file in the data directory.
const stateFileName = "state.json"

// saveInterval is how often the state is written when it changed.
const saveInterval = 250 * time.Millisecond

// WithDataDir keeps the server's sessions, media, decisions and webhook
// deliveries in dir (created if missing), as the veriff emulator's
// -data-dir does: media are written to files as they arrive (memory stays
// small), the rest is saved within a quarter of a second of a change and
// on Close, and a new server on the same dir starts with all of it (see
// Restored). Injected faults, recorded requests, the webhook URLs and
// watchlist or NFC data added through the Server's methods are not kept.
func WithDataDir(dir string) ServerOption {
	return func(c *serverConfig) { c.dataDir = dir }
}

// Restored reports how many sessions the server took over from its data
// directory (WithDataDir), and why it could not, if so: a directory that
// cannot be created or read, or a state file that is not the server's.
// Without WithDataDir it returns 0, nil.
func (s *Server) Restored() (sessions int, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.restored, s.restoreErr
}

// Persisted shapes (state.json, version 1).
type (
	stateV1 struct {
		Version       int          `json:"version"`
		Seq           int64        `json:"seq"`
		DeliveryCount int          `json:"deliveryCount"`
		Sessions      []sessionV1  `json:"sessions"`
		Deliveries    []deliveryV1 `json:"deliveries"`
	}
	sessionV1 struct {
		Seq            int64                     `json:"seq"`
		ID             string                    `json:"id"`
		Token          string                    `json:"token"`
		Status         veriff.SessionStatus      `json:"status"`
		CreatedAt      time.Time                 `json:"createdAt"`
		VendorData     *string                   `json:"vendorData,omitempty"`
		EndUserID      *string                   `json:"endUserId,omitempty"`
		Callback       string                    `json:"callback,omitempty"`
		Person         fake.Person               `json:"person"`
		Document       fake.Document             `json:"document"`
		Address        string                    `json:"address,omitempty"`
		INEConsent     bool                      `json:"ineConsent,omitempty"`
		IntegrationID  string                    `json:"integrationId,omitempty"`
		ClientIP       string                    `json:"clientIp,omitempty"`
		TechnicalExtra map[string]any            `json:"technicalExtra,omitempty"`
		Verification   json.RawMessage           `json:"verification,omitempty"`
		Attempts       []attemptV1               `json:"attempts"`
		NewAttempt     bool                      `json:"newAttempt,omitempty"`
		Decision       json.RawMessage           `json:"decision,omitempty"`
		INE            *veriff.INERegistryResult `json:"ine,omitempty"`
		INEBiometric   *biometricV1              `json:"ineBiometric,omitempty"`
		Collected      []json.RawMessage         `json:"collected,omitempty"`
		CanceledAt     time.Time                 `json:"canceledAt"`
	}
	biometricV1 struct {
		FaceMatch           *bool    `json:"faceMatch"`
		FaceMatchPercentage *float64 `json:"faceMatchPercentage"`
		ResponseStatus      *string  `json:"responseStatus"`
	}
	attemptV1 struct {
		ID          string               `json:"id"`
		Status      veriff.SessionStatus `json:"status"`
		CreatedAt   time.Time            `json:"createdAt"`
		StartedSent bool                 `json:"startedSent,omitempty"`
		SubmittedAt time.Time            `json:"submittedAt"`
		Media       []mediaV1            `json:"media"`
	}
	mediaV1 struct {
		ID         string              `json:"id"`
		Name       string              `json:"name"`
		MimeType   string              `json:"mimeType"`
		Context    veriff.MediaContext `json:"context"`
		Size       int                 `json:"size"`
		UploadedAt time.Time           `json:"uploadedAt"`
		// InMemory: the content was not written to the directory (a
		// write failed) and is lost with the process.
		InMemory bool `json:"inMemory,omitempty"`
	}
	deliveryV1 struct {
		N          int                `json:"n"`
		Kind       veriff.WebhookKind `json:"kind"`
		URL        string             `json:"url"`
		SessionID  string             `json:"sessionId"`
		Body       []byte             `json:"body"`
		Signature  string             `json:"signature"`
		Attempts   int                `json:"attempts"`
		StatusCode int                `json:"statusCode"`
		Err        string             `json:"err,omitempty"`
		Delivered  bool               `json:"delivered"`
		Sent       time.Time          `json:"sent"`
		Done       time.Time          `json:"done"`
	}
)

// stateLocked encodes the state to keep; s.mu must be held.
func (s *Server) stateLocked() ([]byte, error) {
	st := stateV1{Version: 1, Seq: s.seq, DeliveryCount: s.deliveryCount, Sessions: []sessionV1{}, Deliveries: []deliveryV1{}}
	for _, ss := range s.sortedSessions() {
		st.Sessions = append(st.Sessions, sessionToV1(ss))
	}
	for _, d := range s.deliveries {
		dv := deliveryV1{N: d.N, Kind: d.Kind, URL: d.URL, SessionID: d.SessionID, Body: d.Body, Signature: d.Signature,
			Attempts: d.Attempts, StatusCode: d.StatusCode, Delivered: d.Delivered, Sent: d.Sent, Done: d.Done}
		if d.Err != nil {
			dv.Err = d.Err.Error()
		}
		st.Deliveries = append(st.Deliveries, dv)
	}
	return json.Marshal(st)
}

func sessionToV1(ss *session) sessionV1 {
	v := sessionV1{Seq: ss.seq, ID: ss.id, Token: ss.token, Status: ss.status, CreatedAt: ss.createdAt,
		VendorData: ss.vendorData, EndUserID: ss.endUserID, Callback: ss.callback, Person: ss.person,
		Document: ss.document, Address: ss.address, INEConsent: ss.ineConsent, IntegrationID: ss.integrationID,
		ClientIP: ss.clientIP, TechnicalExtra: ss.technicalExtra, Verification: ss.verification,
		NewAttempt: ss.newAttempt, Decision: ss.decision, INE: ss.ine, Collected: ss.collected, CanceledAt: ss.canceledAt}
	if b := ss.ineBiometric; b != nil {
		v.INEBiometric = &biometricV1{b.FaceMatch, b.FaceMatchPercentage, b.ResponseStatus}
	}
	for _, a := range ss.attempts {
		av := attemptV1{ID: a.id, Status: a.status, CreatedAt: a.createdAt, StartedSent: a.startedSent, SubmittedAt: a.submittedAt, Media: []mediaV1{}}
		for _, m := range a.media {
			av.Media = append(av.Media, mediaV1{ID: m.id, Name: m.name, MimeType: m.mimeType, Context: m.context,
				Size: m.size, UploadedAt: m.uploadedAt, InMemory: !m.onDisk})
		}
		v.Attempts = append(v.Attempts, av)
	}
	return v
}

// dirError is err of the data directory without the path an
// *fs.PathError names (errors never echo file paths); errors.Is still
// sees the cause, such as fs.ErrPermission.
func dirError(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return fmt.Errorf("verifftest: data directory: %s: %w", pe.Op, pe.Err)
	}
	return fmt.Errorf("verifftest: data directory: %w", err)
}

// restoreLocked loads the data directory's state, if any; s.mu must be
// held (NewUnstartedServer, before anything runs).
func (s *Server) restoreLocked() error {
	if err := os.MkdirAll(filepath.Join(s.cfg.dataDir, "media"), 0o700); err != nil {
		return dirError(err)
	}
	b, err := os.ReadFile(filepath.Join(s.cfg.dataDir, stateFileName))
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return dirError(err)
	}
	var st stateV1
	if err := json.Unmarshal(b, &st); err != nil || st.Version != 1 {
		return fmt.Errorf("verifftest: data directory: %s is not a state file of this server (version 1)", stateFileName)
	}
	s.seq, s.deliveryCount = st.Seq, st.DeliveryCount
	for _, v := range st.Sessions {
		ss := s.sessionFromV1(v)
		s.sessions[ss.id] = ss
		s.byToken[ss.token] = ss
	}
	for _, d := range st.Deliveries {
		out := Delivery{N: d.N, Kind: d.Kind, URL: d.URL, SessionID: d.SessionID, Body: d.Body, Signature: d.Signature,
			Attempts: d.Attempts, StatusCode: d.StatusCode, Delivered: d.Delivered, Sent: d.Sent, Done: d.Done}
		if d.Err != "" {
			out.Err = errors.New(d.Err)
		}
		s.deliveries = append(s.deliveries, out)
	}
	s.restored = len(st.Sessions)
	s.saved = b
	return nil
}

func (s *Server) sessionFromV1(v sessionV1) *session {
	ss := &session{seq: v.Seq, id: v.ID, token: v.Token, status: v.Status, createdAt: v.CreatedAt,
		vendorData: v.VendorData, endUserID: v.EndUserID, callback: v.Callback, person: v.Person,
		document: v.Document, address: v.Address, ineConsent: v.INEConsent, integrationID: v.IntegrationID,
		clientIP: v.ClientIP, technicalExtra: v.TechnicalExtra, verification: v.Verification,
		newAttempt: v.NewAttempt, decision: v.Decision, ine: v.INE, collected: v.Collected, canceledAt: v.CanceledAt}
	if b := v.INEBiometric; b != nil {
		ss.ineBiometric = &veriff.INEBiometricRegistryValidation{FaceMatch: b.FaceMatch, FaceMatchPercentage: b.FaceMatchPercentage, ResponseStatus: b.ResponseStatus}
	}
	for _, av := range v.Attempts {
		a := &attempt{id: av.ID, sessionID: ss.id, status: av.Status, createdAt: av.CreatedAt, startedSent: av.StartedSent, submittedAt: av.SubmittedAt}
		for _, mv := range av.Media {
			m := &mediaItem{id: mv.ID, name: mv.Name, mimeType: mv.MimeType, sessionID: ss.id, attempID: a.id,
				context: mv.Context, size: mv.Size, uploadedAt: mv.UploadedAt, onDisk: !mv.InMemory, dropped: mv.InMemory}
			a.media = append(a.media, m)
			s.media[m.id] = m
		}
		ss.attempts = append(ss.attempts, a)
		s.attempts[a.id] = a
	}
	if len(ss.attempts) == 0 { // never written so, but a session always has one
		a := &attempt{id: ss.id + "-attempt", sessionID: ss.id, status: ss.status, createdAt: ss.createdAt}
		ss.attempts = []*attempt{a}
		s.attempts[a.id] = a
	}
	return ss
}

// saveLoop writes the state whenever it changed, until Close; then once
// more.
func (s *Server) saveLoop() {
	defer s.wg.Done()
	t := time.NewTicker(saveInterval)
	defer t.Stop()
	for {
		select {
		case <-s.ctx.Done():
			s.save()
			return
		case <-t.C:
			s.save()
		}
	}
}

// save writes state.json if the state changed since the last write.
func (s *Server) save() {
	s.mu.Lock()
	b, err := s.stateLocked()
	same := err == nil && bytes.Equal(b, s.saved)
	s.mu.Unlock()
	if err != nil || same {
		return
	}
	if writeFileAtomic(filepath.Join(s.cfg.dataDir, stateFileName), b) == nil {
		s.mu.Lock()
		s.saved = b
		s.mu.Unlock()
	}
}
