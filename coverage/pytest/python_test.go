package pytest

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/sprintkit/sprintkit/coverage"
	"github.com/sprintkit/sprintkit/coverage/importer"
	"github.com/sprintkit/sprintkit/internal/testkit"
)

// pythonFixture copies testdata/pyproj to a directory whose path has a space.
func pythonFixture(t *testing.T) string {
	dir := filepath.Join(t.TempDir(), "my project")
	if err := os.CopyFS(dir, os.DirFS(filepath.Join("testdata", "pyproj"))); err != nil {
		t.Fatal(err)
	}
	return dir
}

var (
	pyEnvOnce sync.Once
	pyEnv     *Env
	pyEnvErr  error
)

// needPython returns an interpreter with coverage.py and pytest, or skips:
// .ci/run installs Debian's python3-coverage and python3-pytest.
func needPython(t *testing.T) *Env {
	t.Helper()
	pyEnvOnce.Do(func() { pyEnv, pyEnvErr = FindPython(context.Background(), t.TempDir()) })
	if pyEnvErr != nil {
		testkit.Missing(t, "no Python with coverage.py (%v); .ci/run installs python3-coverage and python3-pytest", pyEnvErr)
	}
	if !pyEnv.Pytest {
		testkit.Missing(t, "%s has no pytest; .ci/run installs python3-pytest", pyEnv.Python)
	}
	return pyEnv
}

// coverageCmd runs coverage.py in dir with the data file in data.
func coverageCmd(t *testing.T, env *Env, dir, data string, args ...string) string {
	t.Helper()
	cmd := exec.Command(env.Coverage[0], append(append([]string{}, env.Coverage[1:]...), args...)...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "COVERAGE_FILE="+data, "PYTHONDONTWRITEBYTECODE=1")
	out, err := cmd.CombinedOutput()
	if err != nil && !strings.Contains(string(out), "failed") {
		t.Fatalf("%s %v: %v\n%s", env.Coverage, args, err, out)
	}
	return string(out)
}

// totalRe reads coverage report's TOTAL line: statements, missed, [branches,
// partial branches,] percent.
var totalRe = regexp.MustCompile(`(?m)^TOTAL\s+(\d+)\s+(\d+)(?:\s+\d+\s+\d+)?\s+([\d.]+)%`)

// coverageReportTotal measures the fixture with coverage.py directly, the
// way a user would, and returns its `coverage report` total. It also writes
// coverage.py's own LCOV and Cobertura reports of the same data into dir.
func coverageReportTotal(t *testing.T, env *Env, dir string) (stmts, miss int, pct float64, lcov, xml string) {
	t.Helper()
	data := filepath.Join(t.TempDir(), ".coverage")
	coverageCmd(t, env, dir, data, "run", "--source=.", "--omit=*/tests/*,*/conftest.py", "-m", "pytest", "-q", "-p", "no:cacheprovider")
	out := coverageCmd(t, env, dir, data, "report", "--precision=1")
	m := totalRe.FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no TOTAL line in coverage report:\n%s", out)
	}
	stmts, _ = strconv.Atoi(m[1])
	miss, _ = strconv.Atoi(m[2])
	pct, _ = strconv.ParseFloat(m[3], 64)
	lcov = filepath.Join(t.TempDir(), "coverage.lcov")
	xml = filepath.Join(t.TempDir(), "coverage.xml")
	coverageCmd(t, env, dir, data, "lcov", "-o", lcov)
	coverageCmd(t, env, dir, data, "xml", "-o", xml)
	return
}

func TestRunPythonMatchesCoverageReport(t *testing.T) {
	if testing.Short() {
		t.Skip("runs python; go test without -short runs it")
	}
	env := needPython(t)
	dir := pythonFixture(t)
	var mu sync.Mutex
	var calls [][2]int
	r, err := Run(context.Background(), Options{Dir: dir, Env: env, Progress: func(d, n int) {
		mu.Lock()
		calls = append(calls, [2]int{d, n})
		mu.Unlock()
	}})
	if err != nil {
		t.Fatal(err)
	}
	stmts, miss, pct, lcovFile, xmlFile := coverageReportTotal(t, env, dir)

	t.Run("the total equals coverage report's", func(t *testing.T) {
		if r.Total.Statements != stmts || r.Total.Uncovered() != miss {
			t.Errorf("total = %d statements, %d missed; coverage report says %d, %d", r.Total.Statements, r.Total.Uncovered(), stmts, miss)
		}
		if d := r.Total.Percent - pct; d > 0.1 || d < -0.1 {
			t.Errorf("percent = %.1f, coverage report says %.1f", r.Total.Percent, pct)
		}
	})
	t.Run("the result is python, by dotted package, without the tests", func(t *testing.T) {
		if r.Language != "python" || r.Mode != "line" || r.Project != "calc" {
			t.Errorf("language %q mode %q project %q", r.Language, r.Mode, r.Project)
		}
		if len(r.Packages) != 1 || r.Packages[0].Name != "calc" || r.Packages[0].Dir != "calc" {
			t.Fatalf("packages = %v", pkgNames(r))
		}
		var files []string
		for _, f := range r.Packages[0].Files {
			files = append(files, f.Rel)
		}
		if got := strings.Join(files, " "); got != "calc/__init__.py calc/ops.py calc/untested.py" {
			t.Errorf("files = %s", got)
		}
	})
	t.Run("the untested module is measured with nothing covered", func(t *testing.T) {
		f := findFile(r, "calc/untested.py")
		if f == nil || f.Statements == 0 || f.Covered != 0 {
			t.Fatalf("untested.py = %+v", f)
		}
	})
	t.Run("test outcomes come from pytest's junit report", func(t *testing.T) {
		got := map[string]string{}
		for _, tr := range r.Tests {
			got[tr.Package+" "+tr.Test] = tr.Outcome
		}
		want := map[string]string{
			"tests.test_ops OpsTest.test_add":          "pass",
			"tests.test_ops OpsTest.test_sub":          "pass",
			"tests.test_ops OpsTest.test_div_is_wrong": "fail",
			"tests.test_ops OpsTest.test_square":       "pass",
			"tests.test_ops OpsTest.test_parse":        "skip",
			"tests.test_ops OpsTest.test_push":         "pass",
		}
		if len(got) != len(want) {
			t.Errorf("tests = %v", got)
		}
		for k, v := range want {
			if got[k] != v {
				t.Errorf("%s: %q, want %q", k, got[k], v)
			}
		}
		for _, f := range r.Failed() {
			if !strings.Contains(f.Output, "AssertionError") {
				t.Errorf("failure output lacks the assertion: %q", f.Output)
			}
		}
	})
	t.Run("functions come from the source", func(t *testing.T) {
		want := map[string][2]int{ // statements, covered
			"add": {1, 1}, "div": {3, 2}, "parse": {2, 0}, "memo": {4, 4}, "memo.wrapper": {3, 3},
			"square": {1, 1}, "Calculator.__init__": {1, 1}, "Calculator.push": {2, 2},
			"Calculator.fetch": {2, 0}, "never_called": {2, 0},
		}
		f := findFile(r, "calc/ops.py")
		got := map[string][2]int{}
		for _, fn := range f.Functions {
			got[fn.Name] = [2]int{fn.Statements, fn.Covered}
		}
		for name, w := range want {
			if got[name] != w {
				t.Errorf("%s: %v statements/covered, want %v", name, got[name], w)
			}
		}
	})
	t.Run("progress reaches every test", func(t *testing.T) {
		mu.Lock()
		defer mu.Unlock()
		if len(calls) == 0 || calls[len(calls)-1] != [2]int{6, 6} {
			t.Errorf("progress calls = %v, want to end at 6/6", calls)
		}
	})
	t.Run("the checkout stays clean", func(t *testing.T) {
		for _, junk := range []string{".coverage", ".pytest_cache", "calc/__pycache__"} {
			if _, err := os.Stat(filepath.Join(dir, junk)); err == nil {
				t.Errorf("%s was written into the checkout", junk)
			}
		}
	})
	t.Run("coverage.py's LCOV and Cobertura reports import to the same total", func(t *testing.T) {
		for _, file := range []string{lcovFile, xmlFile} {
			ir, err := importer.Import(context.Background(), dir, []string{file})
			if err != nil {
				t.Fatal(err)
			}
			if ir.Total.Statements != stmts || ir.Total.Uncovered() != miss {
				t.Errorf("%s: %d/%d, want %d statements %d missed", filepath.Base(file), ir.Total.Covered, ir.Total.Statements, stmts, miss)
			}
			if f := findFile(ir, "calc/untested.py"); f == nil || len(f.Functions) != 2 || f.Functions[0].Name != "greet" {
				t.Errorf("%s: untested.py functions from the source missing: %+v", filepath.Base(file), f)
			}
			for _, w := range ir.Warnings {
				// coverage.py < 7.13 counts a module docstring in LH but
				// not in LF; the import says so.
				if !strings.Contains(w, "declares LH/LF") {
					t.Errorf("%s: warning %q", filepath.Base(file), w)
				}
			}
		}
	})
}

func TestRunPythonFallsBackToUnittest(t *testing.T) {
	if testing.Short() {
		t.Skip("runs python; go test without -short runs it")
	}
	env := *needPython(t)
	env.Pytest = false
	dir := pythonFixture(t)
	r, err := Run(context.Background(), Options{Dir: dir, Env: &env})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, tr := range r.Tests {
		out[tr.Package+" "+tr.Test] = tr.Outcome
	}
	// tests/ has no __init__.py: unittest imports its modules by base name.
	if out["test_ops OpsTest.test_div_is_wrong"] != "fail" || out["test_ops OpsTest.test_add"] != "pass" ||
		out["test_ops OpsTest.test_parse"] != "skip" || len(out) != 6 {
		t.Errorf("tests = %v", out)
	}
	if f := r.Failed(); len(f) != 1 || !strings.Contains(f[0].Output, "AssertionError") {
		t.Errorf("failed = %+v", f)
	}
	if findFile(r, "calc/untested.py") == nil || findFile(r, "calc/ops.py").Covered == 0 {
		t.Errorf("coverage missing: %v", pkgNames(r))
	}
}

func TestRunPythonOnlyGivenTestFiles(t *testing.T) {
	env := needPython(t)
	dir := pythonFixture(t)
	extra := "from calc import untested\n\n\ndef test_greet():\n    assert untested.greet('x') == 'hello, x'\n"
	if err := os.WriteFile(filepath.Join(dir, "tests", "test_untested.py"), []byte(extra), 0o644); err != nil {
		t.Fatal(err)
	}
	r, err := Run(context.Background(), Options{Dir: dir, Env: env, TestFiles: []string{"tests/test_untested.py"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Tests) != 1 || r.Tests[0].Test != "test_greet" || r.Tests[0].Outcome != "pass" {
		t.Errorf("tests = %+v", r.Tests)
	}
	if f := findFile(r, "calc/untested.py"); f == nil || f.Covered == 0 {
		t.Errorf("untested.py should now be covered: %+v", f)
	}
}

func TestIsPythonProject(t *testing.T) {
	tests := []struct {
		name  string
		files []string
		want  bool
	}{
		{"a pyproject.toml makes a project", []string{"pyproject.toml"}, true},
		{"a setup.py makes a project", []string{"setup.py"}, true},
		{"a setup.cfg makes a project", []string{"setup.cfg"}, true},
		{"a tests directory with test files makes a project", []string{"tests/test_x.py"}, true},
		{"test files one level down count too", []string{"tests/unit/test_x.py"}, true},
		{"a Go module is not one", []string{"go.mod", "main.go"}, false},
		{"a tests directory without test files is not one", []string{"tests/helper.py"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			for _, f := range tt.files {
				p := filepath.Join(dir, filepath.FromSlash(f))
				os.MkdirAll(filepath.Dir(p), 0o755)
				os.WriteFile(p, nil, 0o644)
			}
			if got := IsProject(dir); got != tt.want {
				t.Errorf("IsProject = %v, want %v", got, tt.want)
			}
		})
	}
}

func findFile(r *coverage.Result, rel string) *coverage.File {
	for _, p := range r.Packages {
		for _, f := range p.Files {
			if f.Rel == rel {
				return f
			}
		}
	}
	return nil
}

func pkgNames(r *coverage.Result) []string {
	var out []string
	for _, p := range r.Packages {
		out = append(out, p.Name)
	}
	return out
}

func TestParseUnittest(t *testing.T) {
	out := `test_a (tests.test_x.T.test_a) ... ok
test_b (tests.test_x.T)
Adds two numbers. ... FAIL
test_c (tests.test_x.T.test_c) ... skipped 'later'
test_d (tests.test_x.T.test_d) ... expected failure
tests.test_broken (unittest.loader._FailedTest.tests.test_broken) ... ERROR

======================================================================
ERROR: tests.test_broken (unittest.loader._FailedTest.tests.test_broken)
----------------------------------------------------------------------
ImportError: Failed to import test module: tests.test_broken

======================================================================
FAIL: test_b (tests.test_x.T)
Adds two numbers.
----------------------------------------------------------------------
Traceback (most recent call last):
AssertionError: 1 != 2

----------------------------------------------------------------------
Ran 5 tests in 0.001s
`
	mods := map[string]string{"tests.test_x": "tests/test_x.py", "test_x": "tests/test_x.py"}
	got := parseUnittest(out, mods)
	want := []coverage.TestResult{
		{Package: "tests.test_x", Test: "T.test_a", Outcome: "pass"},
		{Package: "tests.test_x", Test: "T.test_b", Outcome: "fail", Output: "Traceback (most recent call last):\nAssertionError: 1 != 2"},
		{Package: "tests.test_x", Test: "T.test_c", Outcome: "skip"},
		{Package: "tests.test_x", Test: "T.test_d", Outcome: "pass"},
		{Package: "tests.test_broken", Test: "(collection)", Outcome: "fail", Output: "ImportError: Failed to import test module: tests.test_broken"},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d results: %+v", len(got), got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("result %d = %+v\nwant %+v", i, got[i], want[i])
		}
	}
}

func TestRunPythonReportsATestModuleThatCannotImport(t *testing.T) {
	if testing.Short() {
		t.Skip("runs python; go test without -short runs it")
	}
	env := needPython(t)
	dir := pythonFixture(t)
	broken := "import nonexistent_module_for_sprintkit\n\n\ndef test_x():\n    pass\n"
	if err := os.WriteFile(filepath.Join(dir, "tests", "test_broken.py"), []byte(broken), 0o644); err != nil {
		t.Fatal(err)
	}
	r, err := Run(context.Background(), Options{Dir: dir, Env: env})
	if err != nil {
		t.Fatal(err)
	}
	var failed []string
	for _, f := range r.Failed() {
		failed = append(failed, f.Package+" "+f.Test)
		if f.Package == "tests.test_broken" && !strings.Contains(f.Output, "nonexistent_module_for_sprintkit") {
			t.Errorf("collection error output = %q", f.Output)
		}
	}
	if got := strings.Join(failed, ", "); got != "tests.test_broken (collection), tests.test_ops OpsTest.test_div_is_wrong" {
		t.Errorf("failed = %s", got)
	}
	if len(r.Tests) != 7 || findFile(r, "calc/ops.py").Covered == 0 {
		t.Errorf("the other tests did not run: %d results", len(r.Tests))
	}
}

// Two CI shards of a suite, each reported by coverage.py as JSON, import to
// what one run of both shards' tests measures.
func TestImportCoveragePyShardsEqualsOneRun(t *testing.T) {
	if testing.Short() {
		t.Skip("runs python; go test without -short runs it")
	}
	env := needPython(t)
	dir := pythonFixture(t)
	report := func(k string) string {
		data := filepath.Join(t.TempDir(), ".coverage")
		out := filepath.Join(t.TempDir(), "coverage.json")
		coverageCmd(t, env, dir, data, "run", "--source=.", "--omit=*/tests/*,*/conftest.py", "-m", "pytest", "-q", "-p", "no:cacheprovider", "-k", k)
		coverageCmd(t, env, dir, data, "json", "-o", out)
		return out
	}
	shard1, shard2, both := report("add or square"), report("push or div"), report("add or square or push or div")
	merged, err := importer.Import(context.Background(), dir, []string{shard1, shard2})
	if err != nil {
		t.Fatal(err)
	}
	one, err := importer.Import(context.Background(), dir, []string{both})
	if err != nil {
		t.Fatal(err)
	}
	if merged.Total != one.Total {
		t.Errorf("shards merged = %+v, one run = %+v", merged.Total, one.Total)
	}
	s1, err := importer.Import(context.Background(), dir, []string{shard1})
	if err != nil {
		t.Fatal(err)
	}
	if s1.Total.Covered >= merged.Total.Covered {
		t.Errorf("the second shard added nothing: %+v vs %+v", s1.Total, merged.Total)
	}
	for _, f := range []string{"calc/ops.py", "calc/untested.py"} {
		a, b := findFile(merged, f), findFile(one, f)
		if a == nil || b == nil || a.Counts != b.Counts || len(a.Functions) != len(b.Functions) {
			t.Errorf("%s: merged %+v, one run %+v", f, a, b)
		}
	}
}

// A test module that fails to import is a failing test named by its module
// and its error, under pytest and under unittest alike; the module it
// tests is marked "tests exist but did not run" and left out of the
// targets, instead of being offered as code no test reaches.
func TestRunPythonMarksTheCodeOfABrokenTestModuleNotRun(t *testing.T) {
	if testing.Short() {
		t.Skip("runs python; go test without -short runs it")
	}
	env := needPython(t)
	broken := "import nonexistent_module_for_sprintkit\nfrom calc import (\n    untested,  # the module under test\n)\n\n\ndef test_greet():\n    assert untested.greet('x') == 'hello, x'\n"
	for _, tc := range []struct {
		name    string
		pytest  bool
		failure string // Package + " " + Test of the collection failure
	}{
		{"under pytest the collection error is the failure", true, "tests.test_broken (collection)"},
		{"under unittest the failed import is the failure", false, "test_broken (collection)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := *env
			e.Pytest = tc.pytest
			dir := pythonFixture(t)
			before, err := Run(context.Background(), Options{Dir: dir, Env: &e})
			if err != nil {
				t.Fatal(err)
			}
			if !hasTarget(coverage.Rank(before, coverage.RankOptions{By: "file"}), "calc/untested.py") {
				t.Fatalf("without the broken module calc/untested.py should be a target")
			}
			writeFiles(t, dir, map[string]string{"tests/test_broken.py": broken})
			r, err := Run(context.Background(), Options{Dir: dir, Env: &e})
			if err != nil {
				t.Fatal(err)
			}
			var fail *coverage.TestResult
			for i, f := range r.Failed() {
				if f.Package+" "+f.Test == tc.failure {
					fail = &r.Failed()[i]
				}
			}
			if fail == nil {
				t.Fatalf("failures = %+v, want %q", r.Failed(), tc.failure)
			}
			if first, _, _ := strings.Cut(fail.Output, "\n"); first != "ModuleNotFoundError: No module named 'nonexistent_module_for_sprintkit'" {
				t.Errorf("failure output starts %q, want the error", first)
			}
			f := findFile(r, "calc/untested.py")
			if f == nil || !strings.Contains(f.NotRun, "tests exist but did not run: tests/test_broken.py") ||
				!strings.Contains(f.NotRun, "nonexistent_module_for_sprintkit") {
				t.Fatalf("untested.py NotRun = %+v", f)
			}
			if ops := findFile(r, "calc/ops.py"); ops.NotRun != "" {
				t.Errorf("ops.py, which the broken module does not import, is marked: %q", ops.NotRun)
			}
			for _, by := range []string{"package", "file", "function"} {
				for _, tg := range coverage.Rank(r, coverage.RankOptions{By: by}) {
					if tg.File == "calc/untested.py" || strings.Contains(tg.Name, "greet") {
						t.Errorf("by %s: %s is still a target: %s", by, tg.Name, tg.Reason)
					}
				}
			}
			if !strings.Contains(strings.Join(r.Warnings, "\n"), "tests/test_broken.py failed to import (ModuleNotFoundError") {
				t.Errorf("warnings = %q", r.Warnings)
			}
		})
	}
}

func hasTarget(ts []coverage.Target, name string) bool {
	for _, tg := range ts {
		if tg.Name == name {
			return true
		}
	}
	return false
}

// venv creates a virtual environment of python at dir with the given
// options, or skips.
func venv(t *testing.T, python, dir string, opts ...string) {
	t.Helper()
	out, err := exec.Command(python, append(append([]string{"-m", "venv"}, opts...), dir)...).CombinedOutput()
	if err != nil {
		testkit.Missing(t, "%s -m venv (apt-get install python3-venv): %v\n%s", python, err, out)
	}
}

// A project's .venv without coverage.py is named in the error with the pip
// command that fixes it; sprintkit does not run the tests with another
// interpreter that lacks the project's dependencies.
func TestFindPythonRefusesAProjectVenvWithoutCoverage(t *testing.T) {
	if testing.Short() {
		t.Skip("runs python; go test without -short runs it")
	}
	real := needPython(t)
	t.Setenv("VIRTUAL_ENV", "")
	dir := pythonFixture(t)
	venv(t, real.Python, filepath.Join(dir, ".venv"), "--without-pip")
	for _, tc := range []struct {
		name string
		run  func() error
	}{
		{"FindPython refuses it", func() error { _, err := FindPython(context.Background(), dir); return err }},
		{"Run refuses it before running anything", func() error {
			_, err := Run(context.Background(), Options{Dir: dir})
			return err
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.run()
			var ve *VenvError
			if !errors.As(err, &ve) {
				t.Fatalf("err = %v, want a *VenvError", err)
			}
			want := filepath.Join(".venv", "bin", "python")
			if !strings.Contains(err.Error(), "the project's virtual environment .venv has no coverage.py") ||
				ve.Hint() != "install them into it: "+want+" -m pip install coverage pytest" {
				t.Errorf("error %q, hint %q", err, ve.Hint())
			}
		})
	}
}

// A run that measured nothing, or in which no test module imported, is an
// error with a hint, never "0.0% of 0 statements".
func TestRunPythonThatMeasuredNothingIsAnError(t *testing.T) {
	if testing.Short() {
		t.Skip("runs python; go test without -short runs it")
	}
	env := needPython(t)
	for _, tc := range []struct {
		name  string
		files map[string]string
		err   string
		hint  string
	}{
		{"a project without tests whose code coverage.py cannot find alone", map[string]string{"pyproject.toml": "[project]\nname = \"x\"\n", "src/x/core.py": "def f():\n    return 1\n"},
			"pytest found no tests, and coverage.py measured 0 statements", "test_*.py"},
		{"a project whose only test module fails to import", map[string]string{
			"pyproject.toml": "[project]\nname = \"x\"\n", "x.py": "def f():\n    return 1\n",
			"tests/test_x.py": "import requests_not_installed\nimport x\n\n\ndef test_f():\n    assert x.f() == 1\n"},
			"no test ran: every test module failed to import; tests/test_x.py: ModuleNotFoundError: No module named 'requests_not_installed'", "-m pip install -e ."},
		{"a project whose tests run none of its code", map[string]string{
			"pyproject.toml": "[project]\nname = \"x\"\n", "tests/test_x.py": "def test_nothing():\n    assert True\n"},
			"coverage.py measured 0 statements: 1 tests ran", "pip install -e ."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			writeFiles(t, dir, tc.files)
			r, err := Run(context.Background(), Options{Dir: dir, Env: env})
			if err == nil {
				t.Fatalf("no error; total %+v", r.Total)
			}
			h, ok := err.(interface{ Hint() string })
			if !strings.Contains(err.Error(), tc.err) || !ok || !strings.Contains(h.Hint(), tc.hint) {
				t.Errorf("err = %v (hint %v), want %q with a hint containing %q", err, h, tc.err, tc.hint)
			}
		})
	}
}

// With branch = True in any of coverage.py's configuration files, the
// result carries the branch-inclusive figure, equal to coverage report's
// TOTAL, and says where the setting is; the statement figure stays.
func TestRunPythonBranchFigureEqualsCoverageReport(t *testing.T) {
	if testing.Short() {
		t.Skip("runs python; go test without -short runs it")
	}
	env := needPython(t)
	for _, tc := range []struct{ file, content string }{
		{".coveragerc", "[run]\nbranch = True\n"},
		{"pyproject.toml", "[project]\nname = \"calc\"\n\n[tool.coverage.run]\nbranch = true\n"},
	} {
		t.Run("branch set in "+tc.file, func(t *testing.T) {
			dir := pythonFixture(t)
			writeFiles(t, dir, map[string]string{tc.file: tc.content})
			r, err := Run(context.Background(), Options{Dir: dir, Env: env})
			if err != nil {
				t.Fatal(err)
			}
			stmts, miss, pct, _, _ := coverageReportTotal(t, env, dir)
			if r.Total.Statements != stmts || r.Total.Uncovered() != miss {
				t.Errorf("statements %d missed %d; coverage report %d %d", r.Total.Statements, r.Total.Uncovered(), stmts, miss)
			}
			if r.Branch == nil {
				t.Fatal("no branch figure")
			}
			if r.Branch.Percent != pct || r.Branch.Branches == 0 || r.Branch.Percent == r.Total.Percent {
				t.Errorf("branch figure %+v, statements %.1f%%; coverage report TOTAL %.1f%%", *r.Branch, r.Total.Percent, pct)
			}
			if !strings.Contains(r.Branch.Why, "branch = True in "+tc.file) {
				t.Errorf("why = %q", r.Branch.Why)
			}
		})
	}
	t.Run("without branch = True there is no branch figure", func(t *testing.T) {
		r, err := Run(context.Background(), Options{Dir: pythonFixture(t), Env: env})
		if err != nil {
			t.Fatal(err)
		}
		if r.Branch != nil {
			t.Errorf("branch = %+v", *r.Branch)
		}
	})
}

func TestPyBranchWhyNamesTheSetting(t *testing.T) {
	t.Setenv("COVERAGE_RCFILE", "")
	for _, tc := range []struct {
		name, file, content, want string
	}{
		{"a .coveragerc run section", ".coveragerc", "[run]\nsource = x\nbranch = True\n", "branch = True in .coveragerc"},
		{"a setup.cfg coverage:run section", "setup.cfg", "[metadata]\nbranch = no\n[coverage:run]\nbranch = 1\n", "branch = True in setup.cfg"},
		{"a tox.ini coverage:run section", "tox.ini", "[coverage:run]\nbranch=true\n", "branch = True in tox.ini"},
		{"a pyproject.toml tool.coverage.run table", "pyproject.toml", "[tool.coverage.run]\nbranch = true\n", "branch = True in pyproject.toml"},
		{"a branch key of another section does not count", "setup.cfg", "[tool:pytest]\nbranch = true\n", "coverage.py measured branches"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			writeFiles(t, dir, map[string]string{tc.file: tc.content})
			if got := pyBranchWhy(dir); !strings.HasPrefix(got, tc.want) {
				t.Errorf("pyBranchWhy = %q, want it to start %q", got, tc.want)
			}
		})
	}
}

// coverage.py's own LCOV, Cobertura and JSON reports of one branch-measured
// run import alike: no warning, the same package names, the statement total
// and the branch-inclusive total of `coverage report`.
func TestCoveragePyReportsImportAlike(t *testing.T) {
	if testing.Short() {
		t.Skip("runs python; go test without -short runs it")
	}
	env := needPython(t)
	dir := pythonFixture(t)
	writeFiles(t, dir, map[string]string{
		".coveragerc":          "[run]\nbranch = True\n",
		"calc/sub/__init__.py": "",
		// keep's "if" that does not append exits the function: coverage.py
		// 6.5 writes that branch as BRDA to line 0.
		"calc/sub/deep.py":   "def sign(x):\n    if x < 0:\n        return -1\n    return 1\n\n\ndef keep(x, out):\n    if x:\n        out.append(x)\n",
		"tests/test_deep.py": "from calc.sub.deep import keep, sign\n\n\ndef test_sign():\n    assert sign(2) == 1\n    keep(1, [])\n",
	})
	stmts, miss, pct, lcovFile, xmlFile := coverageReportTotal(t, env, dir)
	jsonFile := filepath.Join(t.TempDir(), "coverage.json")
	data := filepath.Join(t.TempDir(), ".coverage")
	coverageCmd(t, env, dir, data, "run", "--source=.", "--omit=*/tests/*,*/conftest.py", "-m", "pytest", "-q", "-p", "no:cacheprovider")
	coverageCmd(t, env, dir, data, "json", "-o", jsonFile)
	if b, _ := os.ReadFile(lcovFile); !regexp.MustCompile(`(?m)^BRDA:0,`).Match(b) {
		t.Fatalf("coverage.py's LCOV has no BRDA to line 0 to read:\n%s", b)
	}
	var names []string
	for _, file := range []string{lcovFile, xmlFile, jsonFile} {
		t.Run(filepath.Base(file)+" imports with coverage report's totals and no warning", func(t *testing.T) {
			r, err := importer.Import(context.Background(), dir, []string{file})
			if err != nil {
				t.Fatal(err)
			}
			if len(r.Warnings) > 0 {
				t.Errorf("warnings %q", r.Warnings)
			}
			if r.Total.Statements != stmts || r.Total.Uncovered() != miss {
				t.Errorf("%d statements %d missed; coverage report %d %d", r.Total.Statements, r.Total.Uncovered(), stmts, miss)
			}
			if r.Branch == nil || r.Branch.Percent != pct {
				t.Errorf("branch figure %+v; coverage report TOTAL %.1f%%", r.Branch, pct)
			}
			names = append(names, strings.Join(pkgNames(r), " "))
			// coverage.py 6.5 reports the docstrings of the module (line 1)
			// and of class Calculator (line 48) as executed, though they are
			// no statements: they go, and "import functools" (line 3) stays.
			states := findFile(r, "calc/ops.py").LineStates()
			if states[1] != coverage.LineNone || states[3] != coverage.LineCovered || states[48] != coverage.LineNone || states[47] != coverage.LineCovered {
				t.Errorf("calc/ops.py lines 1, 3, 47, 48 = %v %v %v %v; want none, covered, covered, none", states[1], states[3], states[47], states[48])
			}
		})
	}
	t.Run("the three formats name the packages alike", func(t *testing.T) {
		want := "calc calc.sub"
		for i, got := range names {
			if got != want {
				t.Errorf("report %d: packages %q, want %q", i, got, want)
			}
		}
	})
}

// watch-test runs the test file being edited: when it does not import, that
// is its failing test, not an error of the run.
func TestRunPythonOnATestFileThatDoesNotImportReportsItsFailure(t *testing.T) {
	if testing.Short() {
		t.Skip("runs python; go test without -short runs it")
	}
	env := needPython(t)
	dir := pythonFixture(t)
	writeFiles(t, dir, map[string]string{"tests/test_wip.py": "from calc.ops import add, typo_not_there\n\n\ndef test_add():\n    assert add(1, 2) == 3\n"})
	r, err := Run(context.Background(), Options{Dir: dir, Env: env, TestFiles: []string{"tests/test_wip.py"}})
	if err != nil {
		t.Fatal(err)
	}
	f := r.Failed()
	if len(f) != 1 || f[0].Package+" "+f[0].Test != "tests.test_wip (collection)" ||
		!strings.HasPrefix(f[0].Output, "ImportError: cannot import name 'typo_not_there' from 'calc.ops'") {
		t.Errorf("failed = %+v", f)
	}
	if ops := findFile(r, "calc/ops.py"); ops == nil || !strings.Contains(ops.NotRun, "tests/test_wip.py") {
		t.Errorf("calc/ops.py = %+v, want it marked not run", ops)
	}
}

// A test module that fails to import marks the modules it imports as not
// run, not the package's core: "from calc import add" names a function of
// calc's __init__.py, which the other tests run.
func TestRunPythonABrokenTestModuleLeavesThePackagesCoreAlone(t *testing.T) {
	if testing.Short() {
		t.Skip("runs python; go test without -short runs it")
	}
	env := needPython(t)
	dir := pythonFixture(t)
	writeFiles(t, dir, map[string]string{"tests/test_wip.py": "import nonexistent_module_for_sprintkit\nfrom calc import add\nimport calc.untested\n\n\ndef test_add():\n    assert add(1, 2) == 3\n"})
	r, err := Run(context.Background(), Options{Dir: dir, Env: env})
	if err != nil {
		t.Fatal(err)
	}
	if f := findFile(r, "calc/__init__.py"); f == nil || f.NotRun != "" {
		t.Errorf("calc/__init__.py, whose add the broken module imports, is marked: %+v", f)
	}
	if f := findFile(r, "calc/untested.py"); f == nil || !strings.Contains(f.NotRun, "tests/test_wip.py") {
		t.Errorf("calc/untested.py, which only the broken module imports, is not marked: %+v", f)
	}
}
