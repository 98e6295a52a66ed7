package image

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/sprintkit/sprintkit/copier"
	"github.com/sprintkit/sprintkit/internal/goenv"
	"github.com/sprintkit/sprintkit/internal/human"
	"github.com/sprintkit/sprintkit/internal/state"
)

// BuildCacheDir holds, in an image, the Go build cache of the staging test
// run (see the package doc).
const BuildCacheDir = "gocache"

// BuildCacheFlags are the go test flags the staged build cache is built
// with; a test run that wants its hits passes them too. -trimpath keeps the
// checkout's and the module cache's directories out of the compile action
// IDs, so that the entries match wherever the newcomer's checkout lives.
var BuildCacheFlags = []string{"-trimpath"}

// NoTestCacheFlag keeps go test from reading or writing cached test
// results: the image's baseline run is made with it, so its build cache
// holds no test results, and so is the newcomer's baseline run, so that
// the outcomes it records are those of the newcomer's machine.
const NoTestCacheFlag = "-count=1"

// BuildCacheInfo is the manifest's description of gocache/.
type BuildCacheInfo struct {
	// GoVersion, GOOS and GOARCH are `go env GOVERSION GOOS GOARCH` of the
	// staging test run: another go, OS or architecture would find nothing.
	GoVersion string `json:"go_version"`
	GOOS      string `json:"goos"`
	GOARCH    string `json:"goarch"`
	// Flags are the go test build flags the entries were built with.
	Flags []string `json:"flags"`
	// Entries counts the cache's files.
	Entries int `json:"entries"`
}

// BuildCacheResult says what setup did with the image's build cache.
type BuildCacheResult struct {
	// Used is true when the image's entries seeded Cache, the checkout's
	// own GOCACHE (Added of them were missing there; Present already
	// were).
	Used    bool   `json:"used"`
	Entries int    `json:"entries"`
	Added   int    `json:"added"`
	Present int    `json:"present"`
	Cache   string `json:"cache,omitempty"`
	// Flags are the go test flags a run needs to hit the entries.
	Flags []string `json:"flags,omitempty"`
	// Reason says why the cache was not used.
	Reason string `json:"reason,omitempty"`
}

// String is the line setup prints.
func (r *BuildCacheResult) String() string {
	if r.Used {
		return fmt.Sprintf("%s entries from the image (%s new) in %s, this checkout's own GOCACHE (removed with it; no other project uses it)", human.Int(r.Entries), human.Int(r.Added), r.Cache)
	}
	return "not used: " + r.Reason
}

// goBuildEnv is `go env GOVERSION GOOS GOARCH GOCACHE` in dir with env.
func goBuildEnv(ctx context.Context, dir string, env []string) (version, goos, goarch, cache string, err error) {
	v, err := goenv.Run(ctx, "go", dir, env)
	return v["GOVERSION"], v["GOOS"], v["GOARCH"], v["GOCACHE"], err
}

// captureBuildCache copies the entries of the build cache gocache (the
// staging test run's, fresh) into the image's gocache/ and describes them;
// nil, and no gocache/, when the run left none.
func captureBuildCache(ctx context.Context, gocache, out, version, goos, goarch string, workers int) (*BuildCacheInfo, error) {
	dst := filepath.Join(out, BuildCacheDir)
	// Only the entries: the go command's README, trim and test-expiry
	// stamps and its fuzzing corpus are the organiser's.
	_, err := copier.Copy(ctx, gocache, dst, copier.Options{
		Workers: workers,
		Exclude: []string{"/README", "/trim.txt", "/testexpire.txt", "/fuzz/", "*.tmp"},
		Delete:  true,
	})
	if err != nil {
		return nil, fmt.Errorf("copy the build cache to %s: %w", dst, err)
	}
	n := 0
	err = filepath.WalkDir(dst, func(p string, d fs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			n++
		}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("count the build cache in %s: %w", dst, err)
	}
	if n == 0 {
		return nil, os.RemoveAll(dst)
	}
	return &BuildCacheInfo{GoVersion: version, GOOS: goos, GOARCH: goarch, Flags: BuildCacheFlags, Entries: n}, nil
}

// planBuildCache decides whether the image's build cache suits the go
// command of the newcomer (run in dir with env): the same Go version, OS
// and architecture. Its entries go to the checkout's own GOCACHE, never to
// the user's: an action ID maps to any output and the go command checks
// only the output's size, so an entry the user's go did not compute must
// not reach a cache other projects use. The result says why not, when it
// does not suit.
func planBuildCache(ctx context.Context, dir string, env []string, m *Manifest) *BuildCacheResult {
	bc := m.BuildCache
	if bc == nil {
		return &BuildCacheResult{Reason: "the image holds no build cache (staged with --no-build-cache, without running the tests, or by an older sprintkit)"}
	}
	res := &BuildCacheResult{Entries: bc.Entries}
	version, goos, goarch, _, err := goBuildEnv(ctx, dir, env)
	switch {
	case err != nil:
		res.Reason = fmt.Sprintf("go env failed: %v", err)
	case version != bc.GoVersion || goos != bc.GOOS || goarch != bc.GOARCH:
		res.Reason = fmt.Sprintf("the image's build cache is for %s %s/%s, this go is %s %s/%s", bc.GoVersion, bc.GOOS, bc.GOARCH, version, goos, goarch)
	default:
		res.Used, res.Cache, res.Flags = true, state.Path(dir, CheckoutBuildCache), bc.Flags
	}
	return res
}

// seedBuildCache adds the image's build cache entries (as m lists them)
// that res.Cache, the checkout's own GOCACHE, lacks. The go command's cache is content-addressed: an
// entry's name is the hash of what it describes, so an existing file is
// kept whatever it holds and nothing is deleted or overwritten. New files
// get the current time as their modification time, which the go command
// reads as their last use when it trims the cache.
func seedBuildCache(ctx context.Context, img string, m *Manifest, res *BuildCacheResult) error {
	prefix := BuildCacheDir + "/"
	for _, e := range m.Files {
		rel, ok := strings.CutPrefix(e.Path, prefix)
		if !ok {
			continue
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		dst := filepath.Join(res.Cache, filepath.FromSlash(rel))
		if e.Type == TypeDir {
			if err := os.MkdirAll(dst, 0o777); err != nil {
				return fmt.Errorf("seed the build cache: %w", err)
			}
			continue
		}
		if !e.IsFile() {
			continue
		}
		if _, err := os.Lstat(dst); err == nil {
			res.Present++
			continue
		} else if !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("seed the build cache: %w", err)
		}
		if err := os.MkdirAll(filepath.Dir(dst), 0o777); err != nil {
			return fmt.Errorf("seed the build cache: %w", err)
		}
		fe := e
		fe.MTime = 0
		fe.Mode = "0644"
		// An entry that appeared meanwhile (another go command wrote it) is
		// kept whatever it holds: its name is the hash of its inputs.
		created, err := addFile(filepath.Join(img, filepath.FromSlash(e.Path)), dst, fe, "build cache")
		if errors.Is(err, errAppeared) {
			created, err = false, nil
		}
		if err != nil {
			return err
		}
		if created {
			res.Added++
		} else {
			res.Present++
		}
	}
	return nil
}
