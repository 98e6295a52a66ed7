package checkout

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

// goEnvForDeps is the environment of the go command with the shared module
// cache and no network: modules come from the cache or not at all.
func goEnvForDeps(t *testing.T) []string {
	t.Helper()
	if _, err := exec.LookPath("go"); err != nil {
		testkit.Missing(t, "go not installed")
	}
	out, err := exec.Command("go", "env", "GOMODCACHE").Output()
	if err != nil {
		t.Fatal(err)
	}
	return append(os.Environ(), "GOMODCACHE="+strings.TrimSpace(string(out)), "GOPROXY=off", "GOFLAGS=-mod=mod", "GOTOOLCHAIN=local", "GOWORK=off")
}

func TestDownloadGo(t *testing.T) {
	env := goEnvForDeps(t)
	// golang.org/x/sync v0.25.0 is a dependency of sprintkit itself, so it
	// is in the module cache of any machine that built these tests.
	cached := map[string]string{
		"go.mod": "module example.com/deps\n\ngo 1.22\n\nrequire golang.org/x/sync v0.25.0\n",
		"go.sum": "golang.org/x/sync v0.25.0 h1:dJnifr0nMV8/SBnBvdo4eSGGnrc3O4FFx6IqvtLcmRs=\n" +
			"golang.org/x/sync v0.25.0/go.mod h1:sUUOizhqBxiL6pEWpqNLUiaJn1ShEbZ6BBqskPbjZm0=\n",
		"main.go": "package main\n\nimport _ \"golang.org/x/sync/errgroup\"\n\nfunc main() {}\n",
	}
	t.Run("a module in the cache is downloaded with progress and counted as cached", func(t *testing.T) {
		dir := writeTree(t, cached)
		var mu sync.Mutex
		var last [2]int
		res, err := DownloadGo(context.Background(), dir, env, func(done, total int) {
			mu.Lock()
			last = [2]int{done, total}
			mu.Unlock()
		})
		if err != nil {
			t.Fatal(err)
		}
		if res.Modules != 1 || res.Cached != 1 {
			t.Errorf("modules %d, cached %d; want 1 and 1", res.Modules, res.Cached)
		}
		if last != [2]int{1, 1} {
			t.Errorf("last progress %v, want [1 1]", last)
		}
	})
	t.Run("a module that is not there fails with the go command's reason", func(t *testing.T) {
		dir := writeTree(t, map[string]string{
			"go.mod":  "module example.com/deps\n\ngo 1.22\n\nrequire example.com/not/there v1.0.0\n",
			"go.sum":  "example.com/not/there v1.0.0 h1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n",
			"main.go": "package main\n\nimport _ \"example.com/not/there\"\n\nfunc main() {}\n",
		})
		_, err := DownloadGo(context.Background(), dir, env, nil)
		if err == nil || !strings.Contains(err.Error(), "go mod download") || !strings.Contains(err.Error(), "GOPROXY=off") {
			t.Fatalf("err = %v, want go mod download's GOPROXY=off failure", err)
		}
	})
	t.Run("a cancelled context stops the download", func(t *testing.T) {
		dir := writeTree(t, cached)
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if _, err := DownloadGo(ctx, dir, env, nil); err == nil {
			t.Fatal("no error from a cancelled download")
		}
	})
}

func TestEscapePath(t *testing.T) {
	for in, want := range map[string]string{
		"github.com/BurntSushi/toml": "github.com/!burnt!sushi/toml",
		"golang.org/x/sync":          "golang.org/x/sync",
		"v1.0.0-RC1":                 "v1.0.0-!r!c1",
	} {
		if got := escapePath(in); got != want {
			t.Errorf("escapePath(%q) = %q, want %q", in, got, want)
		}
	}
}

func writeTree(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, body := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}
