package serve

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	cdppage "github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/sprintkit/sprintkit/internal/testkit"
	"github.com/sprintkit/sprintkit/internal/testkit/chrome"
)

func TestTheBoardInABrowserClaimsAndReleasesAcrossTabs(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test skipped in -short mode")
	}
	img := fixtureImage(t)
	_, url := startServer(t, Options{Image: img, DB: filepath.Join(t.TempDir(), "c.db")})
	one, cancel := chrome.New(t, 1100, 800)
	defer cancel()
	two, cancelTwo := chromedp.NewContext(one) // a second tab of the same browser
	defer cancelTwo()

	var dialogs atomic.Int32
	for _, ctx := range []context.Context{one, two} {
		err := chromedp.Listen(ctx, func(ev any) {
			if _, ok := ev.(*cdppage.EventJavascriptDialogOpening); ok {
				dialogs.Add(1)
				go chromedp.Call(ctx, cdppage.HandleJavaScriptDialog, cdppage.HandleJavaScriptDialogParams{Accept: false})
			}
		})
		must(t, err)
	}
	do := func(ctx context.Context, what string, steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, steps...); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	text := func(ctx context.Context, sel string) string {
		t.Helper()
		s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
		if err != nil {
			t.Fatalf("text of %s: %v", sel, err)
		}
		return strings.TrimSpace(s)
	}
	const row = `#board tr[data-target="example.com/hello/url"]`
	const name = `Ana <img src=x onerror=alert(1)>`

	do(two, "open the board in the second tab", chromedp.Navigate(url), chromedp.WaitVisible(chromedp.CSS(row+" button.claim")))
	do(one, "open the board", chromedp.Navigate(url), chromedp.WaitVisible(chromedp.CSS(row+" button.claim")))
	do(one, "type a name and claim", chromedp.SendKeys(chromedp.ID("name"), name),
		chromedp.Click(chromedp.CSS(row+" button.claim")), chromedp.WaitVisible(chromedp.CSS(row+" .who")))
	if got := text(one, row+" .who"); got != name {
		t.Errorf("after claiming, the row shows %q, want %q as text", got, name)
	}
	claimedShot, err := chromedp.Run(one, chromedp.FullScreenshot(100))
	must(t, err)

	do(two, "reload the second tab", chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS(row+" .who")))
	if got := text(two, row+" .who"); got != name {
		t.Errorf("the second tab shows %q after a reload, want %q", got, name)
	}
	do(two, "release from the second tab", chromedp.Click(chromedp.CSS(row+" button.release")),
		chromedp.WaitVisible(chromedp.CSS(row+" button.claim")))
	if got := text(two, row+" .free"); got != "free" {
		t.Errorf("after the release the row says %q, want free", got)
	}
	releasedShot, err := chromedp.Run(two, chromedp.FullScreenshot(100))
	must(t, err)

	_, body := get(t, url+"claims")
	var b Board
	must(t, json.Unmarshal([]byte(body), &b))
	if len(b.Claims) != 0 {
		t.Errorf("GET /claims after the release: %+v, want none", b.Claims)
	}
	if n := dialogs.Load(); n != 0 {
		t.Errorf("%d JavaScript dialogs opened: a name ran as script", n)
	}
	for file, png := range map[string][]byte{"board-claimed.png": claimedShot, "board-released.png": releasedShot} {
		p := filepath.Join(testkit.ArtifactDir(t), file)
		must(t, os.WriteFile(p, png, 0o644))
		t.Logf("screenshot: %s", p)
	}
}
