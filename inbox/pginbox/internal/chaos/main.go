// Command chaos checks pginbox's exactly-once promise from outside: it runs
// several replica processes (this binary with -replica) on one PostgreSQL
// database, sends them signed webhooks with resends while it SIGKILLs
// replicas and restarts the database, with handlers that fail, panic and
// outlive their lease, and then checks that every delivery answered 200 has
// its effect (a row written through HandleTx) exactly once. It prints its
// figures and exits 1 when a delivery was lost or handled twice.
//
//	go build -o /tmp/chaos ./internal/chaos
//	/tmp/chaos -database-url "$VERIFF_TEST_DATABASE_URL" \
//		-restart-db "pg_ctlcluster 15 main restart"
//
// .ci/postgres runs it twice.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"
)

// secret signs the test webhooks; the replicas verify with it.
const secret = "chaos-shared-secret"

// Fault rates of the replicas' handler, per attempt.
const (
	failRate    = 0.05
	panicRate   = 0.01
	outlastRate = 0.01
)

type options struct {
	dbURL      string
	restartDB  string
	replica    bool
	addr       string
	schema     string
	replicas   int
	deliveries int
	resend     float64
	rate       int
	lease      time.Duration
	killEvery  time.Duration
	settle     time.Duration
	timeout    time.Duration
	plain      bool
}

func main() {
	var o options
	flag.StringVar(&o.dbURL, "database-url", os.Getenv("VERIFF_TEST_DATABASE_URL"), "PostgreSQL URL")
	flag.StringVar(&o.restartDB, "restart-db", "", "shell command restarting the database (run once, mid-run)")
	flag.BoolVar(&o.replica, "replica", false, "run as one replica (started by the driver)")
	flag.StringVar(&o.addr, "addr", "127.0.0.1:0", "replica: listen address")
	flag.StringVar(&o.schema, "schema", "", "replica: the pginbox schema")
	flag.IntVar(&o.replicas, "replicas", 3, "replica processes")
	flag.IntVar(&o.deliveries, "deliveries", 2000, "distinct deliveries")
	flag.Float64Var(&o.resend, "resend", 0.2, "share of deliveries sent again")
	flag.IntVar(&o.rate, "rate", 150, "deliveries sent per second")
	flag.DurationVar(&o.lease, "lease", 2*time.Second, "the replicas' lease")
	flag.DurationVar(&o.killEvery, "kill-every", 1500*time.Millisecond, "how often a replica is SIGKILLed")
	flag.DurationVar(&o.settle, "settle", 2*time.Minute, "how long to wait for the last deliveries once sent")
	flag.DurationVar(&o.timeout, "timeout", 6*time.Minute, "the whole run's bound, a run that exceeds it fails (a replica: how long it lives at most)")
	flag.BoolVar(&o.plain, "plain", false, "write effects outside HandleTx's transaction (shows what the check catches)")
	flag.Parse()
	if o.dbURL == "" {
		fmt.Fprintln(os.Stderr, "chaos: -database-url (or VERIFF_TEST_DATABASE_URL) is required")
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	var err error
	if o.replica {
		err = runReplica(ctx, o)
	} else {
		err = drive(ctx, o)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "chaos:", err)
		stop()
		os.Exit(1)
	}
}
