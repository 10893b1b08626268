package verifftest_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sort"
	"time"

	"github.com/veriffgo/veriff"
	"github.com/veriffgo/veriff/verifftest"
)

// The whole INE flow against the fake: create a session with INE consent,
// upload the document and a selfie, submit, let the test decide, then read
// the decision and the INE registry result.
func ExampleNewServer() {
	srv := verifftest.NewServer("test-api-key", "test-shared-secret")
	defer srv.Close()

	client, err := veriff.NewClient("test-api-key", "test-shared-secret", veriff.WithBaseURL(srv.URL))
	if err != nil {
		panic(err)
	}
	ctx := context.Background()

	sess, err := client.CreateSession(ctx, veriff.CreateSessionRequest{
		Person:     &veriff.SessionPerson{FirstName: "Juan", LastName: "Pérez", DateOfBirth: "1985-07-20"},
		VendorData: "user-42",
		Consents:   []veriff.Consent{veriff.INEConsent()},
	})
	if err != nil {
		panic(err)
	}
	fmt.Println("created:", sess.Status)

	jpeg := []byte("\xff\xd8\xff\xe0 a JPEG image")
	for _, mc := range []veriff.MediaContext{veriff.ContextDocumentFront, veriff.ContextDocumentBack, veriff.ContextFace} {
		if _, err := client.UploadMedia(ctx, sess.ID, veriff.MediaUpload{Context: mc, Content: jpeg}); err != nil {
			panic(err)
		}
	}
	sub, err := client.SubmitSession(ctx, sess.ID)
	if err != nil {
		panic(err)
	}
	fmt.Println("submitted:", sub.Status)

	d, _ := client.Decision(ctx, sess.ID)
	fmt.Println("decided yet:", d.Verification != nil)

	// The test plays Veriff's part.
	_ = srv.Decide(sess.ID, veriff.StatusApproved)

	d, err = client.Decision(ctx, sess.ID)
	if err != nil {
		panic(err)
	}
	v := d.Verification
	fmt.Println("decision:", v.Status, v.Code, v.Person.FirstName, v.Document.Country)

	ine, err := client.INERegistry(ctx, sess.ID)
	if err != nil {
		panic(err)
	}
	fmt.Println("INE active:", ine.Active, ine.DocumentState)
	// Output:
	// created: created
	// submitted: submitted
	// decided yet: false
	// decision: approved 9001 JUAN MX
	// INE active: true El documento es válido.
}

// A decline with a reason from Veriff's table.
func ExampleServer_DecideWithReason() {
	srv := verifftest.NewServer("test-api-key", "test-shared-secret")
	defer srv.Close()
	client, _ := srv.NewClient()
	ctx := context.Background()

	sess, _ := client.CreateSession(ctx, veriff.CreateSessionRequest{})
	_, _ = client.SubmitSession(ctx, sess.ID)
	_ = srv.DecideWithReason(sess.ID, veriff.StatusDeclined, 103)

	d, _ := client.Decision(ctx, sess.ID)
	fmt.Println(d.Verification.Status, d.Verification.Code, *d.Verification.ReasonCode, *d.Verification.Reason)
	// Output:
	// declined 9102 103 Person showing the document does not appear to match document photo
}

// Webhooks arrive at your handler, signed with the shared secret;
// WaitForDeliveries waits for them without sleeping.
func ExampleServer_SetWebhookURL() {
	srv := verifftest.NewServer("test-api-key", "test-shared-secret")
	defer srv.Close()

	received := make(chan string, 10)
	hooks := httptest.NewServer(&veriff.WebhookHandler{
		Secrets: []string{"test-shared-secret"},
		Handle: func(_ context.Context, wh *veriff.Webhook) error {
			received <- string(wh.Kind)
			return nil
		},
	})
	defer hooks.Close()
	srv.SetWebhookURL(hooks.URL)
	srv.AutoDecide(veriff.StatusApproved)

	client, _ := srv.NewClient()
	ctx := context.Background()
	sess, _ := client.CreateSession(ctx, veriff.CreateSessionRequest{Consents: []veriff.Consent{veriff.INEConsent()}})
	_, _ = client.UploadMedia(ctx, sess.ID, veriff.MediaUpload{Context: veriff.ContextFace, Content: []byte("\xff\xd8\xff selfie")})
	_, _ = client.SubmitSession(ctx, sess.ID)

	wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	ds, err := srv.WaitForDeliveries(wctx, 4) // started, submitted, decision, INE registry
	if err != nil {
		panic(err)
	}
	close(received)
	var kinds []string
	for k := range received {
		kinds = append(kinds, k)
	}
	sort.Strings(kinds) // deliveries run concurrently
	fmt.Println(len(ds), "delivered:", kinds)
	// Output:
	// 4 delivered: [decision event event ine_registry]
}

// Fault injection: the next request is answered 429 with Retry-After, which
// the client waits out and retries; a POST whose answer is lost is not sent
// again.
func ExampleServer_FailNext() {
	srv := verifftest.NewServer("test-api-key", "test-shared-secret")
	defer srv.Close()
	client, _ := srv.NewClient()
	ctx := context.Background()

	srv.FailNext(1, http.StatusTooManyRequests, "0")
	_, err := client.CreateSession(ctx, veriff.CreateSessionRequest{})
	fmt.Println("after a 429:", err, srv.RequestCount(http.MethodPost, "/v1/sessions"), "requests")

	srv.DropAfterProcessingNext(1)
	_, err = client.CreateSession(ctx, veriff.CreateSessionRequest{})
	fmt.Println("answer lost:", err != nil, srv.RequestCount(http.MethodPost, "/v1/sessions"), "requests,", len(srv.Sessions()), "sessions")

	srv.FailNext(1, http.StatusServiceUnavailable, "")
	_, err = client.CreateSession(ctx, veriff.CreateSessionRequest{})
	fmt.Println("503 on a POST is not retried:", errors.Is(err, veriff.ErrServer))
	// Output:
	// after a 429: <nil> 2 requests
	// answer lost: true 3 requests, 2 sessions
	// 503 on a POST is not retried: true
}
