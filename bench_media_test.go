package veriff

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
)

// BenchmarkUploadMedia uploads a 1 MiB and a 16 MiB JPEG to a loopback
// server that discards the body, through the SDK's streaming upload (from
// memory and from a file) and through a naive client that builds the whole
// body with encoding/json. Run it with
//
//	go test -run '^$' -bench BenchmarkUploadMedia -benchmem -benchtime=20x .
//
// B/op shows the memory each upload allocates (client and loopback server
// together).
func BenchmarkUploadMedia(b *testing.B) {
	mediaJSON := []byte(`{"status":"success","image":{"id":"4b6cb5a4-6a0a-4b36-8f5b-1d0f1e3c9a11","name":"face","context":"face","timestamp":null,"size":1,"mimetype":"image/jpeg","url":"https://example.test/m","sessionId":"12df6045-3846-3e45-946a-14fa6136d78b"}}`)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, err := io.Copy(io.Discard, r.Body); err != nil {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusCreated)
		_, _ = w.Write(mediaJSON)
	}))
	defer srv.Close()

	c, err := NewClient(testAPIKey, testSecret, WithBaseURL(srv.URL), WithHTTPClient(srv.Client()))
	if err != nil {
		b.Fatal(err)
	}
	dir := b.TempDir()

	for _, size := range []struct {
		name string
		n    int
	}{{"1MiB", 1 << 20}, {"16MiB", 16 << 20}} {
		content := benchJPEG(size.n)
		path := filepath.Join(dir, size.name+".jpg")
		if err := os.WriteFile(path, content, 0o600); err != nil {
			b.Fatal(err)
		}

		b.Run("sdk/"+size.name, func(b *testing.B) {
			b.SetBytes(int64(size.n))
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if _, err := c.UploadMedia(context.Background(), testSessionID, MediaUpload{Context: ContextFace, Content: content}); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run("sdk-file/"+size.name, func(b *testing.B) {
			b.SetBytes(int64(size.n))
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if _, err := c.UploadMediaFile(context.Background(), testSessionID, ContextFace, path); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run("naive/"+size.name, func(b *testing.B) {
			hc := srv.Client()
			url := srv.URL + "/v1/sessions/" + testSessionID + "/media"
			b.SetBytes(int64(size.n))
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				naiveUpload(b, hc, url, content)
			}
		})
	}
}

// naiveUpload is how an upload is often written: the data URI as a string,
// the body marshalled whole, signed, and posted.
func naiveUpload(b *testing.B, hc *http.Client, url string, content []byte) {
	type image struct {
		Context string `json:"context"`
		Content string `json:"content"`
	}
	body, err := json.Marshal(struct {
		Image image `json:"image"`
	}{image{Context: "face", Content: "data:image/jpeg;base64," + base64.StdEncoding.EncodeToString(content)}})
	if err != nil {
		b.Fatal(err)
	}
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		b.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-AUTH-CLIENT", testAPIKey)
	req.Header.Set("X-HMAC-SIGNATURE", Sign(testSecret, body))
	resp, err := hc.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	var out struct {
		Image *Media `json:"image"`
	}
	err = json.NewDecoder(resp.Body).Decode(&out)
	resp.Body.Close()
	if err != nil || resp.StatusCode != http.StatusCreated || out.Image == nil {
		b.Fatalf("naive upload: status %d, err %v", resp.StatusCode, err)
	}
}

// benchJPEG returns n bytes that start like a JPEG, filled with varied data.
func benchJPEG(n int) []byte {
	p := make([]byte, n)
	copy(p, []byte{0xFF, 0xD8, 0xFF, 0xE0})
	x := uint32(2463534242)
	for i := 4; i < n; i++ {
		x ^= x << 13
		x ^= x >> 17
		x ^= x << 5
		p[i] = byte(x)
	}
	return p
}
