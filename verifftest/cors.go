package verifftest

// This file holds CORS for the one browser-facing call, POST /v1/sessions (Veriff's js-sdk).

import (
	"net/http"
)

// The browser-facing call: Veriff's @veriff/js-sdk creates a session from a
// web page with an unsigned POST /v1/sessions (X-AUTH-CLIENT, x-origin:
// js-sdk), so that one call answers CORS preflights and carries
// Access-Control-Allow-Origin. Every signed call stays server-only: none of
// them answers a preflight, and X-HMAC-SIGNATURE is not an allowed header.

// corsAllowedHeaders are the request headers a page may send with
// POST /v1/sessions: those the js-sdk sends.
const corsAllowedHeaders = "content-type, x-auth-client, x-origin, vrf-integration-id"

// allowCORS marks an answer of POST /v1/sessions readable by a page of any
// origin. No cookie or other ambient credential is involved: the page
// itself sends the API key, as with Veriff.
func allowCORS(w http.ResponseWriter) {
	h := w.Header()
	h.Set("Access-Control-Allow-Origin", "*")
	h.Add("Vary", "Origin")
}

// OPTIONS /v1/sessions: the CORS preflight of the js-sdk's call. It is
// answered whatever the origin, with no credential needed (browsers send
// none on a preflight).
func (s *Server) sessionsPreflight(w http.ResponseWriter, _ *http.Request) {
	allowCORS(w)
	h := w.Header()
	h.Set("Access-Control-Allow-Methods", "POST")
	h.Set("Access-Control-Allow-Headers", corsAllowedHeaders)
	h.Set("Access-Control-Max-Age", "600")
	w.WriteHeader(http.StatusNoContent)
}
