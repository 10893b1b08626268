package verifftest_test

import (
	"net/http"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/veriffgo/veriff"
	"github.com/veriffgo/veriff/internal/faketest"
	"github.com/veriffgo/veriff/verifftest"
)

func TestMediaListAndDownload(t *testing.T) {
	srv := newServer(t)
	a := newAPI(t, srv)
	id := a.Create(`{"verification":{}}`)

	uploads := []struct {
		ctx     string
		content []byte
		dataURI bool
		mime    string
	}{
		{"document-front", faketest.JPEG, true, "image/jpeg"},
		{"document-back", pngBytes, false, "image/png"},
		{"face", []byte("%PDF-1.7\nnot really"), false, "application/pdf"},
	}
	ids := map[string]int{}
	for i, u := range uploads {
		content := dataURI(u.mime, u.content)
		if !u.dataURI {
			content = content[len("data:"+u.mime+";base64,"):]
		}
		r := a.sendJSON(http.MethodPost, "/v1/sessions/"+id+"/media", map[string]any{
			"image": map[string]any{"context": u.ctx, "content": content, "timestamp": "2024-01-01T00:00:00.000Z"},
		})
		require.Equal(t, http.StatusOK, r.Status, "body: %s", r.Body)
		m := r.JSON(t)
		assert.Equal(t, "success", m["status"])
		img := m["image"].(map[string]any)
		mid := img["id"].(string)
		ids[mid] = i
		assert.Equal(t, u.ctx, img["context"])
		assert.EqualValues(t, len(u.content), img["size"])
		assert.Equal(t, u.mime, img["mimetype"])
		assert.Equal(t, srv.URL+"/v1/media/"+mid, img["url"])
		assert.Equal(t, id, img["sessionId"])
		assert.Nil(t, img["timestamp"], "deprecated, always null")
		assert.NotEmpty(t, img["name"])
	}

	r := a.Get(http.MethodGet, "/v1/sessions/"+id+"/media", id)
	require.Equal(t, http.StatusOK, r.Status)
	list := r.JSON(t)
	assert.Equal(t, []any{}, list["videos"])
	images := list["images"].([]any)
	require.Len(t, images, len(uploads))

	for _, im := range images {
		img := im.(map[string]any)
		mid := img["id"].(string)
		u := uploads[ids[mid]]
		dl := a.Get(http.MethodGet, "/v1/media/"+mid, mid)
		require.Equal(t, http.StatusOK, dl.Status)
		assert.Equal(t, u.content, dl.Body, "byte for byte")
		assert.Equal(t, u.mime, dl.Header.Get("Content-Type"))
		assert.Equal(t, strconv.Itoa(len(u.content)), dl.Header.Get("Content-Length"))
	}

	s, _ := srv.Session(id)
	require.Len(t, s.Attempts[0].Media, 3)
	assert.Equal(t, faketest.JPEG, s.Attempts[0].Media[0].Content)
	assert.Equal(t, veriff.ContextDocumentFront, s.Attempts[0].Media[0].Context)

	r = a.Get(http.MethodGet, "/v1/attempts/"+s.Attempts[0].ID+"/media", s.Attempts[0].ID)
	require.Equal(t, http.StatusOK, r.Status)
	assert.Len(t, r.JSON(t)["images"], 3)

	// An attempt with no media gives empty arrays.
	other := a.Create(`{"verification":{}}`)
	r = a.Get(http.MethodGet, "/v1/sessions/"+other+"/media", other)
	assert.JSONEq(t, `{"status":"success","images":[],"videos":[],"nfcDocuments":[]}`, string(r.Body))
}

func TestINERegistry(t *testing.T) {
	srv := newServer(t)
	a := newAPI(t, srv)
	id := a.Create(faketest.INESessionBody)
	path := "/v1/sessions/" + id + "/decision/ine-registry"

	r := a.Get(http.MethodGet, path, id)
	assert.Equal(t, http.StatusBadRequest, r.Status, "version is required")
	assert.Equal(t, "1102", r.Code(t))

	// 404 until decided, as Veriff answers.
	for _, p := range []string{path, "/v1/sessions/" + id + "/decision/curp-registry", "/v1/sessions/" + id + "/decision/combined-ine-curp-registry"} {
		r = a.Get(http.MethodGet, p+"?version=1.0.0", id)
		assert.Equal(t, http.StatusNotFound, r.Status, p)
		assert.Equal(t, "fail", r.JSON(t)["status"])
	}
	require.NoError(t, srv.Decide(id, veriff.StatusDeclined))
	r = a.Get(http.MethodGet, path+"?version=1.0.0", id)
	require.Equal(t, http.StatusOK, r.Status)
	assert.JSONEq(t, `{"active":false,"documentState":"No se obtuvieron datos de la consulta con los parámetros seleccionados"}`, string(r.Body))

	require.NoError(t, srv.Decide(id, veriff.StatusApproved))
	r = a.Get(http.MethodGet, path+"?version=1.0.0", id)
	assert.JSONEq(t, `{"active":true,"documentState":"El documento es válido."}`, string(r.Body))

	set := veriff.INERegistryResult{Active: false, DocumentState: "La credencial fue reportada como extraviada."}
	require.NoError(t, srv.SetINERegistry(id, set))
	r = a.Get(http.MethodGet, path+"?version=1.0.0", id)
	assert.JSONEq(t, `{"active":false,"documentState":"La credencial fue reportada como extraviada."}`, string(r.Body))
	s, _ := srv.Session(id)
	assert.Equal(t, &set, s.INERegistry)

	// CURP and the combined query.
	r = a.Get(http.MethodGet, "/v1/sessions/"+id+"/decision/curp-registry", id)
	assert.Equal(t, http.StatusBadRequest, r.Status)
	r = a.Get(http.MethodGet, "/v1/sessions/"+id+"/decision/curp-registry?version=1.0.0", id)
	require.Equal(t, http.StatusOK, r.Status)
	assert.JSONEq(t, `{"statusCurp":"inactive","curp":"PEGJ850720HDFRRN04"}`, string(r.Body))
	require.NoError(t, srv.SetINERegistry(id, veriff.INERegistryResult{Active: true, DocumentState: "ok"}))
	r = a.Get(http.MethodGet, "/v1/sessions/"+id+"/decision/combined-ine-curp-registry?version=1.0.0", id)
	require.Equal(t, http.StatusOK, r.Status)
	assert.JSONEq(t, `{"ine":{"active":true,"documentState":"ok"},"curp":{"statusCurp":"active","curp":"PEGJ850720HDFRRN04"}}`, string(r.Body))
}

// No active credential without the INE consent.
func TestINERegistryWithoutConsent(t *testing.T) {
	srv := newServer(t)
	a := newAPI(t, srv)
	id := a.Create(`{"verification":{"vendorData":"no-consent"}}`)
	require.ErrorIs(t, srv.SetINERegistry(id, veriff.INERegistryResult{Active: true}), verifftest.ErrNoINEConsent)
	require.NoError(t, srv.Decide(id, veriff.StatusApproved))
	tests := []struct{ path, want string }{
		{"/decision/ine-registry", `{"active":false,"documentState":"No se obtuvieron datos de la consulta con los parámetros seleccionados"}`},
		{"/decision/curp-registry", `{"statusCurp":"inactive","curp":"HELG900215MDFRPD09"}`},
	}
	for _, tt := range tests {
		r := a.Get(http.MethodGet, "/v1/sessions/"+id+tt.path+"?version=1.0.0", id)
		require.Equal(t, http.StatusOK, r.Status, tt.path)
		assert.JSONEq(t, tt.want, string(r.Body), tt.path)
	}
	s, _ := srv.Session(id)
	assert.Nil(t, s.INERegistry)
}

// SetINEBiometric copies what the caller's pointers hold.
func TestINEBiometricCopied(t *testing.T) {
	srv := newServer(t)
	a := newAPI(t, srv)
	id := a.Create(faketest.INESessionBody)
	match, pct, st := true, 90.0, "success"
	require.NoError(t, srv.SetINEBiometric(id, veriff.INEBiometricRegistryValidation{
		FaceMatch: &match, FaceMatchPercentage: &pct, ResponseStatus: &st,
	}))
	match, pct, st = false, 1, "changed by the caller"
	require.NoError(t, srv.Decide(id, veriff.StatusApproved))
	v := a.Decision(id)["verification"].(map[string]any)
	bio := v["additionalVerifiedData"].(map[string]any)["ineBiometricRegistryValidation"]
	assert.Equal(t, map[string]any{"faceMatch": true, "faceMatchPercentage": 90.0, "responseStatus": "success"}, bio)
}

func TestINEBiometricOverride(t *testing.T) {
	srv := newServer(t)
	a := newAPI(t, srv)
	id := a.Create(faketest.INESessionBody)
	match, pct, st := false, 12.5, "success"
	require.NoError(t, srv.SetINEBiometric(id, veriff.INEBiometricRegistryValidation{
		FaceMatch: &match, FaceMatchPercentage: &pct, ResponseStatus: &st,
	}))
	require.NoError(t, srv.Decide(id, veriff.StatusApproved))
	v := a.Decision(id)["verification"].(map[string]any)
	bio := v["additionalVerifiedData"].(map[string]any)["ineBiometricRegistryValidation"]
	assert.Equal(t, map[string]any{"faceMatch": false, "faceMatchPercentage": 12.5, "responseStatus": "success"}, bio)
}
