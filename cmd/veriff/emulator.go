package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"runtime/debug"
	"strings"
	"time"

	"github.com/veriffgo/veriff"
	"github.com/veriffgo/veriff/internal/emulator"
	"github.com/veriffgo/veriff/internal/fake"
	"github.com/veriffgo/veriff/verifftest"
)

// The emulator's fixed dev credentials: test credentials of the emulator,
// not Veriff's, printed at start so that any program can use them.
const (
	devAPIKey       = "veriff-emulator-dev-api-key"
	devSharedSecret = "veriff-emulator-dev-shared-secret"
)

// apiKeyEnv names the variable -api-key falls back to (emulator, trigger):
// a flag is visible to every local user in the process list, the
// environment is not.
const apiKeyEnv = "VERIFF_API_KEY"

// Timeouts of the emulator's connections: a client stalling in its
// headers, in a body (the largest, three 18 MB images, takes seconds on
// any link it is used over) or between requests loses its connection.
const (
	readHeaderTimeout = 10 * time.Second
	readTimeout       = 2 * time.Minute
	idleTimeout       = 2 * time.Minute
)

// defaultMaxMediaMB is -max-media-mb's default: media held in memory
// (three 1 MiB images per session: about 40 sessions' worth).
const defaultMaxMediaMB = 128

// defaultMemoryLimit is the Go runtime's soft memory limit for the
// emulator unless GOMEMLIMIT is set: with -max-media-mb's default it keeps
// the process well under 400 MiB resident.
const defaultMemoryLimit = 256 << 20

// shutdownGrace bounds how long requests in flight may take to finish
// after SIGINT or SIGTERM.
const shutdownGrace = 5 * time.Second

const emulatorDescription = `Serves a local Veriff until SIGINT or SIGTERM: Veriff's API v1 under /v1/, the hosted
verification flow at each session's verification.url, the portal page at / and the
admin API under /_emulator/ (JSON; X-AUTH-CLIENT must carry the API key). The first
line on stdout is "veriff emulator listening on http://HOST:PORT"; the credentials in
use follow. Each request is logged on stderr (method, route pattern, status; never a
path, a body or a credential). -api-key and -shared-secret default to $VERIFF_API_KEY
and $VERIFF_SHARED_SECRET, then to the dev credentials. Requests must name the emulator's
own host (loopback, the -addr host, the -public-url host or an -allow-host name): any
other Host is answered 421. A session whose person.firstName is "Approve", "Decline" or
"Resubmit" is decided that way on submit.`

// runEmulator serves verifftest on -addr until ctx ends.
func runEmulator(ctx context.Context, env *cmdEnv, args []string) int {
	fs := newFlagSet(env, "emulator", "emulator [-addr 127.0.0.1:8700] [-api-key K] [-shared-secret S] [-webhook-url URL] [-auto-decide STATUS] [-ine-checks registry,database,biometric] [-public-url URL] [-allow-host NAME,...] [-data-dir DIR] [-max-media-mb N]", emulatorDescription)
	addr := fs.String("addr", "127.0.0.1:8700", "the address to listen on; port 0 picks a free port")
	apiKey := fs.String("api-key", "", "the API key the emulator accepts (default $"+apiKeyEnv+", else the dev key)")
	secret := fs.String("shared-secret", "", "the shared secret the emulator checks and signs with (default $"+secretEnv+", else the dev secret)")
	maxMediaMB := fs.Int64("max-media-mb", defaultMaxMediaMB, "keep at most this many MiB of media in memory, dropping the oldest sessions' first (0: no bound); ignored with -data-dir")
	dataDir := fs.String("data-dir", "", "keep sessions, media, decisions and deliveries in this directory: a restart on it keeps them, and memory stays small")
	allowHosts := fs.String("allow-host", "", "comma-separated host names requests may be sent to besides loopback, the -addr host and the -public-url host (docker-compose: the service name)")
	webhookURL := fs.String("webhook-url", "", "where to POST the signed webhooks (decision, event, INE registry)")
	autoDecide := fs.String("auto-decide", "", "decide every session with this status on submit: approved, declined, resubmission_requested, review, expired or abandoned")
	ineChecks := fs.String("ine-checks", defaultINEChecks, "the INE checks Veriff runs for the emulated integration, comma-separated: registry (legacy endpoints and ine_registry webhook), database (outcome in the decision), biometric (face match in the decision)")
	publicURL := fs.String("public-url", "", "the base URL to put in verification URLs (default: the Host each request was sent to)")
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	if fs.NArg() > 0 {
		return usage(env, fs, "unexpected argument %q", fs.Arg(0))
	}
	if !flagGiven(fs, "api-key") {
		*apiKey = envOr(apiKeyEnv, devAPIKey)
	}
	if !flagGiven(fs, "shared-secret") {
		*secret = envOr(secretEnv, devSharedSecret)
	}
	status, checks, err := checkEmulatorFlags(*apiKey, *secret, *maxMediaMB, *allowHosts, *autoDecide, *ineChecks, *publicURL)
	if err != nil {
		return usage(env, fs, "%v", err)
	}
	l, err := net.Listen("tcp", *addr)
	if err != nil {
		return fail(env, fs, "cannot listen on %s: %v", *addr, err)
	}
	defer l.Close()
	logger := log.New(env.stderr, "", log.Ltime)
	logLine := func(method, route string, status int) { logger.Printf("%s %s %d", method, route, status) }
	listenHost, _, _ := net.SplitHostPort(l.Addr().String())
	opts := []verifftest.ServerOption{
		// The user names the webhook URL: it may be another container.
		verifftest.WithAllowRemoteWebhooks(),
		verifftest.WithINEChecks(checks),
		verifftest.WithRequestLog(logLine),
		verifftest.WithAllowedHosts(append([]string{listenHost}, splitList(*allowHosts)...)...),
	}
	if *publicURL != "" {
		opts = append(opts, verifftest.WithPublicURL(*publicURL))
	}
	storage, restore := storageOptions(*dataDir, *maxMediaMB)
	defer restore()
	srv := verifftest.NewUnstartedServer(*apiKey, *secret, append(opts, storage...)...)
	defer srv.Close()
	if n, err := srv.Restored(); err != nil {
		return fail(env, fs, "-data-dir: %v", err)
	} else if n > 0 {
		fmt.Fprintf(env.stderr, "veriff emulator: %d sessions restored from -data-dir\n", n)
	}
	emu := emulator.New(srv, emulator.WithRequestLog(logLine))
	if *webhookURL != "" {
		if err := srv.CheckWebhookURL(*webhookURL); err != nil {
			return usage(env, fs, "-webhook-url: %v", err)
		}
		srv.SetWebhookURL(*webhookURL)
	}
	srv.AutoDecide(status)
	return serveEmulator(ctx, env, srv, emu.Handler(), l, *apiKey == devAPIKey, *secret == devSharedSecret)
}

// checkEmulatorFlags checks the emulator's flag values before anything
// starts, and returns the -auto-decide status and the -ine-checks.
func checkEmulatorFlags(apiKey, secret string, maxMediaMB int64, allowHosts, autoDecide, ineChecks, publicURL string) (veriff.SessionStatus, veriff.INEChecks, error) {
	if apiKey == "" || secret == "" {
		return "", veriff.INEChecks{}, errors.New("-api-key and -shared-secret must not be empty")
	}
	if maxMediaMB < 0 {
		return "", veriff.INEChecks{}, errors.New("-max-media-mb must be 0 (no bound) or more")
	}
	for _, h := range splitList(allowHosts) {
		if !fake.IsHost(h) {
			return "", veriff.INEChecks{}, fmt.Errorf("-allow-host: %q is not a host name or address", h)
		}
	}
	status, ok := parseAutoDecide(autoDecide)
	if !ok {
		return "", veriff.INEChecks{}, fmt.Errorf("-auto-decide %q is not one of approved, declined, resubmission_requested, review, expired, abandoned", autoDecide)
	}
	checks, err := parseINEChecks(ineChecks)
	if err != nil {
		return "", veriff.INEChecks{}, err
	}
	if publicURL != "" {
		if _, err := receiverURL(publicURL); err != nil {
			return "", veriff.INEChecks{}, errors.New("-public-url must be an absolute http:// or https:// URL")
		}
	}
	return status, checks, nil
}

// storageOptions are the options of -data-dir (media on disk) or
// -max-media-mb (media in memory, bounded); with the default bound it also
// sets the Go runtime's soft memory limit, unless GOMEMLIMIT is set, and
// restore puts the previous one back.
func storageOptions(dataDir string, maxMediaMB int64) (opts []verifftest.ServerOption, restore func()) {
	if dataDir != "" {
		return []verifftest.ServerOption{verifftest.WithDataDir(dataDir)}, func() {}
	}
	restore = func() {}
	if os.Getenv("GOMEMLIMIT") == "" && maxMediaMB > 0 && maxMediaMB <= defaultMaxMediaMB {
		old := debug.SetMemoryLimit(defaultMemoryLimit)
		restore = func() { debug.SetMemoryLimit(old) }
	}
	return []verifftest.ServerOption{verifftest.WithMaxMediaBytes(maxMediaMB << 20)}, restore
}

// flagGiven reports whether the flag name was set on the command line.
func flagGiven(fs *flag.FlagSet, name string) bool {
	given := false
	fs.Visit(func(f *flag.Flag) { given = given || f.Name == name })
	return given
}

// envOr is the environment variable name, or def when it is unset or empty.
func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

// splitList splits a comma-separated flag value, dropping empty items.
func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func parseAutoDecide(s string) (veriff.SessionStatus, bool) {
	if s == "" {
		return "", true
	}
	for _, st := range fake.DecisionStatuses {
		if string(st) == s {
			return st, true
		}
	}
	return "", false
}

// newHTTPServer is the emulator's HTTP server for h: a client stalling in
// its headers, in a body or between requests loses its connection, and
// the server's own error log (which may name client addresses) is
// discarded.
func newHTTPServer(h http.Handler) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: readHeaderTimeout,
		ReadTimeout:       readTimeout,
		IdleTimeout:       idleTimeout,
		ErrorLog:          log.New(discard{}, "", 0),
	}
}

// serveEmulator serves srv on l, prints the banner, and on ctx's end lets
// requests in flight finish (up to shutdownGrace) before it stops srv.
func serveEmulator(ctx context.Context, env *cmdEnv, srv *verifftest.Server, h http.Handler, l net.Listener, devKey, devSecret bool) int {
	hs := newHTTPServer(h)
	served := make(chan error, 1)
	go func() { served <- hs.Serve(l) }()
	base := "http://" + l.Addr().String()
	printBanner(env, base, srv, devKey, devSecret)
	select {
	case err := <-served:
		srv.Close()
		fmt.Fprintf(env.stderr, "veriff emulator: %v\n", err)
		return exitFailed
	case <-ctx.Done():
	}
	fmt.Fprintln(env.stderr, "veriff emulator: shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	err := hs.Shutdown(sctx)
	srv.Close()
	if err := <-served; err != nil && !errors.Is(err, http.ErrServerClosed) {
		fmt.Fprintf(env.stderr, "veriff emulator: %v\n", err)
		return exitFailed
	}
	if err != nil {
		fmt.Fprintf(env.stderr, "veriff emulator: requests still running after %s were cut off\n", shutdownGrace)
	}
	fmt.Fprintln(env.stderr, "veriff emulator: stopped")
	return exitOK
}

// printBanner writes the first stdout line and the credentials in use; its
// last line always starts with "export ".
// Credentials given on the command line are the user's: they are not
// echoed.
func printBanner(env *cmdEnv, base string, srv *verifftest.Server, devKey, devSecret bool) {
	w := env.stdout
	fmt.Fprintf(w, "veriff emulator listening on %s\n", base)
	key, secret := "(as given with -api-key)", "(as given with -shared-secret)"
	if devKey {
		key = srv.APIKey()
	}
	if devSecret {
		secret = srv.SharedSecret()
	}
	fmt.Fprintf(w, "api key:       %s\n", key)
	fmt.Fprintf(w, "shared secret: %s\n", secret)
	fmt.Fprintln(w, "(test credentials of this emulator, not Veriff's)")
	fmt.Fprintf(w, "INE checks:    %s\n", formatINEChecks(srv.INEChecks()))
	fmt.Fprintf(w, "portal:        %s/\n", base)
	fmt.Fprintf(w, "admin API:     %s/_emulator/sessions (X-AUTH-CLIENT: the api key)\n", base)
	if devKey && devSecret {
		fmt.Fprintf(w, "export VERIFF_BASE_URL=%s VERIFF_API_KEY=%s VERIFF_SHARED_SECRET=%s\n", base, key, secret)
	} else {
		fmt.Fprintf(w, "export VERIFF_BASE_URL=%s\n", base)
	}
}

// discard is an io.Writer that drops everything (net/http's own log).
type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }
