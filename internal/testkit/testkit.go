// Package testkit holds the helpers sprintkit's tests share: building
// fixture trees, finding the real tools the tests run (go, git, python,
// Chromium) and serving git over smart HTTP.
//
// One rule for a missing tool: a test skips with what to install, except
// under CI (CI=true), where it fails, so that a green CI proves every
// real-part test ran.
package testkit

import (
	"io"
	"log"
	"net/http"
	"net/http/cgi"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// UnderCI reports whether the tests run under CI (CI=true or CI=1), where a
// missing tool is a failure rather than a skip.
func UnderCI() bool {
	v := strings.ToLower(os.Getenv("CI"))
	return v == "true" || v == "1"
}

// Missing skips the test because something it needs is missing, or fails
// it under CI.
func Missing(t testing.TB, format string, args ...any) {
	t.Helper()
	if UnderCI() {
		t.Fatalf("CI=true and "+format, args...)
	}
	t.Skipf(format, args...)
}

// NeedTool returns the path of the named command, or stops the test with
// Missing and the hint (what to install).
func NeedTool(t testing.TB, name, hint string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		Missing(t, "%s is not on PATH (%s)", name, hint)
	}
	return p
}

// NeedGo returns the go command's path, or stops the test with Missing.
func NeedGo(t testing.TB) string {
	t.Helper()
	return NeedTool(t, "go", "install Go 1.26 or newer")
}

// NeedGit returns git's path, or stops the test with Missing.
func NeedGit(t testing.TB) string {
	t.Helper()
	return NeedTool(t, "git", "apt-get install git")
}

// Chromium finds a Chromium binary: $SPRINTKIT_CHROMIUM, Debian's
// /usr/bin/chromium, or one on PATH; "" when there is none.
func Chromium() string {
	if p := os.Getenv("SPRINTKIT_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"/usr/bin/chromium", "chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// NeedChromium returns Chromium's path, or stops the test with Missing.
func NeedChromium(t testing.TB) string {
	t.Helper()
	p := Chromium()
	if p == "" {
		Missing(t, "no Chromium binary (install Debian's chromium package, or set SPRINTKIT_CHROMIUM): the browser test needs a real browser")
	}
	return p
}

// ArtifactDir is where a test leaves screenshots and logs for a human:
// $SPRINTKIT_ARTIFACTS, or a temporary directory.
func ArtifactDir(t testing.TB) string {
	t.Helper()
	if d := os.Getenv("SPRINTKIT_ARTIFACTS"); d != "" {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		return d
	}
	return t.TempDir()
}

// WriteTree writes files (slash-separated names relative to root, and
// their contents) under root, creating directories as needed.
func WriteTree(t testing.TB, root string, files map[string]string) {
	t.Helper()
	for name, body := range files {
		p := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// GitHTTP serves the bare repositories under root over git's smart HTTP
// protocol (GitBackend) on 127.0.0.1. wrap, when set, wraps the handler
// (for auth or stalls).
func GitHTTP(t testing.TB, root string, wrap func(http.Handler) http.Handler) *httptest.Server {
	t.Helper()
	h := GitBackend(t, root)
	if wrap != nil {
		h = wrap(h)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}

// GitBackend is the real `git http-backend` serving the bare repositories
// under root, through net/http/cgi, the way go-git's own tests do. Its
// stderr goes to the test log.
func GitBackend(t testing.TB, root string) http.Handler {
	t.Helper()
	git := NeedGit(t)
	out, err := exec.Command(git, "--exec-path").Output()
	if err != nil {
		t.Fatalf("git --exec-path: %v", err)
	}
	backend := filepath.Join(strings.TrimSpace(string(out)), "git-http-backend")
	if _, err := os.Stat(backend); err != nil {
		Missing(t, "git http-backend not installed: %v", err)
	}
	return &cgi.Handler{
		Path:   backend,
		Root:   "/",
		Stderr: logWriter{t},
		Logger: log.New(io.Discard, "", 0),
		Env:    []string{"GIT_PROJECT_ROOT=" + root, "GIT_HTTP_EXPORT_ALL=1", "GIT_CONFIG_NOSYSTEM=1", "HOME=" + root},
	}
}

// logWriter writes to the test's log.
type logWriter struct{ t testing.TB }

func (w logWriter) Write(p []byte) (int, error) {
	w.t.Logf("git http-backend: %s", strings.TrimRight(string(p), "\n"))
	return len(p), nil
}
