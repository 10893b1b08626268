package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/veriffgo/veriff"
)

// The emulator's resident memory after 200 sessions
// with three 1 MiB images each (uploaded through the SDK, submitted), for
// the default flags (media bounded in memory), for -data-dir, and, as the
// raw baseline, with no bound (-max-media-mb 0). Reported as MiB-rss (now)
// and MiB-peak (VmHWM). Run with
//
//	go test -run '^$' -bench EmulatorMemory -benchtime 1x ./cmd/veriff
func BenchmarkEmulatorMemory(b *testing.B) {
	bin := buildBinary(b)
	cases := []struct {
		name string
		args func(b *testing.B) []string
	}{
		{"default", func(*testing.B) []string { return nil }},
		{"data-dir", func(b *testing.B) []string { return []string{"-data-dir", b.TempDir()} }},
		{"unbounded-baseline", func(*testing.B) []string { return []string{"-max-media-mb", "0"} }},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				e := startBinaryEmulator(b, bin, c.args(b)...)
				loadSessions(b, e, 200, 3, 1<<20)
				rss, peak := procMemory(b, e.cmd.Process.Pid)
				b.ReportMetric(rss, "MiB-rss")
				b.ReportMetric(peak, "MiB-peak")
				_ = e.cmd.Process.Kill()
				_ = e.cmd.Wait()
			}
		})
	}
}

// loadSessions creates n sessions on e, each with images of size bytes
// uploaded and submitted, four sessions at a time.
func loadSessions(tb testing.TB, e *binEmulator, n, images, size int) {
	tb.Helper()
	c, err := veriff.NewClient(e.key, e.secret, veriff.WithBaseURL(e.url))
	require.NoError(tb, err)
	ctx := context.Background()
	contexts := []veriff.MediaContext{veriff.ContextDocumentFront, veriff.ContextDocumentBack, veriff.ContextFace}
	var wg sync.WaitGroup
	errs := make(chan error, n)
	sem := make(chan struct{}, 4)
	for i := 0; i < n; i++ {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			s, err := c.CreateSession(ctx, veriff.CreateSessionRequest{VendorData: "load"})
			if err != nil {
				errs <- err
				return
			}
			for j := 0; j < images; j++ {
				img := append([]byte{0xff, 0xd8, 0xff, 0xe0}, make([]byte, size-4)...)
				_, _ = rand.Read(img[4:])
				if _, err := c.UploadMedia(ctx, s.ID, veriff.MediaUpload{Context: contexts[j%len(contexts)], Content: img}); err != nil {
					errs <- err
					return
				}
			}
			if _, err := c.SubmitSession(ctx, s.ID); err != nil {
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(tb, err)
	}
}

// procMemory returns a process's resident memory now and at its peak, in
// MiB, from /proc/PID/status.
func procMemory(tb testing.TB, pid int) (rss, peak float64) {
	tb.Helper()
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	require.NoError(tb, err)
	for _, line := range bytes.Split(raw, []byte("\n")) {
		f := strings.Fields(string(line))
		if len(f) < 2 {
			continue
		}
		kb, err := strconv.ParseFloat(f[1], 64)
		if err != nil {
			continue
		}
		switch f[0] {
		case "VmRSS:":
			rss = kb / 1024
		case "VmHWM:":
			peak = kb / 1024
		}
	}
	require.NotZero(tb, rss)
	return rss, peak
}
