package e2e

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/veriffgo/veriff"
	"github.com/veriffgo/veriff/internal/emulator"
	"github.com/veriffgo/veriff/verifftest"
)

const (
	testKey    = "e2e-api-key"
	testSecret = "e2e-shared-secret"
	// pageTimeout bounds one test's browser work.
	pageTimeout = 60 * time.Second
)

// chromiumPath returns the Chromium to drive: $E2E_CHROMIUM when set (""
// when that file is missing), else Debian's /usr/bin/chromium, else one on
// $PATH; "" when there is none.
func chromiumPath() string {
	if p := os.Getenv("E2E_CHROMIUM"); p != "" {
		if _, err := os.Stat(p); err != nil {
			return "" // named but missing: as if there were none
		}
		return p
	}
	if _, err := os.Stat("/usr/bin/chromium"); err == nil {
		return "/usr/bin/chromium"
	}
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// newBrowser starts a fresh headless Chromium (its own user-data dir) for
// the test and returns a context of its first tab, bounded by pageTimeout.
// Without Chromium the test skips, or fails when E2E_REQUIRE=1.
func newBrowser(t *testing.T) context.Context {
	t.Helper()
	path := chromiumPath()
	if path == "" {
		if os.Getenv("E2E_REQUIRE") == "1" {
			t.Fatal("E2E_REQUIRE=1 but no Chromium: install Debian's chromium package (apt-get install -y chromium) or set E2E_CHROMIUM")
		}
		t.Skip("no Chromium (/usr/bin/chromium or E2E_CHROMIUM); set E2E_REQUIRE=1 to make this a failure")
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	bctx, cancelBrowser := chromedp.NewContext(actx)
	// The first call starts the browser and binds it to bctx (no timeout);
	// the test's actions run under pageTimeout.
	require.NoError(t, chromedp.Do(bctx), "starting Chromium")
	tctx, cancelTimeout := context.WithTimeout(bctx, pageTimeout)
	t.Cleanup(func() {
		cancelTimeout()
		cancelBrowser()
		cancelAlloc()
	})
	return tctx
}

var (
	shotsOnce sync.Once
	shotsDir  string
)

// screenshotDir is $E2E_SCREENSHOTS, or a temporary directory made once per
// run; screenshots are test artefacts and are kept after the run.
func screenshotDir(t *testing.T) string {
	t.Helper()
	shotsOnce.Do(func() {
		shotsDir = os.Getenv("E2E_SCREENSHOTS")
		if shotsDir == "" {
			d, err := os.MkdirTemp("", "veriff-e2e-screenshots-")
			if err == nil {
				shotsDir = d
			}
		}
		if shotsDir != "" {
			_ = os.MkdirAll(shotsDir, 0o755)
		}
	})
	require.NotEmpty(t, shotsDir, "no screenshot directory")
	return shotsDir
}

// screenshot saves a full-page PNG of the current page as name.png and,
// with E2E_DOCS=1 and a docName, also as ../docs/docName.
func screenshot(t *testing.T, ctx context.Context, name, docName string) {
	t.Helper()
	buf, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	require.NoError(t, err)
	require.True(t, bytes.HasPrefix(buf, []byte("\x89PNG")), "a PNG")
	p := filepath.Join(screenshotDir(t), name+".png")
	require.NoError(t, os.WriteFile(p, buf, 0o644))
	t.Logf("screenshot %s", p)
	if docName != "" && os.Getenv("E2E_DOCS") == "1" {
		require.NoError(t, os.WriteFile(filepath.Join("..", "docs", docName), buf, 0o644))
	}
}

// server is what the veriff emulator serves (verifftest behind
// internal/emulator's portal and admin API) on a loopback port; URL is
// its base URL.
type server struct {
	*verifftest.Server
	URL string
}

// newServer starts the emulator's handler on loopback for one test.
func newServer(t *testing.T) *server {
	t.Helper()
	srv := verifftest.NewUnstartedServer(testKey, testSecret)
	t.Cleanup(srv.Close)
	hs := httptest.NewServer(emulator.New(srv).Handler())
	t.Cleanup(hs.Close)
	return &server{Server: srv, URL: hs.URL}
}

func newClient(t *testing.T, srv *server) *veriff.Client {
	t.Helper()
	c, err := veriff.NewClient(testKey, testSecret, veriff.WithBaseURL(srv.URL))
	require.NoError(t, err)
	return c
}

// receiver is a loopback webhook receiver answering 200 to verified
// webhooks and 401 to the rest.
type receiver struct {
	*httptest.Server
	mu  sync.Mutex
	got []*veriff.Webhook
}

func newReceiver(t *testing.T) *receiver {
	t.Helper()
	r := &receiver{}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		b, err := io.ReadAll(io.LimitReader(req.Body, 1<<20))
		if err != nil || veriff.VerifyWebhook(b, req.Header, testSecret) != nil {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		wh, err := veriff.ParseWebhook(b)
		if err != nil {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		r.mu.Lock()
		r.got = append(r.got, wh)
		r.mu.Unlock()
	}))
	t.Cleanup(r.Close)
	return r
}

// count returns how many verified webhooks of kind arrived.
func (r *receiver) count(kind veriff.WebhookKind) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for _, wh := range r.got {
		if wh.Kind == kind {
			n++
		}
	}
	return n
}

// testImages writes three PNG images (document front, back, selfie) to a
// temporary directory and returns their paths in that order.
func testImages(t *testing.T) []string {
	t.Helper()
	dir := t.TempDir()
	specs := []struct {
		name   string
		w, h   int
		bg, fg color.RGBA
	}{
		{"ine-front.png", 640, 400, color.RGBA{0xd8, 0xe4, 0xf0, 0xff}, color.RGBA{0x8a, 0x1c, 0x4a, 0xff}},
		{"ine-back.png", 640, 400, color.RGBA{0xe9, 0xe4, 0xd4, 0xff}, color.RGBA{0x20, 0x4a, 0x87, 0xff}},
		{"selfie.png", 400, 500, color.RGBA{0xcf, 0xe3, 0xd4, 0xff}, color.RGBA{0x6b, 0x4a, 0x2f, 0xff}},
	}
	var paths []string
	for _, s := range specs {
		img := image.NewRGBA(image.Rect(0, 0, s.w, s.h))
		draw.Draw(img, img.Bounds(), &image.Uniform{s.bg}, image.Point{}, draw.Src)
		// A block standing for the photo or the face, and lines of "text".
		draw.Draw(img, image.Rect(s.w/12, s.h/6, s.w/12+s.w/4, s.h/6+s.h/2), &image.Uniform{s.fg}, image.Point{}, draw.Src)
		for i := 0; i < 4; i++ {
			y := s.h/6 + i*s.h/9
			draw.Draw(img, image.Rect(s.w/2, y, s.w-s.w/12, y+s.h/30), &image.Uniform{s.fg}, image.Point{}, draw.Src)
		}
		var b bytes.Buffer
		require.NoError(t, png.Encode(&b, img))
		p := filepath.Join(dir, s.name)
		require.NoError(t, os.WriteFile(p, b.Bytes(), 0o644))
		paths = append(paths, p)
	}
	return paths
}

// location returns the current page's URL.
func location(t *testing.T, ctx context.Context) string {
	t.Helper()
	u, err := chromedp.Run(ctx, chromedp.Location())
	require.NoError(t, err)
	return u
}

// pageText returns the visible text of the page's body.
func pageText(t *testing.T, ctx context.Context) string {
	t.Helper()
	s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("body")))
	require.NoError(t, err)
	return strings.Join(strings.Fields(s), " ")
}

// clickAndLoad clicks sel and waits for the page it leads to to load.
func clickAndLoad(t *testing.T, ctx context.Context, sel chromedp.CSS) {
	t.Helper()
	_, err := chromedp.Run(ctx, chromedp.WaitEvent(page.LoadEventFired, nil, chromedp.Click(sel)))
	require.NoError(t, err, "click %s", sel)
}

// eval evaluates expr in the page.
func eval[T any](t *testing.T, ctx context.Context, expr string) T {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr))
	require.NoError(t, err, "evaluating %s", expr)
	return v
}

// waitJS polls the page until expr is true.
func waitJS(t *testing.T, ctx context.Context, expr string) {
	t.Helper()
	_, err := chromedp.Run(ctx, chromedp.Poll[bool](expr, chromedp.WithPollingTimeout(20*time.Second)))
	require.NoError(t, err, "waiting for %s", expr)
}
