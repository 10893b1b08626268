// Command ine-flow runs Mexico's INE identity check from start to end, one
// line per step, and prints the one verdict to gate on.
//
// Which INE checks Veriff runs is configured per integration. With no
// flag it runs Veriff's current INE products, the INE Database
// Verification and the INE Biometric Database Verification, whose
// outcomes are both in the decision: the verdict is
// veriff.INEChecks{Database: true, Biometric: true}.Assess(decision, nil).
// With -legacy it runs the legacy INE registry check instead: it also
// queries Client.INERegistry and the verdict is veriff.AssessINE.
//
// With no VERIFF_* variables it needs no account and no network: it runs
// against verifftest, the SDK's in-process fake of Veriff, configured with
// the same INE checks, which approves each session when it is submitted.
// With VERIFF_API_KEY, VERIFF_SHARED_SECRET and VERIFF_BASE_URL (from the
// Customer Portal) it runs against Veriff, with generated images Veriff
// will not approve (a test integration's session is decided by hand in the
// Customer Portal). The harness with real images and webhooks is
// internal/e2eflow.
//
// Exit code: 0 when the flow ran to the end, whatever the verdict; 1 on an
// error; 2 on bad flags or VERIFF_* settings.
package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"image"
	"image/jpeg"
	"io"
	"os"
	"strings"
	"time"

	"github.com/veriffgo/veriff"
	"github.com/veriffgo/veriff/verifftest"
)

// The INE checks of each flow.
var (
	currentChecks = veriff.INEChecks{Database: true, Biometric: true}
	// legacyChecks are what the fake ran before it knew of the current
	// products: the legacy registry check and the biometric check.
	legacyChecks = veriff.INEChecks{Registry: true, Biometric: true}
)

func main() {
	legacy := flag.Bool("legacy", false, "run the legacy INE registry check (Client.INERegistry and AssessINE) instead of the current INE Database and Biometric verifications")
	flag.Parse()
	if flag.NArg() > 0 {
		fmt.Fprintf(os.Stderr, "ine-flow: unexpected argument %q\n", flag.Arg(0))
		os.Exit(2)
	}
	client, where, closeFake, err := newClient(*legacy)
	if err != nil {
		fmt.Fprintln(os.Stderr, "ine-flow: VERIFF_* settings:", err)
		os.Exit(2)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	err = run(ctx, os.Stdout, client, where, *legacy)
	cancel()
	closeFake()
	if err != nil {
		fmt.Fprintln(os.Stderr, "ine-flow:", err)
		os.Exit(1)
	}
}

// newClient starts the fake, running the flow's INE checks, when no
// VERIFF_* variable is set.
func newClient(legacy bool) (*veriff.Client, string, func(), error) {
	if os.Getenv(veriff.EnvAPIKey)+os.Getenv(veriff.EnvSharedSecret)+os.Getenv(veriff.EnvBaseURL) != "" {
		c, err := veriff.NewClientFromEnv(veriff.WithUserAgent("ine-flow-example"))
		return c, "Veriff", func() {}, err
	}
	checks := currentChecks
	if legacy {
		checks = legacyChecks
	}
	srv := verifftest.NewServer("demo-api-key", "demo-shared-secret", verifftest.WithINEChecks(checks))
	srv.AutoDecide(veriff.StatusApproved)
	c, err := srv.NewClient()
	if err != nil {
		srv.Close()
		return nil, "", nil, err
	}
	return c, "verifftest (no VERIFF_* variables set)", srv.Close, nil
}

func run(ctx context.Context, out io.Writer, client *veriff.Client, where string, legacy bool) error {
	flow := "current INE checks (Database, Biometric)"
	if legacy {
		flow = "legacy INE registry check"
	}
	fmt.Fprintf(out, "INE flow (%s) against %s at %s\n", flow, where, client.BaseURL())
	id, err := createAndSubmit(ctx, out, client)
	if err != nil {
		return err
	}
	d, err := client.WaitForDecision(ctx, id, 10*time.Second)
	if err != nil {
		return fmt.Errorf("waiting for the decision: %w", err)
	}
	fmt.Fprintf(out, "[6] decision: %s (code %d)\n", d.Verification.Status, d.Verification.Code)

	var a veriff.Assessment
	if legacy {
		reg, err := registryAnswer(ctx, out, client, id)
		if err != nil {
			return err
		}
		a = veriff.AssessINE(d, reg)
	} else {
		fmt.Fprintln(out, "[7] INE Database and Biometric verifications: read from the decision")
		a = currentChecks.Assess(d, nil)
	}
	fmt.Fprintf(out, "\nSession        %s\nINE biometric  %s\nVerdict        %s\n  - %s\n",
		id, d.INEBiometric().Verdict(), a.Verdict, strings.Join(a.Reasons, "\n  - "))
	return nil
}

// createAndSubmit creates a session with the INE consent, uploads the
// images and submits it (steps 1 to 5).
func createAndSubmit(ctx context.Context, out io.Writer, client *veriff.Client) (string, error) {
	s, err := client.CreateSession(ctx, veriff.CreateSessionRequest{
		VendorData: "ine-flow-demo-customer-0042",
		Person: &veriff.SessionPerson{FirstName: "Juan Carlos", LastName: "Ramírez García",
			IDNumber: "RAGJ880723HDFMRN05", DateOfBirth: "1988-07-23"},
		Document: &veriff.SessionDocument{Type: veriff.DocumentTypeIDCard, Country: "MX"},
		Consents: []veriff.Consent{veriff.INEConsent()},
	})
	if err != nil {
		return "", fmt.Errorf("creating the session: %w", err)
	}
	fmt.Fprintf(out, "[1] session created with INE consent: %s\n", s.ID)

	img, err := cardImage()
	if err != nil {
		return "", err
	}
	for i, mc := range []veriff.MediaContext{veriff.ContextDocumentFront, veriff.ContextDocumentBack, veriff.ContextFace} {
		if _, err := client.UploadMedia(ctx, s.ID, veriff.MediaUpload{Context: mc, Content: img}); err != nil {
			return "", fmt.Errorf("uploading %s: %w", mc, err)
		}
		fmt.Fprintf(out, "[%d] uploaded %s (generated JPEG, %d bytes)\n", i+2, mc, len(img))
	}

	if _, err := client.SubmitSession(ctx, s.ID); err != nil {
		return "", fmt.Errorf("submitting: %w", err)
	}
	fmt.Fprintln(out, "[5] session submitted")
	return s.ID, nil
}

// registryAnswer queries the legacy INE registry check (step 7): nil when
// there is no answer yet.
func registryAnswer(ctx context.Context, out io.Writer, client *veriff.Client, id string) (*veriff.INERegistryResult, error) {
	reg, err := client.INERegistry(ctx, id)
	switch {
	case errors.Is(err, veriff.ErrNotFound): // not run yet, or not enabled
		fmt.Fprintln(out, "[7] INE registry: no answer")
		return nil, nil // AssessINE: pending
	case err != nil:
		return nil, fmt.Errorf("querying the INE registry: %w", err)
	}
	fmt.Fprintf(out, "[7] INE registry: active %t, %s\n", reg.Active, reg.DocumentState)
	return reg, nil
}

// cardImage encodes a small plain JPEG: enough for the fake.
func cardImage() ([]byte, error) {
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, image.NewGray(image.Rect(0, 0, 320, 200)), nil); err != nil {
		return nil, fmt.Errorf("drawing an image: %w", err)
	}
	return buf.Bytes(), nil
}
