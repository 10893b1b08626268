package veriff

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/iotest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The fault matrix: every public endpoint of the Client against every fault
// a server or network can produce, each checked against the retry policy
// (GET/DELETE retried on connection errors, 429 and 5xx but 501; POST/PATCH
// only on 429 and on errors where nothing was sent), with the exact number
// of requests the server saw, the typed error, a bound on the time taken,
// every response body closed and every connection closed (so no goroutine
// left behind). Rows and their cases run in parallel.

const (
	fmMaxAttempts = 3 // the default WithMaxRetries(2) plus the first attempt

	// The waits below leave room for a loaded machine (-race, other
	// packages' tests beside these): cases run in parallel, and a request
	// must reach the server before they end. They are sleeps, not CPU: the
	// matrix takes about as long as the longest of them.
	fmAttemptTimeout = 300 * time.Millisecond  // the user's http.Client Timeout in the per-attempt fault
	fmDeadline       = 600 * time.Millisecond  // the caller's deadline in the hanging-server faults
	fmWaitDeadline   = 1500 * time.Millisecond // WaitForDecision's own deadline (it polls every hour), above 3 × fmAttemptTimeout
	fmHugeBody       = 100 << 20               // the oversized response
)

// --- server behaviours --------------------------------------------------------

// fmServer is the loopback server of one case: it counts requests, checks
// they are the endpoint's, and answers each with the fault's behaviour
// (with success after the first hit when the fault says thenOK).
type fmServer struct {
	ep      fmEndpoint
	f       fmFault
	hits    atomic.Int32
	wrong   atomic.Value // string: what was wrong with a request
	release chan struct{}
	mu      sync.Mutex
	first   string // the first attempt's body and signature
}

// fmBehaviour answers one request; the request body is already read.
type fmBehaviour func(s *fmServer, w http.ResponseWriter, r *http.Request)

// ServeHTTP counts the request and checks it: the endpoint's method and
// path, a valid signature (over the body, or over the ID in the path), and
// on a retry the same bytes with the same signature as the first attempt.
func (s *fmServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	hit := int(s.hits.Add(1))
	body, err := io.ReadAll(r.Body)
	sig := r.Header.Get("X-HMAC-SIGNATURE")
	msg := body
	if s.ep.idempotent() {
		msg = []byte(s.ep.signID)
	}
	switch {
	case r.Method != s.ep.method || r.URL.Path != s.ep.path:
		s.wrong.Store("request " + r.Method + " " + r.URL.Path)
	case err != nil:
		s.wrong.Store("unreadable request body: " + err.Error())
	case sig != Sign(testSecret, msg):
		s.wrong.Store("bad signature on attempt " + strconv.Itoa(hit))
	}
	s.mu.Lock()
	if s.first == "" {
		s.first = sig + string(body)
	} else if s.first != sig+string(body) {
		s.wrong.Store("attempt " + strconv.Itoa(hit) + " sent other bytes or another signature")
	}
	s.mu.Unlock()
	if s.f.thenOK && hit > 1 {
		fmAnswerOK(s, w, r)
		return
	}
	s.f.serve(s, w, r)
}

// half is the first half of the endpoint's success body.
func (s *fmServer) half() []byte { return s.ep.okBody[:len(s.ep.okBody)/2] }

// wait blocks until the request ends or the case is torn down.
func (s *fmServer) wait(r *http.Request) {
	select {
	case <-r.Context().Done():
	case <-s.release:
	}
}

func fmAnswerOK(s *fmServer, w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(s.ep.okBody)))
	w.WriteHeader(s.ep.okStatus)
	_, _ = w.Write(s.ep.okBody)
}

// fmAnswer answers code with body (Content-Type application/json unless
// header sets one).
func fmAnswer(code int, body string, header ...string) fmBehaviour {
	return func(_ *fmServer, w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		for i := 0; i+1 < len(header); i += 2 {
			w.Header().Set(header[i], header[i+1])
		}
		w.WriteHeader(code)
		_, _ = io.WriteString(w, body)
	}
}

// fmCloseConn takes the connection over and closes it, with RST if reset.
func fmCloseConn(reset bool) fmBehaviour {
	return func(_ *fmServer, w http.ResponseWriter, _ *http.Request) {
		conn, _, err := w.(http.Hijacker).Hijack()
		if err != nil {
			return
		}
		if tc, ok := conn.(*net.TCPConn); ok && reset {
			_ = tc.SetLinger(0)
		}
		_ = conn.Close()
	}
}

// fmDropMidBody declares the whole success body, sends half and closes.
func fmDropMidBody(s *fmServer, w http.ResponseWriter, _ *http.Request) {
	conn, buf, err := w.(http.Hijacker).Hijack()
	if err != nil {
		return
	}
	defer conn.Close()
	fmt.Fprintf(buf, "HTTP/1.1 %d %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n",
		s.ep.okStatus, http.StatusText(s.ep.okStatus), len(s.ep.okBody))
	_, _ = buf.Write(s.half())
	_ = buf.Flush()
}

// fmStallMidBody declares the whole success body, sends half and hangs.
func fmStallMidBody(s *fmServer, w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Length", strconv.Itoa(len(s.ep.okBody)))
	w.WriteHeader(s.ep.okStatus)
	_, _ = w.Write(s.half())
	w.(http.Flusher).Flush()
	s.wait(r)
}

// fmHang never answers until the request ends.
func fmHang(s *fmServer, _ http.ResponseWriter, r *http.Request) { s.wait(r) }

// fmTruncated sends half the success body as if it were all of it.
func fmTruncated(s *fmServer, w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(s.ep.okStatus)
	_, _ = w.Write(s.half())
}

// fmBigBody streams n bytes of a JSON-looking body from a small buffer,
// chunked (no Content-Length), until the client stops reading.
func fmBigBody(n int64) fmBehaviour {
	return func(_ *fmServer, w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusOK)
		_, _ = io.Copy(w, io.LimitReader(io.MultiReader(strings.NewReader(`{"status":"success","pad":"`), fmPadReader{}), n))
	}
}

// fmPadReader yields 'x' forever.
type fmPadReader struct{}

func (fmPadReader) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = 'x'
	}
	return len(p), nil
}

// --- the run ------------------------------------------------------------------

// fmTracker is the user's transport, wrapped to count response bodies
// handed out and closed, and connections dialled and closed. The SDK starts
// no goroutine of its own: the transport's goroutines (a read and a write
// loop per connection) end with their connection, so every connection
// closed after teardown means no goroutine left behind. Counting the
// transport's own connections, not the process's goroutines, lets cases
// run in parallel.
type fmTracker struct {
	base           *http.Transport
	opened, closed atomic.Int64 // response bodies
	dialed, hungUp atomic.Int64 // connections
}

func (tr *fmTracker) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := tr.base.RoundTrip(req)
	if resp != nil && resp.Body != nil {
		tr.opened.Add(1)
		resp.Body = &fmTrackedBody{ReadCloser: resp.Body, tr: tr}
	}
	return resp, err
}

type fmTrackedBody struct {
	io.ReadCloser
	tr   *fmTracker
	once sync.Once
}

func (b *fmTrackedBody) Close() error {
	err := b.ReadCloser.Close()
	b.once.Do(func() { b.tr.closed.Add(1) })
	return err
}

// fmTrackedConn counts its first Close.
type fmTrackedConn struct {
	net.Conn
	tr   *fmTracker
	once sync.Once
}

func (c *fmTrackedConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(func() { c.tr.hungUp.Add(1) })
	return err
}

// fmNewTracker returns a tracker on a fresh transport of its own.
func fmNewTracker() *fmTracker {
	tr := &fmTracker{}
	dialer := &net.Dialer{Timeout: 5 * time.Second}
	tr.base = &http.Transport{
		Proxy: nil,
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			conn, err := dialer.DialContext(ctx, network, addr)
			if err != nil {
				return nil, err
			}
			tr.dialed.Add(1)
			return &fmTrackedConn{Conn: conn, tr: tr}, nil
		},
		MaxIdleConns:        16,
		MaxIdleConnsPerHost: 16,
		IdleConnTimeout:     30 * time.Second,
	}
	return tr
}

// settle checks, after the case's server is closed and the transport's
// idle connections too, that every response body was closed and that
// every connection the transport dialled ends (within 3 s: a connection
// whose server went away is closed by its read loop).
func (tr *fmTracker) settle(t *testing.T) {
	t.Helper()
	assert.Equal(t, tr.opened.Load(), tr.closed.Load(), "every response body closed (opened %d)", tr.opened.Load())
	deadline := time.Now().Add(3 * time.Second)
	for tr.hungUp.Load() < tr.dialed.Load() && time.Now().Before(deadline) {
		tr.base.CloseIdleConnections()
		time.Sleep(2 * time.Millisecond)
	}
	assert.Equal(t, tr.dialed.Load(), tr.hungUp.Load(), "connections dialled and closed: a connection (and its goroutines) left behind")
}

func TestFaultMatrix(t *testing.T) {
	t.Parallel()
	endpoints := fmEndpoints(t)
	faults := fmFaults(t)
	start := time.Now()
	t.Cleanup(func() {
		t.Logf("%d endpoints x %d faults = %d cases in %s", len(endpoints), len(faults), len(endpoints)*len(faults), time.Since(start).Round(time.Millisecond))
	})
	for _, f := range faults {
		t.Run(f.name, func(t *testing.T) {
			if f.cpuBound {
				// Before the parallel rows start: it would starve their
				// deadlines of CPU.
				for _, ep := range endpoints {
					t.Run(ep.name, func(t *testing.T) { fmRunCase(t, f, ep) })
				}
				return
			}
			t.Parallel()
			for _, ep := range endpoints {
				t.Run(ep.name, func(t *testing.T) {
					t.Parallel()
					fmRunCase(t, f, ep)
				})
			}
		})
	}
}

func fmRunCase(t *testing.T, f fmFault, ep fmEndpoint) {
	want := f.want(ep)
	s := &fmServer{ep: ep, f: f, release: make(chan struct{})}
	srv := httptest.NewServer(s)
	tr := fmNewTracker()
	c, err := NewClient(testAPIKey, testSecret,
		WithBaseURL(srv.URL),
		WithHTTPClient(&http.Client{Transport: tr, Timeout: f.attemptTimeout}),
		WithRetryWait(0, time.Millisecond),
		WithRetryAfterCap(50*time.Millisecond),
	)
	require.NoError(t, err)

	ctx := context.Background()
	if f.deadline > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, f.deadline)
		defer cancel()
	}
	began := time.Now()
	n, err := fmCall(t, ctx, c, ep)
	took := time.Since(began)

	// Tear down before asserting, so leaks show whatever the outcome.
	close(s.release)
	tr.base.CloseIdleConnections()
	srv.Close()

	if want.err == nil {
		assert.NoError(t, err)
	} else if assert.Error(t, err) {
		want.err(t, err, want.hits)
		assert.NotErrorIs(t, err, errFmBadResult)
	}
	assert.Equal(t, want.n, n, "bytes streamed")
	assert.Equal(t, want.hits, int(s.hits.Load()), "requests the server saw")
	if w, _ := s.wrong.Load().(string); w != "" {
		t.Errorf("server: %s (want %s %s)", w, ep.method, ep.path)
	}
	bound := want.within
	if bound == 0 {
		bound = 5 * time.Second // generous under -race on a busy machine; typical cases take ms
	}
	assert.Less(t, took, bound, "the call must end in bounded time")
	tr.settle(t)
}

// fmCall runs the endpoint, turning a panic into a test failure.
func fmCall(t *testing.T, ctx context.Context, c *Client, ep fmEndpoint) (n int64, err error) {
	defer func() {
		if p := recover(); p != nil {
			t.Errorf("%s panicked: %v", ep.name, p)
			err = fmt.Errorf("panic: %v", p)
		}
	}()
	return ep.call(ctx, c)
}

// TestNoDuplicateAfterProcessing: a server that processes a POST or PATCH
// (counts it) and then fails before its answer arrives sees the request
// exactly once, whichever way the answer is lost; the call fails. The
// connection is warmed by a GET first, so the request goes out on a reused
// connection, where net/http itself would resend an idempotent request.
func TestNoDuplicateAfterProcessing(t *testing.T) {
	t.Parallel() // waits on deadlines, not the CPU
	var writers []fmEndpoint
	for _, ep := range fmEndpoints(t) {
		if !ep.idempotent() {
			writers = append(writers, ep)
		}
	}
	require.Len(t, writers, 5) // CreateSession, SubmitSession, SendCollectedData, UploadMedia, UploadMediaFile
	warm := fixture(t, "sessions/decision_approved.json")

	for _, loss := range fmLosses() {
		for _, ep := range writers {
			t.Run(loss.name+"/"+ep.name, func(t *testing.T) {
				t.Parallel()
				fmRunNoDuplicate(t, loss, ep, warm)
			})
		}
	}
}

// fmRunNoDuplicate sends ep once, after a warming GET, to a server that
// processes it and then loses its answer the way loss says.
func fmRunNoDuplicate(t *testing.T, loss fmLoss, ep fmEndpoint, warm []byte) {
	var processed, gets atomic.Int32
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet {
			gets.Add(1)
			_, _ = w.Write(warm)
			return
		}
		body, err := io.ReadAll(r.Body)
		if err != nil || len(body) == 0 || r.Method != ep.method || r.URL.Path != ep.path {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		processed.Add(1) // the session is created, the media stored...
		loss.lose(w, release, r)
	}))
	tr := fmNewTracker()
	c, err := NewClient(testAPIKey, testSecret, WithBaseURL(srv.URL), WithRetryWait(0, 0),
		WithHTTPClient(&http.Client{Transport: tr, Timeout: loss.attemptTimeout}))
	require.NoError(t, err)

	// The warming GET shares the transport (so its connection) but not the
	// per-attempt timeout, which a loaded machine could hit and retry.
	warmer, err := c.With(WithHTTPClient(&http.Client{Transport: tr}))
	require.NoError(t, err)
	_, err = warmer.Decision(context.Background(), testSessionID)
	require.NoError(t, err)
	_, err = ep.call(context.Background(), c)
	close(release)
	tr.base.CloseIdleConnections()
	srv.Close()

	assert.Error(t, err)
	assert.NotErrorIs(t, err, errFmBadResult)
	assert.Equal(t, int32(1), processed.Load(), "the server processed the request exactly once")
	assert.Equal(t, int32(1), gets.Load())
	tr.settle(t)
}

// TestHugeResponseBoundedMemory: a 100 MiB answer costs the caller a
// bounded amount of memory. JSON endpoints fail with ErrResponseTooLarge:
// at once when the answer declares its length, after reading just over the
// client's limit (10 MiB by default) when it does not. DownloadMedia streams
// the whole body into the caller's writer through a fixed buffer. The body
// is generated while it is sent, never held in memory. The allocations
// measured are the whole process's (client, loopback server, runtime).
func TestHugeResponseBoundedMemory(t *testing.T) {
	const limit = defaultMaxResponseBytes
	decision := func(c *Client) (int64, error) {
		_, err := c.Decision(context.Background(), testSessionID)
		return 0, err
	}
	cases := []struct {
		name          string
		contentLength bool
		opts          []Option
		call          func(c *Client) (int64, error)
		wantN         int64
		wantErr       error
		maxAlloc      uint64
	}{
		{"Decision/chunked", false, nil, decision, 0, ErrResponseTooLarge, limit + 2<<20},
		{"Decision/content-length", true, nil, decision, 0, ErrResponseTooLarge, 1 << 20},
		{"Decision/chunked/limit-1MiB", false, []Option{WithMaxResponseBytes(1 << 20)}, decision, 0, ErrResponseTooLarge, 2 << 20},
		{"CreateSession/chunked", false, nil, func(c *Client) (int64, error) {
			_, err := c.CreateSession(context.Background(), CreateSessionRequest{VendorData: "user-42"})
			return 0, err
		}, 0, ErrResponseTooLarge, limit + 2<<20},
		{"DeleteSession/chunked", false, nil, func(c *Client) (int64, error) {
			return 0, c.DeleteSession(context.Background(), testSessionID)
		}, 0, ErrResponseTooLarge, limit + 2<<20},
		{"DownloadMedia/chunked", false, nil, func(c *Client) (int64, error) {
			return c.DownloadMedia(context.Background(), testMediaID, io.Discard)
		}, fmHugeBody, nil, 2 << 20},
		{"DownloadMedia/content-length", true, nil, func(c *Client) (int64, error) {
			return c.DownloadMedia(context.Background(), testMediaID, io.Discard)
		}, fmHugeBody, nil, 2 << 20},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				_, _ = io.Copy(io.Discard, r.Body)
				if tc.contentLength {
					w.Header().Set("Content-Length", strconv.Itoa(fmHugeBody))
				}
				w.WriteHeader(http.StatusOK)
				_, _ = io.Copy(w, io.LimitReader(fmPadReader{}, fmHugeBody))
			}))
			tr := fmNewTracker()
			c, err := NewClient(testAPIKey, testSecret, append([]Option{WithBaseURL(srv.URL), WithRetryWait(0, 0),
				WithHTTPClient(&http.Client{Transport: tr})}, tc.opts...)...)
			require.NoError(t, err)

			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			began := time.Now()
			n, err := tc.call(c)
			took := time.Since(began)
			runtime.ReadMemStats(&after)
			tr.base.CloseIdleConnections()
			srv.Close()

			alloc := after.TotalAlloc - before.TotalAlloc
			t.Logf("%s: %d bytes streamed, %.1f MiB allocated, %s", tc.name, n, float64(alloc)/(1<<20), took.Round(time.Millisecond))
			if tc.wantErr != nil {
				require.ErrorIs(t, err, tc.wantErr)
				assert.Contains(t, err.Error(), "exceeds")
			} else {
				require.NoError(t, err)
			}
			assert.Equal(t, tc.wantN, n)
			assert.Less(t, alloc, tc.maxAlloc, "allocated %d bytes for a %d-byte answer", alloc, fmHugeBody)
			tr.settle(t)
		})
	}
}

// TestReadBounded checks the bounded read of success bodies byte for byte,
// around the pooled buffer's size and the limit, with and without a
// declared length, whatever the reader's chunking.
func TestReadBounded(t *testing.T) {
	const limit = 1<<20 + 100
	body := func(n int) []byte {
		p := make([]byte, n)
		for i := range p {
			p[i] = byte(i*7 + i>>8)
		}
		return p
	}
	readers := map[string]func(io.Reader) io.Reader{
		"plain":    func(r io.Reader) io.Reader { return r },
		"one-byte": iotest.OneByteReader,
		"half":     iotest.HalfReader,
		"data-eof": iotest.DataErrReader,
	}
	for _, n := range []int{0, 1, 511, 4095, 4096, 4097, 70000, 1 << 20, limit, limit + 1, 2 * limit} {
		for _, declared := range []bool{false, true} {
			for rname, wrap := range readers {
				if rname == "one-byte" && n > 70000 {
					continue // slow and adds nothing
				}
				t.Run(fmt.Sprintf("%d/declared=%v/%s", n, declared, rname), func(t *testing.T) {
					want := body(n)
					size := int64(-1)
					if declared {
						size = int64(n)
					}
					got, tooLarge, err := readBounded(make([]byte, 0, 4096), wrap(bytes.NewReader(want)), size, limit)
					require.NoError(t, err)
					if n > limit {
						assert.True(t, tooLarge)
						assert.Nil(t, got)
						return
					}
					assert.False(t, tooLarge)
					assert.True(t, bytes.Equal(want, got), "body differs (len %d, want %d)", len(got), n)
				})
			}
		}
	}
	t.Run("read error", func(t *testing.T) {
		boom := errors.New("boom")
		_, tooLarge, err := readBounded(nil, iotest.ErrReader(boom), -1, limit)
		assert.ErrorIs(t, err, boom)
		assert.False(t, tooLarge)
	})
}
