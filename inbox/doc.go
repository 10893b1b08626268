// Package inbox receives Veriff's webhooks so that none is lost: ServeHTTP
// verifies each delivery and records it durably in a Store before
// answering 200, and Run processes the recorded deliveries with a lease,
// retrying a failed handler with backoff, once per delivery key across
// every replica that shares the store. Watch adds reconciliation: a session
// whose decision webhook does not come in time has its decision queried
// from the API and handled as if the webhook had come.
//
//	store := inbox.NewMemoryStore() // one process; pginbox for several
//	in, err := inbox.New(store, func(ctx context.Context, wh *veriff.Webhook) error {
//		return app.Apply(ctx, wh) // an error is retried with backoff
//	}, inbox.WithSecrets(os.Getenv("VERIFF_SHARED_SECRET")), inbox.WithClient(client))
//	if err != nil { ... }
//	mux.Handle("POST /veriff/webhooks", in)
//	ran := make(chan error, 1)
//	go func() { ran <- in.Run(ctx) }()
//	// after client.CreateSession:
//	_ = in.Watch(ctx, session.ID)
//	// on shutdown, once ctx ended: in-flight handlers have returned
//	<-ran
//
// Each claim of a delivery has its own lease token, and a store accepts an
// outcome (done, retry, failed) only with the current one. A handler may
// still run more than once for a key when it outlives its lease (its
// context then ends) and another worker took the delivery over, or when
// its outcome could not be recorded before the lease ended. With
// PostgreSQL, pginbox.Store.HandleTx makes the handler's database writes
// commit only with the done mark, so they happen once; other effects
// should be idempotent by the delivery key.
//
// Stats and Requeue are for operators: export the counts as metrics, alert
// on failed deliveries and on the age of the oldest pending one, and
// requeue a failed delivery once its cause is fixed.
package inbox
