package checkout

import (
	"context"
	"crypto/rand"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-git/go-git/v5/plumbing/transport"

	"github.com/sprintkit/sprintkit/internal/testkit"
)

func TestCloneFromEveryLocalTransport(t *testing.T) {
	f := newFixture(t)
	srv := testkit.GitHTTP(t, f.root, nil)
	cases := []struct {
		name string
		url  string
	}{
		{"a plain path to a bare repository is cloned", f.bare},
		{"a file:// URL is cloned", "file://" + filepath.ToSlash(f.bare)},
		{"an http URL served by git http-backend is cloned", srv.URL + "/project.git"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dst := filepath.Join(t.TempDir(), "project")
			res, err := Clone(context.Background(), Options{URL: tc.url, Dir: dst, Depth: 1})
			if err != nil {
				t.Fatalf("Clone: %v", err)
			}
			if res.Commit != f.head {
				t.Errorf("commit = %s, want %s", res.Commit, f.head)
			}
			if res.Branch != "main" {
				t.Errorf("branch = %q, want main", res.Branch)
			}
			if res.Files != 5 {
				t.Errorf("files = %d, want 5 (go.mod, demo.go, a/a.go, b/b.go, README.md)", res.Files)
			}
			if res.Subject != "third" {
				t.Errorf("subject = %q, want third", res.Subject)
			}
			if _, err := os.Stat(filepath.Join(dst, "b", "b.go")); err != nil {
				t.Errorf("work tree not checked out: %v", err)
			}
			// Depth 1, one branch, no tags: like git clone --depth 1 --single-branch --no-tags.
			if got := gitRun(t, dst, "rev-list", "--count", "HEAD"); got != "1" {
				t.Errorf("commits in history = %s, want 1 (depth 1)", got)
			}
			if got := gitRun(t, dst, "tag", "--list"); got != "" {
				t.Errorf("tags = %q, want none", got)
			}
			if got := gitRun(t, dst, "branch", "-r"); strings.Contains(got, "feature") {
				t.Errorf("remote branches = %q, want only main", got)
			}
			// The work tree is clean for git itself.
			if got := gitRun(t, dst, "status", "--porcelain"); got != "" {
				t.Errorf("git status not clean after clone:\n%s", got)
			}
		})
	}
}

func TestCloneOptions(t *testing.T) {
	f := newFixture(t)
	srv := testkit.GitHTTP(t, f.root, nil)
	url := srv.URL + "/project.git"

	t.Run("depth 0 fetches the whole history", func(t *testing.T) {
		dst := filepath.Join(t.TempDir(), "p")
		if _, err := Clone(context.Background(), Options{URL: url, Dir: dst, Depth: 0}); err != nil {
			t.Fatal(err)
		}
		if got := gitRun(t, dst, "rev-list", "--count", "HEAD"); got != "3" {
			t.Errorf("commits = %s, want 3", got)
		}
	})
	t.Run("branch checks out that branch", func(t *testing.T) {
		dst := filepath.Join(t.TempDir(), "p")
		res, err := Clone(context.Background(), Options{URL: url, Dir: dst, Depth: 1, Branch: "feature"})
		if err != nil {
			t.Fatal(err)
		}
		if res.Branch != "feature" || res.Commit != f.featureHead {
			t.Errorf("got branch %q commit %s, want feature %s", res.Branch, res.Commit, f.featureHead)
		}
	})
	t.Run("tags fetches the tags of the fetched history", func(t *testing.T) {
		dst := filepath.Join(t.TempDir(), "p")
		if _, err := Clone(context.Background(), Options{URL: url, Dir: dst, Depth: 0, Tags: true}); err != nil {
			t.Fatal(err)
		}
		if got := gitRun(t, dst, "tag", "--list"); got != "v0.1.0" {
			t.Errorf("tags = %q, want v0.1.0", got)
		}
	})
	t.Run("an existing empty destination is used", func(t *testing.T) {
		dst := t.TempDir()
		if _, err := Clone(context.Background(), Options{URL: url, Dir: dst, Depth: 1}); err != nil {
			t.Fatal(err)
		}
	})
}

func TestCloneBadInput(t *testing.T) {
	f := newFixture(t)
	srv := testkit.GitHTTP(t, f.root, nil)
	const token = "s3cr3t-t0ken-value"
	authSrv := testkit.GitHTTP(t, f.root, basicAuth("newcomer", token))
	authURL := strings.Replace(authSrv.URL, "http://", "http://newcomer:wrong-"+token+"@", 1) + "/project.git"

	cases := []struct {
		name     string
		url      string
		branch   string
		kind     ErrorKind
		wantMsg  string
		wantHint string
	}{
		{"a repository that does not exist over http is not found", srv.URL + "/nope.git", "", ErrNotFound, "not found", "check the URL"},
		{"a path that does not exist is not found", filepath.Join(f.root, "nope.git"), "", ErrNotFound, "not found", "check the URL"},
		{"an unreachable host says so", "http://127.0.0.1:1/project.git", "", ErrUnreachable, "cannot reach http://127.0.0.1:1/project.git", "network"},
		{"a protected repository without credentials needs a login", authSrv.URL + "/project.git", "", ErrAuth, "authentication required", "ssh"},
		{"wrong credentials are refused and never printed", authURL, "", ErrAuth, "authentication required", "token"},
		{"a branch that does not exist is named", srv.URL + "/project.git", "no-such-branch", ErrBranchNotFound, `branch "no-such-branch" not found`, "git ls-remote"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dst := filepath.Join(t.TempDir(), "project")
			_, err := Clone(context.Background(), Options{URL: tc.url, Dir: dst, Depth: 1, Branch: tc.branch})
			var ce *Error
			if !errors.As(err, &ce) {
				t.Fatalf("err = %v (%T), want *checkout.Error", err, err)
			}
			if ce.Kind != tc.kind {
				t.Errorf("kind = %d, want %d (msg %q)", ce.Kind, tc.kind, ce.Msg)
			}
			if !strings.Contains(ce.Msg, tc.wantMsg) {
				t.Errorf("msg = %q, want it to contain %q", ce.Msg, tc.wantMsg)
			}
			if !strings.Contains(ce.Hint, tc.wantHint) {
				t.Errorf("hint = %q, want it to contain %q", ce.Hint, tc.wantHint)
			}
			if strings.Contains(ce.Msg+ce.Hint, token) {
				t.Errorf("credentials printed: %q / %q", ce.Msg, ce.Hint)
			}
			if _, err := os.Stat(dst); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("destination left behind after a failed clone: %v", err)
			}
		})
	}
}

func TestCloneWithTokenInURLKeepsItOutOfResults(t *testing.T) {
	f := newFixture(t)
	const token = "ghp_abcdefghijklmnop"
	srv := testkit.GitHTTP(t, f.root, basicAuth("newcomer", token))
	url := strings.Replace(srv.URL, "http://", "http://newcomer:"+token+"@", 1) + "/project.git"
	dst := filepath.Join(t.TempDir(), "project")
	var mu sync.Mutex
	var seen []Progress
	res, err := Clone(context.Background(), Options{URL: url, Dir: dst, Depth: 1, Progress: func(p Progress) {
		mu.Lock()
		seen = append(seen, p)
		mu.Unlock()
	}})
	if err != nil {
		t.Fatalf("Clone with credentials: %v", err)
	}
	if strings.Contains(res.Source, token) || !strings.Contains(res.Source, "***@") {
		t.Errorf("Source = %q, want the token redacted", res.Source)
	}
	// The user's URL is kept as given in .git/config, so they can push.
	cfg, _ := os.ReadFile(filepath.Join(dst, ".git", "config"))
	if !strings.Contains(string(cfg), url) {
		t.Errorf(".git/config does not keep the remote URL as given:\n%s", cfg)
	}
	// Open redacts it again.
	o, err := Open(dst)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(o.Source, token) {
		t.Errorf("Open().Source = %q leaks the token", o.Source)
	}
	if !o.Shallow || o.Commit != f.head {
		t.Errorf("Open = %+v, want shallow at %s", o, f.head)
	}
}

// slowWriter passes the response through in small pieces with a pause, so
// that a clone takes long enough for progress polling and interruption.
type slowWriter struct {
	http.ResponseWriter
	ctx   context.Context
	delay time.Duration
	wrote chan struct{}
	once  sync.Once
}

func (w *slowWriter) Write(b []byte) (int, error) {
	n := 0
	for len(b) > 0 {
		k := min(len(b), 16<<10)
		m, err := w.ResponseWriter.Write(b[:k])
		n += m
		if err != nil {
			return n, err
		}
		if f, ok := w.ResponseWriter.(http.Flusher); ok {
			f.Flush()
		}
		b = b[k:]
		w.once.Do(func() { close(w.wrote) })
		select {
		case <-time.After(w.delay):
		case <-w.ctx.Done():
			return n, w.ctx.Err()
		}
	}
	return n, nil
}

// bigFixture is a repository with 1 MiB of incompressible data, so the pack
// is large enough to watch arrive.
func bigFixture(t *testing.T) (root string) {
	t.Helper()
	work := filepath.Join(t.TempDir(), "src")
	os.MkdirAll(work, 0o755)
	gitRun(t, work, "init", "-q", "-b", "main")
	files := map[string]string{}
	for i := 0; i < 8; i++ {
		b := make([]byte, 128<<10)
		rand.Read(b)
		files[filepath.Join("data", string(rune('a'+i))+".bin")] = string(b)
	}
	commit(t, work, "data", files)
	root = t.TempDir()
	gitRun(t, root, "clone", "-q", "--bare", work, filepath.Join(root, "big.git"))
	return root
}

func slowPack(delay time.Duration, started chan struct{}) func(http.Handler) http.Handler {
	return func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if strings.HasSuffix(r.URL.Path, "/git-upload-pack") {
				sw := &slowWriter{ResponseWriter: w, ctx: r.Context(), delay: delay, wrote: make(chan struct{})}
				go func() {
					select {
					case <-sw.wrote:
						if started != nil {
							close(started)
						}
					case <-r.Context().Done():
					}
				}()
				h.ServeHTTP(sw, r)
				return
			}
			h.ServeHTTP(w, r)
		})
	}
}

func TestCloneReportsProgress(t *testing.T) {
	root := bigFixture(t)
	srv := testkit.GitHTTP(t, root, slowPack(30*time.Millisecond, nil))
	var mu sync.Mutex
	var maxBytes int64
	var maxObjects int
	phases := map[string]bool{}
	dst := filepath.Join(t.TempDir(), "big")
	res, err := Clone(context.Background(), Options{URL: srv.URL + "/big.git", Dir: dst, Depth: 1, Progress: func(p Progress) {
		mu.Lock()
		defer mu.Unlock()
		phases[p.Phase] = true
		maxBytes = max(maxBytes, p.Bytes)
		maxObjects = max(maxObjects, p.TotalObjects)
	}})
	if err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if !phases["receiving"] || maxBytes < 512<<10 {
		t.Errorf("phases %v, max bytes %d: want a receiving phase that saw most of the 1 MiB pack", phases, maxBytes)
	}
	if maxObjects < 10 {
		t.Errorf("total objects = %d, want the server's count (8 blobs, 2 trees, 1 commit)", maxObjects)
	}
	if res.Bytes < 1<<20 {
		t.Errorf("Result.Bytes = %d, want the pack size (> 1 MiB)", res.Bytes)
	}
}

func TestCloneInterruptedRemovesWhatItCreated(t *testing.T) {
	root := bigFixture(t)
	cases := []struct {
		name     string
		existing bool
	}{
		{"a directory the clone created is removed", false},
		{"an empty directory that existed is left empty", true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			started := make(chan struct{})
			srv := testkit.GitHTTP(t, root, slowPack(time.Second, started))
			dst := filepath.Join(t.TempDir(), "big")
			if tc.existing {
				os.Mkdir(dst, 0o755)
			}
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			go func() {
				<-started // the pack is arriving
				cancel()
			}()
			// The server sends the 1 MiB pack at 16 KiB a second: a clone
			// that ignored the cancel would run for over a minute.
			_, err := Clone(ctx, Options{URL: srv.URL + "/big.git", Dir: dst, Depth: 1})
			var ce *Error
			if !errors.As(err, &ce) || ce.Kind != ErrInterrupted || !errors.Is(err, context.Canceled) {
				t.Fatalf("err = %v, want an interrupted *Error wrapping context.Canceled", err)
			}
			ents, statErr := os.ReadDir(dst)
			switch {
			case tc.existing && (statErr != nil || len(ents) != 0):
				t.Errorf("existing destination: err %v, %d entries left; want it there and empty", statErr, len(ents))
			case !tc.existing && !errors.Is(statErr, os.ErrNotExist):
				t.Errorf("created destination still there (%v, %d entries)", statErr, len(ents))
			}
		})
	}
}

func TestCloneRefusesNonEmptyDestination(t *testing.T) {
	f := newFixture(t)
	dst := t.TempDir()
	keep := filepath.Join(dst, "notes.txt")
	os.WriteFile(keep, []byte("mine"), 0o644)
	_, err := Clone(context.Background(), Options{URL: f.bare, Dir: dst, Depth: 1})
	var ce *Error
	if !errors.As(err, &ce) || ce.Kind != ErrDestination || !strings.Contains(ce.Msg, "not empty") {
		t.Fatalf("err = %v, want a destination error", err)
	}
	ents, _ := os.ReadDir(dst)
	if len(ents) != 1 {
		t.Errorf("destination has %d entries, want only the user's file", len(ents))
	}
	if b, _ := os.ReadFile(keep); string(b) != "mine" {
		t.Errorf("user's file changed: %q", b)
	}
}

func TestExplainTurnsBareErrorsIntoAdvice(t *testing.T) {
	cases := []struct {
		name string
		err  error
		want string
		hint string
	}{
		{"entry not found points at a stale .gitmodules entry", errors.New("entry not found"), ".gitmodules", "git clone"},
		{"object not found suggests the whole history", errors.New("object not found"), "object missing", "--depth 0"},
		{"authorization failed says the token was refused", transport.ErrAuthorizationFailed, "refused the credentials", "token"},
		{"an empty remote says it has no commits", transport.ErrEmptyRemoteRepository, "no commits", "organisers"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			// go-git returns its sentinel errors; match them as it does.
			err := tc.err
			switch tc.err.Error() {
			case "entry not found":
				err = wrapSentinel("entry")
			case "object not found":
				err = wrapSentinel("object")
			}
			e := explain(err, Options{URL: "https://user:secret-token@example.com/org/p.git"}).(*Error)
			if !strings.Contains(e.Msg, tc.want) || !strings.Contains(e.Hint, tc.hint) {
				t.Errorf("got %q / %q, want %q / %q", e.Msg, e.Hint, tc.want, tc.hint)
			}
			if strings.Contains(e.Msg+e.Hint, "secret-token") {
				t.Errorf("token printed: %q", e.Msg)
			}
		})
	}
}

func TestCloneFromACorruptServerRepositorySaysItIsTheServer(t *testing.T) {
	f := newFixture(t)
	// A bare copy with loose objects, one blob deleted: git upload-pack
	// then aborts "due to possible repository corruption".
	broken := filepath.Join(t.TempDir(), "broken.git")
	gitRun(t, "", "clone", "-q", "--bare", "--no-hardlinks", f.work, broken)
	blob := gitRun(t, f.work, "rev-parse", "HEAD:README.md")
	if err := os.Remove(filepath.Join(broken, "objects", blob[:2], blob[2:])); err != nil {
		t.Skipf("the blob is not a loose object here: %v", err)
	}
	dst := filepath.Join(t.TempDir(), "p")
	_, err := Clone(context.Background(), Options{URL: broken, Dir: dst, Depth: 1})
	var ce *Error
	if !errors.As(err, &ce) || ce.Kind != ErrCorrupt || !strings.Contains(ce.Msg, "problem on its side") || !strings.Contains(ce.Hint, "nothing is wrong on your machine") {
		t.Fatalf("err = %v, want the server's corruption explained", err)
	}
	if _, err := os.Stat(dst); !errors.Is(err, os.ErrNotExist) {
		t.Error("destination left behind")
	}
}
