// Package e2e holds the browser tests of the emulator's pages (the hosted
// verification flow and the portal) in real headless Chromium, driven by
// chromedp. It is its own module so that the SDK's module keeps its three
// dependencies. Run it with
//
//	cd e2e && go test ./...
//
// Chromium is found at $E2E_CHROMIUM or /usr/bin/chromium (Debian's
// package). Without it the tests skip, unless E2E_REQUIRE=1, when they
// fail: CI sets it (.ci/e2e). Screenshots of every page under test go to
// $E2E_SCREENSHOTS (default: a temporary directory, named in the log);
// E2E_DOCS=1 also copies the hosted flow's and the portal's to ../docs.
package e2e
