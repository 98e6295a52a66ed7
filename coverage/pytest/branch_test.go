package pytest

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/sprintkit/sprintkit/coverage"
	"github.com/sprintkit/sprintkit/report"
)

// branchReportRe reads coverage report's TOTAL line with branches:
// statements, missed, branches, partial branches, percent.
var branchReportRe = regexp.MustCompile(`(?m)^TOTAL\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+([\d.]+)%`)

// inikitFixture copies testdata/inikit, a src-layout package of four modules
// with its tests: every statement runs, 2 of its 32 branches never do.
func inikitFixture(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "inikit")
	if err := os.CopyFS(dir, os.DirFS(filepath.Join("testdata", "inikit"))); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestRunPythonAtFullStatementsHasBranchTargets(t *testing.T) {
	if testing.Short() {
		t.Skip("runs python; go test without -short runs it")
	}
	env := needPython(t)
	dir := inikitFixture(t)
	r, err := Run(context.Background(), Options{Dir: dir, Env: env})
	if err != nil {
		t.Fatal(err)
	}
	// coverage report, run by hand the way a maintainer would, with branches.
	data := filepath.Join(t.TempDir(), ".coverage")
	coverageCmd(t, env, dir, data, "run", "--branch", "--source=src", "-m", "pytest", "-q", "-p", "no:cacheprovider")
	out := coverageCmd(t, env, dir, data, "report", "--precision=1")
	m := branchReportRe.FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no TOTAL line with branches in coverage report:\n%s", out)
	}
	stmts, _ := strconv.Atoi(m[1])
	branches, _ := strconv.Atoi(m[3])
	partial, _ := strconv.Atoi(m[4])

	t.Run("every statement runs, as coverage report says", func(t *testing.T) {
		if r.Total.Statements != stmts || r.Total.Uncovered() != 0 || m[2] != "0" {
			t.Errorf("total %+v; coverage report: %s statements, %s missed", r.Total, m[1], m[2])
		}
	})
	t.Run("the branches are coverage report's though the project does not ask for them", func(t *testing.T) {
		b := r.BranchTotals()
		if b == nil || b.Total != branches || b.Missed() != partial || b.Missed() == 0 {
			t.Errorf("branch totals %+v; coverage report: %d branches, %d partial", b, branches, partial)
		}
		if r.Branch != nil {
			t.Errorf("the project does not ask for branches, yet the figure is branch-inclusive: %+v", *r.Branch)
		}
	})
	targets := coverage.Rank(r, coverage.RankOptions{})
	t.Run("the targets are the files with branches never taken", func(t *testing.T) {
		var names []string
		for _, tg := range targets {
			names = append(names, tg.Name)
			if tg.Uncovered != 0 || tg.MissedBranches != 1 || tg.FirstTest == nil {
				t.Errorf("%s: uncovered %d, missed branches %d, first test %v", tg.Name, tg.Uncovered, tg.MissedBranches, tg.FirstTest)
				continue
			}
			if !strings.Contains(tg.Reason, "every statement runs; 1 of its 8 branches never taken") {
				t.Errorf("%s: reason %q", tg.Name, tg.Reason)
			}
		}
		if got := strings.Join(names, " "); got != "src/inikit/values.py src/inikit/writer.py" &&
			got != "src/inikit/writer.py src/inikit/values.py" {
			t.Fatalf("targets = %q", got)
		}
		for _, tg := range targets {
			want := map[string]string{
				"src/inikit/values.py": "as_list: line 20: the branch to line 18 never runs",
				"src/inikit/writer.py": "dump: line 11: the branch to line 13 never runs",
			}[tg.Name]
			if got := tg.FirstTest.Name + ": " + tg.FirstTest.Why; !strings.HasPrefix(got, want) {
				t.Errorf("%s: first test %q, want it to start %q", tg.Name, got, want)
			}
		}
	})
	t.Run("the summary says the targets are branches", func(t *testing.T) {
		want := "every statement runs; 2 of 32 branches never taken — targets are branches"
		if got := coverage.BranchNote(r); got != want {
			t.Errorf("note = %q, want %q", got, want)
		}
	})
	t.Run("the JSON report has each file's branches", func(t *testing.T) {
		var buf bytes.Buffer
		if err := report.JSON(&buf, r, targets); err != nil {
			t.Fatal(err)
		}
		var doc struct {
			Packages []struct {
				Files []struct {
					Path     string
					Branches *struct{ Total, Taken int }
					Missed   []struct{ Line, Missed, Of int } `json:"missed_branches"`
				}
			}
			Targets []struct {
				MissedBranches int `json:"missed_branches"`
			}
		}
		if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
			t.Fatal(err)
		}
		found := false
		for _, p := range doc.Packages {
			for _, f := range p.Files {
				if strings.HasSuffix(f.Path, "values.py") {
					found = true
					if f.Branches == nil || f.Branches.Total != 8 || f.Branches.Taken != 7 ||
						len(f.Missed) != 1 || f.Missed[0].Line != 20 || f.Missed[0].Of != 2 {
						t.Errorf("values.py: branches %+v, missed %+v", f.Branches, f.Missed)
					}
				}
			}
		}
		if !found || len(doc.Targets) != 2 || doc.Targets[0].MissedBranches != 1 {
			t.Errorf("values.py in the JSON: %v; targets %+v", found, doc.Targets)
		}
	})
}

func TestRunPythonRespectsTheProjectsBranchSetting(t *testing.T) {
	if testing.Short() {
		t.Skip("runs python; go test without -short runs it")
	}
	env := needPython(t)
	dir := inikitFixture(t)
	writeFiles(t, dir, map[string]string{".coveragerc": "[run]\nbranch = False\n"})
	r, err := Run(context.Background(), Options{Dir: dir, Env: env})
	if err != nil {
		t.Fatal(err)
	}
	if b := r.BranchTotals(); b != nil || r.Branch != nil {
		t.Errorf("branch = False in .coveragerc, yet branches were measured: %+v", b)
	}
	if ts := coverage.Rank(r, coverage.RankOptions{}); len(ts) != 0 {
		t.Errorf("targets without branch data at 100%% of statements: %+v", ts)
	}
}
