package serve

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/sprintkit/sprintkit/internal/testkit"
)

// TestTheGitBackendsComplaintsReachTheLog serves a repository directory
// that is not a git repository: the clone fails, and what git http-backend
// said on its stderr reaches the server's log, so the organiser learns why.
func TestTheGitBackendsComplaintsReachTheLog(t *testing.T) {
	testkit.NeedGit(t)
	repo := filepath.Join(t.TempDir(), "repo")
	if err := os.Mkdir(repo, 0o755); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var logged []string
	logf := func(format string, args ...any) {
		mu.Lock()
		defer mu.Unlock()
		logged = append(logged, format)
		for _, a := range args {
			if s, ok := a.(string); ok {
				logged = append(logged, s)
			}
		}
	}
	h, err := gitHandler(repo, logf)
	if err != nil {
		testkit.Missing(t, "git http-backend: %v", err)
	}
	req := httptest.NewRequest("GET", "/repo/info/refs?service=git-upload-pack", nil)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code == http.StatusOK {
		t.Fatalf("the backend answered 200 for a directory that is no repository: %s", rec.Body)
	}
	mu.Lock()
	defer mu.Unlock()
	all := strings.Join(logged, "\n")
	if !strings.Contains(all, "git http-backend: ") || !strings.Contains(all, "repo") {
		t.Fatalf("the log does not carry the backend's message; logged:\n%s", all)
	}
}

// TestLineLogHandsOverEachLine writes a backend's stderr: each line
// reaches the log once, without its newline, the last one without waiting
// for a newline, and an overlong one is cut.
func TestLineLogHandsOverEachLine(t *testing.T) {
	var got []string
	l := &lineLog{logf: func(format string, args ...any) { got = append(got, args[0].(string)+args[1].(string)) }, prefix: "git: "}
	for _, p := range []string{"fatal: not a repository\nsecond\r\n", "\n", strings.Repeat("x", 2*maxLogLine) + "\n", "Not a git repository: '/srv/repo'"} {
		if n, err := l.Write([]byte(p)); err != nil || n != len(p) {
			t.Fatalf("Write(%q) = %d, %v", p, n, err)
		}
	}
	want := []string{"git: fatal: not a repository", "git: second", "git: " + strings.Repeat("x", maxLogLine), "git: Not a git repository: '/srv/repo'"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("logged %q, want %q", got, want)
	}
}
