package gotest

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/sprintkit/sprintkit/coverage"
	"github.com/sprintkit/sprintkit/internal/testkit"
)

// brokenFiles is a module with a package that does not compile beside one
// that does.
var brokenFiles = map[string]string{
	"go.mod":           "module example.com/m\n\ngo 1.22\n",
	"ok/ok.go":         "package ok\n\nfunc OK() bool { return true }\n",
	"ok/ok_test.go":    "package ok\n\nimport \"testing\"\n\nfunc TestOK(t *testing.T) { OK() }\n",
	"broken/broken.go": "package broken\n\nfunc Broken() int { return undefinedThing }\n",
	"broken/b_test.go": "package broken\n\nimport \"testing\"\n\nfunc TestBroken(t *testing.T) { Broken() }\n",
}

// missingDependencyFiles is a repository with two modules, one of which
// requires a module that cannot be fetched.
var missingDependencyFiles = map[string]string{
	"go.mod":         "module example.com/main\n\ngo 1.22\n",
	"lib/lib.go":     "package lib\n\nfunc L() int { return 1 }\n",
	"lib/l_test.go":  "package lib\n\nimport \"testing\"\n\nfunc TestL(t *testing.T) { L() }\n",
	"tools/go.mod":   "module example.com/tools\n\ngo 1.22\n\nrequire example.com/missing v1.0.0\n",
	"tools/tools.go": "package tools\n\nimport _ \"example.com/missing\"\n",
}

// workspaceFiles is a go.work workspace whose module b tests module a's code.
var workspaceFiles = map[string]string{
	"go.work":      "go 1.22\n\nuse (\n\t./a\n\t./b\n)\n",
	"a/go.mod":     "module example.com/a\n\ngo 1.22\n",
	"a/a.go":       "package a\n\nfunc A() int { return 1 }\n\nfunc NeverCalled() int { return 2 }\n",
	"b/go.mod":     "module example.com/b\n\ngo 1.22\n",
	"b/b.go":       "package b\n\nimport \"example.com/a\"\n\nfunc B() int { return a.A() + 1 }\n",
	"b/b_test.go":  "package b\n\nimport \"testing\"\n\nfunc TestB(t *testing.T) {\n\tif B() != 2 {\n\t\tt.Fatal(B())\n\t}\n}\n",
	"b/cmd/x/x.go": "package main\n\nfunc main() {}\n",
}

// runScenario is one fixture tree, the options Run gets for it (Dir and Env
// are filled in), and what must hold of the result.
type runScenario struct {
	name  string
	slow  bool // skipped under -short
	files map[string]string
	opts  Options
	env   []string // instead of goEnv
	check func(t *testing.T, root string, r *coverage.Result)
}

// runScenarios runs each scenario on its own tree.
func runScenarios(t *testing.T, scenarios []runScenario) {
	testkit.NeedGo(t)
	for _, c := range scenarios {
		t.Run(c.name, func(t *testing.T) {
			if c.slow && testing.Short() {
				t.Skip("runs the go toolchain; go test without -short runs it")
			}
			root := t.TempDir()
			testkit.WriteTree(t, root, c.files)
			opts := c.opts
			opts.Dir, opts.Env = root, goEnv
			if c.env != nil {
				opts.Env = c.env
			}
			r, err := Run(context.Background(), opts)
			if err != nil {
				t.Fatal(err)
			}
			c.check(t, root, r)
		})
	}
}

// failures lists r's failing tests as "package test".
func failures(r *coverage.Result) []string {
	var out []string
	for _, f := range r.Failed() {
		out = append(out, f.Package+" "+f.Test)
	}
	return out
}

func TestRunGoScenarios(t *testing.T) {
	set := []string{"example.com/m/broken", "example.com/m/ok"}
	runScenarios(t, []runScenario{
		{name: "a workspace covers code of one module by the tests of another", files: workspaceFiles,
			env: []string{"GOFLAGS=-mod=mod", "GOPROXY=off", "GOTOOLCHAIN=local"},
			check: func(t *testing.T, root string, r *coverage.Result) {
				a := r.Package("example.com/a")
				if a == nil || a.Statements != 2 || a.Covered != 1 || a.HasTests {
					t.Fatalf("package a = %+v, want 1 of 2 statements covered by b's tests", a)
				}
				if fns := a.Files[0].Functions; len(fns) != 2 || fns[0].Name != "A" || fns[0].Covered != 1 || fns[0].File != "a/a.go" {
					t.Errorf("a's functions = %+v", fns)
				}
				if r.Package("example.com/b/cmd/x") == nil {
					t.Errorf("the workspace's main package is missing")
				}
				if filepath.Base(r.Root) != filepath.Base(root) {
					t.Errorf("root %s, want the workspace root %s", r.Root, root)
				}
			}},
		{name: "a build failure is listed and the rest is measured", slow: true, files: brokenFiles,
			check: func(t *testing.T, root string, r *coverage.Result) {
				var build *coverage.TestResult
				for i, tr := range r.Tests {
					if tr.Package == "example.com/m/broken" && tr.Test == "(build)" {
						build = &r.Tests[i]
					}
				}
				if build == nil || build.Outcome != "fail" || !strings.Contains(build.Output, "undefinedThing") {
					t.Errorf("build failure entry = %+v, want a failure naming undefinedThing; tests %+v", build, r.Tests)
				}
				if p := r.Package("example.com/m/ok"); p == nil || p.Percent != 100 {
					t.Errorf("the package that builds = %+v, want 100%%", p)
				}
			}},
		{name: "with explicit packages, as watch-test runs, a build failure is listed and the rest is measured", slow: true,
			files: brokenFiles, opts: Options{Packages: set, CoverPkg: set},
			check: func(t *testing.T, root string, r *coverage.Result) {
				if p := r.Package("example.com/m/ok"); p == nil || p.Percent != 100 {
					t.Errorf("with explicit packages, the package that builds = %+v, want 100%%", p)
				}
				if f := failures(r); len(f) != 1 || f[0] != "example.com/m/broken (build)" {
					t.Errorf("with explicit packages, failures %v, want only broken's build", f)
				}
			}},
		{name: "a module with a missing dependency is a build failure and the other module is measured", slow: true,
			files: missingDependencyFiles,
			check: func(t *testing.T, root string, r *coverage.Result) {
				if p := r.Package("example.com/main/lib"); p == nil || p.Percent != 100 {
					t.Errorf("the module that builds = %+v, want lib at 100%%", p)
				}
				f := r.Failed()
				if len(f) != 1 || f[0].Package != "example.com/tools" || f[0].Test != "(build)" || !strings.Contains(f[0].Output, "GOPROXY=off") {
					t.Errorf("failures %+v, want the tools module's build saying the lookup is disabled", f)
				}
			}},
	})
}

// goListTests is `go test -list '.*'` of every package under root: the
// top-level tests by package.
func goListTests(t *testing.T, root string) map[string]map[string]bool {
	t.Helper()
	lists := map[string]map[string]bool{}
	for _, line := range strings.Split(goRun(t, root, true, "test", "-json", "-list=.*", "./..."), "\n") {
		var ev testEvent
		if json.Unmarshal([]byte(line), &ev) != nil || ev.Action != "output" {
			continue
		}
		if name := strings.TrimSpace(ev.Output); listNameRE.MatchString(name) {
			if lists[ev.Package] == nil {
				lists[ev.Package] = map[string]bool{}
			}
			lists[ev.Package][name] = true
		}
	}
	return lists
}

// goFailingTests is what the go command says fails under root: of each
// package whose `go test` fails, the tests of its list that fail when
// `go test -run '^X$'` runs them alone.
func goFailingTests(t *testing.T, root string, lists map[string]map[string]bool) []string {
	t.Helper()
	var failing []string
	for _, line := range strings.Split(goRun(t, root, true, "test", "-json", "-count=1", "./..."), "\n") {
		var ev testEvent
		if json.Unmarshal([]byte(line), &ev) != nil || ev.Test != "" || ev.Action != "fail" {
			continue
		}
		for name := range lists[ev.Package] {
			out := goRun(t, root, true, "test", "-count=1", "-run=^"+regexp.QuoteMeta(name)+"$", ev.Package)
			if strings.Contains(out, "--- FAIL: "+name+" ") {
				failing = append(failing, ev.Package+" "+name)
			}
		}
	}
	sort.Strings(failing)
	return failing
}

// recordedNamesAreListed checks that every test r records is in the list
// of its package, or a subtest of one.
func recordedNamesAreListed(t *testing.T, r *coverage.Result, lists map[string]map[string]bool) {
	t.Helper()
	for _, tr := range r.Tests {
		if !strings.HasPrefix(tr.Test, "(") && !lists[tr.Package][rootTest(tr.Test)] {
			t.Errorf("%s %s (%s) is recorded but not in go test -list of its package %v", tr.Package, tr.Test, tr.Outcome, lists[tr.Package])
		}
	}
}

// topLevelFailures lists r's failing top-level tests as "package test".
func topLevelFailures(r *coverage.Result) []string {
	var out []string
	for _, f := range r.Failed() {
		if !strings.Contains(f.Test, "/") {
			out = append(out, f.Package+" "+f.Test)
		}
	}
	sort.Strings(out)
	return out
}

// innerTests is a test that runs tests, as suite libraries test
// themselves: one inner test fails, one passes, one fails in a subtest,
// and the outer test passes because RunTests says they failed.
const innerTests = `
func TestRunsInnerTests(t *testing.T) {
	ok := testing.RunTests(func(pat, str string) (bool, error) { return true, nil }, []testing.InternalTest{
		{Name: "TestInnerFails", F: func(t *testing.T) { t.Error("inner failure") }},
		{Name: "TestInnerPasses", F: func(t *testing.T) {}},
		{Name: "TestInnerWithSub", F: func(t *testing.T) { t.Run("case", func(t *testing.T) { t.Error("inner sub failure") }) }},
	})
	if ok {
		t.Fatal("RunTests returned true, want false")
	}
}
`

// testsThatRunTestsFiles has a package that passes with a test that runs
// failing tests, and a package with a real failure beside such a test.
var testsThatRunTestsFiles = map[string]string{
	"go.mod":              "module example.com/meta\n\ngo 1.22\n",
	"meta/meta.go":        "package meta\n\nfunc M() int { return 1 }\n",
	"meta/meta_test.go":   "package meta\n\nimport \"testing\"\n" + innerTests + "\nfunc TestPlain(t *testing.T) {\n\tt.Run(\"sub\", func(t *testing.T) { M() })\n}\n",
	"mixed/mixed.go":      "package mixed\n\nfunc X() int { return 2 }\n",
	"mixed/mixed_test.go": "package mixed\n\nimport \"testing\"\n" + innerTests + "\nfunc TestRealFailure(t *testing.T) { t.Errorf(\"X() = %d\", X()) }\n",
	"parallel/p.go":       "package parallel\n\nfunc P() int { return 3 }\n",
	"parallel/p_test.go":  "package parallel\n\nimport \"testing\"\n\nfunc TestA(t *testing.T) { t.Parallel(); P() }\n\nfunc TestB(t *testing.T) { t.Parallel(); P() }\n\nfunc TestC(t *testing.T) { t.Run(\"x\", func(t *testing.T) { t.Parallel() }) }\n",
}

func TestRunGoReconcilesTheStreamWithTheGoCommand(t *testing.T) {
	runScenarios(t, []runScenario{
		{name: "tests run by a test are not recorded, and only the go command's failures fail", slow: true,
			files: testsThatRunTestsFiles,
			check: func(t *testing.T, root string, r *coverage.Result) {
				lists := goListTests(t, root)
				want := goFailingTests(t, root, lists)
				if got := topLevelFailures(r); !reflect.DeepEqual(got, want) {
					t.Errorf("failing tests %v, go test says %v", got, want)
				}
				if want := []string{"example.com/meta/mixed TestRealFailure"}; !reflect.DeepEqual(failures(r), want) {
					t.Errorf("failures %v, want %v", failures(r), want)
				}
				recordedNamesAreListed(t, r, lists)
				if findResult(r, "example.com/meta/meta", "TestPlain/sub") == nil || findResult(r, "example.com/meta/parallel", "TestC/x") == nil {
					t.Errorf("real subtests are missing: %+v", r.Tests)
				}
			}},
		{name: "a package that fails outside its tests, beside a test that runs failing tests, is a (package) failure", slow: true,
			files: map[string]string{
				"go.mod":          "module example.com/meta\n\ngo 1.22\n",
				"exits/e.go":      "package exits\n\nfunc E() int { return 1 }\n",
				"exits/e_test.go": "package exits\n\nimport (\n\t\"fmt\"\n\t\"os\"\n\t\"testing\"\n)\n\nfunc TestMain(m *testing.M) {\n\tm.Run()\n\tfmt.Println(\"TestMain says no\")\n\tos.Exit(1)\n}\n" + innerTests,
			},
			check: func(t *testing.T, root string, r *coverage.Result) {
				if f := failures(r); !reflect.DeepEqual(f, []string{"example.com/meta/exits (package)"}) {
					t.Errorf("failures %v, want the package's own", f)
				}
				if out := goRun(t, root, true, "test", "./..."); !strings.Contains(out, "FAIL\texample.com/meta/exits") {
					t.Errorf("plain go test does not fail the package:\n%s", out)
				}
			}},
	})
}

func findResult(r *coverage.Result, pkg, test string) *coverage.TestResult {
	for i := range r.Tests {
		if r.Tests[i].Package == pkg && r.Tests[i].Test == test {
			return &r.Tests[i]
		}
	}
	return nil
}

// noPackageModulesFiles is a repository of three modules: the root's with
// a tested package, one of assets only, and one whose only file is a tools
// file behind a build tag.
var noPackageModulesFiles = map[string]string{
	"go.mod":          "module example.com/m\n\ngo 1.22\n",
	"lib/lib.go":      "package lib\n\nfunc L() int { return 1 }\n\nfunc M() int { return 2 }\n",
	"lib/lib_test.go": "package lib\n\nimport \"testing\"\n\nfunc TestL(t *testing.T) { L() }\n",
	"assets/go.mod":   "module example.com/m/assets\n\ngo 1.22\n",
	"assets/logo.svg": "<svg/>\n",
	"tools/go.mod":    "module example.com/m/tools\n\ngo 1.22\n",
	"tools/tools.go":  "//go:build tools\n\npackage tools\n\nimport _ \"fmt\"\n",
}

func TestRunGoModulesWithNoPackages(t *testing.T) {
	runScenarios(t, []runScenario{
		{name: "modules of assets or of a tools file behind a build tag are no packages, not failures", slow: true,
			files: noPackageModulesFiles,
			check: func(t *testing.T, root string, r *coverage.Result) {
				for _, dir := range []string{"assets", "tools"} {
					if out := goRun(t, filepath.Join(root, dir), true, "test", "./..."); strings.Contains(out, "FAIL") {
						t.Errorf("go test in %s: %s, want no failure", dir, out)
					}
				}
				if f := failures(r); len(f) != 0 {
					t.Errorf("failures %v, want none (go test fails no test)", f)
				}
				for _, w := range r.Warnings {
					if strings.Contains(w, "assets") || strings.Contains(w, "tools") {
						t.Errorf("warning %q about a module with no packages", w)
					}
				}
				want := []coverage.Module{
					{Path: "example.com/m", Dir: ".", Status: coverage.ModuleTested, Packages: 1, Counts: coverage.Counts{Statements: 2, Covered: 1, Percent: 50}},
					{Path: "example.com/m/assets", Dir: "assets", Status: coverage.ModuleNoPackages},
					{Path: "example.com/m/tools", Dir: "tools", Status: coverage.ModuleNoPackages},
				}
				got := append([]coverage.Module(nil), r.Modules...)
				sort.Slice(got, func(i, j int) bool { return got[i].Path < got[j].Path })
				if !reflect.DeepEqual(got, want) {
					t.Errorf("modules\n%+v\nwant\n%+v", got, want)
				}
				if b := coverage.NewBaseline(r); len(b.Modules) != 3 {
					t.Errorf("the baseline's modules %+v, want the three", b.Modules)
				}
			}},
		{name: "one module's figure each in a repository of two", slow: true, files: missingDependencyFiles,
			check: func(t *testing.T, root string, r *coverage.Result) {
				figures := map[string]string{}
				for _, m := range r.Modules {
					figures[m.Path] = m.Status + ": " + m.Figure()
				}
				want := map[string]string{
					"example.com/main":  "tested: 100.0% of 1 statements in 1 packages",
					"example.com/tools": "failed: could not be tested",
				}
				if !reflect.DeepEqual(figures, want) {
					t.Errorf("module figures %v, want %v", figures, want)
				}
			}},
	})
}

// flakyFiles has a test and a subtest that fail on their first run and
// pass on the next (a marker file, named by an environment variable of the
// fixture's own, says a run happened), and a test that always fails.
var flakyFiles = map[string]string{
	"go.mod": "module example.com/flaky\n\ngo 1.22\n",
	"f/f.go": "package f\n\nfunc F() int { return 1 }\n",
	"f/f_test.go": `package f

import (
	"os"
	"testing"
)

// firstRun reports whether this is the first run of the marker's test.
func firstRun(t *testing.T, name string) bool {
	m := os.Getenv("SPRINTKIT_FLAKY_MARKERS") + "/" + name
	if _, err := os.Stat(m); err == nil {
		return false
	}
	if err := os.WriteFile(m, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	return true
}

func TestFlaky(t *testing.T) {
	if firstRun(t, "flaky") {
		t.Fatal("fails on the first run only")
	}
	F()
}

func TestFlakySub(t *testing.T) {
	t.Run("sub", func(t *testing.T) {
		if firstRun(t, "sub") {
			t.Error("fails on the first run only")
		}
	})
}

func TestAlwaysFails(t *testing.T) { t.Errorf("F() = %d, want 2", F()) }

func TestPasses(t *testing.T) { F() }
`,
}

func TestRunGoRerunsFailuresToTellFlakyOnes(t *testing.T) {
	markers := t.TempDir()
	env := append(append([]string(nil), goEnv...), "SPRINTKIT_FLAKY_MARKERS="+markers)
	reported := map[string][]coverage.TestResult{}
	runScenarios(t, []runScenario{
		{name: "a test that fails on its first run and passes on the second is flaky, a test that fails twice is failing", slow: true,
			files: flakyFiles, env: env,
			opts: Options{Rerun: true, OnPackage: func(pkg string, tests []coverage.TestResult) { reported[pkg] = tests }},
			check: func(t *testing.T, root string, r *coverage.Result) {
				outcomes := map[string]string{}
				for _, tr := range r.Tests {
					outcomes[tr.Test] = tr.Outcome
				}
				want := map[string]string{"TestFlaky": "flaky", "TestFlakySub": "flaky", "TestFlakySub/sub": "flaky", "TestAlwaysFails": "fail", "TestPasses": "pass"}
				if !reflect.DeepEqual(outcomes, want) {
					t.Errorf("outcomes %v, want %v", outcomes, want)
				}
				if got := coverage.CountOutcomes(r.Tests); got != (coverage.Outcomes{Passed: 1, Failed: 1, Flaky: 3}) {
					t.Errorf("counts %+v, want 1 passed, 1 failed, 3 flaky", got)
				}
				if f := failures(r); !reflect.DeepEqual(f, []string{"example.com/flaky/f TestAlwaysFails"}) {
					t.Errorf("failures %v, want only TestAlwaysFails", f)
				}
				if fl := r.Flaky(); len(fl) != 3 || !strings.Contains(fl[0].Output, "fails on the first run only") {
					t.Errorf("flaky tests %+v, want three, with the first run's output", fl)
				}
				if b := coverage.NewBaseline(r); !b.Flaky()["example.com/flaky/f\x00TestFlaky"] || b.Failing()["example.com/flaky/f\x00TestFlaky"] {
					t.Errorf("the baseline has TestFlaky failing %v, flaky %v; want flaky only", b.Failing(), b.Flaky())
				}
				if got := reported["example.com/flaky/f"]; len(got) != len(r.Tests) || coverage.CountOutcomes(got).Flaky != 3 {
					t.Errorf("OnPackage reported %+v, want the outcomes after the re-run", got)
				}
				// Plain go test on the same tree: the first run fails the
				// flaky tests, the next passes them; TestAlwaysFails fails both.
				os.RemoveAll(markers)
				os.Mkdir(markers, 0o755)
				for n, want := range []string{"--- FAIL: TestFlaky ", "--- PASS: TestFlaky "} {
					cmd := exec.Command("go", "test", "-count=1", "-v", "./...")
					cmd.Dir, cmd.Env = root, append(os.Environ(), env...)
					out, _ := cmd.CombinedOutput()
					if !strings.Contains(string(out), want) || !strings.Contains(string(out), "--- FAIL: TestAlwaysFails ") {
						t.Errorf("plain go test run %d lacks %q or TestAlwaysFails' failure:\n%s", n+1, want, out)
					}
				}
			}},
		{name: "a test that kills its binary is not re-run: it keeps the crash recovery", slow: true,
			files: map[string]string{
				"go.mod":      "module example.com/crash\n\ngo 1.22\n",
				"c/c.go":      "package c\n\nfunc C() int { return 1 }\n",
				"c/c_test.go": "package c\n\nimport \"testing\"\n\nfunc TestPanics(t *testing.T) { var m map[string]int; m[\"x\"] = C() }\n\nfunc TestAfter(t *testing.T) { C() }\n",
			},
			opts: Options{Rerun: true},
			check: func(t *testing.T, root string, r *coverage.Result) {
				p := findResult(r, "example.com/crash/c", "TestPanics")
				if p == nil || p.Outcome != "fail" || p.Crashed != "panicked" {
					t.Errorf("TestPanics = %+v, want a failure that panicked", p)
				}
				if a := findResult(r, "example.com/crash/c", "TestAfter"); a == nil || a.Outcome != "pass" {
					t.Errorf("TestAfter = %+v, want passed in the re-run without TestPanics", a)
				}
				if pkg := r.Package("example.com/crash/c"); pkg == nil || pkg.Recovered == nil {
					t.Errorf("package c = %+v, want recovered", pkg)
				}
			}},
	})
}
