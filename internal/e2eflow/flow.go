package e2eflow

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/veriffgo/veriff"
	"github.com/veriffgo/veriff/internal/fake"
)

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
		if err := t.fake.SetINERegistry(s.ID, veriff.INERegistryResult{Active: true, DocumentState: fake.INEValidState}); err != nil {
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
