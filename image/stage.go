package image

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/sprintkit/sprintkit/checkout"
	"github.com/sprintkit/sprintkit/copier"
	"github.com/sprintkit/sprintkit/coverage"
	"github.com/sprintkit/sprintkit/internal/human"
	"github.com/sprintkit/sprintkit/internal/pyenv"
	"github.com/sprintkit/sprintkit/internal/state"
	"github.com/sprintkit/sprintkit/project"
)

// StageOptions says what to stage where.
type StageOptions struct {
	// Src is the checkout to stage: a git work tree with its own .git
	// directory.
	Src string
	// Out is the image directory; created when missing.
	Out string
	// Upstream, when set, becomes the image's origin URL (for an image made
	// from a fresh clone of a URL); otherwise Src's own origin is used.
	// Credentials are stripped either way.
	Upstream string
	// Platforms to cross-build sprintkit for ("linux/amd64", ...).
	Platforms []string
	// Executable is the sprintkit binary copied to bin/; os.Executable()
	// when empty.
	Executable string
	// Version is sprintkit's version, for the manifest and -ldflags.
	Version string
	// Env is the environment go runs with; os.Environ() when nil.
	Env []string
	// ModCache is the private module cache staging fills; a directory
	// under the user cache directory, one per image, when empty.
	ModCache string
	// NoReport skips running the tests for the report and baseline.
	NoReport bool
	// NoBuildCache keeps the Go build cache of the report's test run out
	// of the image (gocache/).
	NoBuildCache bool
	// Refresh re-runs module staging, tests and cross-builds even when
	// nothing they depend on changed.
	Refresh bool
	// Checksum makes the copier compare file contents rather than size
	// and modification time (for a source that was freshly cloned, whose
	// modification times are all new).
	Checksum bool
	Workers  int
	// Step is called when a step starts ("repo", "modules", "report",
	// "binaries", "manifest") with a line for a person.
	Step func(step, msg string)
	// CopyProgress reports the copier's progress within "repo" and "modules".
	CopyProgress func(step string, p copier.Progress)
	// HashProgress reports hashing within "manifest".
	HashProgress func(HashProgress)
	// Report runs the project's tests with coverage in dir with env, ranks
	// the targets, writes the HTML report into reportDir and returns the
	// result with every ranked target: the onboarding pipeline's steps
	// (onboard.StageReport), so that the image's baseline and
	// coverage.json are what setup would record; flags are more go test
	// flags for the run (BuildCacheFlags and NoTestCacheFlag when the
	// image ships a build cache). nil stages no report.
	Report ReportFunc
	// ReportReadsResults says that Report runs no test but reads results
	// made elsewhere (the merged shards of a CI run): it is called with the
	// checkout itself, no scratch copy, no module staging and no build
	// cache, and for a project without go.mod (a Python project) too.
	ReportReadsResults bool
	// AllowDirty stages a checkout with uncommitted changes, committing
	// them in the image's repository (dirty.go); without it such a
	// checkout is refused.
	AllowDirty bool
}

// StageResult says what staging did.
type StageResult struct {
	Manifest *Manifest
	Repo     copier.Stats // repository copy
	Modules  copier.Stats // module tree copy
	// Hashed is the number of files whose SHA-256 was computed; the rest
	// were unchanged since the previous manifest.
	Hashed int
	// Skipped names the steps that had nothing to do ("modules",
	// "report", "binaries") because what they depend on did not change.
	Skipped []string
	// BuildCache describes the build cache staged (this run or before);
	// nil when the image holds none.
	BuildCache *BuildCacheInfo
	// Built lists the platforms cross-built in this run.
	Built []string
	// Tests counts the outcomes of the report's test run, when it ran.
	Passed, Failed int
	Targets        []coverage.Target
	Warnings       []string
	ModCache       string
	Duration       time.Duration
	// StepSeconds is the time each step took ("repo", "modules",
	// "report", "buildcache", "binaries", "manifest").
	StepSeconds map[string]float64
	// NoBuildCache says why the image holds no build cache, when it holds
	// none.
	NoBuildCache string
}

// Stage writes (or updates) the image at opts.Out from the checkout at
// opts.Src. See the package doc for the layout. Each step is a function of
// its own, run in this order; a step that fails stops staging before the
// manifest is written.
func Stage(ctx context.Context, opts StageOptions) (*StageResult, error) {
	start := time.Now()
	s, err := openStage(ctx, opts)
	if err != nil {
		return nil, err
	}
	defer s.endStep()
	steps := []func(context.Context) error{
		s.stageRepo,     // 1. the repository
		s.stageModules,  // 2. the modules
		s.stageWheels,   // 3. a Python project's wheels (wheels.go)
		s.stageReport,   // 4. the report, the baseline and the build cache
		s.stageBinaries, // 5. sprintkit for each platform
		s.stageDocs,     // 6. START_HERE.html and README.txt
		s.stageManifest, // 7. the manifest, last
	}
	for _, step := range steps {
		if err := step(ctx); err != nil {
			return nil, err
		}
	}
	s.endStep()
	s.res.Duration = time.Since(start)
	return s.res, nil
}

// stager is one staging run: its input, what the steps learned so far,
// and the manifest they fill.
type stager struct {
	opts                    StageOptions
	env                     []string
	src, out                string
	prev                    *Manifest // the previous staging's manifest; nil when none
	m                       *Manifest
	res                     *StageResult
	isGo                    bool
	proxyDir                string // the image's module tree
	reportDir, baselinePath string

	cur      string
	curStart time.Time
}

// step starts the step name (a step already running goes on) and tells
// opts.Step.
func (s *stager) step(name, format string, args ...any) {
	if name != s.cur {
		s.endStep()
		s.cur, s.curStart = name, time.Now()
	}
	if s.opts.Step != nil {
		s.opts.Step(name, fmt.Sprintf(format, args...))
	}
}

// endStep adds the time of the running step to StepSeconds.
func (s *stager) endStep() {
	if s.cur != "" {
		s.res.StepSeconds[s.cur] += time.Since(s.curStart).Seconds()
	}
	s.cur = ""
}

func (s *stager) warn(format string, args ...any) {
	s.res.Warnings = append(s.res.Warnings, fmt.Sprintf(format, args...))
}

// openStage checks the checkout and the image directory, removes the
// previous manifest (kept in memory) and starts the new one.
func openStage(ctx context.Context, opts StageOptions) (*stager, error) {
	s := &stager{opts: opts, res: &StageResult{StepSeconds: map[string]float64{}}}
	s.env = opts.Env
	if s.env == nil {
		s.env = os.Environ()
	}
	// git status (ours, and the one go runs to stamp VCS information) must
	// not rewrite the checkout's index, or every re-staging copies it.
	s.env = setEnv(s.env, "GIT_OPTIONAL_LOCKS", "0")
	var err error
	if s.src, err = filepath.Abs(opts.Src); err != nil {
		return nil, err
	}
	if s.out, err = filepath.Abs(opts.Out); err != nil {
		return nil, err
	}
	src, out := s.src, s.out
	if fi, err := os.Stat(filepath.Join(src, ".git")); err != nil || !fi.IsDir() {
		return nil, fmt.Errorf("%s has no .git directory: an image needs a checkout with its own repository (a worktree or submodule is not enough); pass its URL to clone it instead", src)
	}
	co, err := checkout.Open(src)
	if err != nil {
		return nil, err
	}
	if rel, err := filepath.Rel(out, src); err == nil && !strings.HasPrefix(rel, "..") {
		return nil, fmt.Errorf("the image %s would contain the checkout %s it is made from; choose another --out", out, src)
	}
	if rel, err := filepath.Rel(src, out); err == nil && !strings.HasPrefix(rel, "..") {
		return nil, fmt.Errorf("the image %s is inside the checkout %s it is made from; choose an --out outside it, such as %s", out, src, filepath.Join(filepath.Dir(src), filepath.Base(out)))
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return nil, fmt.Errorf("create image %s: %w", out, err)
	}

	// The previous manifest saves re-hashing and tells what changed; it is
	// removed now, so that an interrupted staging leaves no manifest.
	if m, err := ReadManifest(out); err == nil {
		s.prev = m
	}
	if err := os.Remove(filepath.Join(out, ManifestFile)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("remove old manifest: %w", err)
	}

	s.m = &Manifest{
		Format:           Format,
		Version:          ManifestVersion,
		Created:          time.Now().UTC().Truncate(time.Second),
		Project:          filepath.Base(src),
		Commit:           co.Commit,
		SprintkitVersion: opts.Version,
		Modules:          []string{},
		Platforms:        []string{},
	}
	gomod, gomodErr := project.ReadGoMod(src)
	s.isGo = gomodErr == nil
	if s.isGo {
		s.m.Project, s.m.Go, s.m.Toolchain = gomod.Module, gomod.Go, gomod.Toolchain
	} else if !errors.Is(gomodErr, fs.ErrNotExist) {
		return nil, gomodErr
	}
	if dirty := gitStatus(ctx, src); len(dirty) > 0 {
		if !opts.AllowDirty {
			return nil, dirtyError(src, dirty)
		}
		s.m.Dirty = true
		s.warn("the checkout has %d uncommitted or untracked entries; the image serves them as a snapshot commit on top of %s (--allow-dirty)", len(dirty), human.Commit(co.Commit))
	}
	s.proxyDir = filepath.Join(out, filepath.FromSlash(ProxyDir))
	s.reportDir = filepath.Join(out, ReportDir)
	s.baselinePath = filepath.Join(out, BaselineFile)
	return s, nil
}

// stageRepo copies the repository without sprintkit's state and the
// organiser's own git files, and writes its .git/config without
// credentials.
func (s *stager) stageRepo(ctx context.Context) error {
	opts, m := s.opts, s.m
	s.step("repo", "copying the repository to %s", filepath.Join(s.out, RepoDir))
	excl := []string{"/" + state.DirName + "/", "/" + pyenv.VenvName + "/", "/.git/config", "/.git/FETCH_HEAD", "/.git/logs/", "/.git/hooks/", "/.git/index.lock", "/.git/sprintkit-*"}
	var err error
	s.res.Repo, err = copier.Copy(ctx, s.src, filepath.Join(s.out, RepoDir), copier.Options{
		Workers:  opts.Workers,
		Exclude:  excl,
		Checksum: opts.Checksum,
		Delete:   true,
		Progress: progressFor(opts.CopyProgress, "repo"),
	})
	if err != nil {
		return fmt.Errorf("copy repository to image: %w", err)
	}
	cfg, err := os.ReadFile(filepath.Join(s.src, ".git", "config"))
	if err != nil {
		return fmt.Errorf("read %s: %w", filepath.Join(s.src, ".git", "config"), err)
	}
	clean, origin, err := SanitizeGitConfig(cfg, opts.Upstream)
	if err != nil {
		return err
	}
	m.Upstream = origin
	if origin == "" {
		s.warn("the checkout has no origin remote, so the image's repository has no upstream to pull from")
	} else if isLocalPath(origin) && opts.Upstream == "" {
		s.warn("origin is a local path (%s), which newcomers' machines will not have", origin)
	}
	if err := writeIfChanged(filepath.Join(s.out, RepoDir, ".git", "config"), clean); err != nil {
		return err
	}
	if m.Dirty {
		// What the report measures is the working tree: the served
		// repository holds it as a commit (dirty.go).
		snap, err := snapshotCommit(ctx, filepath.Join(s.out, RepoDir), m.Commit, s.env)
		if err != nil {
			return err
		}
		m.SnapshotOf, m.Commit = m.Commit, snap
	}
	return nil
}

// sameBuildCache reports whether the build cache of an earlier staging,
// prev, can be kept: made with this go and these flags. An image staged
// without one stays without until the commit changes or --refresh.
func sameBuildCache(prev *BuildCacheInfo, goVersion string) bool {
	return prev == nil || (prev.GoVersion == goVersion && slices.Equal(prev.Flags, BuildCacheFlags))
}

// stagingTestEnv is the environment of the report's test run: the private
// cache, and the image's own module tree as the only proxy.
func stagingTestEnv(env []string, modcache, proxyDir string, modulePaths []string) []string {
	if modcache != "" {
		env = setEnv(env, "GOMODCACHE", modcache)
	}
	env = setEnv(env, "GOPROXY", FileURL(proxyDir)+",off")
	env = setEnv(env, "GONOSUMDB", strings.Join(modulePaths, ","))
	env = setEnv(env, "GOFLAGS", "-mod=mod -modcacherw")
	// GOWORK is left as it is: the tests' own go commands inherit this
	// environment, and some of them build workspaces of their own.
	return env
}

func progressFor(fn func(string, copier.Progress), step string) func(copier.Progress) {
	if fn == nil {
		return nil
	}
	return func(p copier.Progress) { fn(step, p) }
}

// modKey identifies the module requirements: go.mod and go.sum.
func modKey(dir string) (string, error) {
	h := sha256.New()
	for _, name := range []string{"go.mod", "go.sum"} {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return "", err
		}
		fmt.Fprintf(h, "%s %d\n", name, len(b))
		h.Write(b)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// defaultModCache is the private staging cache of the image at out.
func defaultModCache(out string) (string, error) {
	base, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("find a cache directory for staging modules (pass a module cache explicitly): %w", err)
	}
	sum := sha256.Sum256([]byte(out))
	return filepath.Join(base, "sprintkit", "image-gomod", hex.EncodeToString(sum[:6])), nil
}

func isLocalPath(u string) bool {
	return strings.HasPrefix(u, "/") || strings.HasPrefix(u, "file://") || strings.HasPrefix(u, ".") || (len(u) > 2 && u[1] == ':' && (u[2] == '\\' || u[2] == '/'))
}

// writeIfChanged writes b to name atomically unless name already holds b,
// so an unchanged file keeps its modification time.
func writeIfChanged(name string, b []byte) error {
	if old, err := os.ReadFile(name); err == nil && bytes.Equal(old, b) {
		return nil
	}
	return state.WriteFile(name, func(w io.Writer) error {
		_, err := w.Write(b)
		return err
	})
}

func exists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

func contains(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

func firstN(s []string, n int) []string {
	if len(s) > n {
		return append(s[:n:n], fmt.Sprintf("and %d more", len(s)-n))
	}
	return s
}

func firstTargets(t []coverage.Target, n int) []coverage.Target {
	if len(t) > n {
		return t[:n]
	}
	return t
}

func withCreated(m *Manifest, t time.Time) *Manifest {
	c := *m
	c.Created = t
	return &c
}

// readTargets reads the ranked targets kept beside the report, if any.
func readTargets(out string) []coverage.Target {
	var t []coverage.Target
	if err := state.ReadJSON(filepath.Join(out, ReportDir, targetsFile), &t); err != nil {
		return nil
	}
	return t
}

// targetsFile keeps the top targets inside report/, for START_HERE.html.
const targetsFile = "targets.json"

// docTargets is how many ranked targets START_HERE.html lists.
const docTargets = 20

// CoverageFile is the image's coverage.json: the result with every ranked
// target, as .sprintkit/coverage.json of a setup.
const CoverageFile = "coverage.json"

// scratchCopy copies the checkout src into a new temporary directory, with
// the go.mod and go.sum kept in modfileDir over its own, and returns the
// copy's path (the caller removes its parent).
func scratchCopy(ctx context.Context, src, modfileDir string, workers int) (string, error) {
	tmp, err := os.MkdirTemp("", "sprintkit-stage-tests-")
	if err != nil {
		return "", err
	}
	dst := filepath.Join(tmp, filepath.Base(src))
	if _, err := copier.Copy(ctx, src, dst, copier.Options{Workers: workers, Exclude: []string{"/" + state.DirName + "/"}}); err != nil {
		os.RemoveAll(tmp)
		return "", err
	}
	for _, name := range []string{"go.mod", "go.sum"} {
		if err := copySmall(filepath.Join(modfileDir, name), filepath.Join(dst, name)); err != nil {
			os.RemoveAll(tmp)
			return "", err
		}
	}
	return dst, nil
}

// noBuildCacheReason says why staging with opts shipped no build cache.
func noBuildCacheReason(opts StageOptions, res *StageResult) string {
	switch {
	case opts.NoBuildCache:
		return "--no-build-cache"
	case opts.ReportReadsResults:
		return "the report was read from results made elsewhere (--from-shards), with no test run here"
	case slices.Contains(res.Skipped, "report"):
		return "the report was kept and had none (--refresh to make one)"
	case opts.NoReport:
		return "no test run (--no-report)"
	}
	return "no test run completed (see the warnings)"
}
