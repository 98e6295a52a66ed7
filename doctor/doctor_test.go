package doctor

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/sprintkit/sprintkit/internal/testkit"
)

// pathWith returns a PATH holding only links to the named real programs, so
// a test can take git (or go) away.
func pathWith(t *testing.T, progs ...string) string {
	t.Helper()
	dir := t.TempDir()
	for _, p := range progs {
		real, err := exec.LookPath(p)
		if err != nil {
			testkit.Missing(t, "%s not installed", p)
		}
		if err := os.Symlink(real, filepath.Join(dir, filepath.Base(real))); err != nil {
			t.Skip("no symlinks here")
		}
	}
	return dir
}

func env(kv ...string) []string {
	out := []string{}
	for _, e := range os.Environ() {
		if strings.HasPrefix(e, "GOTOOLCHAIN=") || strings.HasPrefix(e, "GOPROXY=") || strings.HasPrefix(e, "GOFLAGS=") {
			continue
		}
		out = append(out, e)
	}
	return append(out, kv...)
}

// toolchainProxy serves golang.org/toolchain's version list the way a module
// proxy does, holding the given Go versions for this platform.
func toolchainProxy(t *testing.T, versions ...string) string {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/golang.org/toolchain/@v/list" {
			http.NotFound(w, r)
			return
		}
		for _, v := range versions {
			fmt.Fprintf(w, "v0.0.1-%s.%s-%s\n", v, runtime.GOOS, runtime.GOARCH)
			fmt.Fprintf(w, "v0.0.1-%s.plan9-386\n", v)
		}
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

// fileToolchainProxy writes a module proxy directory listing versions of
// golang.org/toolchain for this platform and returns its file:// URL.
func fileToolchainProxy(t *testing.T, versions ...string) string {
	dir := t.TempDir()
	list := filepath.Join(dir, "golang.org", "toolchain", "@v", "list")
	if err := os.MkdirAll(filepath.Dir(list), 0o755); err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, v := range versions {
		fmt.Fprintf(&b, "v0.0.1-%s.%s-%s\n", v, runtime.GOOS, runtime.GOARCH)
	}
	if err := os.WriteFile(list, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	u := "file://" + filepath.ToSlash(dir)
	if runtime.GOOS == "windows" {
		u = "file:///" + filepath.ToSlash(dir)
	}
	return u
}

func TestGoToolchain(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		testkit.Missing(t, "go not installed")
	}
	withProxy := toolchainProxy(t, "go1.99.0", "go1.99.1")
	emptyProxy := toolchainProxy(t, "go1.21.0")
	fileProxy := fileToolchainProxy(t, "go1.99.0")
	emptyFileProxy := fileToolchainProxy(t)
	missingDir := "file://" + filepath.ToSlash(filepath.Join(t.TempDir(), "no-such-proxy"))
	if runtime.GOOS == "windows" {
		missingDir = "file:///" + strings.TrimPrefix(missingDir, "file://")
	}
	goOnly := pathWith(t, "go")
	fakeDir := t.TempDir()
	os.WriteFile(filepath.Join(fakeDir, "go1.99"), []byte("#!/bin/sh\n"), 0o755)

	cases := []struct {
		name   string
		known  bool
		goLine string
		env    []string
		want   Status
		detail string
		hint   string
	}{
		{"a go line older than the toolchain passes", true, "1.21", env("GOTOOLCHAIN=local"), OK, "(go.mod: go 1.21)", ""},
		{"outside a project there is no go line to check", false, "", env(), OK, "no go.mod here", ""},
		{"a too-new go line with GOTOOLCHAIN=local fails up front", true, "1.99", env("GOTOOLCHAIN=local"), Fail, "GOTOOLCHAIN=local will not fetch", "install go1.99"},
		{"a too-new go line with GOPROXY=off fails: no way to download", true, "1.99", env("GOTOOLCHAIN=auto", "GOPROXY=off"), Fail, "GOPROXY=off", "go.dev/dl"},
		{"a too-new go line with an unreachable proxy fails", true, "1.99", env("GOTOOLCHAIN=auto", "GOPROXY=http://127.0.0.1:1"), Fail, "unreachable", "connect to the network"},
		{"a too-new go line the proxy has warns of the download", true, "1.99", env("GOTOOLCHAIN=auto", "GOPROXY="+withProxy), Warn, "will download go1.99", "keep the network on"},
		{"a too-new go line a file:// proxy directory has passes: no network needed", true, "1.99", env("GOTOOLCHAIN=auto", "GOPROXY="+fileProxy), OK, "from the module proxy directory", ""},
		{"a file:// proxy directory without the toolchain fails, read and not dialled", true, "1.99", env("GOTOOLCHAIN=auto", "GOPROXY="+emptyFileProxy), Fail, "has no such toolchain", "add that toolchain"},
		{"a file:// proxy that is not there is named as a directory, not as unreachable", true, "1.99", env("GOTOOLCHAIN=auto", "GOPROXY="+missingDir+",off"), Fail, "that directory is not there", "point GOPROXY at the directory"},
		{"a go version the proxy does not have fails", true, "1.99", env("GOTOOLCHAIN=auto", "GOPROXY="+emptyProxy), Fail, "has no such toolchain", "does not exist"},
		{"GOTOOLCHAIN=path without the program on PATH fails", true, "1.99", env("GOTOOLCHAIN=path"), Fail, "finds no go1.99 on PATH", "golang.org/dl/go1.99"},
		{"GOTOOLCHAIN=path with the program on PATH passes", true, "1.99", env("GOTOOLCHAIN=path", "PATH="+fakeDir+string(os.PathListSeparator)+os.Getenv("PATH")), OK, "will run", ""},
		{"a go line that is not a version fails", true, "banana", env(), Fail, "is not a Go version", "fix the go line"},
		{"no go for a go project fails", true, "1.21", env("PATH=" + t.TempDir()), Fail, "no go command", "go.dev/dl"},
		{"no go before the clone only warns", false, "", env("PATH=" + t.TempDir()), Warn, "no go command", "go.dev/dl"},
		{"go found through a minimal PATH passes", true, "1.21", env("GOTOOLCHAIN=local", "PATH="+goOnly), OK, "go1.", ""},
	}
	t.Run("a newer toolchain line is downloaded by auto when the proxy has it", func(t *testing.T) {
		c := GoToolchain(context.Background(), Options{Env: env("GOTOOLCHAIN=auto", "GOPROXY="+withProxy), Known: true, Go: true, GoVersion: "1.21", Toolchain: "go1.99.1"})
		if c.Status != Warn || !strings.Contains(c.Detail, "toolchain go1.99.1); GOTOOLCHAIN=auto will download go1.99.1") {
			t.Errorf("got %s %q", c.Status, c.Detail)
		}
	})
	t.Run("a newer toolchain line with GOPROXY=off fails: go cannot switch", func(t *testing.T) {
		c := GoToolchain(context.Background(), Options{Env: env("GOTOOLCHAIN=auto", "GOPROXY=off"), Known: true, Go: true, GoVersion: "1.21", Toolchain: "go1.99.1"})
		if c.Status != Fail || !strings.Contains(c.Detail, "would download go1.99.1, but GOPROXY=off") {
			t.Errorf("got %s %q", c.Status, c.Detail)
		}
	})
	t.Run("a newer toolchain line is ignored with GOTOOLCHAIN=local", func(t *testing.T) {
		c := GoToolchain(context.Background(), Options{Env: env("GOTOOLCHAIN=local"), Known: true, Go: true, GoVersion: "1.21", Toolchain: "go1.99.1"})
		if c.Status != OK {
			t.Errorf("got %s %q", c.Status, c.Detail)
		}
	})
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := GoToolchain(context.Background(), Options{Env: tc.env, Known: tc.known, Go: true, GoVersion: tc.goLine})
			if c.Status != tc.want || !strings.Contains(c.Detail, tc.detail) || !strings.Contains(c.Hint, tc.hint) {
				t.Errorf("got %s %q (hint %q), want %s with %q (hint %q)", c.Status, c.Detail, c.Hint, tc.want, tc.detail, tc.hint)
			}
		})
	}
}

func TestGit(t *testing.T) {
	noGit := env("PATH=" + t.TempDir())
	cases := []struct {
		name      string
		env       []string
		transport string
		want      Status
		detail    string
	}{
		{"git on PATH passes with its version", env(), "https", OK, "git version"},
		{"no git fails when cloning a local path", noGit, "file", Fail, "local path"},
		{"no git only warns for an https clone", noGit, "https", Warn, "commit"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := Git(context.Background(), Options{Env: tc.env, Transport: tc.transport})
			if c.Status != tc.want || !strings.Contains(c.Detail, tc.detail) {
				t.Errorf("got %s %q, want %s with %q", c.Status, c.Detail, tc.want, tc.detail)
			}
			if c.Status != OK && c.Hint == "" {
				t.Error("no hint")
			}
		})
	}
}

func TestDiskAndWrite(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "not", "yet", "created")
	if c := Disk(Options{Dir: dir, NeedBytes: 1 << 20}); c.Status != OK || !strings.Contains(c.Detail, "free at") {
		t.Errorf("1 MiB needed: %s %q, want ok", c.Status, c.Detail)
	}
	if c := Disk(Options{Dir: dir, NeedBytes: 1 << 60}); c.Status != Fail || c.Hint == "" {
		t.Errorf("1 EiB needed: %s %q, want fail with a hint", c.Status, c.Detail)
	}
	if c := Write(Options{Dir: dir}); c.Status != OK {
		t.Errorf("Write in a temp dir: %s %q", c.Status, c.Detail)
	}
	if ents, _ := os.ReadDir(filepath.Dir(filepath.Dir(dir))); len(ents) != 0 {
		t.Errorf("Write left %d files behind", len(ents))
	}
	if runtime.GOOS == "linux" {
		// Not even root may create files in /proc/self.
		if c := Write(Options{Dir: "/proc/self/project"}); c.Status != Fail || !strings.Contains(c.Hint, "--dir") {
			t.Errorf("Write in /proc/self: %s %q %q, want fail with a --dir hint", c.Status, c.Detail, c.Hint)
		}
	}
}

func TestPython(t *testing.T) {
	py, err := exec.LookPath("python3")
	if err != nil {
		testkit.Missing(t, "python3 not installed")
	}
	// A virtual environment without pip has neither coverage nor pytest.
	venv := filepath.Join(t.TempDir(), "venv")
	if out, err := exec.Command(py, "-m", "venv", "--without-pip", venv).CombinedOutput(); err != nil {
		testkit.Missing(t, "python3 -m venv (apt-get install python3-venv): %v\n%s", err, out)
	}
	vpy := filepath.Join(venv, "bin", "python")
	mods := t.TempDir()
	os.MkdirAll(filepath.Join(mods, "coverage"), 0o755)
	os.WriteFile(filepath.Join(mods, "coverage", "__init__.py"), []byte("__version__ = '7.6.1'\n"), 0o644)
	os.WriteFile(filepath.Join(mods, "pytest.py"), []byte("__version__ = '8.3.2'\n"), 0o644)
	covOnly := t.TempDir()
	os.MkdirAll(filepath.Join(covOnly, "coverage"), 0o755)
	os.WriteFile(filepath.Join(covOnly, "coverage", "__init__.py"), []byte("__version__ = '7.6.1'\n"), 0o644)

	cases := []struct {
		name   string
		env    []string
		want   Status
		detail string
		hint   string
	}{
		{"an interpreter without coverage.py and pytest fails with the pip command", env("PYTHONNOUSERSITE=1"), Fail, "missing coverage and pytest", "-m pip install coverage pytest"},
		{"an interpreter with coverage.py but no pytest warns: unittest runs the tests", env("PYTHONNOUSERSITE=1", "PYTHONPATH="+covOnly), Warn, "missing pytest (coverage.py 7.6.1 is there", "-m pip install pytest"},
		{"an interpreter with both passes with their versions", env("PYTHONNOUSERSITE=1", "PYTHONPATH="+mods), OK, "coverage.py 7.6.1, pytest 8.3.2", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := Python(context.Background(), Options{Env: tc.env, PythonExe: vpy})
			if c.Status != tc.want || !strings.Contains(c.Detail, tc.detail) || !strings.Contains(c.Hint, tc.hint) {
				t.Errorf("got %s %q (hint %q), want %s %q (hint %q)", c.Status, c.Detail, c.Hint, tc.want, tc.detail, tc.hint)
			}
		})
	}
	t.Run("the runner's reason for its interpreter is shown beside it", func(t *testing.T) {
		c := Python(context.Background(), Options{Env: env("PYTHONNOUSERSITE=1", "PYTHONPATH="+mods), PythonExe: vpy,
			PythonWhy: vpy + " (the first with coverage.py and pytest)"})
		if c.Status != OK || !strings.HasPrefix(c.Detail, vpy+" (Python ") || !strings.Contains(c.Detail, ", the first with coverage.py and pytest), coverage.py 7.6.1") {
			t.Errorf("got %s %q", c.Status, c.Detail)
		}
	})
	t.Run("a project .venv without coverage.py fails, named, with its own pip command", func(t *testing.T) {
		proj := t.TempDir()
		if out, err := exec.Command(py, "-m", "venv", "--without-pip", filepath.Join(proj, ".venv")).CombinedOutput(); err != nil {
			testkit.Missing(t, "python3 -m venv (apt-get install python3-venv): %v\n%s", err, out)
		}
		// Whatever the python3 on PATH has, the .venv decides.
		c := Python(context.Background(), Options{Dir: proj, Env: env("PYTHONNOUSERSITE=1")})
		vpy := filepath.Join(".venv", "bin", "python")
		if c.Status != Fail || !strings.HasPrefix(c.Detail, vpy+" (Python ") ||
			!strings.Contains(c.Detail, "the project's virtual environment .venv") ||
			!strings.HasPrefix(c.Hint, vpy+" -m pip install coverage pytest") {
			t.Errorf("got %s %q (hint %q)", c.Status, c.Detail, c.Hint)
		}
	})
	t.Run("what setup goes on to install is a warning, not a failure", func(t *testing.T) {
		c := Python(context.Background(), Options{Env: env("PYTHONNOUSERSITE=1"), PythonExe: vpy, PythonInstalls: true})
		if c.Status != Warn || !strings.Contains(c.Detail, "missing coverage and pytest (setup installs them into the project's virtual environment)") || c.Hint != "" {
			t.Errorf("got %s %q (hint %q)", c.Status, c.Detail, c.Hint)
		}
	})
	t.Run("no interpreter on PATH fails", func(t *testing.T) {
		c := Python(context.Background(), Options{Env: env("PATH=" + t.TempDir())})
		if c.Status != Fail || !strings.Contains(c.Hint, "python.org") {
			t.Errorf("got %s %q %q", c.Status, c.Detail, c.Hint)
		}
	})
}

func TestRunOrdersChecksAndStopsOnFail(t *testing.T) {
	checks := Run(context.Background(), Options{Dir: t.TempDir(), Env: env("GOTOOLCHAIN=local"), Known: true, Go: true, GoVersion: "1.99", Transport: "file", NeedBytes: 1 << 20})
	var ids []string
	for _, c := range checks {
		ids = append(ids, c.ID)
	}
	want := "go git disk write"
	if runtime.GOOS == "linux" {
		want += " inotify"
	}
	if got := strings.Join(ids, " "); got != want {
		t.Errorf("checks %q, want %q", got, want)
	}
	if !Failed(checks) {
		t.Error("a go 1.99 line with GOTOOLCHAIN=local must fail the run")
	}
	for _, c := range checks {
		if c.Status.Symbol() == "" {
			t.Errorf("%s has no symbol", c.ID)
		}
	}
}

func TestLookPathReadsPathAsEachSystemSpellsIt(t *testing.T) {
	dir := t.TempDir()
	for name, mode := range map[string]os.FileMode{"go.exe": 0o644, "go": 0o755, "git": 0o644} {
		if err := os.WriteFile(filepath.Join(dir, name), nil, mode); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		name, goos, prog string
		env              []string
		want             string
	}{
		{"Windows finds go.exe through Path, as Windows spells it", "windows", "go", []string{"Path=" + dir}, filepath.Join(dir, "go.exe")},
		{"Windows finds it through PATH too", "windows", "go", []string{"PATH=" + dir}, filepath.Join(dir, "go.exe")},
		{"Linux reads no Path: it is another variable there", "linux", "go", []string{"Path=" + dir}, ""},
		{"Linux finds go through PATH", "linux", "go", []string{"PATH=" + dir}, filepath.Join(dir, "go")},
		{"Linux skips a file without execute bits", "linux", "git", []string{"PATH=" + dir}, ""},
		{"Windows takes a file without execute bits", "windows", "git", []string{"Path=" + dir}, filepath.Join(dir, "git")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if runtime.GOOS == "windows" && tt.goos != "windows" {
				t.Skip("execute bits are Unix's: Windows shows none")
			}
			if got := lookPathOS(tt.env, tt.prog, tt.goos); got != tt.want {
				t.Errorf("lookPathOS(%q) on %s = %q, want %q", tt.prog, tt.goos, got, tt.want)
			}
		})
	}
}
