package veriff

import (
	"os"
	"strings"
)

// Environment variables read by NewClientFromEnv.
const (
	EnvAPIKey        = "VERIFF_API_KEY"
	EnvSharedSecret  = "VERIFF_SHARED_SECRET"
	EnvBaseURL       = "VERIFF_BASE_URL"
	EnvIntegrationID = "VERIFF_INTEGRATION_ID"
)

// NewClientFromEnv returns a Client configured from the environment:
// VERIFF_API_KEY and VERIFF_SHARED_SECRET (required), VERIFF_BASE_URL (the
// integration's base URL from the Customer Portal; DefaultBaseURL, a
// fallback, when unset) and VERIFF_INTEGRATION_ID (optional). opts are applied after the
// environment, so they win. An error names a missing or invalid variable,
// never its value.
func NewClientFromEnv(opts ...Option) (*Client, error) {
	key, secret := os.Getenv(EnvAPIKey), os.Getenv(EnvSharedSecret)
	if strings.TrimSpace(key) == "" {
		return nil, invalidInput(EnvAPIKey, "environment variable is not set")
	}
	if secret == "" {
		return nil, invalidInput(EnvSharedSecret, "environment variable is not set")
	}
	// What the options set decides whether the variables matter.
	var probe config
	for _, opt := range opts {
		if opt != nil && opt(&probe) != nil {
			break // NewClient reports it
		}
	}
	var all []Option
	if v := os.Getenv(EnvBaseURL); v != "" && probe.baseURL == "" {
		if _, err := normalizeBaseURL(v, probe.plainHTTP); err != nil {
			return nil, invalidInput(EnvBaseURL, "not a usable base URL: it must be absolute https (plain http only to loopback, or with WithPlainHTTP to a host outside veriff.com and veriff.me), without user info, query or fragment")
		}
		all = append(all, WithBaseURL(v))
	}
	if v := os.Getenv(EnvIntegrationID); v != "" {
		all = append(all, envOption(EnvIntegrationID, WithIntegrationID(v)))
	}
	all = append(all, opts...)
	if hasControl(key) {
		return nil, invalidInput(EnvAPIKey, "contains control characters")
	}
	return NewClient(key, secret, all...)
}

// envOption applies opt and reports a failure under the variable's name,
// without the value.
func envOption(name string, opt Option) Option {
	return func(c *config) error {
		if err := opt(c); err != nil {
			return invalidInput(name, "invalid value")
		}
		return nil
	}
}
