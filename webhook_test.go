package veriff

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestVerifyWebhook(t *testing.T) {
	body := []byte(`{"id":"f04bdb47-d3be-4b28-b028-a652feb060b5","code":7002,"action":"submitted"}`)
	const secret, other = "s3cret-current", "s3cret-previous"
	sig := Sign(secret, body)
	otherSig := Sign(other, body)

	tests := []struct {
		name    string
		body    []byte
		header  http.Header
		secrets []string
		want    error // nil, ErrMissingSignature or ErrInvalidSignature
	}{
		{"X-HMAC-SIGNATURE via Set", body, hdr("X-HMAC-SIGNATURE", sig), []string{secret}, nil},
		{"VRF-HMAC-SIGNATURE via Set", body, hdr("VRF-HMAC-SIGNATURE", sig), []string{secret}, nil},
		{"lowercase hand-built key", body, http.Header{"x-hmac-signature": {sig}}, []string{secret}, nil},
		{"uppercase hand-built key", body, http.Header{"X-HMAC-SIGNATURE": {sig}}, []string{secret}, nil},
		{"mixed-case hand-built VRF key", body, http.Header{"vrf-HMAC-signature": {sig}}, []string{secret}, nil},
		{"uppercase hex", body, hdr("X-HMAC-SIGNATURE", strings.ToUpper(sig)), []string{secret}, nil},
		{"mixed-case hex", body, hdr("X-HMAC-SIGNATURE", strings.ToUpper(sig[:31])+sig[31:]), []string{secret}, nil},
		{"rotation: second secret matches", body, hdr("X-HMAC-SIGNATURE", otherSig), []string{secret, other}, nil},
		{"rotation: five secrets, last matches", body, hdr("X-HMAC-SIGNATURE", otherSig), []string{"a", "b", "c", secret, other}, nil},
		{"empty secrets skipped", body, hdr("X-HMAC-SIGNATURE", sig), []string{"", secret}, nil},
		{"X wins over VRF", body, http.Header{"X-Hmac-Signature": {sig}, "Vrf-Hmac-Signature": {otherSig}}, []string{secret}, nil},
		{"empty X falls back to VRF", body, http.Header{"X-Hmac-Signature": {""}, "Vrf-Hmac-Signature": {sig}}, []string{secret}, nil},
		{"empty body signed", []byte{}, hdr("X-HMAC-SIGNATURE", "4005304bae46f8a0c2b1fbd7088f9dded39dc1040be754dede2bf198ab44b7c8"), []string{testSecret}, nil},

		{"tampered body", append(append([]byte{}, body[:len(body)-2]...), '1', '}'), hdr("X-HMAC-SIGNATURE", sig), []string{secret}, ErrInvalidSignature},
		{"wrong secret", body, hdr("X-HMAC-SIGNATURE", sig), []string{other}, ErrInvalidSignature},
		{"no secrets", body, hdr("X-HMAC-SIGNATURE", sig), nil, ErrInvalidSignature},
		{"only empty secrets", body, hdr("X-HMAC-SIGNATURE", sig), []string{"", ""}, ErrInvalidSignature},
		{"no header", body, http.Header{}, []string{secret}, ErrMissingSignature},
		{"nil header", body, nil, []string{secret}, ErrMissingSignature},
		{"empty header", body, hdr("X-HMAC-SIGNATURE", ""), []string{secret}, ErrMissingSignature},
		{"other header only", body, hdr("X-Signature", sig), []string{secret}, ErrMissingSignature},
		{"short", body, hdr("X-HMAC-SIGNATURE", sig[:63]), []string{secret}, ErrInvalidSignature},
		{"half", body, hdr("X-HMAC-SIGNATURE", sig[:32]), []string{secret}, ErrInvalidSignature},
		{"long", body, hdr("X-HMAC-SIGNATURE", sig+"0"), []string{secret}, ErrInvalidSignature},
		{"doubled", body, hdr("X-HMAC-SIGNATURE", sig+sig), []string{secret}, ErrInvalidSignature},
		{"non-hex", body, hdr("X-HMAC-SIGNATURE", "g"+sig[1:]), []string{secret}, ErrInvalidSignature},
		{"non-ASCII", body, hdr("X-HMAC-SIGNATURE", "é"+sig[2:]), []string{secret}, ErrInvalidSignature},
		{"sha256= prefix", body, hdr("X-HMAC-SIGNATURE", "sha256="+sig), []string{secret}, ErrInvalidSignature},
		{"sha256= prefix, truncated to 64", body, hdr("X-HMAC-SIGNATURE", ("sha256=" + sig)[:64]), []string{secret}, ErrInvalidSignature},
		{"leading space", body, http.Header{"X-Hmac-Signature": {" " + sig[1:]}}, []string{secret}, ErrInvalidSignature},
		{"trailing space", body, http.Header{"X-Hmac-Signature": {sig + " "}}, []string{secret}, ErrInvalidSignature},
		{"inner space", body, http.Header{"X-Hmac-Signature": {sig[:30] + " " + sig[31:]}}, []string{secret}, ErrInvalidSignature},
		{"base64 instead of hex", body, hdr("X-HMAC-SIGNATURE", "q83vEjRWeJCrze8SNFZ4kKvN7xI0VniQq83vEjRWeJA="), []string{secret}, ErrInvalidSignature},
		{"legacy SHA256 of body+secret", body, hdr("X-HMAC-SIGNATURE", legacySig(body, secret)), []string{secret}, ErrInvalidSignature},
		{"signature of another body", body, hdr("X-HMAC-SIGNATURE", Sign(secret, []byte("{}"))), []string{secret}, ErrInvalidSignature},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var err error
			require.NotPanics(t, func() { err = VerifyWebhook(tt.body, tt.header, tt.secrets...) })
			if tt.want == nil {
				assert.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.ErrorIs(t, err, tt.want)
			other := ErrMissingSignature
			if tt.want == ErrMissingSignature {
				other = ErrInvalidSignature
			}
			assert.NotErrorIs(t, err, other)
			// Nothing secret in the message.
			for _, s := range append([]string{sig, otherSig, strings.ToUpper(sig)}, tt.secrets...) {
				if s != "" {
					assert.NotContains(t, err.Error(), s)
				}
			}
		})
	}
}

// TestVerifyWebhookManySecretsConcurrently covers many secrets verified
// from many goroutines at once.
func TestVerifyWebhookManySecretsConcurrently(t *testing.T) {
	body := fixture(t, "webhooks/decision_approved.json")
	secrets := make([]string, 40)
	for i := range secrets {
		secrets[i] = fmt.Sprintf("many-secrets-%02d", i)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 4*len(secrets))
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i, s := range secrets {
				h := signWebhook(body, s)
				if err := VerifyWebhook(body, h, s); err != nil {
					errs <- fmt.Errorf("secret %d: %w", i, err)
				}
				// Every secret configured, the right one somewhere in the list.
				if err := VerifyWebhook(body, h, secrets[(i+g)%len(secrets):]...); (i+g)%len(secrets) <= i && err != nil {
					errs <- fmt.Errorf("secret %d in list: %w", i, err)
				}
				if err := VerifyWebhook(body, h, secrets[(i+1)%len(secrets)]); !errors.Is(err, ErrInvalidSignature) {
					errs <- fmt.Errorf("secret %d verified with another: %v", i, err)
				}
			}
		}(g)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

func hdr(k, v string) http.Header {
	h := http.Header{}
	h.Set(k, v)
	return h
}

func legacySig(body []byte, secret string) string {
	h := sha256.New()
	h.Write(body)
	h.Write([]byte(secret))
	return hex.EncodeToString(h.Sum(nil))
}

// TestVerifyWebhookDocsVectors checks the docs' samples, signed with the
// docs' mock secret, against the published and derived vectors.
func TestVerifyWebhookDocsVectors(t *testing.T) {
	tests := []struct {
		file, sig string
		size      int
	}{
		{"ine_registry_active.json", "55d8ff843f7877afba4304b0d75ebd9e6764defd440653daa370783e381aad0a", 390},
		{"event_submitted_7002.json", "12d28cd7aa0f418dbb88ad72ed90aba69ce80fdee6f0979b33f032ed01d3de1a", 0},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			body := fixture(t, "webhooks/"+tt.file)
			if tt.size > 0 {
				require.Len(t, body, tt.size, "fixture must hold the exact compact bytes")
			}
			assert.Equal(t, tt.sig, Sign(testSecret, body))
			assert.NoError(t, VerifyWebhook(body, hdr("X-HMAC-SIGNATURE", tt.sig), testSecret))
			assert.NoError(t, VerifyWebhook(body, hdr("X-HMAC-SIGNATURE", strings.ToUpper(tt.sig)), "rotated-out", testSecret))
			assert.ErrorIs(t, VerifyWebhook(append(body, ' '), hdr("X-HMAC-SIGNATURE", tt.sig), testSecret), ErrInvalidSignature)
		})
	}
}

// webhookIdentity is what every webhook says about itself.
type webhookIdentity struct {
	Kind                                                             WebhookKind
	EventType, SessionID, AttemptID, VendorData, EndUserID, Delivery string
}

func identityOf(wh *Webhook) webhookIdentity {
	return webhookIdentity{wh.Kind, wh.EventType, wh.SessionID(), wh.AttemptID(), wh.VendorData(), wh.EndUserID(), wh.DeliveryKey()}
}

func TestParseWebhookKinds(t *testing.T) {
	const sess, att = "f04bdb47-d3be-4b28-b028-a652feb060b5", "e30122d1-740b-4764-853f-470374a7abf4"
	unknownSum := sha256.Sum256(fixture(t, "webhooks/unknown_kind.json"))
	tests := []struct {
		file string
		want webhookIdentity
	}{
		{"decision_approved.json", webhookIdentity{WebhookDecision, "", "b6a4c3e1-8f2d-4a7b-9c1e-5d3f7a9b2c4e", "d2f8a6c4-1e3b-4d5f-a7c9-e1b3d5f7a9c2", "cliente-00417", "c4e6a8b0-2d4f-4a6c-8e0a-2c4e6a8b0d2f",
			"decision/b6a4c3e1-8f2d-4a7b-9c1e-5d3f7a9b2c4e/d2f8a6c4-1e3b-4d5f-a7c9-e1b3d5f7a9c2/approved/9001/2024-05-20T16:41:07.318Z"}},
		{"decision_declined.json", webhookIdentity{WebhookDecision, "", "e1c3a5b7-9d2f-4b6a-8c0e-2a4c6e8f0b1d", "f3b5d7e9-1a2c-4e6f-8a0b-c2d4e6f8a0b3", "cliente-00418", "",
			"decision/e1c3a5b7-9d2f-4b6a-8c0e-2a4c6e8f0b1d/f3b5d7e9-1a2c-4e6f-8a0b-c2d4e6f8a0b3/declined/9102/2024-05-18T09:20:31.442Z"}},
		{"decision_resubmission_requested.json", webhookIdentity{WebhookDecision, "", "a7c9e1b3-5d7f-4a9b-bc1d-3e5f7a9b1c3d", "b8d0f2a4-6c8e-4a0c-9d2f-4a6c8e0a2c4e", "cliente-00419", "",
			"decision/a7c9e1b3-5d7f-4a9b-bc1d-3e5f7a9b1c3d/b8d0f2a4-6c8e-4a0c-9d2f-4a6c8e0a2c4e/resubmission_requested/9103/2024-05-19T12:02:15.007Z"}},
		{"decision_expired.json", webhookIdentity{WebhookDecision, "", "c9e1a3b5-7d9f-4b1c-ad3e-5f7a9b1c3d5e", "", "cliente-00420", "",
			"decision/c9e1a3b5-7d9f-4b1c-ad3e-5f7a9b1c3d5e//expired/9104/2024-05-27T09:12:45.120Z"}},
		{"event_started_7001.json", webhookIdentity{WebhookEvent, "", "3c1f2d8e-5b7a-4f0e-9a41-7d2c6e8b1f30", "9b2e4c1a-0d3f-4e6b-8a75-c1d2e3f4a5b6", "", "",
			"event/3c1f2d8e-5b7a-4f0e-9a41-7d2c6e8b1f30/9b2e4c1a-0d3f-4e6b-8a75-c1d2e3f4a5b6//7001/started"}},
		{"event_submitted_7002.json", webhookIdentity{WebhookEvent, "", sess, att, "12345678", "a1b2c35d-e8f7-6d5e-3cd2-a1b2c35db3d4",
			"event/" + sess + "/" + att + "//7002/submitted"}},
		{"ine_registry_active.json", webhookIdentity{WebhookINERegistry, "ine_registry", sess, att, "1234567812345678", "a1b2c35d-e8f7-6d5e-3cd2-a1b2c35db3d4",
			"ine_registry/" + sess + "/" + att + "/200/La%20credencial%20es%20v%C3%A1lida/true"}},
		{"ine_registry_inactive.json", webhookIdentity{WebhookINERegistry, "ine_registry", "7a9d1c3e-2b4f-4d6a-8e0c-1f3b5d7e9a2c", "5e7f9a1b-3c5d-4e7f-9a1b-3c5d7e9f1a2b", "cliente-20931", "",
			"ine_registry/7a9d1c3e-2b4f-4d6a-8e0c-1f3b5d7e9a2c/5e7f9a1b-3c5d-4e7f-9a1b-3c5d7e9f1a2b/200/No%20se%20obtuvieron%20datos/false"}},
		{"curp_registry.json", webhookIdentity{WebhookCURPRegistry, "curp_registry", sess, att, "1234567812345678", "a1b2c35d-e8f7-6d5e-3cd2-a1b2c35db3d4",
			"curp_registry/" + sess + "/" + att + "/200/found/RCN"}},
		{"combined_ine_curp_registry.json", webhookIdentity{WebhookCombinedRegistry, "combined-ine-curp-registry", sess, att, "1234567812345678", "a1b2c35d-e8f7-6d5e-3cd2-a1b2c35db3d4",
			"combined_ine_curp_registry/" + sess + "/" + att + "/200/found/true/AN"}},
		{"watchlist.json", webhookIdentity{WebhookWatchlist, "", sess, att, "cliente-00417", "",
			"watchlist/" + sess + "/" + att + "/updated_result/possible_match/1/2024-06-01T08:15:30.123Z"}},
		{"fullauto.json", webhookIdentity{WebhookFullAuto, "fullauto", sess, att, "1234567812345678", "",
			"fullauto/" + sess + "/" + att + "/approved/0.93/2024-02-01T10:05:12.345Z"}},
		{"user_status.json", webhookIdentity{WebhookUserStatus, "user-status.created", sess, att, "", "",
			"user_status/" + sess + "/" + att + "/MC1/needs_manual_check/2024-04-02T14:00:00.000Z/2024-04-02T14:00:01.000Z"}},
		{"unknown_kind.json", webhookIdentity{WebhookUnknown, "biometric_reauthentication", "", "", "", "",
			"unknown/sha256-" + hex.EncodeToString(unknownSum[:])}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			body := fixture(t, "webhooks/"+tt.file)
			wh, err := ParseWebhook(body)
			require.NoError(t, err)
			assert.Equal(t, tt.want, identityOf(wh))
			assert.Equal(t, body, []byte(wh.Raw))
			// Exactly one typed payload, matching the kind.
			set := map[WebhookKind]bool{
				WebhookDecision:         wh.Decision != nil,
				WebhookEvent:            wh.Event != nil,
				WebhookINERegistry:      wh.INERegistry != nil,
				WebhookCURPRegistry:     wh.CURPRegistry != nil,
				WebhookCombinedRegistry: wh.CombinedRegistry != nil,
				WebhookWatchlist:        wh.Watchlist != nil,
			}
			for k, isSet := range set {
				assert.Equal(t, k == tt.want.Kind, isSet, "payload of kind %s", k)
			}
		})
	}
}

func TestParseWebhookMalformed(t *testing.T) {
	tests := []struct{ name, body string }{
		{"empty", ``},
		{"white space", " \n\t"},
		{"not JSON", `hello`},
		{"truncated", `{"id":"x","code":7002,"action":"submitted"`},
		{"trailing garbage", `{"id":"x"} {}`},
		{"array", `[{"verification":{"id":"x"}}]`},
		{"string", `"verification"`},
		{"number", `7002`},
		{"null", `null`},
		{"true", `true`},
		{"verification is a string", `{"verification":"approved"}`},
		{"verification is an array", `{"verification":[]}`},
		{"verification is null", `{"status":"success","verification":null}`},
		{"verification without id", `{"status":"success","verification":{"status":"approved","code":9001}}`},
		{"verification id empty", `{"verification":{"id":"","status":"approved"}}`},
		{"verification id a number", `{"verification":{"id":12,"status":"approved"}}`},
		{"verification status an object", `{"verification":{"id":"x","status":{}}}`},
		{"decisionTime a number", `{"verification":{"id":"x","decisionTime":5}}`},
		{"event code a string", `{"id":"x","code":"7002","action":"submitted"}`},
		{"event code an object", `{"id":"x","code":{},"action":"submitted"}`},
		{"event code a float", `{"id":"x","code":7002.5,"action":"submitted"}`},
		{"event code null", `{"id":"x","code":null,"action":"submitted"}`},
		{"event action a number", `{"id":"x","code":7002,"action":1}`},
		{"event without id", `{"code":7002,"action":"submitted"}`},
		{"ine registry without session", `{"eventType":"ine_registry","data":{"code":200}}`},
		{"ine registry data a string", `{"eventType":"ine_registry","sessionId":"x","data":"ok"}`},
		{"ine registry details an array", `{"eventType":"ine_registry","sessionId":"x","data":{"details":[]}}`},
		{"ine registry sessionId a number", `{"eventType":"ine_registry","sessionId":5}`},
		{"curp registry without id", `{"type":"curp_registry","data":{"code":200}}`},
		{"combined without session", `{"eventType":"combined-ine-curp-registry"}`},
		{"watchlist checkType a number", `{"checkType":1,"sessionId":"x"}`},
		{"watchlist sessionId an object", `{"checkType":"initial_result","sessionId":{}}`},
		{"invalid UTF-16 escape ok but bad syntax", `{"verification":{"id":"x"},}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var (
				wh  *Webhook
				err error
			)
			require.NotPanics(t, func() { wh, err = ParseWebhook([]byte(tt.body)) })
			require.Error(t, err)
			assert.ErrorIs(t, err, ErrMalformedWebhook)
			assert.Nil(t, wh)
		})
	}
}

func TestParseWebhookUnknownAndLenient(t *testing.T) {
	tests := []struct {
		name      string
		body      string
		kind      WebhookKind
		eventType string
	}{
		{"empty object", `{}`, WebhookUnknown, ""},
		{"unknown eventType", `{"eventType":"something_new","sessionId":"x"}`, WebhookUnknown, "something_new"},
		{"eventType not a string", `{"eventType":5}`, WebhookUnknown, ""},
		{"action without code", `{"id":"x","action":"submitted"}`, WebhookUnknown, ""},
		{"code without action", `{"id":"x","code":7002}`, WebhookUnknown, ""},
		{"code out of event range", `{"id":"x","code":9001,"action":"approved"}`, WebhookUnknown, ""},
		{"generic type ignored", `{"type":"invoice","id":"x"}`, WebhookUnknown, ""},
		{"leading white space", " \n{\"id\":\"x\",\"code\":7003,\"action\":\"finished\"}", WebhookEvent, ""},
		{"eventType case and dashes", `{"eventType":"INE-Registry","sessionId":"x"}`, WebhookINERegistry, "INE-Registry"},
		{"curp via eventType", `{"eventType":"curp_registry","sessionId":"x","attemptId":"y"}`, WebhookCURPRegistry, "curp_registry"},
		{"event with extra fields and wrong-typed vendorData", `{"id":"x","code":7002,"action":"submitted","vendorData":12,"new":{"a":[1]}}`, WebhookEvent, ""},
		{"decision with wrong-typed deep field", `{"verification":{"id":"x","status":"approved","code":9001,"person":{"firstName":12},"riskLabels":"none"}}`, WebhookDecision, ""},
		{"ine registry with odd time and active string", `{"eventType":"ine_registry","sessionId":"x","time":"yesterday","data":{"code":200,"details":{"active":"yes"}}}`, WebhookINERegistry, "ine_registry"},
		{"watchlist without session", `{"checkType":"initial_result","matchStatus":"no_match"}`, WebhookWatchlist, ""},
		{"fullauto without data", `{"eventType":"fullauto","sessionId":"x"}`, WebhookFullAuto, "fullauto"},
		{"user status, unknown suffix", `{"eventType":"user-status.updated","attemptId":"y","data":{"verification":{"id":"x"}}}`, WebhookUserStatus, "user-status.updated"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wh, err := ParseWebhook([]byte(tt.body))
			require.NoError(t, err)
			assert.Equal(t, tt.kind, wh.Kind)
			assert.Equal(t, tt.eventType, wh.EventType)
			assert.Equal(t, tt.body, string(wh.Raw))
			assert.NotEmpty(t, wh.DeliveryKey())
		})
	}

	t.Run("lenient decision keeps what it can", func(t *testing.T) {
		wh, err := ParseWebhook([]byte(`{"verification":{"id":"x","attemptId":"a","status":"approved","code":9001,"person":{"firstName":12,"lastName":"LÓPEZ"}}}`))
		require.NoError(t, err)
		v := wh.Decision.Verification
		assert.Equal(t, StatusApproved, v.Status)
		assert.Equal(t, 9001, v.Code)
		require.NotNil(t, v.Person)
		assert.Equal(t, "LÓPEZ", v.Person.LastName)
	})
	t.Run("lenient event keeps what it can", func(t *testing.T) {
		wh, err := ParseWebhook([]byte(`{"id":"x","attemptId":"a","code":7001,"action":"started","vendorData":12}`))
		require.NoError(t, err)
		assert.Equal(t, 7001, wh.Event.Code)
		assert.Equal(t, "a", wh.Event.AttemptID)
		assert.Equal(t, "started", wh.Event.Action)
	})
	t.Run("ine time unparseable is zero", func(t *testing.T) {
		wh, err := ParseWebhook([]byte(`{"eventType":"ine_registry","sessionId":"x","time":"yesterday","data":{"status":"s","code":200,"details":{"active":true}}}`))
		require.NoError(t, err)
		assert.True(t, wh.INERegistry.Time.IsZero())
		assert.True(t, wh.INERegistry.Data.Details.Active)
	})
}

func TestWebhookDeliveryKey(t *testing.T) {
	parse := func(t *testing.T, body string) *Webhook {
		t.Helper()
		wh, err := ParseWebhook([]byte(body))
		require.NoError(t, err)
		return wh
	}
	const dec = `{"status":"success","verification":{"id":"s1","attemptId":"a1","status":"%s","code":%d,"decisionTime":"%s","vendorData":"v"}}`
	approved := parse(t, fmt.Sprintf(dec, "approved", 9001, "2024-01-01T00:00:00.000Z"))

	t.Run("same body, same key", func(t *testing.T) {
		for _, f := range []string{"decision_approved.json", "event_submitted_7002.json", "ine_registry_active.json", "watchlist.json", "unknown_kind.json", "curp_registry.json"} {
			body := fixture(t, "webhooks/"+f)
			a, err := ParseWebhook(body)
			require.NoError(t, err)
			b, err := ParseWebhook(append([]byte(nil), body...))
			require.NoError(t, err)
			assert.Equal(t, a.DeliveryKey(), b.DeliveryKey(), f)
		}
	})
	t.Run("re-encoded body of a known kind, same key", func(t *testing.T) {
		body := fixture(t, "webhooks/decision_approved.json")
		var compact bytes.Buffer
		require.NoError(t, json.Compact(&compact, body))
		a, err := ParseWebhook(body)
		require.NoError(t, err)
		b, err := ParseWebhook(compact.Bytes())
		require.NoError(t, err)
		assert.Equal(t, a.DeliveryKey(), b.DeliveryKey())
	})
	t.Run("different outcomes, different keys", func(t *testing.T) {
		keys := map[string]string{
			"approved":                approved.DeliveryKey(),
			"declined":                parse(t, fmt.Sprintf(dec, "declined", 9102, "2024-01-01T00:00:00.000Z")).DeliveryKey(),
			"approved again later":    parse(t, fmt.Sprintf(dec, "approved", 9001, "2024-01-02T00:00:00.000Z")).DeliveryKey(),
			"other attempt":           parse(t, strings.Replace(fmt.Sprintf(dec, "approved", 9001, "2024-01-01T00:00:00.000Z"), `"a1"`, `"a2"`, 1)).DeliveryKey(),
			"other session":           parse(t, strings.Replace(fmt.Sprintf(dec, "approved", 9001, "2024-01-01T00:00:00.000Z"), `"s1"`, `"s2"`, 1)).DeliveryKey(),
			"event started":           parse(t, `{"id":"s1","attemptId":"a1","code":7001,"action":"started"}`).DeliveryKey(),
			"event submitted":         parse(t, `{"id":"s1","attemptId":"a1","code":7002,"action":"submitted"}`).DeliveryKey(),
			"ine active":              parse(t, `{"eventType":"ine_registry","sessionId":"s1","attemptId":"a1","data":{"status":"ok","code":200,"details":{"active":true}}}`).DeliveryKey(),
			"ine inactive":            parse(t, `{"eventType":"ine_registry","sessionId":"s1","attemptId":"a1","data":{"status":"ok","code":200,"details":{"active":false}}}`).DeliveryKey(),
			"ine error":               parse(t, `{"eventType":"ine_registry","sessionId":"s1","attemptId":"a1","data":{"status":"error","code":500,"details":{"active":false}}}`).DeliveryKey(),
			"watchlist initial":       parse(t, `{"checkType":"initial_result","sessionId":"s1","attemptId":"a1","matchStatus":"no_match","totalHits":0}`).DeliveryKey(),
			"watchlist update":        parse(t, `{"checkType":"updated_result","sessionId":"s1","attemptId":"a1","matchStatus":"possible_match","totalHits":2}`).DeliveryKey(),
			"id with a slash":         parse(t, `{"id":"s1/a1","code":7001,"action":"started"}`).DeliveryKey(),
			"unknown a":               parse(t, `{"eventType":"new","n":1}`).DeliveryKey(),
			"unknown b":               parse(t, `{"eventType":"new","n":2}`).DeliveryKey(),
			"decision vendorData alt": parse(t, strings.Replace(fmt.Sprintf(dec, "approved", 9001, "2024-01-01T00:00:00.000Z"), `"s1"`, `"s1/a1"`, 1)).DeliveryKey(),
		}
		seen := map[string]string{}
		for name, k := range keys {
			if prev, dup := seen[k]; dup {
				t.Errorf("%q and %q share the key %q", name, prev, k)
			}
			seen[k] = name
		}
	})
	t.Run("hand-built webhook", func(t *testing.T) {
		wh := &Webhook{Kind: WebhookEvent, Event: &Event{ID: "s1", AttemptID: "a1", Code: 7002}, Raw: json.RawMessage(`{}`)}
		assert.Equal(t, "s1", wh.SessionID())
		assert.True(t, strings.HasPrefix(wh.DeliveryKey(), "event/s1/a1/sha256-"), wh.DeliveryKey())
		assert.Equal(t, wh.DeliveryKey(), wh.DeliveryKey())
		empty := &Webhook{}
		assert.NotEmpty(t, empty.DeliveryKey())
		assert.Equal(t, "", empty.SessionID())
	})
}

// --- benchmarks ------------------------------------------------------------

// rawVerify is the hand-written check VerifyWebhook is measured against.
func rawVerify(body []byte, sig, secret string) bool {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(body)
	want, err := hex.DecodeString(sig)
	if err != nil {
		return false
	}
	return hmac.Equal(mac.Sum(nil), want)
}

func BenchmarkVerifyWebhook(b *testing.B) {
	body := bytes.Repeat([]byte(`{"k":"value"}`), 2048/13+1)[:2048]
	const secret = "abcdef12-abcd-abcd-abcd-abcdef012345"
	sig := Sign(secret, body)
	header := http.Header{"X-Hmac-Signature": {sig}, "Content-Type": {"application/json"}, "X-Auth-Client": {"key"}}
	b.Run("sdk", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(body)))
		for i := 0; i < b.N; i++ {
			if err := VerifyWebhook(body, header, secret); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("raw", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(body)))
		for i := 0; i < b.N; i++ {
			if !rawVerify(body, header.Get("X-Hmac-Signature"), secret) {
				b.Fatal("no match")
			}
		}
	})
}

func BenchmarkParseWebhook(b *testing.B) {
	body := fixture(b, "webhooks/decision_approved.json")
	b.ReportAllocs()
	b.SetBytes(int64(len(body)))
	for i := 0; i < b.N; i++ {
		if _, err := ParseWebhook(body); err != nil {
			b.Fatal(err)
		}
	}
}
