package pytest

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/sprintkit/sprintkit/coverage"
	"github.com/sprintkit/sprintkit/coverage/importer"
	"github.com/sprintkit/sprintkit/internal/human"

	"github.com/sprintkit/sprintkit/internal/proc"
)

// installHint says what to install for Python projects.
const installHint = "apt install python3-coverage python3-pytest, or pip install coverage pytest"

// Env is an interpreter that can run a project's tests under coverage.py.
type Env struct {
	Python   string   // the interpreter that runs the tests
	Coverage []string // argv prefix that runs coverage.py, e.g. [python3 -m coverage]
	Pytest   bool     // pytest is importable; otherwise unittest discovery is used
	Version  string   // the interpreter's version, "3.11.2"
	// CoverageVersion is coverage.py's version, "7.4.0".
	CoverageVersion string
	// PytestVersion is pytest's version when Pytest is true.
	PytestVersion string
	// Why says which interpreter this is and why it was chosen, for setup
	// and doctor to print: ".venv/bin/python (the project's virtual
	// environment)", "/usr/bin/python3 (the first with coverage.py and
	// pytest; python3 on PATH has no coverage module)".
	Why string
}

// VenvError is FindPython's error for a virtual environment that lacks
// coverage.py: the project's own (.venv, venv) or the active one
// ($VIRTUAL_ENV). Its tests need the packages installed there, so
// sprintkit does not fall back to another interpreter.
type VenvError struct {
	Venv    string // as the user knows it: ".venv", or $VIRTUAL_ENV's path
	Python  string // the venv's interpreter, relative to the project for its own
	Version string // the interpreter's version
	Active  bool   // the venv is $VIRTUAL_ENV
}

func (e *VenvError) Error() string {
	which := "the project's virtual environment " + e.Venv
	if e.Active {
		which = "the active virtual environment " + e.Venv + " ($VIRTUAL_ENV)"
	}
	return fmt.Sprintf("%s has no coverage.py (%s, Python %s); sprintkit runs the tests with it and will not switch to another Python", which, e.Python, e.Version)
}

// Hint says what to run.
func (e *VenvError) Hint() string {
	return fmt.Sprintf("install them into it: %s -m pip install coverage pytest", e.Python)
}

// pyProbe is what the probe script reports about an interpreter.
type pyProbe struct {
	Executable string  `json:"executable"`
	Version    string  `json:"version"`
	Coverage   *string `json:"coverage"`
	Pytest     *string `json:"pytest"`
}

// The probe runs in the project directory, so that a directory there that
// shadows the coverage package (a "coverage/" of the project) is noticed.
const pyProbeScript = `import sys, json
out = {"executable": sys.executable, "version": "%d.%d.%d" % sys.version_info[:3], "coverage": None, "pytest": None}
try:
    import coverage
    out["coverage"] = coverage.__version__
except Exception:
    pass
try:
    import importlib.util
    if importlib.util.find_spec("pytest") is not None:
        try:
            from importlib.metadata import version
            out["pytest"] = version("pytest")
        except Exception:
            out["pytest"] = "?"
except Exception:
    pass
print(json.dumps(out))
`

func probePython(ctx context.Context, dir, python string) (*pyProbe, error) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	cmd := proc.Command(ctx, python, "-c", pyProbeScript)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "PYTHONDONTWRITEBYTECODE=1")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		msg := strings.TrimSpace(lastLines(stderr.String(), 1))
		if msg == "" {
			msg = err.Error()
		}
		return nil, errors.New(msg)
	}
	var p pyProbe
	if err := json.Unmarshal(bytes.TrimSpace(lastLine(out)), &p); err != nil {
		return nil, fmt.Errorf("unexpected probe output %q", strings.TrimSpace(string(out)))
	}
	return &p, nil
}

func lastLine(b []byte) []byte {
	b = bytes.TrimRight(b, "\r\n")
	if i := bytes.LastIndexByte(b, '\n'); i >= 0 {
		return b[i+1:]
	}
	return b
}

func venvPython(venv string) string {
	if runtime.GOOS == "windows" {
		return filepath.Join(venv, "Scripts", "python.exe")
	}
	return filepath.Join(venv, "bin", "python")
}

// systemPython is the distribution's interpreter, where Debian's
// python3-coverage and python3-pytest install; a variable for tests.
var systemPython = "/usr/bin/python3"

// ProjectVenv returns the interpreter of the project's own virtual
// environment in dir (.venv, else venv) and the environment's name, or ""
// when there is none.
func ProjectVenv(dir string) (python, name string) {
	for _, v := range []string{".venv", "venv"} {
		if p := venvPython(filepath.Join(dir, v)); isRegular(p) {
			return p, v
		}
	}
	return "", ""
}

// venvEnv probes a virtual environment's interpreter: its Env when it
// has coverage.py, else a *VenvError.
func venvEnv(ctx context.Context, dir, python, venv string, active bool) (*Env, error) {
	shown := python
	if !active {
		shown = filepath.Join(venv, strings.TrimPrefix(python, filepath.Join(dir, venv)+string(filepath.Separator)))
	}
	p, err := probePython(ctx, dir, python)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, fmt.Errorf("virtual environment %s: %s does not run: %w", venv, shown, err)
	}
	if p.Coverage == nil {
		return nil, &VenvError{Venv: venv, Python: shown, Version: p.Version, Active: active}
	}
	env := &Env{Python: python, Version: p.Version, CoverageVersion: *p.Coverage,
		Coverage: []string{python, "-m", "coverage"}}
	env.Why = shown + " (the project's virtual environment)"
	if active {
		env.Why = shown + " (the active virtual environment, $VIRTUAL_ENV)"
	}
	if p.Pytest != nil {
		env.Pytest, env.PytestVersion = true, *p.Pytest
	} else {
		env.Why = strings.TrimSuffix(env.Why, ")") + "; it has no pytest, so the tests run with unittest discovery: " +
			shown + " -m pip install pytest)"
	}
	return env, nil
}

// FindPython finds an interpreter with coverage.py for the project in dir.
// A virtual environment decides: the active one ($VIRTUAL_ENV), else the
// project's own (.venv or venv in dir) is used when it has coverage.py, and
// when it has not, FindPython returns a *VenvError naming it and the pip
// command to run, rather than switching to an interpreter that lacks the
// project's dependencies. Without a virtual environment it tries python3
// and python on PATH, /usr/bin/python3 (Debian's, where python3-coverage
// and python3-pytest install — the python3 first on PATH, a pyenv shim for
// example, may not have them), and finally a `coverage` or
// `python3-coverage` script on PATH, run with its own interpreter: the
// first that has both coverage.py and pytest, else the first with
// coverage.py (its tests then run with unittest discovery). Env.Why
// says which was chosen and why. The error, when none has coverage.py,
// lists what was tried and says what to install.
func FindPython(ctx context.Context, dir string) (*Env, error) {
	// A $VIRTUAL_ENV whose interpreter is gone is a stale variable.
	if v := os.Getenv("VIRTUAL_ENV"); v != "" && isRegular(venvPython(v)) {
		return venvEnv(ctx, dir, venvPython(v), v, true)
	}
	if py, name := ProjectVenv(dir); py != "" {
		return venvEnv(ctx, dir, py, name, false)
	}
	type cand struct {
		python string
		script string // a coverage script; python is its interpreter
	}
	var cands []cand
	for _, name := range []string{"python3", "python"} {
		if p, err := exec.LookPath(name); err == nil {
			cands = append(cands, cand{python: p})
		}
	}
	if runtime.GOOS != "windows" && isRegular(systemPython) {
		cands = append(cands, cand{python: systemPython})
	}
	for _, name := range []string{"coverage", "python3-coverage"} {
		if p, err := exec.LookPath(name); err == nil {
			if py := shebangPython(p); py != "" {
				cands = append(cands, cand{python: py, script: p})
			}
		}
	}

	var tried []string
	seen := map[string]bool{}
	var firstCov *Env
	why := func(env *Env, c cand, reason string) {
		env.Why = c.python
		if c.script != "" {
			env.Why = c.script + " with " + c.python
		}
		env.Why += " (" + reason
		if len(tried) > 0 {
			env.Why += "; passed over " + strings.Join(tried, "; ")
		}
		env.Why += ")"
	}
	for _, c := range cands {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		key := c.python + "\x00" + c.script
		if seen[key] {
			continue
		}
		seen[key] = true
		p, err := probePython(ctx, dir, c.python)
		if err != nil {
			tried = append(tried, fmt.Sprintf("%s: %v", c.python, err))
			continue
		}
		exe := p.Executable
		if exe == "" {
			exe = c.python
		}
		if seen[exe+"\x00"+c.script] && exe != c.python {
			continue // a shim or symlink of one already tried
		}
		seen[exe+"\x00"+c.script] = true
		if p.Coverage == nil {
			tried = append(tried, fmt.Sprintf("%s (Python %s): no coverage module", c.python, p.Version))
			continue
		}
		env := &Env{Python: exe, Version: p.Version, CoverageVersion: *p.Coverage,
			Coverage: []string{exe, "-m", "coverage"}}
		if c.script != "" {
			env.Coverage = []string{c.script}
		}
		if p.Pytest != nil {
			env.Pytest, env.PytestVersion = true, *p.Pytest
		}
		if env.Pytest {
			why(env, c, "the first with coverage.py and pytest")
			return env, nil
		}
		if firstCov == nil {
			why(env, c, "the first with coverage.py; no pytest, so the tests run with unittest discovery")
			firstCov = env
		}
	}
	if firstCov != nil {
		return firstCov, nil
	}
	if len(tried) == 0 {
		return nil, fmt.Errorf("no Python interpreter found (no python3 on PATH); install Python 3 with coverage.py: apt install python3 python3-coverage python3-pytest")
	}
	return nil, fmt.Errorf("no Python with coverage.py found (tried %s); install it: %s", strings.Join(tried, "; "), installHint)
}

// shebangPython returns the interpreter on the #! line of a script, "" when
// there is none (a binary, or a Windows .exe launcher).
func shebangPython(script string) string {
	f, err := os.Open(script)
	if err != nil {
		return ""
	}
	defer f.Close()
	line, _ := bufio.NewReader(io.LimitReader(f, 512)).ReadString('\n')
	if !strings.HasPrefix(line, "#!") {
		return ""
	}
	fields := strings.Fields(strings.TrimPrefix(line, "#!"))
	if len(fields) == 0 {
		return ""
	}
	if filepath.Base(fields[0]) == "env" && len(fields) > 1 {
		if p, err := exec.LookPath(fields[1]); err == nil {
			return p
		}
		return ""
	}
	if !strings.Contains(filepath.Base(fields[0]), "python") {
		return ""
	}
	return fields[0]
}

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
	junit := filepath.Join(tmp, "junit.xml")
	progressFile := filepath.Join(tmp, "progress")
	args := append([]string{}, env.Coverage[1:]...)
	args = append(args, "run", "--source="+dir, "--omit="+strings.Join(omit, ","))
	testMods := pythonTestModules(dir)
	var extraEnv []string
	if opts.Shard != nil && !env.Pytest {
		return nil, fmt.Errorf("%s has no pytest: a Python project's tests are split into shards by pytest (%s -m pip install pytest)", env.Python, env.Python)
	}
	if opts.Shard != nil && pytestMajor(env.PytestVersion) < 7 {
		return nil, fmt.Errorf("%s has pytest %s: shards need pytest 7 or later (%s -m pip install -U pytest)", env.Python, env.PytestVersion, env.Python)
	}
	if env.Pytest {
		args = append(args, "-m", "pytest", "--junitxml="+junit, "-q", "-p", "no:cacheprovider",
			"--continue-on-collection-errors", "-o", "junit_family=xunit2")
		if opts.Progress != nil {
			if err := os.WriteFile(filepath.Join(tmp, "sprintkit_progress.py"), []byte(pyProgressPlugin), 0o644); err != nil {
				return nil, err
			}
			args = append(args, "-p", "sprintkit_progress")
			extraEnv = append(extraEnv, "SPRINTKIT_PROGRESS="+progressFile)
		}
		if opts.Shard != nil {
			plan, err := opts.Shard.write(dir, tmp)
			if err != nil {
				return nil, err
			}
			args = append(args, "-p", "sprintkit_shard")
			extraEnv = append(extraEnv, "SPRINTKIT_SHARD="+plan)
		}
		if len(extraEnv) > 0 {
			extraEnv = append(extraEnv, "PYTHONPATH="+joinPathList(tmp, os.Getenv("PYTHONPATH")))
		}
		args = append(args, opts.TestFiles...)
	} else {
		args = append(args, "-m", "unittest")
		if len(opts.TestFiles) > 0 {
			args = append(args, "-v")
			for _, f := range opts.TestFiles {
				args = append(args, moduleOf(dir, f))
			}
		} else {
			args = append(args, "discover", "-v")
			if fi, err := os.Stat(filepath.Join(dir, "tests")); err == nil && fi.IsDir() {
				args = append(args, "-s", "tests")
				// A tests package imports as tests.test_x from the top;
				// a plain directory's modules import by their own names.
				if isRegular(filepath.Join(dir, "tests", "__init__.py")) {
					args = append(args, "-t", ".")
				}
			}
		}
	}

	cmd := proc.Command(ctx, env.Coverage[0], args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), append(extraEnv,
		"COVERAGE_FILE="+filepath.Join(tmp, ".coverage"), "PYTHONDONTWRITEBYTECODE=1")...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	stop := watchProgress(progressFile, opts.Progress)
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

	var tests []coverage.TestResult
	var warnings []string
	noTests := false
	if env.Pytest {
		// pytest: 0 passed, 1 some failed, 5 no tests; 2–4 could not test.
		jf, jerr := os.Open(junit)
		if jerr == nil {
			tests, err = parseJUnit(jf, testMods)
			jf.Close()
			if err != nil {
				return nil, fmt.Errorf("read pytest's junit report: %w", err)
			}
		}
		switch {
		case code == 5:
			noTests = true
		case code >= 2 || (code == 1 && jerr != nil):
			return nil, fmt.Errorf("pytest under coverage.py exited with status %d: %s", code,
				lastLines(stderr.String()+stdout.String(), 15))
		}
	} else {
		tests = parseUnittest(stderr.String(), testMods)
		if code != 0 && len(tests) == 0 && !strings.Contains(stderr.String(), "Ran 0 tests") {
			return nil, fmt.Errorf("unittest under coverage.py exited with status %d: %s", code,
				lastLines(stderr.String(), 15))
		}
		noTests = len(tests) == 0
	}

	report := filepath.Join(tmp, "coverage.json")
	jargs := append(append([]string{}, env.Coverage[1:]...), "json", "-o", report)
	jcmd := proc.Command(ctx, env.Coverage[0], jargs...)
	jcmd.Dir = dir
	jcmd.Env = append(os.Environ(), "COVERAGE_FILE="+filepath.Join(tmp, ".coverage"))
	jout, jerr := jcmd.CombinedOutput()
	var r *coverage.Result
	if jerr != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		if !bytes.Contains(jout, []byte("No data to report")) {
			return nil, fmt.Errorf("coverage json: %v: %s", jerr, lastLines(string(jout), 10))
		}
		r, err = importer.Resolve(ctx, dir, nil, importer.ProfileOptions{Language: "python"})
		if err == nil && opts.Report != nil {
			_, err = io.WriteString(opts.Report, "{\"files\": {}}\n")
		}
	} else {
		prof, perr := importer.ParseFile(report)
		if perr != nil {
			return nil, perr
		}
		if opts.Report != nil {
			if err := copyFile(opts.Report, report); err != nil {
				return nil, err
			}
		}
		prof.Name = "coverage json"
		r, err = importer.Resolve(ctx, dir, []*importer.Profile{prof}, importer.ProfileOptions{Language: "python"})
	}
	if err != nil {
		return nil, err
	}
	if name := pythonProjectName(dir); name != "" {
		r.Project = name
	}
	if env.Pytest && len(opts.TestFiles) == 0 {
		warnings = append(warnings, rerunFailures(ctx, env, dir, tmp, testMods, tests)...) // flaky ones (rerun.go)
	}
	r.Tests = tests
	r.Warnings = append(r.Warnings, warnings...)
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
	if r.Branch != nil {
		r.Branch.Why = pyBranchWhy(dir)
	}
	return r, nil
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

// pythonProjectName reads the project's name from pyproject.toml ([project]
// or [tool.poetry]) or setup.cfg ([metadata]); "" when neither names it.
func pythonProjectName(dir string) string {
	for _, c := range []struct{ file, sections string }{
		{"pyproject.toml", "[project] [tool.poetry]"},
		{"setup.cfg", "[metadata]"},
	} {
		b, err := os.ReadFile(filepath.Join(dir, c.file))
		if err != nil {
			continue
		}
		in := false
		for _, line := range strings.Split(string(b), "\n") {
			line = strings.TrimSpace(line)
			if strings.HasPrefix(line, "[") {
				in = strings.Contains(" "+c.sections+" ", " "+line+" ")
				continue
			}
			k, v, ok := strings.Cut(line, "=")
			if in && ok && strings.TrimSpace(k) == "name" {
				if v = strings.Trim(strings.TrimSpace(v), `"'`); v != "" {
					return v
				}
			}
		}
	}
	return ""
}

func joinPathList(a, b string) string {
	if b == "" {
		return a
	}
	return a + string(os.PathListSeparator) + b
}

// moduleOf turns a test file into a dotted module name for unittest.
func moduleOf(dir, f string) string {
	if filepath.IsAbs(f) {
		if rel, err := filepath.Rel(dir, f); err == nil {
			f = rel
		}
	}
	f = strings.TrimSuffix(filepath.ToSlash(f), ".py")
	return strings.ReplaceAll(f, "/", ".")
}

// pythonTestModules returns the dotted names of the test modules under dir
// (test_*.py, *_test.py), for naming test results by module, with the file
// of each (slash-separated, relative to dir).
func pythonTestModules(dir string) map[string]string {
	mods := map[string]string{}
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		name := d.Name()
		if d.IsDir() {
			if p != dir && (strings.HasPrefix(name, ".") || name == "venv" || name == "node_modules" || name == "__pycache__" || name == "site-packages") {
				return fs.SkipDir
			}
			return nil
		}
		if strings.HasSuffix(name, ".py") && (strings.HasPrefix(name, "test_") || strings.HasSuffix(name, "_test.py")) {
			// pytest names a module of a directory without __init__.py by
			// its base name alone: know every dotted suffix.
			parts := strings.Split(moduleOf(dir, p), ".")
			rel, _ := filepath.Rel(dir, p)
			for i := range parts {
				if _, ok := mods[strings.Join(parts[i:], ".")]; !ok || i == 0 {
					mods[strings.Join(parts[i:], ".")] = filepath.ToSlash(rel)
				}
			}
		}
		return nil
	})
	return mods
}

// splitTestName splits a dotted test class path ("tests.test_ops.TestOps")
// into the test module and the rest, using the known test modules.
func splitTestName(classname, name string, mods map[string]string) (pkg, test string) {
	parts := strings.Split(classname, ".")
	for k := len(parts); k > 0; k-- {
		m := strings.Join(parts[:k], ".")
		if _, ok := mods[m]; ok {
			rest := append(append([]string{}, parts[k:]...), name)
			return m, strings.Join(rest, ".")
		}
	}
	return classname, name
}

// The pytest plugin that reports progress: after collection and after each
// test it replaces $SPRINTKIT_PROGRESS with one line "done total" (a reader
// may see the file empty for a moment, and then skips that poll).
const pyProgressPlugin = `import os
_state = {"done": 0, "total": 0}
def _emit():
    path = os.environ.get("SPRINTKIT_PROGRESS")
    if path:
        with open(path, "w") as f:
            f.write("%d %d\n" % (_state["done"], _state["total"]))
def pytest_collection_finish(session):
    _state["total"] = len(session.items)
    _emit()
def pytest_runtest_logfinish(nodeid, location):
    _state["done"] += 1
    _emit()
`

// watchProgress polls the progress file and calls progress with its last
// line until stop is called.
func watchProgress(file string, progress func(done, total int)) (stop func()) {
	if progress == nil {
		return func() {}
	}
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	last := ""
	poll := func() {
		b, err := os.ReadFile(file)
		if err != nil {
			return
		}
		l := string(lastLine(b))
		if l == last {
			return
		}
		last = l
		var d, t int
		if _, err := fmt.Sscanf(l, "%d %d", &d, &t); err == nil {
			progress(d, t)
		}
	}
	go func() {
		defer wg.Done()
		tick := time.NewTicker(200 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-done:
				poll()
				return
			case <-tick.C:
				poll()
			}
		}
	}()
	return func() { close(done); wg.Wait() }
}

// JUnit XML, as pytest writes it (junit_family xunit1 or xunit2):
//
//	<testsuites><testsuite name="pytest" tests="3" failures="1" …>
//	  <testcase classname="tests.test_ops" name="test_add" time="0.001"/>
//	  <testcase classname="tests.test_ops.TestOps" name="test_div" time="0.002">
//	    <failure message="ZeroDivisionError">traceback…</failure>   (or <error>, <skipped>)
//	    <system-out>…</system-out>
//	  </testcase>
//	</testsuite></testsuites>
type junitCase struct {
	Classname string     `xml:"classname,attr"`
	Name      string     `xml:"name,attr"`
	Time      string     `xml:"time,attr"`
	Failure   *junitText `xml:"failure"`
	Error     *junitText `xml:"error"`
	Skipped   *junitText `xml:"skipped"`
	SystemOut string     `xml:"system-out"`
	SystemErr string     `xml:"system-err"`
}

type junitText struct {
	Message string `xml:"message,attr"`
	Text    string `xml:",chardata"`
}

func parseJUnit(r io.Reader, mods map[string]string) ([]coverage.TestResult, error) {
	d := xml.NewDecoder(r)
	d.CharsetReader = importer.CharsetReader
	var out []coverage.TestResult
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		se, ok := tok.(xml.StartElement)
		if !ok || se.Name.Local != "testcase" {
			continue
		}
		var tc junitCase
		if err := d.DecodeElement(&tc, &se); err != nil {
			return nil, err
		}
		pkg, name := splitTestName(tc.Classname, tc.Name, mods)
		if tc.Classname == "" && tc.Error != nil {
			// A module pytest could not collect: <testcase classname=""
			// name="tests.test_broken"><error message="collection failure">.
			out = append(out, coverage.TestResult{Package: tc.Name, Test: collectionTest, Outcome: "fail",
				Output: collectionOutput(tc.Error.Text)})
			continue
		}
		t := coverage.TestResult{Package: pkg, Test: name, Outcome: "pass"}
		t.Seconds, _ = strconv.ParseFloat(tc.Time, 64)
		var fail *junitText
		switch {
		case tc.Failure != nil:
			fail = tc.Failure
		case tc.Error != nil:
			fail = tc.Error
		case tc.Skipped != nil:
			t.Outcome = "skip"
		}
		if fail != nil {
			t.Outcome = "fail"
			var b strings.Builder
			for _, s := range []string{fail.Message, fail.Text, tc.SystemOut, tc.SystemErr} {
				if s = strings.TrimSpace(s); s != "" && !strings.Contains(b.String(), s) {
					if b.Len() > 0 {
						b.WriteString("\n")
					}
					b.WriteString(s)
				}
			}
			t.Output = b.String()
		}
		out = append(out, t)
	}
	return out, nil
}

// parseUnittest reads the verbose output of `python -m unittest -v`:
//
//	test_add (tests.test_ops.TestOps.test_add) ... ok
//	test_div (tests.test_ops.TestOps) ... FAIL        (Python < 3.11)
//	test_x (tests.test_ops.TestOps.test_x) ... skipped 'why'
//	======================================================================
//	FAIL: test_div (tests.test_ops.TestOps.test_div)
//	----------------------------------------------------------------------
//	Traceback …
func parseUnittest(out string, mods map[string]string) []coverage.TestResult {
	var tests []coverage.TestResult
	index := map[string]int{}
	lines := strings.Split(strings.ReplaceAll(out, "\r\n", "\n"), "\n")
	key := func(name, paren string) (string, string) {
		cls := strings.TrimSuffix(paren, "."+name)
		return splitTestName(cls, name, mods)
	}
	for n, l := range lines {
		i := strings.Index(l, " ... ")
		if i < 0 {
			continue
		}
		head, status := l[:i], strings.TrimSpace(l[i+5:])
		open := strings.Index(head, " (")
		if (open < 0 || !strings.HasSuffix(head, ")")) && n > 0 {
			// A test with a docstring: "name (path)" on its own line, then
			// the docstring's first line with the status.
			head = lines[n-1]
			open = strings.Index(head, " (")
		}
		if open < 0 || !strings.HasSuffix(head, ")") {
			continue
		}
		name, paren := head[:open], head[open+2:len(head)-1]
		outcome := ""
		switch {
		case status == "ok", status == "expected failure":
			outcome = "pass"
		case status == "FAIL", status == "ERROR", status == "unexpected success":
			outcome = "fail"
		case strings.HasPrefix(status, "skipped"):
			outcome = "skip"
		default:
			continue
		}
		pkg, test := key(name, paren)
		if strings.HasPrefix(paren, failedTest) {
			pkg, test = name, collectionTest // a module that failed to import
		}
		index[pkg+"\x00"+test] = len(tests)
		tests = append(tests, coverage.TestResult{Package: pkg, Test: test, Outcome: outcome})
	}
	// Failure sections carry the tracebacks.
	for i := 0; i < len(lines); i++ {
		l := lines[i]
		var rest string
		switch {
		case strings.HasPrefix(l, "FAIL: "):
			rest = l[6:]
		case strings.HasPrefix(l, "ERROR: "):
			rest = l[7:]
		default:
			continue
		}
		open := strings.Index(rest, " (")
		if open < 0 || !strings.HasSuffix(rest, ")") {
			continue
		}
		pkg, test := key(rest[:open], rest[open+2:len(rest)-1])
		if strings.HasPrefix(rest[open+2:], failedTest) {
			pkg, test = rest[:open], collectionTest
		}
		j := i + 1 // past a docstring line, then the dashes
		for j < len(lines) && !strings.HasPrefix(lines[j], "-----") && !strings.HasPrefix(lines[j], "=====") {
			j++
		}
		if j < len(lines) && strings.HasPrefix(lines[j], "-----") {
			j++
		}
		k := j
		for k < len(lines) && !strings.HasPrefix(lines[k], "=====") && !strings.HasPrefix(lines[k], "-----") {
			k++
		}
		text := strings.TrimSpace(strings.Join(lines[j:k], "\n"))
		if test == collectionTest {
			text = collectionOutput(text)
		}
		if at, ok := index[pkg+"\x00"+test]; ok {
			tests[at].Output = text
		} else if strings.HasPrefix(l, "ERROR: ") {
			// A module that failed to import is reported only here.
			tests = append(tests, coverage.TestResult{Package: pkg, Test: test, Outcome: "fail", Output: text})
		}
		i = k - 1
	}
	return tests
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

// collectionTest is the Test of a TestResult for a test module that failed
// to import (pytest's collection error, unittest's _FailedTest): a failing
// test named by its module in Package.
const collectionTest = "(collection)"

// failedTest is how unittest names a module it could not import.
const failedTest = "unittest.loader._FailedTest"

// collectionOutput is the error of a test module that failed to import: the
// error line itself first ("ModuleNotFoundError: No module named 'x'"), then
// the first lines of the report.
func collectionOutput(text string) string {
	text = strings.TrimSpace(text)
	sum := errorSummary(text)
	lines := strings.Split(text, "\n")
	if len(lines) > 12 {
		lines = append(lines[:12], "…")
	}
	head := strings.Join(lines, "\n")
	if sum == "" || sum == head {
		return head
	}
	return sum + "\n" + head
}

// errorSummary finds the error line of a Python failure report: pytest's
// last "E   " line, else the last line that names an exception
// ("ModuleNotFoundError: No module named 'x'").
func errorSummary(text string) string {
	lines := strings.Split(strings.TrimSpace(text), "\n")
	for i := len(lines) - 1; i >= 0; i-- {
		if l := lines[i]; strings.HasPrefix(l, "E   ") {
			return strings.TrimSpace(l[1:])
		}
	}
	for i := len(lines) - 1; i >= 0; i-- {
		l := strings.TrimSpace(lines[i])
		if name, _, ok := strings.Cut(l, ": "); ok && !strings.ContainsAny(name, " '\"(") &&
			(strings.HasSuffix(name, "Error") || strings.HasSuffix(name, "Exception") || strings.HasSuffix(name, "Exit")) {
			return l
		}
	}
	return strings.TrimSpace(lines[len(lines)-1])
}

// brokenModule is a test module that failed to import.
type brokenModule struct {
	module  string // dotted, as the runner named it
	rel     string // its file, relative to the project; "" when not found
	summary string // the error line
}

// markNotRun finds the test modules of r.Tests that failed to import and
// marks the measured files they import File.NotRun: their tests exist but
// did not run, so a 0% there does not mean that no test reaches them. A
// warning names each broken module and what it left untested. It returns
// the broken modules.
func markNotRun(dir string, r *coverage.Result, testMods map[string]string) []brokenModule {
	var broken []brokenModule
	for _, t := range r.Tests {
		if t.Test != collectionTest || t.Outcome != "fail" {
			continue
		}
		b := brokenModule{module: t.Package, rel: testMods[t.Package], summary: errorSummary(t.Output)}
		if b.rel == "" {
			b.rel = t.Package
		}
		broken = append(broken, b)
	}
	if len(broken) == 0 {
		return nil
	}
	byModule := map[string]*coverage.File{}
	for _, p := range r.Packages {
		for _, f := range p.Files {
			if f.Rel != "" {
				for _, m := range importer.PythonModuleNames(dir, f.Rel) {
					byModule[m] = f
				}
			}
		}
	}
	for _, b := range broken {
		src, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(b.rel)))
		if err != nil {
			r.Warnings = append(r.Warnings, fmt.Sprintf("%s failed to import (%s)", b.rel, b.summary))
			continue
		}
		var marked []string
		for _, imp := range importer.PythonImports(src, b.rel) {
			f := byModule[imp.Module]
			if imp.Name != "" {
				if sub := byModule[imp.Module+"."+imp.Name]; sub != nil {
					f = sub // "from pkg import mod" names a module
				}
			}
			if f == nil || f.NotRun != "" && strings.Contains(f.NotRun, b.rel+",") {
				continue
			}
			why := fmt.Sprintf("tests exist but did not run: %s, which imports it, failed to import (%s)", b.rel, b.summary)
			if f.NotRun != "" {
				why = f.NotRun + "; " + strings.TrimPrefix(why, "tests exist but did not run: ")
			}
			f.NotRun = why
			marked = append(marked, f.Rel)
		}
		w := fmt.Sprintf("%s failed to import (%s)", b.rel, b.summary)
		if len(marked) > 0 {
			sort.Strings(marked)
			w += fmt.Sprintf("; %s, which it tests, %s left out of the targets: tests exist but did not run",
				strings.Join(marked, ", "), human.Word(len(marked), "is", "are"))
		}
		r.Warnings = append(r.Warnings, w)
	}
	return broken
}

// pyBranchWhy says where a Python project asks for branch coverage: the
// first of coverage.py's configuration files that sets branch in its run
// section (.coveragerc [run], setup.cfg and tox.ini [coverage:run],
// pyproject.toml [tool.coverage.run]), else $COVERAGE_RCFILE.
func pyBranchWhy(dir string) string {
	files := []struct{ file, section string }{
		{".coveragerc", "[run]"}, {"setup.cfg", "[coverage:run]"}, {"tox.ini", "[coverage:run]"},
		{"pyproject.toml", "[tool.coverage.run]"},
	}
	if rc := os.Getenv("COVERAGE_RCFILE"); rc != "" {
		files = append([]struct{ file, section string }{{rc, "[run]"}}, files...)
	}
	for _, c := range files {
		b, err := os.ReadFile(filepath.Join(dir, c.file))
		if filepath.IsAbs(c.file) {
			b, err = os.ReadFile(c.file)
		}
		if err != nil {
			continue
		}
		in := false
		for _, line := range strings.Split(string(b), "\n") {
			line = strings.TrimSpace(line)
			if strings.HasPrefix(line, "[") {
				in = strings.EqualFold(strings.ReplaceAll(line, " ", ""), c.section)
				continue
			}
			k, v, ok := strings.Cut(line, "=")
			if in && ok && strings.TrimSpace(k) == "branch" {
				v = strings.ToLower(strings.Trim(strings.TrimSpace(v), `"'`))
				if v == "true" || v == "1" || v == "yes" || v == "on" {
					return "branch = True in " + filepath.Base(c.file) + ", as coverage report counts"
				}
			}
		}
	}
	return "coverage.py measured branches, as coverage report counts"
}

// IsProject reports whether dir holds a Python project: a
// pyproject.toml, setup.py or setup.cfg, or a tests/ (or test/) directory
// with test_*.py files.
func IsProject(dir string) bool {
	for _, f := range []string{"pyproject.toml", "setup.py", "setup.cfg"} {
		if isRegular(filepath.Join(dir, f)) {
			return true
		}
	}
	for _, t := range []string{"tests", "test"} {
		for _, pat := range []string{"test_*.py", filepath.Join("*", "test_*.py")} {
			if m, _ := filepath.Glob(filepath.Join(dir, t, pat)); len(m) > 0 {
				return true
			}
		}
	}
	return false
}

// isRegular reports whether p is a regular file (after symlinks).
func isRegular(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.Mode().IsRegular()
}
