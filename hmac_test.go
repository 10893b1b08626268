package veriff

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Vectors of veriff-api.md §7.1 and §7.2.
var hmacVectors = []struct {
	name, message, want string
}{
	{
		"docs create payload (7.1)",
		`{"verification":{"callback":"https://veriff.com","person":{"firstName":"John","lastName":"Smith"},"document":{"type":"PASSPORT","country":"EE"},"vendorData":"unique id of the end-user","timestamp":"2016-05-19T08:30:25.597Z"}}`,
		"0dcab73ddd20062616d104231c7439657546a5c24e4691977da93bb854c31e25",
	},
	{
		"PATCH submit body",
		`{"verification":{"status":"submitted"}}`,
		"431804d39503a5600eb3a57c1bb6403cba06b3b243593e2619868e17eb22b277",
	},
	{
		"session ID",
		"12df6045-3846-3e45-946a-14fa6136d78b",
		"72425a5b0d91e04c84c7f7fa50a62fb16a3d03a4b78149832737492a5171ab12",
	},
	{
		"event webhook",
		`{"id":"f04bdb47-d3be-4b28-b028-a652feb060b5","attemptId":"e30122d1-740b-4764-853f-470374a7abf4","feature":"selfid","code":7002,"action":"submitted","vendorData":"12345678","endUserId":"a1b2c35d-e8f7-6d5e-3cd2-a1b2c35db3d4"}`,
		"12d28cd7aa0f418dbb88ad72ed90aba69ce80fdee6f0979b33f032ed01d3de1a",
	},
	{
		"INE webhook (UTF-8, 390 bytes)",
		`{"eventType":"ine_registry","sessionId":"f04bdb47-d3be-4b28-b028-a652feb060b5","attemptId":"e30122d1-740b-4764-853f-470374a7abf4","vendorData":"1234567812345678","endUserId":"a1b2c35d-e8f7-6d5e-3cd2-a1b2c35db3d4","version":"1.0.0","time":"2021-06-02T11:04:00.287Z","data":{"status":"La credencial es válida","code":200,"details":{"active":true,"documentState":"El documento es válido."}}}`,
		"55d8ff843f7877afba4304b0d75ebd9e6764defd440653daa370783e381aad0a",
	},
	{
		"empty message",
		"",
		"4005304bae46f8a0c2b1fbd7088f9dded39dc1040be754dede2bf198ab44b7c8",
	},
}

func TestSignVectors(t *testing.T) {
	s := newSigner(testSecret)
	for _, v := range hmacVectors {
		t.Run(v.name, func(t *testing.T) {
			assert.Equal(t, v.want, Sign(testSecret, []byte(v.message)))
			assert.Equal(t, v.want, s.sign([]byte(v.message)), "the client's signer")
			assert.Equal(t, v.want, s.signString(v.message), "the client's ID signer")
			sig, n, err := s.signStream(strings.NewReader(v.message))
			require.NoError(t, err)
			assert.Equal(t, v.want, sig, "the client's stream signer")
			assert.Equal(t, int64(len(v.message)), n)
		})
	}
	assert.Len(t, []byte(hmacVectors[4].message), 390, "the INE vector is signed over its UTF-8 bytes")
}

func TestSignIsLowercaseHex(t *testing.T) {
	for _, v := range hmacVectors {
		got := Sign(testSecret, []byte(v.message))
		assert.Len(t, got, 64)
		assert.Equal(t, strings.ToLower(got), got)
	}
	assert.NotEqual(t, Sign(testSecret, []byte("x")), Sign(testSecret+"0", []byte("x")), "the secret is the key")
}

func TestSignerConcurrentUse(t *testing.T) {
	s := newSigner(testSecret)
	done := make(chan struct{})
	for i := 0; i < 8; i++ {
		go func() {
			defer func() { done <- struct{}{} }()
			for j := 0; j < 200; j++ {
				v := hmacVectors[j%len(hmacVectors)]
				if got := s.sign([]byte(v.message)); got != v.want {
					t.Errorf("%s: got %s", v.name, got)
					return
				}
			}
		}()
	}
	for i := 0; i < 8; i++ {
		<-done
	}
}

// The client sends the signatures of the vectors for the requests they
// describe.
func TestClientSignaturesMatchVectors(t *testing.T) {
	const sessionID = "12df6045-3846-3e45-946a-14fa6136d78b"

	t.Run("PATCH submit", func(t *testing.T) {
		c, mt := setup(t)
		rr := recordOn(mt, http.MethodPatch, testBase+"/v1/sessions/"+sessionID, reply(200, fixture(t, "sessions/submit_200.json")))
		_, err := c.SubmitSession(context.Background(), sessionID)
		require.NoError(t, err)
		req := rr.only(t)
		assert.Equal(t, `{"verification":{"status":"submitted"}}`, string(req.body))
		assert.Equal(t, "431804d39503a5600eb3a57c1bb6403cba06b3b243593e2619868e17eb22b277", req.header.Get("X-HMAC-SIGNATURE"))
	})

	gets := map[string]func(c *Client) error{
		"/decision":            func(c *Client) error { _, err := c.Decision(context.Background(), sessionID); return err },
		"/person":              func(c *Client) error { _, err := c.Person(context.Background(), sessionID); return err },
		"/attempts":            func(c *Client) error { _, err := c.Attempts(context.Background(), sessionID); return err },
		"/watchlist-screening": func(c *Client) error { _, err := c.WatchlistScreening(context.Background(), sessionID); return err },
	}
	for suffix, call := range gets {
		t.Run("GET "+suffix, func(t *testing.T) {
			c, mt := setup(t)
			rr := recordOn(mt, http.MethodGet, testBase+"/v1/sessions/"+sessionID+suffix, reply(200, []byte(`{"status":"success"}`)))
			require.NoError(t, call(c))
			assert.Equal(t, "72425a5b0d91e04c84c7f7fa50a62fb16a3d03a4b78149832737492a5171ab12", rr.only(t).header.Get("X-HMAC-SIGNATURE"))
		})
	}

	t.Run("DELETE", func(t *testing.T) {
		c, mt := setup(t)
		rr := recordOn(mt, http.MethodDelete, testBase+"/v1/sessions/"+sessionID, reply(200, fixture(t, "sessions/delete_200.json")))
		require.NoError(t, c.DeleteSession(context.Background(), sessionID))
		assert.Equal(t, "72425a5b0d91e04c84c7f7fa50a62fb16a3d03a4b78149832737492a5171ab12", rr.only(t).header.Get("X-HMAC-SIGNATURE"))
	})

	t.Run("POST of the docs payload", func(t *testing.T) {
		c, mt := setup(t)
		rr := recordOn(mt, http.MethodPost, testBase+"/v1/sessions", reply(201, fixture(t, "sessions/create_201.json")))
		body := json.RawMessage(hmacVectors[0].message)
		require.NoError(t, send(context.Background(), c, rawRequest{method: http.MethodPost, path: "/sessions", body: body}, nil))
		req := rr.only(t)
		assert.Equal(t, hmacVectors[0].message, string(req.body))
		assert.Equal(t, "0dcab73ddd20062616d104231c7439657546a5c24e4691977da93bb854c31e25", req.header.Get("X-HMAC-SIGNATURE"))
	})
}
