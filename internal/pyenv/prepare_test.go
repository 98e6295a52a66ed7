package pyenv

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/sprintkit/sprintkit/internal/state"
	"github.com/sprintkit/sprintkit/internal/testkit"
)

// pipEnv is the environment of a test's pip: none of the machine's pip
// settings or configuration files, no active virtual environment, then
// the given ones.
func pipEnv(more ...string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "PIP_") && !strings.HasPrefix(kv, "VIRTUAL_ENV=") {
			env = append(env, kv)
		}
	}
	return append(env, append([]string{"PIP_CONFIG_FILE=" + os.DevNull, "PIP_DISABLE_PIP_VERSION_CHECK=1"}, more...)...)
}

// fixture writes files into a new git work tree and returns it.
func fixture(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "proj")
	testkit.WriteTree(t, dir, files)
	git := testkit.NeedGit(t)
	if out, err := exec.Command(git, "init", "-q", dir).CombinedOutput(); err != nil {
		t.Fatalf("git init: %v\n%s", err, out)
	}
	return dir
}

// pytestIn runs the environment's pytest in dir and returns its output.
func pytestIn(t *testing.T, python, dir string) (string, error) {
	t.Helper()
	cmd := exec.Command(python, "-m", "pytest", "-q", "-p", "no:cacheprovider")
	cmd.Dir = dir
	cmd.Env = append(pipEnv(), "PYTHONDONTWRITEBYTECODE=1")
	out, err := cmd.CombinedOutput()
	return string(out), err
}

func TestPrepareInstallsTheProjectAndWhatItsTestsDeclare(t *testing.T) {
	if testing.Short() {
		t.Skip("creates virtual environments and runs pip; go test without -short runs it")
	}
	if runtime.GOOS == "windows" {
		t.Skip("the fixtures' paths are POSIX ones")
	}
	t.Parallel()
	needPython(t)
	wheels := testLibWheels(t)
	index := loopbackIndex(t, wheels)
	cases := []struct {
		name  string
		files map[string]string
		env   []string
		from  string // the declaration Installed names
		what  string // and what it installed
	}{
		{"a src layout installs in editable mode with its tests extra, from a PEP 503 index", srcLayoutExtra,
			[]string{"PIP_INDEX_URL=" + index}, "pyproject.toml [project.optional-dependencies] tests", "-e .[tests]"},
		{"a backend without editable support installs a plain copy", noEditable(),
			[]string{"PIP_INDEX_URL=" + index}, "pyproject.toml [project.optional-dependencies] tests", ".[tests]"},
		{"a dependency group, with the group it includes, installs from a find-links directory", dependencyGroups,
			[]string{"PIP_NO_INDEX=1", "PIP_FIND_LINKS=" + wheels}, "pyproject.toml [dependency-groups] test", "freezeme"},
		{"a flat layout installs its requirements-test.txt", flatRequirements,
			[]string{"PIP_INDEX_URL=" + index}, "requirements-test.txt", "freezeme>=1.0"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := fixture(t, tc.files)
			var progress []string
			s, err := Prepare(context.Background(), PrepareOptions{Dir: dir, Env: pipEnv(tc.env...),
				Progress: func(m string) { progress = append(progress, m) }})
			if err != nil {
				t.Fatalf("Prepare: %v (progress %q)", err, progress)
			}
			if !s.Created || s.Name != ".venv" || !isRegular(s.Python) {
				t.Fatalf("venv %+v, want a new .venv", s.Venv)
			}
			// The loopback index has no pytest or coverage.py; the
			// system's interpreter has them.
			if !s.SystemSitePackages || !strings.Contains(s.Why, "--system-site-packages") || !strings.Contains(s.Why, "cannot provide pytest and coverage.py") {
				t.Errorf("why %q, want --system-site-packages and the reason", s.Why)
			}
			found := false
			for _, in := range s.Installed {
				if in.From == tc.from && strings.Join(in.What, " ") == tc.what && strings.Contains(in.Command, "-m pip install") {
					found = true
				}
			}
			if !found {
				t.Errorf("installed %+v, want %q from %q", s.Installed, tc.what, tc.from)
			}
			if len(progress) == 0 || !strings.Contains(strings.Join(progress, "\n"), "with pip") {
				t.Errorf("progress %q says nothing of pip", progress)
			}
			if b, _ := os.ReadFile(filepath.Join(dir, ".git", "info", "exclude")); !strings.Contains(string(b), "/.venv/\n") {
				t.Errorf(".git/info/exclude is %q, want /.venv/ in it", b)
			}
			if out, err := pytestIn(t, s.Python, dir); err != nil {
				t.Fatalf("the tests do not pass in the environment: %v\n%s", err, out)
			}
			again, err := Prepare(context.Background(), PrepareOptions{Dir: dir, Env: pipEnv(tc.env...)})
			if err != nil || !again.Reused || len(again.Installed) != 0 || again.Python != s.Python {
				t.Errorf("a second Prepare: %+v, %v; want the environment reused", again, err)
			}
		})
	}
}

func TestPrepareNamesARequirementNoIndexHas(t *testing.T) {
	if testing.Short() {
		t.Skip("creates a virtual environment and runs pip; go test without -short runs it")
	}
	t.Parallel()
	needPython(t)
	dir := fixture(t, missingRequirement)
	_, err := Prepare(context.Background(), PrepareOptions{Dir: dir, Env: pipEnv("PIP_INDEX_URL=" + loopbackIndex(t, testLibWheels(t)))})
	var pe *Error
	if !errors.As(err, &pe) {
		t.Fatalf("err = %v (%T), want an *Error", err, err)
	}
	for _, want := range []string{"nosuchlib", "which requirements-test.txt asks for", "-m pip install -r requirements-test.txt", "Could not find a version that satisfies the requirement nosuchlib"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not say %q", err, want)
		}
	}
	if !strings.Contains(pe.Hint(), "--from-image") {
		t.Errorf("hint %q", pe.Hint())
	}
	if _, err := os.Stat(state.Path(dir, StampFile)); err == nil {
		t.Error("a failed install left a stamp: the next setup would not install again")
	}
}

// Offline, a project whose build backend cannot be had is put on the
// path when it is pure Python; its test dependencies still install from
// the wheels at hand, and the one missing is named.
func TestPreparePutsAPureProjectThatCannotBeBuiltOnThePath(t *testing.T) {
	if testing.Short() {
		t.Skip("creates a virtual environment and runs pip; go test without -short runs it")
	}
	t.Parallel()
	needPython(t)
	files := map[string]string{}
	for k, v := range srcLayoutExtra {
		files[k] = v
	}
	delete(files, "fixture_backend.py")
	files["pyproject.toml"] = strings.Replace(strings.Replace(srcLayoutExtra["pyproject.toml"],
		`requires = []`, `requires = ["flit_core>=3.2"]`, 1), `build-backend = "fixture_backend"`+"\nbackend-path = [\".\"]", `build-backend = "flit_core.buildapi"`, 1)
	files["pyproject.toml"] = strings.Replace(files["pyproject.toml"], `tests = ["freezeme"]`, `tests = ["freezeme", "nosuchlib"]`, 1)
	dir := fixture(t, files)
	s, err := Prepare(context.Background(), PrepareOptions{Dir: dir, Env: pipEnv("PIP_NO_INDEX=1", "PIP_FIND_LINKS="+testLibWheels(t))})
	if err != nil {
		t.Fatal(err)
	}
	if s.PathFile == "" || !strings.HasSuffix(s.PathFile, ".pth") {
		t.Fatalf("path file %q, want a .pth", s.PathFile)
	}
	if b, _ := os.ReadFile(s.PathFile); strings.TrimSpace(string(b)) != filepath.Join(dir, "src") {
		t.Errorf("%s holds %q, want the source directory", s.PathFile, b)
	}
	if strings.Join(s.Missing, ",") != "nosuchlib" {
		t.Errorf("missing %q, want nosuchlib", s.Missing)
	}
	out, err := pytestIn(t, s.Python, dir)
	if err == nil || !strings.Contains(out, "1 failed, 1 passed") || !strings.Contains(out, "test_installed") {
		t.Errorf("want the test that needs installed metadata to fail and the other to pass:\n%s", out)
	}
}

// noEditable is srcLayoutExtra with a backend that has no PEP 660 hooks.
func noEditable() map[string]string {
	files := map[string]string{}
	for k, v := range srcLayoutExtra {
		files[k] = v
	}
	b := files["fixture_backend.py"]
	b = b[:strings.Index(b, "def build_editable(")]
	b = strings.Replace(b, "prepare_metadata_for_build_editable = prepare_metadata_for_build_wheel\n", "", 1)
	b = strings.Replace(b, "get_requires_for_build_editable = get_requires_for_build_wheel\n", "", 1)
	files["fixture_backend.py"] = b
	return files
}
