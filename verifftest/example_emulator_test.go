package verifftest_test

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"

	"github.com/veriffgo/veriff"
	"github.com/veriffgo/veriff/verifftest"
)

// A test of a webhook receiver: the request is signed as Veriff signs it.
func ExampleNewWebhookRequest() {
	handler := &veriff.WebhookHandler{
		Secrets: []string{"test-shared-secret"},
		Handle: func(_ context.Context, wh *veriff.Webhook) error {
			fmt.Println("received", wh.Kind, wh.Event.Action)
			return nil
		},
	}
	body := []byte(`{"id":"f04bdb47-d3be-4b28-b028-a652feb060b5","attemptId":"e30122d1-740b-4764-853f-470374a7abf4","feature":"selfid","code":7002,"action":"submitted"}`)
	rec := httptest.NewRecorder()
	handler.ServeHTTP(rec, verifftest.NewWebhookRequest("/webhooks/veriff", body, "test-shared-secret"))
	fmt.Println(rec.Code)
	// Output:
	// received event submitted
	// 200
}

// The fake served on a listener of your own, as the veriff emulator
// command does; Close makes Serve return nil.
func ExampleServer_Serve() {
	srv := verifftest.NewUnstartedServer("test-api-key", "test-shared-secret",
		verifftest.WithRequestLog(func(method, route string, status int) {
			fmt.Println(method, route, status)
		}))
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(l) }()

	resp, err := http.Get("http://" + l.Addr().String() + "/v1/sessions/abc/decision")
	if err != nil {
		panic(err)
	}
	resp.Body.Close()
	srv.Close()
	fmt.Println("Serve returned", <-done)
	// Output:
	// GET /v1/sessions/{id}/decision 401
	// Serve returned <nil>
}
