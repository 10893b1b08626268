// Command ine-flow runs Mexico's INE identity check from start to end, one
// line per step, and prints the one verdict to gate on (veriff.AssessINE).
//
// With no VERIFF_* variables it needs no account and no network: it runs
// against verifftest, the SDK's in-process fake of Veriff, which approves
// each session when it is submitted. With VERIFF_API_KEY,
// VERIFF_SHARED_SECRET and VERIFF_BASE_URL (from the Customer Portal) it
// runs against Veriff, with generated images Veriff will not approve (a test
// integration's session is decided by hand in the Customer Portal). The
// harness with real images and webhooks is internal/e2eflow.
//
// Exit code: 0 when the flow ran to the end, whatever the verdict; 1 on an
// error; 2 on bad VERIFF_* settings.
package main

import (
	"bytes"
	"context"
	"errors"
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

func main() {
	client, where, closeFake, err := newClient()
	if err != nil {
		fmt.Fprintln(os.Stderr, "ine-flow: VERIFF_* settings:", err)
		os.Exit(2)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	err = run(ctx, os.Stdout, client, where)
	cancel()
	closeFake()
	if err != nil {
		fmt.Fprintln(os.Stderr, "ine-flow:", err)
		os.Exit(1)
	}
}

// newClient starts the fake when no VERIFF_* variable is set.
func newClient() (*veriff.Client, string, func(), error) {
	if os.Getenv(veriff.EnvAPIKey)+os.Getenv(veriff.EnvSharedSecret)+os.Getenv(veriff.EnvBaseURL) != "" {
		c, err := veriff.NewClientFromEnv(veriff.WithUserAgent("ine-flow-example"))
		return c, "Veriff", func() {}, err
	}
	srv := verifftest.NewServer("demo-api-key", "demo-shared-secret")
	srv.AutoDecide(veriff.StatusApproved)
	c, err := srv.NewClient()
	if err != nil {
		srv.Close()
		return nil, "", nil, err
	}
	return c, "verifftest (no VERIFF_* variables set)", srv.Close, nil
}

func run(ctx context.Context, out io.Writer, client *veriff.Client, where string) error {
	fmt.Fprintf(out, "INE flow against %s at %s\n", where, client.BaseURL())
	s, err := client.CreateSession(ctx, veriff.CreateSessionRequest{
		VendorData: "ine-flow-demo-customer-0042",
		Person: &veriff.SessionPerson{FirstName: "Juan Carlos", LastName: "Ramírez García",
			IDNumber: "RAGJ880723HDFMRN05", DateOfBirth: "1988-07-23"},
		Document: &veriff.SessionDocument{Type: veriff.DocumentTypeIDCard, Country: "MX"},
		Consents: []veriff.Consent{veriff.INEConsent()},
	})
	if err != nil {
		return fmt.Errorf("creating the session: %w", err)
	}
	fmt.Fprintf(out, "[1] session created with INE consent: %s\n", s.ID)

	img, err := cardImage()
	if err != nil {
		return err
	}
	for i, mc := range []veriff.MediaContext{veriff.ContextDocumentFront, veriff.ContextDocumentBack, veriff.ContextFace} {
		if _, err := client.UploadMedia(ctx, s.ID, veriff.MediaUpload{Context: mc, Content: img}); err != nil {
			return fmt.Errorf("uploading %s: %w", mc, err)
		}
		fmt.Fprintf(out, "[%d] uploaded %s (generated JPEG, %d bytes)\n", i+2, mc, len(img))
	}

	if _, err := client.SubmitSession(ctx, s.ID); err != nil {
		return fmt.Errorf("submitting: %w", err)
	}
	fmt.Fprintln(out, "[5] session submitted")

	d, err := client.WaitForDecision(ctx, s.ID, 10*time.Second)
	if err != nil {
		return fmt.Errorf("waiting for the decision: %w", err)
	}
	fmt.Fprintf(out, "[6] decision: %s (code %d)\n", d.Verification.Status, d.Verification.Code)

	reg, err := client.INERegistry(ctx, s.ID)
	switch {
	case errors.Is(err, veriff.ErrNotFound): // not run yet, or not enabled
		reg = nil // AssessINE: pending
		fmt.Fprintln(out, "[7] INE registry: no answer")
	case err != nil:
		return fmt.Errorf("querying the INE registry: %w", err)
	default:
		fmt.Fprintf(out, "[7] INE registry: active %t, %s\n", reg.Active, reg.DocumentState)
	}

	a := veriff.AssessINE(d, reg)
	fmt.Fprintf(out, "\nSession        %s\nINE biometric  %s\nVerdict        %s\n  - %s\n",
		s.ID, d.INEBiometric().Verdict(), a.Verdict, strings.Join(a.Reasons, "\n  - "))
	return nil
}

// cardImage encodes a small plain JPEG: enough for the fake.
func cardImage() ([]byte, error) {
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, image.NewGray(image.Rect(0, 0, 320, 200)), nil); err != nil {
		return nil, fmt.Errorf("drawing an image: %w", err)
	}
	return buf.Bytes(), nil
}
