package veriff

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"
)

// RawRequest is a call of an endpoint this package does not model yet, for
// Execute.
type RawRequest struct {
	// Method is the HTTP method: GET, POST, PUT, PATCH or DELETE.
	Method string
	// Path is the path after "/v1", e.g. "/sessions/{id}/certificates" with
	// the ID filled in. It must start with "/" and hold no "..", query,
	// fragment, percent-escape, white space or control character.
	Path string
	// SignedID is the ID in the path that a GET or DELETE is signed over
	// (required for them by Veriff's Public API); it is validated like every
	// ID and must be one of Path's segments. POST, PUT and PATCH are signed
	// over their body.
	SignedID string
	// Query is sent as the query string; it is never signed.
	Query url.Values
	// Body is marshalled once to JSON, signed and sent as is; nil sends no
	// body. GET and DELETE take none.
	Body any
}

// Execute calls an endpoint this package does not model yet, through the
// same request path as every other call: signing, retries, typed errors
// (*APIError) and, when enabled, response verification. The JSON success
// body is decoded into out (nil discards it).
//
// Veriff API: any call of the Public API v1 (or, on a FeedbackClient's
// client, of the Feedback API).
func (c *Client) Execute(ctx context.Context, r RawRequest, out any) error {
	req, err := c.rawRequest(r)
	if err != nil {
		return err
	}
	return c.do(ctx, req, out)
}

// rawRequest checks r and turns it into a request of the request path.
func (c *Client) rawRequest(r RawRequest) (*request, error) {
	method := r.Method
	switch method {
	case http.MethodGet, http.MethodDelete, http.MethodPost, http.MethodPut, http.MethodPatch:
	default:
		return nil, invalidInput("RawRequest.Method", "must be GET, POST, PUT, PATCH or DELETE")
	}
	if err := validatePath(r.Path); err != nil {
		return nil, err
	}
	bodyless := method == http.MethodGet || method == http.MethodDelete
	if bodyless && r.Body != nil {
		return nil, invalidInput("RawRequest.Body", "%s takes no body", method)
	}
	if r.SignedID != "" || (bodyless && c.ext.auth == nil) {
		if err := validateID("RawRequest.SignedID", r.SignedID); err != nil {
			return nil, err
		}
		if !hasSegment(r.Path, r.SignedID) {
			return nil, invalidInput("RawRequest.SignedID", "is not a segment of RawRequest.Path")
		}
	}
	return &request{method: method, path: r.Path, query: r.Query.Encode(), signID: r.SignedID, body: r.Body}, nil
}

// validatePath refuses a RawRequest.Path that could leave the API root or
// smuggle a query: it is validated, never escaped.
func validatePath(p string) error {
	const field = "RawRequest.Path"
	switch {
	case !strings.HasPrefix(p, "/"):
		return invalidInput(field, "must start with \"/\" (the path after \"/v1\")")
	case strings.HasPrefix(p, "//"):
		return invalidInput(field, "must not start with \"//\"")
	case strings.Contains(p, ".."):
		return invalidInput(field, "must not contain \"..\"")
	case strings.ContainsAny(p, "?#"):
		return invalidInput(field, "must not contain a query or fragment: use RawRequest.Query")
	case strings.ContainsAny(p, "%\\"):
		return invalidInput(field, "must not contain %% or \\: IDs are validated, not escaped")
	case p == "/v1" || strings.HasPrefix(p, "/v1/"):
		return invalidInput(field, "is the path after \"/v1\": leave \"/v1\" out")
	}
	if !utf8.ValidString(p) {
		return invalidInput(field, "not valid UTF-8")
	}
	for _, r := range p {
		if unicode.IsSpace(r) || unicode.IsControl(r) {
			return invalidInput(field, "must not contain white space or control characters")
		}
	}
	return nil
}

func hasSegment(path, seg string) bool {
	for _, s := range strings.Split(path, "/") {
		if s == seg {
			return true
		}
	}
	return false
}
