// Command ine-flow runs Mexico's INE identity check from start to end with
// the veriff SDK, printing one line per step and then a short report.
//
// With no VERIFF_* variables it needs no account and no network: it starts
// verifftest (the SDK's in-process fake of Veriff's API), uploads small
// generated JPEG images, and receives the webhooks on a local
// veriff.WebhookHandler:
//
//	go run ./examples/ine-flow
//
// Against the real API, give the integration's credentials (Customer Portal,
// integration, API keys tab) and three images:
//
//	export VERIFF_API_KEY=... VERIFF_SHARED_SECRET=... VERIFF_BASE_URL=https://<your base URL>
//	go run ./examples/ine-flow -front ine-front.jpg -back ine-back.jpg -selfie selfie.jpg
//
// The program then polls for the decision (WaitForDecision every -poll, for
// up to -timeout). Test integrations get no automatic decisions: decide the
// session by hand in the Customer Portal while it waits. With -webhook-addr
// it waits for the decision webhook instead, on a server listening at that
// address under /veriff/webhooks. Veriff must be able to reach it: put it
// behind a public HTTPS URL (a tunnel or a reverse proxy) and set the
// integration's webhook URLs (decisions, events, INE registry) to that URL.
//
// The exit code is 0 when the flow ran to the end, whatever the decision;
// 1 on an error; 2 on bad usage (flags, variables, unreadable images).
// Secrets are never printed.
package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/jpeg"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/veriffgo/veriff"
	"github.com/veriffgo/veriff/verifftest"
)

// webhookPath is where the receiver accepts Veriff's webhooks.
const webhookPath = "/veriff/webhooks"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Stdout, os.Stderr, os.Args[1:], os.Getenv)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "ine-flow:", err)
	}
	os.Exit(exitCode(err))
}

// usageError is a mistake in the command line or the environment (exit 2).
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

// options are the command-line flags.
type options struct {
	front, back, selfie string        // image files (required against the real API)
	timeout             time.Duration // how long to wait for the decision
	poll                time.Duration // polling interval without webhooks
	webhookAddr         string        // real API: receive webhooks here instead of polling
}

func parseFlags(args []string, stderr io.Writer) (options, error) {
	var o options
	fs := flag.NewFlagSet("ine-flow", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.front, "front", "", "image of the INE card's front (required with VERIFF_API_KEY)")
	fs.StringVar(&o.back, "back", "", "image of the INE card's back (required with VERIFF_API_KEY)")
	fs.StringVar(&o.selfie, "selfie", "", "selfie of the card holder (required with VERIFF_API_KEY)")
	fs.DurationVar(&o.timeout, "timeout", 10*time.Minute, "how long to wait for the decision")
	fs.DurationVar(&o.poll, "poll", 10*time.Second, "how often to poll for the decision (real API, no -webhook-addr)")
	fs.StringVar(&o.webhookAddr, "webhook-addr", "", "real API: receive webhooks on this address (e.g. :8080) instead of polling;\nVeriff must reach it at the integration's webhook URLs, path "+webhookPath)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: ine-flow [flags]\n\n"+
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

// run is the whole program; main only adds the signals and the exit code.
func run(ctx context.Context, stdout, stderr io.Writer, args []string, getenv func(string) string) error {
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
	client, err := veriff.NewClient(apiKey, secret, veriff.WithBaseURL(baseURL), veriff.WithUserAgent("ine-flow-example"))
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

// mediaSource is one image to upload: a file, or bytes made in memory.
type mediaSource struct {
	context veriff.MediaContext
	path    string // a file streamed by UploadMediaFile, or
	content []byte // bytes sent by UploadMedia
}

// fileMedia returns the images given by flags: all three, or nil when none
// is given.
func fileMedia(opts options) ([]mediaSource, error) {
	files := []mediaSource{
		{context: veriff.ContextDocumentFront, path: opts.front},
		{context: veriff.ContextDocumentBack, path: opts.back},
		{context: veriff.ContextFace, path: opts.selfie},
	}
	flags := []string{"-front", "-back", "-selfie"}
	var missing []string
	for i, f := range files {
		if f.path == "" {
			missing = append(missing, flags[i])
			continue
		}
		if st, err := os.Stat(f.path); err != nil {
			return nil, &usageError{fmt.Sprintf("%s: %v", flags[i], err)}
		} else if !st.Mode().IsRegular() {
			return nil, &usageError{fmt.Sprintf("%s: %s is not a regular file", flags[i], f.path)}
		}
	}
	if len(missing) == len(files) {
		return nil, nil
	}
	if len(missing) > 0 {
		return nil, &usageError{"images needed: " + strings.Join(missing, ", ") + " (paths to JPEG, PNG, HEIC, WebP or PDF files)"}
	}
	return files, nil
}

// generatedMedia draws three small JPEG images in memory, enough for the fake.
func generatedMedia() []mediaSource {
	return []mediaSource{
		{context: veriff.ContextDocumentFront, content: drawJPEG(color.RGBA{0xc8, 0x9b, 0xc4, 0xff})},
		{context: veriff.ContextDocumentBack, content: drawJPEG(color.RGBA{0xb4, 0xb4, 0xd2, 0xff})},
		{context: veriff.ContextFace, content: drawJPEG(color.RGBA{0xe6, 0xc8, 0xaa, 0xff})},
	}
}

// drawJPEG encodes a 320x200 card-like image: a background with a darker
// block where a photo would be.
func drawJPEG(bg color.RGBA) []byte {
	img := image.NewRGBA(image.Rect(0, 0, 320, 200))
	draw.Draw(img, img.Bounds(), &image.Uniform{C: bg}, image.Point{}, draw.Src)
	dark := color.RGBA{bg.R / 2, bg.G / 2, bg.B / 2, 0xff}
	draw.Draw(img, image.Rect(20, 40, 110, 160), &image.Uniform{C: dark}, image.Point{}, draw.Src)
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 80}); err != nil {
		panic(err) // cannot happen when writing to a bytes.Buffer
	}
	return buf.Bytes()
}

// progress prints one numbered line per step.
type progress struct {
	w io.Writer
	n int
}

func (p *progress) step(format string, args ...any) {
	p.n++
	fmt.Fprintf(p.w, "[%d] %s\n", p.n, fmt.Sprintf(format, args...))
}

// runFlow is the INE flow itself, one function per step.
func runFlow(ctx context.Context, out io.Writer, t *target, opts options) error {
	fmt.Fprintf(out, "INE flow against %s\n", t.description)
	p := &progress{w: out}

	// Webhooks: always with the fake, with -webhook-addr against Veriff.
	var box *inbox
	if t.fake != nil || opts.webhookAddr != "" {
		addr := opts.webhookAddr
		if addr == "" {
			addr = "127.0.0.1:0"
		}
		box = newInbox()
		url, stop, err := startReceiver(addr, t, box)
		if err != nil {
			return err
		}
		t.stopReceiver = stop // run closes the target when the flow ends
		if t.fake != nil {
			t.fake.SetWebhookURL(url) // in Veriff: the webhook URLs in the Customer Portal
		}
		p.step("webhook receiver listening on %s", url)
	}

	s, err := createSession(ctx, t.client)
	if err != nil {
		return err
	}
	p.step("session created: %s (INE consent, ID_CARD MX, vendorData %q)", s.ID, s.VendorData)
	if t.fake != nil {
		// Play the registry's part: what Veriff's INE check will answer.
		if err := t.fake.SetINERegistry(s.ID, veriff.INERegistryResult{Active: true, DocumentState: "El documento es válido."}); err != nil {
			return err
		}
	}

	for _, m := range t.media {
		media, err := upload(ctx, t.client, s.ID, m)
		if err != nil {
			return err
		}
		p.step("uploaded %s: %s (media %s)", m.context, describeSource(m), media.ID)
	}

	if _, err := t.client.SubmitSession(ctx, s.ID); err != nil {
		return fmt.Errorf("submitting session %s: %w", s.ID, err)
	}
	p.step("session submitted")

	if err := awaitDecision(ctx, p, t, box, opts, s.ID); err != nil {
		return err
	}

	d, err := t.client.Decision(ctx, s.ID)
	if err != nil {
		return fmt.Errorf("querying the decision of session %s: %w", s.ID, err)
	}
	if d.Verification == nil {
		return fmt.Errorf("session %s: the decision webhook arrived but GET /decision has no verification yet", s.ID)
	}
	p.step("decision queried: %s (code %d)", d.Verification.Status, d.Verification.Code)

	reg, regNote, err := queryINERegistry(ctx, t.client, s.ID)
	if err != nil {
		return err
	}
	p.step("INE registry queried: %s", regNote)

	r := report{sessionID: s.ID, decision: d, registry: reg, registryNote: regNote}
	if box != nil {
		r.webhooks, r.duplicates = box.received(s.ID)
	}
	printReport(out, r)
	return nil
}

// awaitDecision waits until Veriff has decided: for the webhooks when a
// receiver runs, else by polling GET /decision.
func awaitDecision(ctx context.Context, p *progress, t *target, box *inbox, opts options, sessionID string) error {
	ctx, cancel := context.WithTimeout(ctx, opts.timeout)
	defer cancel()
	if box == nil {
		p.step("polling for the decision every %s (up to %s; in a test integration, decide the session in the Customer Portal)", opts.poll, opts.timeout)
		if _, err := t.client.WaitForDecision(ctx, sessionID, opts.poll); err != nil {
			return fmt.Errorf("waiting for the decision of session %s: %w", sessionID, err)
		}
		return nil
	}
	// With the fake every webhook is known in advance; Veriff's events and
	// registry webhooks depend on the integration's settings.
	want := []string{"decision"}
	if t.fake != nil {
		want = []string{"event started", "event submitted", "decision", "ine_registry"}
	}
	p.step("waiting for webhooks: %s (up to %s)", strings.Join(want, ", "), opts.timeout)
	if err := box.waitFor(ctx, sessionID, want...); err != nil {
		return err
	}
	received, _ := box.received(sessionID)
	p.step("webhooks received: %s", strings.Join(received, ", "))
	return nil
}

// createSession opens a session for a Mexican end-user with the INE consent
// that Veriff's INE checks require.
func createSession(ctx context.Context, c *veriff.Client) (*veriff.Session, error) {
	s, err := c.CreateSession(ctx, veriff.CreateSessionRequest{
		Person: &veriff.SessionPerson{
			FirstName:   "Juan Carlos",
			LastName:    "Ramírez García",
			IDNumber:    "RAGJ880723HDFMRN05", // CURP
			DateOfBirth: "1988-07-23",
			Gender:      veriff.GenderMale,
		},
		Document:   &veriff.SessionDocument{Type: veriff.DocumentTypeIDCard, Country: "MX"},
		VendorData: "ine-flow-demo-customer-0042",
		Consents:   []veriff.Consent{veriff.INEConsent()},
	})
	if err != nil {
		return nil, fmt.Errorf("creating the session: %w", err)
	}
	return s, nil
}

// upload sends one image: a file is streamed from disk, bytes are sent as is.
func upload(ctx context.Context, c *veriff.Client, sessionID string, m mediaSource) (*veriff.Media, error) {
	var (
		media *veriff.Media
		err   error
	)
	if m.path != "" {
		media, err = c.UploadMediaFile(ctx, sessionID, m.context, m.path)
	} else {
		media, err = c.UploadMedia(ctx, sessionID, veriff.MediaUpload{Context: m.context, Content: m.content})
	}
	if err != nil {
		return nil, fmt.Errorf("uploading %s to session %s: %w", m.context, sessionID, err)
	}
	return media, nil
}

func describeSource(m mediaSource) string {
	if m.path != "" {
		return m.path
	}
	return fmt.Sprintf("generated JPEG, %d bytes", len(m.content))
}

// queryINERegistry asks for the INE registry result. Veriff answers 404
// until the check has run, or when the integration does not have it: that
// is reported, not an error.
func queryINERegistry(ctx context.Context, c *veriff.Client, sessionID string) (*veriff.INERegistryResult, string, error) {
	reg, err := c.INERegistry(ctx, sessionID)
	if errors.Is(err, veriff.ErrNotFound) {
		return nil, "no result (404: the INE registry check has not run, or is not enabled for the integration)", nil
	}
	if err != nil {
		return nil, "", fmt.Errorf("querying the INE registry of session %s: %w", sessionID, err)
	}
	state := "inactive"
	if reg.Active {
		state = "active"
	}
	return reg, state + ": " + reg.DocumentState, nil
}

// startReceiver serves a veriff.WebhookHandler on addr and returns the
// webhook URL and a function that shuts the server down.
func startReceiver(addr string, t *target, box *inbox) (string, func(), error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return "", nil, fmt.Errorf("webhook receiver: %w", err)
	}
	mux := http.NewServeMux()
	mux.Handle(webhookPath, &veriff.WebhookHandler{
		Secrets: []string{t.secret}, // a signature with the shared secret, or 401
		APIKey:  t.apiKey,           // and the integration's X-AUTH-CLIENT, or 401
		Handle:  box.record,
	})
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = srv.Serve(ln) }() // Serve returns ErrServerClosed after Shutdown
	stop := func() {
		// The flow has its webhooks: give requests in flight a second,
		// then close what is left (Veriff retries what it could not send).
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		if err := srv.Shutdown(ctx); err != nil {
			_ = srv.Close()
		}
	}
	return "http://" + ln.Addr().String() + webhookPath, stop, nil
}

// inbox keeps each verified webhook once, keyed by its delivery key, so that
// Veriff's retries and replays are acknowledged without being counted twice.
type inbox struct {
	mu      sync.Mutex
	seen    map[string]bool
	got     []*veriff.Webhook
	dups    int
	changed chan struct{} // closed (and replaced) on each new webhook
}

func newInbox() *inbox {
	return &inbox{seen: map[string]bool{}, changed: make(chan struct{})}
}

// record is the WebhookHandler's Handle function.
func (b *inbox) record(_ context.Context, wh *veriff.Webhook) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	key := wh.DeliveryKey()
	if b.seen[key] {
		b.dups++
		return nil // a retry or replay: acknowledge it again (200)
	}
	b.seen[key] = true
	b.got = append(b.got, wh)
	close(b.changed)
	b.changed = make(chan struct{})
	return nil
}

// topic names what a webhook is about, without its outcome: "decision",
// "ine_registry", "event submitted", ...
func topic(wh *veriff.Webhook) string {
	if wh.Kind == veriff.WebhookEvent && wh.Event != nil {
		return "event " + wh.Event.Action
	}
	return string(wh.Kind)
}

// label is the topic with the outcome, for the report.
func label(wh *veriff.Webhook) string {
	switch {
	case wh.Kind == veriff.WebhookDecision && wh.Decision != nil && wh.Decision.Verification != nil:
		return "decision " + string(wh.Decision.Verification.Status)
	case wh.Kind == veriff.WebhookINERegistry && wh.INERegistry != nil:
		if wh.INERegistry.Data.Details.Active {
			return "ine_registry active"
		}
		return "ine_registry inactive"
	}
	return topic(wh)
}

// waitFor waits until webhooks of every topic in want have arrived for the
// session.
func (b *inbox) waitFor(ctx context.Context, sessionID string, want ...string) error {
	for {
		b.mu.Lock()
		have := map[string]bool{}
		for _, wh := range b.got {
			if wh.SessionID() == sessionID {
				have[topic(wh)] = true
			}
		}
		changed := b.changed
		b.mu.Unlock()

		var missing []string
		for _, w := range want {
			if !have[w] {
				missing = append(missing, w)
			}
		}
		if len(missing) == 0 {
			return nil
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return fmt.Errorf("waiting for webhooks of session %s (still missing: %s): %w",
				sessionID, strings.Join(missing, ", "), context.Cause(ctx))
		}
	}
}

// received lists the session's webhooks in the order Veriff's flow produces
// them (arrival order varies) and counts the duplicates ignored.
func (b *inbox) received(sessionID string) ([]string, int) {
	rank := map[string]int{"event started": 1, "event submitted": 2, "decision": 3, "ine_registry": 4}
	b.mu.Lock()
	defer b.mu.Unlock()
	var mine []*veriff.Webhook
	for _, wh := range b.got {
		if wh.SessionID() == sessionID {
			mine = append(mine, wh)
		}
	}
	sort.SliceStable(mine, func(i, j int) bool {
		ri, rj := rank[topic(mine[i])], rank[topic(mine[j])]
		if ri == 0 {
			ri = len(rank) + 1
		}
		if rj == 0 {
			rj = len(rank) + 1
		}
		return ri < rj
	})
	labels := make([]string, len(mine))
	for i, wh := range mine {
		labels[i] = label(wh)
	}
	return labels, b.dups
}

// report is what the flow found out.
type report struct {
	sessionID    string
	decision     *veriff.Decision
	registry     *veriff.INERegistryResult // nil when Veriff had no result
	registryNote string
	webhooks     []string // nil when polling
	duplicates   int
}

func printReport(w io.Writer, r report) {
	v := r.decision.Verification
	line := func(name, format string, args ...any) {
		fmt.Fprintf(w, "  %-16s %s\n", name, fmt.Sprintf(format, args...))
	}
	fmt.Fprintln(w, "\nReport")
	line("Session", "%s", r.sessionID)
	line("Decision", "%s (code %d)", v.Status, v.Code)
	switch {
	case v.Reason != nil && v.ReasonCode != nil:
		line("Reason", "%s (reason code %d)", *v.Reason, *v.ReasonCode)
	case v.Reason != nil:
		line("Reason", "%s", *v.Reason)
	default:
		line("Reason", "none")
	}
	if p := v.Person; p != nil {
		name := p.FullName
		if name == "" {
			name = strings.TrimSpace(p.FirstName + " " + p.LastName)
		}
		line("Person", "%s, born %s", orNone(name), orNone(p.DateOfBirth))
		line("CURP", "%s", orNone(p.IDNumber))
		line("INE identifier", "%s", orNone(firstOf(p.INEIdentifier, p.IFEIdentifier)))
		line("Elector key", "%s", orNone(p.ElectorNumber))
	} else {
		line("Person", "none in the decision")
	}
	if doc := v.Document; doc != nil {
		line("Document", "%s %s, number %s", doc.Type, doc.Country, orNone(doc.Number))
	}
	line("INE registry", "%s", r.registryNote)
	if bio := r.decision.INEBiometric(); bio != nil {
		line("INE biometric", "%s: %s", bio.Verdict(), bio.Reason())
	} else {
		line("INE biometric", "none in the decision")
	}
	if r.webhooks != nil {
		line("Webhooks", "%s (%d received, %d duplicates ignored)", strings.Join(r.webhooks, ", "), len(r.webhooks), r.duplicates)
	} else {
		line("Webhooks", "not used (polled GET /decision)")
	}
	line("Outcome", "%s", outcome(r))
}

// outcome sums up whether the person passed the INE check.
func outcome(r report) string {
	v := r.decision.Verification
	bio := r.decision.INEBiometric()
	switch {
	case v.Status != veriff.StatusApproved:
		return "NOT VERIFIED: the decision is " + string(v.Status)
	case r.registry != nil && !r.registry.Active:
		return "NOT VERIFIED: the INE credential is not active in the registry"
	case bio != nil && bio.Verdict() != veriff.INEVerdictValid && bio.Verdict() != veriff.INEVerdictPending:
		return "NOT VERIFIED: INE biometric check " + string(bio.Verdict())
	case r.registry == nil || bio.Verdict() == veriff.INEVerdictPending:
		return "APPROVED, but an INE result (registry or biometric) is missing"
	default:
		return "VERIFIED: approved, INE credential active, face matches the registry photo"
	}
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

func firstOf(values ...string) string {
	for _, v := range values {
		if v != "" {
			return v
		}
	}
	return ""
}
