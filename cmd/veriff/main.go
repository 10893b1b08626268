// Command veriff is a local Veriff for development and a set of tools to
// debug an integration with Veriff's identity-verification API:
//
//	veriff emulator   serve a local Veriff: API v1, the hosted verification
//	                  flow, a portal page at / and an admin API
//	veriff sign       the signature of stdin (or of an ID)
//	veriff verify     check a saved body against a signature and secrets
//	veriff trigger    POST a signed sample webhook to a receiver
//	veriff sessions   create, submit, decide, query and delete sessions
//	                  against the API named by the VERIFF_* variables
//
// Run "veriff help" for the list and "veriff CMD -h" for a command's flags.
// The exit status is 0 on success, 1 on a failed check or call and 2 on a
// usage error; errors go to stderr. Secrets, signatures and bodies are never
// written to stderr.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// Exit statuses, as the contract fixes them.
const (
	exitOK     = 0 // success
	exitFailed = 1 // a failed check or call
	exitUsage  = 2 // a usage error: bad flags, arguments or variables
)

// maxStdinBytes bounds what sign and verify read from stdin.
const maxStdinBytes = 64 << 20

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	go func() {
		<-ctx.Done()
		stop() // a second SIGINT or SIGTERM during shutdown ends the process at once
	}()
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// command is one subcommand: its name, a one-line summary for "veriff help"
// and its implementation. A command returns an exit status; it reports its
// own errors on stderr.
type command struct {
	name    string
	summary string
	run     func(ctx context.Context, env *cmdEnv, args []string) int
}

// cmdEnv is what every command runs with.
type cmdEnv struct {
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
}

func commands() []command {
	return []command{
		{"emulator", "serve a local Veriff: API v1, hosted flow, portal and admin API", runEmulator},
		{"sign", "print the signature of stdin (or of -id) as lowercase hex", runSign},
		{"verify", "check that stdin is signed by -signature with one of the -secret values", runVerify},
		{"trigger", "POST a signed sample webhook of a kind to a receiver", runTrigger},
		{"sessions", "create, submit, decision, ine-registry, delete against VERIFF_*", runSessions},
	}
}

// run is the whole command line: args are the arguments after the program
// name. It returns the exit status.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	env := &cmdEnv{stdin: stdin, stdout: stdout, stderr: stderr}
	if len(args) == 0 {
		printHelp(stderr)
		return exitUsage
	}
	switch args[0] {
	case "help", "-h", "-help", "--help":
		if len(args) > 1 {
			return helpFor(ctx, env, args[1])
		}
		printHelp(stdout)
		return exitOK
	}
	for _, c := range commands() {
		if c.name == args[0] {
			return c.run(ctx, env, args[1:])
		}
	}
	fmt.Fprintf(stderr, "veriff: unknown command %q; run \"veriff help\"\n", args[0])
	return exitUsage
}

// helpFor prints the flags of one command, as "veriff CMD -h" does.
func helpFor(ctx context.Context, env *cmdEnv, name string) int {
	for _, c := range commands() {
		if c.name == name {
			out := &cmdEnv{stdin: env.stdin, stdout: env.stdout, stderr: env.stdout}
			c.run(ctx, out, []string{"-h"})
			return exitOK
		}
	}
	fmt.Fprintf(env.stderr, "veriff: unknown command %q; run \"veriff help\"\n", name)
	return exitUsage
}

func printHelp(w io.Writer) {
	fmt.Fprint(w, "veriff: a local Veriff and the tools to debug an integration.\n\nUsage:\n\n\tveriff COMMAND [flags] [arguments]\n\nCommands:\n\n")
	for _, c := range commands() {
		fmt.Fprintf(w, "\t%-9s %s\n", c.name, c.summary)
	}
	fmt.Fprint(w, "\nRun \"veriff COMMAND -h\" for a command's flags.\n"+
		"Exit status: 0 on success, 1 on a failed check or call, 2 on a usage error.\n")
}

// newFlagSet returns a flag set for a command that prints its usage (the
// synopsis, a description and the flags) to env.stderr and reports errors
// instead of exiting.
func newFlagSet(env *cmdEnv, name, synopsis, description string) *flag.FlagSet {
	fs := flag.NewFlagSet("veriff "+name, flag.ContinueOnError)
	fs.SetOutput(env.stderr)
	fs.Usage = func() {
		w := fs.Output()
		fmt.Fprintf(w, "Usage: veriff %s\n\n%s\n", synopsis, description)
		if hasFlags(fs) {
			fmt.Fprint(w, "\nFlags:\n")
			fs.PrintDefaults()
		}
	}
	return fs
}

func hasFlags(fs *flag.FlagSet) bool {
	n := 0
	fs.VisitAll(func(*flag.Flag) { n++ })
	return n > 0
}

// parseFlags parses args; ok is false when the command must stop with
// code: exitOK after -h, exitUsage after a bad flag (flag already said why).
func parseFlags(fs *flag.FlagSet, args []string) (code int, ok bool) {
	err := fs.Parse(args)
	switch {
	case err == nil:
		return exitOK, true
	case errors.Is(err, flag.ErrHelp):
		return exitOK, false
	default:
		return exitUsage, false
	}
}

// usage reports a usage error of the command fs and returns exitUsage.
func usage(env *cmdEnv, fs *flag.FlagSet, format string, args ...any) int {
	fmt.Fprintf(env.stderr, "%s: %s\n", fs.Name(), fmt.Sprintf(format, args...))
	fmt.Fprintf(env.stderr, "Run \"%s -h\" for usage.\n", fs.Name())
	return exitUsage
}

// fail reports a failed check or call of the command fs and returns
// exitFailed.
func fail(env *cmdEnv, fs *flag.FlagSet, format string, args ...any) int {
	fmt.Fprintf(env.stderr, "%s: %s\n", fs.Name(), fmt.Sprintf(format, args...))
	return exitFailed
}

// errTooLarge is returned by readStdin for input over maxStdinBytes.
var errTooLarge = fmt.Errorf("stdin is larger than %d MiB", maxStdinBytes>>20)

// readStdin reads all of r, up to maxStdinBytes.
func readStdin(r io.Reader) ([]byte, error) {
	if r == nil {
		return nil, nil
	}
	b, err := io.ReadAll(io.LimitReader(r, maxStdinBytes+1))
	if err != nil {
		return nil, fmt.Errorf("reading stdin: %w", err)
	}
	if len(b) > maxStdinBytes {
		return nil, errTooLarge
	}
	return b, nil
}

// stringList is a repeatable string flag.
type stringList []string

func (l *stringList) String() string { return fmt.Sprint(len(*l)) + " value(s)" }

func (l *stringList) Set(v string) error {
	*l = append(*l, v)
	return nil
}
