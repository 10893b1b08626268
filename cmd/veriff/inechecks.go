package main

import (
	"fmt"
	"strings"

	"github.com/veriffgo/veriff"
)

// defaultINEChecks is -ine-checks' default: verifftest's own default,
// the legacy registry check and the biometric check.
const defaultINEChecks = "registry,biometric"

// parseINEChecks reads -ine-checks: a comma-separated list of registry,
// database and biometric, each at most once. Anything else is an error
// that names the bad item.
func parseINEChecks(s string) (veriff.INEChecks, error) {
	var c veriff.INEChecks
	seen := map[string]bool{}
	for _, item := range strings.Split(s, ",") {
		name := strings.ToLower(strings.TrimSpace(item))
		if seen[name] {
			return c, fmt.Errorf("-ine-checks names %q twice", name)
		}
		seen[name] = true
		switch name {
		case "registry":
			c.Registry = true
		case "database":
			c.Database = true
		case "biometric":
			c.Biometric = true
		case "":
			return c, fmt.Errorf("-ine-checks %q has an empty item: give a comma-separated list of registry, database, biometric", s)
		default:
			return c, fmt.Errorf("-ine-checks: %q is not one of registry, database, biometric", name)
		}
	}
	return c, nil
}

// formatINEChecks is the banner's spelling of c.
func formatINEChecks(c veriff.INEChecks) string {
	var names []string
	for _, n := range []struct {
		on   bool
		name string
	}{{c.Registry, "registry"}, {c.Database, "database"}, {c.Biometric, "biometric"}} {
		if n.on {
			names = append(names, n.name)
		}
	}
	return strings.Join(names, ",")
}
