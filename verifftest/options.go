package verifftest

// This file holds ServerOption and the options that configure a Server.

import (
	"strings"

	"github.com/veriffgo/veriff"
	"github.com/veriffgo/veriff/internal/fake"
)

// defaultMaxRequests is how many requests Requests keeps by default.
const defaultMaxRequests = 10000

// defaultMaxDeliveries is how many deliveries Deliveries keeps by default.
const defaultMaxDeliveries = 10000

// ServerOption configures a Server made by NewServer or
// NewUnstartedServer. A nil ServerOption is ignored.
type ServerOption func(*serverConfig)

type serverConfig struct {
	allowRemoteWebhooks bool
	publicURL           string
	publicHost          string   // publicURL's host, for AllowsHost
	allowedHosts        []string // WithAllowedHosts, lower case
	requestLog          func(method, route string, status int)
	maxRequests         int
	maxDeliveries       int
	ineChecks           veriff.INEChecks
	maxMediaBytes       int64  // WithMaxMediaBytes; 0: no bound
	dataDir             string // WithDataDir
}

func defaultConfig() serverConfig {
	return serverConfig{maxRequests: defaultMaxRequests, maxDeliveries: defaultMaxDeliveries, ineChecks: defaultINEChecks}
}

// WithAllowRemoteWebhooks lets SetWebhookURL and SetWebhookURLs name any
// http or https host, not only loopback ones. By default the server posts
// webhooks (signed, with the API key) to loopback addresses only, so that a
// test cannot send them to a real host by mistake; an emulator running in
// a container needs this option to reach its application on the container
// network, such as http://app:8080/webhooks in docker-compose.
func WithAllowRemoteWebhooks() ServerOption {
	return func(c *serverConfig) { c.allowRemoteWebhooks = true }
}

// WithPublicURL fixes the base URL the server puts in the URLs it hands
// out (a session's verification.url and host, media URLs), such as
// "http://veriff:8700". Without it they are built from the Host header of
// the request that asks for them, so that they work under whatever name a
// client reached the server by (http://127.0.0.1:8700 from the host,
// http://veriff:8700 from another container), and from URL when a request
// names no host. A trailing "/" is dropped.
func WithPublicURL(baseURL string) ServerOption {
	return func(c *serverConfig) {
		c.publicURL = strings.TrimRight(baseURL, "/")
		c.publicHost = hostOf(c.publicURL)
	}
}

// WithAllowedHosts adds host names (or addresses) that requests may name
// in their Host header, besides loopback ones, the listen address and the
// host of WithPublicURL; every other Host is answered 421 (see
// AllowsHost). An emulator in docker-compose that the app reaches as
// http://veriff:8700 needs WithAllowedHosts("veriff"). Ports are ignored,
// and so is a value that is not a host name or address (such as
// "veriff/x"): it allows nothing.
func WithAllowedHosts(hosts ...string) ServerOption {
	return func(c *serverConfig) {
		for _, h := range hosts {
			if !fake.IsHost(h) {
				continue
			}
			if h = hostOf("http://" + h); h != "" {
				c.allowedHosts = append(c.allowedHosts, h)
			}
		}
	}
}

// WithRequestLog calls log once per request the server answers, after the
// answer, with the method, the route pattern that matched (such as
// "/v1/sessions/{id}/decision" or "/v/{token}"; "/v1/" or "/" for a path no route
// takes) and the status (0 when the connection was dropped without one),
// as an emulator's one line per request. It never gets paths (they hold
// session IDs and the hosted flow's token), bodies, headers, queries or
// credentials. log may be called from many goroutines at once.
func WithRequestLog(log func(method, route string, status int)) ServerOption {
	return func(c *serverConfig) { c.requestLog = log }
}

// WithMaxRecordedRequests sets how many requests Requests remembers (the
// most recent ones; default 10000). n below 1 keeps the default.
func WithMaxRecordedRequests(n int) ServerOption {
	return func(c *serverConfig) {
		if n >= 1 {
			c.maxRequests = n
		}
	}
}

// WithMaxRecordedDeliveries sets how many ended webhook deliveries
// Deliveries remembers (the most recent ones; default 10000). n below 1
// keeps the default. The number (Delivery.N) of a forgotten delivery is not
// reused: Resend answers ErrUnknownDelivery for it.
func WithMaxRecordedDeliveries(n int) ServerOption {
	return func(c *serverConfig) {
		if n >= 1 {
			c.maxDeliveries = n
		}
	}
}
