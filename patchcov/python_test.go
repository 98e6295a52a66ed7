package patchcov

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/sprintkit/sprintkit/coverage"
	"github.com/sprintkit/sprintkit/coverage/importer"

	"github.com/sprintkit/sprintkit/internal/testkit"
)

// pythonWithCoverage returns a Python that has coverage.py, or "".
func pythonWithCoverage() string {
	for _, py := range []string{"python3", "/usr/bin/python3"} {
		cmd := exec.Command(py, "-m", "coverage", "--version")
		cmd.Dir = os.TempDir()
		if cmd.Run() == nil {
			return py
		}
	}
	return ""
}

// A Python change measured by real coverage.py: each measured line is a
// statement. The oracle reads coverage.py's own JSON (executed_lines,
// missing_lines) and `git diff -U0`.
func TestComputePython(t *testing.T) {
	if testing.Short() {
		t.Skip("runs coverage.py")
	}
	py := pythonWithCoverage()
	if py == "" {
		testkit.Missing(t, "needs python3 with coverage.py")
	}
	if _, err := exec.LookPath("git"); err != nil {
		testkit.Missing(t, "needs git")
	}
	dir := t.TempDir()
	write(t, dir, "calc.py", "def add(a, b):\n    s = a + b\n    return s\n")
	write(t, dir, "test_calc.py", "import unittest\nimport calc\n\n\nclass T(unittest.TestCase):\n    def test_add(self):\n        self.assertEqual(calc.add(1, 2), 3)\n")
	write(t, dir, ".gitignore", "__pycache__/\n.coverage\ncov.json\n")
	gitRun(t, dir, "init", "-q")
	gitRun(t, dir, "add", ".")
	gitRun(t, dir, "commit", "-q", "-m", "baseline")
	base := strings.TrimSpace(gitRun(t, dir, "rev-parse", "HEAD"))

	// A modified line in the covered add, a new function no test calls,
	// and an untracked module the tests import.
	write(t, dir, "calc.py", "import fresh\n\n\ndef add(a, b):\n    s = b + a\n    return s\n\n\ndef half(x):\n    h = x / 2\n    return h\n")
	write(t, dir, "fresh.py", "def one():\n    return 1\n")

	for _, args := range [][]string{{"-m", "coverage", "run", "-m", "unittest", "-q"}, {"-m", "coverage", "json", "-o", "cov.json"}} {
		cmd := exec.Command(py, args...)
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("%s %v: %v\n%s", py, args, err, out)
		}
	}
	r, err := importer.Import(context.Background(), dir, []string{filepath.Join(dir, "cov.json")})
	if err != nil {
		t.Fatal(err)
	}
	ch, err := Diff(context.Background(), dir, base, GitCLI)
	if err != nil {
		t.Fatal(err)
	}
	got := Compute(r, ch)

	// The oracle.
	added := map[string][]int{}
	var file string
	for _, l := range strings.Split(gitRun(t, dir, "diff", "-U0", base), "\n") {
		switch {
		case strings.HasPrefix(l, "+++ "):
			file = strings.TrimPrefix(l, "+++ b/")
		case strings.HasPrefix(l, "@@"):
			start, count, ok := strings.Cut(strings.Fields(l)[2][1:], ",")
			n, _ := strconv.Atoi(start)
			c := 1
			if ok {
				c, _ = strconv.Atoi(count)
			}
			for i := 0; i < c; i++ {
				added[file] = append(added[file], n+i)
			}
		}
	}
	for _, f := range strings.Fields(gitRun(t, dir, "ls-files", "--others", "--exclude-standard")) {
		data, _ := os.ReadFile(filepath.Join(dir, f))
		for i := range strings.Split(strings.TrimSuffix(string(data), "\n"), "\n") {
			added[f] = append(added[f], i+1)
		}
	}
	var doc struct {
		Files map[string]struct {
			Executed []int `json:"executed_lines"`
			Missing  []int `json:"missing_lines"`
		} `json:"files"`
	}
	data, err := os.ReadFile(filepath.Join(dir, "cov.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	wantStmts, wantCovered := map[string]int{}, map[string]int{}
	var wantMissed []string
	for f, lines := range added {
		cf, ok := doc.Files[f]
		if !ok {
			continue
		}
		for _, l := range lines {
			for _, e := range cf.Executed {
				if e == l {
					wantStmts[f]++
					wantCovered[f]++
				}
			}
			for _, m := range cf.Missing {
				if m == l {
					wantStmts[f]++
					wantMissed = append(wantMissed, f+":"+strconv.Itoa(l))
				}
			}
		}
	}
	sort.Strings(wantMissed)

	tests := []struct {
		name, file          string
		statements, covered int // the fixture's intent
	}{
		{"a modified line and a new import in a covered module count", "calc.py", 5, 3},
		{"an untracked module the tests import counts whole", "fresh.py", 2, 1},
		{"a test file is not measured", "test_calc.py", 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if wantStmts[tt.file] != tt.statements || wantCovered[tt.file] != tt.covered {
				t.Fatalf("oracle says %d/%d for %s, the fixture means %d/%d", wantCovered[tt.file], wantStmts[tt.file], tt.file, tt.covered, tt.statements)
			}
			var gs, gc int
			for _, f := range got.Files {
				if f.Path == tt.file {
					gs, gc = f.Statements, f.Covered
				}
			}
			if gs != tt.statements || gc != tt.covered {
				t.Errorf("%s: got %d/%d, oracle %d/%d", tt.file, gc, gs, tt.covered, tt.statements)
			}
		})
	}
	t.Run("the uncovered lines are coverage.py's missing lines among the added", func(t *testing.T) {
		var missed []string
		for _, f := range got.Files {
			for l := range f.States {
				if f.States[l] != coverage.LineCovered {
					missed = append(missed, f.Path+":"+strconv.Itoa(l))
				}
			}
		}
		sort.Strings(missed)
		if strings.Join(missed, " ") != strings.Join(wantMissed, " ") {
			t.Errorf("missed %v, oracle %v", missed, wantMissed)
		}
	})
}
