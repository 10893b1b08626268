package inboxtest

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/veriffgo/veriff"
	"github.com/veriffgo/veriff/inbox"
)

// Recorder records the webhooks a handler finished successfully, by
// delivery key, so a test can wait for them and check each was handled
// exactly once. Call Record from the handler just before it returns nil.
// It is safe for concurrent use; the zero value is not ready, use
// NewRecorder.
type Recorder struct {
	mu      sync.Mutex
	count   map[string]int
	hooks   map[string]*veriff.Webhook
	keys    []string      // every Record's key, in order
	waited  int           // how many of keys Wait has returned
	changed chan struct{} // closed (and replaced) by each Record
}

// NewRecorder returns an empty Recorder.
func NewRecorder() *Recorder {
	return &Recorder{
		count:   map[string]int{},
		hooks:   map[string]*veriff.Webhook{},
		changed: make(chan struct{}),
	}
}

// Record notes one successful handling of wh under wh.DeliveryKey(). It
// never blocks, however many calls no one has waited for yet.
func (r *Recorder) Record(wh *veriff.Webhook) {
	key := wh.DeliveryKey()
	r.mu.Lock()
	defer r.mu.Unlock()
	r.count[key]++
	r.hooks[key] = wh
	r.keys = append(r.keys, key)
	close(r.changed)
	r.changed = make(chan struct{})
}

// Count is how many times the delivery key was recorded.
func (r *Recorder) Count(key string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.count[key]
}

// Counts is a copy of every recorded key with its number of calls.
func (r *Recorder) Counts() map[string]int {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make(map[string]int, len(r.count))
	for k, v := range r.count {
		out[k] = v
	}
	return out
}

// Webhook is the webhook last recorded under key, or nil if none was.
func (r *Recorder) Webhook(key string) *veriff.Webhook {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.hooks[key]
}

// Wait waits for the next n Record calls and returns their keys in order of
// recording; calls returned by an earlier Wait are not counted again. It
// fails the test if they have not all happened within timeout. Call it from
// the test's goroutine.
func (r *Recorder) Wait(t testing.TB, n int, timeout time.Duration) []string {
	t.Helper()
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		r.mu.Lock()
		if ready := len(r.keys) - r.waited; ready >= n {
			keys := append([]string(nil), r.keys[r.waited:r.waited+n]...)
			r.waited += n
			r.mu.Unlock()
			return keys
		}
		ready, changed := len(r.keys)-r.waited, r.changed
		r.mu.Unlock()
		select {
		case <-changed:
		case <-deadline.C:
			t.Fatalf("%d of %d deliveries handled after %s", ready, n, timeout)
			return nil
		}
	}
}

// Run runs in's workers in the background until stop is called or the test
// ends, whichever comes first, and then checks that Run returned
// context.Canceled. Calling stop more than once is harmless.
func Run(t testing.TB, in *inbox.Inbox) (stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- in.Run(ctx) }()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cancel()
			require.ErrorIs(t, <-done, context.Canceled)
		})
	}
	t.Cleanup(stop)
	return stop
}

// SignedRequest is a webhook POST of body to url signed as Veriff signs it:
// veriff.Sign(secret, body) in X-HMAC-SIGNATURE, with a JSON Content-Type.
// An empty secret leaves the request unsigned.
func SignedRequest(t testing.TB, url string, body []byte, secret string) *http.Request {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	if secret != "" {
		req.Header.Set("X-HMAC-SIGNATURE", veriff.Sign(secret, body))
	}
	return req
}

// Post sends req with http.DefaultClient and returns the response status,
// after draining and closing the body. A transport error fails the test.
func Post(t testing.TB, req *http.Request) int {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	_, _ = io.Copy(io.Discard, resp.Body)
	require.NoError(t, resp.Body.Close())
	return resp.StatusCode
}
