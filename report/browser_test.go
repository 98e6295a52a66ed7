package report

import (
	"context"
	"encoding/json"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	cdppage "github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// chromium finds a Chromium binary: $SPRINTKIT_CHROMIUM, Debian's
// /usr/bin/chromium, or one on PATH.
func chromium() string {
	if p := os.Getenv("SPRINTKIT_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"/usr/bin/chromium", "chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// artifactDir is where screenshots go: $SPRINTKIT_ARTIFACTS, or a
// temporary directory.
func artifactDir(t *testing.T) string {
	if d := os.Getenv("SPRINTKIT_ARTIFACTS"); d != "" {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		return d
	}
	return t.TempDir()
}

// newBrowser starts a headless Chromium with a fresh profile, as root-safe
// as CI needs, and no network chatter of its own.
func newBrowser(t testing.TB, bin string) (context.Context, context.CancelFunc) {
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(bin),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.UserDataDir(tempDir(t)),
		chromedp.WindowSize(1280, 900),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
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

func tempDir(t testing.TB) string {
	d, err := os.MkdirTemp("", "sprintkit-chromium-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(d) })
	return d
}

func fileURL(p string) string {
	return (&url.URL{Scheme: "file", Path: filepath.ToSlash(p)}).String()
}

func TestBrowserFindsATargetAndLandsOnUncoveredLines(t *testing.T) {
	bin := chromium()
	if bin == "" {
		t.Skip("no Chromium binary (install Debian's chromium package, or set SPRINTKIT_CHROMIUM): the browser test needs a real browser")
	}
	if testing.Short() {
		t.Skip("browser test skipped in -short mode")
	}
	r := shopResult(t)
	dir := writeSite(t, r, shopTargets(), HTMLOptions{})
	ctx, cancel := newBrowser(t, bin)
	defer cancel()

	var dialogs atomic.Int32
	err := chromedp.Listen(ctx, func(ev any) {
		if _, ok := ev.(*cdppage.EventJavascriptDialogOpening); ok {
			dialogs.Add(1)
			go chromedp.Call(ctx, cdppage.HandleJavaScriptDialog, cdppage.HandleJavaScriptDialogParams{Accept: false})
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	do := func(what string, steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, steps...); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	eval := func(expr string, v any) {
		t.Helper()
		if err := chromedp.Do(ctx, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			raw, err := chromedp.Evaluate[json.RawMessage](expr)(ctx, tg)
			if err != nil {
				return err
			}
			return json.Unmarshal(raw, v)
		})); err != nil {
			t.Fatalf("evaluate %s: %v", expr, err)
		}
	}
	shot := func() []byte {
		t.Helper()
		b, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatalf("screenshot: %v", err)
		}
		return b
	}

	type row struct {
		Name     string  `json:"name"`
		Coverage float64 `json:"coverage"`
	}
	const readRows = `Array.from(document.querySelectorAll('#package-table tbody tr')).filter(r => !r.hidden).map(r => ({name: r.dataset.name, coverage: parseFloat(r.cells[6].textContent)}))`
	const coverageHeader = chromedp.CSS(`#package-table thead th:nth-child(7) button`)
	var targets int
	var before, desc, asc, filtered []row
	var sortState string
	do("open index.html", chromedp.Navigate(fileURL(filepath.Join(dir, "index.html"))), chromedp.WaitVisible(chromedp.ID("targets")))
	eval(`document.querySelectorAll('#targets tbody tr').length`, &targets)
	eval(readRows, &before)
	do("sort by coverage", chromedp.Click(coverageHeader))
	eval(readRows, &desc)
	eval(`document.querySelector('#package-table thead th:nth-child(7)').getAttribute('aria-sort')`, &sortState)
	do("sort by coverage again", chromedp.Click(coverageHeader))
	eval(readRows, &asc)
	do("filter", chromedp.SendKeys(chromedp.ID("pkg-filter"), "cmd"))
	eval(readRows, &filtered)
	var unfiltered []row
	eval(`(i => { i.value = ''; i.dispatchEvent(new Event('input')); return 0 })(document.getElementById('pkg-filter'))`, new(int))
	eval(readRows, &unfiltered)
	indexShot := shot()

	if targets != len(shopTargets()) {
		t.Errorf("ranked table has %d rows, want %d", targets, len(shopTargets()))
	}
	names := func(rows []row) string {
		var s []string
		for _, r := range rows {
			s = append(s, r.Name)
		}
		return strings.Join(s, ", ")
	}
	if names(before) != "example.com/shop/cart, example.com/shop/cmd/shop, example.com/shop/money, example.com/shop/odd dir/ünï" {
		t.Errorf("before sorting, the package table is not in rank order: %s", names(before))
	}
	if names(desc) == names(before) || !sort.SliceIsSorted(desc, func(i, j int) bool { return desc[i].Coverage > desc[j].Coverage }) {
		t.Errorf("clicking Coverage did not sort by it, most covered first: %s", names(desc))
	}
	if sortState != "descending" {
		t.Errorf("aria-sort = %q after one click, want descending", sortState)
	}
	if len(asc) == 0 || !sort.SliceIsSorted(asc, func(i, j int) bool { return asc[i].Coverage < asc[j].Coverage }) || asc[0].Coverage != 0 {
		t.Errorf("a second click did not sort least covered first: %+v", asc)
	}
	if names(filtered) != "example.com/shop/cmd/shop" {
		t.Errorf("filtering by %q shows %s", "cmd", names(filtered))
	}
	if len(unfiltered) != len(before) {
		t.Errorf("clearing the filter shows %d of %d packages", len(unfiltered), len(before))
	}

	// Follow the first first-test link of the top target to its file page.
	const firstLink = chromedp.CSS(`#targets tbody tr:first-child .firsts a`)
	href, err := chromedp.Run(ctx, chromedp.AttributeValue(firstLink, "href"))
	if err != nil {
		t.Fatal(err)
	}
	var hash, firstUncovered, marker, markTitle, uncoveredBG, plainBG string
	do("follow the first-test link", chromedp.Click(firstLink), chromedp.WaitVisible(chromedp.CSS(`pre.source`)))
	eval(`location.hash`, &hash)
	eval(`document.querySelector('pre.source .u').id`, &firstUncovered)
	eval(`getComputedStyle(document.querySelector('pre.source .u'), '::after').content`, &marker)
	eval(`document.querySelector('.legend .key.u').textContent`, &markTitle)
	eval(`getComputedStyle(document.querySelector('pre.source .u')).backgroundColor`, &uncoveredBG)
	eval(`getComputedStyle(document.querySelector('pre.source span:not([class])')).backgroundColor`, &plainBG)
	fileShot := shot()
	do("open the package page", chromedp.Click(chromedp.CSS(`nav.crumbs a:nth-of-type(2)`)), chromedp.WaitVisible(chromedp.ID("func-table")))
	var hidden int
	do("hide fully covered", chromedp.Click(chromedp.ID("hide-full")))
	eval(`Array.from(document.querySelectorAll('#file-table tr.full, #func-table tr.full')).filter(r => r.offsetParent === null).length`, &hidden)
	pkgShot := shot()
	if hidden == 0 {
		t.Errorf("ticking 'hide fully covered' hid no fully covered row")
	}
	if _, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
		Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: "dark"}}}); err != nil {
		t.Fatal(err)
	}
	do("open index.html in dark mode", chromedp.Navigate(fileURL(filepath.Join(dir, "index.html"))), chromedp.WaitVisible(chromedp.ID("targets")))
	darkShot := shot()

	if !strings.Contains(href.Value, "evil.go") || hash != "#L4" {
		t.Errorf("followed %s and landed on %q, want evil.go's page at #L4", href.Value, hash)
	}
	if firstUncovered != "L5" || marker != `"✗"` || strings.TrimSpace(markTitle) != "✗ not covered" {
		t.Errorf("first uncovered line is %q marked %q (legend %q), want L5 marked ✗ (legend ✗ not covered)", firstUncovered, marker, markTitle)
	}
	if uncoveredBG == plainBG {
		t.Errorf("an uncovered line has the background of a plain line (%s)", plainBG)
	}
	if n := dialogs.Load(); n != 0 {
		t.Errorf("%d JavaScript dialogs opened: source text ran as script", n)
	}
	for name, b := range map[string][]byte{"index.png": indexShot, "file.png": fileShot, "package.png": pkgShot, "index-dark.png": darkShot} {
		p := filepath.Join(artifactDir(t), "browser-"+name)
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("screenshot: %s", p)
	}
}
