package verifftest

// This file holds serving: Start, Serve, Handler, the request record and the request log.

import (
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/veriffgo/veriff/internal/fake"
)

// Start starts the server on a free port of 127.0.0.1 and sets URL before
// it returns. It panics when it cannot listen, as httptest.Server.Start.
func (s *Server) Start() {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic("verifftest: cannot listen on a loopback port: " + err.Error())
	}
	s.setURL(l)
	go func() { _ = s.hs.Serve(l) }()
}

// Serve serves the server's Handler on l until Close, and then returns
// nil; any other failure to accept is returned. Before it accepts it sets
// URL to "http://" + l.Addr() (such as "http://127.0.0.1:8700" or
// "http://[::]:8700"); code that runs beside Serve should take the address
// from l rather than read URL. Serve may be called for several listeners.
func (s *Server) Serve(l net.Listener) error {
	s.setURL(l)
	err := s.hs.Serve(l)
	if errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return err
}

func (s *Server) setURL(l net.Listener) {
	u := "http://" + l.Addr().String()
	host, _, _ := net.SplitHostPort(l.Addr().String())
	s.mu.Lock()
	s.URL = u
	s.listenHosts = append(s.listenHosts, strings.ToLower(host))
	s.mu.Unlock()
	s.base.Store(&u)
}

// Handler returns the whole server as one http.Handler: Veriff's API under
// /v1/, the hosted verification flow at each session's verification.url
// (/v/{token}) and its assets (/_assets/); every other path is a 404 page,
// and a foreign Host gets 421 (see AllowsHost). Mount it at the root of a
// server of your own; call Close when done.
func (s *Server) Handler() http.Handler { return http.HandlerFunc(s.serveHTTP) }

// isAPI reports whether path belongs to Veriff's API v1, whose requests are
// recorded (Requests) and subject to injected faults.
func isAPI(path string) bool { return path == "/v1" || strings.HasPrefix(path, "/v1/") }

// serveHTTP refuses a foreign Host, records an API request, applies any
// injected fault, then routes.
func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	_, pattern := s.mux.Handler(r)
	route := fake.Route(pattern)
	status := 0
	if !s.AllowsHost(r.Host) {
		status = fake.Misdirected(w)
	} else if isAPI(r.URL.Path) {
		status = s.serveAPI(w, r, route)
	} else {
		sw := &fake.StatusWriter{ResponseWriter: w}
		s.mux.ServeHTTP(sw, r)
		status = sw.Status()
	}
	if log := s.cfg.requestLog; log != nil {
		// The route pattern, never the path: a hosted flow's path holds
		// its token, an upload capability.
		log(r.Method, route, status)
	}
}

// serveAPI serves a request of the API v1 and returns its status.
func (s *Server) serveAPI(w http.ResponseWriter, r *http.Request, route string) int {
	if route == "/v1/" {
		route = ""
	}
	rec := &Request{
		Method:   r.Method,
		Path:     r.URL.Path,
		RawQuery: r.URL.RawQuery,
		Route:    route,
		Header:   r.Header.Clone(),
		Time:     time.Now(),
	}
	s.mu.Lock()
	f := s.takeFault(r.Method, route, r.URL.Path)
	switch {
	case f == nil:
	case f.Drop:
		rec.Fault = "drop"
	case f.DropAfterProcessing:
		rec.Fault = "drop-after-processing"
	default:
		rec.Fault = "fail"
	}
	s.record(rec)
	s.mu.Unlock()

	status := 0
	switch {
	case f == nil:
		sw := &fake.StatusWriter{ResponseWriter: w}
		s.mux.ServeHTTP(sw, r)
		status = sw.Status()
	case f.Drop:
		dropConn(w)
	case f.DropAfterProcessing:
		buf := httptest.NewRecorder()
		s.mux.ServeHTTP(buf, r)
		dropConn(w)
	default:
		status = s.failFault(w, f)
	}
	s.mu.Lock()
	rec.Status = status
	s.mu.Unlock()
	return status
}

// failFault answers an injected failure and returns its status.
func (s *Server) failFault(w http.ResponseWriter, f *Fault) int {
	st := f.Status
	if st == 0 {
		st = http.StatusInternalServerError
	}
	if f.RetryAfter != "" {
		w.Header().Set("Retry-After", f.RetryAfter)
	}
	msg := f.Message
	if msg == "" {
		msg = http.StatusText(st)
	}
	s.fail(w, st, f.Code, msg)
	return st
}

// record remembers rec, forgetting the oldest beyond the cap; s.mu must be
// held.
func (s *Server) record(rec *Request) {
	if n := len(s.requests) - s.cfg.maxRequests + 1; n > 0 {
		clear(s.requests[:n])
		s.requests = append(s.requests[:0], s.requests[n:]...)
	}
	s.requests = append(s.requests, rec)
}

// baseFor is the base URL of the URLs handed out in answer to r: the
// WithPublicURL option, else the scheme and Host r was sent to, else URL.
func (s *Server) baseFor(r *http.Request) string {
	if s.cfg.publicURL != "" {
		return s.cfg.publicURL
	}
	if r != nil && fake.IsHost(r.Host) {
		scheme := "http"
		if r.TLS != nil {
			scheme = "https"
		}
		return scheme + "://" + r.Host
	}
	if b := s.base.Load(); b != nil {
		return *b
	}
	return ""
}

// dropConn closes the client's connection without an answer.
func dropConn(w http.ResponseWriter) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		panic("verifftest: connection cannot be hijacked")
	}
	conn, _, err := hj.Hijack()
	if err != nil {
		return
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		_ = tc.SetLinger(0)
	}
	_ = conn.Close()
}
