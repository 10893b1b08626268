package inboxtest_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/veriffgo/veriff"
	"github.com/veriffgo/veriff/inbox/inboxtest"
)

// event is a parsed event webhook for session id.
func event(t *testing.T, id string) *veriff.Webhook {
	t.Helper()
	wh, err := veriff.ParseWebhook([]byte(fmt.Sprintf(`{"id":%q,"attemptId":"a","feature":"selfid","code":7001,"action":"started"}`, id)))
	require.NoError(t, err)
	return wh
}

// fatalTB is a testing.TB whose Fatalf records the message and ends the
// calling goroutine, as the real one does.
type fatalTB struct {
	testing.TB
	msg string
}

func (f *fatalTB) Helper() {}

func (f *fatalTB) Fatalf(format string, args ...any) {
	f.msg = fmt.Sprintf(format, args...)
	runtime.Goexit()
}

func TestRecorder(t *testing.T) {
	r := inboxtest.NewRecorder()
	a, b := event(t, "sess-a"), event(t, "sess-b")
	const many = 5000 // more than any buffer: Record never blocks
	for i := 0; i < many; i++ {
		r.Record(a)
	}
	r.Record(b)
	assert.Equal(t, many, r.Count(a.DeliveryKey()))
	assert.Equal(t, 1, r.Count(b.DeliveryKey()))
	assert.Zero(t, r.Count("missing"))
	assert.Equal(t, map[string]int{a.DeliveryKey(): many, b.DeliveryKey(): 1}, r.Counts())
	assert.Same(t, b, r.Webhook(b.DeliveryKey()))
	assert.Nil(t, r.Webhook("missing"))

	keys := r.Wait(t, many, time.Second)
	require.Len(t, keys, many)
	assert.Equal(t, a.DeliveryKey(), keys[0])
	assert.Equal(t, []string{b.DeliveryKey()}, r.Wait(t, 1, time.Second), "earlier calls are not returned again")

	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); r.Record(a) }()
	assert.Equal(t, []string{a.DeliveryKey()}, r.Wait(t, 1, 10*time.Second), "a later call wakes Wait")
	wg.Wait()
}

func TestRecorderWaitFailsAfterTimeout(t *testing.T) {
	r := inboxtest.NewRecorder()
	r.Record(event(t, "sess-a"))
	fake := &fatalTB{TB: t}
	done := make(chan []string, 1)
	go func() {
		defer close(done)
		done <- r.Wait(fake, 2, 20*time.Millisecond)
	}()
	_, returned := <-done
	assert.False(t, returned, "Wait ends the goroutine through Fatalf")
	assert.Equal(t, "1 of 2 deliveries handled after 20ms", fake.msg)
}

func TestSignedRequestAndPost(t *testing.T) {
	body := []byte(`{"id":"sess-a"}`)
	headers := make(chan http.Header, 2)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		headers <- r.Header.Clone()
		w.WriteHeader(http.StatusAccepted)
		_, _ = w.Write([]byte("ignored"))
	}))
	t.Cleanup(srv.Close)

	assert.Equal(t, http.StatusAccepted, inboxtest.Post(t, inboxtest.SignedRequest(t, srv.URL, body, "s3cret")))
	got := <-headers
	assert.Equal(t, veriff.Sign("s3cret", body), got.Get("X-HMAC-SIGNATURE"))
	assert.Equal(t, "application/json", got.Get("Content-Type"))

	req := inboxtest.SignedRequest(t, srv.URL, body, "")
	assert.Equal(t, http.MethodPost, req.Method)
	assert.Equal(t, http.StatusAccepted, inboxtest.Post(t, req))
	got = <-headers
	assert.Empty(t, got.Values("X-HMAC-SIGNATURE"), "an empty secret leaves it unsigned")
}
