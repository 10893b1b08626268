package veriff

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Sentinel errors. Test for them with errors.Is; an *APIError matches the
// sentinel of its HTTP status or Veriff code.
var (
	// ErrUnauthorized matches an *APIError with HTTP status 401 or one of
	// Veriff's 18xx authentication codes (bad API key, bad signature).
	ErrUnauthorized = errors.New("veriff: unauthorized")
	// ErrNotFound matches an *APIError with HTTP status 404.
	ErrNotFound = errors.New("veriff: not found")
	// ErrConflict matches an *APIError with HTTP status 409, for example
	// media uploaded after the session was submitted, or a second submit.
	ErrConflict = errors.New("veriff: conflict")
	// ErrRateLimited matches an *APIError with HTTP status 429.
	ErrRateLimited = errors.New("veriff: rate limited")
	// ErrBadRequest matches an *APIError with HTTP status 400.
	ErrBadRequest = errors.New("veriff: bad request")
	// ErrServer matches an *APIError with a 5xx HTTP status.
	ErrServer = errors.New("veriff: server error")

	// ErrMissingSignature is wrapped by VerifyWebhook when the request
	// carries no signature header.
	ErrMissingSignature = errors.New("veriff: missing webhook signature")
	// ErrInvalidSignature is wrapped by VerifyWebhook when the signature is
	// malformed or matches none of the configured secrets.
	ErrInvalidSignature = errors.New("veriff: invalid webhook signature")

	// ErrInvalidInput is wrapped by every error the SDK returns for bad
	// input before anything is sent: empty or malformed IDs, bad options,
	// unsupported or oversized media.
	ErrInvalidInput = errors.New("veriff: invalid input")
	// ErrInvalidResponse is wrapped when a response cannot be understood:
	// truncated or non-JSON bodies, or an empty body where one was expected.
	ErrInvalidResponse = errors.New("veriff: invalid response")
	// ErrResponseTooLarge is wrapped when a response body exceeds the
	// client's limit (see WithMaxResponseBytes).
	ErrResponseTooLarge = errors.New("veriff: response too large")
)

// APIError is returned for every non-2xx answer of Veriff's API, and for a
// 2xx answer whose body says "status":"fail". It never holds the API key,
// the shared secret or a signature.
type APIError struct {
	// StatusCode is the HTTP status code of the response.
	StatusCode int
	// Code is Veriff's troubleshooting code ("1818"), whether the body sent
	// it as a string or a number; empty when the body had none.
	Code string
	// Message is Veriff's message, or the HTTP status text when the body
	// carried none.
	Message string
	// RetryAfter is the delay the Retry-After header asked for, when the
	// response had one.
	RetryAfter time.Duration
	// Method and Path name the request ("GET", "/v1/sessions/{id}/decision").
	Method string
	Path   string
	// Status is the body's top-level "status" ("fail"), when present.
	Status string
	// Attempts is how many times the request was sent.
	Attempts int
	// Header holds the response's headers minus those that carry
	// credentials or signatures (X-AUTH-CLIENT, X-HMAC-SIGNATURE, VRF-*).
	Header http.Header
	// Body is the start of the response body, at most 64 KiB.
	Body []byte
}

// Error implements error.
func (e *APIError) Error() string {
	var b strings.Builder
	b.WriteString("veriff: ")
	if e.Method != "" {
		b.WriteString(e.Method)
		b.WriteByte(' ')
		b.WriteString(e.Path)
		b.WriteString(": ")
	}
	b.WriteString(strconv.Itoa(e.StatusCode))
	if t := http.StatusText(e.StatusCode); t != "" {
		b.WriteByte(' ')
		b.WriteString(t)
	}
	if e.Code != "" {
		b.WriteString(": code ")
		b.WriteString(e.Code)
	}
	if e.Message != "" && e.Message != http.StatusText(e.StatusCode) {
		b.WriteString(": ")
		b.WriteString(e.Message)
	}
	if h := e.Hint(); h != "" {
		b.WriteString(" (")
		b.WriteString(h)
		b.WriteByte(')')
	}
	if e.RetryAfter > 0 {
		b.WriteString(" (retry after ")
		b.WriteString(e.RetryAfter.String())
		b.WriteByte(')')
	}
	return b.String()
}

// Is reports whether the error matches one of the sentinel errors.
func (e *APIError) Is(target error) bool {
	switch target {
	case ErrUnauthorized:
		return e.StatusCode == http.StatusUnauthorized || isAuthCode(e.Code)
	case ErrNotFound:
		return e.StatusCode == http.StatusNotFound
	case ErrConflict:
		return e.StatusCode == http.StatusConflict
	case ErrRateLimited:
		return e.StatusCode == http.StatusTooManyRequests
	case ErrBadRequest:
		return e.StatusCode == http.StatusBadRequest
	case ErrServer:
		return e.StatusCode >= 500 && e.StatusCode <= 599
	}
	return false
}

// Hint returns a readable explanation of Veriff's troubleshooting code
// and, on a 401 or 403, of what refuses a call: the API key, the
// signature (shared secret) or Veriff's Public API IP allowlist, which
// refuses calls from addresses not on the integration's list (Veriff's
// exact answer for that case is not known, so the hint names it as one
// possibility). It is "" when there is nothing to explain.
func (e *APIError) Hint() string {
	h := codeHints[e.Code]
	if e.StatusCode != http.StatusUnauthorized && e.StatusCode != http.StatusForbidden {
		return h
	}
	if h != "" {
		h += "; "
	}
	return h + authHint
}

// authHint is the part of Hint on a 401 or 403.
const authHint = "check the API key, the shared secret the request is signed with, the base URL (" +
	"the one the Customer Portal shows), and, if the integration uses Veriff's Public API IP allowlist, " +
	"that the calling address is on it"

// Temporary reports whether retrying the same request later may succeed
// (429, and 500 to 599 other than 501; statuses above 599 are not server
// errors).
func (e *APIError) Temporary() bool {
	return e.StatusCode == http.StatusTooManyRequests ||
		(e.StatusCode >= 500 && e.StatusCode <= 599 && e.StatusCode != http.StatusNotImplemented)
}

func isAuthCode(code string) bool {
	return len(code) == 4 && strings.HasPrefix(code, "18")
}

// errorBody is the shape of Veriff's error responses.
type errorBody struct {
	Status  string     `json:"status"`
	Code    flexString `json:"code"`
	Message string     `json:"message"`
}

// InputError describes input refused before anything was sent. It wraps
// ErrInvalidInput.
type InputError struct {
	// Field names the argument or option at fault ("sessionID", "WithRetryWait").
	Field string
	// Reason says what is wrong with it.
	Reason string
}

// Error implements error.
func (e *InputError) Error() string {
	return fmt.Sprintf("veriff: invalid %s: %s", e.Field, e.Reason)
}

// Unwrap returns ErrInvalidInput.
func (e *InputError) Unwrap() error { return ErrInvalidInput }

func invalidInput(field, format string, args ...any) error {
	return &InputError{Field: field, Reason: fmt.Sprintf(format, args...)}
}

// ErrMediaChanged is the cause of an upload attempt that failed because the
// file given to UploadMediaFile changed (size, modification time or
// content) after the SDK signed it. Nothing that would fail Veriff's
// signature check is sent in full: the attempt is cut short instead.
var ErrMediaChanged = errors.New("veriff: media file changed after it was signed")

// ErrMalformedWebhook is wrapped by ParseWebhook when the body is not a JSON
// object, or is a known kind of webhook whose required fields are missing or
// of the wrong type.
var ErrMalformedWebhook = errors.New("veriff: malformed webhook")
