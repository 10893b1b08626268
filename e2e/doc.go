// Package e2e holds the browser tests of the emulator's pages (the hosted
// verification flow and the portal) and of Veriff's own front-end SDKs
// against it, in real headless Chromium, driven by chromedp. It is its own
// module so that the SDK's module keeps its three dependencies. It serves
// exactly what `veriff emulator` serves (verifftest behind
// internal/emulator). Run it with
//
//	(cd e2e/sdk && npm ci) && cd e2e && go test ./...
//
// Chromium is found at $E2E_CHROMIUM or /usr/bin/chromium (Debian's
// package); @veriff/js-sdk 2.0.0 and @veriff/incontext-sdk 2.5.0 in
// sdk/node_modules (pinned by sdk/package-lock.json). Without them the
// tests skip, unless E2E_REQUIRE=1, when they fail: CI sets it (.ci/e2e,
// which installs all of them). Screenshots of every page under test go to
// $E2E_SCREENSHOTS (default: a temporary directory, named in the log);
// E2E_DOCS=1 also copies the hosted flow's and the portal's to ../docs.
package e2e
