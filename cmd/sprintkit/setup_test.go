package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/sprintkit/sprintkit/internal/testkit"
)

// Tests of setup against git's smart HTTP protocol, served on 127.0.0.1 by
// the real `git http-backend` through net/http/cgi.

// scriptToken is the password the protected server accepts.
const scriptToken = "tok-s3cret-123"

func requireAuth(user, pass string, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if u, p, ok := r.BasicAuth(); !ok || u != user || p != pass {
			w.Header().Set("WWW-Authenticate", `Basic realm="git"`)
			http.Error(w, "authentication required", http.StatusUnauthorized)
			return
		}
		h.ServeHTTP(w, r)
	})
}

// TestSetupHTTPScripts runs testdata/script_http with two servers per
// script over $WORK/srv: $GITURL (open) and $AUTHURL (basic auth, user
// "newcomer", password $TOKEN).
func TestSetupHTTPScripts(t *testing.T) {
	p := scriptParams(t, "testdata/script_http")
	base := p.Setup
	p.Setup = func(env *testscript.Env) error {
		if err := base(env); err != nil {
			return err
		}
		root := filepath.Join(env.WorkDir, "srv")
		if err := os.MkdirAll(root, 0o755); err != nil {
			return err
		}
		// Repositories named stall*.git never send their pack: the server
		// notes that the clone is under way in $WORK/stall-started and
		// waits for the client to hang up.
		backend := testkit.GitBackend(t, root)
		marker := filepath.Join(env.WorkDir, "stall-started")
		quit := make(chan struct{})
		open := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if strings.Contains(r.URL.Path, "/stall") && strings.HasSuffix(r.URL.Path, "/git-upload-pack") {
				os.WriteFile(marker, nil, 0o644)
				select {
				case <-r.Context().Done():
				case <-quit: // the script ends (its background commands may still run)
				}
				return
			}
			backend.ServeHTTP(w, r)
		}))
		auth := httptest.NewServer(requireAuth("newcomer", scriptToken, testkit.GitBackend(t, root)))
		env.Defer(func() { close(quit); open.CloseClientConnections(); open.Close() })
		env.Defer(auth.Close)
		env.Setenv("GITURL", open.URL)
		env.Setenv("AUTHURL", auth.URL)
		env.Setenv("AUTHHOST", strings.TrimPrefix(auth.URL, "http://"))
		env.Setenv("TOKEN", scriptToken)
		return nil
	}
	p.Cmds = map[string]func(ts *testscript.TestScript, neg bool, args []string){
		// waitfile FILE waits up to a minute for FILE to exist.
		"waitfile": func(ts *testscript.TestScript, neg bool, args []string) {
			if neg || len(args) != 1 {
				ts.Fatalf("usage: waitfile FILE")
			}
			deadline := time.Now().Add(time.Minute)
			for {
				if _, err := os.Stat(ts.MkAbs(args[0])); err == nil {
					return
				}
				if time.Now().After(deadline) {
					ts.Fatalf("%s did not appear within a minute", args[0])
				}
				time.Sleep(20 * time.Millisecond)
			}
		},
	}
	testscript.Run(t, p)
}

// stallingPack serves git-upload-pack's answer 16 KiB at a time, a second
// apart, and closes started when the first piece has gone out.
func stallingPack(h http.Handler, started chan struct{}) http.Handler {
	var once sync.Once
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasSuffix(r.URL.Path, "/git-upload-pack") {
			h.ServeHTTP(w, r)
			return
		}
		h.ServeHTTP(&stallWriter{ResponseWriter: w, ctx: r.Context(), first: func() { once.Do(func() { close(started) }) }}, r)
	})
}

type stallWriter struct {
	http.ResponseWriter
	ctx   context.Context
	first func()
}

func (w *stallWriter) Write(b []byte) (int, error) {
	n := 0
	for len(b) > 0 {
		k := min(len(b), 16<<10)
		m, err := w.ResponseWriter.Write(b[:k])
		n += m
		if err != nil {
			return n, err
		}
		w.ResponseWriter.(http.Flusher).Flush()
		b = b[k:]
		w.first()
		select {
		case <-time.After(time.Second):
		case <-w.ctx.Done():
			return n, w.ctx.Err()
		}
	}
	return n, nil
}

func gitT(t *testing.T, dir string, args ...string) {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1", "HOME="+dir,
		"GIT_AUTHOR_NAME=T", "GIT_AUTHOR_EMAIL=t@example.com", "GIT_COMMITTER_NAME=T", "GIT_COMMITTER_EMAIL=t@example.com")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("git %v: %v\n%s", args, err, out)
	}
}

func TestSetupInterruptedCloneLeavesNoDirectory(t *testing.T) {
	work := filepath.Join(t.TempDir(), "src")
	os.MkdirAll(filepath.Join(work, "data"), 0o755)
	gitT(t, work, "init", "-q", "-b", "main")
	for _, n := range []string{"a", "b", "c", "d"} {
		b := make([]byte, 256<<10)
		rand.Read(b)
		os.WriteFile(filepath.Join(work, "data", n), b, 0o644)
	}
	os.WriteFile(filepath.Join(work, "go.mod"), []byte("module example.com/big\n\ngo 1.22\n"), 0o644)
	gitT(t, work, "add", "-A")
	gitT(t, work, "commit", "-q", "-m", "data")
	root := t.TempDir()
	gitT(t, root, "clone", "-q", "--bare", work, filepath.Join(root, "big.git"))

	started := make(chan struct{})
	srv := httptest.NewServer(stallingPack(testkit.GitBackend(t, root), started))
	defer srv.Close()

	dst := filepath.Join(t.TempDir(), "big")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		<-started // the pack is arriving: the user presses Ctrl-C
		cancel()
	}()
	var stdout, stderr bytes.Buffer
	code := run(ctx, []string{"sprintkit", "setup", srv.URL + "/big.git", "--dir", dst}, &stdout, &stderr)
	if code != 130 {
		t.Errorf("exit code %d, want 130 (interrupted)\nstderr:\n%s", code, stderr.String())
	}
	if !strings.Contains(stderr.String(), "sprintkit: interrupted") {
		t.Errorf("stderr does not say it was interrupted:\n%s", stderr.String())
	}
	if _, err := os.Stat(dst); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the directory setup created is still there after the interrupt (%v)", err)
	}
}
