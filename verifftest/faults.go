package verifftest

// This file holds injected faults of API v1 requests (FailNext, DropNext, InjectFault, ...).

import "net/http"

// Fault describes misbehaviour to inject into the next matching requests,
// for testing a client's retry and error handling. Faults are consumed in
// the order they were injected; a request takes at most one fault, before
// any authentication or routing. Faults apply to API v1 requests only,
// never to the hosted flow (nor the emulator's portal or admin API). Its JSON form is
// the body of the admin API's POST /_emulator/faults.
type Fault struct {
	// Method limits the fault to one HTTP method; "" matches any.
	Method string `json:"method"`
	// Route limits the fault to a route pattern ("/v1/sessions/{id}/media")
	// or a concrete path; "" matches any.
	Route string `json:"route"`
	// Count is how many requests the fault applies to; values below 1 mean 1.
	Count int `json:"count"`

	// Status is the HTTP status answered (default 500), with a
	// Veriff-shaped error body carrying Code (omitted when "") and Message
	// (default: the status text).
	Status  int    `json:"status"`
	Code    string `json:"code"`
	Message string `json:"message"`
	// RetryAfter, when not "", is sent as the Retry-After header (seconds,
	// or an HTTP date).
	RetryAfter string `json:"retryAfter"`

	// Drop closes the connection without reading the request through or
	// answering: the request is not processed.
	Drop bool `json:"drop"`
	// DropAfterProcessing processes the request completely (a session is
	// created, media stored, ...) and then closes the connection without
	// answering, as when a response is lost on the way back.
	DropAfterProcessing bool `json:"dropAfterProcessing"`
}

// InjectFault queues f for the next requests that match it.
func (s *Server) InjectFault(f Fault) { s.injectFaultCapped(f, 0) }

// injectFaultCapped queues f unless max faults (0: no cap) are already
// queued, and reports whether it did.
func (s *Server) injectFaultCapped(f Fault, max int) bool {
	if f.Count < 1 {
		f.Count = 1
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if max > 0 && len(s.faults) >= max {
		return false
	}
	s.faults = append(s.faults, &f)
	return true
}

// FailNext makes the next n requests, whatever their route, answer status
// with a Veriff-shaped error body, and with a Retry-After header when
// retryAfter is not "" (e.g. "1", or an HTTP date). Typical uses:
// FailNext(1, 429, "0"), FailNext(2, 503, "").
func (s *Server) FailNext(n, status int, retryAfter string) {
	if n < 1 {
		return
	}
	s.InjectFault(Fault{Count: n, Status: status, Code: faultCode(status), RetryAfter: retryAfter})
}

// DropNext makes the server close the connection of the next n requests,
// whatever their route, without processing or answering them.
func (s *Server) DropNext(n int) {
	if n < 1 {
		return
	}
	s.InjectFault(Fault{Count: n, Drop: true})
}

// DropAfterProcessingNext makes the server process the next n requests,
// whatever their route, and then close their connection without answering.
// It lets a test prove that a client does not send a POST again when the
// answer is lost (which would, for instance, create a second session).
func (s *Server) DropAfterProcessingNext(n int) {
	if n < 1 {
		return
	}
	s.InjectFault(Fault{Count: n, DropAfterProcessing: true})
}

// ClearFaults removes every fault not yet consumed.
func (s *Server) ClearFaults() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = nil
}

// PendingFaults returns how many injected faulty answers are still to come.
func (s *Server) PendingFaults() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, f := range s.faults {
		n += f.Count
	}
	return n
}

// takeFault consumes one fault matching the request; s.mu must be held.
func (s *Server) takeFault(method, route, path string) *Fault {
	for i, f := range s.faults {
		if f.Method != "" && f.Method != method {
			continue
		}
		if f.Route != "" && f.Route != route && f.Route != path {
			continue
		}
		f.Count--
		if f.Count <= 0 {
			s.faults = append(s.faults[:i:i], s.faults[i+1:]...)
		}
		c := *f
		return &c
	}
	return nil
}

// faultCode is the troubleshooting code sent with an injected status, when
// Veriff has an obvious one.
func faultCode(status int) string {
	switch status {
	case http.StatusUnauthorized:
		return "1815"
	case http.StatusBadRequest:
		return "1101"
	}
	return ""
}
