package verifftest_test

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/veriffgo/veriff"
	"github.com/veriffgo/veriff/internal/faketest"
	"github.com/veriffgo/veriff/verifftest"
)

// createHosted creates a session and returns its ID and verification URL.
func (a *api) createHosted(body string) (id, verificationURL string) {
	a.T.Helper()
	r := a.Send(http.MethodPost, "/v1/sessions", []byte(body))
	require.Equal(a.T, http.StatusCreated, r.Status, "body: %s", r.Body)
	v := r.JSON(a.T)["verification"].(map[string]any)
	return v["id"].(string), v["url"].(string)
}

// upload is one file part of the hosted flow's form.
type upload struct {
	field, filename string
	content         []byte
}

func threeImages() []upload {
	return []upload{
		{"document-front", "front.jpg", faketest.JPEG},
		{"document-back", "back.png", pngBytes},
		{"face", "selfie.jpg", faketest.JPEG},
	}
}

// postForm posts files as multipart/form-data to target, never following
// redirects.
func postForm(t *testing.T, target string, files []upload) faketest.Response {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for _, f := range files {
		w, err := mw.CreateFormFile(f.field, f.filename)
		require.NoError(t, err)
		_, err = w.Write(f.content)
		require.NoError(t, err)
	}
	require.NoError(t, mw.Close())
	req, err := http.NewRequest(http.MethodPost, target, &buf)
	require.NoError(t, err)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return faketest.Do(t, req)
}

func TestHostedPage(t *testing.T) {
	srv := newServer(t)
	a := newAPI(t, srv)
	_, vurl := a.createHosted(`{"verification":{}}`)
	r := faketest.Get(t, vurl)
	require.Equal(t, http.StatusOK, r.Status)
	assert.Equal(t, "text/html; charset=utf-8", r.Header.Get("Content-Type"))
	page := string(r.Body)
	u, err := url.Parse(vurl)
	require.NoError(t, err)
	assert.Contains(t, page, `<form method="post" action="`+u.Path+`" enctype="multipart/form-data"`)
	for _, f := range []struct{ name, capture string }{{"document-front", "environment"}, {"document-back", "environment"}, {"face", "user"}} {
		assert.Contains(t, page, `<label for="`+f.name+`">`)
		assert.Contains(t, page, `<input type="file" id="`+f.name+`" name="`+f.name+`" accept="image/*" capture="`+f.capture+`" required`)
	}
	assert.Contains(t, page, `<button type="submit"`)
	assert.Contains(t, page, `<script src="/_assets/hosted.js" defer></script>`)
	assert.NotContains(t, page, "http://", "no external resources")
	assert.Contains(t, r.Header.Get("Content-Security-Policy"), "default-src 'none'")

	for _, asset := range []string{"/_assets/style.css", "/_assets/hosted.js"} {
		r := faketest.Get(t, srv.URL+asset)
		assert.Equal(t, http.StatusOK, r.Status, asset)
		assert.NotEmpty(t, r.Body, asset)
	}
	assert.Equal(t, http.StatusNotFound, faketest.Get(t, srv.URL+"/v/not-a-token").Status)
}

func TestHostedSubmit(t *testing.T) {
	tests := []struct {
		name       string
		body       string
		autoDecide veriff.SessionStatus
		wantStatus int
		location   string
		final      veriff.SessionStatus
	}{
		{"done page", `{"verification":{"vendorData":"h1"}}`, "", http.StatusOK, "", veriff.StatusSubmitted},
		{"callback", `{"verification":{"callback":"https://example.com/done?x=1"}}`, "", http.StatusSeeOther, "https://example.com/done?x=1", veriff.StatusSubmitted},
		{"AutoDecide", `{"verification":{}}`, veriff.StatusApproved, http.StatusOK, "", veriff.StatusApproved},
		{"firstName trick", `{"verification":{"person":{"firstName":"Decline"}}}`, "", http.StatusOK, "", veriff.StatusDeclined},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newServer(t)
			rc := newReceiver(t)
			srv.SetWebhookURL(rc.URL)
			srv.AutoDecide(tt.autoDecide)
			a := newAPI(t, srv)
			id, vurl := a.createHosted(tt.body)

			r := postForm(t, vurl, threeImages())
			require.Equal(t, tt.wantStatus, r.Status, "body: %s", r.Body)
			if tt.location != "" {
				assert.Equal(t, tt.location, r.Header.Get("Location"))
			} else {
				assert.Contains(t, string(r.Body), "Your photos were sent")
			}
			s, _ := srv.Session(id)
			assert.Equal(t, tt.final, s.Status)
			require.Len(t, s.Attempts, 1)
			var ctxs []veriff.MediaContext
			for _, m := range s.Attempts[0].Media {
				ctxs = append(ctxs, m.Context)
			}
			assert.Equal(t, []veriff.MediaContext{veriff.ContextDocumentFront, veriff.ContextDocumentBack, veriff.ContextFace}, ctxs)
			assert.Equal(t, faketest.JPEG, s.Attempts[0].Media[0].Content)
			assert.Equal(t, "image/png", s.Attempts[0].Media[1].MimeType)

			want := 2
			if tt.final != veriff.StatusSubmitted {
				want = 3
			}
			ds, err := srv.WaitForDeliveries(waitCtx(t), want)
			require.NoError(t, err)
			var codes []string
			for _, d := range ds {
				wh, err := veriff.ParseWebhook(d.Body)
				require.NoError(t, err)
				if wh.Kind == veriff.WebhookEvent {
					codes = append(codes, wh.Event.Action)
				}
			}
			assert.ElementsMatch(t, []string{"started", "submitted"}, codes)
		})
	}
}

func TestHostedRefusals(t *testing.T) {
	big := append(append([]byte(nil), faketest.JPEG...), make([]byte, verifftest.MaxHostedImageBytes)...)
	tests := []struct {
		name    string
		prepare func(a *api, srv *verifftest.Server, id, vurl string)
		files   []upload
		status  int
		message string
		after   veriff.SessionStatus
		media   int
	}{
		{"missing file", nil, threeImages()[:2], http.StatusBadRequest, "Please add: a photo of your face.", veriff.StatusCreated, 0},
		{"empty file", nil, append(threeImages()[:2], upload{"face", "", nil}), http.StatusBadRequest, "Please add: a photo of your face.", veriff.StatusCreated, 0},
		{"not an image", nil, append(threeImages()[:2], upload{"face", "cv.txt", []byte("plain text, not a photo")}), http.StatusUnsupportedMediaType, "A photo of your face: the file is not an image.", veriff.StatusCreated, 0},
		{"a PDF", nil, append(threeImages()[1:], upload{"document-front", "a.pdf", []byte("%PDF-1.7\n1 0 obj")}), http.StatusUnsupportedMediaType, "Front of your ID document: the file is not an image.", veriff.StatusCreated, 0},
		{"too large", nil, []upload{{"document-front", "huge.jpg", big}, threeImages()[1], threeImages()[2]}, http.StatusRequestEntityTooLarge, "the file is larger than 18 MB", veriff.StatusCreated, 0},
		{"second submit", func(_ *api, _ *verifftest.Server, _, vurl string) {
			require.Equal(t, http.StatusOK, postForm(t, vurl, threeImages()).Status)
		}, threeImages(), http.StatusConflict, "already been submitted", veriff.StatusSubmitted, 3},
		{"not open", func(_ *api, srv *verifftest.Server, id, _ string) {
			require.NoError(t, srv.Decide(id, veriff.StatusDeclined))
		}, threeImages(), http.StatusConflict, "no longer open (its status is declined)", veriff.StatusDeclined, 0},
		{"submitted through the API", func(a *api, _ *verifftest.Server, id, _ string) {
			require.Equal(t, http.StatusOK, a.Submit(id).Status)
		}, threeImages(), http.StatusConflict, "already been submitted", veriff.StatusSubmitted, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newServer(t)
			a := newAPI(t, srv)
			id, vurl := a.createHosted(`{"verification":{}}`)
			if tt.prepare != nil {
				tt.prepare(a, srv, id, vurl)
			}
			before, _ := srv.Session(id)
			r := postForm(t, vurl, tt.files)
			assert.Equal(t, tt.status, r.Status)
			assert.Contains(t, string(r.Body), `role="alert"`)
			assert.Contains(t, string(r.Body), tt.message)
			after, _ := srv.Session(id)
			assert.Equal(t, tt.after, after.Status)
			assert.Len(t, after.Attempts[len(after.Attempts)-1].Media, tt.media)
			assert.Equal(t, before, after, "nothing changed")
		})
	}
}

func TestHostedNotMultipart(t *testing.T) {
	srv := newServer(t)
	a := newAPI(t, srv)
	id, vurl := a.createHosted(`{"verification":{}}`)
	req, err := http.NewRequest(http.MethodPost, vurl, strings.NewReader("face=x"))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r := faketest.Do(t, req)
	assert.Equal(t, http.StatusBadRequest, r.Status)
	s, _ := srv.Session(id)
	assert.Equal(t, veriff.StatusCreated, s.Status)
}

// Veriff's test trick through the API: person.firstName decides on submit.
func TestFirstNameTrick(t *testing.T) {
	tests := []struct {
		firstName string
		want      veriff.SessionStatus
	}{
		{"Approve", veriff.StatusApproved},
		{"Decline", veriff.StatusDeclined},
		{"Resubmit", veriff.StatusResubmissionRequested},
		{"approve", veriff.StatusApproved},
		{"Juan", veriff.StatusSubmitted},
	}
	for _, tt := range tests {
		t.Run(tt.firstName, func(t *testing.T) {
			srv := newServer(t)
			a := newAPI(t, srv)
			id := a.Create(`{"verification":{"person":{"firstName":"` + tt.firstName + `"}}}`)
			a.upload(id, "face", faketest.JPEG)
			r := a.Submit(id)
			require.Equal(t, http.StatusOK, r.Status)
			v := r.JSON(t)["verification"].(map[string]any)
			assert.Equal(t, "submitted", v["status"], "the submit answer itself says submitted")
			s, _ := srv.Session(id)
			assert.Equal(t, tt.want, s.Status)
			if tt.want != veriff.StatusSubmitted {
				d := a.Decision(id)["verification"].(map[string]any)
				assert.Equal(t, string(tt.want), d["status"])
			}
		})
	}
}

var previewRE = regexp.MustCompile(`<img class="preview"[^>]*>`)

// The previews are hidden until the script fills them: the page as
// served, and as served again after a refused upload, hides all three,
// and the stylesheet lets the hidden attribute win over .preview's display.
func TestHostedPreviewsHiddenWithoutScript(t *testing.T) {
	srv := newServer(t)
	a := newAPI(t, srv)
	_, vurl := a.createHosted(`{"verification":{}}`)
	pages := map[string]faketest.Response{
		"served":  faketest.Get(t, vurl),
		"refused": postForm(t, vurl, threeImages()[:2]),
	}
	for name, r := range pages {
		imgs := previewRE.FindAllString(string(r.Body), -1)
		require.Len(t, imgs, 3, name)
		for _, img := range imgs {
			assert.True(t, strings.HasSuffix(img, " hidden>"), "%s: %s", name, img)
			assert.NotContains(t, img, "src=", name)
		}
	}
	css := string(faketest.Get(t, srv.URL+"/_assets/style.css").Body)
	assert.Contains(t, css, "[hidden] { display: none !important; }")
}

// Already submitted is a normal state, told in the info style; a link no
// longer open and a refused upload are errors.
func TestHostedMessageStyles(t *testing.T) {
	tests := []struct {
		name    string
		prepare func(a *api, srv *verifftest.Server, id, vurl string)
		post    bool
		want    string
	}{
		{"submitted, opened", func(a *api, _ *verifftest.Server, id, _ string) { a.upload(id, "face", faketest.JPEG); a.Submit(id) }, false,
			`<p class="alert info" role="status" id="form-error">This verification has already been submitted.`},
		{"submitted, posted", func(a *api, _ *verifftest.Server, id, _ string) { a.upload(id, "face", faketest.JPEG); a.Submit(id) }, true,
			`<p class="alert info" role="alert" id="form-error">This verification has already been submitted.`},
		{"declined, opened", func(_ *api, srv *verifftest.Server, id, _ string) {
			require.NoError(t, srv.Decide(id, veriff.StatusDeclined))
		}, false,
			`<p class="alert error" role="alert" id="form-error">This verification is no longer open`},
		{"refused upload", nil, true,
			`<p class="alert error" role="alert" id="form-error">Please add: a photo of your face. Nothing was kept: please choose all three photos again.</p>`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newServer(t)
			a := newAPI(t, srv)
			id, vurl := a.createHosted(`{"verification":{}}`)
			if tt.prepare != nil {
				tt.prepare(a, srv, id, vurl)
			}
			var r faketest.Response
			if tt.post {
				r = postForm(t, vurl, threeImages()[:2])
			} else {
				r = faketest.Get(t, vurl)
			}
			assert.Contains(t, string(r.Body), tt.want)
		})
	}
}
