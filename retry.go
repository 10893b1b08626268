package veriff

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/hashicorp/go-retryablehttp"
)

// retryClient is the retryablehttp.Client of one call: its hooks hold the
// call's state, and it drives the client's one outer *http.Client. It is
// built per call (retryablehttp.Client must not be copied).
func (st *callState) retryClient() *retryablehttp.Client {
	c := st.c
	return &retryablehttp.Client{
		HTTPClient:     c.outer,
		Logger:         nil, // silent: the SDK logs through its own slog hook
		RetryWaitMin:   c.waitMin,
		RetryWaitMax:   c.waitMax,
		RetryMax:       c.maxRetries,
		RequestLogHook: st.requestHook,
		CheckRetry:     st.checkRetry,
		Backoff:        c.backoff,
		ErrorHandler:   retryablehttp.PassthroughErrorHandler,
	}
}

// requestHook starts an attempt.
func (st *callState) requestHook(_ retryablehttp.Logger, _ *http.Request, attempt int) {
	st.attempt = attempt + 1
	st.handlerAsked = false
	if st.c.logger != nil {
		st.start = time.Now()
	}
}

// checkRetry is the retry policy. GET and DELETE retry on connection errors,
// 429 and 5xx except 501. POST and PATCH, which Veriff gives no idempotency
// key, retry only on 429 and on errors where nothing was sent. A Retry-After
// above the cap is not waited for.
func (st *callState) checkRetry(ctx context.Context, resp *http.Response, err error) (bool, error) {
	retry := st.decide(ctx, resp, err)
	// retryablehttp asks again, with the response handler's verdict, after
	// a buffered call's answer that is not retried: log that second call
	// only, so that each attempt is logged once.
	handlerNext := st.buffered && err == nil && resp != nil && !retry && !st.handlerAsked
	st.handlerAsked = handlerNext
	if st.c.logger != nil && !handlerNext {
		st.log(ctx, resp, err, retry)
	}
	if cerr := ctx.Err(); cerr != nil {
		return false, cerr
	}
	return retry, nil
}

func (st *callState) decide(ctx context.Context, resp *http.Response, err error) bool {
	if ctx.Err() != nil {
		return false
	}
	if err != nil {
		if !retryableTransportErr(err) {
			return false
		}
		return st.idempotent || notSent(err)
	}
	switch code := resp.StatusCode; {
	case code == http.StatusTooManyRequests:
		if d, ok := parseRetryAfter(resp.Header.Get("Retry-After"), time.Now()); ok && d > st.c.retryAfterCap {
			return false
		}
		return true
	case code >= 500 && code <= 599 && code != http.StatusNotImplemented:
		if !st.idempotent {
			return false
		}
		if d, ok := parseRetryAfter(resp.Header.Get("Retry-After"), time.Now()); ok && d > st.c.retryAfterCap {
			return false
		}
		return true
	}
	return false
}

func (st *callState) log(ctx context.Context, resp *http.Response, err error, retry bool) {
	attrs := []slog.Attr{
		slog.String("method", st.method),
		slog.String("path", st.path),
		slog.Int("attempt", st.attempt),
		slog.Duration("duration", time.Since(st.start)),
	}
	level := slog.LevelDebug
	if resp != nil {
		attrs = append(attrs, slog.Int("status", resp.StatusCode))
		if resp.StatusCode >= 400 {
			level = slog.LevelWarn
		}
	}
	if err != nil {
		level = slog.LevelWarn
		attrs = append(attrs, slog.String("error", err.Error()))
	}
	attrs = append(attrs, slog.Bool("retry", retry))
	st.c.logger.LogAttrs(ctx, level, "veriff request", attrs...)
}

// retryableTransportErr reports whether a transport error may heal on retry:
// not certificate problems or malformed requests.
func retryableTransportErr(err error) bool {
	var (
		unknownAuth x509.UnknownAuthorityError
		certInvalid x509.CertificateInvalidError
		hostname    x509.HostnameError
		verifyErr   *tls.CertificateVerificationError
	)
	switch {
	case errors.As(err, &unknownAuth), errors.As(err, &certInvalid),
		errors.As(err, &hostname), errors.As(err, &verifyErr):
		return false
	}
	return true
}

// notSent reports whether err proves the request never left: it failed
// while dialling (DNS, refused, unreachable) before any byte was written.
func notSent(err error) bool {
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) {
		return true
	}
	var opErr *net.OpError
	if errors.As(err, &opErr) && opErr.Op == "dial" {
		return true
	}
	return false
}

// backoff waits as Retry-After asks (already capped by checkRetry), else
// exponentially with jitter inside [min, max].
func (c *Client) backoff(min, max time.Duration, attemptNum int, resp *http.Response) time.Duration {
	if resp != nil {
		if d, ok := parseRetryAfter(resp.Header.Get("Retry-After"), time.Now()); ok {
			if d > c.retryAfterCap {
				d = c.retryAfterCap
			}
			return d
		}
	}
	return jitterBackoff(min, max, attemptNum)
}

func jitterBackoff(min, max time.Duration, attemptNum int) time.Duration {
	if max <= 0 {
		return 0
	}
	d := min
	for i := 0; i < attemptNum && d < max; i++ {
		if d <= 0 {
			d = time.Millisecond
		}
		d *= 2
	}
	if d > max {
		d = max
	}
	// Equal jitter: a random wait in [d/2, d], never below min.
	half := d / 2
	w := half
	if half > 0 {
		w += rand.N(half + 1)
	}
	if w < min {
		w = min
	}
	return w
}

// parseRetryAfter reads a Retry-After value in seconds or as an HTTP date.
func parseRetryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	const maxSecs = int64(1 << 62 / time.Second)
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil {
		if secs < 0 {
			return 0, false
		}
		return time.Duration(min(secs, maxSecs)) * time.Second, true
	} else if errors.Is(err, strconv.ErrRange) && v[0] != '-' {
		// More seconds than int64 holds: longer than any cap.
		return time.Duration(maxSecs) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		d := t.Sub(now)
		if d < 0 {
			d = 0
		}
		return d, true
	}
	return 0, false
}
