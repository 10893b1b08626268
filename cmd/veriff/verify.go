package main

import (
	"bytes"
	"context"
	"encoding/hex"
	"fmt"
	"net/http"
	"strings"

	"github.com/veriffgo/veriff"
)

// runVerify checks a saved body (stdin) against a signature with one or
// more secrets, as a webhook receiver or Veriff's API does, and says which
// secret matched: the way to debug errors 1812, 1818 and 1819.
func runVerify(_ context.Context, env *cmdEnv, args []string) int {
	fs := newFlagSet(env, "verify", "verify -signature SIG [-secret S] [-secret S2 ...] < BODY",
		"Exits 0 when SIG is the HMAC-SHA256 of stdin, byte for byte, under one of the secrets\n"+
			"(repeat -secret while rotating), 1 otherwise. Signatures are compared in constant\n"+
			"time. Without -secret, $"+secretEnv+" is used.")
	sig := fs.String("signature", "", "the signature to check (X-HMAC-SIGNATURE), 64 hex digits")
	var secrets stringList
	fs.Var(&secrets, "secret", "a shared secret to try; repeatable (default $"+secretEnv+")")
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	if fs.NArg() > 0 {
		return usage(env, fs, "unexpected argument %q", fs.Arg(0))
	}
	if *sig == "" {
		return usage(env, fs, "-signature is required")
	}
	if len(secrets) == 0 {
		if s := secretFromEnv(); s != "" {
			secrets = append(secrets, s)
		}
	}
	if len(secrets) == 0 {
		return usage(env, fs, "-secret is required (or set $%s)", secretEnv)
	}
	for i, s := range secrets {
		if s == "" {
			return usage(env, fs, "-secret number %d is empty", i+1)
		}
	}
	given := strings.TrimSpace(*sig)
	if b, err := hex.DecodeString(given); err != nil || len(b) != 32 {
		return fail(env, fs, "the signature is not 64 hex digits (an HMAC-SHA256); got %d characters", len(given))
	}
	body, err := readStdin(env.stdin)
	if err != nil {
		return fail(env, fs, "%v", err)
	}
	if n := matchingSecret(body, given, secrets); n > 0 {
		fmt.Fprintf(env.stdout, "ok: signed with secret %d of %d (%d bytes)\n", n, len(secrets), len(body))
		return exitOK
	}
	fmt.Fprintf(env.stderr, "%s: the signature matches none of the %d secret(s) over these %d bytes\n", fs.Name(), len(secrets), len(body))
	for _, hint := range mismatchHints(body, given, secrets) {
		fmt.Fprintf(env.stderr, "  hint: %s\n", hint)
	}
	return exitFailed
}

// matchingSecret returns the 1-based index of the secret that signed body
// with sig, or 0. Each check is veriff.VerifyWebhook's constant-time one.
func matchingSecret(body []byte, sig string, secrets []string) int {
	h := http.Header{"X-Hmac-Signature": {sig}}
	for i, s := range secrets {
		if veriff.VerifyWebhook(body, h, s) == nil {
			return i + 1
		}
	}
	return 0
}

// mismatchHints tells the usual causes of a mismatch that it can see: a
// trailing newline added by an editor or echo, white space around the body,
// or an empty body.
func mismatchHints(body []byte, sig string, secrets []string) []string {
	var hints []string
	if len(body) == 0 {
		hints = append(hints, "stdin is empty; pipe the exact body that was signed")
	}
	noNewline, noSpace := bytes.TrimRight(body, "\r\n"), bytes.TrimSpace(body)
	switch {
	case len(noNewline) < len(body) && matchingSecret(noNewline, sig, secrets) > 0:
		hints = append(hints, fmt.Sprintf("it matches the body without its trailing newline (secret %d): the file or the shell added one", matchingSecret(noNewline, sig, secrets)))
	case len(noSpace) < len(body) && matchingSecret(noSpace, sig, secrets) > 0:
		hints = append(hints, fmt.Sprintf("it matches the body without its surrounding white space (secret %d)", matchingSecret(noSpace, sig, secrets)))
	}
	hints = append(hints, "sign the raw bytes sent or received, never re-encoded JSON; a GET or DELETE signs the ID in the path (veriff sign -id)")
	return hints
}
