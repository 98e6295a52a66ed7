package image

import (
	"context"
	"errors"
	"fmt"
	"go/version"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/sprintkit/sprintkit/internal/goenv"
	"github.com/sprintkit/sprintkit/internal/human"

	"github.com/sprintkit/sprintkit/copier"
	"github.com/sprintkit/sprintkit/internal/state"
)

// SetupOptions says which image to set up from, and where.
type SetupOptions struct {
	Image string // the image directory
	Dir   string // the new checkout; must be missing or empty
	// Env is the user's environment (os.Environ() when nil): its
	// GOMODCACHE, GOPROXY and GONOSUMDB are kept behind the image's.
	Env     []string
	Workers int
	// NoBuildCache leaves the image's build cache out of GOCACHE.
	NoBuildCache bool
	// Step is called when a step starts ("toolchain", "verify", "repo",
	// "modules", "env") with a line for a person.
	Step         func(step, msg string)
	HashProgress func(HashProgress)
	CopyProgress func(step string, p copier.Progress)
}

// SetupResult says what SetupFromImage did.
type SetupResult struct {
	Manifest  *Manifest
	Dir       string // absolute
	Toolchain ToolchainCheck
	ModCache  string
	// ModCacheFallback is set when the user's own module cache was not
	// writable and a cache inside the checkout was used instead.
	ModCacheFallback bool
	Env              []EnvVar
	EnvFile          string
	Repo, Modules    copier.Stats
	// BuildCache says whether the image's Go build cache was added to the
	// user's GOCACHE, and why not; nil for a project without go.mod.
	BuildCache *BuildCacheResult
	Warnings   []string
	// StepSeconds is the time each step took ("toolchain", "verify",
	// "repo", "modules", "env", "buildcache", "resolve").
	StepSeconds map[string]float64
}

// ToolchainError is returned when the local go is missing or older than the
// image's go line; it is reported before anything is written.
type ToolchainError struct{ Check ToolchainCheck }

func (e *ToolchainError) Error() string { return e.Check.Problem }

// DestinationError is returned when the destination is not empty.
type DestinationError struct{ Dir string }

func (e *DestinationError) Error() string {
	return fmt.Sprintf("destination %s is not empty; setup copies the project into a new or empty directory", e.Dir)
}

// SetupFromImage sets up a checkout from an image with no network: it
// checks the toolchain and the destination, verifies the image's whole
// tree against its manifest (a changed, missing or extra file, directory
// or symlink, or a symlink leading out of repo/, is a *VerifyError), and
// compares the image's modules with the user's module cache (an entry
// there with other content or of another type is a *ModCacheError); in
// either case nothing is written. Then it copies the repository, adds the
// image's modules to the module cache — only what is missing: nothing
// there is deleted or replaced — and writes .sprintkit/env. When the
// image's build cache suits the local go (same version, OS and
// architecture), its entries are added to the user's GOCACHE the same way;
// SetupResult.BuildCache says which, and the flags a test run needs to hit
// them.
//
// Running the baseline and the report is left to the caller, with
// Environ(os.Environ(), res.Env).
func SetupFromImage(ctx context.Context, opts SetupOptions) (*SetupResult, error) {
	steps := map[string]float64{}
	cur, curStart := "", time.Now()
	endStep := func() {
		if cur != "" {
			steps[cur] += time.Since(curStart).Seconds()
		}
		cur = ""
	}
	step := func(s, format string, args ...any) {
		endStep()
		cur, curStart = s, time.Now()
		if opts.Step != nil {
			opts.Step(s, fmt.Sprintf(format, args...))
		}
	}
	env := opts.Env
	if env == nil {
		env = os.Environ()
	}
	img, err := filepath.Abs(opts.Image)
	if err != nil {
		return nil, err
	}
	// The image's own directory may be reached through a link (a mount
	// point, /tmp on macOS); what is below it is verified.
	if real, err := filepath.EvalSymlinks(img); err == nil {
		img = real
	}
	m, err := ReadManifest(img)
	if err != nil {
		return nil, err
	}
	res := &SetupResult{Manifest: m, StepSeconds: steps}
	defer endStep()
	if opts.Dir == "" {
		return nil, errors.New("no destination: pass --dir")
	}
	if res.Dir, err = filepath.Abs(opts.Dir); err != nil {
		return nil, err
	}

	// Cheap checks first, so a newcomer hears about them at once.
	if m.Go != "" {
		step("toolchain", "checking the local go against go %s", m.Go)
		res.Toolchain = CheckToolchain(ctx, env, m.Go)
		if !res.Toolchain.OK {
			return res, &ToolchainError{Check: res.Toolchain}
		}
		if m.Toolchain != "" && version.IsValid(m.Toolchain) && version.IsValid(res.Toolchain.Local) && version.Compare(res.Toolchain.Local, m.Toolchain) < 0 {
			res.Warnings = append(res.Warnings, fmt.Sprintf("go.mod prefers toolchain %s; using the local %s instead (GOTOOLCHAIN=local), which its go line allows", m.Toolchain, res.Toolchain.Local))
		}
	}
	if err := checkEmpty(res.Dir); err != nil {
		return res, err
	}
	if rel, err := filepath.Rel(img, res.Dir); err == nil && !strings.HasPrefix(rel, "..") {
		return res, fmt.Errorf("destination %s is inside the image %s; choose a directory outside it", res.Dir, img)
	}
	hasModules := m.Go != "" && exists(filepath.Join(img, filepath.FromSlash(ProxyDir)))
	var userProxy, userNoSum string
	if hasModules {
		res.ModCache, userProxy, userNoSum = goEnv3(ctx, env)
		if res.ModCache == "" || !writableDir(res.ModCache) {
			res.ModCacheFallback = true
			res.ModCache = filepath.Join(res.Dir, state.DirName, "gomod")
			res.Warnings = append(res.Warnings, "your module cache is not writable; using "+res.ModCache+" instead")
		}
	}

	// 1. Verify the whole tree against the manifest, both ways, and plan
	// the module cache: a difference or a conflict stops setup before
	// anything is written.
	files := 0
	for _, f := range m.Files {
		if f.IsFile() {
			files++
		}
	}
	step("verify", "verifying %d files (%s) and every directory and symlink against manifest.json", files, human.Bytes(m.TotalBytes))
	if err := Verify(ctx, img, m, VerifyOptions{Workers: opts.Workers, Progress: opts.HashProgress}); err != nil {
		return res, err
	}
	var plan *ModCachePlan
	if hasModules {
		if plan, err = PlanModCache(img, m, res.ModCache); err != nil {
			return res, err
		}
	}

	// 2. The repository.
	step("repo", "copying the repository to %s", res.Dir)
	res.Repo, err = copier.Copy(ctx, filepath.Join(img, RepoDir), res.Dir, copier.Options{
		Workers:  opts.Workers,
		Progress: progressFor(opts.CopyProgress, "repo"),
	})
	if err != nil {
		return res, fmt.Errorf("copy the repository to %s: %w", res.Dir, err)
	}
	if _, err := state.Ensure(res.Dir); err != nil {
		return res, err
	}

	// 3. Modules and the environment.
	if hasModules {
		step("modules", "adding the image's modules to the module cache %s (nothing there is replaced)", res.ModCache)
		res.Modules, err = plan.Seed(ctx, progressFor(opts.CopyProgress, "modules"))
		if err != nil {
			return res, fmt.Errorf("seed the module cache %s: %w", res.ModCache, err)
		}
		if userProxy == "" {
			userProxy = goenv.Get(env, "GOPROXY")
		}
		res.Env = NewcomerEnv(res.ModCache, userProxy, userNoSum, m.ModulePaths())
		res.EnvFile = state.Path(res.Dir, state.EnvFile)
		step("env", "writing %s", res.EnvFile)
		if err := state.WriteFile(res.EnvFile, func(w io.Writer) error { return WriteEnv(w, res.Env) }); err != nil {
			return res, err
		}

		// The image's build cache, when this go can use it: only added,
		// never replacing an entry.
		res.BuildCache = planBuildCache(ctx, res.Dir, Environ(env, res.Env), m)
		if opts.NoBuildCache && res.BuildCache.Used {
			res.BuildCache = &BuildCacheResult{Entries: m.BuildCache.Entries, Reason: "--no-build-cache"}
		}
		if res.BuildCache.Used {
			step("buildcache", "adding the image's %s Go build cache entries to %s (nothing there is replaced)", human.Int(m.BuildCache.Entries), res.BuildCache.Cache)
			if err := seedBuildCache(ctx, img, m, res.BuildCache); err != nil {
				return res, err
			}
		}

		// Resolve every package the tests need, once and alone: it proves
		// the image suffices with the network off, extracts the modules,
		// and settles go.mod and go.sum before the test run's go commands
		// run side by side.
		step("resolve", "resolving every package the build and tests need, offline")
		before := readBoth(res.Dir)
		// go mod download extracts the modules go.mod lists in parallel,
		// which go list, finding imports one by one, does not.
		if _, err := goCmdOutput(ctx, res.Dir, Environ(env, res.Env), "mod", "download"); err != nil {
			return res, &ResolveError{Err: err}
		}
		if _, err := goCmdOutput(ctx, res.Dir, Environ(env, res.Env), "list", "-deps", "-test", "./..."); err != nil {
			return res, &ResolveError{Err: err}
		}
		if after := readBoth(res.Dir); after != before {
			res.Warnings = append(res.Warnings, "go completed go.mod or go.sum in the checkout (the project's own are not tidy); git status shows the change")
		}
	}
	return res, nil
}

// ResolveError is returned when the go command cannot resolve the project's
// packages from the image's modules with the network off.
type ResolveError struct{ Err error }

func (e *ResolveError) Error() string {
	return "resolve the project's packages offline: " + e.Err.Error()
}

func (e *ResolveError) Unwrap() error { return e.Err }

func readBoth(dir string) string {
	a, _ := os.ReadFile(filepath.Join(dir, "go.mod"))
	b, _ := os.ReadFile(filepath.Join(dir, "go.sum"))
	return string(a) + "\x00" + string(b)
}

// goEnv3 returns the user's GOMODCACHE, GOPROXY and GONOSUMDB as go sees
// them (with GOTOOLCHAIN=local so that nothing is downloaded).
func goEnv3(ctx context.Context, env []string) (modcache, proxy, nosumdb string) {
	v, err := goenv.Run(ctx, "go", "", setEnv(env, "GOTOOLCHAIN", "local"))
	if err != nil {
		return goenv.Get(env, "GOMODCACHE"), goenv.Get(env, "GOPROXY"), goenv.Get(env, "GONOSUMDB")
	}
	return v["GOMODCACHE"], v["GOPROXY"], v["GONOSUMDB"]
}

// checkEmpty accepts a missing directory or an empty one.
func checkEmpty(dir string) error {
	f, err := os.Open(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	if !fi.IsDir() {
		return fmt.Errorf("destination %s is a file, not a directory", dir)
	}
	if names, _ := f.Readdirnames(1); len(names) > 0 {
		return &DestinationError{Dir: dir}
	}
	return nil
}

// writableDir reports whether the user can create files in dir, or in its
// nearest existing parent when dir does not exist yet. It leaves nothing
// behind: the probe file is removed at once.
func writableDir(dir string) bool {
	for {
		fi, err := os.Stat(dir)
		if err == nil {
			if !fi.IsDir() {
				return false
			}
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return false
		}
		dir = parent
	}
	probe := dir
	if fi, err := os.Stat(filepath.Join(dir, "cache", "download")); err == nil && fi.IsDir() {
		probe = filepath.Join(dir, "cache", "download")
	}
	f, err := os.CreateTemp(probe, ".sprintkit-probe-*")
	if err != nil {
		return false
	}
	f.Close()
	os.Remove(f.Name())
	return true
}
