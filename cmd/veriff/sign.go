package main

import (
	"context"
	"flag"
	"fmt"
	"os"

	"github.com/veriffgo/veriff"
)

// secretEnv names the variable that -secret falls back to, so that a
// secret need not appear on the command line.
const secretEnv = "VERIFF_SHARED_SECRET"

// secretFromEnv returns $VERIFF_SHARED_SECRET, the default of -secret.
func secretFromEnv() string { return os.Getenv(secretEnv) }

// runSign prints the signature Veriff expects: of the raw bytes of stdin
// (POST and PATCH bodies, webhooks) or, with -id, of the session, attempt or
// media ID that a GET or DELETE signs.
func runSign(_ context.Context, env *cmdEnv, args []string) int {
	fs := newFlagSet(env, "sign", "sign [-secret S] [-id ID] < BODY",
		"Prints the lowercase hex HMAC-SHA256 of stdin, byte for byte (a trailing newline\n"+
			"counts), or of -id: the value of X-HMAC-SIGNATURE for a POST/PATCH body or a webhook,\n"+
			"or for a GET/DELETE on that ID. -secret defaults to $"+secretEnv+".")
	secret := fs.String("secret", "", "the integration's shared secret (default $"+secretEnv+")")
	id := fs.String("id", "", "sign this session, attempt or media ID instead of stdin")
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	if fs.NArg() > 0 {
		return usage(env, fs, "unexpected argument %q", fs.Arg(0))
	}
	s := *secret
	if s == "" {
		s = secretFromEnv()
	}
	if s == "" {
		return usage(env, fs, "-secret is required (or set $%s)", secretEnv)
	}
	idSet := false
	fs.Visit(func(f *flag.Flag) { idSet = idSet || f.Name == "id" })
	if idSet {
		if *id == "" {
			return usage(env, fs, "-id is empty")
		}
		fmt.Fprintln(env.stdout, veriff.Sign(s, []byte(*id)))
		return exitOK
	}
	body, err := readStdin(env.stdin)
	if err != nil {
		return fail(env, fs, "%v", err)
	}
	if len(body) == 0 {
		fmt.Fprintf(env.stderr, "%s: warning: stdin is empty; signing the empty body\n", fs.Name())
	}
	fmt.Fprintln(env.stdout, veriff.Sign(s, body))
	return exitOK
}
