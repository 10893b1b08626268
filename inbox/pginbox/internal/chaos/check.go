package main

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/veriffgo/veriff/inbox/pginbox"
)

// settle waits until no delivery is pending or leased, at most for d and
// while ctx lasts.
func settle(ctx context.Context, store *pginbox.Store, d time.Duration) (time.Duration, error) {
	start := time.Now()
	for {
		st, err := store.Stats(ctx)
		if err == nil && st.Pending == 0 && st.Leased == 0 {
			return time.Since(start), nil
		}
		if time.Since(start) > d || ctx.Err() != nil {
			return 0, fmt.Errorf("not settled after %s: %+v (err %v)", time.Since(start).Round(time.Millisecond), st, err)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// check compares the effects with the deliveries answered 200, prints the
// figures, and fails on any lost or doubled effect.
func check(ctx context.Context, pool *pgxpool.Pool, o options, keys []string, answered []bool,
	fig *figures, sent, settled time.Duration) error {
	counts := map[string]int{}
	rows, err := pool.Query(ctx, `SELECT key, count(*) FROM `+pgx.Identifier{o.schema, "effects"}.Sanitize()+` GROUP BY key`)
	if err != nil {
		return err
	}
	for rows.Next() {
		var k string
		var n int
		if err := rows.Scan(&k, &n); err != nil {
			return err
		}
		counts[k] = n
	}
	if err := rows.Err(); err != nil {
		return err
	}
	var ok200, lost, twice int
	for i, k := range keys {
		if !answered[i] {
			continue
		}
		ok200++
		switch n := counts[k]; {
		case n == 0:
			lost++
		case n > 1:
			twice++
		}
	}
	var failed, attempts, extra int
	err = pool.QueryRow(ctx, `SELECT count(*) FILTER (WHERE state = 'failed'), coalesce(sum(attempts), 0), coalesce(sum(attempts - 1), 0)
		FROM `+pgx.Identifier{o.schema, "deliveries"}.Sanitize()).Scan(&failed, &attempts, &extra)
	if err != nil {
		return err
	}
	fmt.Printf("chaos: %d replicas, %d distinct deliveries, %d resends, %d POSTs (%d answered 200, %d refused or cut)\n",
		o.replicas, len(keys), fig.resends.Load(), fig.posts.Load(), fig.answered200.Load(), fig.refused.Load())
	fmt.Printf("chaos: %d SIGKILLs, %d database restarts; sent in %s, settled %s later\n",
		fig.kills.Load(), fig.dbRestarts.Load(), sent.Round(time.Millisecond), settled.Round(time.Millisecond))
	fmt.Printf("chaos: %d handler attempts (%d beyond the first: injected errors, panics, lost leases, restarts); %d failed\n",
		attempts, extra, failed)
	fmt.Printf("chaos: %d deliveries answered 200: %d lost, %d effects applied twice\n", ok200, lost, twice)
	if lost > 0 || twice > 0 || ok200 != len(keys) || failed > 0 {
		return fmt.Errorf("FAILED: %d lost, %d twice, %d of %d answered 200, %d failed", lost, twice, ok200, len(keys), failed)
	}
	if o.restartDB != "" && fig.dbRestarts.Load() == 0 {
		return fmt.Errorf("FAILED: the database was never restarted")
	}
	return nil
}
