package veriff

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func parseDeliveryKeyFixture(t *testing.T, name string) *Webhook {
	t.Helper()
	wh, err := ParseWebhook(fixture(t, "webhooks/deliverykey/"+name))
	require.NoError(t, err, name)
	return wh
}

// A hand-built header map holding the signature header under two
// spellings gets the same answer on every run.
func TestVerifyWebhookHeaderVariantsDeterministic(t *testing.T) {
	body := []byte(`{"id":"s1","code":7001,"action":"started"}`)
	good, bad := Sign(testSecret, body), Sign("other-secret", body)
	for _, h := range []http.Header{
		{"X-HMAC-SIGNATURE": {good}, "x-hmac-signature": {bad}},
		{"x-hmac-signature": {bad}, "X-HMAC-SIGNATURE": {good}, "X-HMAC-signature": {bad}},
	} {
		first := VerifyWebhook(body, h, testSecret)
		assert.NoError(t, first, "the least spelling in byte order wins")
		for i := 0; i < 200; i++ {
			require.Equal(t, first, VerifyWebhook(body, h, testSecret), "run %d", i)
		}
	}
}

// Every two deliveries whose content differs get different keys.
func TestDeliveryKeyTellsEventsApart(t *testing.T) {
	pairs := [][2]string{
		{"poa_event_home.json", "poa_event_work.json"},                       // 7005, no attemptId, other addressId
		{"event_no_attempt_started.json", "event_no_attempt_submitted.json"}, // one code, other action
	}
	for _, p := range pairs {
		a, b := parseDeliveryKeyFixture(t, p[0]), parseDeliveryKeyFixture(t, p[1])
		require.Equal(t, WebhookEvent, a.Kind)
		assert.NotEqual(t, a.DeliveryKey(), b.DeliveryKey(), p)
		// The same body again (a retry) keeps its key.
		assert.Equal(t, a.DeliveryKey(), parseDeliveryKeyFixture(t, p[0]).DeliveryKey())
	}
	home := parseDeliveryKeyFixture(t, "poa_event_home.json")
	assert.Equal(t, "5e6f7a8b-9c0d-4e1f-a2b3-c4d5e6f7a801", home.Event.AddressID)
	assert.Contains(t, home.DeliveryKey(), home.Event.AddressID)

	// Neither attempt nor address ID: the body's digest tells them apart.
	x, err := ParseWebhook([]byte(`{"id":"s1","code":7003,"action":"started","vendorData":"a"}`))
	require.NoError(t, err)
	y, err := ParseWebhook([]byte(`{"id":"s1","code":7003,"action":"started","vendorData":"b"}`))
	require.NoError(t, err)
	assert.NotEqual(t, x.DeliveryKey(), y.DeliveryKey())
	assert.Contains(t, x.DeliveryKey(), "sha256-")
}

// A decision's key comes from its parsed identity: the decision
// time is compared as a time, and the same decision fetched with
// Client.Decision and put in a Webhook by hand shares the webhook's key.
func TestDeliveryKeyOfDecisionFromIdentity(t *testing.T) {
	seconds := parseDeliveryKeyFixture(t, "decision_seconds.json")
	millis := parseDeliveryKeyFixture(t, "decision_millis_api.json")
	require.Equal(t, WebhookDecision, seconds.Kind)
	assert.Equal(t, seconds.DeliveryKey(), millis.DeliveryKey())
	assert.NotEqual(t, seconds.DeliveryKey(), parseDeliveryKeyFixture(t, "decision_other_time.json").DeliveryKey())

	offset, err := ParseWebhook([]byte(strings.Replace(string(fixture(t, "webhooks/deliverykey/decision_seconds.json")),
		"2024-01-01T10:00:00Z", "2024-01-01T11:00:00+01:00", 1)))
	require.NoError(t, err)
	assert.Equal(t, seconds.DeliveryKey(), offset.DeliveryKey(), "one instant, one key")

	c, mt := setup(t)
	mt.RegisterResponder(http.MethodGet, testBase+"/v1/sessions/3f2e1d0c-9b8a-4f7e-8d6c-5b4a39281706/decision",
		httpmock.NewBytesResponder(200, fixture(t, "webhooks/deliverykey/decision_millis_api.json")))
	d, err := c.Decision(context.Background(), "3f2e1d0c-9b8a-4f7e-8d6c-5b4a39281706")
	require.NoError(t, err)
	byHand := &Webhook{Kind: WebhookDecision, Decision: d, Raw: d.Verification.Raw}
	assert.Equal(t, seconds.DeliveryKey(), byHand.DeliveryKey())
}

// Any webhook, however long its IDs and values, has a key a database
// index accepts: long parts are replaced by their SHA-256.
func TestDeliveryKeyIsBounded(t *testing.T) {
	long := func(c string) string { return strings.Repeat(c, 100_000) }
	for _, tc := range []struct {
		name string
		body string
	}{
		{"long session ID", `{"id":"` + long("a") + `","attemptId":"b","feature":"selfid","code":7001,"action":"started"}`},
		{"long action", `{"id":"s","attemptId":"b","feature":"selfid","code":7001,"action":"` + long("é") + `"}`},
		{"long decision status", `{"status":"success","verification":{"id":"s","attemptId":"a","status":"` + long("x") + `","code":9001}}`},
		{"every part long", `{"status":"success","verification":{"id":"` + long("1") + `","attemptId":"` + long("2") + `","status":"` + long("3") + `","code":9001}}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			wh, err := ParseWebhook([]byte(tc.body))
			require.NoError(t, err)
			key := wh.DeliveryKey()
			assert.LessOrEqual(t, len(key), MaxDeliveryKeyBytes)
			assert.Contains(t, key, "sha256-")
			again, err := ParseWebhook([]byte(tc.body))
			require.NoError(t, err)
			assert.Equal(t, key, again.DeliveryKey(), "stable")
			other, err := ParseWebhook([]byte(strings.Replace(tc.body, "0", "1", 1)))
			require.NoError(t, err)
			assert.NotEqual(t, key, other.DeliveryKey(), "another outcome, another key")
		})
	}
}
