// Package emulator is the part of the veriff emulator (cmd/veriff) that a
// person or a script uses to play Veriff's side: the portal pages at /
// (sessions, media, decisions, webhook deliveries, with forms to decide and
// to resend) and the admin API under /_emulator/ (the same, as JSON, for
// scripts in any language).
//
// It lives here, outside package verifftest, so that no package a user
// imports into unit tests carries the portal or the admin API: verifftest
// keeps the fake API, the hosted flow, Serve, Handler and its options, and
// this package drives it through the Server's exported methods only (its
// Go test API: Sessions, Decide, DecideAsSent, SetINERegistry, Resend,
// InjectFault, AllowsHost, ...). It is internal to the module rather than to
// cmd/veriff so that the e2e module (github.com/veriffgo/veriff/e2e) can
// serve exactly what the emulator serves in its browser tests; nobody
// outside this repository can import it.
//
// Handler serves the portal and the admin API and hands every other path
// (API v1, the hosted flow, assets) to the Server's own Handler. Like it,
// it answers only requests whose Host names the server (421 otherwise), and
// the portal's forms also check Origin against the same names.
package emulator
