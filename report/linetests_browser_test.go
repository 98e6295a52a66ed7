package report

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/sprintkit/sprintkit/coverage"
)

// fakeLineTests is LineTests for one file.
type fakeLineTests struct {
	path  string
	names []string
	lines map[int][]int
}

func (f fakeLineTests) ForFile(path string) ([]string, map[int][]int) {
	if path != f.path {
		return nil, nil
	}
	return f.names, f.lines
}

// cartLineTests says TestAdd runs lines 20 and 21 of cart.go, TestTotal
// line 20, and nothing of the other files.
func cartLineTests(t *testing.T, r *coverage.Result) fakeLineTests {
	for _, p := range r.Packages {
		for _, f := range p.Files {
			if f.Rel == "cart/cart.go" {
				return fakeLineTests{path: f.Path, names: []string{"TestAdd", "TestTotal</script>"}, lines: map[int][]int{21: {0}, 20: {1, 0}}}
			}
		}
	}
	t.Fatal("no cart/cart.go in the fixture")
	return fakeLineTests{}
}

func TestLineTestsBlockIsSortedAndSafe(t *testing.T) {
	r := shopResult(t)
	targets := shopTargets()
	targets[0].StartFrom = &coverage.StartFrom{Test: "TestAdd", File: "cart/cart_test.go", Line: 9, Why: "runs 8 lines of cart.go"}
	targets[0].FirstTest = &coverage.FirstTest{Name: "(*Cart).Add", File: "cart/cart.go", Line: 19}
	dir := writeSite(t, r, targets, HTMLOptions{LineTests: cartLineTests(t, r)})
	b, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(pageOf(t, r, "cart/cart.go"))))
	if err != nil {
		t.Fatal(err)
	}
	page := string(b)
	for _, want := range []string{
		`<script type="application/json" id="line-tests">{"tests":["TestAdd","TestTotal\u003c/script\u003e"],"lines":{"20":[0,1],"21":[0]}}</script>`,
		`<script src="../assets/linetests.js"></script>`,
		`<strong>Start from</strong> TestAdd (cart/cart_test.go:9)`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("cart.go's page lacks %s", want)
		}
	}
	index, err := os.ReadFile(filepath.Join(dir, "index.html"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(index), `title="runs 8 lines of cart.go">start from <code>TestAdd (cart/cart_test.go:9)</code>`) {
		t.Errorf("the index does not show the first target's test to start from")
	}
	other, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(pageOf(t, r, "cart/evil.go"))))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(other), "line-tests") {
		t.Errorf("a page of a file no test runs has a line-tests block")
	}
}

func TestBrowserShowsALinesTestsFromItsGutter(t *testing.T) {
	b, cancel := browserTab(t)
	defer cancel()
	r := shopResult(t)
	dir := writeSite(t, r, shopTargets(), HTMLOptions{LineTests: cartLineTests(t, r)})
	cart := fileURL(filepath.Join(dir, filepath.FromSlash(pageOf(t, r, "cart/cart.go"))))
	b.do("open cart.go's page", chromedp.EmulateViewport(1000, 700), chromedp.Navigate(cart), chromedp.WaitVisible(chromedp.CSS(`ol.source`)))

	type box struct{ X, Y, W float64 }
	where := func(id string) box {
		var bx box
		b.eval(`(() => { const r = document.getElementById('`+id+`').getBoundingClientRect(); return {X: r.left, Y: r.top + r.height / 2, W: r.width}; })()`, &bx)
		return bx
	}
	type panel struct {
		Hidden bool     `json:"hidden"`
		Head   string   `json:"head"`
		Tests  []string `json:"tests"`
	}
	read := func() panel {
		var p panel
		b.eval(`(() => { const p = document.getElementById('line-tests-panel');
  return p ? {hidden: p.hidden, head: (p.querySelector('strong') || {}).textContent || '', tests: Array.from(p.querySelectorAll('li')).map(l => l.textContent)}
           : {hidden: true, head: 'no panel', tests: []}; })()`, &p)
		return p
	}
	b.do("scroll line 20 into view", chromedp.ScrollIntoView(chromedp.ID("L20")))
	l20 := where("L20")
	b.do("click line 20's gutter", chromedp.MouseClickXY(l20.X+20, l20.Y))
	p := read()
	if p.Hidden || p.Head != "Line 20 runs in 2 tests:" || strings.Join(p.Tests, ",") != "TestAdd,TestTotal</script>" {
		t.Fatalf("after a click on line 20's gutter the panel is %+v", p)
	}
	var below bool
	b.eval(`(() => { const p = document.getElementById('line-tests-panel').getBoundingClientRect(), l = document.getElementById('L20').getBoundingClientRect(); return Math.abs(p.top - l.bottom) < 2; })()`, &below)
	if !below {
		t.Errorf("the panel is not just below line 20")
	}
	// A click in the code, not the gutter, leaves it as it is; a second
	// click on the gutter closes it.
	l20, l21 := where("L20"), where("L21")
	b.do("click line 21's code", chromedp.MouseClickXY(l21.X+l21.W/2, l21.Y))
	if p := read(); p.Hidden || p.Head != "Line 20 runs in 2 tests:" {
		t.Fatalf("a click in the code changed the panel: %+v", p)
	}
	l20 = where("L20")
	b.do("click line 20's gutter again", chromedp.MouseClickXY(l20.X+20, l20.Y))
	if p := read(); !p.Hidden {
		t.Fatalf("a second click on the gutter left the panel open: %+v", p)
	}
	// A line no test runs says so.
	b.do("scroll line 3 into view", chromedp.ScrollIntoView(chromedp.ID("L3")))
	l3 := where("L3")
	b.do("click line 3's gutter", chromedp.MouseClickXY(l3.X+20, l3.Y))
	if p := read(); p.Hidden || p.Head != "Line 3: no test runs it" || len(p.Tests) != 0 {
		t.Fatalf("line 3's panel is %+v", p)
	}
}
