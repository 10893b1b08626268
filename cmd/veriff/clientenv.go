package main

import (
	"errors"
	"os"

	"github.com/veriffgo/veriff"
)

// errNoCredentials is a usage error: the variables that name the
// integration are not set.
var errNoCredentials = errors.New("VERIFF_API_KEY and VERIFF_SHARED_SECRET must be set (and VERIFF_BASE_URL for anything but Veriff's default host)")

// newClientFromEnv builds the client of "veriff sessions" from VERIFF_API_KEY,
// VERIFF_SHARED_SECRET, VERIFF_BASE_URL and VERIFF_INTEGRATION_ID.
//
// TODO(lead): switch to veriff.NewClientFromEnv (and WithPlainHTTP for an
// emulator on a private network) once it is on main.
func newClientFromEnv() (*veriff.Client, error) {
	key, secret := os.Getenv("VERIFF_API_KEY"), os.Getenv("VERIFF_SHARED_SECRET")
	if key == "" || secret == "" {
		return nil, errNoCredentials
	}
	var opts []veriff.Option
	if base := os.Getenv("VERIFF_BASE_URL"); base != "" {
		opts = append(opts, veriff.WithBaseURL(base))
	}
	if id := os.Getenv("VERIFF_INTEGRATION_ID"); id != "" {
		opts = append(opts, veriff.WithIntegrationID(id))
	}
	return veriff.NewClient(key, secret, opts...)
}
