package pertest

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/sprintkit/sprintkit/internal/proc"
)

// Python per-test coverage
//
// coverage.py records which test ran each line with its dynamic contexts
// (coverage.py 5.0 or later): an rc file written under the cache
// directory, never the project's own configuration, says
//
//	[run]
//	source = DIR
//	dynamic_context = test_function
//
// and one run of the whole suite, `coverage run --rcfile=RC -m pytest`,
// labels every line with the tests that ran it ("test_cart.TestMore.test_add",
// module-qualified). `coverage json --show-contexts` reads them back. Lines
// run outside any test (imports) have the empty context and are left out.
// The whole project is one entry of the cache, keyed by its .py files.

// PythonOptions says how to run a Python project's tests.
type PythonOptions struct {
	Options
	// Coverage is the argv prefix that runs coverage.py ([python3 -m
	// coverage]); CoverageVersion its version, "6.5.0".
	Coverage        []string
	CoverageVersion string
}

// pythonKey is the cache path of a Python project.
const pythonKey = "(python)"

// Python measures the per-test coverage of the Python project in dir and
// returns it under each of the packages named (every package's name maps
// to the one measurement). Like Go, what it skips it says on w; only a
// cancelled ctx is an error.
func Python(ctx context.Context, dir string, packages []string, o PythonOptions, w io.Writer) (*Map, error) {
	m := NewMap()
	if len(o.Coverage) == 0 {
		return m, nil
	}
	if major, _ := strconv.Atoi(strings.SplitN(o.CoverageVersion, ".", 2)[0]); major < 5 {
		fmt.Fprintf(w, "per-test coverage: coverage.py %s has no dynamic contexts (5.0 or later has)\n", o.CoverageVersion)
		return m, nil
	}
	key, err := pythonContentKey(dir, o.CoverageVersion)
	if err != nil {
		fmt.Fprintf(w, "per-test coverage: %v\n", err)
		return m, nil
	}
	p := readCache(o.CacheDir, pythonKey, key)
	if p != nil {
		m.Cached++
	} else if o.CacheOnly {
		return m, nil
	} else {
		p = &Package{Path: pythonKey, Key: key}
		complete, err := runPython(ctx, dir, o, p)
		m.Ran++
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		if err != nil {
			p.Why = err.Error()
			fmt.Fprintf(w, "per-test coverage: %v\n", err)
		}
		if complete {
			if err := writeCache(o.CacheDir, p); err != nil {
				fmt.Fprintf(w, "%v\n", err)
			}
		}
	}
	for _, name := range packages {
		m.Packages[name] = p
	}
	return m, nil
}

// skipDir reports whether a directory of a Python project holds none of
// its own code.
func skipDir(name string) bool {
	return name == ".git" || name == ".sprintkit" || name == ".venv" || name == "venv" || name == "node_modules" ||
		name == "__pycache__" || strings.HasSuffix(name, ".egg-info") || name == ".tox" || name == ".nox"
}

// pyFiles are the .py files of the project, relative to dir, sorted.
func pyFiles(dir string) ([]string, error) {
	var out []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && p != dir && skipDir(d.Name()) {
			return filepath.SkipDir
		}
		if !d.IsDir() && strings.HasSuffix(p, ".py") {
			rel, _ := filepath.Rel(dir, p)
			out = append(out, filepath.ToSlash(rel))
		}
		return nil
	})
	sort.Strings(out)
	return out, err
}

func pythonContentKey(dir, version string) (string, error) {
	files, err := pyFiles(dir)
	if err != nil {
		return "", fmt.Errorf("per-test coverage key: %w", err)
	}
	// contentKey hashes one directory's files; here every .py file of the
	// tree is named by its relative path.
	var extra []string
	for _, f := range files {
		extra = append(extra, filepath.Join(dir, filepath.FromSlash(f)))
	}
	for _, cfg := range []string{"pyproject.toml", "setup.cfg", "pytest.ini", "tox.ini"} {
		extra = append(extra, filepath.Join(dir, cfg))
	}
	return contentKey(dir, func(string) bool { return false }, extra, "coverage.py "+version+" "+strings.Join(files, ","))
}

// runPython runs the suite once with contexts and fills p; complete says
// whether p may be cached.
func runPython(ctx context.Context, dir string, o PythonOptions, p *Package) (complete bool, err error) {
	tmp, err := os.MkdirTemp("", "sprintkit-pertest-py-")
	if err != nil {
		return false, fmt.Errorf("per-test coverage: %w", err)
	}
	defer os.RemoveAll(tmp)
	rc := filepath.Join(tmp, "coveragerc")
	if o.CacheDir != "" {
		if err := os.MkdirAll(o.CacheDir, 0o755); err == nil {
			rc = filepath.Join(o.CacheDir, "coveragerc")
		}
	}
	rcText := fmt.Sprintf("# written by sprintkit for per-test coverage; the project's own configuration is not read\n[run]\nsource = %s\ndynamic_context = test_function\nomit =\n    %s\n    %s\n",
		dir, filepath.Join(dir, ".venv", "*"), filepath.Join(dir, ".sprintkit", "*"))
	if err := os.WriteFile(rc, []byte(rcText), 0o644); err != nil {
		return false, fmt.Errorf("per-test coverage: %w", err)
	}
	budget := o.Budget
	if budget <= 0 {
		budget = DefaultBudget
	}
	rctx, cancel := context.WithTimeout(ctx, budget)
	defer cancel()
	env := append(append([]string{}, o.environ()...), "COVERAGE_FILE="+filepath.Join(tmp, ".coverage"), "PYTHONDONTWRITEBYTECODE=1")
	run := proc.Command(rctx, o.Coverage[0], append(append([]string{}, o.Coverage[1:]...), "run", "--rcfile="+rc, "-m", "pytest", "-q", "-p", "no:cacheprovider")...)
	run.Dir, run.Env = dir, env
	out, _ := run.CombinedOutput() // failing tests still leave their contexts
	if rctx.Err() != nil {
		if ctx.Err() != nil {
			return false, ctx.Err()
		}
		return false, fmt.Errorf("the test suite took longer than the budget of %s", budget)
	}
	report := filepath.Join(tmp, "contexts.json")
	js := proc.Command(ctx, o.Coverage[0], append(append([]string{}, o.Coverage[1:]...), "json", "--rcfile="+rc, "--show-contexts", "-o", report)...)
	js.Dir, js.Env = dir, env
	if jout, err := js.CombinedOutput(); err != nil {
		return true, fmt.Errorf("coverage json --show-contexts: %s (the run said: %s)", firstLine(jout, err), firstLine(out, err))
	}
	f, err := os.Open(report)
	if err != nil {
		return true, fmt.Errorf("per-test coverage: %w", err)
	}
	defer f.Close()
	return true, readContexts(f, dir, p)
}

// readContexts reads coverage.py's JSON report with contexts into p.
func readContexts(r io.Reader, dir string, p *Package) error {
	var doc struct {
		Files map[string]struct {
			Contexts map[string][]string `json:"contexts"`
		} `json:"files"`
	}
	if err := json.NewDecoder(r).Decode(&doc); err != nil {
		return fmt.Errorf("coverage json --show-contexts: %w", err)
	}
	byTest := map[string]*Test{}
	for file, fd := range doc.Files {
		rel := file
		if filepath.IsAbs(file) {
			if r, err := filepath.Rel(dir, file); err == nil && !strings.HasPrefix(r, "..") {
				rel = r
			}
		}
		rel = filepath.ToSlash(rel)
		for ls, ctxs := range fd.Contexts {
			line, err := strconv.Atoi(ls)
			if err != nil || line <= 0 {
				continue
			}
			for _, c := range ctxs {
				c, _, _ = strings.Cut(c, "|") // pytest-cov's "|run"
				if c == "" {
					continue
				}
				t := byTest[c]
				if t == nil {
					t = &Test{Name: c, Lines: map[string][]int{}}
					byTest[c] = t
				}
				t.Lines[rel] = append(t.Lines[rel], line)
			}
		}
	}
	files, _ := pyFiles(dir)
	for _, t := range byTest {
		for f := range t.Lines {
			sort.Ints(t.Lines[f])
		}
		t.File, t.Line = pyTestDecl(dir, files, t.Name)
		p.Tests = append(p.Tests, *t)
	}
	sort.Slice(p.Tests, func(i, j int) bool { return p.Tests[i].Name < p.Tests[j].Name })
	return nil
}

// pyTestDecl finds the file and line of a test named by its context,
// "test_cart.TestMore.test_add": the longest dotted prefix that names a
// file of the project (test_cart.py, tests/test_cart.py), and the line of
// the last part's def in it.
func pyTestDecl(dir string, files []string, name string) (string, int) {
	parts := strings.Split(name, ".")
	for k := len(parts) - 1; k >= 1; k-- {
		mod := strings.Join(parts[:k], "/") + ".py"
		for _, f := range files {
			if f == mod || strings.HasSuffix(f, "/"+mod) {
				return f, defLine(filepath.Join(dir, filepath.FromSlash(f)), parts[len(parts)-1])
			}
		}
	}
	return "", 0
}

func defLine(path, fn string) int {
	f, err := os.Open(path)
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		l := strings.TrimSpace(sc.Text())
		if strings.HasPrefix(l, "def "+fn+"(") || strings.HasPrefix(l, "async def "+fn+"(") {
			return n
		}
	}
	return 0
}
