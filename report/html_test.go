package report

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/tools/cover"

	"github.com/sprintkit/sprintkit/coverage"
)

// -update (or SPRINTKIT_UPDATE_GOLDEN=1, as the text renderers' tests use)
// rewrites the golden pages in testdata/html.
var update = flag.Bool("update", false, "rewrite the golden pages in testdata/html")

// shopResult builds a coverage.Result from a real `go test -coverprofile`
// run over testdata/site/shop (cover.out is committed; regenerate it with
// `go test -coverpkg=./cart,./money,./cmd/shop -coverprofile=cover.out
// ./cart ./money ./cmd/shop` there), with functions found by go/parser, the
// way the Go producer fills them in. It adds a file whose source is gone.
func shopResult(t testing.TB) *coverage.Result {
	t.Helper()
	root, err := filepath.Abs(filepath.Join("testdata", "site", "shop"))
	if err != nil {
		t.Fatal(err)
	}
	profiles, err := cover.ParseProfiles(filepath.Join(root, "cover.out"))
	if err != nil {
		t.Fatal(err)
	}
	r := &coverage.Result{Project: "example.com/shop", Root: root, Commit: "0123456789abcdef0123456789abcdef01234567",
		Generated: time.Date(2026, 11, 25, 9, 30, 0, 0, time.UTC), Language: "go", Mode: "set"}
	pkgs := map[string]*coverage.Package{}
	for _, p := range profiles {
		rel := strings.TrimPrefix(p.FileName, "example.com/shop/")
		name := "example.com/shop/" + filepath.ToSlash(filepath.Dir(rel))
		pkg := pkgs[name]
		if pkg == nil {
			pkg = &coverage.Package{Name: name, Dir: filepath.ToSlash(filepath.Dir(rel)), IsMain: strings.HasPrefix(rel, "cmd/")}
			pkgs[name] = pkg
			r.Packages = append(r.Packages, pkg)
		}
		f := &coverage.File{Path: p.FileName, Rel: rel, Blocks: p.Blocks}
		f.Functions = goFunctions(t, filepath.Join(root, rel), rel, p.Blocks)
		pkg.Files = append(pkg.Files, f)
	}
	gone := &coverage.File{Path: "example.com/shop/money/gone.go", Rel: "money/gone.go", Blocks: []cover.ProfileBlock{
		{StartLine: 3, StartCol: 20, EndLine: 5, EndCol: 2, NumStmt: 2, Count: 0},
	}, Functions: []*coverage.Function{{Name: "Gone", File: "money/gone.go", Line: 3, EndLine: 5, Counts: coverage.Counts{Statements: 2}}}}
	pkgs["example.com/shop/money"].Files = append(pkgs["example.com/shop/money"].Files, gone)
	r.Finalize()
	return r
}

// goFunctions lists the functions of a Go file with their counts.
func goFunctions(t testing.TB, file, rel string, blocks []cover.ProfileBlock) []*coverage.Function {
	t.Helper()
	fset := token.NewFileSet()
	af, err := parser.ParseFile(fset, file, nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	var out []*coverage.Function
	for _, d := range af.Decls {
		fd, ok := d.(*ast.FuncDecl)
		if !ok || fd.Body == nil {
			continue
		}
		name := fd.Name.Name
		if fd.Recv != nil && len(fd.Recv.List) == 1 {
			typ := fd.Recv.List[0].Type
			star := ""
			if s, ok := typ.(*ast.StarExpr); ok {
				typ, star = s.X, "*"
			}
			if id, ok := typ.(*ast.Ident); ok {
				name = "(" + star + id.Name + ")." + name
			}
		}
		fn := &coverage.Function{Name: name, File: rel, Line: fset.Position(fd.Pos()).Line, EndLine: fset.Position(fd.End()).Line}
		for _, b := range blocks {
			if b.StartLine >= fn.Line && b.StartLine <= fn.EndLine {
				fn.Statements += b.NumStmt
				if b.Count > 0 {
					fn.Covered += b.NumStmt
				}
			}
		}
		out = append(out, fn)
	}
	return out
}

// shopTargets are the targets of the golden pages, written out by hand so
// that the pages do not change when the ranking formula is tuned.
func shopTargets() []coverage.Target {
	return []coverage.Target{
		{Rank: 1, Kind: "package", Name: "example.com/shop/cart", Package: "example.com/shop/cart", Percent: 38.1,
			Statements: 21, Uncovered: 13, Score: 11.8, Pinned: true, Note: "Discount <empty cart> is the bug of #12",
			Reason: "pinned in sprintkit.toml; no test reaches 2 of its 4 functions; first test: Banner, 3 statements",
			Functions: []coverage.FuncRef{
				{Name: "Banner", File: "cart/evil.go", Line: 4, Statements: 3},
				{Name: "Discount", File: "cart/cart.go", Line: 43, Statements: 6, Covered: 4},
				{Name: "(*Cart).Add", File: "cart/cart.go", Line: 19, Statements: 8},
			}},
		{Rank: 2, Kind: "package", Name: "example.com/shop/cmd/shop", Package: "example.com/shop/cmd/shop", Percent: 0,
			Statements: 5, Uncovered: 5, Score: 1.5,
			Reason:    "no test reaches its only function; only 5 uncovered, a small task; main package, weighted down",
			Functions: []coverage.FuncRef{{Name: "main", File: "cmd/shop/main.go", Line: 11, Statements: 5}}},
	}
}

func writeSite(t *testing.T, r *coverage.Result, targets []coverage.Target, opts HTMLOptions) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "report")
	index, err := HTML(context.Background(), dir, r, targets, opts)
	if err != nil {
		t.Fatal(err)
	}
	if index != filepath.Join(dir, "index.html") {
		t.Fatalf("index = %s", index)
	}
	return dir
}

// pageOf finds the page of a package or file by its exact name.
func pageOf(t *testing.T, r *coverage.Result, name string) string {
	t.Helper()
	s := newSite(r, nil, HTMLOptions{})
	for _, p := range r.Packages {
		if p.Name == name {
			return s.pkgPage[p]
		}
		for _, f := range p.Files {
			if f.Rel == name {
				return s.filePage[f]
			}
		}
	}
	t.Fatalf("no page for %s", name)
	return ""
}

func TestHTMLPagesMatchGolden(t *testing.T) {
	r := shopResult(t)
	dir := writeSite(t, r, shopTargets(), HTMLOptions{})
	for _, tc := range []struct{ golden, page string }{
		{"index.html", "index.html"},
		{"package-cart.html", pageOf(t, r, "example.com/shop/cart")},
		{"file-cart.html", pageOf(t, r, "cart/cart.go")},
		{"file-missing-source.html", pageOf(t, r, "money/gone.go")},
	} {
		t.Run(tc.golden, func(t *testing.T) {
			got, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(tc.page)))
			if err != nil {
				t.Fatal(err)
			}
			golden := filepath.Join("testdata", "html", tc.golden)
			if *update || os.Getenv("SPRINTKIT_UPDATE_GOLDEN") == "1" {
				if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test ./report -run Golden -update)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s differs from %s (rerun with -update and review the diff):\n%s", tc.page, golden, firstDiff(string(want), string(got)))
			}
		})
	}
}

func firstDiff(want, got string) string {
	wl, gl := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < len(wl) || i < len(gl); i++ {
		var w, g string
		if i < len(wl) {
			w = wl[i]
		}
		if i < len(gl) {
			g = gl[i]
		}
		if w != g {
			return "line " + strconv.Itoa(i+1) + ":\nwant: " + w + "\ngot:  " + g
		}
	}
	return ""
}

func readPages(t *testing.T, dir string) map[string]string {
	t.Helper()
	pages := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".html") {
			return err
		}
		b, err := os.ReadFile(p)
		rel, _ := filepath.Rel(dir, p)
		pages[filepath.ToSlash(rel)] = string(b)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return pages
}

func TestHTMLEscapesScriptInSourceAndNamesOnEveryPage(t *testing.T) {
	const evil = "</script><script>alert(1)</script>"
	r := shopResult(t)
	r.Warnings = []string{"a warning that quotes " + evil}
	// Names reach tables, links, tooltips and labels: a function, a file
	// and a package named with the payload, quotes included.
	cart := r.Package("example.com/shop/cart")
	cart.Files[0].Functions[0].Name = evil
	cart.Files = append(cart.Files, &coverage.File{Path: `example.com/shop/cart/"` + evil + `.go`, Rel: `cart/"` + evil + `.go`,
		Blocks:    []cover.ProfileBlock{{StartLine: 1, StartCol: 1, EndLine: 2, EndCol: 2, NumStmt: 1}},
		Functions: []*coverage.Function{{Name: evil, File: `cart/"` + evil + `.go`, Line: 1, EndLine: 2, Counts: coverage.Counts{Statements: 1}}}})
	r.Packages = append(r.Packages, &coverage.Package{Name: "example.com/" + evil, Files: []*coverage.File{{Path: "x/" + evil + ".go", Rel: "x/y.go",
		Blocks: []cover.ProfileBlock{{StartLine: 1, StartCol: 1, EndLine: 2, EndCol: 2, NumStmt: 1}}}}})
	r.Finalize()
	targets := shopTargets()
	targets[0].Reason += "; " + evil
	dir := writeSite(t, r, targets, HTMLOptions{Title: "shop " + evil})
	pages := readPages(t, dir)
	if len(pages) < 8 {
		t.Fatalf("only %d pages written", len(pages))
	}
	for name, text := range pages {
		if strings.Contains(text, "<script>alert(1)") {
			t.Errorf("%s holds the script unescaped", name)
		}
		if !strings.Contains(text, "shop &lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;") {
			t.Errorf("%s does not show the escaped title", name)
		}
		if strings.Contains(text, `"><script`) {
			t.Errorf("%s lets a quote close an attribute", name)
		}
		if n := strings.Count(text, "<script"); n != 1 {
			t.Errorf("%s has %d <script elements, want only the site script", name, n)
		}
	}
	evilPage := pages[pageOf(t, r, "cart/evil.go")]
	if !strings.Contains(evilPage, `<b>return</b> <s>&#34;&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;&#34;</s>`) {
		t.Errorf("the source of evil.go is not shown escaped:\n%s", evilPage)
	}
}

func TestHTMLMarksLinesAndListsMissedRanges(t *testing.T) {
	r := shopResult(t)
	dir := writeSite(t, r, shopTargets(), HTMLOptions{})
	page := numberRows(readPages(t, dir)[pageOf(t, r, "cart/cart.go")])
	for _, want := range []string{
		// func (c *Cart) Add: the signature is not a statement, its body is
		// not covered. Tokens are highlighted inside the marked lines.
		"<li id=L19><b>func</b> (c *Cart) <em>Add</em>(it Item) <u>error</u> {<li id=L20 ",
		"<li id=L20 class=u>\t<b>if</b> it.Qty &lt;= <u>0</u> {<li id=L21 ",
		// Total ran.
		"<li id=L36 class=c>\t<b>for</b> _, it := <b>range</b> c.Items {<li id=L37 ",
		// A closing brace alone is not a statement.
		"<li id=L22>\t}<li id=L23",
		// Missed ranges written like coverage.py (joined across lines with
		// no statement, like the lone brace of line 22); site.js links
		// each (TestBrowserJumpsToUncoveredChunksWithJAndK).
		`<strong>Missed lines:</strong> <span>20-30, 45, 49</span></p>`,
		// Uncovered functions at the top, which site.js links to their
		// lines (TestBrowserJumpsToUncoveredChunksWithJAndK).
		"<li><a>(*Cart).Add</a> line 19, 0/8 covered — no test reaches it\n",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("cart.go page lacks %s", want)
		}
	}
	if strings.Contains(page, `>(*Cart).Total</a>`) {
		t.Errorf("the covered function Total is listed as uncovered")
	}
	gone := readPages(t, dir)[pageOf(t, r, "money/gone.go")]
	if !strings.Contains(gone, "The source is not available: money/gone.go could not be read (no such file)") {
		t.Errorf("the page of a missing source does not say so:\n%s", gone)
	}
	if !strings.Contains(gone, `<span>3-4</span>`) {
		t.Errorf("the page of a missing source does not list its missed lines")
	}
}

// A link is quoted, or bare when it needs no quotes (href=#L12).
var hrefRE = regexp.MustCompile(`(?:href|src)=(?:"([^"]*)"|([^\s"'=<>` + "`" + `]+))`)

// hasID reports whether the page has an element of that id, quoted or not
// (a source row's is not: <li id=L12 class=c>, the id site.js gives row 12,
// which numberRows writes in).
func hasID(page, id string) bool {
	return strings.Contains(page, `id="`+id+`"`) || strings.Contains(page, ` id=`+id+`>`) || strings.Contains(page, ` id=`+id+` `)
}

// Every link of every page, for every kind of ranking, leads to a page that
// exists, and every #Lnn anchor to a line of it.
func TestHTMLLinksResolveForEveryRanking(t *testing.T) {
	for _, by := range []string{"package", "file", "function"} {
		t.Run("ranked by "+by, func(t *testing.T) {
			r := shopResult(t)
			targets := coverage.Rank(r, coverage.RankOptions{By: by})
			if len(targets) == 0 {
				t.Fatal("no targets")
			}
			dir := writeSite(t, r, targets, HTMLOptions{})
			pages := readPages(t, dir)
			checked := 0
			for name, text := range pages {
				for _, m := range hrefRE.FindAllStringSubmatch(text, -1) {
					link := strings.ReplaceAll(m[1]+m[2], "&amp;", "&")
					file, anchor, _ := strings.Cut(link, "#")
					target := name
					if file != "" {
						target = filepath.ToSlash(filepath.Join(filepath.Dir(name), file))
					}
					if _, err := os.Stat(filepath.Join(dir, filepath.FromSlash(target))); err != nil {
						t.Errorf("%s links to %s, which does not exist", name, link)
						continue
					}
					if anchor != "" && strings.HasSuffix(target, ".html") && !hasID(numberRows(pages[target]), anchor) {
						if !strings.Contains(pages[target], "The source is not available") {
							t.Errorf("%s links to %s, which has no id %q", name, link, anchor)
						}
					}
					checked++
				}
			}
			if checked < 50 {
				t.Errorf("only %d links checked", checked)
			}
			index := pages["index.html"]
			if !strings.Contains(index, `id="targets"`) || !strings.Contains(index, targets[0].Reason) {
				t.Errorf("index lacks the ranked table or the first reason")
			}
		})
	}
}

func TestHTMLPackageTableIsInRankOrder(t *testing.T) {
	r := shopResult(t)
	dir := writeSite(t, r, shopTargets(), HTMLOptions{})
	index := readPages(t, dir)["index.html"]
	table := index[strings.Index(index, `id="package-table"`):]
	var order []string
	for _, m := range regexp.MustCompile(`<tr data-name="([^"]+)"`).FindAllStringSubmatch(table, -1) {
		order = append(order, m[1])
	}
	want := []string{"example.com/shop/cart", "example.com/shop/cmd/shop", "example.com/shop/money", "example.com/shop/odd dir/ünï"}
	if strings.Join(order, " ") != strings.Join(want, " ") {
		t.Errorf("package rows = %v, want ranked first then the rest: %v", order, want)
	}
}

func TestPageNamesAreSafeAndUnique(t *testing.T) {
	safe := regexp.MustCompile(`^[a-z0-9][a-z0-9._-]*\.html$`)
	names := []string{
		"a/b.go", "a/B.go", "A/b.go", "a b/c.go", "a_b/c.go", "a/b/c.go", "a.b/c.go",
		"ünïcode/wëird name.go", "日本/語.go", "../../etc/passwd", "con.go", "aux", ".hidden",
		"", "/", strings.Repeat("deep/", 200) + "x.go", strings.Repeat("deep/", 201) + "x.go",
		"a:b?c*d|e\"f<g>h\\i.go", "x\x00y.go",
	}
	for i := 0; i < 5000; i++ {
		names = append(names, "example.com/big/pkg"+strconv.Itoa(i%97)+"/file_"+strconv.Itoa(i)+".go")
	}
	p := newPageNamer()
	seen := map[string]string{}
	for _, n := range names {
		got := p.name(n)
		if !safe.MatchString(got) || len(got) > 90 {
			t.Errorf("name(%q) = %q: not a safe file name", n, got)
		}
		if prev, ok := seen[strings.ToLower(got)]; ok {
			t.Errorf("name(%q) = %q, the same as for %q", n, got, prev)
		}
		seen[strings.ToLower(got)] = n
	}
}

func TestSquarifyFillsTheBoxInProportion(t *testing.T) {
	for _, tc := range []struct {
		name   string
		values []float64
		box    rect
	}{
		{"one value fills the box", []float64{7}, rect{0, 0, 100, 50}},
		{"equal values", []float64{5, 5, 5, 5}, rect{0, 0, 100, 100}},
		{"one big and many small", []float64{1000, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1}, rect{10, 20, 300, 120}},
		{"a tall box", []float64{6, 6, 4, 3, 2, 2, 1}, rect{0, 0, 40, 300}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rs := squarify(tc.values, tc.box)
			total := 0.0
			for _, v := range tc.values {
				total += v
			}
			for i, r := range rs {
				want := tc.values[i] / total * tc.box.w * tc.box.h
				if got := r.w * r.h; got < want*0.999 || got > want*1.001 {
					t.Errorf("box %d has area %.2f, want %.2f", i, got, want)
				}
				if r.x < tc.box.x-1e-6 || r.y < tc.box.y-1e-6 || r.x+r.w > tc.box.x+tc.box.w+1e-6 || r.y+r.h > tc.box.y+tc.box.h+1e-6 {
					t.Errorf("box %d %+v leaves %+v", i, r, tc.box)
				}
				for j := 0; j < i; j++ {
					o := rs[j]
					if r.x+1e-6 < o.x+o.w && o.x+1e-6 < r.x+r.w && r.y+1e-6 < o.y+o.h && o.y+1e-6 < r.y+r.h {
						t.Errorf("boxes %d and %d overlap", i, j)
					}
				}
			}
		})
	}
}

func TestHTMLTreemapLinksEveryFileItDraws(t *testing.T) {
	r := shopResult(t)
	dir := writeSite(t, r, shopTargets(), HTMLOptions{})
	index := readPages(t, dir)["index.html"]
	svg := index[strings.Index(index, "<svg"):strings.Index(index, "</svg>")]
	for _, want := range []string{
		`<title>example.com/shop/cart`, `<title>cart/cart.go`, `href="` + pageOf(t, r, "cart/cart.go") + `"`,
		`href="` + pageOf(t, r, "example.com/shop/cart") + `"`,
	} {
		if !strings.Contains(svg, want) {
			t.Errorf("treemap lacks %s", want)
		}
	}
	if strings.Count(svg, "<rect") < 8 {
		t.Errorf("treemap has %d boxes, want packages and files", strings.Count(svg, "<rect"))
	}
}

func TestHTMLReplacesOnlyItsOwnDirectory(t *testing.T) {
	r := shopResult(t)
	ctx := context.Background()
	t.Run("a non-empty directory that is not a report is left alone", func(t *testing.T) {
		dir := t.TempDir()
		keep := filepath.Join(dir, "notes.txt")
		os.WriteFile(keep, []byte("mine"), 0o644)
		if _, err := HTML(ctx, dir, r, nil, HTMLOptions{}); err == nil || !strings.Contains(err.Error(), "refusing to replace") {
			t.Fatalf("err = %v, want a refusal", err)
		}
		if b, _ := os.ReadFile(keep); string(b) != "mine" {
			t.Fatal("the user's file was touched")
		}
		assertNoLeftovers(t, filepath.Dir(dir), filepath.Base(dir))
	})
	t.Run("a previous report is replaced whole", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "site")
		if _, err := HTML(ctx, dir, r, nil, HTMLOptions{}); err != nil {
			t.Fatal(err)
		}
		stale := filepath.Join(dir, "src", "stale.html")
		os.WriteFile(stale, []byte("old"), 0o644)
		if _, err := HTML(ctx, dir, r, shopTargets(), HTMLOptions{}); err != nil {
			t.Fatal(err)
		}
		if _, err := os.Stat(stale); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("a page of the old report survived: %v", err)
		}
		assertNoLeftovers(t, filepath.Dir(dir), "site")
	})
	t.Run("a cancelled run leaves nothing under the final name", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "site")
		cctx, cancel := context.WithCancel(ctx)
		cancel()
		if _, err := HTML(cctx, dir, r, nil, HTMLOptions{}); !errors.Is(err, context.Canceled) {
			t.Fatalf("err = %v, want context.Canceled", err)
		}
		if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("the site exists after a cancelled run: %v", err)
		}
		assertNoLeftovers(t, filepath.Dir(dir), "")
	})
	t.Run("a file in the way is an error", func(t *testing.T) {
		file := filepath.Join(t.TempDir(), "site")
		os.WriteFile(file, nil, 0o644)
		if _, err := HTML(ctx, file, r, nil, HTMLOptions{}); err == nil || !strings.Contains(err.Error(), "not a directory") {
			t.Fatalf("err = %v", err)
		}
	})
}

// assertNoLeftovers checks that parent holds nothing but want (if set).
func assertNoLeftovers(t *testing.T, parent, want string) {
	t.Helper()
	entries, _ := os.ReadDir(parent)
	var names []string
	for _, e := range entries {
		if e.Name() != want {
			names = append(names, e.Name())
		}
	}
	if len(names) > 0 {
		t.Errorf("left behind in %s: %v", parent, names)
	}
}

func TestHTMLReportsProgressForEveryPage(t *testing.T) {
	r := shopResult(t)
	var calls []int
	total := 0
	writeSite(t, r, shopTargets(), HTMLOptions{Workers: 3, Progress: func(done, n int) {
		calls = append(calls, done)
		total = n
	}})
	files := 0
	for _, p := range r.Packages {
		files += len(p.Files)
	}
	if want := 1 + len(r.Packages) + files; total != want || len(calls) != want {
		t.Fatalf("progress total %d over %d calls, want %d pages", total, len(calls), want)
	}
	if !sort.IntsAreSorted(calls) || calls[len(calls)-1] != total {
		t.Errorf("progress went %v", calls)
	}
}

func TestMissedLinksWriteRangesLikeFormatRanges(t *testing.T) {
	N, C, U, P := coverage.LineNone, coverage.LineCovered, coverage.LineUncovered, coverage.LinePartial
	for _, tc := range []struct {
		name   string
		states []coverage.LineState
	}{
		{"nothing missed", []coverage.LineState{N, C, C, N}},
		{"one run and a single line", []coverage.LineState{N, U, U, P, C, N, U}},
		{"a run joined across lines with no statement", []coverage.LineState{N, U, N, N, U, C, U, N}},
		{"a covered line breaks the run", []coverage.LineState{N, P, C, P}},
		{"trailing lines with no statement", []coverage.LineState{N, U, N, N}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			measured := func(l int) bool { return l < len(tc.states) && tc.states[l] != N }
			want := coverage.FormatRanges(coverage.Missed(tc.states), measured)
			var got []string
			for _, l := range missedLinks(tc.states, "") {
				got = append(got, l.Text)
				if first, _, _ := strings.Cut(l.Text, "-"); l.Href != "#L"+first {
					t.Errorf("range %s links to %s", l.Text, l.Href)
				}
			}
			if strings.Join(got, ", ") != want {
				t.Errorf("got %q, want %q", strings.Join(got, ", "), want)
			}
		})
	}
}

func TestGroupDigitsSeparatesThousands(t *testing.T) {
	for n, want := range map[int]string{0: "0", 999: "999", 1000: "1,000", 600179: "600,179", 1000000: "1,000,000", -1234: "-1,234"} {
		if got := groupDigits(n); got != want {
			t.Errorf("groupDigits(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestPageNamesKeepWholePathElements(t *testing.T) {
	for _, tc := range []struct{ name, path, want string }{
		{"a short path is kept whole", "cart/cart.go", "cart_cart.go"},
		{"a module path of 60 bytes is kept whole",
			"github.com/sprintkit/sprintkit/internal/termui/progressx.go", "github.com_sprintkit_sprintkit_internal_termui_progressx.go"},
		{"a longer one loses its first elements, not the first letter of one",
			"github.com/sprintkit/sprintkit/internal/termui/progress_bar.go", "sprintkit_sprintkit_internal_termui_progress_bar.go"},
		{"a cut that falls just after a separator keeps the next element whole",
			"abcdefghi/" + strings.Repeat("x", 55) + "/y.go", strings.Repeat("x", 55) + "_y.go"},
		{"one element longer than the limit keeps its tail", strings.Repeat("ab", 40) + ".go", "b" + strings.Repeat("ab", 28) + ".go"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := newPageNamer().name(tc.path)
			slug := got[:strings.LastIndexByte(got, '-')]
			if slug != tc.want {
				t.Errorf("name(%q) = %q, want the slug %q", tc.path, got, tc.want)
			}
		})
	}
}

func TestTreemapLabelsFitTheirBoxOrEndInAnEllipsis(t *testing.T) {
	for _, tc := range []struct {
		name, file string
		width      float64
		want       string
	}{
		{"a wide box shows the name and the figure", "gorun.go", 200, "gorun.go 38%"},
		{"a narrower one shows the name alone", "gorun.go", 50, "gorun.go"},
		{"a name too long for its box loses its extension first", "f00012.go", 45, "f00012"},
		{"a name cut short ends at a word boundary, with an ellipsis", "report_test.go", 60, "report…"},
		{"a name with no boundary in reach is cut with an ellipsis", "abcdefghijklmnop.go", 50, "abcdef…"},
		{"a box too narrow for a few letters gets no label", "gorun.go", 20, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := fitLabel(tc.file, "38%", tc.width, false)
			if got != tc.want {
				t.Errorf("fitLabel(%q, %.0f px) = %q, want %q", tc.file, tc.width, got, tc.want)
			}
			if got != "" && textWidth(got, false) > tc.width {
				t.Errorf("%q is %.1f px wide, more than its %.0f px", got, textWidth(got, false), tc.width)
			}
		})
	}
}

func TestFilePagesAreNamedAfterTheirPathInTheProject(t *testing.T) {
	r := shopResult(t)
	for _, tc := range []struct{ rel, prefix string }{
		{"cart/cart.go", "src/cart_cart.go-"},
		{"cmd/shop/main.go", "src/cmd_shop_main.go-"},
	} {
		if got := pageOf(t, r, tc.rel); !strings.HasPrefix(got, tc.prefix) {
			t.Errorf("the page of %s is %s, want a name starting %s (its path in the project, not the module's)", tc.rel, got, tc.prefix)
		}
	}
}

// A file whose tests did not run (a Python test module that failed to
// import) says so on its page, so its red lines do not read as "no test
// reaches it"; a file whose tests ran says nothing of the kind.
func TestHTMLFilePageSaysWhenItsTestsDidNotRun(t *testing.T) {
	r := shopResult(t)
	var notRun, ran *coverage.File
	for _, p := range r.Packages {
		for _, f := range p.Files {
			if f.Rel == "" {
				continue
			}
			if notRun == nil {
				notRun = f
			} else if ran == nil {
				ran = f
			}
		}
	}
	if notRun == nil || ran == nil {
		t.Fatal("the fixture has fewer than two files with a source")
	}
	notRun.NotRun = "tests/test_cart.py failed to import"
	dir := writeSite(t, r, nil, HTMLOptions{})
	read := func(f *coverage.File) string {
		b, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(pageOf(t, r, f.Rel))))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	if page := read(notRun); !strings.Contains(page, "Tests exist for this file but did not run (tests/test_cart.py failed to import)") {
		t.Errorf("the page of %s does not say its tests did not run", notRun.Rel)
	}
	if page := read(ran); strings.Contains(page, "did not run") {
		t.Errorf("the page of %s says its tests did not run", ran.Rel)
	}
}

// The index lists flaky tests apart from the failing ones: a failure of a
// flaky test may not be the newcomer's.
func TestHTMLIndexListsFlakyTestsApart(t *testing.T) {
	r := shopResult(t)
	r.Tests = append(r.Tests,
		coverage.TestResult{Package: "example.com/shop/cart", Test: "TestSometimes", Outcome: coverage.OutcomeFlaky},
		coverage.TestResult{Package: "example.com/shop/cart", Test: "TestAlways", Outcome: "fail"})
	dir := writeSite(t, r, nil, HTMLOptions{})
	b, err := os.ReadFile(filepath.Join(dir, "index.html"))
	if err != nil {
		t.Fatal(err)
	}
	page := string(b)
	flaky := strings.Index(page, "1 test is flaky")
	failed := strings.Index(page, "before any change</h2>")
	switch {
	case flaky < 0:
		t.Fatal("the index does not list the flaky test")
	case failed < 0:
		t.Fatal("the index does not list the failing test")
	}
	section := page[flaky:]
	section = section[:strings.Index(section, "</section>")]
	if !strings.Contains(section, "TestSometimes") || strings.Contains(section, "TestAlways") {
		t.Errorf("the flaky section lists the wrong tests:\n%s", section)
	}
	if failing := page[failed:]; strings.Contains(failing[:strings.Index(failing, "</section>")], "TestSometimes") {
		t.Error("the flaky test is listed as failing too")
	}
}
