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

// signer is the one signer of the request path. It keeps a pool of keyed
// HMAC states so that the secret is not re-keyed for every request, and it
// never exposes the secret.
type signer struct {
	pool sync.Pool
}

func newSigner(secret string) *signer {
	key := []byte(secret)
	s := &signer{}
	s.pool.New = func() any { return hmac.New(sha256.New, key) }
	return s
}

// sign returns the lowercase hex HMAC-SHA256 of msg.
func (s *signer) sign(msg []byte) string {
	mac := s.pool.Get().(hash.Hash)
	mac.Reset()
	mac.Write(msg)
	var sum [sha256.Size]byte
	out := hex.EncodeToString(mac.Sum(sum[:0]))
	s.pool.Put(mac)
	return out
}

// signString signs a string message (an ID in the path) without copying it.
func (s *signer) signString(msg string) string {
	mac := s.pool.Get().(hash.Hash)
	mac.Reset()
	_, _ = io.WriteString(mac, msg)
	var sum [sha256.Size]byte
	out := hex.EncodeToString(mac.Sum(sum[:0]))
	s.pool.Put(mac)
	return out
}

// signStream signs everything r yields, reading it once, and reports how
// many bytes it read. It is used for bodies too large to hold in memory.
func (s *signer) signStream(r io.Reader) (sig string, n int64, err error) {
	mac := s.pool.Get().(hash.Hash)
	defer s.pool.Put(mac)
	mac.Reset()
	n, err = io.Copy(mac, r)
	if err != nil {
		return "", n, err
	}
	var sum [sha256.Size]byte
	return hex.EncodeToString(mac.Sum(sum[:0])), n, nil
}
