package pginbox_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sort"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/veriffgo/veriff"
	"github.com/veriffgo/veriff/inbox"
	"github.com/veriffgo/veriff/inbox/inboxtest"
	"github.com/veriffgo/veriff/inbox/pginbox"
)

var benchSeq atomic.Int64

func benchInbox(b *testing.B, h inbox.HandleFunc, opts ...inbox.Option) (*pginbox.Store, *inbox.Inbox, string) {
	b.Helper()
	pool := newPool(b)
	store := newStore(b, pool, newSchema(b))
	in, err := inbox.New(store, h, append([]inbox.Option{inbox.WithSecrets(testSecret)}, opts...)...)
	require.NoError(b, err)
	srv := httptest.NewServer(in)
	b.Cleanup(srv.Close)
	return store, in, srv.URL
}

// Deliveries recorded per second by ServeHTTP over loopback.
func BenchmarkServeHTTPRecord(b *testing.B) {
	_, _, url := benchInbox(b, func(context.Context, *veriff.Webhook) error { return nil })
	b.SetParallelism(4)
	b.ResetTimer()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if code := inboxtest.Post(b, inboxtest.SignedRequest(b, url, eventBody("rec", int(benchSeq.Add(1))), testSecret)); code != http.StatusOK {
				b.Errorf("status %d", code)
			}
		}
	})
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "recorded/s")
}

// The raw baseline: the same INSERT, straight through pgx, no HTTP.
func BenchmarkRawInsertBaseline(b *testing.B) {
	pool := newPool(b)
	store := newStore(b, pool, newSchema(b))
	b.SetParallelism(4)
	b.ResetTimer()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := int(benchSeq.Add(1))
			_, err := store.Record(context.Background(), inbox.NewDelivery{Key: fmt.Sprintf("raw/%d", i), Kind: veriff.WebhookEvent, Body: eventBody("raw", i)})
			if err != nil {
				b.Error(err)
			}
		}
	})
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "recorded/s")
}

// Deliveries processed per second by Run, from a full inbox: a handler
// that does nothing, and one through HandleTx (its transaction, no write).
func BenchmarkRunProcess(b *testing.B) {
	for _, tc := range []struct {
		workers int
		tx      bool
	}{{1, false}, {8, false}, {8, true}} {
		name := fmt.Sprintf("workers=%d", tc.workers)
		if tc.tx {
			name += ",HandleTx"
		}
		b.Run(name, func(b *testing.B) {
			var n atomic.Int64
			all := make(chan struct{})
			h := func(context.Context, *veriff.Webhook) error {
				if n.Add(1) == int64(b.N) {
					close(all)
				}
				return nil
			}
			store, in, _ := benchInbox(b, h, inbox.WithWorkers(tc.workers))
			if tc.tx {
				var err error
				in, err = inbox.New(store, store.HandleTx(func(ctx context.Context, _ pgx.Tx, wh *veriff.Webhook) error {
					return h(ctx, wh)
				}), inbox.WithSecrets(testSecret), inbox.WithWorkers(tc.workers))
				require.NoError(b, err)
			}
			runAll(b, store, in, all)
		})
	}
}

// runAll records b.N deliveries, then times Run until all were handled.
func runAll(b *testing.B, store *pginbox.Store, in *inbox.Inbox, all <-chan struct{}) {
	for i := 0; i < b.N; i++ {
		wh, err := veriff.ParseWebhook(eventBody("proc", i))
		require.NoError(b, err)
		_, err = store.Record(context.Background(), inbox.NewDelivery{Key: wh.DeliveryKey(), Kind: wh.Kind, SessionID: wh.SessionID(), Body: wh.Raw})
		require.NoError(b, err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	b.ResetTimer()
	start := time.Now()
	done := make(chan error, 1)
	go func() { done <- in.Run(ctx) }()
	<-all
	elapsed := time.Since(start)
	b.StopTimer()
	cancel()
	<-done
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "processed/s")
}

// Latency from POST to the handler's call, with Run's 8 workers idle and
// woken by ServeHTTP and LISTEN/NOTIFY.
func BenchmarkPostToHandlerLatency(b *testing.B) {
	var (
		sent sync.Map // session ID -> time.Time
		mu   sync.Mutex
		lat  []time.Duration
		wg   sync.WaitGroup
	)
	_, in, url := benchInbox(b, func(_ context.Context, wh *veriff.Webhook) error {
		if t0, ok := sent.Load(wh.SessionID()); ok {
			mu.Lock()
			lat = append(lat, time.Since(t0.(time.Time)))
			mu.Unlock()
			wg.Done()
		}
		return nil
	}, inbox.WithWorkers(8))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- in.Run(ctx) }()
	b.SetParallelism(2)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := int(benchSeq.Add(1))
			wg.Add(1)
			sent.Store(fmt.Sprintf("lat-%d", i), time.Now())
			if code := inboxtest.Post(b, inboxtest.SignedRequest(b, url, eventBody("lat", i), testSecret)); code != http.StatusOK {
				b.Errorf("status %d", code)
			}
		}
	})
	wg.Wait()
	b.StopTimer()
	cancel()
	<-done
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50_ms")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99_ms")
}
