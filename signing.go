package veriff

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"net/http"
	"slices"
	"strings"
)

// How requests are signed (authScheme, clientExt.sign) and how responses
// are verified (WithResponseVerification): the signing scheme of each of
// Veriff's APIs on top of the HMAC of hmac.go.

// authScheme is how one of Veriff's APIs authenticates a request: the
// header names of the API key and of the signature, and what is signed.
// The nil scheme is the Public API v1's: X-AUTH-CLIENT and X-HMAC-SIGNATURE
// over the body (POST, PATCH) or the ID in the path (GET, DELETE).
type authScheme struct {
	keyHdr, sigHdr string
	baseURL        string
	// pathSigned is the Feedback API's scheme: a GET signs "/v1" + path
	// alone, any other method "/v1" + path + "\n" + body.
	pathSigned bool
}

func (a *authScheme) keyHeader() string {
	if a == nil {
		return headerAuthClient
	}
	return a.keyHdr
}

func (a *authScheme) sigHeader() string {
	if a == nil {
		return headerSignature
	}
	return a.sigHdr
}

func (a *authScheme) defaultBaseURL() string {
	if a == nil {
		return DefaultBaseURL
	}
	return a.baseURL
}

// sign returns the signature of r, whose marshalled body (nil for none) is
// body: the one place that decides what a request's signature covers.
func (e clientExt) sign(s *signer, r *request, body []byte) string {
	switch {
	case e.auth != nil && e.auth.pathSigned && r.method == http.MethodGet:
		return s.signString("/v1" + r.path)
	case e.auth != nil && e.auth.pathSigned:
		msg := make([]byte, 0, 3+len(r.path)+1+len(body))
		msg = append(append(append(msg, "/v1"...), r.path...), '\n')
		return s.sign(append(msg, body...))
	case body != nil:
		return s.sign(body)
	}
	return s.signString(r.signID)
}

// Response signature headers, in the order they are looked for.
var responseSigHeaders = []string{"X-Hmac-Signature", "Vrf-Hmac-Signature"}

// verifyResponse checks the signature of a 2xx response when verification
// is on: a buffered body at once, a streamed one when its end is read.
func (e clientExt) verifyResponse(st *callState, resp *http.Response, buffered bool) error {
	if !e.verify {
		return nil
	}
	want, err := responseSignature(resp.Header)
	if err != nil {
		return fmt.Errorf("veriff: %s %s: response: %w", st.method, st.path, err)
	}
	if !buffered {
		resp.Body = &verifyingBody{rc: resp.Body, s: st.c.signer, mac: st.c.signer.get(), want: want, st: st}
		return nil
	}
	if st.tooLarge {
		return nil // decode reports ErrResponseTooLarge
	}
	if !st.c.signer.matches(st.body, want) {
		return fmt.Errorf("veriff: %s %s: response: %w: signature does not match the body", st.method, st.path, ErrInvalidSignature)
	}
	return nil
}

// responseSignature returns the decoded signature of a response.
func responseSignature(h http.Header) ([]byte, error) {
	for _, name := range responseSigHeaders {
		if v := strings.TrimSpace(h.Get(name)); v != "" {
			sig, err := hex.DecodeString(v)
			if err != nil || len(sig) != sha256.Size {
				return nil, fmt.Errorf("%w: malformed signature header", ErrInvalidSignature)
			}
			return sig, nil
		}
	}
	return nil, fmt.Errorf("%w: no x-hmac-signature header", ErrInvalidSignature)
}

// verifyingBody hashes a streamed body as it is read and turns its end
// into ErrInvalidSignature when the signature does not match. A download
// cut short (WithMaxDownloadBytes) never reaches the end, so it is not
// verified: it fails with ErrResponseTooLarge instead.
type verifyingBody struct {
	rc   io.ReadCloser
	s    *signer // mac's pool
	mac  hash.Hash
	want []byte
	st   *callState
	done bool
}

func (b *verifyingBody) Read(p []byte) (int, error) {
	n, err := b.rc.Read(p)
	b.mac.Write(p[:n])
	if errors.Is(err, io.EOF) && !b.done {
		b.done = true
		if !hmac.Equal(b.mac.Sum(nil), b.want) {
			return n, fmt.Errorf("veriff: %s %s: response: %w: signature does not match the body", b.st.method, b.st.path, ErrInvalidSignature)
		}
	}
	return n, err
}

func (b *verifyingBody) Close() error {
	if b.mac != nil {
		b.s.pool.Put(b.mac)
		b.mac = nil
	}
	return b.rc.Close()
}

// safeHeader returns a copy of h without the headers that carry
// credentials or signatures: X-AUTH-CLIENT, X-HMAC-SIGNATURE and VRF-*.
func safeHeader(h http.Header) http.Header {
	out := make(http.Header, len(h))
	for k, v := range h {
		ck := http.CanonicalHeaderKey(k)
		if ck == "X-Auth-Client" || ck == "X-Hmac-Signature" || ck == "X-Signature" || strings.HasPrefix(ck, "Vrf-") {
			continue
		}
		out[ck] = slices.Clone(v)
	}
	return out
}
