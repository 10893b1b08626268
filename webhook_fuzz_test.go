package veriff

import (
	"bytes"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// webhookSeeds returns every fixture under testdata/webhooks.
func webhookSeeds(f *testing.F) [][]byte {
	f.Helper()
	files, err := filepath.Glob(filepath.Join("testdata", "webhooks", "*.json"))
	if err != nil || len(files) == 0 {
		f.Fatalf("no webhook fixtures: %v", err)
	}
	seeds := make([][]byte, 0, len(files))
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		seeds = append(seeds, b)
	}
	return seeds
}

// FuzzVerifyWebhook checks that VerifyWebhook never panics, accepts what
// Sign produced (in either hex case, under either header, among other
// secrets), refuses it once one byte of the body is flipped, and refuses any
// other signature value it is given.
//
// Run it longer with:
//
//	go test -run '^$' -fuzz '^FuzzVerifyWebhook$' -fuzztime 2m .
func FuzzVerifyWebhook(f *testing.F) {
	for i, body := range webhookSeeds(f) {
		f.Add(body, testSecret, Sign(testSecret, body), uint16(i))
	}
	f.Add([]byte{}, "s", "", uint16(0))
	f.Add([]byte(`{}`), "", "sha256=00", uint16(1))
	f.Add([]byte(`{"a":1}`), "k", strings.Repeat("G", 64), uint16(2))

	f.Fuzz(func(t *testing.T, body []byte, secret, sig string, n uint16) {
		// Arbitrary signature values never panic and never verify unless
		// they are the body's signature.
		for _, h := range []http.Header{
			{"X-Hmac-Signature": {sig}},
			{"vrf-hmac-signature": {sig}},
		} {
			err := VerifyWebhook(body, h, secret)
			if err == nil {
				if secret == "" || !strings.EqualFold(sig, Sign(secret, body)) {
					t.Fatalf("verified a signature that is not the body's")
				}
			} else if !errors.Is(err, ErrInvalidSignature) && !errors.Is(err, ErrMissingSignature) {
				t.Fatalf("error wraps no sentinel: %v", err)
			}
		}
		if secret == "" {
			if VerifyWebhook(body, signWebhook(body, secret), secret) == nil {
				t.Fatal("verified with no secret configured")
			}
			return
		}

		good := Sign(secret, body)
		variants := []http.Header{
			signWebhook(body, secret),
			{"X-Hmac-Signature": {strings.ToUpper(good)}},
			{"VRF-HMAC-SIGNATURE": {good}},
		}
		for _, h := range variants {
			if err := VerifyWebhook(body, h, "other-"+secret, secret); err != nil {
				t.Fatalf("signed body refused: %v", err)
			}
		}

		if len(body) > 0 {
			flipped := bytes.Clone(body)
			i := int(n) % len(flipped)
			flipped[i] ^= 1 << (n % 8)
			if VerifyWebhook(flipped, variants[0], secret) == nil {
				t.Fatalf("body with byte %d flipped still verifies", i)
			}
		}
		if VerifyWebhook(append(bytes.Clone(body), 'x'), variants[0], secret) == nil {
			t.Fatal("extended body still verifies")
		}
		if VerifyWebhook(body, variants[0], secret+"x") == nil {
			t.Fatal("wrong secret verifies")
		}
	})
}

// FuzzParseWebhook checks that ParseWebhook never panics, that a success
// always carries the body in Raw, a known kind and a delivery key, and that
// the key is stable.
//
// Run it longer with:
//
//	go test -run '^$' -fuzz '^FuzzParseWebhook$' -fuzztime 2m .
func FuzzParseWebhook(f *testing.F) {
	for _, body := range webhookSeeds(f) {
		f.Add(body)
	}
	for _, s := range []string{``, `null`, `[]`, `{}`, `{"verification":null}`, `{"verification":{"id":""}}`,
		`{"action":"started","code":"7001"}`, `{"action":"started","code":7001e0,"id":"x"}`,
		`{"eventType":"ine_registry","sessionId":"x","data":{"details":null}}`, `{"type":"curp_registry","id":"x","data":5}`,
		`{"checkType":"initial_result","totalHits":1.5}`, `{"eventType":"user-status","data":{"verification":[]}}`} {
		f.Add([]byte(s))
	}

	f.Fuzz(func(t *testing.T, body []byte) {
		orig := bytes.Clone(body)
		wh, err := ParseWebhook(body)
		if !bytes.Equal(body, orig) {
			t.Fatal("ParseWebhook modified its input")
		}
		if err != nil {
			if wh != nil {
				t.Fatal("both a webhook and an error")
			}
			if !errors.Is(err, ErrMalformedWebhook) {
				t.Fatalf("error does not wrap ErrMalformedWebhook: %v", err)
			}
			return
		}
		if !bytes.Equal(wh.Raw, body) {
			t.Fatal("Raw is not the body")
		}
		if wh.Kind == "" {
			t.Fatal("empty kind")
		}
		key := wh.DeliveryKey()
		if key == "" || !strings.HasPrefix(key, string(wh.Kind)+"/") {
			t.Fatalf("bad delivery key %q for kind %s", key, wh.Kind)
		}
		again, err := ParseWebhook(orig)
		if err != nil || again.DeliveryKey() != key || again.Kind != wh.Kind {
			t.Fatal("parsing the same body twice differs")
		}
		switch wh.Kind {
		case WebhookDecision:
			if wh.Decision == nil || wh.Decision.Verification == nil || wh.Decision.Verification.ID == "" || wh.SessionID() == "" {
				t.Fatal("decision without verification ID")
			}
		case WebhookEvent:
			if wh.Event == nil || wh.Event.ID == "" || wh.Event.Code < 7000 || wh.Event.Code > 7999 {
				t.Fatal("event without ID or with a code out of range")
			}
		case WebhookINERegistry:
			if wh.INERegistry == nil || wh.SessionID() == "" {
				t.Fatal("INE registry without session")
			}
		case WebhookCURPRegistry:
			if wh.CURPRegistry == nil || wh.SessionID() == "" {
				t.Fatal("CURP registry without session")
			}
		case WebhookCombinedRegistry:
			if wh.CombinedRegistry == nil || wh.SessionID() == "" {
				t.Fatal("combined registry without session")
			}
		case WebhookWatchlist:
			if wh.Watchlist == nil {
				t.Fatal("watchlist without payload")
			}
		}
		_, _, _ = wh.AttemptID(), wh.VendorData(), wh.EndUserID()
	})
}
