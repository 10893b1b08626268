// Package verifftest provides an in-process fake of Veriff's Public API v1,
// for testing code that uses the veriff SDK (or speaks Veriff's HTTP API
// itself) without a Veriff account or network access.
//
// NewServer starts the fake on a loopback address. It judges requests as
// Veriff does:
//
//   - X-AUTH-CLIENT missing → 401 with code 1801; unknown API key → 401 1803.
//   - X-HMAC-SIGNATURE missing or not a 64-digit hex SHA-256 → 401 1812
//     (optional on POST /v1/sessions only); a signature that does not match
//     → 401 1818 for GET and DELETE (signed over the session, attempt or
//     media ID in the path) or 1819 for POST and PATCH (signed over the raw
//     body). Signatures are compared in constant time, in either hex case.
//   - Malformed bodies → 400: 1102 (not JSON, no verification object, or a
//     missing version query parameter on the registry endpoints), 1104 (a
//     wrongly typed field, or an "ine" consent not approved), 1203 (a date
//     not YYYY-MM-DD), 1400 to 1403 (media: no image, bad base64,
//     unsupported context, missing property), 1500/1501 (vendorData).
//   - An unknown session, attempt or media ID → 404.
//
// Error bodies have Veriff's shape, {"status":"fail","code":"1818",
// "message":"..."}, and every answer is signed with the shared secret in
// X-HMAC-SIGNATURE, as Veriff signs its responses.
//
// # Sessions
//
// A session is created, moves to started when its hosted flow is opened or
// with its first media upload (sending event 7001), and to submitted with PATCH
// {"verification":{"status":"submitted"}} (event 7002). Media uploaded
// after submission, and a second submit, are answered 409 with code 1304;
// PATCH to any other status is 400 1303. GET /decision answers
// {"status":"success","verification":null} until the test calls
// Server.Decide (or DecideWithReason), or AutoDecide decides every session
// on submit. A decision of resubmission_requested reopens the session: the
// next upload or submit opens a new attempt, GET /sessions/{id}/media lists
// the media of the latest attempt only, and GET /attempts/{id}/media those
// of any attempt. Uploaded media are kept decoded and downloaded byte for
// byte from GET /v1/media/{id}, with the Content-Type the SDK detects
// (JPEG, PNG, WebP, HEIC/HEIF, PDF), else the one net/http sniffs.
// DELETE removes a session in any state but submitted; deleting an
// unfinished session sends an expired or abandoned decision webhook first.
//
// A session created with person.firstName "Approve", "Decline" or
// "Resubmit" is decided that way as soon as it is submitted (Veriff's own
// test-integration trick); otherwise AutoDecide applies.
//
// Server.SetINERegistry sets the answer of the INE registry query; see its
// documentation for the default. The registry queries answer 404 until the
// session is decided, and never report an active credential for a session
// created without the INE consent.
//
// The fake runs the INE checks WithINEChecks names, as Veriff configures
// them per integration: by default the legacy registry check and the
// biometric check. Without Registry the legacy registry queries answer 404
// and no ine_registry webhook is sent; with Database a credential set
// inactive declines the session (DatabaseDeclineReasonCode); with
// Biometric every decision of an INE session carries the biometric block
// (Server.SetINEBiometricVerdict sets its result).
//
// Server.Sessions and Server.Session return
// snapshots of the state, uploaded media included, for assertions. The
// Server's own methods return ErrUnknownSession for an ID it does not hold.
//
// # Webhooks
//
// After Server.SetWebhookURL the fake POSTs decision, event and INE
// registry webhooks, signed with the shared secret, each from its own
// goroutine, retrying on any answer but 200. As with Veriff, webhooks may
// arrive in any order (a 7002 event before the 7001 one, say), so
// receivers must not depend on it. Server.WaitForDeliveries waits for them
// without sleeping, and Server.Deliveries lists them.
//
// SetWebhookURL accepts loopback URLs only, unless the server was made
// with WithAllowRemoteWebhooks; Server.NewWebhookRequest and the package's
// SignWebhook and NewWebhookRequest build signed webhook requests for tests
// of a receiver.
//
// # Serving and the hosted flow
//
// NewServer listens on a loopback port at once. NewUnstartedServer leaves
// that to Start, to Serve on a listener of your own, or to a server of your
// own mounting Handler. The URLs the server hands out (verification.url,
// host, media URLs) follow the Host header of each request, so they work
// under any name the server is reached by; WithPublicURL fixes them
// instead. The server answers only requests whose Host names it (a
// loopback name or address, its listen address, the WithPublicURL host or
// one of WithAllowedHosts): any other gets 421 and changes nothing, which
// defeats DNS rebinding. The API checks the key, and the declared length,
// before it reads a body. WithRequestLog reports method, route pattern and
// status of every request, never paths, bodies or credentials.
//
// POST /v1/sessions, unsigned with X-AUTH-CLIENT as Veriff's @veriff/js-sdk
// sends it from a web page, answers CORS preflights and carries
// Access-Control-Allow-Origin; signed calls stay server-only.
//
// Besides API v1 the server serves the hosted verification flow at each
// session's verification.url (/v/{token}), with embedded pages that need
// no JavaScript and no network. Opening it starts the session (event 7001,
// once per attempt). Its form takes the images document-front,
// document-back and face as one multipart/form-data request that uploads
// them and submits the session as the API does (event 7002, webhooks,
// AutoDecide and the firstName trick), then shows a done page or redirects
// (303) to the session's callback. A second submit, a file that is not an
// image or is over MaxHostedImageBytes, a missing file or a session no
// longer open are refused on the page, with nothing changed (a closed
// session before its upload is read). Its Cancel button decides nothing:
// the session stays open (Session.CanceledAt records it), as at Veriff.
// ?lang=es (or es-MX) gives the flow in Spanish, anything else English.
// Framed by Veriff's @veriff/incontext-sdk, the pages post its messages to
// the parent: VERIFF_HANDSHAKE, VERIFF_STARTED when the flow opens,
// VERIFF_SUBMITTED and VERIFF_FINISHED once submitted (before any
// callback: the parent closes the frame), VERIFF_CANCELED after Cancel.
//
// The veriff emulator (cmd/veriff) serves this server behind its portal
// and admin API, which are not part of this package.
//
// # Memory and persistence
//
// By default the server keeps everything in memory, as a unit test wants.
// WithMaxMediaBytes bounds the media held, dropping the oldest sessions'
// first (their downloads then answer 404, as Veriff's for media it no
// longer has); WithDataDir keeps sessions, media, decisions and deliveries
// in a directory, so that a later server on it answers for every earlier
// session.
//
// # Faults
//
// Server.FailNext, Server.DropNext, Server.DropAfterProcessingNext and
// Server.InjectFault make the next requests fail with a given status (and
// Retry-After), lose their connection, or lose their answer after being
// processed, to test a client's retries. Server.Requests and
// Server.RequestCount tell what the server received (the most recent
// 10000 requests by default; see WithMaxRecordedRequests). Faults and the
// record concern API v1 requests only, not the hosted flow's pages.
//
// # Example
//
// A test of your own code that verifies users through Veriff:
//
//	func TestSignup(t *testing.T) {
//		srv := verifftest.NewServer("test-api-key", "test-shared-secret")
//		defer srv.Close()
//		srv.AutoDecide(veriff.StatusApproved)
//
//		client, err := srv.NewClient() // or veriff.NewClient(key, secret, veriff.WithBaseURL(srv.URL))
//		if err != nil {
//			t.Fatal(err)
//		}
//		app := myapp.New(client)
//		if err := app.VerifyUser(context.Background(), "user-42"); err != nil {
//			t.Fatal(err)
//		}
//		if got := srv.RequestCount(http.MethodPost, "/v1/sessions"); got != 1 {
//			t.Errorf("sessions created: %d, want 1", got)
//		}
//	}
//
// The server is safe for concurrent use by any number of clients. It never
// logs, and keeps the bodies it receives only as session state.
package verifftest
