package veriff

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// Round-trip benchmarks: the SDK beside a raw baseline that does the same
// work by hand with net/http, crypto/hmac and encoding/json, in the same
// run, against the same loopback server, through the same tuned
// *http.Transport. The Decision baseline decodes into plain structs of the
// same shape (plainDecision, no UnmarshalJSON), so the SDK's lenient decode
// is part of what is measured. The difference is the SDK's own cost:
// request building, signing, the retrying transport, the bounded read, the
// decode and the error handling. See BENCHMARKS.md.

// benchServer answers session creation and decisions with recorded bodies.
func benchServer(b *testing.B) *httptest.Server {
	b.Helper()
	created := fixture(b, "sessions/create_201.json")
	decided := fixture(b, "sessions/decision_approved.json")
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		if r.Header.Get("X-HMAC-SIGNATURE") == "" || r.Header.Get("X-AUTH-CLIENT") == "" {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		h := w.Header()
		h.Set("Content-Type", "application/json")
		switch {
		case r.Method == http.MethodPost && r.URL.Path == "/v1/sessions":
			w.WriteHeader(http.StatusCreated)
			_, _ = w.Write(created)
		case r.Method == http.MethodGet && r.URL.Path == "/v1/sessions/"+testSessionID+"/decision":
			_, _ = w.Write(decided)
		default:
			w.WriteHeader(http.StatusNotFound)
		}
	}))
	b.Cleanup(srv.Close)
	return srv
}

// benchTransport is the one transport both sides use.
func benchTransport(b *testing.B) *http.Transport {
	tr := &http.Transport{
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConns:        64,
		MaxIdleConnsPerHost: 64,
		IdleConnTimeout:     90 * time.Second,
	}
	b.Cleanup(tr.CloseIdleConnections)
	return tr
}

func benchClient(b *testing.B, srv *httptest.Server, tr *http.Transport) *Client {
	c, err := NewClient(testAPIKey, testSecret, WithBaseURL(srv.URL), WithHTTPClient(&http.Client{Transport: tr}))
	if err != nil {
		b.Fatal(err)
	}
	return c
}

// rawSign is the hand-written signature: hex HMAC-SHA256 of msg.
func rawSign(secret, msg []byte) string {
	mac := hmac.New(sha256.New, secret)
	mac.Write(msg)
	return hex.EncodeToString(mac.Sum(nil))
}

// rawDo sends req, checks the status and decodes the body into out. It
// reads the body into buf, reused from call to call: the leanest hand-written
// read, so the baseline is not weakened by a growing io.ReadAll.
func rawDo(hc *http.Client, req *http.Request, want int, buf *bytes.Buffer, out any) error {
	resp, err := hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	buf.Reset()
	if _, err := buf.ReadFrom(resp.Body); err != nil {
		return err
	}
	if resp.StatusCode != want {
		return &APIError{StatusCode: resp.StatusCode}
	}
	return json.Unmarshal(buf.Bytes(), out)
}

func benchCreateRequest() CreateSessionRequest {
	return CreateSessionRequest{
		Callback:   "https://example.com/veriff/callback",
		Person:     &SessionPerson{FirstName: "Juan", LastName: "Pérez García", IDNumber: "PEGJ800101HDFRRN09"},
		Document:   &SessionDocument{Type: "ID_CARD", Country: "MX"},
		VendorData: "user-42",
		EndUserID:  "2f1b6c2e-4b8a-4f0e-9d3a-7b1e5c9d2a10",
		Consents:   []Consent{{Type: "ine", Approved: true}},
	}
}

func BenchmarkCreateSession(b *testing.B) {
	srv := benchServer(b)
	tr := benchTransport(b)
	ctx := context.Background()
	sr := benchCreateRequest()

	b.Run("sdk", func(b *testing.B) {
		c := benchClient(b, srv, tr)
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			s, err := c.CreateSession(ctx, sr)
			if err != nil || s.ID == "" {
				b.Fatal(err)
			}
		}
	})
	b.Run("raw", func(b *testing.B) {
		hc := &http.Client{Transport: tr}
		url := srv.URL + "/v1/sessions"
		key, secret := testAPIKey, []byte(testSecret)
		var buf bytes.Buffer
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			body, err := json.Marshal(struct {
				Verification *CreateSessionRequest `json:"verification"`
			}{&sr})
			if err != nil {
				b.Fatal(err)
			}
			req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
			if err != nil {
				b.Fatal(err)
			}
			req.Header.Set("X-AUTH-CLIENT", key)
			req.Header.Set("X-HMAC-SIGNATURE", rawSign(secret, body))
			req.Header.Set("Content-Type", "application/json")
			var out struct {
				Status       string   `json:"status"`
				Verification *Session `json:"verification"`
			}
			if err := rawDo(hc, req, http.StatusCreated, &buf, &out); err != nil || out.Verification == nil || out.Verification.ID == "" {
				b.Fatal(err)
			}
		}
	})
}

func BenchmarkDecision(b *testing.B) {
	srv := benchServer(b)
	tr := benchTransport(b)
	ctx := context.Background()

	b.Run("sdk", func(b *testing.B) {
		c := benchClient(b, srv, tr)
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			d, err := c.Decision(ctx, testSessionID)
			if err != nil || d.Verification == nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("raw", func(b *testing.B) {
		hc := &http.Client{Transport: tr}
		url := srv.URL + "/v1/sessions/" + testSessionID + "/decision"
		key, secret := testAPIKey, []byte(testSecret)
		var buf bytes.Buffer
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
			if err != nil {
				b.Fatal(err)
			}
			req.Header.Set("X-AUTH-CLIENT", key)
			req.Header.Set("X-HMAC-SIGNATURE", rawSign(secret, []byte(testSessionID)))
			var d plainDecision
			if err := rawDo(hc, req, http.StatusOK, &buf, &d); err != nil || d.Verification == nil {
				b.Fatal(err)
			}
		}
	})
}
