package veriff

import (
	"errors"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"runtime"
	"strings"
	"time"

	"github.com/veriffgo/veriff/internal/netx"
)

// Version is the SDK version sent in the User-Agent header: the release
// this tree is tagged as (see RELEASING.md).
const Version = "0.2.0"

// DefaultBaseURL is the fallback API host, used when neither WithBaseURL
// nor VERIFF_BASE_URL gives the integration's own base URL: the host
// Veriff asks integrations to move to before 9 December 2026. The base URL
// the Customer Portal shows for the integration (a regional host such as
// https://api-eu.veriff.com, see APIHosts) stays the authority: pass it.
const DefaultBaseURL = "https://api-saas.veriff.com"

const (
	defaultMaxRetries       = 2
	defaultRetryWaitMin     = 500 * time.Millisecond
	defaultRetryWaitMax     = 8 * time.Second
	defaultRetryAfterCap    = 30 * time.Second
	defaultMaxResponseBytes = 10 << 20 // JSON responses
	defaultAttemptTimeout   = 60 * time.Second
	maxErrorBodyBytes       = 64 << 10
)

// Client calls Veriff's Public API v1. Create one with NewClient. A Client is
// safe for concurrent use by many goroutines, and one process may hold
// several (one per integration).
type Client struct {
	apiKey           string
	signer           *signer
	baseURL          string // scheme://host[/prefix]/v1, no trailing slash
	integrationID    string
	userAgent        string
	logger           *slog.Logger
	retryAfterCap    time.Duration
	maxResponseBytes int64
	maxDownloadBytes int64
	ext              clientExt // With (option.go), response verification, the Feedback API's signing (signing.go)

	// The retry policy's bounds (retry.go).
	maxRetries       int
	waitMin, waitMax time.Duration

	inner *http.Client // the user's client (or ours): transport and per-attempt timeout
	outer *http.Client // drives inner, refusing redirects; each call's retryablehttp.Client uses it
}

type config struct {
	baseURL          string
	hc               *http.Client
	maxRetries       int
	waitMin, waitMax time.Duration
	logger           *slog.Logger
	integrationID    string
	userAgent        string
	retryAfterCap    time.Duration
	maxResponseBytes int64
	maxDownloadBytes int64
	extConfig        // WithPlainHTTP, WithResponseVerification (option.go)
}

// NewClient returns a Client for the integration with the given API key and
// shared secret key. Pass the integration's base URL from the Customer
// Portal with WithBaseURL (or use NewClientFromEnv with VERIFF_BASE_URL):
// Veriff announces a change of API host before 9 December 2026, and
// DefaultBaseURL is only a fallback. It refuses an empty or blank key or
// secret, and invalid options.
func NewClient(apiKey, sharedSecret string, opts ...Option) (*Client, error) {
	if err := checkCredentials(apiKey, sharedSecret); err != nil {
		return nil, err
	}
	return newClient(apiKey, newSigner(sharedSecret), nil, opts)
}

// checkCredentials refuses an empty or malformed API key or secret.
func checkCredentials(apiKey, sharedSecret string) error {
	if strings.TrimSpace(apiKey) == "" {
		return invalidInput("apiKey", "empty API key")
	}
	if hasControl(apiKey) {
		return invalidInput("apiKey", "contains control characters")
	}
	if strings.TrimSpace(sharedSecret) == "" {
		return invalidInput("sharedSecret", "empty shared secret (or only white space)")
	}
	return nil
}

// newClient builds a Client from checked credentials; With and
// NewFeedbackClient share it (signing.go). auth nil is Veriff's Public API.
func newClient(apiKey string, s *signer, auth *authScheme, opts []Option) (*Client, error) {
	cfg := config{
		baseURL:          auth.defaultBaseURL(),
		maxRetries:       defaultMaxRetries,
		waitMin:          defaultRetryWaitMin,
		waitMax:          defaultRetryWaitMax,
		retryAfterCap:    defaultRetryAfterCap,
		maxResponseBytes: defaultMaxResponseBytes,
	}
	for _, opt := range opts {
		if opt == nil {
			continue
		}
		if err := opt(&cfg); err != nil {
			return nil, err
		}
	}
	base, err := normalizeBaseURL(cfg.baseURL, cfg.plainHTTP)
	if err != nil {
		return nil, err
	}
	if cfg.hc == nil {
		cfg.hc = defaultHTTPClient()
	}
	ua := "veriffgo/" + Version + " (" + runtime.Version() + ")"
	if cfg.userAgent != "" {
		ua = cfg.userAgent + " " + ua
	}
	c := &Client{
		apiKey:           apiKey,
		signer:           s,
		baseURL:          base,
		integrationID:    cfg.integrationID,
		userAgent:        ua,
		logger:           cfg.logger,
		retryAfterCap:    cfg.retryAfterCap,
		maxRetries:       cfg.maxRetries,
		waitMin:          cfg.waitMin,
		waitMax:          cfg.waitMax,
		maxResponseBytes: cfg.maxResponseBytes,
		maxDownloadBytes: cfg.maxDownloadBytes,
		inner:            cfg.hc,
		ext:              newClientExt(auth, cfg.extConfig, opts),
	}
	c.outer = &http.Client{Transport: innerTransport{cfg.hc}, CheckRedirect: refuseRedirect}
	return c, nil
}

// BaseURL returns the API root the client calls, ending in "/v1".
func (c *Client) BaseURL() string { return c.baseURL }

func defaultHTTPClient() *http.Client {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConns = 100
	t.MaxIdleConnsPerHost = 100
	t.ForceAttemptHTTP2 = true
	t.MaxResponseHeaderBytes = maxResponseHeaderBytes
	t.Proxy = proxyUnlessPlainLoopback
	return &http.Client{Transport: t, Timeout: defaultAttemptTimeout}
}

// maxResponseHeaderBytes caps the response headers the default transport
// reads; Veriff's are a few hundred bytes.
const maxResponseHeaderBytes = 64 << 10

// proxyUnlessPlainLoopback is the proxy policy of the default transport: the
// environment's (HTTP_PROXY, HTTPS_PROXY, NO_PROXY), except that a plain-http
// request to a loopback host never goes through a proxy, so the API key
// sent in clear text stays on the machine.
func proxyUnlessPlainLoopback(req *http.Request) (*url.URL, error) {
	if req.URL.Scheme == "http" && netx.IsLoopback(req.URL.Hostname()) {
		return nil, nil
	}
	return http.ProxyFromEnvironment(req)
}

// CloseIdleConnections closes the idle keep-alive connections of the
// client's inner *http.Client (see WithHTTPClient); connections in use are
// not interrupted. Copies made by With share the pool. Call it when a Client
// is no longer needed.
func (c *Client) CloseIdleConnections() {
	c.inner.CloseIdleConnections()
}

// normalizeBaseURL checks rawURL and returns it with "/v1" appended once.
func normalizeBaseURL(rawURL string, plainHTTP bool) (string, error) {
	u, err := url.Parse(strings.TrimSpace(rawURL))
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // without the URL, which may hold a password
		}
		return "", invalidInput("WithBaseURL", "cannot parse URL: %v", err)
	}
	if !u.IsAbs() || u.Host == "" {
		return "", invalidInput("WithBaseURL", "not an absolute URL")
	}
	if u.User != nil || u.RawQuery != "" || u.ForceQuery || u.Fragment != "" || strings.ContainsAny(rawURL, "?#") {
		return "", invalidInput("WithBaseURL", "must not carry user info, a query or a fragment")
	}
	switch u.Scheme {
	case "https":
	case "http":
		if !plainHTTP && !netx.IsLoopback(u.Hostname()) {
			return "", invalidInput("WithBaseURL", "plain http is allowed only to a loopback host, not %q: credentials must not travel in clear text", u.Hostname())
		}
		if err := checkPlainHTTP(u.Hostname()); err != nil {
			return "", err
		}
	default:
		return "", invalidInput("WithBaseURL", "scheme must be https, got %q", u.Scheme)
	}
	// Host names are case-insensitive, but Go's proxy bypass for
	// "localhost" is not: lower-case it so that http://LOCALHOST is
	// treated as the loopback host it is.
	u.Host = strings.ToLower(u.Host)
	p := strings.TrimRight(u.Path, "/")
	p = strings.TrimSuffix(p, "/v1")
	u.Path = p + "/v1"
	u.RawPath = ""
	return u.String(), nil
}

// checkPlainHTTP refuses plain http to Veriff's own domains (hosts.go),
// with or without WithPlainHTTP.
func checkPlainHTTP(host string) error {
	if net.ParseIP(strings.TrimSuffix(host, ".")) != nil {
		return nil
	}
	if d := veriffDomain(host); d != "" {
		return invalidInput("WithBaseURL", "plain http to %s is refused: Veriff is reached over https only", d)
	}
	return nil
}

func hasControl(s string) bool {
	for _, r := range s {
		if r < 0x20 || r == 0x7f {
			return true
		}
	}
	return false
}

// RetryAfterCap is the longest Retry-After the client waits for
// (WithRetryAfterCap, default 30s); code that schedules its own retries
// from an *APIError's RetryAfter (package inbox) caps them with it too.
func (c *Client) RetryAfterCap() time.Duration { return c.retryAfterCap }
