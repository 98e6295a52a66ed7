package image

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"go/version"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
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
	// NoBuildCache leaves the image's build cache out: the checkout uses
	// the user's own GOCACHE, which only their go fills.
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
	// ModCache is the checkout's own module cache (see checkoutModCache).
	ModCache      string
	Env           []EnvVar
	EnvFile       string
	Repo, Modules copier.Stats
	// ModulesAdded counts the module versions whose files were added to
	// ModCache; ModulesLeftOut those of the image the project does not
	// need, which were not.
	ModulesAdded, ModulesLeftOut int
	// BuildCache says whether the image's Go build cache seeded the
	// checkout's own GOCACHE, and why not; nil for a project without
	// go.mod.
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
// checks every module zip the project needs against its .ziphash and the
// project's go.sum (a mismatch is a *ModuleError); in either case nothing
// is written. Then it copies the repository, seeds a module cache of the
// checkout's own (under the user cache directory) with the modules the
// project needs and writes .sprintkit/env. When the image's build cache
// suits the local go
// (same version, OS and architecture), its entries seed the checkout's
// own GOCACHE (.sprintkit/gocache), named in .sprintkit/env: nothing from
// the image reaches a cache that other projects on the machine use.
// SetupResult.BuildCache says which, and the flags a test run needs to
// hit them.
//
// Running the baseline and the report is left to the caller, with
// Environ(os.Environ(), res.Env).
func SetupFromImage(ctx context.Context, opts SetupOptions) (*SetupResult, error) {
	s, err := openSetup(ctx, opts)
	if s == nil {
		return nil, err
	}
	defer s.endStep()
	if err != nil {
		return s.res, err
	}
	steps := []func(context.Context) error{
		s.verifyImage,    // 1. the whole tree against the manifest, and the modules
		s.copyRepo,       // 2. the repository
		s.seedModules,    // 3. the checkout's module cache
		s.seedBuildCache, // 4. the checkout's build cache
		s.writeEnv,       // 5. .sprintkit/env
		s.resolveOffline, // 6. every package the tests need, offline
	}
	for _, step := range steps {
		if err := step(ctx); err != nil {
			return s.res, err
		}
	}
	return s.res, nil
}

// setup is one run of SetupFromImage: its input, the image, and what the
// steps learned so far.
type setup struct {
	opts       SetupOptions
	env        []string
	img        string // absolute, links resolved
	m          *Manifest
	res        *SetupResult
	hasModules bool
	userProxy  string
	userNoSum  string
	plan       *ModCachePlan

	cur      string
	curStart time.Time
}

// step starts the step name and tells opts.Step.
func (s *setup) step(name, format string, args ...any) {
	s.endStep()
	s.cur, s.curStart = name, time.Now()
	if s.opts.Step != nil {
		s.opts.Step(name, fmt.Sprintf(format, args...))
	}
}

// endStep adds the time of the running step to StepSeconds.
func (s *setup) endStep() {
	if s.cur != "" {
		s.res.StepSeconds[s.cur] += time.Since(s.curStart).Seconds()
	}
	s.cur = ""
}

// openSetup reads the manifest and makes the cheap checks first, so that
// a newcomer hears about them at once: the toolchain and the destination.
// A nil setup comes with an error that has no result.
func openSetup(ctx context.Context, opts SetupOptions) (*setup, error) {
	s := &setup{opts: opts, env: opts.Env}
	if s.env == nil {
		s.env = os.Environ()
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
	s.img = img
	if s.m, err = ReadManifest(img); err != nil {
		return nil, err
	}
	m := s.m
	s.res = &SetupResult{Manifest: m, StepSeconds: map[string]float64{}}
	res := s.res
	if opts.Dir == "" {
		return nil, errors.New("no destination: pass --dir")
	}
	if res.Dir, err = filepath.Abs(opts.Dir); err != nil {
		return nil, err
	}
	if m.Go != "" {
		s.step("toolchain", "checking the local go against go %s", m.Go)
		res.Toolchain = CheckToolchain(ctx, s.env, m.Go)
		if !res.Toolchain.OK {
			return s, &ToolchainError{Check: res.Toolchain}
		}
		if m.Toolchain != "" && version.IsValid(m.Toolchain) && version.IsValid(res.Toolchain.Local) && version.Compare(res.Toolchain.Local, m.Toolchain) < 0 {
			res.Warnings = append(res.Warnings, fmt.Sprintf("go.mod prefers toolchain %s; using the local %s instead (GOTOOLCHAIN=local), which its go line allows", m.Toolchain, res.Toolchain.Local))
		}
	}
	if err := checkEmpty(res.Dir); err != nil {
		return s, err
	}
	if rel, err := filepath.Rel(img, res.Dir); err == nil && !strings.HasPrefix(rel, "..") {
		return s, fmt.Errorf("destination %s is inside the image %s; choose a directory outside it", res.Dir, img)
	}
	s.hasModules = m.Go != "" && exists(filepath.Join(img, filepath.FromSlash(ProxyDir)))
	if s.hasModules {
		// The checkout's own module cache: see "Module cache" in the
		// package doc for why not the user's, and why not inside the
		// checkout.
		if res.ModCache, err = checkoutModCache(res.Dir, s.env); err != nil {
			return s, err
		}
		s.userProxy, s.userNoSum = goProxyEnv(ctx, s.env)
	}
	return s, nil
}

// verifyImage verifies the whole tree against the manifest, both ways,
// and plans the module cache, checking every module the project needs: a
// difference or a mismatch stops setup before anything is written.
func (s *setup) verifyImage(ctx context.Context) error {
	files := 0
	for _, f := range s.m.Files {
		if f.IsFile() {
			files++
		}
	}
	s.step("verify", "verifying %d files (%s) and every directory and symlink against manifest.json", files, human.Bytes(s.m.TotalBytes))
	if err := Verify(ctx, s.img, s.m, VerifyOptions{Workers: s.opts.Workers, Progress: s.opts.HashProgress}); err != nil {
		return err
	}
	if !s.hasModules {
		return nil
	}
	var err error
	s.plan, err = PlanModCache(s.img, s.m, s.res.ModCache)
	return err
}

// copyRepo copies the repository to the destination.
func (s *setup) copyRepo(ctx context.Context) error {
	res := s.res
	s.step("repo", "copying the repository to %s", res.Dir)
	var err error
	res.Repo, err = copier.Copy(ctx, filepath.Join(s.img, RepoDir), res.Dir, copier.Options{
		Workers:  s.opts.Workers,
		Progress: progressFor(s.opts.CopyProgress, "repo"),
	})
	if err != nil {
		return fmt.Errorf("copy the repository to %s: %w", res.Dir, err)
	}
	_, err = state.Ensure(res.Dir)
	return err
}

// seedModules adds the modules the plan checked to the checkout's module
// cache, and sets the environment that points go at it.
func (s *setup) seedModules(ctx context.Context) error {
	if !s.hasModules {
		return nil
	}
	res := s.res
	s.step("modules", "adding the %s the project needs to this checkout's module cache %s", human.Count(s.plan.Modules(), "module", "modules"), res.ModCache)
	var err error
	res.Modules, err = s.plan.Seed(ctx, progressFor(s.opts.CopyProgress, "modules"))
	if err != nil {
		return fmt.Errorf("seed the module cache %s: %w", res.ModCache, err)
	}
	res.ModulesAdded, res.ModulesLeftOut = s.plan.Modules(), s.plan.LeftOut()
	if s.userProxy == "" {
		s.userProxy = goenv.Get(s.env, "GOPROXY")
	}
	res.Env = NewcomerEnv(res.ModCache, s.userProxy, s.userNoSum, s.m.ModulePaths())
	return nil
}

// seedBuildCache fills the checkout's own GOCACHE with the image's build
// cache, when this go can use it, and names it in the environment.
func (s *setup) seedBuildCache(ctx context.Context) error {
	if !s.hasModules {
		return nil
	}
	res, m := s.res, s.m
	res.BuildCache = planBuildCache(ctx, res.Dir, Environ(s.env, res.Env), m)
	if s.opts.NoBuildCache && res.BuildCache.Used {
		res.BuildCache = &BuildCacheResult{Entries: m.BuildCache.Entries, Reason: "--no-build-cache"}
	}
	if !res.BuildCache.Used {
		return nil
	}
	s.step("buildcache", "adding the image's %s Go build cache entries to this checkout's own GOCACHE %s", human.Int(m.BuildCache.Entries), res.BuildCache.Cache)
	if err := seedBuildCache(ctx, s.img, m, res.BuildCache); err != nil {
		return err
	}
	res.Env = append(res.Env, EnvVar{"GOCACHE", res.BuildCache.Cache})
	return nil
}

// writeEnv writes .sprintkit/env, which setup, coverage and watch-test of
// the checkout read.
func (s *setup) writeEnv(ctx context.Context) error {
	if len(s.res.Env) == 0 {
		return nil
	}
	s.res.EnvFile = state.Path(s.res.Dir, state.EnvFile)
	s.step("env", "writing %s", s.res.EnvFile)
	return state.WriteFile(s.res.EnvFile, func(w io.Writer) error { return WriteEnv(w, s.res.Env, ImageEnvHeader) })
}

// resolveOffline resolves every package the tests need, once and alone:
// it proves the image suffices with the network off, extracts the
// modules, and settles go.mod and go.sum before the test run's go commands
// run side by side.
func (s *setup) resolveOffline(ctx context.Context) error {
	if !s.hasModules {
		return nil
	}
	res := s.res
	s.step("resolve", "resolving every package the build and tests need, offline")
	env := Environ(s.env, res.Env)
	before := goModAndSum(res.Dir)
	// go mod download extracts the modules go.mod lists in parallel,
	// which go list, finding imports one by one, does not.
	if _, err := goCmdOutput(ctx, res.Dir, env, "mod", "download"); err != nil {
		return &ResolveError{Err: err}
	}
	if _, err := goCmdOutput(ctx, res.Dir, env, "list", "-deps", "-test", "./..."); err != nil {
		return &ResolveError{Err: err}
	}
	if after := goModAndSum(res.Dir); after != before {
		res.Warnings = append(res.Warnings, "go completed go.mod or go.sum in the checkout (the project's own are not tidy); git status shows the change")
	}
	return nil
}

// ResolveError is returned when the go command cannot resolve the project's
// packages from the image's modules with the network off.
type ResolveError struct{ Err error }

func (e *ResolveError) Error() string {
	return "resolve the project's packages offline: " + e.Err.Error()
}

func (e *ResolveError) Unwrap() error { return e.Err }

// goModAndSum is go.mod and go.sum of dir, to tell whether a go command
// changed either.
func goModAndSum(dir string) string {
	a, _ := os.ReadFile(filepath.Join(dir, "go.mod"))
	b, _ := os.ReadFile(filepath.Join(dir, "go.sum"))
	return string(a) + "\x00" + string(b)
}

// goProxyEnv returns the user's GOPROXY and GONOSUMDB as go sees them
// (with GOTOOLCHAIN=local so that nothing is downloaded).
func goProxyEnv(ctx context.Context, env []string) (proxy, nosumdb string) {
	out, err := goCmdOutput(ctx, "", setEnv(env, "GOTOOLCHAIN", "local"), "env", "GOPROXY", "GONOSUMDB")
	if err != nil {
		return goenv.Get(env, "GOPROXY"), goenv.Get(env, "GONOSUMDB")
	}
	lines := strings.Split(strings.TrimRight(string(out), "\r\n"), "\n")
	for len(lines) < 2 {
		lines = append(lines, "")
	}
	return strings.TrimSpace(lines[0]), strings.TrimSpace(lines[1])
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

// CheckoutBuildCache is the directory of sprintkit's state in a checkout
// set up from an image that holds the checkout's own GOCACHE, which
// nothing outside the checkout uses and which goes with it when it is
// removed.
const CheckoutBuildCache = "gocache"

// userCacheDir is os.UserCacheDir for the environment env.
func userCacheDir(env []string) (string, error) {
	var dir string
	switch runtime.GOOS {
	case "windows":
		dir = goenv.Get(env, "LocalAppData")
	case "darwin", "ios":
		if h := goenv.Get(env, "HOME"); h != "" {
			dir = filepath.Join(h, "Library", "Caches")
		}
	case "plan9":
		if h := goenv.Get(env, "home"); h != "" {
			dir = filepath.Join(h, "lib", "cache")
		}
	default:
		dir = goenv.Get(env, "XDG_CACHE_HOME")
		if dir == "" || !filepath.IsAbs(dir) {
			dir = ""
			if h := goenv.Get(env, "HOME"); h != "" {
				dir = filepath.Join(h, ".cache")
			}
		}
	}
	if dir == "" {
		return "", errors.New("neither $XDG_CACHE_HOME nor $HOME (%LocalAppData% on Windows) is set")
	}
	return dir, nil
}

// checkoutModCache names a new module cache for the checkout at dir alone,
// not yet created: <user cache dir>/sprintkit/checkout-gomod/<name>-<random>.
// It cannot be inside the checkout: `go test -coverpkg=./...` matches
// packages by directory, so the modules there would be instrumented and
// counted as the project's own.
func checkoutModCache(dir string, env []string) (string, error) {
	base, err := userCacheDir(env)
	if err != nil {
		return "", fmt.Errorf("find a cache directory for this checkout's modules: %w", err)
	}
	var b [6]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	return filepath.Join(base, "sprintkit", "checkout-gomod", filepath.Base(dir)+"-"+hex.EncodeToString(b[:])), nil
}
