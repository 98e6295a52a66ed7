package pytest

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/sprintkit/sprintkit/coverage"
	"github.com/sprintkit/sprintkit/coverage/importer"
)

// ShardFiles limits a pytest run to one CI shard's test files. pytest
// collects as in a whole run (the same root directory, testpaths and
// conftest.py files) but skips the test modules of the other shards.
type ShardFiles struct {
	// Run are the shard's test files, Others every other shard's:
	// slash-separated, relative to the project directory.
	Run, Others []string
	// Unplanned lets pytest collect the test modules in neither list (those
	// a python_files setting of the project names besides test_*.py and
	// *_test.py); set for exactly one shard of a run, so that they run once.
	Unplanned bool
}

// The pytest plugin that skips the other shards' test modules; the plan is
// the JSON file named by $SPRINTKIT_SHARD. Paths are compared after
// resolving symbolic links, as pytest's own are.
const pyShardPlugin = `import fnmatch, json, os
with open(os.environ["SPRINTKIT_SHARD"], encoding="utf-8") as _f:
    _plan = json.load(_f)
_root = os.path.realpath(_plan["root"])
_run = set(_plan["run"])
_others = set(_plan["others"])
def pytest_ignore_collect(collection_path, config):
    p = str(collection_path)
    if not p.endswith(".py"):
        return None
    rel = os.path.relpath(os.path.realpath(p), _root).replace(os.sep, "/")
    if rel in _run:
        return None
    if rel in _others:
        return True
    if not _plan["unplanned"] and any(fnmatch.fnmatch(collection_path.name, pat) for pat in config.getini("python_files")):
        return True
    return None
`

// write puts the plugin and the plan into tmp and returns the plan's path.
func (s *ShardFiles) write(dir, tmp string) (string, error) {
	if err := os.WriteFile(filepath.Join(tmp, "sprintkit_shard.py"), []byte(pyShardPlugin), 0o644); err != nil {
		return "", err
	}
	plan := struct {
		Root      string   `json:"root"`
		Run       []string `json:"run"`
		Others    []string `json:"others"`
		Unplanned bool     `json:"unplanned"`
	}{dir, nonNil(s.Run), nonNil(s.Others), s.Unplanned}
	b, err := json.Marshal(plan)
	if err != nil {
		return "", err
	}
	name := filepath.Join(tmp, "shard.json")
	return name, os.WriteFile(name, b, 0o644)
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// pytestSkipDirs are pytest's default norecursedirs, with the directories
// pythonTestModules leaves out.
var pytestSkipDirs = []string{"*.egg", ".*", "_darcs", "build", "CVS", "dist", "node_modules", "venv", "{arch}", "__pycache__", "site-packages"}

// TestFiles returns the test files of the Python project in dir as pytest
// finds them by its default python_files, test_*.py and *_test.py, outside
// its default norecursedirs: slash-separated, relative to dir, in the order
// pytest collects them. That order is its version's: pytest 8 and later
// walk a directory's files and subdirectories together by name, earlier
// versions its files first (pytest is "pytest 8.1.1" or a version).
func TestFiles(dir, pytest string) ([]string, error) {
	interleave := pytestMajor(pytest) >= 8
	var out []string
	var walk func(rel string) error
	walk = func(rel string) error {
		entries, err := os.ReadDir(filepath.Join(dir, filepath.FromSlash(rel)))
		if err != nil {
			return fmt.Errorf("list test files: %w", err)
		}
		var subdirs []string
		for _, e := range entries { // sorted by name, as pytest's scandir
			name := e.Name()
			p := path.Join(rel, name)
			if e.IsDir() || e.Type()&fs.ModeSymlink != 0 && isDir(filepath.Join(dir, filepath.FromSlash(p))) {
				if skipDir(name) || isVenv(filepath.Join(dir, filepath.FromSlash(p))) {
					continue
				}
				if interleave {
					if err := walk(p); err != nil {
						return err
					}
				} else {
					subdirs = append(subdirs, p)
				}
				continue
			}
			if isTestModule(name) {
				out = append(out, p)
			}
		}
		for _, s := range subdirs {
			if err := walk(s); err != nil {
				return err
			}
		}
		return nil
	}
	if err := walk("."); err != nil {
		return nil, err
	}
	for i, f := range out {
		out[i] = strings.TrimPrefix(f, "./")
	}
	return out, nil
}

// pytestMajor is the major version of "8.1.1" or "pytest 8.1.1"; a version
// it cannot read counts as the newest.
func pytestMajor(v string) int {
	major, _, _ := strings.Cut(strings.TrimPrefix(v, "pytest "), ".")
	if n, err := strconv.Atoi(major); err == nil {
		return n
	}
	return 1 << 30
}

func isTestModule(name string) bool {
	return strings.HasSuffix(name, ".py") && (strings.HasPrefix(name, "test_") || strings.HasSuffix(name, "_test.py"))
}

func skipDir(name string) bool {
	for _, pat := range pytestSkipDirs {
		if ok, _ := path.Match(pat, name); ok {
			return true
		}
	}
	return false
}

// isVenv reports a virtual environment, which pytest does not collect.
func isVenv(dir string) bool {
	return isRegular(filepath.Join(dir, "pyvenv.cfg"))
}

func isDir(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.IsDir()
}

// FileSeconds sums the durations of tests (a baseline's) by the test file
// of the project in dir that holds them: the weights of a shard plan.
func FileSeconds(dir string, tests []coverage.TestResult) map[string]float64 {
	mods := pythonTestModules(dir)
	m := map[string]float64{}
	for _, t := range tests {
		if f, ok := mods[t.Package]; ok {
			m[f] += t.Seconds
		}
	}
	return m
}

// MergeShards is Run's result for the shards of one pytest run of the
// project in dir: reports are the shards' coverage.py JSON reports
// (Options.Report), tests the shards' outcomes. The coverage is merged as
// one run measures it (importer.MergeCoveragePyJSON); the tests are put in
// the order one run reports them (collection errors first, then by test
// file in collection order, TestFiles with pytest's version); the code of
// a test module that failed to import is marked not run, and a merge in
// which no test ran is Run's error.
func MergeShards(ctx context.Context, dir string, reports []string, tests []coverage.TestResult, pytest string) (*coverage.Result, error) {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	prof, err := importer.MergeCoveragePyJSON("coverage json", reports)
	if err != nil {
		return nil, err
	}
	var profs []*importer.Profile
	if len(prof.Files) > 0 {
		profs = append(profs, prof)
	}
	r, err := importer.Resolve(ctx, dir, profs, importer.ProfileOptions{Language: "python"})
	if err != nil {
		return nil, err
	}
	if name := pythonProjectName(dir); name != "" {
		r.Project = name
	}
	testMods := pythonTestModules(dir)
	files, err := TestFiles(dir, pytest)
	if err != nil {
		return nil, err
	}
	at := map[string]int{}
	for i, f := range files {
		at[f] = i
	}
	key := func(t coverage.TestResult) (int, int) {
		first := 1
		if t.Test == collectionTest {
			first = 0
		}
		i, ok := at[testMods[t.Package]]
		if !ok {
			i = len(files)
		}
		return first, i
	}
	tests = slices.Clone(tests)
	slices.SortStableFunc(tests, func(a, b coverage.TestResult) int {
		a1, a2 := key(a)
		b1, b2 := key(b)
		return cmp.Or(cmp.Compare(a1, b1), cmp.Compare(a2, b2))
	})
	r.Tests = tests
	broken := markNotRun(dir, r, testMods)
	if err := emptyRun("python3", r, broken, len(tests) == 0, false); err != nil {
		return nil, err
	}
	brandFigure(r, dir)
	return r, nil
}

// copyFile copies the file src to w.
func copyFile(w io.Writer, src string) error {
	f, err := os.Open(src)
	if err != nil {
		return err
	}
	defer f.Close()
	_, err = io.Copy(w, f)
	return err
}
