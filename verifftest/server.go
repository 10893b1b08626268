package verifftest

// This file holds the Server: construction, Close, credentials, authentication of API v1 requests.

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"log"
	"net/http"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/veriffgo/veriff"
)

// maxBodyBytes caps a request body. Veriff accepts images up to 24 MB in
// base64; the fake allows a little more for the JSON around them.
const maxBodyBytes = 32 << 20

// maxDrainBytes is how much of a body over its cap the server still reads
// (and discards) before it answers 413, so that the client, which is still
// writing, reads the answer instead of a connection reset.
const maxDrainBytes = 128 << 20

// Timeouts of the server's connections: a client that stalls in its
// headers, in a body (the largest, three images of 18 MB, takes seconds on
// any link a test uses) or between requests loses its connection.
const (
	readHeaderTimeout = 10 * time.Second
	readTimeout       = 2 * time.Minute
	idleTimeout       = 2 * time.Minute
)

var errTooLarge = errors.New("verifftest: request body too large")

// readBody reads a body of at most limit bytes. Above the limit it reads
// on, discarding, up to maxDrainBytes more, and returns errTooLarge.
func readBody(body io.Reader, limit int64) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(body, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > limit {
		_, _ = io.Copy(io.Discard, io.LimitReader(body, maxDrainBytes))
		return nil, errTooLarge
	}
	return b, nil
}

// readRequest reads r's body with readBody, or answers 413 when it is over
// limit and 400 (with Veriff's error code readCode) when it cannot be read;
// ok reports whether the handler may go on.
func (s *Server) readRequest(w http.ResponseWriter, r *http.Request, limit int64, readCode string) (body []byte, ok bool) {
	body, err := readBody(r.Body, limit)
	if errors.Is(err, errTooLarge) {
		s.fail(w, http.StatusRequestEntityTooLarge, "", "Request body too large")
		return nil, false
	}
	if err != nil {
		s.fail(w, http.StatusBadRequest, readCode, "Could not read the request body")
		return nil, false
	}
	return body, true
}

// refuseDeclaredLength answers 413 to an authenticated request whose
// Content-Length is over maxBodyBytes, buffering nothing: a body of at
// most maxDrainBytes is discarded so that the client, still writing, reads
// the answer and keeps its connection; a larger one is not read at all.
func (s *Server) refuseDeclaredLength(w http.ResponseWriter, r *http.Request) {
	if r.ContentLength-maxBodyBytes <= maxDrainBytes {
		_, _ = io.Copy(io.Discard, io.LimitReader(r.Body, r.ContentLength))
	} else {
		w.Header().Set("Connection", "close")
	}
	s.fail(w, http.StatusRequestEntityTooLarge, "", "Request body too large")
}

// ErrUnknownSession is returned by the Server's methods (Decide,
// SetINERegistry, ...) for a session ID the server does not know.
var ErrUnknownSession = errors.New("verifftest: unknown session")

// ErrNoINEConsent is returned by SetINERegistry for a session created
// without an approved "ine" consent.
var ErrNoINEConsent = errors.New("verifftest: session has no INE consent")

// Server is an in-process fake of Veriff's Public API v1, listening on a
// loopback address. Create it with NewServer and stop it with Close. All of
// its methods are safe for concurrent use, also while clients call it.
type Server struct {
	// URL is the server's base URL, "http://127.0.0.1:<port>", to pass to
	// veriff.WithBaseURL. The API itself lives under URL + "/v1".
	URL string

	apiKey string
	secret string
	cfg    serverConfig
	base   atomic.Pointer[string] // URL, for requests that name no host
	hs     *http.Server           // serves Start and Serve
	mux    *http.ServeMux

	ctx    context.Context // cancelled by Close: stops webhook deliveries
	cancel context.CancelFunc
	hc     *http.Client // delivers webhooks
	wg     sync.WaitGroup

	mu          sync.Mutex
	closed      bool
	listenHosts []string // hosts of the listeners of Start and Serve, lower case
	seq         int64
	sessions    map[string]*session
	byToken     map[string]*session // sessions by verification-URL token
	attempts    map[string]*attempt
	media       map[string]*mediaItem
	requests    []*Request
	faults      []*Fault
	autoDecide  veriff.SessionStatus
	hooks       WebhookURLs
	hookTries   int
	hookWait    time.Duration
	deliveries  []Delivery // the most recent, up to cfg.maxDeliveries
	// deliveryCount is how many deliveries have ended: the last one's N.
	deliveryCount int
	delivered     chan struct{} // closed and replaced whenever a delivery ends
	apiSt         *apiState     // the newer endpoints (api.go)
	mediaBytes    int64         // media content held in memory (storage.go)
	restored      int           // sessions taken over from the data directory (persist.go)
	restoreErr    error         // why the data directory could not be used
	saved         []byte        // the state last written to the data directory
}

// NewServer starts a fake of Veriff's Public API v1 on 127.0.0.1 that
// accepts requests carrying apiKey in X-AUTH-CLIENT and signed with
// sharedSecret, exactly as the real API judges them, configured by opts
// (nil options are ignored). Stop it with Close.
//
// The server starts with no webhook URL (see SetWebhookURL), no automatic
// decisions (see AutoDecide), no injected faults, and the INE checks of
// WithINEChecks' default. It is NewUnstartedServer followed by Start.
func NewServer(apiKey, sharedSecret string, opts ...ServerOption) *Server {
	s := NewUnstartedServer(apiKey, sharedSecret, opts...)
	s.Start()
	return s
}

// NewUnstartedServer returns a Server that is not yet listening, as
// httptest.NewUnstartedServer does: start it with Start (a loopback port)
// or Serve (a listener of your own), or mount Handler in a server of your
// own. Call Close when done, in every case, to stop webhook deliveries.
func NewUnstartedServer(apiKey, sharedSecret string, opts ...ServerOption) *Server {
	cfg := defaultConfig()
	for _, o := range opts {
		if o != nil {
			o(&cfg)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.Proxy = nil // webhooks go to the URL as given, never through a proxy
	s := &Server{
		apiKey:    apiKey,
		secret:    sharedSecret,
		cfg:       cfg,
		mux:       http.NewServeMux(),
		ctx:       ctx,
		cancel:    cancel,
		hc:        &http.Client{Transport: tr, Timeout: defaultWebhookTimeout, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }},
		sessions:  make(map[string]*session),
		byToken:   make(map[string]*session),
		attempts:  make(map[string]*attempt),
		media:     make(map[string]*mediaItem),
		hookTries: defaultWebhookAttempts,
		hookWait:  defaultWebhookBackoff,
		delivered: make(chan struct{}),
	}
	s.routes()
	if cfg.dataDir != "" {
		s.mu.Lock()
		s.restoreErr = s.restoreLocked()
		s.mu.Unlock()
		s.wg.Add(1)
		go s.saveLoop()
	}
	s.hs = &http.Server{
		Handler:           s.Handler(),
		ReadHeaderTimeout: readHeaderTimeout,
		ReadTimeout:       readTimeout,
		IdleTimeout:       idleTimeout,
		// Dropped connections (fault injection) make net/http log; keep tests quiet.
		ErrorLog: log.New(io.Discard, "", 0),
	}
	return s
}

// Close stops the server: it cancels webhook deliveries still waiting for
// a retry or in flight, waits for their goroutines to end, and closes the
// listeners of Start and Serve with every connection, also one whose client
// stalls in the middle of a body: Close always returns. Call
// WaitForDeliveries first to be sure that the webhooks you expect were
// delivered. Close may be called more than once.
func (s *Server) Close() {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return
	}
	s.closed = true
	s.mu.Unlock()
	s.cancel()
	s.wg.Wait()
	_ = s.hs.Close()
	s.hc.CloseIdleConnections()
}

// APIKey returns the API key the server accepts in X-AUTH-CLIENT.
func (s *Server) APIKey() string { return s.apiKey }

// SharedSecret returns the shared secret the server checks signatures
// with, and signs its responses and webhooks with.
func (s *Server) SharedSecret() string { return s.secret }

// NewClient returns a *veriff.Client for this server: its URL, API key and
// shared secret, with short retry waits (1ms to 10ms) to keep tests fast.
// opts are applied after those, so they can override them.
func (s *Server) NewClient(opts ...veriff.Option) (*veriff.Client, error) {
	return veriff.NewClient(s.apiKey, s.secret, s.clientOptions(opts)...)
}

// clientOptions are the options of NewClient and NewFeedbackClient: this
// server's URL and short retry waits, then opts.
func (s *Server) clientOptions(opts []veriff.Option) []veriff.Option {
	return append([]veriff.Option{
		veriff.WithBaseURL(s.URL),
		veriff.WithRetryWait(time.Millisecond, 10*time.Millisecond),
	}, opts...)
}

// AutoDecide makes the server decide every session with status as soon as
// it is submitted, as if Veriff had decided at once: the decision is ready
// for GET /decision before the PATCH answer leaves, and webhooks are sent
// as for Decide. status must be one that Decide accepts; any other leaves
// submitted sessions undecided, as does "" (the default).
func (s *Server) AutoDecide(status veriff.SessionStatus) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.autoDecide = status
}

// Request is one HTTP request the server received, as recorded for
// assertions. Bodies are not kept.
type Request struct {
	// Method and Path of the request; RawQuery without the "?".
	Method   string
	Path     string
	RawQuery string
	// Route is the route pattern that matched, such as
	// "/v1/sessions/{id}/media", or "" when no route did.
	Route string
	// Header is a copy of the request headers (with the API key and the
	// signature the client sent).
	Header http.Header
	// Status is the HTTP status answered; 0 when the connection was dropped
	// without an answer.
	Status int
	// Fault names the fault injected into this request: "" (none), "fail",
	// "drop" or "drop-after-processing".
	Fault string
	// Time is when the request arrived.
	Time time.Time
}

// Requests returns copies of the API v1 requests received so far, oldest
// first: the most recent ones, up to WithMaxRecordedRequests (default
// 10000). Requests to the hosted flow (and to the emulator's portal and
// admin API) are not recorded.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Request, len(s.requests))
	for i, r := range s.requests {
		out[i] = *r
		out[i].Header = r.Header.Clone()
	}
	return out
}

// RequestCount returns how many requests matched method ("" for any) and
// route, which is either a route pattern ("/v1/sessions/{id}/decision") or
// a concrete path ("/v1/sessions/<id>/decision"); "" matches any path.
func (s *Server) RequestCount(method, route string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, r := range s.requests {
		if method != "" && r.Method != method {
			continue
		}
		if route != "" && r.Route != route && r.Path != route {
			continue
		}
		n++
	}
	return n
}

// ResetRequests forgets the recorded requests.
func (s *Server) ResetRequests() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = nil
}

// handlerFunc serves an authenticated request; body is the raw request body
// of a POST or PATCH (nil otherwise).
type handlerFunc func(w http.ResponseWriter, r *http.Request, body []byte)

// handle registers h for pattern ("METHOD /v1/..."), behind Veriff's
// authentication: X-AUTH-CLIENT, then X-HMAC-SIGNATURE over the raw body
// (POST, PATCH) or over the {id} in the path (GET, DELETE).
func (s *Server) handle(pattern string, h handlerFunc) {
	method, _, _ := strings.Cut(pattern, " ")
	bodySigned := method == http.MethodPost || method == http.MethodPatch
	sigOptional := pattern == "POST /v1/sessions"
	s.mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		if sigOptional {
			allowCORS(w)
		}
		// The key and the declared length are judged before a byte of the
		// body is read: a stranger cannot make the server read or buffer.
		key := r.Header.Get("X-AUTH-CLIENT")
		if key == "" {
			s.fail(w, http.StatusUnauthorized, "1801", "Mandatory X-AUTH-CLIENT header containing the API key is missing from the request.")
			return
		}
		if !s.keyMatches(key) {
			s.fail(w, http.StatusUnauthorized, "1803", "Integration with the API key was not found.")
			return
		}
		var body []byte
		if bodySigned {
			if r.ContentLength > maxBodyBytes {
				s.refuseDeclaredLength(w, r)
				return
			}
			b, ok := s.readRequest(w, r, maxBodyBytes, "1102")
			if !ok {
				return
			}
			body = b
		}
		sig := r.Header.Get("X-HMAC-SIGNATURE")
		if sig == "" && sigOptional {
			h(w, r, body)
			return
		}
		got, err := hex.DecodeString(sig)
		if err != nil || len(got) != sha256.Size {
			s.fail(w, http.StatusUnauthorized, "1812", "Signature is not a valid SHA256 hash.")
			return
		}
		signed := body
		if !bodySigned {
			signed = []byte(r.PathValue("id"))
		}
		if !s.macMatches(got, signed) {
			if bodySigned {
				s.fail(w, http.StatusUnauthorized, "1819", "Signature does not match the HMAC-SHA256 of the request body and shared secret.")
			} else {
				s.fail(w, http.StatusUnauthorized, "1818", "Signature does not match the HMAC-SHA256 of the query ID and shared secret.")
			}
			return
		}
		h(w, r, body)
	})
}

// keyMatches reports, in constant time, whether key is the server's API key.
func (s *Server) keyMatches(key string) bool {
	return subtle.ConstantTimeCompare([]byte(key), []byte(s.apiKey)) == 1
}

// macMatches reports, in constant time, whether got is the HMAC-SHA256 of
// the concatenated parts with the shared secret.
func (s *Server) macMatches(got []byte, parts ...[]byte) bool {
	mac := hmac.New(sha256.New, []byte(s.secret))
	for _, p := range parts {
		mac.Write(p)
	}
	return hmac.Equal(got, mac.Sum(nil))
}

// errorBody is Veriff's error shape.
type errorBody struct {
	Status  string `json:"status"`
	Code    string `json:"code,omitempty"`
	Message string `json:"message"`
}

func (s *Server) fail(w http.ResponseWriter, status int, code, msg string) {
	s.writeJSON(w, status, errorBody{Status: "fail", Code: code, Message: msg})
}

// writeJSON answers v as JSON, signed as Veriff signs its responses.
func (s *Server) writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status = http.StatusInternalServerError
		b = []byte(`{"status":"fail","message":"verifftest: cannot encode response"}`)
	}
	s.writeRaw(w, status, "application/json", b)
}

func (s *Server) writeRaw(w http.ResponseWriter, status int, contentType string, b []byte) {
	h := w.Header()
	h.Set("Content-Type", contentType)
	h.Set("X-AUTH-CLIENT", s.apiKey)
	h.Set("X-HMAC-SIGNATURE", veriff.Sign(s.secret, b))
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// sortedSessions returns the sessions in creation order; s.mu must be held.
func (s *Server) sortedSessions() []*session {
	out := make([]*session, 0, len(s.sessions))
	for _, ss := range s.sessions {
		out = append(out, ss)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].seq < out[j].seq })
	return out
}
