// Package veriff is a Go client for Veriff's Public API v1, built around the
// identity check that businesses in Mexico must run against the INE voter
// registry (Instituto Nacional Electoral).
//
// # The base URL
//
// Each integration has its own base URL, shown in Veriff's Customer Portal
// beside its API key and shared secret: use it. Veriff asks integrations
// to update their API host before 9 December 2026, and the portal shows
// the host (and region) each must use. Configure the base URL as you
// configure the keys: WithBaseURL(baseURL) with NewClient, or
// VERIFF_BASE_URL with NewClientFromEnv. DefaultBaseURL
// (https://api-saas.veriff.com) is only the fallback when neither is
// given. APIHosts and HostedFlowHosts list the hosts the SDK knows (plain
// http to any of Veriff's domains is refused).
//
// # The INE flow
//
// A verification goes through five steps, each one call:
//
//  1. CreateSession, with the end-user's data and the INE consent
//     (Consents: []Consent{INEConsent()});
//  2. UploadMedia or UploadMediaFile, for the document front, back and a
//     selfie (ContextDocumentFront, ContextDocumentBack, ContextFace);
//  3. SubmitSession;
//  4. the outcome: Decision by query (WaitForDecision polls), or Veriff's
//     signed webhooks through WebhookHandler, VerifyWebhook and
//     ParseWebhook; and, for the legacy INE registry check only,
//     INERegistry or the ine_registry webhook;
//  5. INEChecks.Assess, the one verdict to gate on (below).
//
// A minimal program, for an integration on Veriff's current INE products:
//
//	client, err := veriff.NewClient(apiKey, sharedSecret, veriff.WithBaseURL(baseURL))
//	if err != nil { ... }
//	s, err := client.CreateSession(ctx, veriff.CreateSessionRequest{
//		VendorData: "customer-42",
//		Person:     &veriff.SessionPerson{FirstName: "Juan", LastName: "Pérez"},
//		Document:   &veriff.SessionDocument{Type: veriff.DocumentTypeIDCard, Country: "MX"},
//		Consents:   []veriff.Consent{veriff.INEConsent()},
//	})
//	// upload media, then:
//	_, err = client.SubmitSession(ctx, s.ID)
//	d, err := client.WaitForDecision(ctx, s.ID, 10*time.Second)
//	a := veriff.INEChecks{Database: true, Biometric: true}.Assess(d, nil)
//	if a.Verdict == veriff.VerdictVerified { ... }
//
// # The hosted flow
//
// Most services upload nothing themselves: they create the session and
// send the end-user to Session.URL, Veriff's hosted flow, where the
// end-user takes the photos on their own device. Veriff then submits the
// session itself, so the backend calls neither UploadMedia nor
// SubmitSession; it learns the outcome from the decision webhook (or
// Decision). CreateSessionRequest.Callback is where Veriff sends the
// end-user when the flow is done.
//
// # One INE verdict
//
// First answer one question: which INE checks does Veriff run for your
// integration? Veriff configures them per integration, and each reports in
// its own place:
//
//   - the INE Database Verification (current; INEChecks.Database): no
//     endpoint or webhook of its own, its outcome is the decision's status
//     and reason (a credential the registry rejects declines the session);
//   - the INE Biometric Database Verification (current;
//     INEChecks.Biometric): in the decision, at
//     additionalVerifiedData.ineBiometricRegistryValidation
//     (Decision.INEBiometric: the face against the registry photo);
//   - the legacy INE registry check (INEChecks.Registry): INERegistry or
//     the ine_registry webhook (INERegistryResult.Active).
//
// Name them in an INEChecks and Assess the decision:
//
//	a := veriff.INEChecks{Database: true, Biometric: true}.Assess(decision, nil) // current products
//	a := veriff.AssessINE(decision, registry) // legacy: INEChecks{Registry: true}.Assess
//
// The result is one conservative Verdict with plain-language Reasons (no
// personal data). Only VerdictVerified lets a person through: approved,
// every named check passed, and no check failed. A check not named is not
// required, but a failed result of it still blocks.
//
// The whole rule, first match wins: no check named (the zero INEChecks) is
// Review; no decision (nil, or no verification yet; created, started,
// submitted) is Pending; declined, expired and abandoned are Rejected;
// resubmission_requested is Resubmit; an unknown status is Review; an
// inactive registry answer is Rejected; review is Review; approved with a
// failed biometric check (faceMatch false, a similarity below the
// threshold, a "failure" or not-found answer) is Review; approved with
// Biometric named and no passed biometric result is Review (the check did
// not run on this session and will not come later); approved with
// Registry named and a nil registry answer is Pending; otherwise approved
// is Verified.
//
// INERegistryResult keeps the two INE numbers apart: INEIdentifier is the
// citizen's identifier (CIC) and IFEIdentifier the voter card's OCR
// number. The current products' result keys inside the decision could not
// be read in Veriff's docs: the SDK invents none, and Verification.Raw
// keeps what Veriff sends.
//
// # Testing without an account
//
// The verifftest package runs an in-process fake of Veriff's API that
// checks signatures, decides sessions and sends signed webhooks, so the
// whole flow can be exercised in tests without a Veriff account;
// examples/ine-flow runs the flow above against it.
//
// # Signing
//
// Every request carries X-AUTH-CLIENT (the API key) and X-HMAC-SIGNATURE, the
// lowercase hex HMAC-SHA256 under the shared secret of the exact body bytes
// sent (POST, PATCH) or of the ID in the path (GET, DELETE; never the query
// string). Bodies are encoded once and the same bytes are signed and sent on
// every attempt. Sign computes the same value for tests and tools.
//
// # Receiving webhooks idempotently
//
// Veriff's webhook signature carries no timestamp, and Veriff answers
// anything but 200 by sending the same body again about once an hour for up
// to a week; a session may also produce several decisions. So record each
// delivery under Webhook.DeliveryKey in WebhookHandler.Handle (a unique
// index: a duplicate is a retry, acknowledge it again), do the work at most
// once per key outside the request, and return an error only when the
// delivery was not recorded. Order decisions and events by the payload
// (decision time, code), not by arrival. The inbox package does this.
//
// A delivery key is built from the kind, the session and attempt IDs and
// the outcome the webhook reports: a decision's status, code and decision
// time (as an instant: "10:00:00Z" and "10:00:00.000Z" are one key); an
// event's addressId, code and action, plus the body's SHA-256 when it has
// neither attemptId nor addressId; a registry's data.code, data.status and
// verdict; a watchlist's checkType, matchStatus, totalHits and createdAt;
// Full Auto's decision and time; a user status's code and time. A body
// without a session ID is keyed by its SHA-256. A part longer than 128
// bytes is replaced by its SHA-256, so no key passes MaxDeliveryKeyBytes.
//
// # Retries
//
// Calls run on a retrying transport (github.com/hashicorp/go-retryablehttp):
//
//   - GET and DELETE retry on connection errors, 429, and 5xx except 501.
//   - POST and PATCH retry only on 429 and on errors that prove nothing was
//     sent (DNS, dial, connection refused): Veriff documents no idempotency
//     key, so a POST /v1/sessions answered 500, or cut off after sending,
//     is never sent twice and cannot create a duplicate session.
//   - Backoff is exponential with jitter between the WithRetryWait bounds
//     (default 500ms to 8s), at most WithMaxRetries retries (default 2).
//   - Retry-After (seconds or HTTP date) is honoured up to WithRetryAfterCap
//     (default 30s); above it the call returns at once with an *APIError
//     that matches ErrRateLimited and has RetryAfter set.
//   - A cancelled or expired context ends the call at once, also during a
//     backoff sleep; errors.Is(err, ctx.Err()) holds.
//
// # Errors
//
// Every non-2xx answer is an *APIError carrying the HTTP status, Veriff's
// code (as a string, whether Veriff sent a string or a number), the message,
// a readable Hint for Veriff's troubleshooting codes, and RetryAfter. Match
// classes with errors.Is: ErrUnauthorized (401 and Veriff's 18xx codes),
// ErrNotFound, ErrConflict, ErrRateLimited, ErrBadRequest, ErrServer. Bad
// input (empty or malformed IDs, bad options, unsupported or oversized media)
// is refused before anything is sent with an *InputError that matches
// ErrInvalidInput. IDs are validated, never escaped: Veriff's IDs are UUIDs,
// and an ID is accepted only when it holds ASCII letters, digits, '-' and
// '_', 1 to 128 bytes.
//
// # Safety
//
// The client never logs bodies, the API key, the shared secret or
// signatures; WithLogger adds one line per attempt (method, path, status,
// attempt, duration): Debug for a 2xx or 3xx answer, Warn for a 4xx or 5xx
// answer or a connection error. Credentials never travel over plain HTTP to a remote
// host: NewClient accepts http:// only for loopback addresses, and redirects
// are never followed. JSON responses are read with a bound
// (WithMaxResponseBytes, default 10 MiB). Webhook signatures are compared in
// constant time.
//
// # Compatibility
//
// Veriff adds response fields, webhook kinds and enum values without notice.
// Decoding is lenient: unknown fields are ignored, a mistyped field loses
// that field only, enum types (SessionStatus, DocumentType, Gender,
// CheckType, MatchStatus, MediaContext, WebhookKind, ...) are open strings,
// and payloads
// keep their raw JSON where users may need fields this package does not
// model yet.
package veriff
