package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	mrand "math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/veriffgo/veriff"
	"github.com/veriffgo/veriff/inbox/pginbox"
)

// figures are what a run counts.
type figures struct {
	posts, answered200, refused, resends atomic.Int64
	kills, dbRestarts                    atomic.Int64
}

// drive runs one chaos run: a fresh schema, the replicas, the sender and
// the chaos, then the check. The run fails when it has not ended within
// o.timeout (a replica or the database that never answers again).
func drive(ctx context.Context, o options) error {
	ctx, cancel := context.WithTimeout(ctx, o.timeout)
	defer cancel()
	pool, err := pgxpool.New(ctx, o.dbURL)
	if err != nil {
		return err
	}
	defer pool.Close()
	o.schema = "chaos_" + randomHex(6)
	if err := setUp(ctx, pool, o.schema); err != nil {
		return err
	}
	defer func() {
		dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
		defer cancel()
		_, _ = pool.Exec(dctx, `DROP SCHEMA `+o.schema+` CASCADE`)
	}()
	fleet, err := startFleet(ctx, o)
	if err != nil {
		return err
	}
	defer fleet.stopAll()

	var fig figures
	bodies, keys := deliveries(o.deliveries)
	start := time.Now()
	chaosCtx, stopChaos := context.WithCancel(ctx)
	chaosDone := make(chan struct{})
	go func() { defer close(chaosDone); fleet.chaos(chaosCtx, o, &fig) }()
	answered := send(ctx, o, fleet, bodies, &fig)
	stopChaos()
	<-chaosDone
	if ctx.Err() != nil {
		return fmt.Errorf("sending not finished within -timeout %s: %w", o.timeout, ctx.Err())
	}
	sent := time.Since(start)
	if err := fleet.ensureAll(ctx); err != nil {
		return err
	}
	store, err := pginbox.New(ctx, pool, pginbox.WithSchema(o.schema))
	if err != nil {
		return err
	}
	settled, err := settle(ctx, store, o.settle)
	if err != nil {
		return err
	}
	return check(ctx, pool, o, keys, answered, &fig, sent, settled)
}

// setUp migrates the schema and adds the effects table.
func setUp(ctx context.Context, pool *pgxpool.Pool, schema string) error {
	if err := pginbox.Migrate(ctx, pool, pginbox.WithSchema(schema)); err != nil {
		return err
	}
	_, err := pool.Exec(ctx, `CREATE TABLE `+pgx.Identifier{schema, "effects"}.Sanitize()+` (
		key text NOT NULL, pid integer NOT NULL, at timestamptz NOT NULL DEFAULT now())`)
	return err
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// deliveries returns n distinct signed-able event bodies and their keys.
func deliveries(n int) ([][]byte, []string) {
	run := randomHex(4)
	bodies, keys := make([][]byte, n), make([]string, n)
	for i := range bodies {
		bodies[i] = []byte(fmt.Sprintf(`{"id":"chaos-%s-%d","attemptId":"a-%d","feature":"selfid","code":7002,"action":"submitted","vendorData":"v"}`, run, i, i))
		wh, err := veriff.ParseWebhook(bodies[i])
		if err != nil {
			panic(err) // a constant shape
		}
		keys[i] = wh.DeliveryKey()
	}
	return bodies, keys
}

// send posts every body at o.rate, plus resends of about o.resend of them,
// each until answered 200 (as Veriff retries), to random replicas; it
// returns which bodies were answered 200.
func send(ctx context.Context, o options, f *fleet, bodies [][]byte, fig *figures) []bool {
	answered := make([]bool, len(bodies))
	var order []int
	for i := range bodies {
		order = append(order, i)
		if mrand.Float64() < o.resend {
			order = append(order, mrand.N(i+1)) // this one or an earlier one, again
			fig.resends.Add(1)
		}
	}
	tick := time.NewTicker(time.Second / time.Duration(o.rate))
	defer tick.Stop()
	var wg sync.WaitGroup
	var mu sync.Mutex
	sem := make(chan struct{}, 32)
sending:
	for _, i := range order {
		select {
		case <-ctx.Done():
			break sending
		case <-tick.C:
		}
		sem <- struct{}{}
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			defer func() { <-sem }()
			if postUntil200(ctx, f, bodies[i], fig) {
				mu.Lock()
				answered[i] = true
				mu.Unlock()
			}
		}(i)
	}
	wg.Wait()
	return answered
}

var client = &http.Client{Timeout: 5 * time.Second}

// postUntil200 posts body to random replicas until one answers 200 or ctx
// ends.
func postUntil200(ctx context.Context, f *fleet, body []byte, fig *figures) bool {
	for ctx.Err() == nil {
		fig.posts.Add(1)
		req, _ := http.NewRequestWithContext(ctx, http.MethodPost, f.randomURL()+"/webhooks", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-HMAC-SIGNATURE", veriff.Sign(secret, body))
		resp, err := client.Do(req)
		if err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			_ = resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				fig.answered200.Add(1)
				return true
			}
		}
		fig.refused.Add(1)
		time.Sleep(50 * time.Millisecond)
	}
	return false
}

// fleet is the replica processes, by fixed address.
type fleet struct {
	bin   string
	o     options
	mu    sync.Mutex
	addrs []string
	procs []*exec.Cmd
}

func startFleet(ctx context.Context, o options) (*fleet, error) {
	bin, err := os.Executable()
	if err != nil {
		return nil, err
	}
	f := &fleet{bin: bin, o: o}
	for i := 0; i < o.replicas; i++ {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		f.addrs = append(f.addrs, ln.Addr().String())
		_ = ln.Close()
		f.procs = append(f.procs, nil)
		if err := f.start(ctx, i); err != nil {
			f.stopAll()
			return nil, err
		}
	}
	return f, nil
}

// start starts replica i and waits until it answers.
func (f *fleet) start(ctx context.Context, i int) error {
	// A replica lives no longer than the run, even if the driver is killed.
	life := f.o.timeout
	if dl, ok := ctx.Deadline(); ok {
		life = time.Until(dl)
	}
	cmd := exec.Command(f.bin, "-replica", "-addr", f.addrs[i], "-schema", f.o.schema,
		"-database-url", f.o.dbURL, "-lease", f.o.lease.String(), fmt.Sprintf("-plain=%t", f.o.plain),
		"-timeout", life.String())
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		return err
	}
	f.mu.Lock()
	f.procs[i] = cmd
	f.mu.Unlock()
	go func() { _ = cmd.Wait() }()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) && ctx.Err() == nil {
		resp, err := client.Get("http://" + f.addrs[i] + "/healthz")
		if err == nil {
			_ = resp.Body.Close()
			return nil
		}
		time.Sleep(50 * time.Millisecond)
	}
	return fmt.Errorf("replica %d did not start", i)
}

func (f *fleet) randomURL() string {
	return "http://" + f.addrs[mrand.N(len(f.addrs))]
}

// kill SIGKILLs replica i.
func (f *fleet) kill(i int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if p := f.procs[i]; p != nil && p.Process != nil {
		_ = p.Process.Kill()
		f.procs[i] = nil
	}
}

// ensureAll restarts every replica that is down.
func (f *fleet) ensureAll(ctx context.Context) error {
	for i := range f.addrs {
		f.mu.Lock()
		down := f.procs[i] == nil
		f.mu.Unlock()
		if down {
			if err := f.start(ctx, i); err != nil {
				return err
			}
		}
	}
	return nil
}

func (f *fleet) stopAll() {
	for i := range f.addrs {
		f.kill(i)
	}
}

// chaos SIGKILLs a random replica every o.killEvery and starts it again
// a moment later, and restarts the database once, a few seconds in.
func (f *fleet) chaos(ctx context.Context, o options, fig *figures) {
	restartAt := time.After(4 * time.Second)
	tick := time.NewTicker(o.killEvery)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-restartAt:
			if o.restartDB != "" {
				out, err := exec.CommandContext(ctx, "sh", "-c", o.restartDB).CombinedOutput()
				if err != nil {
					fmt.Fprintf(os.Stderr, "chaos: restarting the database: %v\n%s", err, out)
					continue
				}
				fig.dbRestarts.Add(1)
			}
		case <-tick.C:
			i := mrand.N(len(f.addrs))
			f.kill(i)
			fig.kills.Add(1)
			time.Sleep(200 * time.Millisecond)
			if err := f.start(ctx, i); err != nil && ctx.Err() == nil {
				fmt.Fprintln(os.Stderr, "chaos:", err)
			}
		}
	}
}
