// Command ine-e2e runs the INE end-to-end harness of package e2eflow: the
// in-process fake with no VERIFF_* variables, else Veriff's API with the
// images given by -front, -back and -selfie (see -h).
//
//	go run ./internal/e2eflow/ine-e2e -h
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/veriffgo/veriff/internal/e2eflow"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := e2eflow.Run(ctx, os.Stdout, os.Stderr, os.Args[1:], os.Getenv)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "ine-e2e:", err)
	}
	os.Exit(e2eflow.ExitCode(err))
}
