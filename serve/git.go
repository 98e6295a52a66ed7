package serve

import (
	"fmt"
	"log"
	"net/http"
	"net/http/cgi"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
)

// gitHandler returns a handler that runs git http-backend on the
// repository dir (a checkout with its .git) for requests under /repo.git,
// or an error saying why it cannot. What the backend says on its stderr
// (why a clone failed) goes to logf, a line at a time.
func gitHandler(dir string, logf func(string, ...any)) (http.Handler, error) {
	out, err := exec.Command("git", "--exec-path").Output()
	if err != nil {
		return nil, fmt.Errorf("git is not installed, so the repository is not served: %w", err)
	}
	backend := filepath.Join(strings.TrimSpace(string(out)), "git-http-backend")
	if _, err := os.Stat(backend); err != nil {
		return nil, fmt.Errorf("git http-backend is not installed, so the repository is not served: %w", err)
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("repository %s: %w", dir, err)
	}
	top := filepath.Dir(abs)
	return &cgi.Handler{
		Path:   backend,
		Root:   "/",
		Dir:    top,
		Stderr: &lineLog{logf: logf, prefix: "git http-backend: "},
		Logger: log.New(&lineLog{logf: logf, prefix: "git: "}, "", 0),
		Env: []string{
			"GIT_PROJECT_ROOT=" + top,
			"GIT_HTTP_EXPORT_ALL=1",
			// No system or user configuration: the image's own .git/config
			// and what is set here only.
			"GIT_CONFIG_NOSYSTEM=1",
			"GIT_CONFIG_GLOBAL=" + os.DevNull,
			"HOME=" + top,
			// The image may belong to another user than the server.
			"GIT_CONFIG_COUNT=3",
			"GIT_CONFIG_KEY_0=safe.directory", "GIT_CONFIG_VALUE_0=" + abs,
			"GIT_CONFIG_KEY_1=http.receivepack", "GIT_CONFIG_VALUE_1=false",
			"GIT_CONFIG_KEY_2=http.getanyfile", "GIT_CONFIG_VALUE_2=false",
		},
	}, nil
}

// gitRepo serves /repo.git/… : the smart HTTP protocol's fetch side only
// (info/refs?service=git-upload-pack and POST git-upload-pack). A push and
// the dumb protocol's file reads are refused.
func (s *Server) gitRepo(w http.ResponseWriter, r *http.Request) {
	rest := strings.TrimPrefix(r.URL.Path, "/repo.git")
	service := r.URL.Query().Get("service")
	switch {
	case service == "git-receive-pack" || rest == "/git-receive-pack":
		http.Error(w, "this sprint server is read-only: push to your own fork", http.StatusForbidden)
		return
	case rest == "/info/refs" && service == "git-upload-pack" && (r.Method == http.MethodGet || r.Method == http.MethodHead):
	case rest == "/git-upload-pack" && r.Method == http.MethodPost:
		r.Body = http.MaxBytesReader(w, r.Body, maxGitBody)
	default:
		http.NotFound(w, r)
		return
	}
	if s.git == nil {
		http.Error(w, s.gitErr.Error(), http.StatusServiceUnavailable)
		return
	}
	// The client's own share first, then one of everyone's: a client with
	// many clones at once waits for its own, not the others'.
	ip := clientIP(r.RemoteAddr)
	if s.gitUsed.acquire(r.Context(), ip) != nil {
		return
	}
	defer s.gitUsed.release(ip)
	select {
	case s.gitSem <- struct{}{}:
		defer func() { <-s.gitSem }()
	case <-r.Context().Done():
		return
	}
	r2 := r.Clone(r.Context())
	r2.URL.Path = "/repo" + rest
	r2.URL.RawPath = ""
	s.git.ServeHTTP(w, r2)
}

// lineLog is an io.Writer that hands each line written to it to logf, at
// most maxLogLine bytes of it. Nothing is held back for a newline that may
// never come (git http-backend ends "Not a git repository: ..." without
// one), so a line split across two writes is logged as two.
type lineLog struct {
	mu     sync.Mutex
	logf   func(string, ...any)
	prefix string
}

const maxLogLine = 4 << 10

func (l *lineLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, line := range strings.Split(string(p), "\n") {
		line = strings.TrimRight(line, "\r")
		if len(line) > maxLogLine {
			line = line[:maxLogLine]
		}
		if line != "" {
			l.logf("%s%s", l.prefix, line)
		}
	}
	return len(p), nil
}
