package veriff

import (
	"context"
	"errors"
	"math"
	"net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestExecuteWire(t *testing.T) {
	tests := []struct {
		name      string
		req       RawRequest
		wantPath  string
		wantQuery string
		wantBody  string
		signed    func(body []byte) string
	}{
		{
			name:     "GET signed over the ID",
			req:      RawRequest{Method: http.MethodGet, Path: "/sessions/" + testSessionID + "/certificates", SignedID: testSessionID},
			wantPath: "/v1/sessions/" + testSessionID + "/certificates",
			signed:   func([]byte) string { return Sign(testSecret, []byte(testSessionID)) },
		},
		{
			name:      "GET with a query that is not signed",
			req:       RawRequest{Method: http.MethodGet, Path: "/sessions/" + testSessionID + "/decision/ine-registry", SignedID: testSessionID, Query: url.Values{"version": {"1.0.0"}}},
			wantPath:  "/v1/sessions/" + testSessionID + "/decision/ine-registry",
			wantQuery: "version=1.0.0",
			signed:    func([]byte) string { return Sign(testSecret, []byte(testSessionID)) },
		},
		{
			name:     "PATCH signed over the exact body",
			req:      RawRequest{Method: http.MethodPatch, Path: "/sessions/" + testSessionID + "/watchlist-screening", Body: map[string]string{"monitorStatus": "disabled"}},
			wantPath: "/v1/sessions/" + testSessionID + "/watchlist-screening",
			wantBody: `{"monitorStatus":"disabled"}`,
			signed:   func(b []byte) string { return Sign(testSecret, b) },
		},
		{
			name:     "DELETE",
			req:      RawRequest{Method: http.MethodDelete, Path: "/sessions/" + testSessionID, SignedID: testSessionID},
			wantPath: "/v1/sessions/" + testSessionID,
			signed:   func([]byte) string { return Sign(testSecret, []byte(testSessionID)) },
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, mt := setup(t)
			rec := newRecorder(mt, reply(200, fixture(t, "api/execute_custom.json")))
			var out map[string]any
			require.NoError(t, c.Execute(context.Background(), tt.req, &out))
			got := rec.last(t)
			assert.Equal(t, tt.req.Method, got.method)
			assert.Equal(t, tt.wantPath, got.path)
			assert.Equal(t, tt.wantQuery, got.rawQuery)
			assert.Equal(t, tt.wantBody, string(got.body))
			assert.Equal(t, testAPIKey, got.header.Get("X-AUTH-CLIENT"))
			assert.Equal(t, tt.signed(got.body), got.header.Get("X-HMAC-SIGNATURE"))
			assert.Equal(t, "success", out["status"])
		})
	}
}

func TestExecuteParse(t *testing.T) {
	c, mt := setup(t)
	newRecorder(mt, reply(200, fixture(t, "api/execute_custom.json")))
	var out struct {
		Items []struct {
			ID    string `json:"id"`
			Count int    `json:"count"`
		} `json:"items"`
	}
	require.NoError(t, c.Execute(context.Background(), RawRequest{Method: http.MethodGet, Path: "/custom/" + testSessionID, SignedID: testSessionID}, &out))
	require.Len(t, out.Items, 2)
	assert.Equal(t, "a1", out.Items[0].ID)
	assert.Equal(t, 2, out.Items[0].Count)
	assert.Equal(t, "a2", out.Items[1].ID, "a mistyped field loses only itself")
}

func TestExecuteTypedErrorsAndRetries(t *testing.T) {
	c, mt := setup(t)
	newRecorder(mt, reply(503, []byte(`{"status":"fail","code":"9999","message":"down"}`)),
		reply(404, fixture(t, "core/error_400_numeric_code.json")))
	err := c.Execute(context.Background(), RawRequest{Method: http.MethodGet, Path: "/sessions/" + testSessionID + "/x", SignedID: testSessionID}, nil)
	require.ErrorIs(t, err, ErrNotFound)
	var ae *APIError
	require.ErrorAs(t, err, &ae)
	assert.Equal(t, 2, ae.Attempts, "a GET is retried after a 503")
	assert.Equal(t, "/v1/sessions/"+testSessionID+"/x", ae.Path)
}

// failingMarshaler fails to encode with a message holding a personal value,
// which must not reach the error.
type failingMarshaler struct{}

func (failingMarshaler) MarshalJSON() ([]byte, error) {
	return nil, errors.New("bad date of birth 1990-04-12")
}

func TestExecuteRefusesBadRequests(t *testing.T) {
	id := testSessionID
	tests := []struct {
		name string
		req  RawRequest
		want string
	}{
		{"no method", RawRequest{Path: "/sessions"}, "RawRequest.Method"},
		{"lower-case method", RawRequest{Method: "get", Path: "/sessions/" + id, SignedID: id}, "RawRequest.Method"},
		{"CONNECT", RawRequest{Method: "CONNECT", Path: "/sessions"}, "RawRequest.Method"},
		{"relative path", RawRequest{Method: http.MethodPost, Path: "sessions"}, "start with"},
		{"empty path", RawRequest{Method: http.MethodPost}, "start with"},
		{"double slash", RawRequest{Method: http.MethodPost, Path: "//evil.example/x"}, "//"},
		{"dot dot", RawRequest{Method: http.MethodGet, Path: "/sessions/" + id + "/../../admin", SignedID: id}, ".."},
		{"query in path", RawRequest{Method: http.MethodPost, Path: "/sessions?x=1"}, "query"},
		{"fragment in path", RawRequest{Method: http.MethodPost, Path: "/sessions#x"}, "query or fragment"},
		{"escape in path", RawRequest{Method: http.MethodPost, Path: "/sessions/%2e%2e"}, "%"},
		{"space in path", RawRequest{Method: http.MethodPost, Path: "/sessions/a b"}, "white space"},
		{"v1 prefix", RawRequest{Method: http.MethodPost, Path: "/v1/sessions"}, "leave \"/v1\" out"},
		{"GET without SignedID", RawRequest{Method: http.MethodGet, Path: "/sessions/" + id}, "RawRequest.SignedID"},
		{"bad SignedID", RawRequest{Method: http.MethodGet, Path: "/sessions/a b", SignedID: "a b"}, "RawRequest"},
		{"SignedID not in path", RawRequest{Method: http.MethodGet, Path: "/sessions/other", SignedID: id}, "not a segment"},
		{"GET with body", RawRequest{Method: http.MethodGet, Path: "/sessions/" + id, SignedID: id, Body: map[string]int{}}, "takes no body"},
		{"unencodable body", RawRequest{Method: http.MethodPost, Path: "/sessions", Body: map[string]any{"f": func() {}}}, "cannot encode JSON: unsupported type func()"},
		{"unencodable value", RawRequest{Method: http.MethodPost, Path: "/sessions", Body: map[string]float64{"f": math.Inf(1)}}, "cannot encode JSON: unsupported value"},
		{"failing MarshalJSON", RawRequest{Method: http.MethodPost, Path: "/sessions", Body: failingMarshaler{}}, "cannot encode JSON: MarshalJSON of veriff.failingMarshaler failed"},
		{"invalid UTF-8 path", RawRequest{Method: http.MethodPost, Path: "/sessions/\xc0\xaf"}, "not valid UTF-8"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, mt := setup(t)
			err := c.Execute(context.Background(), tt.req, nil)
			require.ErrorIs(t, err, ErrInvalidInput)
			assert.Contains(t, err.Error(), tt.want)
			assert.NotContains(t, err.Error(), "1990-04-12", "no values in errors")
			assert.Zero(t, mt.GetTotalCallCount(), "nothing is sent")
		})
	}
}
