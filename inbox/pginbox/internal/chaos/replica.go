package main

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/veriffgo/veriff"
	"github.com/veriffgo/veriff/inbox"
	"github.com/veriffgo/veriff/inbox/pginbox"
)

// runReplica serves webhooks at o.addr and processes them until killed or
// o.timeout has passed: each handled delivery inserts one row into
// <schema>.effects through HandleTx's transaction, and the handler fails,
// panics or outlives its lease now and then (after its write, so that a
// rollback is needed).
func runReplica(ctx context.Context, o options) error {
	ctx, cancel := context.WithTimeout(ctx, o.timeout)
	defer cancel()
	cfg, err := pgxpool.ParseConfig(o.dbURL)
	if err != nil {
		return err
	}
	// HandleTx holds a connection per busy worker: room for the workers,
	// the recording requests and LISTEN.
	cfg.MaxConns = 16
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return err
	}
	defer pool.Close()
	store, err := pginbox.New(ctx, pool, pginbox.WithSchema(o.schema))
	if err != nil {
		return err
	}
	effects := pgx.Identifier{o.schema, "effects"}.Sanitize()
	in, err := inbox.New(store, store.HandleTx(func(ctx context.Context, tx pgx.Tx, wh *veriff.Webhook) error {
		var q interface {
			Exec(context.Context, string, ...any) (pgconn.CommandTag, error)
		} = tx
		if o.plain {
			q = pool // the write commits on its own: no exactly-once
		}
		if _, err := q.Exec(ctx, `INSERT INTO `+effects+` (key, pid) VALUES ($1, $2)`, wh.DeliveryKey(), os.Getpid()); err != nil {
			return err
		}
		switch r := rand.Float64(); {
		case r < failRate:
			return errors.New("injected failure")
		case r < failRate+panicRate:
			panic("injected panic")
		case r < failRate+panicRate+outlastRate:
			time.Sleep(o.lease + 500*time.Millisecond) // ignores ctx: outlives the lease
		}
		return nil
	}), inbox.WithSecrets(secret), inbox.WithWorkers(4), inbox.WithLease(o.lease),
		inbox.WithRetry(20*time.Millisecond, 500*time.Millisecond, 1000), inbox.WithPollInterval(100*time.Millisecond))
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", o.addr)
	if err != nil {
		return err
	}
	mux := http.NewServeMux()
	mux.Handle("POST /webhooks", in)
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusOK) })
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	ran := make(chan error, 1)
	go func() { ran <- in.Run(ctx) }()
	select {
	case err := <-served:
		return fmt.Errorf("serving: %w", err)
	case <-ctx.Done():
	}
	_ = srv.Shutdown(context.Background())
	<-ran
	return nil
}
