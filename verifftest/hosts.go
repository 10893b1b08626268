package verifftest

// This file holds the host check (only its own host): AllowsHost (fake.Misdirected answers 421).

import (
	"net"
	"net/url"
	"strings"

	"github.com/veriffgo/veriff/internal/netx"
)

// Only its own host: a page on another site can reach a server on a
// loopback port through DNS rebinding (its own name resolving to
// 127.0.0.1), and read or change what the server holds. The server answers
// only requests whose Host names it: a loopback name or address, an
// address it listens on, the host of WithPublicURL, or one given with
// WithAllowedHosts. Any other Host gets 421 Misdirected Request, and
// nothing changes.

// AllowsHost reports whether hostport (a request's Host, such as
// "127.0.0.1:8700" or "veriff:8700") names this server: a loopback name or
// address, an address a listener of Start or Serve is bound to, the host
// of WithPublicURL, or one of WithAllowedHosts. The port is not judged.
// Handler refuses every other Host with 421; code that serves pages of its
// own beside Handler (the veriff emulator's portal) asks the same question.
func (s *Server) AllowsHost(hostport string) bool {
	host := strings.ToLower(hostport)
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	host = strings.TrimSuffix(strings.TrimPrefix(host, "["), "]")
	if host == "" {
		return false
	}
	if netx.IsLoopback(host) || host == s.cfg.publicHost {
		return true
	}
	for _, h := range s.cfg.allowedHosts {
		if host == h {
			return true
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, h := range s.listenHosts {
		if host == h {
			return true
		}
	}
	return false
}

// hostOf is the lower-case host of an absolute URL, without port or
// brackets; "" when rawURL has none.
func hostOf(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil {
		return ""
	}
	return strings.ToLower(u.Hostname())
}
