package pytest

import (
	"context"
	"strings"
	"testing"

	"github.com/sprintkit/sprintkit/internal/hint"
	"github.com/sprintkit/sprintkit/internal/testkit"
)

// A conftest.py that imports a library that is not installed stops pytest
// before any test: the error is pytest's, without coverage.py's warnings
// about options it does not know, and the hint names what to install.
func TestRunPythonNamesTheModuleAConftestLacks(t *testing.T) {
	if testing.Short() {
		t.Skip("runs python; go test without -short runs it")
	}
	env := needPython(t)
	dir := t.TempDir()
	testkit.WriteTree(t, dir, map[string]string{
		"pyproject.toml":    "[tool.coverage.run]\nan_option_of_a_newer_coverage = true\n",
		"calc.py":           "def one():\n    return 1\n",
		"tests/conftest.py": "import freezegun\n",
		"tests/test_one.py": "from calc import one\n\n\ndef test_one():\n    assert one() == 1\n",
	})
	_, err := Run(context.Background(), Options{Dir: dir, Env: env})
	if err == nil {
		t.Fatal("Run succeeded; want pytest's usage error")
	}
	if msg := err.Error(); !strings.Contains(msg, "No module named 'freezegun'") || strings.Contains(msg, "Unrecognized option") || strings.Contains(msg, "an_option_of_a_newer_coverage") {
		t.Errorf("error %q: want the import error without coverage.py's warning", msg)
	}
	if h := hint.Of(err); !strings.Contains(h, "freezegun is not installed in "+env.Python) || !strings.Contains(h, "-m pip install freezegun") {
		t.Errorf("hint %q does not say what to install", h)
	}
}
