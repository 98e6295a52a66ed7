package gotest

import (
	"context"
	"math"
	"strings"
	"testing"

	"golang.org/x/tools/txtar"

	"github.com/sprintkit/sprintkit/coverage"
	"github.com/sprintkit/sprintkit/internal/testkit"
)

// writeTxtar writes the files of a txtar archive under root.
func writeTxtar(t *testing.T, archive, root string) {
	t.Helper()
	a, err := txtar.ParseFile(archive)
	if err != nil {
		t.Fatal(err)
	}
	files := map[string]string{}
	for _, f := range a.Files {
		files[f.Name] = string(f.Data)
	}
	testkit.WriteTree(t, root, files)
}

// TestRankWeighsByEvidence runs the tests of a library module (see
// testdata/rank/evidence.txtar) and checks the targets a maintainer would
// pick: library code first, test support and entry points weighted down,
// and first tests with real logic before getters.
func TestRankWeighsByEvidence(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the go toolchain; go test without -short runs it")
	}
	testkit.NeedGo(t)
	root := t.TempDir()
	writeTxtar(t, "testdata/rank/evidence.txtar", root)
	r, err := Run(context.Background(), Options{Dir: root, Env: goEnv})
	if err != nil {
		t.Fatal(err)
	}
	views := map[string][]coverage.Target{}
	for _, by := range []string{"package", "file", "function"} {
		views[by] = coverage.Rank(r, coverage.RankOptions{By: by})
	}
	byName := func(by, name string) coverage.Target {
		t.Helper()
		for _, tg := range views[by] {
			if tg.Name == name {
				return tg
			}
		}
		t.Fatalf("no %s target %s", by, name)
		return coverage.Target{}
	}
	names := func(ts []coverage.Target) string {
		var out []string
		for _, tg := range ts {
			out = append(out, strings.TrimPrefix(tg.Name, "example.com/lib/"))
		}
		return strings.Join(out, " ")
	}

	// Library code first; the command at 0.6; the fixtures, the harness
	// package and the internal helper below, whatever their size.
	if got, want := names(views["package"]), "example.com/lib options cmd/libtool internal/fixtures fuzz internal/golden"; got != want {
		t.Errorf("package order:\n got  %s\n want %s", got, want)
	}

	entry := map[string]bool{"main": true, "init": true, "Fuzz": true, "FuzzSplit": true}
	tests := []struct {
		name  string
		check func(t *testing.T)
	}{
		{"a public package only the module's tests import stays library code with weight 1", func(t *testing.T) {
			if p := r.Package("example.com/lib/options"); p.TestSupport {
				t.Errorf("options is test support: %s", p.SupportReason)
			}
			tg := byName("package", "example.com/lib/options")
			// weight × size × spread × Σ effort, with weight 1: Validate's 7
			// statements are the uncovered ones, Default's 1 is covered.
			want := math.Round(1*0.7*(0.5+0.5*7.0/8)*7*10) / 10
			if tg.Score != want || strings.Contains(tg.Reason, "weighted down") {
				t.Errorf("options: score %v, reason %q; want %v, not weighted down", tg.Score, tg.Reason, want)
			}
		}},
		{"an internal package of test fixture types is test support because its name says so", func(t *testing.T) {
			tg := byName("package", "example.com/lib/internal/fixtures")
			if !strings.Contains(tg.Reason, "test-support code (name says test fixtures), weighted down") {
				t.Errorf("fixtures reason = %q", tg.Reason)
			}
		}},
		{"an internal package only tests import is test support and says why", func(t *testing.T) {
			tg := byName("file", "internal/golden/golden.go")
			if !strings.Contains(tg.Reason, "test-support code (internal package only tests import), weighted down") {
				t.Errorf("golden reason = %q", tg.Reason)
			}
		}},
		{"the first test is the small function with branches, and the String method and the getter come last", func(t *testing.T) {
			tg := byName("package", "example.com/lib")
			var got []string
			for _, f := range tg.Functions {
				got = append(got, f.Name)
			}
			if strings.Join(got, " ") != "Split Describe Token.String Token.Len" {
				t.Errorf("first tests = %v", got)
			}
			if !strings.Contains(tg.Reason, "first test: Split, 7 statements, 2 branches") {
				t.Errorf("reason = %q", tg.Reason)
			}
		}},
		{"main, init and fuzz harnesses are never offered as first tests in any view", func(t *testing.T) {
			for by, ts := range views {
				for _, tg := range ts {
					for _, f := range tg.Functions {
						if entry[f.Name] {
							t.Errorf("--by %s: %s offers %s as a first test", by, tg.Name, f.Name)
						}
					}
				}
			}
			if tg := byName("package", "example.com/lib/fuzz"); !strings.Contains(tg.Reason, "only entry points are untested (Fuzz): weighted down, no first test") {
				t.Errorf("fuzz package reason = %q", tg.Reason)
			}
		}},
		{"in the function view main, init and fuzz harnesses rank below the library functions and say why", func(t *testing.T) {
			var lastLib int
			for _, name := range []string{"lib.Split", "options.Options.Validate", "lib.Describe", "libtool.readInput"} {
				lastLib = max(lastLib, byName("function", name).Rank)
			}
			for _, name := range []string{"libtool.main", "libtool.init", "fuzz.Fuzz", "lib.FuzzSplit"} {
				tg := byName("function", name)
				if tg.Rank < lastLib || !strings.Contains(tg.Reason, "weighted down") {
					t.Errorf("%s ranks %d (library functions up to %d): %s", name, tg.Rank, lastLib, tg.Reason)
				}
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, tt.check)
	}
}
