package verifftest_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/veriffgo/veriff/internal/faketest"
	"github.com/veriffgo/veriff/verifftest"
)

func TestFailNext(t *testing.T) {
	srv := newServer(t)
	a := newAPI(t, srv)
	id := a.Create(`{"verification":{}}`)

	srv.FailNext(2, http.StatusTooManyRequests, "3")
	assert.Equal(t, 2, srv.PendingFaults())
	for i := 0; i < 2; i++ {
		r := a.Get(http.MethodGet, "/v1/sessions/"+id+"/decision", id)
		assert.Equal(t, http.StatusTooManyRequests, r.Status)
		assert.Equal(t, "3", r.Header.Get("Retry-After"))
		m := r.JSON(t)
		assert.Equal(t, "fail", m["status"])
		assert.Equal(t, "Too Many Requests", m["message"])
	}
	assert.Equal(t, 0, srv.PendingFaults())
	assert.Equal(t, http.StatusOK, a.Get(http.MethodGet, "/v1/sessions/"+id+"/decision", id).Status)

	// A fault is applied before authentication, and without Retry-After.
	srv.FailNext(1, http.StatusServiceUnavailable, "")
	r := a.Do(http.MethodGet, "/v1/sessions/"+id+"/decision", nil, nil)
	assert.Equal(t, http.StatusServiceUnavailable, r.Status)
	assert.Empty(t, r.Header.Values("Retry-After"))

	reqs := srv.Requests()
	last := reqs[len(reqs)-1]
	assert.Equal(t, "fail", last.Fault)
	assert.Equal(t, http.StatusServiceUnavailable, last.Status)
	assert.Equal(t, "/v1/sessions/{id}/decision", last.Route)
}

func TestInjectFaultMatchesRoute(t *testing.T) {
	srv := newServer(t)
	a := newAPI(t, srv)
	id := a.Create(`{"verification":{}}`)
	srv.InjectFault(verifftest.Fault{
		Method: http.MethodPost, Route: "/v1/sessions/{id}/media",
		Status: http.StatusBadGateway, Code: "9999", Message: "upstream down",
	})
	// Other routes are untouched.
	assert.Equal(t, http.StatusOK, a.Get(http.MethodGet, "/v1/sessions/"+id+"/media", id).Status)
	r := a.Send(http.MethodPost, "/v1/sessions/"+id+"/media", []byte(`{}`))
	assert.Equal(t, http.StatusBadGateway, r.Status)
	assert.Equal(t, "9999", r.Code(t))
	assert.Equal(t, "upstream down", r.JSON(t)["message"])
	a.upload(id, "face", faketest.JPEG)

	srv.InjectFault(verifftest.Fault{Count: 5, Status: 500})
	srv.ClearFaults()
	assert.Equal(t, 0, srv.PendingFaults())
}

func TestDropNext(t *testing.T) {
	srv := newServer(t)
	a := newAPI(t, srv)
	srv.DropNext(1)
	_, err := a.Try(http.MethodPost, "/v1/sessions", []byte(`{"verification":{}}`), map[string]string{"X-AUTH-CLIENT": faketest.Key})
	require.Error(t, err, "the connection is closed without an answer")
	assert.Empty(t, srv.Sessions(), "a dropped request is not processed")
	reqs := srv.Requests()
	require.Len(t, reqs, 1)
	assert.Equal(t, "drop", reqs[0].Fault)
	assert.Equal(t, 0, reqs[0].Status)

	id := a.Create(`{"verification":{}}`)
	srv.DropNext(1)
	_, err = a.Try(http.MethodGet, "/v1/sessions/"+id+"/decision", nil, nil)
	require.Error(t, err)
}

func TestDropAfterProcessingNext(t *testing.T) {
	srv := newServer(t)
	a := newAPI(t, srv)
	srv.DropAfterProcessingNext(1)
	_, err := a.Try(http.MethodPost, "/v1/sessions", []byte(`{"verification":{}}`), map[string]string{"X-AUTH-CLIENT": faketest.Key})
	require.Error(t, err, "the answer is lost")
	assert.Len(t, srv.Sessions(), 1, "but the session was created")
	reqs := srv.Requests()
	require.Len(t, reqs, 1)
	assert.Equal(t, "drop-after-processing", reqs[0].Fault)
}

func TestRequestCount(t *testing.T) {
	srv := newServer(t)
	a := newAPI(t, srv)
	id := a.Create(`{"verification":{}}`)
	a.upload(id, "face", faketest.JPEG)
	a.upload(id, "document-front", faketest.JPEG)
	a.Decision(id)
	a.Get(http.MethodGet, "/v1/sessions/"+id+"/decision", "wrong") // 401, still counted

	assert.Equal(t, 1, srv.RequestCount(http.MethodPost, "/v1/sessions"))
	assert.Equal(t, 2, srv.RequestCount(http.MethodPost, "/v1/sessions/{id}/media"))
	assert.Equal(t, 2, srv.RequestCount(http.MethodPost, "/v1/sessions/"+id+"/media"), "a concrete path")
	assert.Equal(t, 0, srv.RequestCount(http.MethodGet, "/v1/sessions/{id}/media"))
	assert.Equal(t, 2, srv.RequestCount(http.MethodGet, "/v1/sessions/{id}/decision"))
	assert.Equal(t, 4, srv.RequestCount("", "/v1/sessions/{id}/media")+srv.RequestCount("", "/v1/sessions/{id}/decision"))
	assert.Equal(t, 5, srv.RequestCount("", ""))

	reqs := srv.Requests()
	require.Len(t, reqs, 5)
	assert.Equal(t, http.StatusCreated, reqs[0].Status)
	assert.Equal(t, http.StatusUnauthorized, reqs[4].Status)
	assert.Equal(t, faketest.Key, reqs[1].Header.Get("X-AUTH-CLIENT"))
	reqs[0].Header.Set("X-AUTH-CLIENT", "changed")
	assert.Equal(t, faketest.Key, srv.Requests()[0].Header.Get("X-AUTH-CLIENT"), "Requests returns copies")

	srv.ResetRequests()
	assert.Equal(t, 0, srv.RequestCount("", ""))
}
