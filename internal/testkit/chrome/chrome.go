// Package chrome starts the real headless Chromium that sprintkit's
// browser tests drive through chromedp (the report site from file://, the
// room server's board).
package chrome

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/sprintkit/sprintkit/internal/testkit"
)

// New starts a headless Chromium with a fresh profile, as root-safe as CI
// needs and with no network chatter of its own, at width×height; the
// returned context is its first tab, bounded to 90 s. It stops the test
// through testkit.NeedChromium when there is no Chromium.
func New(t testing.TB, width, height int) (context.Context, context.CancelFunc) {
	t.Helper()
	bin := testkit.NeedChromium(t)
	profile, err := os.MkdirTemp("", "sprintkit-chromium-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(profile) })
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(bin), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.UserDataDir(profile),
		chromedp.WindowSize(width, height),
	)
	ctx, cancelCtx := chromedp.NewContext(actx)
	// Start the browser on a context with no deadline (a deadline on the
	// first call would bound the browser's life), then bound the test.
	if err := chromedp.Do(ctx); err != nil {
		cancelCtx()
		cancelAlloc()
		t.Fatalf("start %s: %v", bin, err)
	}
	tctx, cancelTimeout := context.WithTimeout(ctx, 90*time.Second)
	return tctx, func() { cancelTimeout(); cancelCtx(); cancelAlloc() }
}
