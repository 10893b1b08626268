package veriff_test

import (
	"context"
	"fmt"
	"log"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/veriffgo/veriff"
)

// The README's code, compiled. Each region between "README <name>: begin"
// and "end" is the README's block under the heading of that name, as is:
// TestReadmeCodeIsCompiled keeps them identical.

var _ = readmeQuickStart
var _ = readmeHostedFlow

func readmeQuickStart(apiKey, sharedSecret, baseURL string) {
	// README Quick start: begin
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Minute)
	defer cancel()

	// baseURL is your integration's, from the Customer Portal: Veriff moves API hosts, so do
	// not rely on veriff.DefaultBaseURL. (Or veriff.NewClientFromEnv() with VERIFF_BASE_URL.)
	client, err := veriff.NewClient(apiKey, sharedSecret, veriff.WithBaseURL(baseURL))
	if err != nil {
		log.Fatal(err)
	}

	// 1. Create a session with the end-user's data and the INE consent.
	session, err := client.CreateSession(ctx, veriff.CreateSessionRequest{
		VendorData: "customer-42", // your own reference, returned in every decision
		Person: &veriff.SessionPerson{
			FirstName: "María", LastName: "Hernández López", DateOfBirth: "1990-04-12",
		},
		Document: &veriff.SessionDocument{Type: veriff.DocumentTypeIDCard, Country: "MX"},
		Consents: []veriff.Consent{veriff.INEConsent()},
	})
	if err != nil {
		log.Fatal(err) // see "Errors and retries": Veriff may have created it anyway
	}
	// Store session.ID with customer-42 now: Veriff cannot look sessions up by VendorData.

	// 2. Upload the INE card's front and back and a selfie (JPEG, PNG, HEIC, WebP or PDF).
	for _, m := range []struct {
		ctx  veriff.MediaContext
		path string
	}{
		{veriff.ContextDocumentFront, "front.jpg"},
		{veriff.ContextDocumentBack, "back.jpg"},
		{veriff.ContextFace, "selfie.jpg"},
	} {
		if _, err := client.UploadMediaFile(ctx, session.ID, m.ctx, m.path); err != nil {
			log.Fatal(err)
		}
	}

	// 3. Submit.
	if _, err := client.SubmitSession(ctx, session.ID); err != nil {
		log.Fatal(err)
	}

	// 4. The outcome: by webhook (below), or by query.
	decision, err := client.WaitForDecision(ctx, session.ID, 15*time.Second)
	if err != nil {
		log.Fatal(err)
	}

	// 5. Gate on one verdict. Name the INE checks Veriff runs for your integration (see
	// "One INE verdict"): the current INE Database Verification and INE Biometric Database
	// Verification both report in the decision, so there is no registry answer to pass.
	assessment := veriff.INEChecks{Database: true, Biometric: true}.Assess(decision, nil)
	switch assessment.Verdict {
	case veriff.VerdictVerified:
		fmt.Println("customer-42 is verified")
	case veriff.VerdictPending:
		fmt.Println("ask again later:", strings.Join(assessment.Reasons, "; "))
	default: // VerdictRejected, VerdictResubmit, VerdictReview
		fmt.Println(assessment.Verdict, strings.Join(assessment.Reasons, "; "))
	}
	// README Quick start: end
}

func readmeHostedFlow(client *veriff.Client) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		// README The hosted flow: begin
		ctx, cancel := context.WithTimeout(r.Context(), 30*time.Second)
		defer cancel()
		session, err := client.CreateSession(ctx, veriff.CreateSessionRequest{
			VendorData: "customer-42",
			// Optional: where Veriff sends the end-user when the flow is done.
			Callback: "https://example.com/verification-done",
			Consents: []veriff.Consent{veriff.INEConsent()},
		})
		if err != nil {
			http.Error(w, "cannot start the verification", http.StatusBadGateway)
			return
		}
		// Store session.ID with customer-42, then send the end-user to Veriff.
		http.Redirect(w, r, session.URL, http.StatusSeeOther)
		// README The hosted flow: end
	}
}

// TestReadmeCodeIsCompiled: the README's quick
// start and hosted-flow code are the code compiled above.
func TestReadmeCodeIsCompiled(t *testing.T) {
	readme, err := os.ReadFile("README.md")
	require.NoError(t, err)
	src, err := os.ReadFile("example_readme_test.go")
	require.NoError(t, err)
	for _, heading := range []string{"Quick start", "The hosted flow"} {
		t.Run(heading, func(t *testing.T) {
			assert.Equal(t, compiledRegion(t, string(src), heading), readmeBlock(t, string(readme), heading))
		})
	}
}

// readmeBlock returns the first ```go block under "## heading".
func readmeBlock(t *testing.T, readme, heading string) string {
	t.Helper()
	_, after, ok := strings.Cut(readme, "\n## "+heading+"\n")
	require.True(t, ok, "README has no %q section", heading)
	_, after, ok = strings.Cut(after, "```go\n")
	require.True(t, ok)
	block, _, ok := strings.Cut(after, "```\n")
	require.True(t, ok)
	return block
}

// compiledRegion returns the marked region of src, less its indentation.
func compiledRegion(t *testing.T, src, name string) string {
	t.Helper()
	_, after, ok := strings.Cut(src, "// README "+name+": begin\n")
	require.True(t, ok)
	region, _, ok := strings.Cut(after, "// README "+name+": end\n")
	require.True(t, ok)
	lines := strings.Split(region, "\n")
	indent := -1
	for _, l := range lines {
		if strings.TrimSpace(l) != "" {
			n := len(l) - len(strings.TrimLeft(l, "\t"))
			if indent < 0 || n < indent {
				indent = n
			}
		}
	}
	for i, l := range lines {
		if len(l) >= indent {
			lines[i] = l[indent:]
		}
	}
	return strings.TrimRight(strings.Join(lines, "\n"), "\t")
}
