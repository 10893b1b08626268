package veriff

import (
	"slices"
	"strings"
)

// Veriff's own hosts, the one list every check and hint of the SDK reads
// (§11 of the wire notes: Veriff asks integrations to update their API
// host before 9 December 2026). The base URL shown for the integration in
// Veriff's Customer Portal stays the authority.
var (
	// apiHosts serve the Public API v1: the current regional hosts first,
	// then the older ones.
	apiHosts = []string{
		"api-saas.veriff.com", "api-eu.veriff.com", "api-us.veriff.com",
		"stationapi.veriff.com", "api.veriff.me",
	}
	// hostedFlowHosts serve the verification flow the end-user opens
	// (Session.URL, Session.Host).
	hostedFlowHosts = []string{
		"saas.veriff.com", "eu.veriff.com", "us.veriff.com",
		"alchemy.veriff.com", "magic.veriff.me",
	}
	// veriffDomains are the domains of every host above: plain http to any
	// name under them is refused.
	veriffDomains = []string{"veriff.com", "veriff.me"}
)

// APIHosts returns the host names of Veriff's Public API known to the SDK:
// api-saas.veriff.com (DefaultBaseURL), api-eu.veriff.com and
// api-us.veriff.com, and the older stationapi.veriff.com and api.veriff.me.
// Use the base URL the Customer Portal shows for your integration; this
// list is for checks and diagnostics. The slice is a copy.
func APIHosts() []string { return slices.Clone(apiHosts) }

// HostedFlowHosts returns the host names of Veriff's hosted verification
// flow known to the SDK (saas.veriff.com, eu.veriff.com, us.veriff.com,
// alchemy.veriff.com, magic.veriff.me): where Session.URL points. The
// slice is a copy.
func HostedFlowHosts() []string { return slices.Clone(hostedFlowHosts) }

// veriffDomain returns the Veriff domain host is under ("veriff.com"), or
// "" when it is not one of Veriff's. host is compared without case and
// without a trailing dot.
func veriffDomain(host string) string {
	h := strings.TrimSuffix(strings.ToLower(host), ".")
	for _, d := range veriffDomains {
		if h == d || strings.HasSuffix(h, "."+d) {
			return d
		}
	}
	return ""
}
