package veriff_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"

	"github.com/veriffgo/veriff"
	"github.com/veriffgo/veriff/verifftest"
)

// The docs' INE registry webhook and mock shared secret.
const (
	exampleSecret = "abcdef12-abcd-abcd-abcd-abcdef012345"
	exampleINE    = `{"eventType":"ine_registry","sessionId":"f04bdb47-d3be-4b28-b028-a652feb060b5","attemptId":"e30122d1-740b-4764-853f-470374a7abf4","vendorData":"1234567812345678","endUserId":"a1b2c35d-e8f7-6d5e-3cd2-a1b2c35db3d4","version":"1.0.0","time":"2021-06-02T11:04:00.287Z","data":{"status":"La credencial es válida","code":200,"details":{"active":true,"documentState":"El documento es válido."}}}`
)

// Verify a webhook by hand, then parse it: with a framework of your own,
// read the raw body first and verify those exact bytes.
func ExampleVerifyWebhook() {
	body := []byte(exampleINE)
	header := http.Header{}
	header.Set("X-HMAC-SIGNATURE", "55d8ff843f7877afba4304b0d75ebd9e6764defd440653daa370783e381aad0a")

	// Every live secret: during a rotation, the new one and the old one.
	if err := veriff.VerifyWebhook(body, header, "new-secret-not-yet-used", exampleSecret); err != nil {
		fmt.Println("refused:", err)
		return
	}
	wh, err := veriff.ParseWebhook(body)
	if err != nil {
		fmt.Println("malformed:", err)
		return
	}
	fmt.Println(wh.Kind, wh.SessionID())
	fmt.Println(wh.INERegistry.Data.Code, wh.INERegistry.Data.Status)
	fmt.Println("active:", wh.INERegistry.Data.Details.Active, "-", wh.INERegistry.Data.Details.DocumentState)

	// A tampered body is refused.
	err = veriff.VerifyWebhook(append(body, ' '), header, exampleSecret)
	fmt.Println(errors.Is(err, veriff.ErrInvalidSignature))
	// Output:
	// ine_registry f04bdb47-d3be-4b28-b028-a652feb060b5
	// 200 La credencial es válida
	// active: true - El documento es válido.
	// true
}

// A webhook receiver that records each delivery once, tested the way Veriff
// calls it, with no network.
func ExampleWebhookHandler() {
	var (
		mu   sync.Mutex
		seen = map[string]bool{} // stands for a table with a unique key
	)
	h := &veriff.WebhookHandler{
		Secrets: []string{exampleSecret},
		Handle: func(ctx context.Context, wh *veriff.Webhook) error {
			mu.Lock()
			defer mu.Unlock()
			if seen[wh.DeliveryKey()] {
				fmt.Println("duplicate delivery, acknowledged again")
				return nil
			}
			seen[wh.DeliveryKey()] = true
			switch wh.Kind {
			case veriff.WebhookEvent:
				fmt.Println("event", wh.Event.Code, wh.Event.Action, "for", wh.SessionID())
			case veriff.WebhookINERegistry:
				fmt.Println("INE credential active:", wh.INERegistry.Data.Details.Active)
			default:
				fmt.Println("kind", wh.Kind)
			}
			return nil
		},
	}

	send := func(body []byte, secret string) {
		req := verifftest.NewWebhookRequest("https://example.com/veriff/webhooks", body, secret)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		fmt.Println("->", rec.Code)
	}

	event := []byte(`{"id":"f04bdb47-d3be-4b28-b028-a652feb060b5","attemptId":"e30122d1-740b-4764-853f-470374a7abf4","feature":"selfid","code":7002,"action":"submitted","vendorData":"12345678","endUserId":"a1b2c35d-e8f7-6d5e-3cd2-a1b2c35db3d4"}`)
	send(event, exampleSecret)
	send(event, exampleSecret) // Veriff's retry of the same body
	send([]byte(exampleINE), exampleSecret)
	send([]byte(exampleINE), "not-the-secret")
	send([]byte(`{"verification":"oops"}`), exampleSecret)
	// Output:
	// event 7002 submitted for f04bdb47-d3be-4b28-b028-a652feb060b5
	// -> 200
	// duplicate delivery, acknowledged again
	// -> 200
	// INE credential active: true
	// -> 200
	// -> 401
	// -> 400
}

// Parse a verified webhook body and act on its kind. Each kind has its own
// payload field; the IDs every kind carries have accessors.
func ExampleParseWebhook() {
	body := []byte(`{"status":"success","verification":{"id":"f04bdb47-d3be-4b28-b028-a652feb060b5",` +
		`"attemptId":"e30122d1-740b-4764-853f-470374a7abf4","vendorData":"customer-42","status":"declined",` +
		`"code":9102,"reason":"Physical document not used","reasonCode":102,"decisionTime":"2026-11-02T10:15:00Z"}}`)
	wh, err := veriff.ParseWebhook(body)
	if err != nil {
		fmt.Println("malformed:", err)
		return
	}
	switch wh.Kind {
	case veriff.WebhookDecision:
		v := wh.Decision.Verification
		fmt.Println(wh.SessionID(), wh.VendorData())
		fmt.Println(v.Status, v.Code, *v.ReasonCode, v.Status.IsFinal())
	case veriff.WebhookEvent:
		fmt.Println("event", wh.Event.Action)
	default:
		fmt.Println("kind not handled here:", wh.Kind)
	}
	// A body that is not a webhook is refused.
	_, err = veriff.ParseWebhook([]byte(`[1,2]`))
	fmt.Println(errors.Is(err, veriff.ErrMalformedWebhook))
	// Output:
	// f04bdb47-d3be-4b28-b028-a652feb060b5 customer-42
	// declined 9102 102 true
	// true
}

// DeliveryKey names a delivery for de-duplication: Veriff retries a
// webhook until it is acknowledged, so the same event can arrive twice.
// Store the key with a unique constraint and skip a delivery already seen.
func ExampleWebhook_DeliveryKey() {
	submitted := []byte(`{"id":"f04bdb47-d3be-4b28-b028-a652feb060b5","attemptId":"e30122d1-740b-4764-853f-470374a7abf4",` +
		`"feature":"selfid","code":7002,"action":"submitted","vendorData":"customer-42"}`)
	started := []byte(`{"id":"f04bdb47-d3be-4b28-b028-a652feb060b5","attemptId":"e30122d1-740b-4764-853f-470374a7abf4",` +
		`"feature":"selfid","code":7001,"action":"started","vendorData":"customer-42"}`)
	parse := func(body []byte) *veriff.Webhook {
		wh, err := veriff.ParseWebhook(body)
		if err != nil {
			panic(err)
		}
		return wh
	}
	first, again, other := parse(submitted), parse(submitted), parse(started)
	fmt.Println("redelivery has the same key:", first.DeliveryKey() == again.DeliveryKey())
	fmt.Println("another event has another key:", first.DeliveryKey() != other.DeliveryKey())
	// Output:
	// redelivery has the same key: true
	// another event has another key: true
}
