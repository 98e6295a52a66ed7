package gotest

import (
	"context"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/sprintkit/sprintkit/coverage"
	"github.com/sprintkit/sprintkit/internal/testkit"
)

// trimpathFiles has a test that checks its own file path (absolute
// without -trimpath, an import path with it), a test that always fails
// and names its file, a package under testdata/ that a test imports, and
// a package whose file sits behind a build tag.
var trimpathFiles = map[string]string{
	"go.mod":                "module example.com/tp\n\ngo 1.22\n",
	"testdata/proto/p.go":   "package proto\n\nfunc P() int { return 1 }\n",
	"render/r.go":           "package render\n\nimport \"example.com/tp/testdata/proto\"\n\nfunc R() int { return proto.P() }\n\nfunc Unused() int { return 2 }\n",
	"render/r_test.go":      "package render\n\nimport \"testing\"\n\nfunc TestR(t *testing.T) { R() }\n",
	"tagged/t.go":           "//go:build !nomsgpack\n\npackage tagged\n\nfunc T() int { return 1 }\n",
	"tagged/t_test.go":      "package tagged\n\nimport \"testing\"\n\nfunc TestT(t *testing.T) { T() }\n",
	"recovery/recovery.go":  "package recovery\n\nimport \"runtime\"\n\n// Where is the file of its caller, as a stack trace names it.\nfunc Where() string {\n\t_, file, _, _ := runtime.Caller(1)\n\treturn file\n}\n",
	"recovery/path_test.go": "package recovery\n\nimport (\n\t\"path/filepath\"\n\t\"testing\"\n)\n\nfunc TestOwnPathIsAbsolute(t *testing.T) {\n\tif f := Where(); !filepath.IsAbs(f) {\n\t\tt.Fatalf(\"the caller's file %q is not absolute\", f)\n\t}\n}\n\nfunc TestAlwaysFails(t *testing.T) {\n\tt.Errorf(\"fails in %s\", Where())\n}\n",
}

// TestABaselineWithTheImagesBuildCacheEqualsOneWithout runs the fixture as
// setup does from an image with a build cache (-trimpath -count=1) and
// without one, and compares: the same packages, figures and outcomes, and
// the failures plain go test reports.
func TestABaselineWithTheImagesBuildCacheEqualsOneWithout(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the go toolchain; go test without -short runs it")
	}
	testkit.NeedGo(t)
	root := t.TempDir()
	testkit.WriteTree(t, root, trimpathFiles)
	run := func(rerun bool, flags ...string) *coverage.Result {
		t.Helper()
		r, err := Run(context.Background(), Options{Dir: root, Env: goEnv, Flags: flags, Rerun: rerun})
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	cached, plain := run(true, "-trimpath", "-count=1"), run(true, "-count=1")
	figures := func(r *coverage.Result) map[string]coverage.Counts {
		m := map[string]coverage.Counts{"(total)": r.Total}
		for _, p := range r.Packages {
			m[p.Name] = p.Counts
		}
		return m
	}
	if a, b := figures(cached), figures(plain); !reflect.DeepEqual(a, b) {
		t.Errorf("figures with -trimpath\n%v\nwithout\n%v", a, b)
	}
	if cached.Package("example.com/tp/testdata/proto") == nil || cached.Package("example.com/tp/tagged") == nil {
		t.Errorf("the testdata and build-tagged packages are missing: %v", figures(cached))
	}
	outcomes := func(r *coverage.Result) []string {
		var out []string
		for _, tr := range r.Tests {
			out = append(out, tr.Package+" "+tr.Test+" "+tr.Outcome+" "+tr.Signature)
		}
		sort.Strings(out)
		return out
	}
	if a, b := outcomes(cached), outcomes(plain); !reflect.DeepEqual(a, b) {
		t.Errorf("outcomes with -trimpath\n%s\nwithout\n%s", strings.Join(a, "\n"), strings.Join(b, "\n"))
	}
	lists := goListTests(t, root)
	if got, want := topLevelFailures(cached), goFailingTests(t, root, lists); !reflect.DeepEqual(got, want) {
		t.Errorf("failing tests with -trimpath %v, plain go test says %v", got, want)
	}
	if f := failures(cached); !reflect.DeepEqual(f, []string{"example.com/tp/recovery TestAlwaysFails"}) {
		t.Errorf("failures %v, want TestAlwaysFails only", f)
	}
	// Without the re-run, -trimpath fails the test that checks its path:
	// the difference the re-run removes.
	if f := failures(run(false, "-trimpath", "-count=1")); len(f) != 2 {
		t.Errorf("without the re-run, failures under -trimpath %v, want the path test too", f)
	}
}
