package verifftest_test

import (
	"bytes"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/veriffgo/veriff"
	"github.com/veriffgo/veriff/internal/faketest"
	"github.com/veriffgo/veriff/verifftest"
)

// Each verification URL finds its own session, among many, and only by its
// whole token.
func TestHostedTokenLookup(t *testing.T) {
	srv := newServer(t)
	a := newAPI(t, srv)
	urls := map[string]string{}
	for i := 0; i < 20; i++ {
		id, vurl := a.createHosted(`{"verification":{}}`)
		urls[id] = vurl
	}
	for id, vurl := range urls {
		r := faketest.Get(t, vurl)
		require.Equal(t, http.StatusOK, r.Status, id)
	}
	var any string
	for _, v := range urls {
		any = v
		break
	}
	cases := []struct{ name, url string }{
		{"last character changed", any[:len(any)-1] + map[bool]string{true: "A", false: "B"}[!strings.HasSuffix(any, "A")]},
		{"truncated", any[:len(any)-1]},
		{"extended", any + "x"},
		{"empty token", srv.URL + "/v/"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, http.StatusNotFound, faketest.Get(t, tc.url).Status)
		})
	}
}

// zeros is an endless stream of zero bytes.
type zeros struct{}

func (zeros) Read(p []byte) (int, error) { clear(p); return len(p), nil }

// The hosted flow refuses a body over three images' worth with 413 and its
// page, whatever parts it holds.
func TestHostedSubmitBoundsTheWholeBody(t *testing.T) {
	srv := newServer(t)
	_, vurl := newAPI(t, srv).createHosted(`{"verification":{}}`)
	u, err := url.Parse(vurl)
	require.NoError(t, err)
	const over = 3*verifftest.MaxHostedImageBytes + 2<<20
	cases := []struct {
		name   string
		field  string // the part that carries the bulk
		status int
	}{
		{"an unknown part", "notes", http.StatusRequestEntityTooLarge},
		{"a second unknown part", "extra", http.StatusRequestEntityTooLarge},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var head bytes.Buffer
			mw := multipart.NewWriter(&head)
			for _, f := range threeImages() {
				w, err := mw.CreateFormFile(f.field, f.filename)
				require.NoError(t, err)
				_, err = w.Write(f.content)
				require.NoError(t, err)
			}
			_, err := mw.CreateFormField(tc.field)
			require.NoError(t, err)
			tail := "\r\n--" + mw.Boundary() + "--\r\n"
			body := io.MultiReader(&head, io.LimitReader(zeros{}, over), strings.NewReader(tail))
			req := httptest.NewRequest(http.MethodPost, u.Path, body)
			req.Host = u.Host
			req.Header.Set("Content-Type", mw.FormDataContentType())
			rec := httptest.NewRecorder()
			srv.Handler().ServeHTTP(rec, req)
			assert.Equal(t, tc.status, rec.Code)
			assert.Contains(t, rec.Body.String(), "larger than the three photos")
		})
	}
	for _, s := range srv.Sessions() {
		assert.Equal(t, veriff.StatusCreated, s.Status, "nothing was submitted")
	}
}

// Deliveries keeps the most recent ones; numbers stay with their delivery,
// and a forgotten one cannot be resent.
func TestDeliveriesAreCapped(t *testing.T) {
	const keep, total = 3, 7
	srv := verifftest.NewServer(faketest.Key, faketest.Secret, verifftest.WithMaxRecordedDeliveries(keep))
	t.Cleanup(srv.Close)
	rc := newReceiver(t)
	srv.SetWebhookURL(rc.URL + "/hooks")
	a := newAPI(t, srv)
	for i := 0; i < total; i++ {
		id := a.Create(`{"verification":{}}`)
		require.NoError(t, srv.Decide(id, veriff.StatusApproved))
		_, err := srv.WaitForDeliveries(waitCtx(t), i+1)
		require.NoError(t, err)
	}
	ds := srv.Deliveries()
	require.Len(t, ds, keep)
	for i, d := range ds {
		assert.Equal(t, total-keep+1+i, d.N)
	}
	cases := []struct {
		n    int
		want error
	}{
		{total + 1, verifftest.ErrUnknownDelivery}, // before any resend ends
		{0, verifftest.ErrUnknownDelivery},
		{1, verifftest.ErrUnknownDelivery},
		{total - keep, verifftest.ErrUnknownDelivery},
		{total - keep + 1, nil},
		{total, nil},
	}
	for _, tc := range cases {
		t.Run(fmt.Sprint(tc.n), func(t *testing.T) {
			if tc.want != nil {
				assert.ErrorIs(t, srv.Resend(tc.n), tc.want)
				return
			}
			assert.NoError(t, srv.Resend(tc.n))
		})
	}
	ended, err := srv.WaitForDeliveries(waitCtx(t), total+2)
	require.NoError(t, err)
	require.Len(t, ended, keep)
	assert.Equal(t, total+2, ended[keep-1].N)
}

// NewServer keeps the contract's exact signature (api-surface.md, third
// round: it takes the options itself), so that it can be stored as a
// function value.
func TestNewServerSignatures(t *testing.T) {
	var contract func(apiKey, sharedSecret string, opts ...verifftest.ServerOption) *verifftest.Server = verifftest.NewServer
	tests := []struct {
		name      string
		srv       func() *verifftest.Server
		publicURL string
	}{
		{"NewServer, no options", func() *verifftest.Server { return contract(faketest.Key, faketest.Secret) }, ""},
		{"NewServer, nil option", func() *verifftest.Server { return contract(faketest.Key, faketest.Secret, nil) }, ""},
		{"NewServer, public URL", func() *verifftest.Server {
			return contract(faketest.Key, faketest.Secret, verifftest.WithPublicURL("https://veriff.example.test"))
		}, "https://veriff.example.test"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := tt.srv()
			t.Cleanup(srv.Close)
			require.True(t, strings.HasPrefix(srv.URL, "http://127.0.0.1:"), "started on loopback: %s", srv.URL)
			_, vurl := newAPI(t, srv).createHosted(`{"verification":{}}`)
			if tt.publicURL != "" {
				assert.True(t, strings.HasPrefix(vurl, tt.publicURL+"/v/"), vurl)
			} else {
				assert.True(t, strings.HasPrefix(vurl, srv.URL+"/v/"), vurl)
			}
		})
	}
}
