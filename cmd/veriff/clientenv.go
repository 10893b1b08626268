package main

import (
	"os"

	"github.com/veriffgo/veriff"
)

// envPlainHTTP opts "veriff sessions" into plain http to a host that is not
// loopback (an emulator on a private network, such as http://veriff:8700 in
// docker-compose); see veriff.WithPlainHTTP.
const envPlainHTTP = "VERIFF_PLAIN_HTTP"

// newClientFromEnv builds the client of "veriff sessions" with
// veriff.NewClientFromEnv (VERIFF_API_KEY, VERIFF_SHARED_SECRET,
// VERIFF_BASE_URL, VERIFF_INTEGRATION_ID), plus WithPlainHTTP when
// VERIFF_PLAIN_HTTP is "1".
func newClientFromEnv() (*veriff.Client, error) {
	var opts []veriff.Option
	if os.Getenv(envPlainHTTP) == "1" {
		opts = append(opts, veriff.WithPlainHTTP())
	}
	return veriff.NewClientFromEnv(opts...)
}
