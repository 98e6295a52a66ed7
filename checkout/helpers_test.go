package checkout

import (
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// gitEnv is the environment for the real git binary in tests: no user or
// system configuration, a fixed identity.
func gitEnv(t *testing.T) []string {
	home := t.TempDir()
	return append(os.Environ(),
		"HOME="+home,
		"GIT_CONFIG_NOSYSTEM=1",
		"GIT_CONFIG_GLOBAL="+filepath.Join(home, "gitconfig"),
		"GIT_AUTHOR_NAME=Sprint Tester", "GIT_AUTHOR_EMAIL=tester@example.com",
		"GIT_COMMITTER_NAME=Sprint Tester", "GIT_COMMITTER_EMAIL=tester@example.com",
	)
}

func gitRun(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = gitEnv(t)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out))
}

// commit writes files into the work tree dir and commits them.
func commit(t *testing.T, dir, msg string, files map[string]string) string {
	t.Helper()
	for name, body := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	gitRun(t, dir, "add", "-A")
	gitRun(t, dir, "commit", "-q", "-m", msg)
	return gitRun(t, dir, "rev-parse", "HEAD")
}

// fixture is a source repository with three commits on main, a branch
// "feature" with one more, and a tag v0.1.0 on the first commit; bare is a
// bare copy of it under root (root/project.git), for serving.
type fixture struct {
	work, root, bare  string
	head, featureHead string
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	f := &fixture{work: filepath.Join(t.TempDir(), "src"), root: t.TempDir()}
	os.MkdirAll(f.work, 0o755)
	gitRun(t, f.work, "init", "-q", "-b", "main")
	commit(t, f.work, "first", map[string]string{"go.mod": "module example.com/demo\n\ngo 1.22\n", "demo.go": "package demo\n"})
	gitRun(t, f.work, "tag", "v0.1.0")
	commit(t, f.work, "second", map[string]string{"a/a.go": "package a\n"})
	f.head = commit(t, f.work, "third", map[string]string{"b/b.go": "package b\n", "README.md": "# demo\n"})
	gitRun(t, f.work, "checkout", "-q", "-b", "feature")
	f.featureHead = commit(t, f.work, "feature work", map[string]string{"feature.go": "package demo\n"})
	gitRun(t, f.work, "checkout", "-q", "main")
	f.bare = filepath.Join(f.root, "project.git")
	gitRun(t, f.root, "clone", "-q", "--bare", f.work, f.bare)
	return f
}

// basicAuth requires user:pass on every request.
func basicAuth(user, pass string) func(http.Handler) http.Handler {
	return func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			u, p, ok := r.BasicAuth()
			if !ok || u != user || p != pass {
				w.Header().Set("WWW-Authenticate", `Basic realm="git"`)
				http.Error(w, "authentication required", http.StatusUnauthorized)
				return
			}
			h.ServeHTTP(w, r)
		})
	}
}
