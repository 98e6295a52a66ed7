package image

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"

	"github.com/sprintkit/sprintkit/project"
)

// SourceModule is sprintkit's own module path.
const SourceModule = "github.com/sprintkit/sprintkit"

// ErrNoSource is returned by SourceDir when sprintkit's source cannot be
// found, so no binary can be cross-built.
var ErrNoSource = errors.New("sprintkit's source is not available: this binary was built outside its source tree (or with -trimpath), so it cannot cross-build itself; set SPRINTKIT_SRC to a checkout of sprintkit")

// SourceDir returns the root of the sprintkit source this binary was built
// from: $SPRINTKIT_SRC when set, else the directory the compiler saw this
// file in, when it still holds sprintkit's go.mod.
func SourceDir() (string, error) {
	if d := os.Getenv("SPRINTKIT_SRC"); d != "" {
		if isSprintkitSource(d) {
			return d, nil
		}
		return "", fmt.Errorf("SPRINTKIT_SRC=%s: no go.mod of %s there", d, SourceModule)
	}
	_, file, _, ok := runtime.Caller(0)
	if !ok || !filepath.IsAbs(file) {
		return "", ErrNoSource
	}
	dir := filepath.Dir(filepath.Dir(file))
	if !isSprintkitSource(dir) {
		return "", ErrNoSource
	}
	return dir, nil
}

func isSprintkitSource(dir string) bool {
	g, err := project.ReadGoMod(dir)
	return err == nil && g.Module == SourceModule
}

var platformRE = regexp.MustCompile(`^[a-z0-9]+/[a-z0-9]+$`)

// ParsePlatforms splits "linux/amd64,darwin/arm64" into platforms, checking
// each against `go tool dist list`'s form.
func ParsePlatforms(s string) ([]string, error) {
	var out []string
	seen := map[string]bool{}
	for _, p := range strings.Split(s, ",") {
		p = strings.TrimSpace(p)
		if p == "" {
			continue
		}
		if !platformRE.MatchString(p) {
			return nil, fmt.Errorf("platform %q: want GOOS/GOARCH, like linux/amd64", p)
		}
		if !seen[p] {
			seen[p] = true
			out = append(out, p)
		}
	}
	return out, nil
}

// PlatformBinary returns the image-relative path of the binary for platform
// ("bin/windows-amd64/sprintkit.exe").
func PlatformBinary(platform string) string {
	goos, goarch, _ := strings.Cut(platform, "/")
	return BinDir + "/" + goos + "-" + goarch + "/" + exeName(goos)
}

// HostBinary returns the image-relative path of bin/sprintkit for this OS.
func HostBinary() string { return BinDir + "/" + exeName(runtime.GOOS) }

// CrossBuild builds sprintkit from src for platform into dst (atomically:
// a temporary file renamed into place), with CGO off, -trimpath, and the
// version stamped in.
func CrossBuild(ctx context.Context, src, dst, platform, version string, env []string) error {
	goos, goarch, _ := strings.Cut(platform, "/")
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return fmt.Errorf("build %s: %w", platform, err)
	}
	tmp := filepath.Join(filepath.Dir(dst), ".build.tmp-"+filepath.Base(dst))
	env = setEnv(env, "GOOS", goos)
	env = setEnv(env, "GOARCH", goarch)
	env = setEnv(env, "CGO_ENABLED", "0")
	env = setEnv(env, "GOWORK", "off")
	// Build on copies of go.mod and go.sum: go may complete them, and the
	// sprintkit source (perhaps the very checkout being staged) must stay
	// untouched.
	mods, err := os.MkdirTemp("", "sprintkit-build-modfile-")
	if err != nil {
		return fmt.Errorf("build %s: %w", platform, err)
	}
	defer os.RemoveAll(mods)
	for _, name := range []string{"go.mod", "go.sum"} {
		if err := copySmall(filepath.Join(src, name), filepath.Join(mods, name)); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("build %s: %w", platform, err)
		}
	}
	env = setEnv(env, "GOFLAGS", "-mod=mod -modfile="+filepath.Join(mods, "go.mod"))
	args := []string{"build", "-trimpath", "-o", tmp}
	if version != "" {
		args = append(args, "-ldflags", "-X main.version="+version)
	}
	args = append(args, "./cmd/sprintkit")
	if _, err := goCmdOutput(ctx, src, env, args...); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("build sprintkit for %s: %w", platform, err)
	}
	if err := os.Rename(tmp, dst); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("build sprintkit for %s: %w", platform, err)
	}
	return nil
}

// copyFileAtomic copies src to dst with its mode and modification time,
// through a temporary file; it does nothing when dst already has src's size
// and modification time, and reports whether it copied.
func copyFileAtomic(src, dst string) (bool, error) {
	sfi, err := os.Stat(src)
	if err != nil {
		return false, err
	}
	if dfi, err := os.Stat(dst); err == nil && dfi.Size() == sfi.Size() && dfi.ModTime().Equal(sfi.ModTime()) {
		return false, nil
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return false, err
	}
	in, err := os.Open(src)
	if err != nil {
		return false, err
	}
	defer in.Close()
	tmp, err := os.CreateTemp(filepath.Dir(dst), "."+filepath.Base(dst)+".tmp-*")
	if err != nil {
		return false, err
	}
	ok := false
	defer func() {
		if !ok {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if _, err := io.Copy(tmp, in); err != nil {
		return false, err
	}
	if err := tmp.Chmod(sfi.Mode().Perm() | 0o111); err != nil {
		return false, err
	}
	if err := tmp.Close(); err != nil {
		return false, err
	}
	if err := os.Chtimes(tmp.Name(), sfi.ModTime(), sfi.ModTime()); err != nil {
		return false, err
	}
	if err := os.Rename(tmp.Name(), dst); err != nil {
		return false, err
	}
	ok = true
	return true, nil
}
