package image

import (
	"github.com/sprintkit/sprintkit/project"

	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/sprintkit/sprintkit/checkout"
	"github.com/sprintkit/sprintkit/copier"
	"github.com/sprintkit/sprintkit/coverage"
	"github.com/sprintkit/sprintkit/internal/human"
	"github.com/sprintkit/sprintkit/internal/pyenv"
	"github.com/sprintkit/sprintkit/internal/state"
	"github.com/sprintkit/sprintkit/report"
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
	Report func(ctx context.Context, dir string, env, flags []string, reportDir string) (*coverage.Result, []coverage.Target, error)
	// ReportReadsResults says that Report runs no test but reads results
	// made elsewhere (the merged shards of a CI run): it is called with the
	// checkout itself, no scratch copy, no module staging and no build
	// cache, and for a project without go.mod (a Python project) too.
	ReportReadsResults bool
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
// opts.Src. See the package doc for the layout.
func Stage(ctx context.Context, opts StageOptions) (*StageResult, error) {
	start := time.Now()
	res := &StageResult{}
	res.StepSeconds = map[string]float64{}
	cur, curStart := "", time.Now()
	endStep := func() {
		if cur != "" {
			res.StepSeconds[cur] += time.Since(curStart).Seconds()
		}
	}
	defer endStep()
	step := func(s, format string, args ...any) {
		if s != cur {
			endStep()
			cur, curStart = s, time.Now()
		}
		if opts.Step != nil {
			opts.Step(s, fmt.Sprintf(format, args...))
		}
	}
	warn := func(format string, args ...any) { res.Warnings = append(res.Warnings, fmt.Sprintf(format, args...)) }
	env := opts.Env
	if env == nil {
		env = os.Environ()
	}
	// git status (ours, and the one go runs to stamp VCS information) must
	// not rewrite the checkout's index, or every re-staging copies it.
	env = setEnv(env, "GIT_OPTIONAL_LOCKS", "0")
	src, err := filepath.Abs(opts.Src)
	if err != nil {
		return nil, err
	}
	out, err := filepath.Abs(opts.Out)
	if err != nil {
		return nil, err
	}
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
	var prev *Manifest
	if m, err := ReadManifest(out); err == nil {
		prev = m
	}
	if err := os.Remove(filepath.Join(out, ManifestFile)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("remove old manifest: %w", err)
	}

	m := &Manifest{
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
	isGo := gomodErr == nil
	if isGo {
		m.Project, m.Go, m.Toolchain = gomod.Module, gomod.Go, gomod.Toolchain
	} else if !errors.Is(gomodErr, fs.ErrNotExist) {
		return nil, gomodErr
	}
	if dirty := gitDirty(ctx, src); dirty > 0 {
		m.Dirty = true
		warn("the checkout has %d uncommitted or untracked entries; they are staged as they are, and the manifest's commit does not describe them", dirty)
	}

	// 1. The repository.
	step("repo", "copying the repository to %s", filepath.Join(out, RepoDir))
	excl := []string{"/" + state.DirName + "/", "/" + pyenv.VenvName + "/", "/.git/config", "/.git/FETCH_HEAD", "/.git/logs/", "/.git/hooks/", "/.git/index.lock", "/.git/sprintkit-*"}
	res.Repo, err = copier.Copy(ctx, src, filepath.Join(out, RepoDir), copier.Options{
		Workers:  opts.Workers,
		Exclude:  excl,
		Checksum: opts.Checksum,
		Delete:   true,
		Progress: progressFor(opts.CopyProgress, "repo"),
	})
	if err != nil {
		return nil, fmt.Errorf("copy repository to image: %w", err)
	}
	cfg, err := os.ReadFile(filepath.Join(src, ".git", "config"))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", filepath.Join(src, ".git", "config"), err)
	}
	clean, origin, err := SanitizeGitConfig(cfg, opts.Upstream)
	if err != nil {
		return nil, err
	}
	m.Upstream = origin
	if origin == "" {
		warn("the checkout has no origin remote, so the image's repository has no upstream to pull from")
	} else if isLocalPath(origin) && opts.Upstream == "" {
		warn("origin is a local path (%s), which newcomers' machines will not have", origin)
	}
	if err := writeIfChanged(filepath.Join(out, RepoDir, ".git", "config"), clean); err != nil {
		return nil, err
	}

	// 2. Modules.
	proxyDir := filepath.Join(out, filepath.FromSlash(ProxyDir))
	if isGo {
		key, err := modKey(src)
		if err != nil {
			return nil, err
		}
		m.ModKey = key
		priv := opts.ModCache
		if priv == "" {
			priv, err = defaultModCache(out)
			if err != nil {
				return nil, err
			}
		}
		res.ModCache = priv
		privDL := filepath.Join(priv, "cache", "download")
		_, statErr := os.Stat(privDL)
		reuse := !opts.Refresh && prev != nil && prev.ModKey == key && statErr == nil && exists(filepath.Join(priv+".modfile", "go.sum"))
		if reuse {
			m.Modules = prev.Modules
			res.Skipped = append(res.Skipped, "modules")
			step("modules", "go.mod and go.sum unchanged: keeping the staged modules")
		} else {
			step("modules", "downloading every module the build and tests need into %s", priv)
			mr, err := StageModules(ctx, src, ModOptions{Cache: priv, Env: env, KeepModfile: priv + ".modfile"})
			if err != nil {
				return nil, err
			}
			m.Modules = mr.Modules
			if mr.GoSumAdded > 0 {
				warn("go.sum lacks %s that building and testing need; newcomers' go adds them without a checksum-database lookup (GONOSUMDB lists the image's modules), but commit a complete go.sum (go mod tidy) to be sure", human.Count(mr.GoSumAdded, "line", "lines"))
			}
			for _, r := range mr.Replaced {
				warn("replace %s: a local replacement is not staged; the image builds only if that directory is inside the repository", r)
			}
			if len(mr.Unavailable) > 0 {
				warn("%s of the build list could not be downloaded (no package the project builds or tests comes from them): %s", human.Count(len(mr.Unavailable), "module", "modules"), strings.Join(firstN(mr.Unavailable, 5), ", "))
			}
		}
		if err := os.MkdirAll(privDL, 0o755); err != nil { // a module with no dependencies downloads nothing
			return nil, fmt.Errorf("stage modules: %w", err)
		}
		step("modules", "copying the module tree to %s", proxyDir)
		res.Modules, err = copier.Copy(ctx, privDL, proxyDir, copier.Options{
			Workers:  opts.Workers,
			Exclude:  []string{"*.lock", "*.partial", "*.tmp", "/sumdb/"},
			Delete:   true,
			Progress: progressFor(opts.CopyProgress, "modules"),
		})
		if err != nil {
			return nil, fmt.Errorf("copy modules to image: %w", err)
		}
		if v, err := goCmdOutput(ctx, "", setEnv(env, "GOTOOLCHAIN", "local"), "env", "GOVERSION"); err == nil {
			m.StagedWith = strings.TrimSpace(string(v))
		}
	}

	if err := stageWheels(ctx, src, out, env, isGo || opts.ReportReadsResults, step); err != nil {
		return nil, err
	}

	// 3. The report and the baseline.
	reportDir := filepath.Join(out, ReportDir)
	baselinePath := filepath.Join(out, BaselineFile)
	switch {
	case opts.NoReport || opts.Report == nil || !isGo && !opts.ReportReadsResults:
		if !isGo {
			warn("no go.mod: the image holds no modules, report or baseline")
		}
	case !opts.Refresh && prev != nil && prev.Commit == m.Commit && !m.Dirty && !prev.Dirty && prev.ModKey == m.ModKey &&
		exists(filepath.Join(reportDir, "index.html")) && exists(baselinePath) && (opts.NoBuildCache || sameBuildCache(prev.BuildCache, m.StagedWith)):
		res.Skipped = append(res.Skipped, "report")
		if !opts.NoBuildCache {
			m.BuildCache = prev.BuildCache
		}
		step("report", "commit unchanged: keeping the report and baseline")
	default:
		var r *coverage.Result
		var targets []coverage.Target
		if opts.ReportReadsResults {
			step("report", "reading the results for the report and baseline")
			r, targets, err = opts.Report(ctx, src, env, nil, reportDir)
		} else {
			step("report", "running the tests with coverage for the report and baseline")
			renv := stagingTestEnv(env, res.ModCache, proxyDir, m.ModulePaths())
			// The tests run in a scratch copy of the checkout that holds the
			// go.mod and go.sum staging completed, so that the organiser's own
			// are never written and parallel go commands find nothing to add.
			// (-modfile in GOFLAGS would do that too, but it leaks into every
			// go command the tests themselves run, in other modules.)
			scratch, serr := scratchCopy(ctx, src, res.ModCache+".modfile", opts.Workers)
			if serr != nil {
				return nil, fmt.Errorf("prepare the test run: %w", serr)
			}
			// The run fills a fresh build cache, staged as gocache/: built
			// with -trimpath, so that its entries do not depend on where the
			// checkout and the module cache are, and with -count=1, so that it
			// holds no test results.
			var flags []string
			var gocache, goVersion, goos, goarch string
			if !opts.NoBuildCache {
				if goVersion, goos, goarch, _, err = goBuildEnv(ctx, scratch, renv); err != nil {
					warn("no build cache in the image: %v", err)
				} else if gocache, err = os.MkdirTemp("", "sprintkit-stage-gocache-"); err != nil {
					return nil, fmt.Errorf("prepare the test run: %w", err)
				} else {
					renv = setEnv(renv, "GOCACHE", gocache)
					flags = append(append(flags, BuildCacheFlags...), NoTestCacheFlag)
				}
			}
			r, targets, err = opts.Report(ctx, scratch, renv, flags, reportDir)
			os.RemoveAll(filepath.Dir(scratch))
			if err == nil && gocache != "" {
				step("buildcache", "copying the test run's Go build cache to %s", filepath.Join(out, BuildCacheDir))
				m.BuildCache, err = captureBuildCache(ctx, gocache, out, goVersion, goos, goarch, opts.Workers)
			}
			if gocache != "" {
				os.RemoveAll(gocache)
			}
		}
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			warn("no report: %v", err)
			break
		}
		r.Commit = m.Commit
		if err := state.WriteJSON(baselinePath, coverage.NewBaseline(r)); err != nil {
			return nil, err
		}
		if err := state.WriteFile(filepath.Join(out, CoverageFile), func(w io.Writer) error { return report.JSON(w, r, targets) }); err != nil {
			return nil, err
		}
		if err := state.WriteJSON(filepath.Join(reportDir, targetsFile), firstTargets(targets, docTargets)); err != nil {
			return nil, err
		}
		o := coverage.CountOutcomes(r.Tests)
		res.Passed, res.Failed = o.Passed, o.Failed
		res.Targets = targets
	}

	if m.BuildCache == nil {
		res.NoBuildCache = noBuildCacheReason(opts, res)
		if err := os.RemoveAll(filepath.Join(out, BuildCacheDir)); err != nil {
			return nil, fmt.Errorf("remove the stale build cache: %w", err)
		}
	}
	res.BuildCache = m.BuildCache

	// 4. Binaries.
	exe := opts.Executable
	if exe == "" {
		if exe, err = os.Executable(); err != nil {
			return nil, fmt.Errorf("find the sprintkit binary: %w", err)
		}
	}
	step("binaries", "copying sprintkit to %s", HostBinary())
	if _, err := copyFileAtomic(exe, filepath.Join(out, filepath.FromSlash(HostBinary()))); err != nil {
		return nil, fmt.Errorf("copy sprintkit to image: %w", err)
	}
	binKey, err := HashFile(exe)
	if err != nil {
		return nil, fmt.Errorf("hash %s: %w", exe, err)
	}
	m.BinaryKey = binKey
	// Binaries of earlier runs: kept when made by this same sprintkit (a
	// re-staging without --platforms keeps them), removed when stale.
	if prev != nil {
		for _, p := range prev.Platforms {
			if contains(opts.Platforms, p) {
				continue
			}
			bin := filepath.Join(out, filepath.FromSlash(PlatformBinary(p)))
			if prev.BinaryKey == binKey && exists(bin) {
				m.Platforms = append(m.Platforms, p)
				continue
			}
			if err := os.RemoveAll(filepath.Dir(bin)); err != nil {
				return nil, fmt.Errorf("remove the stale binary for %s: %w", p, err)
			}
		}
	}
	if len(opts.Platforms) > 0 {
		var todo []string
		for _, p := range opts.Platforms {
			if !opts.Refresh && prev != nil && prev.BinaryKey == binKey && contains(prev.Platforms, p) && exists(filepath.Join(out, filepath.FromSlash(PlatformBinary(p)))) {
				m.Platforms = append(m.Platforms, p)
				continue
			}
			todo = append(todo, p)
		}
		if len(todo) == 0 {
			res.Skipped = append(res.Skipped, "binaries")
		} else if srcDir, err := SourceDir(); err != nil {
			warn("no binaries for %s: %v", strings.Join(todo, ", "), err)
		} else {
			for _, p := range todo {
				step("binaries", "building sprintkit for %s", p)
				if err := CrossBuild(ctx, srcDir, filepath.Join(out, filepath.FromSlash(PlatformBinary(p))), p, opts.Version, env); err != nil {
					if ctx.Err() != nil {
						return nil, ctx.Err()
					}
					warn("%v", err)
					continue
				}
				m.Platforms = append(m.Platforms, p)
				res.Built = append(res.Built, p)
			}
		}
	}
	sort.Strings(m.Platforms)

	// 5. START_HERE.html and README.txt.
	if prev != nil && len(res.Targets) == 0 && contains(res.Skipped, "report") {
		res.Targets = readTargets(out)
	}
	doc := DocInfo{Manifest: m, HasReport: exists(filepath.Join(reportDir, "index.html")), Targets: firstTargets(res.Targets, 5), HostPlatform: runtime.GOOS + "/" + runtime.GOARCH}
	if prev != nil && m.Commit == prev.Commit {
		doc.Manifest = withCreated(m, prev.Created) // the docs' date moves only with the project
	}
	for _, d := range []struct {
		name  string
		write func(io.Writer, DocInfo) error
	}{{StartHere, WriteStartHere}, {ReadmeFile, WriteReadme}} {
		var b bytes.Buffer
		if err := d.write(&b, doc); err != nil {
			return nil, fmt.Errorf("write %s: %w", d.name, err)
		}
		if err := writeIfChanged(filepath.Join(out, d.name), b.Bytes()); err != nil {
			return nil, err
		}
	}

	// 6. The manifest, last.
	step("manifest", "hashing every file for manifest.json")
	files, hashed, err := Scan(ctx, out, ScanOptions{Previous: prev, Workers: opts.Workers, Progress: opts.HashProgress})
	if err != nil {
		return nil, err
	}
	m.SetEntries(files)
	res.Hashed = hashed
	if err := state.WriteJSON(filepath.Join(out, ManifestFile), m); err != nil {
		return nil, err
	}
	res.Manifest = m
	endStep()
	cur = ""
	res.Duration = time.Since(start)
	return res, nil
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

// gitDirty counts entries `git status --porcelain` reports; 0 when git is
// missing or fails.
func gitDirty(ctx context.Context, dir string) int {
	if _, err := exec.LookPath("git"); err != nil {
		return 0
	}
	cmd := exec.CommandContext(ctx, "git", "--no-optional-locks", "status", "--porcelain", "--ignore-submodules")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GIT_OPTIONAL_LOCKS=0")
	b, err := cmd.Output()
	if err != nil {
		return 0
	}
	n := 0
	for _, l := range strings.Split(string(b), "\n") {
		if strings.TrimSpace(l) != "" && !strings.Contains(l, state.DirName+"/") {
			n++
		}
	}
	return n
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
