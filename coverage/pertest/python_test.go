package pertest

import (
	"bytes"
	"context"
	"path/filepath"
	"testing"

	"github.com/sprintkit/sprintkit/coverage"
	"github.com/sprintkit/sprintkit/coverage/pytest"
	"github.com/sprintkit/sprintkit/internal/testkit"
)

func TestPythonContextsNameTheTestsOfEachLine(t *testing.T) {
	if testing.Short() {
		t.Skip("runs pytest under coverage.py")
	}
	root := t.TempDir()
	testkit.WriteTree(t, root, map[string]string{
		"shop/__init__.py": "",
		"shop/cart.py": `def add(a, b):
    return a + b


def sub(a, b):
    if a > b:
        return a - b
    return b - a
`,
		"tests/test_cart.py": `from shop.cart import add


def test_add():
    assert add(1, 2) == 3


class TestMore:
    def test_add_zero(self):
        assert add(0, 0) == 0
`,
		// The project's own configuration is not what the run reads.
		".coveragerc": "[run]\nbranch = True\nsource = nowhere\n",
	})
	env, err := pytest.FindPython(context.Background(), root)
	if err != nil {
		testkit.Missing(t, "no Python with coverage.py and pytest: %v", err)
	}
	if !env.Pytest {
		testkit.Missing(t, "%s has no pytest", env.Python)
	}
	cache := filepath.Join(root, ".sprintkit", "pertest")
	o := PythonOptions{Options: Options{Root: root, CacheDir: cache}, Coverage: env.Coverage, CoverageVersion: env.CoverageVersion}
	var log bytes.Buffer
	m, err := Python(context.Background(), root, []string{"shop"}, o, &log)
	if err != nil {
		t.Fatal(err)
	}
	p := m.Packages["shop"]
	if p == nil || len(p.Tests) != 2 {
		t.Fatalf("measured %+v; log: %s", p, log.String())
	}
	add := p.Tests[1]
	if add.Name != "test_cart.test_add" || add.File != "tests/test_cart.py" || add.Line != 4 {
		t.Fatalf("test_add is %+v", add)
	}
	if ls := add.Lines["shop/cart.py"]; len(ls) != 1 || ls[0] != 2 {
		t.Fatalf("test_add runs lines %v of shop/cart.py, want [2] (its import-time lines are no test's)", ls)
	}
	if z := p.Tests[0]; z.Name != "test_cart.TestMore.test_add_zero" || z.Line != 9 {
		t.Fatalf("the method test is %+v", z)
	}
	names, lines := m.ForFile("shop/cart.py")
	if len(names) != 2 || len(lines[2]) != 2 {
		t.Fatalf("line 2 of cart.py runs in %v of %v, want both tests", lines[2], names)
	}

	r := &coverage.Result{Language: "python", Packages: []*coverage.Package{{Name: "shop", Files: []*coverage.File{{Path: "shop/cart.py", Rel: "shop/cart.py"}}}}}
	targets := []coverage.Target{{Kind: "file", Name: "shop/cart.py", File: "shop/cart.py", FirstTest: &coverage.FirstTest{Name: "sub", File: "shop/cart.py", Line: 5}}}
	Assign(r, targets, m)
	if sf := targets[0].StartFrom; sf == nil || sf.Test != "test_cart.TestMore.test_add_zero" && sf.Test != "test_cart.test_add" || sf.File != "tests/test_cart.py" {
		t.Fatalf("start_from = %+v (%s)", sf, targets[0].StartFromWhy)
	}

	m2, err := Python(context.Background(), root, []string{"shop"}, o, &log)
	if err != nil || m2.Ran != 0 || m2.Cached != 1 || len(m2.Packages["shop"].Tests) != 2 {
		t.Fatalf("second run: %v, ran %d, cached %d: want it from the cache", err, m2.Ran, m2.Cached)
	}
}
