package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"io"

	"github.com/veriffgo/veriff"
)

// sessionsSub is one "veriff sessions" subcommand that takes a session ID.
type sessionsSub struct {
	name    string
	summary string
	call    func(ctx context.Context, c *veriff.Client, id string) (any, error)
}

func sessionsSubs() []sessionsSub {
	return []sessionsSub{
		{"submit", "submit the session (PATCH status=submitted)", func(ctx context.Context, c *veriff.Client, id string) (any, error) {
			return c.SubmitSession(ctx, id)
		}},
		{"decision", "the session's decision", func(ctx context.Context, c *veriff.Client, id string) (any, error) {
			return c.Decision(ctx, id)
		}},
		{"ine-registry", "the result of the INE registry check", func(ctx context.Context, c *veriff.Client, id string) (any, error) {
			return c.INERegistry(ctx, id)
		}},
		{"delete", "delete the session", func(ctx context.Context, c *veriff.Client, id string) (any, error) {
			if err := c.DeleteSession(ctx, id); err != nil {
				return nil, err
			}
			return map[string]any{"id": id, "deleted": true}, nil
		}},
	}
}

const sessionsSynopsis = "sessions create [-vendor-data V] [-first-name F] [-last-name L] [-ine]\n" +
	"       veriff sessions submit|decision|ine-registry|delete SESSION_ID"

const sessionsDescription = "Calls Veriff's API (or an emulator) for the integration named by VERIFF_API_KEY,\n" +
	"VERIFF_SHARED_SECRET, VERIFF_BASE_URL and VERIFF_INTEGRATION_ID, and prints the answer\n" +
	"as JSON on stdout.\n\n" +
	"  create        create a session; -ine asks for Mexico's INE check (consent and an MX ID card)\n" +
	"  submit        submit the session (PATCH status=submitted)\n" +
	"  decision      the session's decision\n" +
	"  ine-registry  the result of the INE registry check\n" +
	"  delete        delete the session"

// runSessions dispatches "veriff sessions SUB ...".
func runSessions(ctx context.Context, env *cmdEnv, args []string) int {
	fs := newFlagSet(env, "sessions", sessionsSynopsis, sessionsDescription)
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	if fs.NArg() == 0 {
		return usage(env, fs, "want a subcommand: create, submit, decision, ine-registry or delete")
	}
	sub, rest := fs.Arg(0), fs.Args()[1:]
	if sub == "create" {
		return runSessionsCreate(ctx, env, rest)
	}
	for _, s := range sessionsSubs() {
		if s.name == sub {
			return runSessionsByID(ctx, env, s, rest)
		}
	}
	return usage(env, fs, "unknown subcommand %q: want create, submit, decision, ine-registry or delete", sub)
}

func runSessionsCreate(ctx context.Context, env *cmdEnv, args []string) int {
	fs := newFlagSet(env, "sessions create", "sessions create [-vendor-data V] [-first-name F] [-last-name L] [-ine]",
		"Creates a session (POST /v1/sessions) and prints it: its id and verification url.\n"+sessionsEnvHelp)
	vendorData := fs.String("vendor-data", "", "your reference for the session (no personal data)")
	firstName := fs.String("first-name", "", `the person's first name ("Approve", "Decline" or "Resubmit" decide an emulator's session on submit)`)
	lastName := fs.String("last-name", "", "the person's last name")
	callback := fs.String("callback", "", "where the hosted flow sends the end-user when done")
	ine := fs.Bool("ine", false, "Mexico's INE flow: the ine consent and a Mexican ID card")
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	if fs.NArg() > 0 {
		return usage(env, fs, "unexpected argument %q", fs.Arg(0))
	}
	req := veriff.CreateSessionRequest{VendorData: *vendorData, Callback: *callback}
	if *firstName != "" || *lastName != "" {
		req.Person = &veriff.SessionPerson{FirstName: *firstName, LastName: *lastName}
	}
	if *ine {
		req.Consents = []veriff.Consent{veriff.INEConsent()}
		req.Document = &veriff.SessionDocument{Country: "MX", Type: veriff.DocumentTypeIDCard}
	}
	if err := req.Validate(); err != nil {
		return usage(env, fs, "%v", err)
	}
	return callAPI(env, fs, func(c *veriff.Client) (any, error) { return c.CreateSession(ctx, req) })
}

const sessionsEnvHelp = "Needs VERIFF_API_KEY and VERIFF_SHARED_SECRET; VERIFF_BASE_URL (for an emulator:\n" +
	"http://127.0.0.1:8700) and VERIFF_INTEGRATION_ID are optional; VERIFF_PLAIN_HTTP=1 allows\n" +
	"plain http to an emulator that is not on loopback (docker-compose)."

func runSessionsByID(ctx context.Context, env *cmdEnv, s sessionsSub, args []string) int {
	fs := newFlagSet(env, "sessions "+s.name, "sessions "+s.name+" SESSION_ID",
		"Prints "+s.summary+" as JSON.\n"+sessionsEnvHelp)
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	if fs.NArg() != 1 {
		return usage(env, fs, "want exactly one SESSION_ID, got %d arguments", fs.NArg())
	}
	id := fs.Arg(0)
	return callAPI(env, fs, func(c *veriff.Client) (any, error) { return s.call(ctx, c, id) })
}

// callAPI builds the client from the environment, makes the call and
// prints its answer as indented JSON.
func callAPI(env *cmdEnv, fs *flag.FlagSet, call func(c *veriff.Client) (any, error)) int {
	c, err := newClientFromEnv()
	if err != nil {
		return usage(env, fs, "%v", err)
	}
	v, err := call(c)
	if errors.Is(err, veriff.ErrInvalidInput) {
		return usage(env, fs, "%v", err)
	}
	if err != nil {
		return fail(env, fs, "%v", err)
	}
	if err := writeJSON(env.stdout, v); err != nil {
		return fail(env, fs, "writing the answer: %v", err)
	}
	return exitOK
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}
