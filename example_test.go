package veriff_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/jpeg"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"time"

	"github.com/veriffgo/veriff"
	"github.com/veriffgo/veriff/verifftest"
)

// These examples run against verifftest, the in-process fake of Veriff's
// API, so `go test` runs them with no account. In your code, pass your
// integration's API key, shared secret and base URL instead.

// startFake starts the fake and a client for it, built as for the real API.
func startFake() (*verifftest.Server, *veriff.Client) {
	srv := verifftest.NewServer("demo-api-key", "demo-shared-secret")
	client, err := veriff.NewClient("demo-api-key", "demo-shared-secret", veriff.WithBaseURL(srv.URL))
	if err != nil {
		panic(err)
	}
	return srv, client
}

// demoJPEG is a small, valid JPEG image.
func demoJPEG() []byte {
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, image.NewGray(image.Rect(0, 0, 16, 16)), nil); err != nil {
		panic(err)
	}
	return buf.Bytes()
}

// demoSession creates a session for a Mexican end-user with the INE consent.
func demoSession(ctx context.Context, client *veriff.Client) *veriff.Session {
	s, err := client.CreateSession(ctx, veriff.CreateSessionRequest{
		Person:     &veriff.SessionPerson{FirstName: "Ana Sofía", LastName: "Torres Medina", DateOfBirth: "1992-11-03"},
		Document:   &veriff.SessionDocument{Type: veriff.DocumentTypeIDCard, Country: "MX"},
		VendorData: "customer-42",
		Consents:   []veriff.Consent{veriff.INEConsent()},
	})
	if err != nil {
		panic(err)
	}
	return s
}

// demoUploadAndSubmit uploads the document's front and back and a selfie,
// then submits the session.
func demoUploadAndSubmit(ctx context.Context, client *veriff.Client, sessionID string) {
	for _, mc := range []veriff.MediaContext{veriff.ContextDocumentFront, veriff.ContextDocumentBack, veriff.ContextFace} {
		if _, err := client.UploadMedia(ctx, sessionID, veriff.MediaUpload{Context: mc, Content: demoJPEG()}); err != nil {
			panic(err)
		}
	}
	if _, err := client.SubmitSession(ctx, sessionID); err != nil {
		panic(err)
	}
}

// Options are checked when the client is built: a mistake fails NewClient,
// not the first call.
func ExampleNewClient() {
	client, err := veriff.NewClient("demo-api-key", "demo-shared-secret", // os.Getenv("VERIFF_API_KEY"), ...
		veriff.WithBaseURL("https://example-integration.veriff.me"), // from the Customer Portal
		veriff.WithMaxRetries(3),
		veriff.WithRetryWait(200*time.Millisecond, 5*time.Second),
		veriff.WithLogger(slog.New(slog.NewTextHandler(os.Stderr, nil))), // never logs bodies or secrets
		veriff.WithUserAgent("onboarding-service/1.4"),
	)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(client.BaseURL())

	// Credentials never travel over plain HTTP to a remote host.
	_, err = veriff.NewClient("demo-key", "demo-shared-secret", veriff.WithBaseURL("http://example-integration.veriff.me"))
	fmt.Println(errors.Is(err, veriff.ErrInvalidInput))
	_, err = veriff.NewClient("", "demo-shared-secret")
	fmt.Println(errors.Is(err, veriff.ErrInvalidInput))
	// Output:
	// https://example-integration.veriff.me/v1
	// true
	// true
}

// Create a session for Mexico's INE check: the INE consent is mandatory.
func ExampleClient_CreateSession() {
	srv, client := startFake()
	defer srv.Close()

	s, err := client.CreateSession(context.Background(), veriff.CreateSessionRequest{
		Person: &veriff.SessionPerson{
			FirstName:   "Ana Sofía",
			LastName:    "Torres Medina",
			DateOfBirth: "1992-11-03",
		},
		Document:   &veriff.SessionDocument{Type: veriff.DocumentTypeIDCard, Country: "MX"},
		VendorData: "customer-42", // your own reference, returned in every webhook
		Consents:   []veriff.Consent{veriff.INEConsent()},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(s.Status, s.VendorData, s.ID != "", s.URL != "")
	// Output:
	// created customer-42 true true
}

// Upload the document's front and back and a selfie. Content is the raw
// image; the SDK detects its type and encodes it.
func ExampleClient_UploadMedia() {
	srv, client := startFake()
	defer srv.Close()
	ctx := context.Background()
	s := demoSession(ctx, client)

	img := demoJPEG()
	for _, mc := range []veriff.MediaContext{veriff.ContextDocumentFront, veriff.ContextDocumentBack, veriff.ContextFace} {
		m, err := client.UploadMedia(ctx, s.ID, veriff.MediaUpload{Context: mc, Content: img})
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println(m.Context, m.MimeType, m.Size == int64(len(img)))
	}

	// The session's media, downloaded byte for byte.
	list, err := client.SessionMedia(ctx, s.ID)
	if err != nil {
		fmt.Println(err)
		return
	}
	var buf bytes.Buffer
	if _, err := client.DownloadMedia(ctx, list.Images[0].ID, &buf); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(len(list.Images), "images; same bytes:", bytes.Equal(buf.Bytes(), img))
	// Output:
	// document-front image/jpeg true
	// document-back image/jpeg true
	// face image/jpeg true
	// 3 images; same bytes: true
}

// Upload an image from a file: it is streamed, never held in memory
// whole, and refused before anything is sent if it is not a regular file,
// is too large or is not an image Veriff takes.
func ExampleClient_UploadMediaFile() {
	srv, client := startFake()
	defer srv.Close()
	ctx := context.Background()
	s := demoSession(ctx, client)

	dir, err := os.MkdirTemp("", "veriff-example")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "selfie.jpg")
	if err := os.WriteFile(path, demoJPEG(), 0o600); err != nil {
		fmt.Println(err)
		return
	}

	m, err := client.UploadMediaFile(ctx, s.ID, veriff.ContextFace, path)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(m.Context, m.MimeType)

	// A directory is refused before any request.
	_, err = client.UploadMediaFile(ctx, s.ID, veriff.ContextFace, dir)
	fmt.Println(errors.Is(err, veriff.ErrInvalidInput))
	// Output:
	// face image/jpeg
	// true
}

// Call an endpoint the SDK does not model with Execute: it is signed,
// retried and its errors typed like every other call. A GET is signed over
// the ID in its path, named in SignedID.
func ExampleClient_Execute() {
	srv, client := startFake()
	defer srv.Close()
	srv.AutoDecide(veriff.StatusApproved)
	ctx := context.Background()
	s := demoSession(ctx, client)
	demoUploadAndSubmit(ctx, client, s.ID)

	var out struct {
		Verification struct {
			Status string `json:"status"`
			Code   int    `json:"code"`
		} `json:"verification"`
	}
	err := client.Execute(ctx, veriff.RawRequest{
		Method:   "GET",
		Path:     "/sessions/" + s.ID + "/decision",
		SignedID: s.ID,
	}, &out)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(out.Verification.Status, out.Verification.Code)

	// A path that could escape /v1 is refused before anything is sent.
	err = client.Execute(ctx, veriff.RawRequest{Method: "GET", Path: "/sessions/../admin", SignedID: s.ID}, nil)
	fmt.Println(errors.Is(err, veriff.ErrInvalidInput))
	// Output:
	// approved 9001
	// true
}

// Submit the session once its media is uploaded. A second submit is a
// conflict.
func ExampleClient_SubmitSession() {
	srv, client := startFake()
	defer srv.Close()
	ctx := context.Background()
	s := demoSession(ctx, client)
	for _, mc := range []veriff.MediaContext{veriff.ContextDocumentFront, veriff.ContextDocumentBack, veriff.ContextFace} {
		if _, err := client.UploadMedia(ctx, s.ID, veriff.MediaUpload{Context: mc, Content: demoJPEG()}); err != nil {
			fmt.Println(err)
			return
		}
	}

	sub, err := client.SubmitSession(ctx, s.ID)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(sub.Status)

	_, err = client.SubmitSession(ctx, s.ID)
	fmt.Println(errors.Is(err, veriff.ErrConflict))
	// Output:
	// submitted
	// true
}

// Read the decision: Verification stays nil until Veriff has decided.
func ExampleClient_Decision() {
	srv, client := startFake()
	defer srv.Close()
	ctx := context.Background()
	s := demoSession(ctx, client)
	demoUploadAndSubmit(ctx, client, s.ID)

	d, err := client.Decision(ctx, s.ID)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("decided:", d.Verification != nil)

	_ = srv.Decide(s.ID, veriff.StatusApproved) // the fake plays Veriff

	d, err = client.Decision(ctx, s.ID)
	if err != nil {
		fmt.Println(err)
		return
	}
	v := d.Verification
	fmt.Println(v.Status, v.Code, v.Status.IsFinal())
	fmt.Println(v.Person.FirstName, v.Person.LastName, v.Person.DateOfBirth)
	fmt.Println(v.Document.Type, v.Document.Country)
	fmt.Println("INE biometric:", d.INEBiometric().Verdict())
	// Output:
	// decided: false
	// approved 9001 true
	// ANA SOFÍA TORRES MEDINA 1992-11-03
	// ID_CARD MX
	// INE biometric: valid
}

// A declined decision carries Veriff's reason.
func ExampleClient_Decision_declined() {
	srv, client := startFake()
	defer srv.Close()
	ctx := context.Background()
	s := demoSession(ctx, client)
	demoUploadAndSubmit(ctx, client, s.ID)
	_ = srv.DecideWithReason(s.ID, veriff.StatusDeclined, 102)

	d, err := client.Decision(ctx, s.ID)
	if err != nil {
		fmt.Println(err)
		return
	}
	v := d.Verification
	fmt.Println(v.Status, v.Code, *v.ReasonCode, *v.Reason)
	// Output:
	// declined 9102 102 Suspected document tampering
}

// Poll for the decision when you cannot receive webhooks. Give the context
// a deadline.
func ExampleClient_WaitForDecision() {
	srv, client := startFake()
	defer srv.Close()
	srv.AutoDecide(veriff.StatusApproved)

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	s := demoSession(ctx, client)
	demoUploadAndSubmit(ctx, client, s.ID)

	d, err := client.WaitForDecision(ctx, s.ID, 50*time.Millisecond)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(d.Verification.Status)
	// Output:
	// approved
}

// Query the INE registry result of a decided session.
func ExampleClient_INERegistry() {
	srv, client := startFake()
	defer srv.Close()
	ctx := context.Background()
	s := demoSession(ctx, client)
	demoUploadAndSubmit(ctx, client, s.ID)

	// The fake plays the registry and Veriff.
	_ = srv.SetINERegistry(s.ID, veriff.INERegistryResult{Active: true, DocumentState: "El documento es válido."})
	_ = srv.Decide(s.ID, veriff.StatusApproved)

	res, err := client.INERegistry(ctx, s.ID)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("active:", res.Active)
	fmt.Println(res.DocumentState)
	// Output:
	// active: true
	// El documento es válido.
}

// Every non-2xx answer is an *APIError; match its class with errors.Is and
// read the details with errors.As.
func ExampleAPIError() {
	srv, client := startFake()
	defer srv.Close()

	_, err := client.Decision(context.Background(), "00000000-0000-4000-8000-000000000000")
	fmt.Println(errors.Is(err, veriff.ErrNotFound), errors.Is(err, veriff.ErrUnauthorized))

	var apiErr *veriff.APIError
	if errors.As(err, &apiErr) {
		fmt.Println(apiErr.StatusCode, apiErr.Method, apiErr.Message)
	}

	// A wrong shared secret: Veriff's signature codes match ErrUnauthorized.
	wrong, _ := veriff.NewClient("demo-api-key", "not-the-secret", veriff.WithBaseURL(srv.URL))
	_, err = wrong.Decision(context.Background(), "00000000-0000-4000-8000-000000000000")
	if errors.As(err, &apiErr) {
		fmt.Println(errors.Is(err, veriff.ErrUnauthorized), apiErr.StatusCode, apiErr.Code)
	}
	// Output:
	// true false
	// 404 GET Session not found.
	// true 401 1818
}

// Receive the webhooks of a whole INE flow on a WebhookHandler: here the
// fake sends them to a local test server, as Veriff would to your URL.
func ExampleWebhookHandler_fromVerifftest() {
	srv, client := startFake()
	defer srv.Close()

	var (
		mu   sync.Mutex
		seen = map[string]string{} // delivery key -> what it said
	)
	receiver := httptest.NewServer(&veriff.WebhookHandler{
		Secrets: []string{srv.SharedSecret()},
		APIKey:  srv.APIKey(),
		Handle: func(ctx context.Context, wh *veriff.Webhook) error {
			mu.Lock()
			defer mu.Unlock()
			switch wh.Kind {
			case veriff.WebhookEvent:
				seen[wh.DeliveryKey()] = "event " + wh.Event.Action
			case veriff.WebhookDecision:
				seen[wh.DeliveryKey()] = "decision " + string(wh.Decision.Verification.Status)
			case veriff.WebhookINERegistry:
				seen[wh.DeliveryKey()] = fmt.Sprint("INE registry active=", wh.INERegistry.Data.Details.Active)
			}
			return nil
		},
	})
	defer receiver.Close()
	srv.SetWebhookURL(receiver.URL)
	srv.AutoDecide(veriff.StatusApproved)

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	s := demoSession(ctx, client)
	demoUploadAndSubmit(ctx, client, s.ID)

	// Started and submitted events, the decision, the INE registry result.
	if _, err := srv.WaitForDeliveries(ctx, 4); err != nil {
		fmt.Println(err)
		return
	}
	mu.Lock()
	defer mu.Unlock()
	var got []string
	for _, what := range seen {
		got = append(got, what)
	}
	sort.Strings(got) // webhooks arrive in any order
	for _, what := range got {
		fmt.Println(what)
	}
	// Output:
	// INE registry active=true
	// decision approved
	// event started
	// event submitted
}
