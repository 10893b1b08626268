// Command webhook-receiver is a small HTTP server that receives Veriff's
// webhooks into an inbox (package github.com/veriffgo/veriff/inbox) and
// processes each delivery once.
//
//	cd examples/webhook-receiver
//	VERIFF_SHARED_SECRET=<secret> go run . -addr 127.0.0.1:8080
//	VERIFF_SHARED_SECRET=<secret> go run . -database-url postgres://user:pass@127.0.0.1/app
//
// Deliveries are held in memory by default (one process), or in PostgreSQL
// with -database-url (or DATABASE_URL), so that several replicas share the
// work and a restart loses nothing. The example is its own module because
// the PostgreSQL store (inbox/pginbox) depends on pgx, which the SDK's root
// module does not.
//
// It accepts POST /veriff/webhooks, verifies the signature with the shared
// secret (VERIFF_SHARED_SECRET, comma-separated to accept several while
// rotating: "new,old"), and, when VERIFF_API_KEY is set, also checks the
// X-AUTH-CLIENT header Veriff sends. Each verified webhook is recorded under
// its delivery key and answered 200, then processed once by the inbox's
// workers; Veriff's retries and replays of a recorded delivery are answered
// 200 and not processed again.
// It logs one line per webhook: kind, session ID and status, never bodies
// or personal data.
//
// Veriff must reach the server over HTTPS: run it behind a reverse proxy or
// a tunnel and set the integration's webhook URLs in the Customer Portal to
// https://<public host>/veriff/webhooks. SIGINT or SIGTERM shut it down
// gracefully. The exit code is 0 after a clean shutdown, 1 on an error and
// 2 on bad usage.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/veriffgo/veriff"
	"github.com/veriffgo/veriff/inbox"
	"github.com/veriffgo/veriff/inbox/pginbox"
)

// webhookPath is where the server accepts webhooks.
const webhookPath = "/veriff/webhooks"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Getenv, os.Stderr, nil)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "webhook-receiver:", err)
	}
	os.Exit(exitCode(err))
}

// usageError is a mistake in the flags or the environment (exit 2).
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func exitCode(err error) int {
	var ue *usageError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &ue):
		return 2
	default:
		return 1
	}
}

// config is the receiver's configuration from flags and environment.
type config struct {
	addr    string
	secrets []string // every live shared secret
	apiKey  string   // "" skips the X-AUTH-CLIENT check
	dbURL   string   // "" keeps deliveries in memory
}

func loadConfig(args []string, getenv func(string) string, stderr io.Writer) (config, error) {
	var c config
	fs := flag.NewFlagSet("webhook-receiver", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&c.addr, "addr", "127.0.0.1:8080", "address to listen on; webhooks arrive at "+webhookPath)
	fs.StringVar(&c.dbURL, "database-url", "", "PostgreSQL URL to record deliveries in (default $DATABASE_URL; none: in memory)")
	fs.Usage = func() {
		fmt.Fprint(stderr, "Usage: webhook-receiver [-addr host:port]\n\n"+
			"Environment:\n"+
			"  VERIFF_SHARED_SECRET  the integration's shared secret; comma-separated to accept several (rotation). Required.\n"+
			"  VERIFF_API_KEY        when set, webhooks must carry it in X-AUTH-CLIENT.\n"+
			"  DATABASE_URL          PostgreSQL URL, when -database-url is not given.\n\nFlags:\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return c, err
		}
		return c, &usageError{err.Error()}
	}
	if fs.NArg() > 0 {
		return c, &usageError{fmt.Sprintf("unexpected arguments: %q", fs.Args())}
	}
	c.secrets = splitSecrets(getenv("VERIFF_SHARED_SECRET"))
	if len(c.secrets) == 0 {
		return c, &usageError{"VERIFF_SHARED_SECRET is not set: the receiver needs the integration's shared secret to verify webhooks"}
	}
	c.apiKey = strings.TrimSpace(getenv("VERIFF_API_KEY"))
	if c.dbURL == "" {
		c.dbURL = strings.TrimSpace(getenv("DATABASE_URL"))
	}
	return c, nil
}

// splitSecrets reads a comma-separated list of secrets, ignoring blanks.
func splitSecrets(s string) []string {
	var out []string
	for _, part := range strings.Split(s, ",") {
		if part = strings.TrimSpace(part); part != "" {
			out = append(out, part)
		}
	}
	return out
}

// run serves until ctx is done, then shuts down gracefully. ready, when not
// nil, is called with the webhook URL once the server listens.
func run(ctx context.Context, args []string, getenv func(string) string, stderr io.Writer, ready func(url string)) error {
	cfg, err := loadConfig(args, getenv, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	if err != nil {
		return err
	}
	logger := slog.New(slog.NewTextHandler(stderr, nil))
	store, closeStore, err := openStore(ctx, cfg.dbURL)
	if err != nil {
		return err
	}
	defer closeStore()
	in, handler, err := newHandler(cfg, store, logger)
	if err != nil {
		return err
	}

	ln, err := net.Listen("tcp", cfg.addr)
	if err != nil {
		return err
	}
	srv := &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       2 * time.Minute,
	}
	workCtx, stopWork := context.WithCancel(context.WithoutCancel(ctx))
	worked := make(chan error, 1)
	go func() { worked <- in.Run(workCtx) }()
	defer func() { stopWork(); <-worked }()
	url := "http://" + ln.Addr().String() + webhookPath
	logger.Info("listening", "url", url, "secrets", len(cfg.secrets), "api_key_check", cfg.apiKey != "", "postgres", cfg.dbURL != "")
	if ready != nil {
		ready(url)
	}

	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	select {
	case err := <-served:
		return err // the listener failed
	case <-ctx.Done():
	}

	logger.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-served; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	logger.Info("stopped")
	return nil
}

// openStore opens the PostgreSQL store when dbURL is set, the memory store
// otherwise. The URL (it may hold a password) is never logged.
func openStore(ctx context.Context, dbURL string) (inbox.Store, func(), error) {
	if dbURL == "" {
		return inbox.NewMemoryStore(), func() {}, nil
	}
	pool, err := pgxpool.New(ctx, dbURL)
	if err != nil {
		return nil, nil, &usageError{"-database-url: not a valid PostgreSQL URL"}
	}
	// Migrate is explicit and idempotent (replicas starting together take
	// turns); teams with their own migration tool apply pginbox.Migrations
	// instead, and New then only checks the schema version.
	if err := pginbox.Migrate(ctx, pool); err != nil {
		pool.Close()
		return nil, nil, fmt.Errorf("migrating the PostgreSQL inbox: %w", err)
	}
	store, err := pginbox.New(ctx, pool)
	if err != nil {
		pool.Close()
		return nil, nil, fmt.Errorf("opening the PostgreSQL inbox: %w", err)
	}
	return store, pool.Close, nil
}

// newHandler returns the inbox recording into store, routed at
// webhookPath.
func newHandler(cfg config, store inbox.Store, logger *slog.Logger) (*inbox.Inbox, http.Handler, error) {
	in, err := inbox.New(store, (&receiver{log: logger}).handle,
		inbox.WithSecrets(cfg.secrets...), // 401 unless signed with one of them
		inbox.WithAPIKey(cfg.apiKey),      // 401 unless X-AUTH-CLIENT matches, when set
		inbox.WithLogger(logger),          // one line per refused delivery or failed attempt
	)
	if err != nil {
		return nil, nil, err
	}
	mux := http.NewServeMux()
	mux.Handle(webhookPath, in)
	return in, mux, nil
}

// receiver processes each recorded delivery.
type receiver struct {
	log *slog.Logger
}

// handle processes one delivery, once per delivery key: an error is
// retried with backoff by the inbox, not by Veriff.
func (r *receiver) handle(ctx context.Context, wh *veriff.Webhook) error {
	r.log.Info("webhook", "kind", wh.Kind, "session", wh.SessionID(), "status", status(wh))
	// Process the delivery here: update the user's account on an approved
	// decision, flag it for review on a decline, and so on.
	return nil
}

// status is what a webhook reports, in a word or two, without personal data.
func status(wh *veriff.Webhook) string {
	switch wh.Kind {
	case veriff.WebhookDecision:
		if wh.Decision != nil && wh.Decision.Verification != nil {
			return string(wh.Decision.Verification.Status)
		}
	case veriff.WebhookEvent:
		if wh.Event != nil {
			return wh.Event.Action
		}
	case veriff.WebhookINERegistry:
		if wh.INERegistry != nil {
			return activeOrNot(wh.INERegistry.Data.Details.Active)
		}
	case veriff.WebhookCURPRegistry:
		if wh.CURPRegistry != nil {
			return activeOrNot(wh.CURPRegistry.Data.Details.Active())
		}
	case veriff.WebhookWatchlist:
		if wh.Watchlist != nil {
			return string(wh.Watchlist.MatchStatus)
		}
	}
	return ""
}

func activeOrNot(active bool) string {
	if active {
		return "active"
	}
	return "inactive"
}
