// Package e2eflow is the end-to-end harness of Mexico's INE flow: the
// richer sibling of examples/ine-flow, run by its tests in CI and by the
// ine-e2e command.
//
// With no VERIFF_* variables it needs no account and no network: it starts
// verifftest (the SDK's in-process fake of Veriff's API), uploads small
// generated JPEG images (or the files given by -front, -back and -selfie),
// receives the webhooks on a local veriff.WebhookHandler, and checks that
// every webhook arrived once.
//
// Against the real API, give the integration's credentials and base URL
// (Customer Portal, integration, API keys tab) and three images:
//
//	export VERIFF_API_KEY=... VERIFF_SHARED_SECRET=... VERIFF_BASE_URL=https://<your base URL>
//	go run ./internal/e2eflow/ine-e2e -front ine-front.jpg -back ine-back.jpg -selfie selfie.jpg
//
// It then polls for the decision (WaitForDecision every -poll, for up to
// -timeout). Test integrations get no automatic decisions: decide the
// session by hand in the Customer Portal while it waits. With -webhook-addr
// it waits for the decision webhook instead, on a server listening at that
// address under /veriff/webhooks. Veriff must be able to reach it: put it
// behind a public HTTPS URL (a tunnel or a reverse proxy) and set the
// integration's webhook URLs (decisions, events, INE registry) to that URL.
//
// Run returns nil when the flow ran to the end, whatever the decision;
// ExitCode maps its error to 0, 1 (an error) or 2 (bad usage: flags,
// variables, unreadable images). Secrets are never printed.
package e2eflow

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/veriffgo/veriff"
	"github.com/veriffgo/veriff/verifftest"
)

// webhookPath is where the receiver accepts Veriff's webhooks.
const webhookPath = "/veriff/webhooks"

// usageError is a mistake in the command line or the environment (exit 2).
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

// ExitCode is the process exit code for Run's error: 0 for nil, 2 for a
// usage mistake, 1 for anything else.
func ExitCode(err error) int {
	if err == nil {
		return 0
	}
	if ue := (*usageError)(nil); errors.As(err, &ue) {
		return 2
	}
	return 1
}

// options are the command-line flags.
type options struct {
	front, back, selfie string        // image files (required against the real API)
	timeout             time.Duration // how long to wait for the decision
	poll                time.Duration // polling interval without webhooks
	webhookAddr         string        // real API: receive webhooks here instead of polling
}

func parseFlags(args []string, stderr io.Writer) (options, error) {
	var o options
	fs := flag.NewFlagSet("ine-e2e", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.front, "front", "", "image of the INE card's front (required with VERIFF_API_KEY)")
	fs.StringVar(&o.back, "back", "", "image of the INE card's back (required with VERIFF_API_KEY)")
	fs.StringVar(&o.selfie, "selfie", "", "selfie of the card holder (required with VERIFF_API_KEY)")
	fs.DurationVar(&o.timeout, "timeout", 10*time.Minute, "how long to wait for the decision")
	fs.DurationVar(&o.poll, "poll", 10*time.Second, "how often to poll for the decision (real API, no -webhook-addr)")
	fs.StringVar(&o.webhookAddr, "webhook-addr", "", "real API: receive webhooks on this address (e.g. :8080) instead of polling;\nVeriff must reach it at the integration's webhook URLs, path "+webhookPath)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: ine-e2e [flags]\n\n"+
			"Without VERIFF_* variables, runs the INE flow against an in-process fake (verifftest).\n"+
			"With VERIFF_API_KEY and VERIFF_SHARED_SECRET (and VERIFF_BASE_URL, default %s),\n"+
			"runs it against Veriff's API with the images given by -front, -back and -selfie.\n\nFlags:\n", veriff.DefaultBaseURL)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return o, err
		}
		return o, &usageError{err.Error()}
	}
	if fs.NArg() > 0 {
		return o, &usageError{fmt.Sprintf("unexpected arguments: %q", fs.Args())}
	}
	if o.timeout <= 0 || o.poll <= 0 {
		return o, &usageError{"-timeout and -poll must be positive"}
	}
	return o, nil
}

// Run is the whole harness: args are the command-line flags (without the
// program name), getenv reads the VERIFF_* variables; the steps and the
// report go to stdout, the usage text to stderr.
func Run(ctx context.Context, stdout, stderr io.Writer, args []string, getenv func(string) string) error {
	opts, err := parseFlags(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	if err != nil {
		return err
	}
	t, err := newTarget(opts, getenv)
	if err != nil {
		return err
	}
	defer t.close()
	return runFlow(ctx, stdout, t, opts)
}

// target is the API the flow runs against: Veriff's or the in-process fake.
type target struct {
	description    string
	client         *veriff.Client
	apiKey, secret string             // for the webhook receiver; never printed
	fake           *verifftest.Server // nil against the real API
	media          []mediaSource
	stopReceiver   func() // set once the webhook receiver runs
}

// close stops the fake, then the webhook receiver: the fake's connections to
// the receiver close first, so its graceful shutdown has nothing to wait for.
func (t *target) close() {
	if t.fake != nil {
		t.fake.Close()
	}
	if t.stopReceiver != nil {
		t.stopReceiver()
	}
}

// newTarget picks the real API when VERIFF_API_KEY or VERIFF_SHARED_SECRET
// is set, and the in-process fake otherwise.
func newTarget(opts options, getenv func(string) string) (*target, error) {
	apiKey, secret, baseURL := getenv("VERIFF_API_KEY"), getenv("VERIFF_SHARED_SECRET"), getenv("VERIFF_BASE_URL")
	if apiKey == "" && secret == "" && baseURL == "" {
		if opts.webhookAddr != "" {
			return nil, &usageError{"-webhook-addr is for the real API (set VERIFF_API_KEY and VERIFF_SHARED_SECRET)"}
		}
		return newFakeTarget(opts)
	}
	var missing []string
	if apiKey == "" {
		missing = append(missing, "VERIFF_API_KEY")
	}
	if secret == "" {
		missing = append(missing, "VERIFF_SHARED_SECRET")
	}
	if len(missing) > 0 {
		return nil, &usageError{"to use the real API set " + strings.Join(missing, " and ") + " too (or unset every VERIFF_* variable to run against the in-process fake)"}
	}
	media, err := fileMedia(opts)
	if err != nil {
		return nil, err
	}
	if media == nil {
		return nil, &usageError{"against the real API the images are needed: -front, -back and -selfie (paths to JPEG, PNG, HEIC, WebP or PDF files)"}
	}
	if baseURL == "" {
		baseURL = veriff.DefaultBaseURL
	}
	client, err := veriff.NewClient(apiKey, secret, veriff.WithBaseURL(baseURL), veriff.WithUserAgent("ine-e2e"))
	if err != nil {
		return nil, &usageError{fmt.Sprintf("VERIFF_* settings: %v", err)}
	}
	return &target{
		description: "Veriff API at " + client.BaseURL(),
		client:      client, apiKey: apiKey, secret: secret, media: media,
	}, nil
}

// newFakeTarget starts verifftest, which plays Veriff: it approves each
// session as soon as it is submitted and sends signed webhooks.
func newFakeTarget(opts options) (*target, error) {
	media, err := fileMedia(opts)
	if err != nil {
		return nil, err
	}
	if media == nil {
		media = generatedMedia()
	}
	srv := verifftest.NewServer("ine-flow-demo-api-key", "ine-flow-demo-shared-secret")
	srv.AutoDecide(veriff.StatusApproved)
	// The client is built exactly as against the real API, with the fake's URL.
	client, err := veriff.NewClient(srv.APIKey(), srv.SharedSecret(), veriff.WithBaseURL(srv.URL))
	if err != nil {
		srv.Close()
		return nil, err
	}
	return &target{
		description: "verifftest, an in-process fake of Veriff's API, at " + srv.URL + " (no VERIFF_* variables set)",
		client:      client, apiKey: srv.APIKey(), secret: srv.SharedSecret(), fake: srv, media: media,
	}, nil
}
