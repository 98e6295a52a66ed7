package coverage

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
	"strconv"
	"strings"
	"sync"
	"time"
)

// PythonInstallHint says what to install for Python projects.
const PythonInstallHint = "apt install python3-coverage python3-pytest, or pip install coverage pytest"

// PythonEnv is an interpreter that can run a project's tests under coverage.py.
type PythonEnv struct {
	Python   string   // the interpreter that runs the tests
	Coverage []string // argv prefix that runs coverage.py, e.g. [python3 -m coverage]
	Pytest   bool     // pytest is importable; otherwise unittest discovery is used
	Version  string   // the interpreter's version, "3.11.2"
	// CoverageVersion is coverage.py's version, "7.4.0".
	CoverageVersion string
	// PytestVersion is pytest's version when Pytest is true.
	PytestVersion string
}

// Missing says what the environment lacks and how to install it, "" when
// nothing: for `doctor`.
func (e *PythonEnv) Missing() string {
	if e == nil {
		return "python3 with coverage.py: " + PythonInstallHint
	}
	if !e.Pytest {
		return "pytest (tests run with unittest discovery instead): apt install python3-pytest, or pip install pytest"
	}
	return ""
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
	cmd := exec.CommandContext(ctx, python, "-c", pyProbeScript)
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

// FindPython finds an interpreter with coverage.py for the project in dir.
// It tries, in order: the active virtualenv ($VIRTUAL_ENV), a .venv or venv
// in dir, python3 and python on PATH, /usr/bin/python3 (Debian's, where
// python3-coverage and python3-pytest install — the python3 first on PATH,
// a pyenv shim for example, may not have them), and finally a `coverage` or
// `python3-coverage` script on PATH, run with its own interpreter. A
// virtualenv with coverage.py wins outright; otherwise the first interpreter
// that has both coverage.py and pytest, else the first with coverage.py
// (its tests then run with unittest discovery). The error, when none has
// coverage.py, lists what was tried and says what to install.
func FindPython(ctx context.Context, dir string) (*PythonEnv, error) {
	type cand struct {
		python string
		venv   bool
		script string // a coverage script; python is its interpreter
	}
	var cands []cand
	if v := os.Getenv("VIRTUAL_ENV"); v != "" {
		cands = append(cands, cand{python: venvPython(v), venv: true})
	}
	for _, v := range []string{".venv", "venv"} {
		if p := venvPython(filepath.Join(dir, v)); isRegular(p) {
			cands = append(cands, cand{python: p, venv: true})
		}
	}
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
	var firstCov *PythonEnv
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
		env := &PythonEnv{Python: exe, Version: p.Version, CoverageVersion: *p.Coverage,
			Coverage: []string{exe, "-m", "coverage"}}
		if c.script != "" {
			env.Coverage = []string{c.script}
		}
		if p.Pytest != nil {
			env.Pytest, env.PytestVersion = true, *p.Pytest
		}
		if c.venv || env.Pytest {
			return env, nil
		}
		if firstCov == nil {
			firstCov = env
		}
	}
	if firstCov != nil {
		return firstCov, nil
	}
	if len(tried) == 0 {
		return nil, fmt.Errorf("no Python interpreter found (no python3 on PATH); install Python 3 with coverage.py: apt install python3 python3-coverage python3-pytest")
	}
	return nil, fmt.Errorf("no Python with coverage.py found (tried %s); install it: %s", strings.Join(tried, "; "), PythonInstallHint)
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

// PyRun says how to run a Python project's tests under coverage.py.
type PyRun struct {
	Dir       string
	Env       *PythonEnv // nil: FindPython(Dir)
	TestFiles []string   // optional: only these test files (watch-test), relative to Dir or absolute
	// Progress, when set, is called with tests done and collected, from a
	// small pytest plugin (no calls under unittest).
	Progress func(done, total int)
}

// pyOmit are coverage.py --omit patterns, under the project directory, for
// code that is not the project's own: tests, virtualenvs, build output.
var pyOmit = []string{
	"*/tests/*", "*/test/*", "*/test_*.py", "*/*_test.py", "*/conftest.py",
	"*/.venv/*", "*/venv/*", "*/.tox/*", "*/.nox/*", "*/site-packages/*", "*/build/lib/*",
}

// RunPython runs the tests of the project in opts.Dir under coverage.py:
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
// RunPython; a run that could not test at all (pytest usage or internal
// error, coverage.py failing) is. Functions come from coverage.py ≥ 7.5 JSON,
// else from the source. The totals are those of coverage.py's own
// `coverage report` for the same data; the project's coverage.py settings
// (exclude_lines and the like) apply, except that --source and --omit are
// sprintkit's. With branch = True in the project's settings, coverage
// report's percentage counts branches too, while Result counts statements.
//
// Code outside Dir that the tests run (installed packages, the standard
// library) is not measured, and neither is a package installed into
// site-packages rather than run from the checkout.
//
// A progress plugin module is put on PYTHONPATH only when opts.Progress is
// set; byte-code writing is turned off (PYTHONDONTWRITEBYTECODE=1).
func RunPython(ctx context.Context, opts PyRun) (*Result, error) {
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
	if env.Pytest {
		args = append(args, "-m", "pytest", "--junitxml="+junit, "-q", "-p", "no:cacheprovider",
			"--continue-on-collection-errors", "-o", "junit_family=xunit2")
		if opts.Progress != nil {
			if err := os.WriteFile(filepath.Join(tmp, "sprintkit_progress.py"), []byte(pyProgressPlugin), 0o644); err != nil {
				return nil, err
			}
			args = append(args, "-p", "sprintkit_progress")
			extraEnv = append(extraEnv, "PYTHONPATH="+joinPathList(tmp, os.Getenv("PYTHONPATH")),
				"SPRINTKIT_PROGRESS="+progressFile)
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

	cmd := exec.CommandContext(ctx, env.Coverage[0], args...)
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

	var tests []TestResult
	var warnings []string
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
			warnings = append(warnings, "pytest collected no tests")
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
		if len(tests) == 0 {
			warnings = append(warnings, "unittest discovery found no tests")
		}
	}

	report := filepath.Join(tmp, "coverage.json")
	jargs := append(append([]string{}, env.Coverage[1:]...), "json", "-o", report)
	jcmd := exec.CommandContext(ctx, env.Coverage[0], jargs...)
	jcmd.Dir = dir
	jcmd.Env = append(os.Environ(), "COVERAGE_FILE="+filepath.Join(tmp, ".coverage"))
	jout, jerr := jcmd.CombinedOutput()
	var r *Result
	if jerr != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		if !bytes.Contains(jout, []byte("No data to report")) {
			return nil, fmt.Errorf("coverage json: %v: %s", jerr, lastLines(string(jout), 10))
		}
		warnings = append(warnings, "coverage.py measured no project code")
		r, err = FromProfiles(ctx, dir, nil, ProfileOptions{Language: "python", Python: true})
	} else {
		prof, perr := ParseFile(report)
		if perr != nil {
			return nil, perr
		}
		prof.Name = "coverage json"
		r, err = FromProfiles(ctx, dir, []*Profile{prof}, ProfileOptions{Language: "python", Python: true})
	}
	if err != nil {
		return nil, err
	}
	if name := pythonProjectName(dir); name != "" {
		r.Project = name
	}
	r.Tests = tests
	r.Warnings = append(r.Warnings, warnings...)
	return r, nil
}

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
// (test_*.py, *_test.py), for naming test results by module.
func pythonTestModules(dir string) map[string]bool {
	mods := map[string]bool{}
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
			for i := range parts {
				mods[strings.Join(parts[i:], ".")] = true
			}
		}
		return nil
	})
	return mods
}

// splitTestName splits a dotted test class path ("tests.test_ops.TestOps")
// into the test module and the rest, using the known test modules.
func splitTestName(classname, name string, mods map[string]bool) (pkg, test string) {
	parts := strings.Split(classname, ".")
	for k := len(parts); k > 0; k-- {
		m := strings.Join(parts[:k], ".")
		if mods[m] {
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

func parseJUnit(r io.Reader, mods map[string]bool) ([]TestResult, error) {
	d := xml.NewDecoder(r)
	d.CharsetReader = charsetReader
	var out []TestResult
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
		if tc.Classname == "" {
			// A module pytest could not collect: <testcase classname=""
			// name="tests.test_broken"><error message="collection failure">.
			pkg, name = tc.Name, "(collection)"
		}
		t := TestResult{Package: pkg, Test: name, Outcome: "pass"}
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
func parseUnittest(out string, mods map[string]bool) []TestResult {
	var tests []TestResult
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
		index[pkg+"\x00"+test] = len(tests)
		tests = append(tests, TestResult{Package: pkg, Test: test, Outcome: outcome})
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
		if at, ok := index[pkg+"\x00"+test]; ok {
			tests[at].Output = strings.TrimSpace(strings.Join(lines[j:k], "\n"))
		} else if strings.HasPrefix(l, "ERROR: ") {
			// A module that failed to import is reported only here.
			tests = append(tests, TestResult{Package: pkg, Test: test, Outcome: "fail",
				Output: strings.TrimSpace(strings.Join(lines[j:k], "\n"))})
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
