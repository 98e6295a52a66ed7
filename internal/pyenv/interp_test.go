package pyenv

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/sprintkit/sprintkit/internal/testkit"
)

var (
	realOnce sync.Once
	realEnv  *Env
	realErr  error
)

// needPython returns an interpreter with coverage.py and pytest, or skips
// (fails under CI): .ci/run installs Debian's python3-coverage and
// python3-pytest.
func needPython(t *testing.T) *Env {
	t.Helper()
	realOnce.Do(func() { realEnv, realErr = Find(context.Background(), t.TempDir()) })
	if realErr != nil {
		testkit.Missing(t, "no Python with coverage.py (%v); .ci/run installs python3-coverage and python3-pytest", realErr)
	}
	if !realEnv.Pytest {
		testkit.Missing(t, "%s has no pytest; .ci/run installs python3-pytest", realEnv.Python)
	}
	return realEnv
}

// venv creates a virtual environment of python at dir with the given
// options, or skips.
func venv(t *testing.T, python, dir string, opts ...string) {
	t.Helper()
	out, err := exec.Command(python, append(append([]string{"-m", "venv"}, opts...), dir)...).CombinedOutput()
	if err != nil {
		testkit.Missing(t, "%s -m venv: %v\n%s", python, err, out)
	}
}

// fakePython writes a python3 into a new directory that answers the probe
// as an interpreter without coverage.py and pytest.
func fakePython(t *testing.T) string {
	t.Helper()
	if _, err := os.Stat("/bin/sh"); err != nil {
		t.Skip("needs /bin/sh")
	}
	bin := t.TempDir()
	script := "#!/bin/sh\necho '{\"executable\": \"" + filepath.Join(bin, "python3") + "\", \"version\": \"3.99.0\", \"coverage\": null, \"pytest\": null}'\n"
	if err := os.WriteFile(filepath.Join(bin, "python3"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return bin
}

func TestFindSaysWhatToInstall(t *testing.T) {
	bin := fakePython(t)
	t.Setenv("PATH", bin)
	t.Setenv("VIRTUAL_ENV", "")
	old := systemPython
	systemPython = filepath.Join(bin, "no-such-python")
	defer func() { systemPython = old }()
	_, err := Find(context.Background(), t.TempDir())
	if err == nil || !strings.Contains(err.Error(), "apt install python3-coverage python3-pytest, or pip install coverage pytest") ||
		!strings.Contains(err.Error(), "python3 (Python 3.99.0): no coverage module") {
		t.Fatalf("err = %v", err)
	}
}

func TestFindPassesOverAPythonWithoutCoverage(t *testing.T) {
	if testing.Short() {
		t.Skip("runs python; go test without -short runs it")
	}
	real := needPython(t)
	bin := fakePython(t)
	t.Setenv("PATH", bin) // the first (and only) python3 on PATH lacks coverage.py
	t.Setenv("VIRTUAL_ENV", "")
	old := systemPython
	systemPython = real.Python
	defer func() { systemPython = old }()
	env, err := Find(context.Background(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if env.Python != real.Python || !env.Pytest || env.Coverage[0] != real.Python {
		t.Errorf("env = %+v, want %s", env, real.Python)
	}
}

func TestFindPrefersTheActiveVirtualenv(t *testing.T) {
	real := needPython(t)
	venv := t.TempDir()
	if err := os.MkdirAll(filepath.Dir(VenvPython(venv)), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(real.Python, VenvPython(venv)); err != nil {
		t.Skip(err)
	}
	t.Setenv("VIRTUAL_ENV", venv)
	env, err := Find(context.Background(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if env.Python != VenvPython(venv) || env.Coverage[0] != VenvPython(venv) || env.CoverageVersion == "" || env.Version == "" {
		t.Errorf("env = %+v, want the virtualenv's %s", env, VenvPython(venv))
	}
}

// Env.Why says which interpreter runs the tests and why that one.
func TestFindSaysWhyItChoseTheInterpreter(t *testing.T) {
	if testing.Short() {
		t.Skip("runs python; go test without -short runs it")
	}
	real := needPython(t)
	t.Setenv("VIRTUAL_ENV", "")
	withVenv := filepath.Join(t.TempDir(), "my project")
	// The system's site-packages give this venv coverage.py and pytest.
	venv(t, real.Python, filepath.Join(withVenv, ".venv"), "--without-pip", "--system-site-packages")
	for _, tc := range []struct {
		name, dir, python, why string
	}{
		{"a project venv with coverage.py is used, and said to be the project's", withVenv,
			VenvPython(filepath.Join(withVenv, ".venv")), filepath.Join(".venv", "bin", "python") + " (the project's virtual environment)"},
		{"without a venv the first interpreter with coverage.py and pytest is used", t.TempDir(),
			"", "(the first with coverage.py and pytest"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env, err := Find(context.Background(), tc.dir)
			if err != nil {
				t.Fatal(err)
			}
			if (tc.python != "" && env.Python != tc.python) || !strings.Contains(env.Why, tc.why) {
				t.Errorf("python %s, why %q; want %s, %q", env.Python, env.Why, tc.python, tc.why)
			}
		})
	}
}
