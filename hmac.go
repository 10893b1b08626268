package veriff

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"hash"
	"io"
	"sync"
)

// Sign returns the lowercase hex HMAC-SHA256 of message under secret, the
// value Veriff expects in the X-HMAC-SIGNATURE header and sends in webhooks.
//
// For POST and PATCH calls the message is the exact request body; for GET and
// DELETE calls it is the ID in the path (session, attempt or media ID), never
// the query string. The client signs every request itself; Sign is exported
// for tests, tools and webhook fixtures.
func Sign(secret string, message []byte) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(message)
	var sum [sha256.Size]byte
	return hex.EncodeToString(mac.Sum(sum[:0]))
}

// signer is the one keyed-MAC pool: HMAC-SHA256 states keyed once with a
// secret and reused, so that signing or checking costs one pass over the
// message and no re-keying. It signs requests, checks signed responses and,
// in a WebhookHandler, webhooks; it never exposes the secret.
type signer struct {
	pool sync.Pool
}

func newSigner(secret string) *signer {
	key := []byte(secret)
	s := &signer{}
	s.pool.New = func() any { return hmac.New(sha256.New, key) }
	return s
}

// get returns a reset keyed state; give it back with s.pool.Put.
func (s *signer) get() hash.Hash {
	m := s.pool.Get().(hash.Hash)
	m.Reset()
	return m
}

// sum returns the HMAC-SHA256 of msg, or of str when msg is nil (an ID in
// the path, written without copying it).
func (s *signer) sum(msg []byte, str string) (sum [sha256.Size]byte) {
	mac := s.get()
	if msg != nil {
		mac.Write(msg)
	} else {
		_, _ = io.WriteString(mac, str)
	}
	mac.Sum(sum[:0])
	s.pool.Put(mac)
	return sum
}

// sign returns the lowercase hex HMAC-SHA256 of msg.
func (s *signer) sign(msg []byte) string {
	sum := s.sum(msg, "")
	return hex.EncodeToString(sum[:])
}

// signString signs a string message (an ID in the path) without copying it.
func (s *signer) signString(msg string) string {
	sum := s.sum(nil, msg)
	return hex.EncodeToString(sum[:])
}

// matches reports, in constant time, whether want is the MAC of msg.
func (s *signer) matches(msg, want []byte) bool {
	sum := s.sum(msg, "")
	return hmac.Equal(sum[:], want)
}

// signStream signs everything r yields, reading it once, and reports how
// many bytes it read. It is used for bodies too large to hold in memory.
func (s *signer) signStream(r io.Reader) (sig string, n int64, err error) {
	mac := s.get()
	defer s.pool.Put(mac)
	n, err = io.Copy(mac, r)
	if err != nil {
		return "", n, err
	}
	var sum [sha256.Size]byte
	return hex.EncodeToString(mac.Sum(sum[:0])), n, nil
}
