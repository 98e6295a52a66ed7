package coverage

import (
	"context"
	"math"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"golang.org/x/tools/cover"
	"golang.org/x/tools/txtar"
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
	if first.Reason != "no test reaches 10 of its 11 functions; first test: parseQuery, 6 statements" {
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

// writeTxtar writes the files of a txtar archive under root.
func writeTxtar(t *testing.T, archive, root string) {
	t.Helper()
	a, err := txtar.ParseFile(archive)
	if err != nil {
		t.Fatal(err)
	}
	files := map[string]string{}
	for _, f := range a.Files {
		files[f.Name] = string(f.Data)
	}
	writeTree(t, root, files)
}

// TestRankWeighsByEvidence runs the tests of a library module (see
// testdata/rank/evidence.txtar) and checks the targets a maintainer would
// pick: library code first, test support and entry points weighted down,
// and first tests with real logic before getters.
func TestRankWeighsByEvidence(t *testing.T) {
	needGo(t)
	root := t.TempDir()
	writeTxtar(t, "testdata/rank/evidence.txtar", root)
	r, err := RunGo(context.Background(), GoRun{Dir: root, Env: goEnv})
	if err != nil {
		t.Fatal(err)
	}
	views := map[string][]Target{}
	for _, by := range []string{"package", "file", "function"} {
		views[by] = Rank(r, RankOptions{By: by})
	}
	byName := func(by, name string) Target {
		t.Helper()
		for _, tg := range views[by] {
			if tg.Name == name {
				return tg
			}
		}
		t.Fatalf("no %s target %s", by, name)
		return Target{}
	}
	names := func(ts []Target) string {
		var out []string
		for _, tg := range ts {
			out = append(out, strings.TrimPrefix(tg.Name, "example.com/lib/"))
		}
		return strings.Join(out, " ")
	}

	// Library code first; the command at 0.6; the fixtures, the harness
	// package and the internal helper below, whatever their size.
	if got, want := names(views["package"]), "example.com/lib options cmd/libtool internal/fixtures fuzz internal/golden"; got != want {
		t.Errorf("package order:\n got  %s\n want %s", got, want)
	}

	entry := map[string]bool{"main": true, "init": true, "Fuzz": true, "FuzzSplit": true}
	tests := []struct {
		name  string
		check func(t *testing.T)
	}{
		{"a public package only the module's tests import stays library code with weight 1", func(t *testing.T) {
			if p := r.Package("example.com/lib/options"); p.TestSupport {
				t.Errorf("options is test support: %s", p.SupportReason)
			}
			tg := byName("package", "example.com/lib/options")
			// weight × size × spread × Σ effort, with weight 1: Validate's 7
			// statements are the uncovered ones, Default's 1 is covered.
			want := math.Round(1*0.7*(0.5+0.5*7.0/8)*7*10) / 10
			if tg.Score != want || strings.Contains(tg.Reason, "weighted down") {
				t.Errorf("options: score %v, reason %q; want %v, not weighted down", tg.Score, tg.Reason, want)
			}
		}},
		{"an internal package of test fixture types is test support because its name says so", func(t *testing.T) {
			tg := byName("package", "example.com/lib/internal/fixtures")
			if !strings.Contains(tg.Reason, "test-support code (name says test fixtures), weighted down") {
				t.Errorf("fixtures reason = %q", tg.Reason)
			}
		}},
		{"an internal package only tests import is test support and says why", func(t *testing.T) {
			tg := byName("file", "internal/golden/golden.go")
			if !strings.Contains(tg.Reason, "test-support code (internal package only tests import), weighted down") {
				t.Errorf("golden reason = %q", tg.Reason)
			}
		}},
		{"the first test is the small function with branches, and the String method and the getter come last", func(t *testing.T) {
			tg := byName("package", "example.com/lib")
			var got []string
			for _, f := range tg.Functions {
				got = append(got, f.Name)
			}
			if strings.Join(got, " ") != "Split Describe Token.String Token.Len" {
				t.Errorf("first tests = %v", got)
			}
			if !strings.Contains(tg.Reason, "first test: Split, 7 statements, 2 branches") {
				t.Errorf("reason = %q", tg.Reason)
			}
		}},
		{"main, init and fuzz harnesses are never offered as first tests in any view", func(t *testing.T) {
			for by, ts := range views {
				for _, tg := range ts {
					for _, f := range tg.Functions {
						if entry[f.Name] {
							t.Errorf("--by %s: %s offers %s as a first test", by, tg.Name, f.Name)
						}
					}
				}
			}
			if tg := byName("package", "example.com/lib/fuzz"); !strings.Contains(tg.Reason, "only entry points are untested (Fuzz): weighted down, no first test") {
				t.Errorf("fuzz package reason = %q", tg.Reason)
			}
		}},
		{"in the function view main, init and fuzz harnesses rank below the library functions and say why", func(t *testing.T) {
			var lastLib int
			for _, name := range []string{"lib.Split", "options.Options.Validate", "lib.Describe", "libtool.readInput"} {
				lastLib = max(lastLib, byName("function", name).Rank)
			}
			for _, name := range []string{"libtool.main", "libtool.init", "fuzz.Fuzz", "lib.FuzzSplit"} {
				tg := byName("function", name)
				if tg.Rank < lastLib || !strings.Contains(tg.Reason, "weighted down") {
					t.Errorf("%s ranks %d (library functions up to %d): %s", name, tg.Rank, lastLib, tg.Reason)
				}
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, tt.check)
	}
}

// TestDefaultUnitRanksPythonModules imports coverage of the one-package
// Python fixture (calc: __init__.py, ops.py, untested.py) and ranks it
// without --by: Python's unit is the module, so each module with uncovered
// code is a target; --by package still gives the one package.
func TestDefaultUnitRanksPythonModules(t *testing.T) {
	const covJSON = `{"meta": {"version": "7.6.1"}, "files": {
"calc/__init__.py": {"executed_lines": [3, 5], "missing_lines": [], "excluded_lines": [], "summary": {"covered_lines": 2, "num_statements": 2}},
"calc/ops.py": {"executed_lines": [3, 6, 7, 10, 14], "missing_lines": [11, 15, 16, 17], "excluded_lines": [], "summary": {"covered_lines": 5, "num_statements": 9}},
"calc/untested.py": {"executed_lines": [], "missing_lines": [4, 5, 6, 9, 10], "excluded_lines": [], "summary": {"covered_lines": 0, "num_statements": 5}}},
"totals": {"covered_lines": 7, "num_statements": 16}}`
	const lcov = "SF:calc/ops.py\nDA:6,1\nDA:7,1\nDA:10,1\nDA:11,0\nend_of_record\nSF:calc/untested.py\nDA:4,1\nDA:5,0\nDA:6,0\nend_of_record\n"
	tests := []struct {
		name, file, content, by string
		unit                    string
		targets                 string
	}{
		{"coverage.py's data ranks modules by default", "coverage.json", covJSON, "", "file", "calc/ops.py calc/untested.py"},
		{"an LCOV file of Python modules ranks modules by default", "lcov.info", lcov, "", "file", "calc/ops.py calc/untested.py"},
		{"--by package still ranks the one package", "coverage.json", covJSON, "package", "file", "calc"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := t.TempDir()
			copyTree(t, filepath.Join("testdata", "pyproj"), root)
			r := importString(t, root, tt.file, tt.content)
			if got := DefaultUnit(r); got != tt.unit {
				t.Errorf("DefaultUnit = %q, want %q", got, tt.unit)
			}
			var got []string
			for _, tg := range Rank(r, RankOptions{By: tt.by}) {
				got = append(got, tg.Name)
			}
			sort.Strings(got)
			if strings.Join(got, " ") != tt.targets {
				t.Errorf("targets %v, want %s", got, tt.targets)
			}
		})
	}
	if got := DefaultUnit(result(pkg("m/a", map[string][]fnSpec{"a.go": {{"A", 3, 0}}}))); got != "package" {
		t.Errorf("DefaultUnit of Go code = %q, want package", got)
	}
}
