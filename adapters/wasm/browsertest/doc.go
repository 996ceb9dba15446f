// Package browsertest drives `sanstls web` in a real browser (Debian's
// chromium, headless, through the DevTools protocol with chromedp). It is a
// separate module so that the library's go.mod needs no browser driver;
// .ci/run runs it with (cd adapters/wasm/browsertest && go test ./...).
package browsertest
