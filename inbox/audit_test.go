package inbox_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/veriffgo/veriff"
	"github.com/veriffgo/veriff/inbox"
	"github.com/veriffgo/veriff/inbox/inboxtest"
	"github.com/veriffgo/veriff/verifftest"
)

// syncBuffer is a log sink safe for the inbox's workers.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// A handler's error or panic text is stored and logged cut to
// MaxErrorBytes, as valid UTF-8.
func TestHandlerErrorTextIsBounded(t *testing.T) {
	long := strings.Repeat("x", 2000)
	cases := []struct {
		name   string
		fail   func() error
		want   string // the stored text, or its prefix when cut
		exact  bool
		maxLen int
	}{
		{"short error", func() error { return errors.New("boom") }, "boom", true, 4},
		{"long error", func() error { return errors.New(long) }, long[:inbox.MaxErrorBytes], true, inbox.MaxErrorBytes},
		{"long multibyte error", func() error { return errors.New("a" + strings.Repeat("é", 600)) }, "a" + strings.Repeat("é", 255), true, inbox.MaxErrorBytes},
		{"invalid UTF-8", func() error { return errors.New("bad \xff byte") }, "bad \uFFFD byte", true, 0},
		{"long panic", func() error { panic(long) }, "inbox: handler panicked: xxx", false, inbox.MaxErrorBytes},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			store := inbox.NewMemoryStore()
			logs := &syncBuffer{}
			in, err := inbox.New(store, func(context.Context, *veriff.Webhook) error { return tc.fail() },
				inbox.WithSecrets(testSecret), inbox.WithRetry(time.Millisecond, time.Millisecond, 1),
				inbox.WithPollInterval(5*time.Millisecond), inbox.WithLogger(slog.New(slog.NewJSONHandler(logs, nil))))
			require.NoError(t, err)
			web := httptest.NewServer(in)
			t.Cleanup(web.Close)
			stop := inboxtest.Run(t, in)
			body := []byte(`{"id":"sess-1","attemptId":"a","feature":"selfid","code":7001,"action":"started"}`)
			require.Equal(t, 200, inboxtest.Post(t, inboxtest.SignedRequest(t, web.URL, body, testSecret)))

			var failed []inbox.Delivery
			require.Eventually(t, func() bool {
				failed, err = store.List(context.Background(), inbox.Filter{State: inbox.StateFailed})
				return err == nil && len(failed) == 1
			}, 10*time.Second, 5*time.Millisecond)
			stop()
			got := failed[0].LastError
			assert.True(t, utf8.ValidString(got))
			assert.LessOrEqual(t, len(got), inbox.MaxErrorBytes)
			if tc.exact {
				assert.Equal(t, tc.want, got)
			} else {
				assert.True(t, strings.HasPrefix(got, tc.want), got)
			}
			if tc.maxLen == inbox.MaxErrorBytes {
				assert.GreaterOrEqual(t, len(got), inbox.MaxErrorBytes-1, "cut at the bound, not before")
				assert.NotContains(t, logs.String(), strings.Repeat("x", inbox.MaxErrorBytes+1), "the log is cut too")
			}
			assert.Contains(t, logs.String(), "handler failed")
		})
	}
}

// Watch applies the SDK's one ID rule (veriff.ValidateID).
func TestWatchRefusesMalformedIDs(t *testing.T) {
	srv := verifftest.NewServer(testAPIKey, testSecret)
	t.Cleanup(srv.Close)
	client, err := srv.NewClient()
	require.NoError(t, err)
	store := inbox.NewMemoryStore()
	in, err := inbox.New(store, func(context.Context, *veriff.Webhook) error { return nil },
		inbox.WithSecrets(testSecret), inbox.WithClient(client))
	require.NoError(t, err)
	for _, id := range []string{"", " s", "a/b", "a b", "a.b", "..", "ü", "a%2F", strings.Repeat("a", 129), "a\x00"} {
		t.Run(id, func(t *testing.T) {
			err := in.Watch(context.Background(), id)
			require.ErrorIs(t, err, veriff.ErrInvalidInput)
			assert.Error(t, veriff.ValidateID(id), "the same rule as the SDK")
		})
	}
	require.NoError(t, in.Watch(context.Background(), "0f3c2b8e-7d7a-4a57-b9b5-4bd1a1c2d3e4"))
}

// WithSecrets refuses empty and blank secrets, as veriff.NewClient does.
func TestWithSecretsRefusesBlank(t *testing.T) {
	h := func(context.Context, *veriff.Webhook) error { return nil }
	cases := []struct {
		name    string
		secrets []string
		ok      bool
	}{
		{"one secret", []string{testSecret}, true},
		{"two secrets", []string{"old", testSecret}, true},
		{"empty", []string{""}, false},
		{"space", []string{" "}, false},
		{"tab and newline", []string{"\t\n"}, false},
		{"a good one and a blank one", []string{testSecret, "  "}, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			in, err := inbox.New(inbox.NewMemoryStore(), h, inbox.WithSecrets(tc.secrets...))
			if tc.ok {
				require.NoError(t, err)
				assert.NotNil(t, in)
				return
			}
			require.ErrorIs(t, err, veriff.ErrInvalidInput)
			assert.Nil(t, in)
			assert.NotContains(t, err.Error(), testSecret)
		})
	}
}

// A reconciled decision is recorded byte for byte as the API answered it,
// keys the SDK does not model included.
func TestWatchKeepsTheDecisionAnswerAsReceived(t *testing.T) {
	cases := []struct {
		name  string
		extra map[string]any
	}{
		{"no extra key", nil},
		{"extra technicalData key", map[string]any{"deviceFingerprint": "fp-123", "nested": map[string]any{"a": []any{1.5, "b"}}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := newReconciler(t, time.Millisecond, 5*time.Millisecond)
			srv, client, store, got, in := r.srv, r.client, r.store, r.got, r.in
			id := newSession(t, client)
			require.NoError(t, srv.SetTechnicalData(id, tc.extra))
			require.NoError(t, srv.Decide(id, veriff.StatusApproved))
			require.NoError(t, in.Watch(context.Background(), id))
			inboxtest.Run(t, in)

			key := got.Wait(t, 1, 10*time.Second)[0]
			answer := decisionAnswer(t, srv, id)
			for k := range tc.extra {
				require.Contains(t, string(answer), k, "the fake sends the extra key")
			}
			ds, err := store.List(context.Background(), inbox.Filter{SessionID: id})
			require.NoError(t, err)
			require.Len(t, ds, 1)
			assert.Equal(t, string(answer), string(ds[0].Body), "the recorded body is the API answer")
			wh := got.Webhook(key)
			require.NotNil(t, wh)
			assert.Equal(t, string(answer), string(wh.Raw))
		})
	}
}
