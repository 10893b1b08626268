// Package inbox receives Veriff's webhooks so that none is lost: ServeHTTP
// verifies each delivery and records it durably in a Store before
// answering 200, and Run processes the recorded deliveries with a lease,
// retrying a failed handler with backoff, exactly once per delivery key
// across every replica that shares the store. Watch adds reconciliation: a
// session whose decision webhook does not come in time has its decision
// queried from the API and handled as if the webhook had come.
//
//	store := inbox.NewMemoryStore() // one process; pginbox.New for several
//	in, err := inbox.New(store, func(ctx context.Context, wh *veriff.Webhook) error {
//		return app.Apply(ctx, wh) // an error is retried with backoff
//	}, inbox.WithSecrets(os.Getenv("VERIFF_SHARED_SECRET")), inbox.WithClient(client))
//	if err != nil { ... }
//	mux.Handle("POST /veriff/webhooks", in)
//	go in.Run(ctx)
//	// after client.CreateSession:
//	_ = in.Watch(ctx, session.ID)
//
// A handler may run more than once for a key only when it outlives its
// lease (its context then ends) and another worker took the delivery over:
// keep handlers well within WithLease, and make their effects idempotent
// by the delivery key where that matters.
package inbox
