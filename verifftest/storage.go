package verifftest

// This file holds the storage of media content: memory, memory bounded by WithMaxMediaBytes, or the data directory.

import (
	"errors"
	"os"
	"path/filepath"
)

// Where media live: in memory (the default, as unit tests want: nothing
// is ever dropped), in memory up to WithMaxMediaBytes (the oldest
// sessions' media are dropped first: their downloads answer 404, as Veriff
// answers for media it no longer has), or on disk under WithDataDir (with
// the rest of the state: persist.go).

// WithMaxMediaBytes bounds the media content the server holds in memory to
// about n bytes: past it, the media of the oldest sessions are dropped
// first. A dropped file stays listed (Media.Dropped in snapshots) but
// GET /v1/media/{id} answers 404 for it, as Veriff does for media it no
// longer has. n of 0 or less keeps everything (the default, for tests);
// the veriff emulator sets it. It has no effect with WithDataDir, which
// keeps media on disk.
func WithMaxMediaBytes(n int64) ServerOption {
	return func(c *serverConfig) { c.maxMediaBytes = max(n, 0) }
}

// storeMediaLocked keeps data as m's content: in a file under the data
// directory when there is one (falling back to memory if it cannot be
// written), else in memory within WithMaxMediaBytes; s.mu must be held.
func (s *Server) storeMediaLocked(m *mediaItem, data []byte) {
	m.size = len(data)
	if s.cfg.dataDir != "" {
		if err := writeFileAtomic(s.mediaPath(m.id), data); err == nil {
			m.onDisk = true
			return
		}
	}
	m.data = data
	s.mediaBytes += int64(len(data))
	s.evictLocked()
}

// evictLocked drops media content, oldest sessions first, until the
// memory held is within WithMaxMediaBytes; s.mu must be held.
func (s *Server) evictLocked() {
	limit := s.cfg.maxMediaBytes
	if limit <= 0 || s.mediaBytes <= limit {
		return
	}
	for _, ss := range s.sortedSessions() {
		for _, a := range ss.attempts {
			for _, m := range a.media {
				if m.data == nil {
					continue
				}
				s.mediaBytes -= int64(len(m.data))
				m.data, m.dropped = nil, true
				if s.mediaBytes <= limit {
					return
				}
			}
		}
	}
}

// mediaBody returns m's content and whether the server still has it;
// s.mu must be held. The slice is never modified afterwards.
func (s *Server) mediaBody(m *mediaItem) ([]byte, bool) {
	switch {
	case m.onDisk:
		b, err := os.ReadFile(s.mediaPath(m.id))
		return b, err == nil
	case m.dropped:
		return nil, false
	}
	return m.data, true
}

// forgetMediaLocked releases m's content (its session is deleted); s.mu
// must be held.
func (s *Server) forgetMediaLocked(m *mediaItem) {
	if m.onDisk {
		_ = os.Remove(s.mediaPath(m.id))
	}
	s.mediaBytes -= int64(len(m.data))
	m.data = nil
	delete(s.media, m.id)
}

// mediaPath is where the data directory keeps a media file. IDs are
// UUIDs the server made: never a path of the client's.
func (s *Server) mediaPath(id string) string {
	return filepath.Join(s.cfg.dataDir, "media", filepath.Base(id))
}

// writeFileAtomic writes data to path through a temporary file and a
// rename, so that a crash leaves the old file or the new one.
func writeFileAtomic(path string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".tmp-*")
	if err != nil {
		return err
	}
	_, werr := tmp.Write(data)
	cerr := tmp.Close()
	if err := errors.Join(werr, cerr); err != nil {
		_ = os.Remove(tmp.Name())
		return err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		_ = os.Remove(tmp.Name())
		return err
	}
	return nil
}
