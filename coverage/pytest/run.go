package pytest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/sprintkit/sprintkit/coverage"
	"github.com/sprintkit/sprintkit/coverage/importer"
	"github.com/sprintkit/sprintkit/internal/human"
	"github.com/sprintkit/sprintkit/internal/proc"
)

// Options says how to run a Python project's tests under coverage.py.
type Options struct {
	Dir       string
	Env       *Env     // nil: FindPython(Dir)
	TestFiles []string // optional: only these test files (watch-test), relative to Dir or absolute
	// Progress, when set, is called with tests done and collected, from a
	// small pytest plugin (no calls under unittest).
	Progress func(done, total int)
	// Shard, when set, runs one CI shard's test files only (pytest only).
	Shard *ShardFiles
	// Report, when set, receives coverage.py's JSON report of the run (an
	// empty one, {"files": {}}, when coverage.py had no data), the profile
	// that MergeShards merges.
	Report io.Writer
}

// pyOmit are coverage.py --omit patterns, under the project directory, for
// code that is not the project's own: tests, virtualenvs, build output.
var pyOmit = []string{
	"*/tests/*", "*/test/*", "*/test_*.py", "*/*_test.py", "*/conftest.py",
	"*/.venv/*", "*/venv/*", "*/.tox/*", "*/.nox/*", "*/site-packages/*", "*/build/lib/*",
}

// Run runs the tests of the project in opts.Dir under coverage.py:
//
//	coverage run --source=DIR --omit=TESTS,… -m pytest --junitxml=TMP/junit.xml …
//	coverage json -o TMP/coverage.json
//
// (with `-m unittest discover -v` when pytest is missing). The data file and
// reports live in a temporary directory; pytest's cache and byte-code files
// are not written into the checkout. Test files and test directories, and
// virtualenvs inside DIR, are omitted, so the project's tests count neither
// in the totals nor as targets. Result.Tests comes from pytest's JUnit XML
// (or unittest's verbose output): failing tests are not an error of
// Run; a run that could not test at all (pytest usage or internal
// error, coverage.py failing) is, and so is a whole-suite run that measured
// 0 statements or in which every test module failed to import (the error
// has a Hint method; with opts.TestFiles these are the files' failures). Functions come from coverage.py ≥ 7.5 JSON, else from the
// source. The totals are those of coverage.py's own `coverage report` for
// the same data; the project's coverage.py settings (exclude_lines, branch
// and the like) apply, except that --source and --omit are sprintkit's.
//
// A test module that fails to import (pytest's collection error, unittest's
// _FailedTest) is a failing test named by its module, Test "(collection)",
// whose output starts with the error line. The project files it imports
// ("import pkg.mod", "from pkg import mod", "from pkg.mod import f") are
// marked File.NotRun, "tests exist but did not run: …", which the ranking
// leaves out, and a warning names them.
//
// With branch = True in the project's settings, Result.Total still counts
// statements and Result.Branch carries the branch-inclusive figure, equal to
// `coverage report`'s TOTAL, with Why naming the file that sets it.
//
// Code outside Dir that the tests run (installed packages, the standard
// library) is not measured, and neither is a package installed into
// site-packages rather than run from the checkout.
//
// A progress plugin module is put on PYTHONPATH only when opts.Progress is
// set; byte-code writing is turned off (PYTHONDONTWRITEBYTECODE=1).
func Run(ctx context.Context, opts Options) (*coverage.Result, error) {
	dir, err := filepath.Abs(opts.Dir)
	if err != nil {
		return nil, err
	}
	env := opts.Env
	if env == nil {
		if env, err = FindPython(ctx, dir); err != nil {
			return nil, err
		}
	}
	tmp, err := os.MkdirTemp("", "sprintkit-python-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	args, extraEnv, err := runArgs(dir, tmp, env, opts)
	if err != nil {
		return nil, err
	}
	cmd := proc.Command(ctx, env.Coverage[0], args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), append(extraEnv,
		"COVERAGE_FILE="+filepath.Join(tmp, ".coverage"), "PYTHONDONTWRITEBYTECODE=1")...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	stop := watchProgress(filepath.Join(tmp, "progress"), opts.Progress)
	runErr := cmd.Run()
	stop()
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}
	code := 0
	if runErr != nil {
		var ee *exec.ExitError
		if !errors.As(runErr, &ee) {
			return nil, fmt.Errorf("run %s: %w", strings.Join(env.Coverage, " "), runErr)
		}
		code = ee.ExitCode()
	}
	testMods := pythonTestModules(dir)
	tests, noTests, err := readTests(env, code, filepath.Join(tmp, "junit.xml"), stdout.String(), stderr.String(), testMods)
	if err != nil {
		return nil, err
	}
	r, err := readCoverage(ctx, env, dir, tmp, opts.Report)
	if err != nil {
		return nil, err
	}
	if name := pythonProjectName(dir); name != "" {
		r.Project = name
	}
	if env.Pytest && len(opts.TestFiles) == 0 {
		r.Warnings = append(r.Warnings, rerunFailures(ctx, env, dir, tmp, testMods, tests)...) // flaky ones (rerun.go)
	}
	r.Tests = tests
	broken := markNotRun(dir, r, testMods)
	if len(opts.TestFiles) > 0 || opts.Shard != nil {
		// Some test files (watch-test, a shard): one being edited may not
		// import; that is its failing test, not an error of the run.
		if r.Total.Statements == 0 {
			r.Warnings = append(r.Warnings, "coverage.py measured no project code")
		}
	} else if err := emptyRun(env.Python, r, broken, noTests, !env.Pytest); err != nil {
		return nil, err
	}
	brandFigure(r, dir)
	return r, nil
}

// brandFigure says where the branch-inclusive figure comes from, and drops
// it when only sprintkit asked for branches: the project's figure is then
// coverage report's statement TOTAL, and the branches stay per file
// (File.Branches), for targets.
func brandFigure(r *coverage.Result, dir string) {
	if r.Branch == nil {
		return
	}
	if _, _, set := pyBranchSetting(dir); !set {
		r.Branch = nil
		return
	}
	r.Branch.Why = pyBranchWhy(dir)
}

// runArgs are the arguments of coverage.py's run of the tests, and the
// environment it needs beyond the caller's: the plugins' files are written
// into tmp.
func runArgs(dir, tmp string, env *Env, opts Options) (args, extraEnv []string, err error) {
	omit := []string{
		filepath.Join(dir, "setup.py"), filepath.Join(dir, "noxfile.py"), filepath.Join(dir, "docs", "*"),
		// The progress plugin lives here, and TMPDIR may be inside dir.
		filepath.Join(tmp, "*"),
	}
	for _, o := range pyOmit {
		// "*/tests/*" at the top of dir and below it: older coverage.py
		// versions do not let "*/" match nothing.
		o = filepath.FromSlash(strings.TrimPrefix(o, "*/"))
		omit = append(omit, filepath.Join(dir, o), filepath.Join(dir, "*", o))
	}
	args = append([]string{}, env.Coverage[1:]...)
	args = append(args, "run", "--source="+dir, "--omit="+strings.Join(omit, ","))
	if _, _, set := pyBranchSetting(dir); !set {
		// Branches never taken are targets when every statement runs: measure
		// them, unless the project says itself whether to.
		args = append(args, "--branch")
	}
	if opts.Shard != nil && !env.Pytest {
		return nil, nil, fmt.Errorf("%s has no pytest: a Python project's tests are split into shards by pytest (%s -m pip install pytest)", env.Python, env.Python)
	}
	if opts.Shard != nil && pytestMajor(env.PytestVersion) < 7 {
		return nil, nil, fmt.Errorf("%s has pytest %s: shards need pytest 7 or later (%s -m pip install -U pytest)", env.Python, env.PytestVersion, env.Python)
	}
	if !env.Pytest {
		return append(args, unittestArgs(dir, opts.TestFiles)...), nil, nil
	}
	args = append(args, "-m", "pytest", "--junitxml="+filepath.Join(tmp, "junit.xml"), "-q", "-p", "no:cacheprovider",
		"--continue-on-collection-errors", "-o", "junit_family=xunit2")
	if opts.Progress != nil {
		if err := os.WriteFile(filepath.Join(tmp, "sprintkit_progress.py"), []byte(pyProgressPlugin), 0o644); err != nil {
			return nil, nil, err
		}
		args = append(args, "-p", "sprintkit_progress")
		extraEnv = append(extraEnv, "SPRINTKIT_PROGRESS="+filepath.Join(tmp, "progress"))
	}
	if opts.Shard != nil {
		plan, err := opts.Shard.write(dir, tmp)
		if err != nil {
			return nil, nil, err
		}
		args = append(args, "-p", "sprintkit_shard")
		extraEnv = append(extraEnv, "SPRINTKIT_SHARD="+plan)
	}
	if len(extraEnv) > 0 {
		extraEnv = append(extraEnv, "PYTHONPATH="+joinPathList(tmp, os.Getenv("PYTHONPATH")))
	}
	return append(args, opts.TestFiles...), extraEnv, nil
}

// unittestArgs run the tests with unittest, when pytest is missing: the
// given test files, else discovery.
func unittestArgs(dir string, testFiles []string) []string {
	args := []string{"-m", "unittest"}
	if len(testFiles) > 0 {
		args = append(args, "-v")
		for _, f := range testFiles {
			args = append(args, moduleOf(dir, f))
		}
		return args
	}
	args = append(args, "discover", "-v")
	if fi, err := os.Stat(filepath.Join(dir, "tests")); err == nil && fi.IsDir() {
		args = append(args, "-s", "tests")
		// A tests package imports as tests.test_x from the top;
		// a plain directory's modules import by their own names.
		if isRegular(filepath.Join(dir, "tests", "__init__.py")) {
			args = append(args, "-t", ".")
		}
	}
	return args
}

// readTests reads the outcomes of a run that exited with code: pytest's
// JUnit report junit, else unittest's verbose stderr. noTests is a run that
// found no test; a run that could not test at all is an error.
func readTests(env *Env, code int, junit, stdout, stderr string, testMods map[string]string) (tests []coverage.TestResult, noTests bool, err error) {
	if !env.Pytest {
		tests = parseUnittest(stderr, testMods)
		if code != 0 && len(tests) == 0 && !strings.Contains(stderr, "Ran 0 tests") {
			return nil, false, fmt.Errorf("unittest under coverage.py exited with status %d: %s", code,
				lastLines(stderr, 15))
		}
		return tests, len(tests) == 0, nil
	}
	// pytest: 0 passed, 1 some failed, 5 no tests; 2–4 could not test.
	jf, jerr := os.Open(junit)
	if jerr == nil {
		tests, err = parseJUnit(jf, testMods)
		jf.Close()
		if err != nil {
			return nil, false, fmt.Errorf("read pytest's junit report: %w", err)
		}
	}
	switch {
	case code == 5:
		noTests = true
	case code >= 2 || (code == 1 && jerr != nil):
		out := withoutConfigWarnings(stderr + stdout)
		err := fmt.Errorf("pytest under coverage.py exited with status %d: %s", code, lastLines(out, 15))
		if m := noModuleRE.FindStringSubmatch(out); m != nil {
			// A conftest.py that imports what is not installed stops pytest.
			return nil, false, &pyRunError{msg: err.Error(), hint: fmt.Sprintf(
				"%s is not installed in %s: declare it among the project's test dependencies, or install it: %s -m pip install %s",
				m[1], env.Python, env.Python, strings.SplitN(m[1], ".", 2)[0])}
		}
		return nil, false, err
	}
	return tests, noTests, nil
}

// noModuleRE finds the module a failed import names.
var noModuleRE = regexp.MustCompile(`ModuleNotFoundError: No module named '([A-Za-z0-9_.]+)'`)

// withoutConfigWarnings drops from a run's output the warnings of
// coverage.py and pytest about configuration options they do not know (a
// newer coverage.py's [tool.coverage] option, a plugin's ini key), with the
// source line Python prints under each: they are not why the run failed.
func withoutConfigWarnings(out string) string {
	lines := strings.Split(out, "\n")
	var keep []string
	for i := 0; i < len(lines); i++ {
		l := lines[i]
		if strings.Contains(l, "CoverageWarning: Unrecognized option") || strings.Contains(l, "PytestConfigWarning: Unknown config option") {
			if i+1 < len(lines) && strings.HasPrefix(lines[i+1], " ") && strings.Contains(lines[i+1], "warn") {
				i++
			}
			continue
		}
		keep = append(keep, l)
	}
	return strings.Join(keep, "\n")
}

// readCoverage turns the run's data file in tmp into a result through
// `coverage json`, and copies that report to w when it is set (an empty
// one when coverage.py had no data).
func readCoverage(ctx context.Context, env *Env, dir, tmp string, w io.Writer) (*coverage.Result, error) {
	report := filepath.Join(tmp, "coverage.json")
	jargs := append(append([]string{}, env.Coverage[1:]...), "json", "-o", report)
	jcmd := proc.Command(ctx, env.Coverage[0], jargs...)
	jcmd.Dir = dir
	jcmd.Env = append(os.Environ(), "COVERAGE_FILE="+filepath.Join(tmp, ".coverage"))
	jout, jerr := jcmd.CombinedOutput()
	if jerr != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		if !bytes.Contains(jout, []byte("No data to report")) {
			return nil, fmt.Errorf("coverage json: %v: %s", jerr, lastLines(string(jout), 10))
		}
		r, err := importer.Resolve(ctx, dir, nil, importer.ProfileOptions{Language: "python"})
		if err == nil && w != nil {
			_, err = io.WriteString(w, "{\"files\": {}}\n")
		}
		return r, err
	}
	prof, err := importer.ParseFile(report)
	if err != nil {
		return nil, err
	}
	if w != nil {
		if err := copyFile(w, report); err != nil {
			return nil, err
		}
	}
	prof.Name = "coverage json"
	return importer.Resolve(ctx, dir, []*importer.Profile{prof}, importer.ProfileOptions{Language: "python"})
}

// emptyRun is the error of a run that measured nothing, or whose every test
// module failed to import: its figure would say nothing of the project.
func emptyRun(python string, r *coverage.Result, broken []brokenModule, noTests, unittest bool) error {
	ran := 0
	for _, t := range r.Tests {
		if t.Test != collectionTest {
			ran++
		}
	}
	runner := "pytest"
	if unittest {
		runner = "unittest discovery"
	}
	switch {
	case len(broken) > 0 && ran == 0:
		b := broken[0]
		more := ""
		if len(broken) > 1 {
			more = fmt.Sprintf(" (and %d more test %s)", len(broken)-1, human.Word(len(broken)-1, "module", "modules"))
		}
		return &pyRunError{
			msg:  fmt.Sprintf("no test ran: every test module failed to import; %s: %s%s", b.rel, b.summary, more),
			hint: fmt.Sprintf("install what the tests import into %s (for example: %s -m pip install -e .), or fix the import", python, python),
		}
	case r.Total.Statements > 0:
		if noTests {
			r.Warnings = append(r.Warnings, runner+" found no tests: every figure is that of code no test runs")
		}
		return nil
	case noTests:
		return &pyRunError{
			msg:  fmt.Sprintf("%s found no tests, and coverage.py measured 0 statements", runner),
			hint: "name test files test_*.py or *_test.py (in tests/, for example), or run sprintkit in the project's top directory",
		}
	}
	return &pyRunError{
		msg:  fmt.Sprintf("coverage.py measured 0 statements: %d tests ran with %s, but none ran the project's code under its directory", ran, python),
		hint: "if the tests import an installed copy of the project (in site-packages), install it in editable mode instead: " + python + " -m pip install -e .",
	}
}

// pyRunError is an error of Run with a hint for the user.
type pyRunError struct{ msg, hint string }

func (e *pyRunError) Error() string { return e.msg }

// Hint says what to do.
func (e *pyRunError) Hint() string { return e.hint }

func joinPathList(a, b string) string {
	if b == "" {
		return a
	}
	return a + string(os.PathListSeparator) + b
}

// lastLines returns the last n non-empty lines of s, joined by newlines.
func lastLines(s string, n int) string {
	ls := strings.Split(strings.TrimRight(s, "\r\n"), "\n")
	var out []string
	for i := len(ls) - 1; i >= 0 && len(out) < n; i-- {
		if strings.TrimSpace(ls[i]) != "" {
			out = append([]string{strings.TrimRight(ls[i], "\r")}, out...)
		}
	}
	return strings.Join(out, "\n")
}
