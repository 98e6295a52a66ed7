package checkout

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"golang.org/x/mod/module"

	"github.com/sprintkit/sprintkit/internal/goenv"
	"github.com/sprintkit/sprintkit/internal/proc"
	"github.com/sprintkit/sprintkit/project"
)

// Downloading dependencies
//
// DownloadGo runs `go mod download` in a Go project. The go command prints
// nothing while it downloads (with -json it prints everything at the end), so
// progress is measured from the outside: the modules listed in go.sum (every
// "path version h1:" line that is not a "/go.mod" line) are the expected
// total, and a module counts as done once its zip sits in the module cache
// ($GOMODCACHE/cache/download/<escaped path>/@v/<version>.zip). go.sum may
// list modules the build does not need, which `go mod download` skips; the
// count jumps to the total when the command finishes.

// DepsResult says what DownloadGo did.
type DepsResult struct {
	Modules  int           `json:"modules"` // modules listed in go.sum
	Cached   int           `json:"cached"`  // of those, already in the module cache before
	Duration time.Duration `json:"-"`
}

// DownloadGo runs `go mod download` in dir with the environment env (nil
// means the current one), calling progress(done, total) as module zips
// arrive in the module cache.
func DownloadGo(ctx context.Context, dir string, env []string, progress func(done, total int)) (*DepsResult, error) {
	start := time.Now()
	if env == nil {
		env = os.Environ()
	}
	mods := goSumModules(dir)
	res := &DepsResult{Modules: len(mods)}
	modcache := goEnv(ctx, dir, env, "GOMODCACHE")
	count := func() int {
		n := 0
		for _, m := range mods {
			if modcache != "" && exists(filepath.Join(modcache, "cache", "download", escapePath(m[0]), "@v", escapePath(m[1])+".zip")) {
				n++
			}
		}
		return n
	}
	res.Cached = count()
	if progress != nil {
		progress(res.Cached, len(mods))
	}
	cmd := proc.Command(ctx, "go", "mod", "download")
	cmd.Dir = dir
	cmd.Env = env
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("go mod download: %w", err)
	}
	waitErr := make(chan error, 1)
	go func() { waitErr <- cmd.Wait() }()
	tick := time.NewTicker(300 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case err := <-waitErr:
			res.Duration = time.Since(start)
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			if err != nil {
				return nil, fmt.Errorf("go mod download: %s", lastLines(stderr.String(), 4))
			}
			if progress != nil {
				progress(len(mods), len(mods))
			}
			return res, nil
		case <-tick.C:
			if progress != nil {
				progress(count(), len(mods))
			}
		}
	}
}

// goSumModules returns the [path, version] pairs of go.sum's module lines,
// and of every go.sum of a workspace's modules.
func goSumModules(dir string) [][2]string {
	files := []string{filepath.Join(dir, "go.sum"), filepath.Join(dir, "go.work.sum")}
	if exists(filepath.Join(dir, "go.work")) {
		w, _ := project.ReadGoWork(dir)
		for _, u := range w.Use {
			files = append(files, filepath.Join(dir, filepath.FromSlash(u), "go.sum"))
		}
	}
	seen := map[[2]string]bool{}
	var out [][2]string
	for _, name := range files {
		f, err := os.Open(name)
		if err != nil {
			continue
		}
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			fields := strings.Fields(sc.Text())
			if len(fields) != 3 || strings.HasSuffix(fields[1], "/go.mod") {
				continue
			}
			k := [2]string{fields[0], fields[1]}
			if !seen[k] {
				seen[k] = true
				out = append(out, k)
			}
		}
		f.Close()
	}
	return out
}

// escapePath escapes a module path or version for the module cache, as
// golang.org/x/mod/module does ("!" before each upper-case letter's
// lower-case form); a path it refuses stays as it is and is not found.
func escapePath(s string) string {
	if e, err := module.EscapePath(s); err == nil {
		return e
	}
	if e, err := module.EscapeVersion(s); err == nil {
		return e
	}
	return s
}

func goEnv(ctx context.Context, dir string, env []string, name string) string {
	vars, _ := goenv.Run(ctx, "go", dir, env)
	return vars[name]
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "; ")
}

func exists(name string) bool {
	_, err := os.Stat(name)
	return err == nil
}
