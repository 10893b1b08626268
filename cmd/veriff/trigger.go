package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/veriffgo/veriff"
	"github.com/veriffgo/veriff/internal/ids"
	"github.com/veriffgo/veriff/internal/netx"
)

// runTrigger POSTs one signed sample webhook to a receiver, as Veriff
// would, and reports the receiver's answer: exit 0 only on 200.
func runTrigger(ctx context.Context, env *cmdEnv, args []string) int {
	fs := newFlagSet(env, "trigger", "trigger -url URL [-secret S] [-api-key K] [-session ID] [-status STATUS] KIND",
		"POSTs one sample webhook of KIND, signed with the shared secret in X-HMAC-SIGNATURE,\n"+
			"to URL, and prints the HTTP status the receiver answered; exits 1 unless it was 200.\n"+
			"KIND is one of: "+kindNames()+".\n"+
			"-status picks the variant, per kind (the first is the default):\n"+statusHelp()+
			"-secret defaults to $"+secretEnv+", -api-key to $"+apiKeyEnv+".")
	target := fs.String("url", "", "the receiver's URL (http:// or https://)")
	secret := fs.String("secret", "", "the shared secret to sign with (default $"+secretEnv+")")
	apiKey := fs.String("api-key", "", "send this API key in X-AUTH-CLIENT, as Veriff does (default $"+apiKeyEnv+")")
	sessionID := fs.String("session", "", "the session ID in the body (default: a random UUID)")
	status := fs.String("status", "", "the variant of KIND (see above)")
	timeout := fs.Duration("timeout", 30*time.Second, "how long to wait for the receiver")
	plainHTTP := fs.Bool("plain-http", false, "allow sending -api-key over http:// to a host that is not loopback")
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	if !flagGiven(fs, "api-key") {
		*apiKey = os.Getenv(apiKeyEnv)
	}
	if fs.NArg() != 1 {
		return usage(env, fs, "want exactly one KIND (%s), got %d arguments", kindNames(), fs.NArg())
	}
	kind, ok := findSampleKind(fs.Arg(0))
	if !ok {
		return usage(env, fs, "unknown KIND %q; want one of %s", fs.Arg(0), kindNames())
	}
	u, err := receiverURL(*target)
	if err != nil {
		return usage(env, fs, "%v", err)
	}
	if *apiKey != "" && u.Scheme == "http" && !netx.IsLoopback(u.Hostname()) && !*plainHTTP {
		return usage(env, fs, "refusing to send the API key (-api-key or $%s) over plain http:// to %s; use https://, or -plain-http for an emulator on a private network", apiKeyEnv, u.Hostname())
	}
	s := *secret
	if s == "" {
		s = secretFromEnv()
	}
	if s == "" {
		return usage(env, fs, "-secret is required (or set $%s)", secretEnv)
	}
	if *timeout <= 0 {
		return usage(env, fs, "-timeout must be positive")
	}
	in := sampleInput{sessionID: *sessionID, attemptID: ids.NewUUID(), status: *status, now: time.Now()}
	if in.sessionID == "" {
		in.sessionID = ids.NewUUID()
	} else if veriff.ValidateID(in.sessionID) != nil {
		return usage(env, fs, "-session must be a session ID: 1 to 128 ASCII letters, digits, '-' and '_' (no spaces, slashes, dots or control characters)")
	}
	body, err := sampleBody(kind, in)
	if err != nil {
		return usage(env, fs, "%v", err)
	}
	code, err := postWebhook(ctx, u.String(), body, s, *apiKey, *timeout)
	if err != nil {
		return fail(env, fs, "%v", err)
	}
	fmt.Fprintf(env.stdout, "%s webhook for session %s: %d %s\n", kind.kind, in.sessionID, code, http.StatusText(code))
	if code != http.StatusOK {
		fmt.Fprintf(env.stderr, "%s: the receiver answered %d, not 200; Veriff would send it again later\n", fs.Name(), code)
		return exitFailed
	}
	return exitOK
}

func statusHelp() string {
	var b strings.Builder
	for _, k := range sampleKinds() {
		fmt.Fprintf(&b, "  %-27s %s: %s\n", k.kind, k.meaning, strings.Join(k.statuses, ", "))
	}
	return b.String()
}

// receiverURL checks -url: absolute, http or https, with a host.
func receiverURL(raw string) (*url.URL, error) {
	if raw == "" {
		return nil, fmt.Errorf("-url is required")
	}
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("-url is not a URL")
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("-url must be an absolute http:// or https:// URL")
	}
	return u, nil
}

// postWebhook sends body as Veriff sends a webhook and returns the
// receiver's status code. The answer's body is read and dropped.
func postWebhook(ctx context.Context, target string, body []byte, secret, apiKey string, timeout time.Duration) (int, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, bytes.NewReader(body))
	if err != nil {
		return 0, fmt.Errorf("building the request: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-HMAC-SIGNATURE", veriff.Sign(secret, body))
	if apiKey != "" {
		req.Header.Set("X-AUTH-CLIENT", apiKey)
	}
	req.Header.Set("User-Agent", "veriff-trigger")
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.Proxy = nil
	hc := &http.Client{Transport: tr, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	defer hc.CloseIdleConnections()
	resp, err := hc.Do(req)
	if err != nil {
		return 0, fmt.Errorf("POST to the receiver failed: %w", err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
	return resp.StatusCode, nil
}
