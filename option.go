package veriff

import (
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"time"
)

// Option configures a Client. An option given an invalid value makes
// NewClient return an error wrapping ErrInvalidInput. A nil Option is
// ignored, by NewClient, NewFeedbackClient and Client.With alike.
type Option func(*config) error

// WithBaseURL sets the integration's base URL, as the Customer Portal shows
// it beside the API keys, with or without a trailing "/v1". Every client
// should set it: Veriff asks integrations to update their API host before
// 9 December 2026 (the portal shows the one to use; APIHosts lists those
// the SDK knows), and without it the client falls back to DefaultBaseURL.
// It must be absolute https; plain http is allowed only to a loopback host
// (localhost, 127.0.0.0/8, ::1), or with WithPlainHTTP to a host outside
// Veriff's domains veriff.com and veriff.me (those of every host in
// APIHosts and HostedFlowHosts), so credentials never travel in clear text.
func WithBaseURL(rawURL string) Option {
	return func(c *config) error {
		c.baseURL = rawURL
		return nil
	}
}

// WithHTTPClient sets the inner *http.Client that the retrying transport
// drives. Its Transport and Timeout (a per-attempt limit) are used, read at
// each attempt; the SDK never follows redirects, so its CheckRedirect and
// Jar are not used.
func WithHTTPClient(hc *http.Client) Option {
	return checkedOption(refuse(hc == nil, "WithHTTPClient", "nil *http.Client"), func(c *config) { c.hc = hc })
}

// WithMaxRetries sets how many times a failed request may be retried after
// the first attempt (default 2; 0 disables retries). Which failures are
// retried depends on the method; see the package documentation.
func WithMaxRetries(n int) Option {
	return checkedOption(refuse(n < 0, "WithMaxRetries", "negative retry count %d", n), func(c *config) { c.maxRetries = n })
}

// WithRetryWait sets the bounds of the exponential backoff between
// attempts (default 500ms to 8s). A Retry-After header overrides them, up to
// the cap set by WithRetryAfterCap.
func WithRetryWait(min, max time.Duration) Option {
	err := refuse(min < 0 || max < 0, "WithRetryWait", "negative wait (%s, %s)", min, max)
	if err == nil {
		err = refuse(max < min, "WithRetryWait", "max %s is below min %s", max, min)
	}
	return checkedOption(err, func(c *config) { c.waitMin, c.waitMax = min, max })
}

// WithRetryAfterCap sets the longest Retry-After the client will sleep for
// before retrying (default 30s). A response asking for more is returned at
// once as an *APIError with RetryAfter set.
func WithRetryAfterCap(d time.Duration) Option {
	return checkedOption(refuse(d < 0, "WithRetryAfterCap", "negative duration %s", d), func(c *config) { c.retryAfterCap = d })
}

// WithMaxResponseBytes caps the size of a JSON response body the client will
// read (default 10 MiB), so that a broken or hostile server cannot exhaust
// memory. Media downloads are streamed and not capped.
func WithMaxResponseBytes(n int64) Option {
	return checkedOption(refuse(n <= 0, "WithMaxResponseBytes", "must be positive, got %d", n), func(c *config) { c.maxResponseBytes = n })
}

// WithMaxDownloadBytes caps the size of a file DownloadMedia delivers
// (default 0: no cap). A larger file fails with an error wrapping
// ErrResponseTooLarge, after at most n bytes were written.
func WithMaxDownloadBytes(n int64) Option {
	return checkedOption(refuse(n < 0, "WithMaxDownloadBytes", "must not be negative, got %d", n), func(c *config) { c.maxDownloadBytes = n })
}

// WithLogger sets a logger for one line per attempt: method, path, status,
// attempt, duration and whether it is retried, at level Debug for a 2xx or
// 3xx answer and Warn for a 4xx or 5xx answer or a connection error. The
// default is silent. Bodies, the API key, the
// shared secret and signatures are never logged.
func WithLogger(l *slog.Logger) Option {
	return func(c *config) error {
		c.logger = l
		return nil
	}
}

// WithIntegrationID sets the Integration ID sent as vrf-integration-id on
// session creation, needed with Veriff's "flexible API keys" setup.
func WithIntegrationID(id string) Option {
	bad := strings.TrimSpace(id) == "" || hasControl(id)
	return checkedOption(refuse(bad, "WithIntegrationID", "empty or contains control characters"), func(c *config) { c.integrationID = id })
}

// WithUserAgent adds ua in front of the SDK's own User-Agent
// ("veriffgo/<version>"), to identify the application.
func WithUserAgent(ua string) Option {
	return checkedOption(refuse(hasControl(ua), "WithUserAgent", "contains control characters"), func(c *config) { c.userAgent = strings.TrimSpace(ua) })
}

// WithPlainHTTP allows a base URL with plain http:// to a host that is not
// loopback. It is meant for emulators on a private network (such as the
// veriff emulator in a container); never use it against Veriff. The API key
// then travels in clear text, so http:// to *.veriff.com and *.veriff.me
// stays refused even with this option. Loopback hosts need no option.
func WithPlainHTTP() Option {
	return func(c *config) error {
		c.plainHTTP = true
		return nil
	}
}

// WithResponseVerification makes the client check the signature Veriff
// puts on its responses: the x-hmac-signature header (or
// vrf-hmac-signature), the HMAC-SHA256 of the response body under the
// shared secret, compared in constant time. A mismatch, and a success
// response without the header, is an error wrapping ErrInvalidSignature;
// nothing is decoded from it. A streamed download is checked when its end
// is read, so the bytes already written must then be discarded. Error
// responses (non-2xx) are not checked. Off by default.
func WithResponseVerification() Option {
	return func(c *config) error {
		c.verifyResponses = true
		return nil
	}
}

// checkedOption is an Option that fails with err, the outcome of checking
// the option's arguments when it was made, or else applies set.
func checkedOption(err error, set func(*config)) Option {
	return func(c *config) error {
		if err != nil {
			return err
		}
		set(c)
		return nil
	}
}

// refuse is the error of an option given a bad argument: invalidInput
// when bad holds, else nil.
func refuse(bad bool, option, format string, args ...any) error {
	if !bad {
		return nil
	}
	return invalidInput(option, format, args...)
}

// extConfig holds the settings of WithPlainHTTP and WithResponseVerification.
type extConfig struct {
	plainHTTP       bool
	verifyResponses bool
}

// clientExt is what a Client keeps beyond its transport settings: the
// options it was built with (replayed by With), whether responses are
// verified, and how requests are authenticated.
type clientExt struct {
	opts   []Option
	verify bool
	auth   *authScheme // nil: Veriff's Public API v1
}

func newClientExt(auth *authScheme, cfg extConfig, opts []Option) clientExt {
	return clientExt{opts: slices.Clip(slices.Clone(opts)), verify: cfg.verifyResponses, auth: auth}
}

// With returns a copy of c with opts applied after the options c was built
// with, for per-call variation (another logger, fewer retries, response
// verification). The copy shares c's credentials and, unless opts hold
// WithHTTPClient, c's inner *http.Client and so its connection pool. An
// invalid option returns an error and leaves c unchanged; c itself is
// never modified.
func (c *Client) With(opts ...Option) (*Client, error) {
	all := make([]Option, 0, 1+len(c.ext.opts)+len(opts))
	all = append(all, WithHTTPClient(c.inner))
	all = append(all, c.ext.opts...)
	all = append(all, opts...)
	return newClient(c.apiKey, c.signer, c.ext.auth, all)
}
