package report

import (
	"context"
	"encoding/json"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/chromedp/cdproto/emulation"
	cdppage "github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/sprintkit/sprintkit/internal/testkit"
	"github.com/sprintkit/sprintkit/internal/testkit/chrome"
)

func fileURL(p string) string {
	return (&url.URL{Scheme: "file", Path: filepath.ToSlash(p)}).String()
}

func TestBrowserFindsATargetAndLandsOnUncoveredLines(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test skipped in -short mode")
	}
	r := shopResult(t)
	dir := writeSite(t, r, shopTargets(), HTMLOptions{})
	ctx, cancel := chrome.New(t, 1280, 900)
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
	do("follow the first-test link", chromedp.Click(firstLink), chromedp.WaitVisible(chromedp.CSS(`ol.source`)))
	eval(`location.hash`, &hash)
	eval(`document.querySelector('ol.source > .u').id`, &firstUncovered)
	eval(`getComputedStyle(document.querySelector('ol.source > .u'), '::after').content`, &marker)
	eval(`document.querySelector('.legend .key.u').textContent`, &markTitle)
	eval(`getComputedStyle(document.querySelector('ol.source > .u')).backgroundColor`, &uncoveredBG)
	eval(`getComputedStyle(document.querySelector('ol.source > li:not([class])')).backgroundColor`, &plainBG)
	fileShot := shot()
	do("open the package page", chromedp.Click(chromedp.CSS(`nav.crumbs a:nth-of-type(2)`)), chromedp.WaitVisible(chromedp.ID("func-table")))
	// Each row's coverage cell draws its bar (<td class=mid style=--w:66.7%>).
	var bar struct {
		Image string  `json:"image"`
		Width float64 `json:"width"`
	}
	eval(`(() => { const s = getComputedStyle(document.querySelector('#func-table tbody td[style]'), '::after');
  return {image: s.backgroundImage, width: parseFloat(s.width)}; })()`, &bar)
	if !strings.Contains(bar.Image, "linear-gradient") || bar.Width <= 0 {
		t.Errorf("a function row's coverage cell draws no bar: %+v", bar)
	}
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
		p := filepath.Join(testkit.ArtifactDir(t), "browser-"+name)
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("screenshot: %s", p)
	}
}

// tab drives one browser tab for a test.
type tab struct {
	t   *testing.T
	ctx context.Context
}

func (b tab) do(what string, steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	if err := chromedp.Do(b.ctx, steps...); err != nil {
		b.t.Fatalf("%s: %v", what, err)
	}
}

func (b tab) eval(expr string, v any) {
	b.t.Helper()
	raw, err := chromedp.Run(b.ctx, chromedp.Evaluate[json.RawMessage](expr))
	if err != nil {
		b.t.Fatalf("evaluate %s: %v", expr, err)
	}
	if err := json.Unmarshal(raw, v); err != nil {
		b.t.Fatalf("evaluate %s: %v", expr, err)
	}
}

// theme emulates prefers-color-scheme: light or dark.
func (b tab) theme(scheme string) {
	b.t.Helper()
	if _, err := chromedp.Call(b.ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
		Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: scheme}}}); err != nil {
		b.t.Fatal(err)
	}
}

// save writes a screenshot of the viewport, or of the element sel when
// set, into the artifact directory.
func (b tab) save(name, sel string) {
	b.t.Helper()
	shot := chromedp.CaptureScreenshot()
	if sel != "" {
		shot = chromedp.Screenshot(chromedp.CSS(sel))
	}
	png, err := chromedp.Run(b.ctx, shot)
	if err != nil {
		b.t.Fatalf("screenshot %s: %v", name, err)
	}
	p := filepath.Join(testkit.ArtifactDir(b.t), name)
	if err := os.WriteFile(p, png, 0o644); err != nil {
		b.t.Fatal(err)
	}
	b.t.Logf("screenshot: %s", p)
}

func browserTab(t *testing.T) (tab, func()) {
	if testing.Short() {
		t.Skip("browser test skipped in -short mode")
	}
	ctx, cancel := chrome.New(t, 1280, 900)
	return tab{t, ctx}, cancel
}

// current is the ids of the lines marked as the current chunk, and where
// the first of them is in the viewport, in lines of source.
type current struct {
	IDs        []string `json:"ids"`
	Top        float64  `json:"top"`    // px from the viewport's top
	Bottom     float64  `json:"bottom"` // px from the viewport's top
	LineHeight float64  `json:"lh"`
	Viewport   float64  `json:"vh"`
	Where      string   `json:"where"`
}

const readCurrent = `(() => {
  const cur = Array.from(document.querySelectorAll('ol.source > .cur'));
  const r = cur.length ? cur[0].getBoundingClientRect() : {top: -1, bottom: -1, height: 0};
  return {ids: cur.map(l => l.id), top: r.top, bottom: r.bottom, lh: r.height, vh: innerHeight,
    where: document.querySelector('.keys .where').textContent};
})()`

func TestBrowserJumpsToUncoveredChunksWithJAndK(t *testing.T) {
	b, cancel := browserTab(t)
	defer cancel()
	r := shopResult(t)
	dir := writeSite(t, r, shopTargets(), HTMLOptions{})
	cart := fileURL(filepath.Join(dir, filepath.FromSlash(pageOf(t, r, "cart/cart.go"))))
	// A short window, so that the chunks start below the fold.
	b.do("open cart.go's page in a short window", chromedp.EmulateViewport(1000, 420), chromedp.Navigate(cart), chromedp.WaitVisible(chromedp.CSS(`ol.source`)))

	var keysShown bool
	var ranges []string
	b.eval(`!document.querySelector('.keys').hidden`, &keysShown)
	b.eval(`Array.from(document.querySelectorAll('.missed a')).map(a => a.textContent)`, &ranges)
	if !keysShown {
		t.Errorf("the key legend is hidden on a page with uncovered chunks")
	}
	if strings.Join(ranges, " ") != "20-30 45 49" {
		t.Fatalf("missed ranges = %v, the fixture changed", ranges)
	}
	var rangeLinks []string
	b.eval(`Array.from(document.querySelectorAll('.missed a')).map(a => a.getAttribute('href'))`, &rangeLinks)
	if strings.Join(rangeLinks, " ") != "#L20 #L45 #L49" {
		t.Errorf("the missed ranges link to %v, want each to its first line", rangeLinks)
	}
	var funcLinks []string
	b.eval(`Array.from(document.querySelectorAll('.uncovered-funcs li > a')).map(a => a.textContent + ' ' + a.getAttribute('href'))`, &funcLinks)
	if strings.Join(funcLinks, ", ") != "(*Cart).Add #L19, Discount #L43" {
		t.Errorf("the uncovered functions link to %v, want each to its line", funcLinks)
	}

	var before, first, second, back, end current
	b.eval(readCurrent, &before)
	b.do("press j", chromedp.KeyEvent("j"))
	b.eval(readCurrent, &first)
	b.save("jump-first-chunk.png", "")
	b.do("press j", chromedp.KeyEvent("j"))
	b.eval(readCurrent, &second)
	b.do("press k", chromedp.KeyEvent("k"))
	b.eval(readCurrent, &back)
	b.do("press n three times", chromedp.KeyEvent("nnn"))
	b.eval(readCurrent, &end)

	if len(before.IDs) != 0 {
		t.Errorf("lines %v are marked current before any key", before.IDs)
	}
	chunk := func(first, last int) string {
		var ids []string
		for l := first; l <= last; l++ {
			ids = append(ids, "L"+strconv.Itoa(l))
		}
		return strings.Join(ids, " ")
	}
	for _, tc := range []struct {
		name  string
		got   current
		chunk string
	}{
		{"j goes to the first chunk, lines 20-30", first, chunk(20, 30)},
		{"a second j goes to line 45", second, chunk(45, 45)},
		{"k goes back to lines 20-30", back, chunk(20, 30)},
		{"n past the last chunk stays on it, line 49", end, chunk(49, 49)},
	} {
		if got := strings.Join(tc.got.IDs, " "); got != tc.chunk {
			t.Errorf("%s: the current lines are %q, want %q", tc.name, got, tc.chunk)
		}
		if tc.got.Top < 0 || tc.got.Bottom > tc.got.Viewport {
			t.Errorf("%s: its first line is at %.0f-%.0f px, outside the %.0f px viewport", tc.name, tc.got.Top, tc.got.Bottom, tc.got.Viewport)
		}
	}
	if lines := first.Top / first.LineHeight; lines < 4.5 {
		t.Errorf("after j the chunk's first line has %.1f lines of context above it, want 5", lines)
	}
	if !strings.HasPrefix(first.Where, "chunk 1 of 3, lines 20") {
		t.Errorf("the key legend says %q after j", first.Where)
	}

	// A link to a line (the first-test links of the index) leaves the same
	// context above it.
	var linked current
	b.do("follow a line link", chromedp.Navigate(cart+"#L43"), chromedp.WaitVisible(chromedp.CSS(`ol.source`)))
	b.eval(`(() => { const r = document.getElementById('L43').getBoundingClientRect(); return {top: r.top, lh: r.height, vh: innerHeight, ids: [], where: ''} })()`, &linked)
	if lines := linked.Top / linked.LineHeight; lines < 4.5 || linked.Top > linked.Viewport {
		t.Errorf("#L43 lands %.1f lines below the top edge, want 5 lines of context", lines)
	}
}

func TestBrowserShowsHighlightedSourceInBothThemes(t *testing.T) {
	b, cancel := browserTab(t)
	defer cancel()
	r := shopResult(t)
	dir := writeSite(t, r, shopTargets(), HTMLOptions{})
	cart := fileURL(filepath.Join(dir, filepath.FromSlash(pageOf(t, r, "cart/cart.go"))))
	type colours struct {
		Func    string `json:"func"`    // the keyword func
		Name    string `json:"name"`    // a plain name
		Comment string `json:"comment"` // a comment
		String  string `json:"string"`
		Page    string `json:"page"`
	}
	const readColours = `(() => {
  const kw = Array.from(document.querySelectorAll('ol.source b')).find(s => s.textContent === 'func');
  const c = e => e ? getComputedStyle(e).color : '';
  return {func: c(kw), name: c(document.getElementById('L19')), comment: c(document.querySelector('ol.source i')),
    string: c(document.querySelector('ol.source s')), page: getComputedStyle(document.body).backgroundColor};
})()`
	seen := map[string]colours{}
	for _, scheme := range []string{"light", "dark"} {
		b.theme(scheme)
		b.do("open cart.go's page", chromedp.EmulateViewport(1000, 700), chromedp.Navigate(cart), chromedp.WaitVisible(chromedp.CSS(`ol.source`)))
		var c colours
		b.eval(readColours, &c)
		b.do("press j", chromedp.KeyEvent("j"))
		b.save("file-"+scheme+".png", "")
		if c.Func == "" || c.Comment == "" || c.String == "" {
			t.Fatalf("%s: the page has no func keyword, comment or string token: %+v", scheme, c)
		}
		if c.Func == c.Name || c.Comment == c.Name || c.String == c.Name {
			t.Errorf("%s: keyword %s, comment %s and string %s are not all coloured apart from plain text %s", scheme, c.Func, c.Comment, c.String, c.Name)
		}
		seen[scheme] = c
	}
	if seen["light"].Page == seen["dark"].Page || seen["light"].Func == seen["dark"].Func {
		t.Errorf("the dark theme has the light theme's page %s or keyword colour %s", seen["dark"].Page, seen["dark"].Func)
	}
}

// The rows of a source page (<li id=L12 class=c>, no end tag) and its
// token elements (<b>, <u>, <s>, …): in both themes a covered and an
// uncovered line each have their own background and marker, a line with
// no statement none; every source line is one row of one line's height,
// blank lines too; the token elements keep none of their own look; and a
// line's anchor still lands on it.
func TestBrowserMarksLinesInBothThemes(t *testing.T) {
	b, cancel := browserTab(t)
	defer cancel()
	r := shopResult(t)
	dir := writeSite(t, r, shopTargets(), HTMLOptions{})
	cart := fileURL(filepath.Join(dir, filepath.FromSlash(pageOf(t, r, "cart/cart.go"))))
	src, err := os.ReadFile(filepath.Join(r.Root, "cart", "cart.go"))
	if err != nil {
		t.Fatal(err)
	}
	type rows struct {
		Covered, Uncovered, Plain    string // backgrounds
		CMark, UMark, PlainMark      string // ::after content
		Rows, Heights                int    // rows, distinct row heights
		Text                         string // the rows' text, joined by newlines
		Decorated                    []string
		Target, TargetTag, TargetCls string
		TargetTop, LineHeight        float64
	}
	const readRows = `(() => {
  const bg = e => getComputedStyle(e).backgroundColor, mark = e => getComputedStyle(e, '::after').content;
  const li = Array.from(document.querySelectorAll('ol.source > li'));
  const c = document.querySelector('ol.source > .c'), u = document.querySelector('ol.source > .u'), n = document.getElementById('L22');
  const deco = Array.from(document.querySelectorAll('ol.source b, ol.source u, ol.source em, ol.source s, ol.source i')).filter(e => {
    const s = getComputedStyle(e);
    return s.textDecorationLine !== 'none' || s.fontWeight !== getComputedStyle(e.parentNode).fontWeight;
  }).map(e => e.tagName + ':' + e.textContent);
  const t = document.querySelector(':target'), r = t ? t.getBoundingClientRect() : {top: -1, height: 0};
  return {Covered: bg(c), Uncovered: bg(u), Plain: bg(n), CMark: mark(c), UMark: mark(u), PlainMark: mark(n),
    Rows: li.length, Heights: new Set(li.map(l => Math.round(l.getBoundingClientRect().height))).size,
    Text: li.map(l => l.textContent.replace(/\n$/, '')).join('\n'), Decorated: deco,
    Target: t ? t.id : '', TargetTag: t ? t.tagName : '', TargetCls: t ? t.className : '', TargetTop: r.top, LineHeight: r.height};
})()`
	lines := strings.Split(strings.TrimSuffix(string(src), "\n"), "\n")
	seen := map[string]rows{}
	for _, scheme := range []string{"light", "dark"} {
		b.theme(scheme)
		b.do("open cart.go's page at line 20", chromedp.EmulateViewport(1000, 700), chromedp.Navigate(cart+"#L20"), chromedp.WaitVisible(chromedp.CSS(`ol.source`)))
		var got rows
		b.eval(readRows, &got)
		b.save("rows-"+scheme+".png", "")
		if got.Covered == got.Plain || got.Uncovered == got.Plain || got.Covered == got.Uncovered {
			t.Errorf("%s: covered %s, uncovered %s and plain %s lines do not each have their own background", scheme, got.Covered, got.Uncovered, got.Plain)
		}
		if got.CMark != `"✓"` || got.UMark != `"✗"` || (got.PlainMark != "none" && got.PlainMark != "normal") {
			t.Errorf("%s: markers %s (covered), %s (uncovered), %s (no statement), want ✓, ✗ and none", scheme, got.CMark, got.UMark, got.PlainMark)
		}
		if got.Rows != len(lines) || got.Text != strings.Join(lines, "\n") {
			t.Errorf("%s: %d rows for %d source lines, or their text is not the source:\n%s", scheme, got.Rows, len(lines), firstDiff(strings.Join(lines, "\n"), got.Text))
		}
		if got.Heights != 1 {
			t.Errorf("%s: the rows have %d different heights, want every row (blank lines too) one line high", scheme, got.Heights)
		}
		if len(got.Decorated) > 0 {
			t.Errorf("%s: token elements keep their own look (underline, strike, bold): %v", scheme, got.Decorated)
		}
		if got.Target != "L20" || got.TargetTag != "LI" || got.TargetCls != "u" || got.TargetTop < 4.5*got.LineHeight || got.TargetTop > 700 {
			t.Errorf("%s: #L20 targets %s <%s class=%q> at %.0f px, want line 20's uncovered row in view below 5 lines of context", scheme, got.Target, got.TargetTag, got.TargetCls, got.TargetTop)
		}
		seen[scheme] = got
	}
	if seen["light"].Covered == seen["dark"].Covered || seen["light"].Uncovered == seen["dark"].Uncovered {
		t.Errorf("the dark theme has the light theme's line backgrounds: %+v", seen["dark"])
	}
}

func TestBrowserTreemapBoxesAreLabelledAndReadableInBothThemes(t *testing.T) {
	b, cancel := browserTab(t)
	defer cancel()
	r := shopResult(t)
	dir := writeSite(t, r, shopTargets(), HTMLOptions{})
	type box struct {
		Tip      string  `json:"tip"`
		Label    string  `json:"label"`
		Overflow float64 `json:"overflow"` // px the label reaches past its box
		Contrast float64 `json:"contrast"` // of the label on the box as drawn
		Fill     float64 `json:"fill"`     // luminance of the box as drawn
	}
	// For each box: its tooltip, its label, how far the label runs past the
	// box, and the contrast of label and box with the box's fill-opacity
	// composed over the page.
	const readBoxes = `(() => {
  const rgb = s => s.match(/[\d.]+/g).map(Number);
  const lum = c => { const f = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4) };
    return 0.2126 * f(c[0]) + 0.7152 * f(c[1]) + 0.0722 * f(c[2]) };
  const page = rgb(getComputedStyle(document.body).backgroundColor);
  return Array.from(document.querySelectorAll('.treemap svg > a')).map(a => {
    const rect = a.querySelector('rect'), text = a.querySelector('text'), st = getComputedStyle(rect);
    const op = parseFloat(st.fillOpacity), f = rgb(st.fill);
    const fill = f.slice(0, 3).map((v, i) => op * v + (1 - op) * page[i]);
    const out = {tip: (rect.querySelector('title') || {}).textContent || '', label: '', overflow: 0, contrast: 21, fill: lum(fill)};
    if (text) {
      const t = text.getBBox(), r = rect.getBBox(), l1 = lum(fill), l2 = lum(rgb(getComputedStyle(text).fill));
      out.label = text.textContent;
      out.overflow = Math.max(t.x + t.width - (r.x + r.width), r.x - t.x, t.y + t.height - (r.y + r.height), r.y - t.y);
      out.contrast = (Math.max(l1, l2) + 0.05) / (Math.min(l1, l2) + 0.05);
    }
    return out;
  });
})()`
	fills := map[string]float64{}
	for _, scheme := range []string{"light", "dark"} {
		b.theme(scheme)
		b.do("open index.html", chromedp.Navigate(fileURL(filepath.Join(dir, "index.html"))), chromedp.WaitVisible(chromedp.ID("map")))
		var boxes []box
		b.eval(readBoxes, &boxes)
		b.save("treemap-"+scheme+".png", "#map")
		if len(boxes) < 8 {
			t.Fatalf("%s: the treemap has %d boxes", scheme, len(boxes))
		}
		labelled := 0
		for _, x := range boxes {
			name, _, _ := strings.Cut(x.Tip, "\n")
			if name == "" {
				t.Errorf("%s: a box has no tooltip", scheme)
				continue
			}
			if x.Label == "" {
				continue
			}
			labelled++
			// "name 38%", "name", "name" without its extension, or "na…".
			shown := regexp.MustCompile(` [0-9]+%$`).ReplaceAllString(x.Label, "")
			cut := strings.TrimSuffix(shown, "…")
			if !strings.Contains(name, cut) || (cut == shown && !strings.HasSuffix(name, shown) && !strings.Contains(name, shown+".")) {
				t.Errorf("%s: label %q is not the box's name %q, whole, without its extension or cut with an ellipsis", scheme, x.Label, name)
			}
			if x.Overflow > 0.5 {
				t.Errorf("%s: label %q runs %.1f px past its box", scheme, x.Label, x.Overflow)
			}
			if x.Contrast < 4.5 {
				t.Errorf("%s: label %q has contrast %.2f on its box, want at least 4.5", scheme, x.Label, x.Contrast)
			}
			fills[scheme] += x.Fill / float64(len(boxes))
		}
		if labelled < len(boxes)/2 {
			t.Errorf("%s: only %d of %d boxes are labelled", scheme, labelled, len(boxes))
		}
	}
	if fills["dark"] >= fills["light"]/2 {
		t.Errorf("the dark theme's boxes (mean luminance %.2f) are not darker than the light theme's (%.2f)", fills["dark"], fills["light"])
	}
}
