package pytest

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"testing"

	"github.com/sprintkit/sprintkit/coverage"
	"github.com/sprintkit/sprintkit/report"
)

// Shards of the fixture's tests, each a pytest run of its files under
// coverage.py with branch coverage, merge into what one run measures:
// the same coverage.json (apart from when it was made), lines and branches,
// the broken test module's failure and the file it leaves not run, and the
// tests in one run's order.
func TestMergeShardsEqualsOneRun(t *testing.T) {
	if testing.Short() {
		t.Skip("runs python; go test without -short runs it")
	}
	env := needPython(t)
	dir := pythonFixture(t)
	writeFiles(t, dir, map[string]string{
		".coveragerc":            "[run]\nbranch = True\n",
		"tests/test_untested.py": "from calc import untested\n\n\ndef test_greet():\n    assert untested.greet('x') == 'hello, x'\n",
		"tests/sub/test_div.py":  "from calc import ops\n\n\ndef test_div_zero():\n    try:\n        ops.div(1, 0)\n    except ZeroDivisionError:\n        pass\n",
		"tests/test_broken.py":   "import nonexistent_module_for_sprintkit\nfrom calc import untested\n\n\ndef test_x():\n    pass\n",
		"calc/ops_test.py":       "from calc.ops import parse\n\n\ndef test_parse():\n    assert parse('7') == 7\n",
	})
	ctx := context.Background()
	one, err := Run(ctx, Options{Dir: dir, Env: env})
	if err != nil {
		t.Fatal(err)
	}
	want := resultJSON(t, one)
	files, err := TestFiles(dir, env.PytestVersion)
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 5 {
		t.Fatalf("test files = %q, want 5", files)
	}
	for _, n := range []int{1, 2, 3} {
		t.Run(string(rune('0'+n))+" shards", func(t *testing.T) {
			var reports []string
			var tests []coverage.TestResult
			for i := range n {
				var mine, others []string
				for k, f := range files {
					if k%n == i {
						mine = append(mine, f)
					} else {
						others = append(others, f)
					}
				}
				var buf bytes.Buffer
				r, err := Run(ctx, Options{Dir: dir, Env: env, Report: &buf,
					Shard: &ShardFiles{Run: mine, Others: others, Unplanned: i == 0}})
				if err != nil {
					t.Fatal(err)
				}
				name := filepath.Join(t.TempDir(), "shard.out")
				if err := os.WriteFile(name, buf.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
				if n > 1 && len(r.Tests) >= len(one.Tests) {
					t.Errorf("shard %d ran %d tests, as many as the whole suite", i+1, len(r.Tests))
				}
				reports = append(reports, name)
				tests = append(tests, r.Tests...)
			}
			merged, err := MergeShards(ctx, dir, reports, tests, env.PytestVersion)
			if err != nil {
				t.Fatal(err)
			}
			merged.Generated = one.Generated
			if got := resultJSON(t, merged); got != want {
				t.Errorf("merged shards:\n%s\none run:\n%s", got, want)
			}
			if merged.Branch == nil || merged.Branch.Branches == 0 {
				t.Errorf("no branches merged: %+v", merged.Branch)
			}
		})
	}
}

func resultJSON(t *testing.T, r *coverage.Result) string {
	t.Helper()
	c := *r
	c.Tests = slices.Clone(r.Tests)
	for i := range c.Tests {
		c.Tests[i].Seconds = 0
	}
	var b bytes.Buffer
	if err := report.JSON(&b, &c, coverage.Rank(&c, coverage.RankOptions{By: "file"})); err != nil {
		t.Fatal(err)
	}
	return b.String() + "\n" + testsOf(c.Tests)
}

func testsOf(ts []coverage.TestResult) string {
	var b bytes.Buffer
	for _, t := range ts {
		b.WriteString(t.Package + " " + t.Test + " " + t.Outcome + "\n")
	}
	return b.String()
}

// pytest collects a directory's files before its subdirectories up to
// version 7, and both by name from version 8.
func TestTestFilesInCollectionOrder(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"tests/test_a.py": "", "tests/b/test_b.py": "", "tests/test_c.py": "", "tests/b_test.py": "",
		"tests/helpers.py": "", ".venv/lib/test_no.py": "", "env/pyvenv.cfg": "", "env/test_no.py": "",
		"build/test_no.py": "", "node_modules/x/test_no.py": "",
	})
	for _, tc := range []struct {
		pytest string
		want   []string
	}{
		{"7.2.1", []string{"tests/b_test.py", "tests/test_a.py", "tests/test_c.py", "tests/b/test_b.py"}},
		{"8.1.1", []string{"tests/b/test_b.py", "tests/b_test.py", "tests/test_a.py", "tests/test_c.py"}},
	} {
		got, err := TestFiles(dir, tc.pytest)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("pytest %s: %q, want %q", tc.pytest, got, tc.want)
		}
	}
}
