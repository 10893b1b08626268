package veriff

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"
)

func refuseRedirect(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

// innerTransport runs each attempt through the inner client's Transport,
// read at call time, with its Timeout as a per-attempt limit. The outer
// http.Client that wraps it refuses redirects, so the API key never
// follows a redirect to another host.
type innerTransport struct{ hc *http.Client }

func (t innerTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	rt := t.hc.Transport
	if rt == nil {
		rt = http.DefaultTransport
	}
	timeout := t.hc.Timeout
	if timeout <= 0 {
		return rt.RoundTrip(req)
	}
	ctx, cancel := context.WithTimeout(req.Context(), timeout)
	resp, err := rt.RoundTrip(req.WithContext(ctx))
	if err != nil {
		cancel()
		if req.Context().Err() == nil && errors.Is(err, context.DeadlineExceeded) {
			return nil, &attemptTimeoutError{timeout: timeout, err: err}
		}
		return nil, err
	}
	resp.Body = &cancelOnClose{ReadCloser: resp.Body, cancel: cancel, timeout: timeout}
	return resp, nil
}

// attemptTimeoutError reports that one attempt exceeded the inner client's
// Timeout while the caller's context was still live.
type attemptTimeoutError struct {
	timeout time.Duration
	err     error
}

func (e *attemptTimeoutError) Error() string {
	return fmt.Sprintf("attempt timed out after %s: %v", e.timeout, e.err)
}

func (e *attemptTimeoutError) Unwrap() error { return e.err }

func (e *attemptTimeoutError) Timeout() bool { return true }

type cancelOnClose struct {
	io.ReadCloser
	cancel  context.CancelFunc
	timeout time.Duration
	once    sync.Once
}

func (b *cancelOnClose) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if err != nil && err != io.EOF && errors.Is(err, context.DeadlineExceeded) {
		err = &attemptTimeoutError{timeout: b.timeout, err: err}
	}
	return n, err
}

func (b *cancelOnClose) Close() error {
	err := b.ReadCloser.Close()
	b.once.Do(b.cancel)
	return err
}
