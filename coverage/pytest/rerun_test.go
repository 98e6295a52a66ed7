package pytest

import (
	"context"
	"os"
	"os/exec"
	"reflect"
	"strings"
	"testing"

	"github.com/sprintkit/sprintkit/coverage"
	"github.com/sprintkit/sprintkit/internal/testkit"
)

func TestNodeID(t *testing.T) {
	mods := map[string]string{"tests.test_ops": "tests/test_ops.py"}
	for _, c := range []struct{ name, pkg, test, want string }{
		{"a function", "tests.test_ops", "test_add", "tests/test_ops.py::test_add"},
		{"a method of a class", "tests.test_ops", "TestOps.test_div", "tests/test_ops.py::TestOps::test_div"},
		{"parameters are kept, dots and all", "tests.test_ops", "test_half[1.5-0.75]", "tests/test_ops.py::test_half[1.5-0.75]"},
		{"an unknown module has none", "other", "test_x", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := nodeID(coverage.TestResult{Package: c.pkg, Test: c.test}, mods); got != c.want {
				t.Errorf("nodeID = %q, want %q", got, c.want)
			}
		})
	}
}

// flakyPythonFiles has a test that fails on its first run and passes on
// the next (a marker file named by the fixture's own environment variable),
// one in a class that does the same, and a test that always fails.
var flakyPythonFiles = map[string]string{
	"calc/__init__.py":  "def half(n):\n    return n / 2\n",
	"tests/__init__.py": "",
	"tests/test_flaky.py": `import os
from calc import half


def first_run(name):
    m = os.path.join(os.environ["SPRINTKIT_FLAKY_MARKERS"], name)
    if os.path.exists(m):
        return False
    open(m, "w").close()
    return True


def test_flaky():
    assert not first_run("flaky"), "fails on the first run only"


class TestHalf:
    def test_flaky_method(self):
        assert not first_run("method")
        assert half(4) == 2


def test_always_fails():
    assert half(4) == 3


def test_passes():
    assert half(2) == 1
`,
}

func TestRunPythonRerunsFailuresToTellFlakyOnes(t *testing.T) {
	if testing.Short() {
		t.Skip("runs pytest several times; go test without -short runs it")
	}
	env := needPython(t)
	dir := t.TempDir()
	testkit.WriteTree(t, dir, flakyPythonFiles)
	markers := t.TempDir()
	t.Setenv("SPRINTKIT_FLAKY_MARKERS", markers)
	r, err := Run(context.Background(), Options{Dir: dir, Env: env})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, tr := range r.Tests {
		got[tr.Test] = tr.Outcome
	}
	want := map[string]string{"test_flaky": "flaky", "TestHalf.test_flaky_method": "flaky", "test_always_fails": "fail", "test_passes": "pass"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("outcomes %v, want %v", got, want)
	}
	// Plain pytest on the same tree: the first run fails the flaky tests,
	// the next passes them; test_always_fails fails both.
	os.RemoveAll(markers)
	os.Mkdir(markers, 0o755)
	for n, want := range []string{"3 failed, 1 passed", "1 failed, 3 passed"} {
		cmd := exec.Command(env.Python, "-m", "pytest", "-q", "-p", "no:cacheprovider")
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "PYTHONDONTWRITEBYTECODE=1")
		out, _ := cmd.CombinedOutput()
		if !strings.Contains(string(out), want) {
			t.Errorf("plain pytest run %d lacks %q:\n%s", n+1, want, out)
		}
	}
}
