package veriff

import (
	"bufio"
	"context"
	"crypto/tls"
	"encoding/binary"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// HTTP/2 frame types and flags used by resettingH2.
const (
	h2Data, h2Headers, h2RSTStream, h2Settings, h2Ping, h2GoAway = 0x0, 0x1, 0x3, 0x4, 0x6, 0x7
	h2EndStream, h2EndHeaders, h2Ack                             = 0x1, 0x4, 0x1
	h2ProtocolError                                              = 0x1
)

// resettingH2 speaks just enough HTTP/2 on a TLS connection to receive
// requests: it counts each request stream (HEADERS) and, once the first
// request's body has fully arrived, resets its stream with PROTOCOL_ERROR,
// which Go's HTTP/2 transport takes as safe to replay. Any later request is
// answered 200 with no body. Go's own HTTP/2 server cannot be told to send
// that reset, hence the hand-made frames.
type resettingH2 struct {
	requests atomic.Int32
}

func (s *resettingH2) serve(_ *http.Server, conn *tls.Conn, _ http.Handler) {
	defer conn.Close()
	r := bufio.NewReader(conn)
	preface := make([]byte, 24)
	if _, err := io.ReadFull(r, preface); err != nil {
		return
	}
	write := func(typ, flags byte, stream uint32, payload []byte) bool {
		var h [9]byte
		h[0], h[1], h[2] = byte(len(payload)>>16), byte(len(payload)>>8), byte(len(payload))
		h[3], h[4] = typ, flags
		binary.BigEndian.PutUint32(h[5:], stream)
		_, err := conn.Write(append(h[:], payload...))
		return err == nil
	}
	if !write(h2Settings, 0, 0, nil) {
		return
	}
	finished := func(stream uint32) bool {
		if s.requests.Load() == 1 {
			var code [4]byte
			binary.BigEndian.PutUint32(code[:], h2ProtocolError)
			return write(h2RSTStream, 0, stream, code[:])
		}
		return write(h2Headers, h2EndHeaders|h2EndStream, stream, []byte{0x88}) // :status 200 (HPACK static index 8)
	}
	for {
		var h [9]byte
		if _, err := io.ReadFull(r, h[:]); err != nil {
			return
		}
		n := int(h[0])<<16 | int(h[1])<<8 | int(h[2])
		typ, flags, stream := h[3], h[4], binary.BigEndian.Uint32(h[5:])&0x7fffffff
		payload := make([]byte, n)
		if _, err := io.ReadFull(r, payload); err != nil {
			return
		}
		ok := true
		switch typ {
		case h2Settings:
			if flags&h2Ack == 0 {
				ok = write(h2Settings, h2Ack, 0, nil)
			}
		case h2Ping:
			if flags&h2Ack == 0 {
				ok = write(h2Ping, h2Ack, 0, payload)
			}
		case h2Headers:
			s.requests.Add(1)
			if flags&h2EndStream != 0 {
				ok = finished(stream)
			}
		case h2Data:
			if flags&h2EndStream != 0 {
				ok = finished(stream)
			}
		case h2GoAway:
			return
		}
		if !ok {
			return
		}
	}
}

// TestHTTP2ResetPOSTIsNotReplayed: a POST or PATCH
// whose HTTP/2 stream is reset after the server read it reaches the server
// once, with or without the SDK's retries, and the caller gets the stream
// error.
func TestHTTP2ResetPOSTIsNotReplayed(t *testing.T) {
	calls := map[string]func(*Client, context.Context) error{
		"CreateSession": func(c *Client, ctx context.Context) error {
			_, err := c.CreateSession(ctx, CreateSessionRequest{VendorData: "customer-1"})
			return err
		},
		"SubmitSession": func(c *Client, ctx context.Context) error {
			_, err := c.SubmitSession(ctx, testSessionID)
			return err
		},
	}
	for name, call := range calls {
		for _, retries := range []int{0, defaultMaxRetries} {
			t.Run(fmt.Sprintf("%s/retries=%d", name, retries), func(t *testing.T) {
				h2 := &resettingH2{}
				srv := httptest.NewUnstartedServer(http.NotFoundHandler())
				srv.EnableHTTP2 = true
				srv.Config.TLSNextProto = map[string]func(*http.Server, *tls.Conn, http.Handler){"h2": h2.serve}
				srv.StartTLS()
				t.Cleanup(srv.Close)
				hc := srv.Client()
				t.Cleanup(hc.CloseIdleConnections)
				c, err := NewClient(testAPIKey, testSecret, WithBaseURL(srv.URL), WithHTTPClient(hc),
					WithMaxRetries(retries), WithRetryWait(0, 0))
				require.NoError(t, err)
				ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
				defer cancel()

				err = call(c, ctx)
				require.Error(t, err)
				assert.Equal(t, int32(1), h2.requests.Load(), "the request reached the server more than once")
				assert.Contains(t, err.Error(), "PROTOCOL_ERROR", "the caller sees the stream error")
				assert.NotErrorIs(t, err, context.DeadlineExceeded)
			})
		}
	}
}
