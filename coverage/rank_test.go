package coverage

import (
	"strings"
	"testing"

	"golang.org/x/tools/cover"
)

// fn makes a function with the given statements and covered statements and
// a file block that carries the same counts.
func fn(name, file string, line, stmts, covered int) (*Function, []cover.ProfileBlock) {
	f := &Function{Name: name, File: file, Line: line, EndLine: line + stmts, Counts: Counts{Statements: stmts, Covered: covered}}
	var blocks []cover.ProfileBlock
	if covered > 0 {
		blocks = append(blocks, cover.ProfileBlock{StartLine: line, EndLine: line, NumStmt: covered, Count: 1})
	}
	if stmts-covered > 0 {
		blocks = append(blocks, cover.ProfileBlock{StartLine: line + 1, EndLine: line + 1, NumStmt: stmts - covered})
	}
	return f, blocks
}

type fnSpec struct {
	name           string
	stmts, covered int
}

func pkg(name string, files map[string][]fnSpec) *Package {
	p := &Package{Name: name}
	for file, fns := range files {
		f := &File{Path: name + "/" + file, Rel: name + "/" + file}
		for i, s := range fns {
			fun, blocks := fn(s.name, f.Rel, 10*(i+1), s.stmts, s.covered)
			f.Functions = append(f.Functions, fun)
			f.Blocks = append(f.Blocks, blocks...)
		}
		p.Files = append(p.Files, f)
	}
	return p
}

func result(pkgs ...*Package) *Result {
	r := &Result{Packages: pkgs}
	r.Finalize()
	return r
}

func TestRankOrdersTargets(t *testing.T) {
	manySmall := pkg("m/small", map[string][]fnSpec{"a.go": {
		{"parseQuery", 6, 0}, {"b", 8, 0}, {"c", 8, 0}, {"d", 8, 0}, {"e", 8, 0}, {"f", 8, 0}, {"g", 8, 0}, {"h", 8, 0}, {"i", 8, 0}, {"j", 8, 0}, {"k", 10, 10},
	}})
	giant := pkg("m/giant", map[string][]fnSpec{"a.go": {{"Monster", 80, 0}}})
	tiny := pkg("m/tiny", map[string][]fnSpec{"a.go": {{"Small", 3, 0}, {"Big", 100, 100}}})
	mainPkg := pkg("m/cmd/tool", map[string][]fnSpec{"main.go": {
		{"a", 8, 0}, {"b", 8, 0}, {"c", 8, 0}, {"d", 8, 0}, {"e", 8, 0}, {"f", 8, 0}, {"g", 8, 0}, {"h", 8, 0}, {"i", 8, 0}, {"j", 8, 0},
	}})
	mainPkg.IsMain = true
	support := pkg("m/internal/testutil", map[string][]fnSpec{"u.go": {
		{"a", 8, 0}, {"b", 8, 0}, {"c", 8, 0}, {"d", 8, 0}, {"e", 8, 0}, {"f", 8, 0}, {"g", 8, 0}, {"h", 8, 0}, {"i", 8, 0}, {"j", 8, 0},
	}})
	support.TestSupport = true
	gen := pkg("m/gen", map[string][]fnSpec{"zz_generated.go": {{"A", 500, 0}}})
	gen.Files[0].Generated = true
	done := pkg("m/done", map[string][]fnSpec{"a.go": {{"A", 50, 50}}})

	r := result(manySmall, giant, tiny, mainPkg, support, gen, done)
	targets := Rank(r, RankOptions{})
	var order []string
	for _, tg := range targets {
		order = append(order, tg.Name)
	}
	got := strings.Join(order, " ")
	want := "m/small m/cmd/tool m/giant m/internal/testutil m/tiny"
	if got != want {
		t.Fatalf("rank order:\n got  %s\n want %s", got, want)
	}
	for i, tg := range targets {
		if tg.Rank != i+1 {
			t.Errorf("target %s has rank %d, want %d", tg.Name, tg.Rank, i+1)
		}
	}

	first := targets[0]
	if first.Reason != "no test reaches 10 of its 11 functions; first test: parseQuery, 6 statements (no test reaches it, unexported, top-level)" {
		t.Errorf("reason = %q", first.Reason)
	}
	if first.Functions[0].Name != "parseQuery" || len(first.Functions) != 10 {
		t.Errorf("functions should list the 10 uncovered ones, smallest first (none has a branch): %+v", first.Functions)
	}
	if first.Statements != 88 || first.Uncovered != 78 || first.Percent != 11.4 {
		t.Errorf("figures = %d statements, %d uncovered, %v%%", first.Statements, first.Uncovered, first.Percent)
	}
	byName := map[string]Target{}
	for _, tg := range targets {
		byName[tg.Name] = tg
	}
	if r := byName["m/cmd/tool"].Reason; !strings.Contains(r, "main package, weighted down") {
		t.Errorf("main package reason = %q", r)
	}
	if r := byName["m/internal/testutil"].Reason; !strings.Contains(r, "test-support") {
		t.Errorf("support reason = %q", r)
	}
	if r := byName["m/tiny"].Reason; !strings.Contains(r, "only 3 uncovered") {
		t.Errorf("tiny reason = %q", r)
	}
	if r := byName["m/giant"].Reason; !strings.Contains(r, "one large function (Monster, 80 uncovered)") {
		t.Errorf("giant reason = %q", r)
	}
	if _, ok := byName["m/gen"]; ok {
		t.Errorf("generated code must not be a target")
	}
	if _, ok := byName["m/done"]; ok {
		t.Errorf("fully covered code must not be a target")
	}
}

func TestRankByFunctionAndFile(t *testing.T) {
	p := pkg("m/url", map[string][]fnSpec{
		"parse.go":  {{"parseQuery", 6, 0}, {"Parse", 30, 10}, {"ok", 4, 4}},
		"escape.go": {{"escape", 12, 0}},
	})
	r := result(p)

	fns := Rank(r, RankOptions{By: "function"})
	if len(fns) != 3 {
		t.Fatalf("want 3 function targets (covered ones left out), got %d", len(fns))
	}
	if fns[0].Name != "url.Parse" || fns[0].Kind != "function" || fns[0].Line == 0 {
		t.Errorf("first function target = %+v", fns[0])
	}
	if !strings.Contains(fns[0].Reason, "20 of its 30 statements never run") {
		t.Errorf("reason = %q", fns[0].Reason)
	}

	files := Rank(r, RankOptions{By: "file", Top: 1})
	if len(files) != 1 || files[0].Name != "m/url/parse.go" || files[0].Kind != "file" {
		t.Fatalf("file targets = %+v", files)
	}
}

func TestRankBoostsRecentFilesAndSaysSo(t *testing.T) {
	a := pkg("m/a", map[string][]fnSpec{"a.go": {{"A", 12, 0}}})
	b := pkg("m/b", map[string][]fnSpec{"b.go": {{"B", 12, 0}}})
	c := pkg("m/c", map[string][]fnSpec{"c.go": {{"C", 11, 0}}})
	d := pkg("m/d", map[string][]fnSpec{"d.go": {{"D", 11, 0}}})
	r := result(a, b, c, d)
	targets := Rank(r, RankOptions{Recent: map[string]bool{"m/b/b.go": true}})
	if targets[0].Name != "m/b" || !strings.Contains(targets[0].Reason, "changed recently") {
		t.Fatalf("recent package should rank first and say so: %+v", targets[0])
	}
}

func TestRankIgnoresRecentWhenEverythingIsRecent(t *testing.T) {
	a := pkg("m/a", map[string][]fnSpec{"a.go": {{"A", 12, 0}}})
	b := pkg("m/b", map[string][]fnSpec{"b.go": {{"B", 12, 0}}})
	r := result(a, b)
	targets := Rank(r, RankOptions{Recent: map[string]bool{"m/a/a.go": true, "m/b/b.go": true}})
	for _, tg := range targets {
		if strings.Contains(tg.Reason, "changed recently") {
			t.Errorf("a one-commit history marks every file recent; the reason should not say so: %q", tg.Reason)
		}
	}
}

// TestDefaultUnitOfGoCodeIsPackage: Go code ranks by package without --by
// (Python's default unit, the module, is in importer's rank_test.go).
func TestDefaultUnitOfGoCodeIsPackage(t *testing.T) {
	if got := DefaultUnit(result(pkg("m/a", map[string][]fnSpec{"a.go": {{"A", 3, 0}}}))); got != "package" {
		t.Errorf("DefaultUnit of Go code = %q, want package", got)
	}
}
