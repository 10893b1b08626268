// Package netx holds the network checks the SDK's parts share, so that
// they agree on what a local address is. It is used by verifftest (which
// posts webhooks to loopback hosts only, by default) and cmd/veriff (which
// sends the API key over plain http to loopback hosts only, by default).
package netx

import (
	"net"
	"strings"
)

// IsLoopback reports whether host (a host name or IP address, without a
// port or brackets, as url.URL.Hostname returns it) is "localhost" in any
// case, or a literal loopback IP address (127.0.0.0/8, ::1). Any other name,
// even one that resolves to a loopback address, is not: nothing is looked
// up. "localhost." (final dot) is not loopback either: it is a fully
// qualified name the resolver may send to DNS, whose answer is anyone's.
func IsLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
