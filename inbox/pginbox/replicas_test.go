package pginbox_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/veriffgo/veriff"
	"github.com/veriffgo/veriff/inbox"
	"github.com/veriffgo/veriff/inbox/inboxtest"
	"github.com/veriffgo/veriff/inbox/pginbox"
	"github.com/veriffgo/veriff/verifftest"
)

// replica is one Inbox on its own pool, served over loopback.
type replica struct {
	pool  *pgxpool.Pool
	store *pginbox.Store
	in    *inbox.Inbox
	url   string
}

func newReplica(t *testing.T, schema string, h inbox.HandleFunc, opts ...inbox.Option) *replica {
	t.Helper()
	r := &replica{pool: newPool(t)}
	r.store = newStore(t, r.pool, schema)
	var err error
	r.in, err = inbox.New(r.store, h, append([]inbox.Option{inbox.WithSecrets(testSecret),
		inbox.WithRetry(5*time.Millisecond, 20*time.Millisecond, 5), inbox.WithPollInterval(20 * time.Millisecond)}, opts...)...)
	require.NoError(t, err)
	srv := httptest.NewServer(r.in)
	t.Cleanup(srv.Close)
	r.url = srv.URL
	return r
}

// Two replicas over one database, every delivery POSTed to both at once,
// handlers failing and panicking on first attempts: every key is handled
// to success exactly once.
func TestTwoReplicasHandleEachKeyOnce(t *testing.T) {
	schema := newSchema(t)
	got := inboxtest.NewRecorder()
	var mu sync.Mutex
	calls := map[string]int{}
	h := func(_ context.Context, wh *veriff.Webhook) error {
		mu.Lock()
		calls[wh.SessionID()]++
		n := calls[wh.SessionID()]
		mu.Unlock()
		var i int
		_, _ = fmt.Sscanf(wh.SessionID(), "rep-%d", &i)
		switch {
		case i%4 == 0 && n == 1:
			return errors.New("injected failure")
		case i%9 == 0 && n <= 2:
			panic("injected panic")
		}
		got.Record(wh)
		return nil
	}
	a := newReplica(t, schema, h, inbox.WithWorkers(4))
	b := newReplica(t, schema, h, inbox.WithWorkers(4))
	stopA, stopB := inboxtest.Run(t, a.in), inboxtest.Run(t, b.in)

	const n = 200
	var wg sync.WaitGroup
	sem := make(chan struct{}, 16)
	for i := 0; i < n; i++ {
		for _, r := range []*replica{a, b} {
			wg.Add(1)
			sem <- struct{}{}
			go func(url string, body []byte) {
				defer wg.Done()
				defer func() { <-sem }()
				assert.Equal(t, http.StatusOK, inboxtest.Post(t, inboxtest.SignedRequest(t, url, body, testSecret)))
			}(r.url, eventBody("rep", i))
		}
	}
	wg.Wait()
	got.Wait(t, n, 60*time.Second)
	counts := got.Counts()
	assert.Len(t, counts, n)
	for k, c := range counts {
		assert.Equal(t, 1, c, k)
	}
	stopA() // the last handler may still be marking its delivery done
	stopB()
	done, err := a.store.List(context.Background(), inbox.Filter{State: inbox.StateDone, Limit: 1000})
	require.NoError(t, err)
	assert.Equal(t, n, len(done), "recorded once each, all done")
}

// A replica killed mid-handler (context cancelled, pool closed, nothing
// marked) loses its lease; the other replica finishes its work afterwards.
func TestReplicaKilledMidHandler(t *testing.T) {
	schema := newSchema(t)
	started, dead := make(chan string, 1), make(chan struct{})
	a := newReplica(t, schema, func(ctx context.Context, wh *veriff.Webhook) error {
		select {
		case started <- wh.DeliveryKey():
		default:
		}
		<-ctx.Done()
		<-dead // the process is gone before it can record anything
		return ctx.Err()
	}, inbox.WithWorkers(1), inbox.WithLease(500*time.Millisecond), inbox.WithShutdownGrace(0))
	const n = 5
	for i := 0; i < n; i++ {
		require.Equal(t, http.StatusOK, inboxtest.Post(t, inboxtest.SignedRequest(t, a.url, eventBody("kill", i), testSecret)))
	}
	stopA := inboxtest.Run(t, a.in)
	key := <-started

	got := inboxtest.NewRecorder()
	b := newReplica(t, schema, func(_ context.Context, wh *veriff.Webhook) error {
		got.Record(wh)
		return nil
	}, inbox.WithWorkers(2))
	stopB := inboxtest.Run(t, b.in)

	go func() { a.pool.Close(); close(dead) }()
	stopA()
	keys := got.Wait(t, n, 30*time.Second)
	assert.Contains(t, keys, key, "the killed replica's delivery, taken over after its lease")
	stopB()
	ds, err := b.store.List(context.Background(), inbox.Filter{State: inbox.StateDone})
	require.NoError(t, err)
	require.Equal(t, n, len(ds))
	for _, d := range ds {
		if d.Key == key {
			assert.Equal(t, 2, d.Attempts)
		}
	}
}

// A restart over the same database processes what was recorded but not
// done.
func TestRestartProcessesRecordedDeliveries(t *testing.T) {
	schema := newSchema(t)
	first := newReplica(t, schema, func(context.Context, *veriff.Webhook) error {
		return errors.New("never run")
	})
	const n = 20
	for i := 0; i < n; i++ {
		require.Equal(t, http.StatusOK, inboxtest.Post(t, inboxtest.SignedRequest(t, first.url, eventBody("restart", i), testSecret)))
	}
	first.pool.Close() // the process stops before Run processed anything

	got := inboxtest.NewRecorder()
	second := newReplica(t, schema, func(_ context.Context, wh *veriff.Webhook) error {
		got.Record(wh)
		return nil
	})
	inboxtest.Run(t, second.in)
	got.Wait(t, n, 30*time.Second)
	for k, c := range got.Counts() {
		assert.Equal(t, 1, c, k)
	}
}

// Reconciliation over PostgreSQL: a watched, decided session without a
// webhook reaches the handler; the late real webhook is a duplicate.
func TestWatchReconcilesOverPostgres(t *testing.T) {
	fake := verifftest.NewServer("pginbox-api-key", testSecret)
	t.Cleanup(fake.Close)
	client, err := fake.NewClient()
	require.NoError(t, err)
	got := inboxtest.NewRecorder()
	r := newReplica(t, newSchema(t), func(_ context.Context, wh *veriff.Webhook) error {
		got.Record(wh)
		return nil
	}, inbox.WithClient(client), inbox.WithReconcileAfter(50*time.Millisecond), inbox.WithPollInterval(10*time.Millisecond))
	s, err := client.CreateSession(context.Background(), veriff.CreateSessionRequest{Callback: "https://example.com/done"})
	require.NoError(t, err)
	require.NoError(t, r.in.Watch(context.Background(), s.ID))
	require.NoError(t, fake.Decide(s.ID, veriff.StatusApproved))
	inboxtest.Run(t, r.in)
	key := got.Wait(t, 1, 20*time.Second)[0]

	d, err := client.Decision(context.Background(), s.ID)
	require.NoError(t, err)
	late := d.Verification.Raw
	body := []byte(`{"status":"success","verification":` + string(late) + `}`)
	real, err := veriff.ParseWebhook(body)
	require.NoError(t, err)
	assert.Equal(t, key, real.DeliveryKey())
	require.Equal(t, http.StatusOK, inboxtest.Post(t, inboxtest.SignedRequest(t, r.url, body, testSecret)))
	ds, err := r.store.List(context.Background(), inbox.Filter{SessionID: s.ID})
	require.NoError(t, err)
	assert.Len(t, ds, 1, "the late webhook is a duplicate")
	assert.Equal(t, map[string]int{key: 1}, got.Counts())
}
