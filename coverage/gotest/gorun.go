package gotest

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"
	"golang.org/x/tools/cover"

	"github.com/sprintkit/sprintkit/coverage"
	"github.com/sprintkit/sprintkit/internal/gotokens"
	"github.com/sprintkit/sprintkit/internal/proc"
	"github.com/sprintkit/sprintkit/internal/quickopen"
)

// Running Go tests with coverage
//
// Run runs
//
//	go test -json -coverprofile=FILE -coverpkg=PATTERNS PACKAGES
//
// once for a go.work workspace (from its root) and once per module
// otherwise. By default PACKAGES is every package of every module and
// -coverpkg is the module's own packages ("./..."), so the profile is
// whole-suite coverage: a statement counts as covered when any test of the
// module runs it. With Options.PerPackage there is no -coverpkg but -cover, so
// each package is measured by its own tests only, as `go test -cover`
// prints it. Since Go 1.22 packages without test files are built with
// coverage too and appear in the profile at 0%.
//
// While the tests run, `go list` reads the packages' metadata (main,
// test-support, has-tests) in parallel, and the go/ast pass over the sources
// that finds functions runs on every core once the profile is merged.
//
// # Test binaries that die
//
// A test that panics, calls os.Exit, is killed by a signal or hangs past
// -timeout (Options.Timeout, 2m per test binary by default) kills its
// package's test binary: the tests after it never run and the binary writes
// no coverage (a timed-out one writes what ran until the alarm). Run
// reads that from the -json stream: the package fails without the binary's
// own final "PASS"/"FAIL" line. The test that was running (or that
// panicked, or that "running tests:" of a timeout names) is recorded as a
// failing test with its output and TestResult.Crashed, and the package is
// run again alone with `-skip '^(TestX)$'`, at most twice (for a second
// culprit); the re-run's profile is merged and its tests added, and the
// package gets Package.Recovered. When no test is to blame (a panic in
// init, a TestMain that exits) or the binary still dies, the package gets
// Package.NoData: unmeasured, out of the total, never ranked. A timed-out
// binary's partial coverage stays in the profile: the hung test did run
// that code.

// Options says what Run runs.
type Options struct {
	Dir string // a directory of the project; "" means "."
	// Flags are more go test flags, from the project file's [baseline]
	// go_test_flags (coverage.GoTestFlagNames: -short, -run, -tags, ...).
	Flags []string
	// Packages are `go test` patterns; empty means every package of every
	// module (go.work or nested modules). Relative patterns are relative to Dir.
	Packages []string
	// CoverPkg are -coverpkg patterns; empty means each module's own packages.
	CoverPkg []string
	// PerPackage measures each package by its own tests only (-cover, no
	// -coverpkg), like `go test -cover`.
	PerPackage bool
	// Progress, when set, is called with packages done and the total as the
	// tests finish; total is 0 until it is known.
	Progress func(done, total int)
	// Env is added to the environment of every go command.
	Env []string
	// Timeout is go test's -timeout, which applies to each test binary
	// (each package): a hung test then fails its package after Timeout
	// instead of go's 10 minutes, is named, and the package is re-run
	// without it. 0 means DefaultTestTimeout; a negative value means no
	// limit (-timeout=0).
	Timeout time.Duration
	// OnPackage, when set, is called as soon as go test reports a
	// package's final action (pass, fail or skip), with that package's
	// entries of Result.Tests: the watch-test loop shows results while the
	// rest of the suite still runs. It is called on Run's goroutine,
	// once per package, in the order go test reports the packages, and
	// before Run returns; it should return quickly, since go test's
	// output waits for it. go test reports packages in the order of its
	// arguments, each as soon as it and those before it have finished, so
	// a slow package holds back the report of faster ones after it. A package that failed to build is reported when its go test
	// run ends (after the re-run without broken packages, see Run), so
	// that it is never reported twice; so is a module that could not be
	// tested at all ("(module)"). A cancelled run stops calling it.
	OnPackage func(pkg string, tests []coverage.TestResult)
}

// DefaultTestTimeout is the -timeout Run gives each test binary when
// Options.Timeout is 0.
const DefaultTestTimeout = 2 * time.Minute

// maxReruns bounds the re-runs of one package whose test binary died: one
// per culprit, for at most two culprits.
const maxReruns = 2

// testEvent is one line of `go test -json` (cmd/test2json).
type testEvent struct {
	Action      string
	Package     string
	ImportPath  string // build-output and build-fail
	Test        string
	Elapsed     float64
	Output      string
	FailedBuild string
	Time        time.Time
}

// goTestRun is one `go test` invocation.
type goTestRun struct {
	dir       string
	workspace bool // run from a go.work root
	patterns  []string
	coverpkg  []string
	skip      []string // top-level tests to leave out (-skip)
	runNone   bool     // build and start the binaries, run no test (-run=^$)
}

// Run runs the tests of the Go project in opts.Dir with coverage and
// returns the result. Failing tests are not an error: the result lists them
// in Tests and still holds the coverage of the run. Build failures appear
// as a failed test named "(build)", a package that fails outside any test as
// "(package)".
func Run(ctx context.Context, opts Options) (*coverage.Result, error) {
	dir := opts.Dir
	if dir == "" {
		dir = "."
	}
	if _, err := exec.LookPath("go"); err != nil {
		return nil, ErrNoGo
	}
	proj, err := FindProject(ctx, dir)
	if err != nil {
		return nil, err
	}
	absDir, _ := filepath.Abs(dir)
	runs, err := planRuns(proj, absDir, opts)
	if err != nil {
		return nil, err
	}
	tmp, err := os.MkdirTemp("", "sprintkit-cover-")
	if err != nil {
		return nil, fmt.Errorf("run go test: %w", err)
	}
	defer os.RemoveAll(tmp)

	prog := &progress{fn: opts.Progress}
	rec := &recovery{recovered: map[string]*coverage.Recovery{}, noData: map[string]string{}}
	emit := &emitter{fn: opts.OnPackage, sent: map[string]bool{}}
	var (
		pkgs         []*Package
		listWarnings []string
		listErr      error
		wg           sync.WaitGroup
	)
	wg.Add(1)
	go func() {
		defer wg.Done()
		pkgs, listWarnings, listErr = listProject(ctx, proj, opts.Env)
		if listErr != nil {
			return
		}
		if len(opts.Packages) == 0 {
			prog.setTotal(len(pkgs))
			return
		}
		total := 0
		for _, run := range runs {
			ps, err := ListPackages(ctx, run.dir, goEnviron(opts.Env, run.workspace), run.patterns...)
			if err == nil {
				total += len(ps)
			}
		}
		prog.setTotal(total)
	}()

	var (
		tests      []coverage.TestResult
		profiles   []string
		warnings   []string
		failedRuns []error
	)
	for i, run := range runs {
		out := filepath.Join(tmp, fmt.Sprintf("cover-%d.out", i))
		ts, broken, died, err := runGoTest(ctx, run, out, opts, prog, emit)
		// With -coverpkg, go test builds every package the patterns match
		// for each test binary's coverage report, so one package that does
		// not compile fails every build. Run again without the broken
		// packages (at most twice more), so the rest of the suite still
		// measures; the broken packages keep their "(build)" failures.
		for retry := 0; err == nil && len(broken) > 0 && !opts.PerPackage && retry < 2; retry++ {
			if len(opts.CoverPkg) == 0 && len(opts.Packages) == 0 {
				wg.Wait()
				if listErr != nil {
					break
				}
				good := withoutPackages(pkgs, run, nil)
				if better := withoutPackages(pkgs, run, broken); len(better) < len(good) {
					run.coverpkg, run.patterns = better, better
				} else {
					break // what failed is not ours to leave out (a missing dependency)
				}
			} else if importPathsOnly(run.patterns) && importPathsOnly(run.coverpkg) {
				// Explicit packages (watch-test's affected set): drop the broken ones.
				p, c := dropPaths(run.patterns, broken), dropPaths(run.coverpkg, broken)
				if len(p) == len(run.patterns) && len(c) == len(run.coverpkg) {
					break
				}
				run.patterns, run.coverpkg = p, c
			} else {
				break
			}
			if len(run.patterns) == 0 || len(run.coverpkg) == 0 {
				break
			}
			ts2, more, died2, err2 := runGoTest(ctx, run, out, opts, prog, emit)
			if err2 != nil {
				if ctx.Err() != nil {
					err = err2
				}
				break
			}
			for _, tr := range ts {
				if broken[tr.Package] {
					ts2 = append(ts2, tr)
				}
			}
			ts, died = ts2, died2
			if len(more) == 0 {
				break
			}
			for k := range more {
				broken[k] = true
			}
		}
		if err != nil {
			// One module that cannot be tested at all (a go.mod go cannot
			// load) does not sink the others: it becomes a failure entry.
			if ctx.Err() != nil || len(runs) == 1 {
				wg.Wait()
				if ctx.Err() == nil && listErr == nil && len(pkgs) == 0 {
					return nil, fmt.Errorf("no Go packages to test in %s", proj.Root)
				}
				return nil, err
			}
			failedRuns = append(failedRuns, err)
			mod := coverage.TestResult{Package: runName(proj, run), Test: "(module)", Outcome: "fail", Output: err.Error()}
			tests = append(tests, mod)
			warnings = append(warnings, err.Error())
			emit.rest(ctx, []coverage.TestResult{mod})
			continue
		}
		// Packages whose test binary died are run again without the tests
		// that killed it.
		ts, more, err := recoverDied(ctx, run, opts, filepath.Join(tmp, fmt.Sprintf("recover-%d", i)), ts, died, rec)
		if err != nil {
			wg.Wait()
			return nil, err
		}
		if len(opts.Packages) > 0 && !opts.PerPackage {
			wg.Wait() // the project's packages, for a package to go with
			if known := knownStatements(ctx, run, opts, filepath.Join(tmp, fmt.Sprintf("known-%d.out", i)), died, rec, pkgs); known != "" {
				more = append(more, known)
			}
		}
		// The packages held back (build failures, dead binaries) now have
		// their final say.
		emit.rest(ctx, ts)
		tests = append(tests, ts...)
		profiles = append(profiles, out)
		profiles = append(profiles, more...)
	}
	wg.Wait()
	if len(failedRuns) == len(runs) {
		return nil, failedRuns[0]
	}
	if listErr != nil {
		return nil, listErr
	}
	warnings = append(warnings, listWarnings...)

	m := NewMerger()
	for _, p := range profiles {
		f, err := os.Open(p)
		if errors.Is(err, os.ErrNotExist) {
			continue // nothing built: every package failed to build
		} else if err != nil {
			return nil, fmt.Errorf("read coverage profile: %w", err)
		}
		err = m.Read("cover.out", f)
		f.Close()
		if err != nil {
			return nil, err
		}
	}
	mode := m.Mode()
	merged, err := m.Profiles()
	if err != nil {
		return nil, err
	}
	r, err := buildGoResult(ctx, proj, pkgs, merged, nil, false)
	if err != nil {
		return nil, err
	}
	if mode != "" {
		r.Mode = mode
	}
	// By package, each package's tests in the order they ran: the order of
	// go test's own output depends on which binary finishes first, and the
	// re-runs of dead binaries add their tests after everything else. So
	// the order is the same from run to run, and a merge of shards, each
	// package tested in one of them, restores it (LoadShards).
	slices.SortStableFunc(tests, func(a, b coverage.TestResult) int { return strings.Compare(a.Package, b.Package) })
	r.Tests = tests
	r.TestRunSeconds = prog.runSeconds()
	r.Warnings = append(warnings, r.Warnings...)
	rec.apply(proj, r, pkgs)
	return r, nil
}

// planRuns decides the go test invocations.
func planRuns(proj *Project, absDir string, opts Options) ([]goTestRun, error) {
	if proj.Workspace != "" {
		run := goTestRun{dir: proj.Root, workspace: true, patterns: opts.Packages, coverpkg: opts.CoverPkg}
		if len(run.patterns) == 0 {
			run.patterns = modulePatterns(proj.Root, proj.Modules)
		} else {
			run.patterns = rebase(absDir, proj.Root, run.patterns)
		}
		if len(run.coverpkg) == 0 {
			run.coverpkg = modulePatterns(proj.Root, proj.Modules)
		} else {
			run.coverpkg = rebase(absDir, proj.Root, run.coverpkg)
		}
		return []goTestRun{run}, nil
	}
	var runs []goTestRun
	for _, m := range proj.Modules {
		run := goTestRun{dir: m.Dir}
		if len(opts.Packages) == 0 {
			run.patterns = []string{"./..."}
		} else {
			run.patterns = rebase(absDir, m.Dir, patternsOf(proj, m, absDir, opts.Packages))
			if len(run.patterns) == 0 {
				continue
			}
		}
		run.coverpkg = rebase(absDir, m.Dir, patternsOf(proj, m, absDir, opts.CoverPkg))
		if len(run.coverpkg) == 0 {
			run.coverpkg = []string{"./..."}
		}
		runs = append(runs, run)
	}
	if len(runs) == 0 {
		return nil, fmt.Errorf("no module of %s holds the packages %s", proj.Root, strings.Join(opts.Packages, " "))
	}
	return runs, nil
}

// patternsOf returns the patterns that belong to module m: import paths
// under its module path, and directories under its directory, each to the
// innermost module that holds it.
func patternsOf(proj *Project, m Module, absDir string, patterns []string) []string {
	var out []string
	for _, p := range patterns {
		if owner(proj, absDir, p) == m.Dir {
			out = append(out, p)
		}
	}
	return out
}

func owner(proj *Project, absDir, pattern string) string {
	best, bestLen := "", -1
	if isRelPattern(pattern) {
		d := filepath.Join(absDir, filepath.FromSlash(strings.TrimSuffix(strings.TrimSuffix(pattern, "..."), "/")))
		for _, m := range proj.Modules {
			if relSlash(m.Dir, d) != "" && len(m.Dir) > bestLen {
				best, bestLen = m.Dir, len(m.Dir)
			}
		}
		return best
	}
	for _, m := range proj.Modules {
		if (pattern == m.Path || strings.HasPrefix(pattern, m.Path+"/")) && len(m.Path) > bestLen {
			best, bestLen = m.Dir, len(m.Path)
		}
	}
	return best
}

func isRelPattern(p string) bool {
	return p == "." || p == ".." || strings.HasPrefix(p, "./") || strings.HasPrefix(p, "../") || filepath.IsAbs(p)
}

// rebase rewrites relative patterns given relative to from so that they are
// relative to to; import path patterns are kept.
func rebase(from, to string, patterns []string) []string {
	out := make([]string, 0, len(patterns))
	for _, p := range patterns {
		if !isRelPattern(p) {
			out = append(out, p)
			continue
		}
		suffix := ""
		base := p
		if strings.HasSuffix(base, "/...") {
			suffix, base = "/...", strings.TrimSuffix(base, "/...")
		} else if base == "..." {
			suffix, base = "/...", "."
		}
		abs := base
		if !filepath.IsAbs(abs) {
			abs = filepath.Join(from, filepath.FromSlash(base))
		}
		rel, err := filepath.Rel(to, abs)
		if err != nil {
			out = append(out, p)
			continue
		}
		rel = filepath.ToSlash(rel)
		if rel != "." && !strings.HasPrefix(rel, "../") && rel != ".." {
			rel = "./" + rel
		}
		out = append(out, rel+suffix)
	}
	return out
}

// withoutPackages returns the import paths of the packages of run's
// module(s) other than the broken ones.
func withoutPackages(pkgs []*Package, run goTestRun, broken map[string]bool) []string {
	var out []string
	for _, p := range pkgs {
		if broken[p.ImportPath] {
			continue
		}
		if !run.workspace && p.Module != nil && p.Module.Dir != run.dir {
			continue // another module, tested in its own run
		}
		out = append(out, p.ImportPath)
	}
	return out
}

// importPathsOnly reports whether every pattern names one package by its
// import path (no "..." and no directory).
func importPathsOnly(patterns []string) bool {
	for _, p := range patterns {
		if isRelPattern(p) || strings.Contains(p, "...") {
			return false
		}
	}
	return len(patterns) > 0
}

func dropPaths(paths []string, drop map[string]bool) []string {
	var out []string
	for _, p := range paths {
		if !drop[p] {
			out = append(out, p)
		}
	}
	return out
}

// goEnviron returns the environment for a go command: ours plus extra. In
// workspace mode it drops -mod flags from GOFLAGS, which go rejects there
// ("-mod may only be set to readonly or vendor when in workspace mode").
func goEnviron(extra []string, workspace bool) []string {
	env := append(os.Environ(), extra...)
	if !workspace {
		return env
	}
	for i := len(env) - 1; i >= 0; i-- {
		v, ok := strings.CutPrefix(env[i], "GOFLAGS=")
		if !ok {
			continue
		}
		var keep []string
		for _, f := range strings.Fields(v) {
			if !strings.HasPrefix(f, "-mod=") && !strings.HasPrefix(f, "--mod=") {
				keep = append(keep, f)
			}
		}
		env[i] = "GOFLAGS=" + strings.Join(keep, " ")
		break
	}
	return env
}

// listProject lists every package of every module of proj. With several
// modules, one whose packages cannot be listed becomes a warning.
// ListProject lists the packages of the Go project at dir as Run tests
// them: every module of a go.work workspace (in workspace mode), or each
// module at dir and below it. env is added to the environment.
func ListProject(ctx context.Context, dir string, env []string) ([]*Package, error) {
	proj, err := FindProject(ctx, dir)
	if err != nil {
		return nil, err
	}
	pkgs, _, err := listProject(ctx, proj, env)
	return pkgs, err
}

func listProject(ctx context.Context, proj *Project, env []string) ([]*Package, []string, error) {
	if proj.Workspace != "" {
		pkgs, err := ListPackages(ctx, proj.Root, goEnviron(env, true), modulePatterns(proj.Root, proj.Modules)...)
		return pkgs, nil, err
	}
	var all []*Package
	var warnings []string
	for _, m := range proj.Modules {
		ps, err := ListPackages(ctx, m.Dir, goEnviron(env, false), "./...")
		if err != nil {
			if len(proj.Modules) == 1 || ctx.Err() != nil {
				return nil, nil, err
			}
			warnings = append(warnings, fmt.Sprintf("module %s: %v", m.Path, err))
			continue
		}
		all = append(all, ps...)
	}
	markPackages(all) // imports across nested modules count too
	return all, warnings, nil
}

// runName names a run's module(s) for messages.
func runName(proj *Project, run goTestRun) string {
	for _, m := range proj.Modules {
		if m.Dir == run.dir {
			return m.Path
		}
	}
	return proj.Name()
}

// emitter calls Options.OnPackage at most once per package. A package whose
// final action is a build failure is held back until its go test run (and
// any re-run without the broken packages) is over: with -coverpkg one broken
// package fails every other package's build too, and the re-run gives those
// packages their real outcomes.
type emitter struct {
	fn   func(pkg string, tests []coverage.TestResult)
	sent map[string]bool
}

// done is the collector's report of a package's final action.
func (e *emitter) done(ctx context.Context, pkg string, tests []coverage.TestResult, buildFailed bool) {
	if e == nil || e.fn == nil || buildFailed || e.sent[pkg] || ctx.Err() != nil {
		return
	}
	e.sent[pkg] = true
	e.fn(pkg, tests)
}

// rest reports the packages of a run's final tests not reported yet, in
// the order they first appear.
func (e *emitter) rest(ctx context.Context, tests []coverage.TestResult) {
	if e == nil || e.fn == nil {
		return
	}
	var order []string
	byPkg := map[string][]coverage.TestResult{}
	for _, t := range tests {
		if e.sent[t.Package] {
			continue
		}
		if _, ok := byPkg[t.Package]; !ok {
			order = append(order, t.Package)
		}
		byPkg[t.Package] = append(byPkg[t.Package], t)
	}
	for _, p := range order {
		if ctx.Err() != nil {
			return
		}
		e.sent[p] = true
		e.fn(p, byPkg[p])
	}
}

// progress serialises Progress calls from the test and list goroutines.
type progress struct {
	mu          sync.Mutex
	fn          func(done, total int)
	done, total int
	// spans holds when each test binary ran, from its package's final
	// event: its time less its elapsed seconds.
	spans []span
}

// span is an interval of wall time.
type span struct{ from, to time.Time }

func (p *progress) ran(from, to time.Time) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.spans = append(p.spans, span{from, to})
}

// runSeconds is the wall time during which at least one test binary ran:
// the length of the union of the spans.
func (p *progress) runSeconds() float64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	s := append([]span(nil), p.spans...)
	sort.Slice(s, func(i, j int) bool { return s[i].from.Before(s[j].from) })
	var total time.Duration
	var cur span
	for i, x := range s {
		switch {
		case i == 0:
			cur = x
		case x.from.After(cur.to):
			total += cur.to.Sub(cur.from)
			cur = x
		case x.to.After(cur.to):
			cur.to = x.to
		}
	}
	if len(s) > 0 {
		total += cur.to.Sub(cur.from)
	}
	return total.Seconds()
}

func (p *progress) setTotal(n int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.total = n
	if p.done > p.total {
		p.total = p.done
	}
	if p.fn != nil {
		p.fn(p.done, p.total)
	}
}

func (p *progress) packageDone() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.done++
	if p.total != 0 && p.done > p.total {
		p.total = p.done
	}
	if p.fn != nil {
		p.fn(p.done, p.total)
	}
}

const maxFailureOutput = 64 << 10

// runGoTest runs one go test and collects the outcome of every test, the
// import paths of the packages that did not compile, and the packages whose
// test binary died.
func runGoTest(ctx context.Context, run goTestRun, profile string, opts Options, prog *progress, emit *emitter) ([]coverage.TestResult, map[string]bool, map[string]*death, error) {
	args := []string{"test", "-json", "-coverprofile=" + profile, "-timeout=" + timeoutArg(opts.Timeout)}
	args = append(args, opts.Flags...)
	if opts.PerPackage {
		args = append(args, "-cover")
	} else {
		args = append(args, "-coverpkg="+strings.Join(run.coverpkg, ","))
	}
	if len(run.skip) > 0 {
		args = append(args, "-skip="+skipPattern(run.skip))
	}
	if run.runNone {
		args = append(args, "-run=^$")
	}
	args = append(args, run.patterns...)
	// The child leads its own process group: cancelling stops go test and
	// the test binaries it started.
	cmd := proc.Command(ctx, "go", args...)
	cmd.Dir = run.dir
	cmd.Env = goEnviron(opts.Env, run.workspace)
	var stderr bytes.Buffer
	cmd.Stderr = &limitedBuffer{buf: &stderr, max: maxFailureOutput}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, nil, nil, fmt.Errorf("run go test: %w", err)
	}
	if err := cmd.Start(); err != nil {
		if errors.Is(err, exec.ErrNotFound) {
			return nil, nil, nil, ErrNoGo
		}
		return nil, nil, nil, fmt.Errorf("run go test: %w", err)
	}
	c := newCollector(prog)
	if emit != nil && emit.fn != nil {
		c.done = func(pkg string, tests []coverage.TestResult, buildFailed bool) {
			emit.done(ctx, pkg, tests, buildFailed)
		}
	}
	readErr := c.read(stdout)
	waitErr := cmd.Wait()
	if ctx.Err() != nil {
		return nil, nil, nil, ctx.Err()
	}
	if readErr != nil {
		return nil, nil, nil, fmt.Errorf("read go test output: %w", readErr)
	}
	if waitErr != nil && c.packages == 0 {
		msg := strings.TrimSpace(stderr.String())
		if msg == "" {
			msg = strings.TrimSpace(c.loose.String())
		}
		return nil, nil, nil, fmt.Errorf("go test in %s: %w%s", run.dir, waitErr, firstLines(msg, 20))
	}
	return c.finish(), c.broken, c.died, nil
}

// timeoutArg is go test's -timeout for Options.Timeout.
func timeoutArg(d time.Duration) string {
	switch {
	case d == 0:
		d = DefaultTestTimeout
	case d < 0:
		return "0"
	}
	return d.String()
}

// skipPattern is the -skip regular expression that leaves out exactly the
// named top-level tests.
func skipPattern(tests []string) string {
	q := make([]string, len(tests))
	for i, t := range tests {
		q[i] = regexp.QuoteMeta(t)
	}
	return "^(" + strings.Join(q, "|") + ")$"
}

// limitedBuffer keeps the first max bytes written to it.
type limitedBuffer struct {
	buf *bytes.Buffer
	max int
}

func (l *limitedBuffer) Write(p []byte) (int, error) {
	if room := l.max - l.buf.Len(); room > 0 {
		if len(p) > room {
			l.buf.Write(p[:room])
		} else {
			l.buf.Write(p)
		}
	}
	return len(p), nil
}

// collector turns test2json events into TestResults.
type collector struct {
	prog     *progress
	tests    []coverage.TestResult
	output   map[string]*bytes.Buffer // running tests' output, by package\x00test
	pkgOut   map[string]*bytes.Buffer // package-level output, by package
	buildOut map[string]*bytes.Buffer // build output, by import path
	failed   map[string]bool          // packages with a failed test
	broken   map[string]bool          // packages that did not compile
	packages int                      // packages finished
	loose    bytes.Buffer             // stdout lines that are not JSON
	// done, when set, is told of each package's final action with the
	// package's tests; held when the package did not build or its test
	// binary died (its final tests come after the re-runs).
	done  func(pkg string, tests []coverage.TestResult, held bool)
	byPkg map[string][]int // indexes into tests, by package
	// running are the tests started and not finished, by package, with
	// the order they started in.
	running map[string]map[string]int
	seq     int
	ended   map[string]bool   // packages whose binary printed its final PASS or FAIL
	died    map[string]*death // packages whose test binary died
}

// death is how a package's test binary died.
type death struct {
	culprits []string // the tests that killed it, by full name; none when no test is to blame
	why      string   // "panicked", "exited", "timed out" or "killed by signal"
	line     string   // the line that says so ("panic: …"), when there is one
}

func newCollector(prog *progress) *collector {
	return &collector{prog: prog, output: map[string]*bytes.Buffer{}, pkgOut: map[string]*bytes.Buffer{},
		buildOut: map[string]*bytes.Buffer{}, failed: map[string]bool{}, broken: map[string]bool{},
		byPkg: map[string][]int{}, running: map[string]map[string]int{}, ended: map[string]bool{},
		died: map[string]*death{}}
}

// add records a test outcome.
func (c *collector) add(t coverage.TestResult) {
	c.byPkg[t.Package] = append(c.byPkg[t.Package], len(c.tests))
	c.tests = append(c.tests, t)
}

// packageDone counts a package's final action and reports it.
func (c *collector) packageDone(pkg string, buildFailed bool) {
	c.packages++
	if c.done != nil {
		tests := make([]coverage.TestResult, 0, len(c.byPkg[pkg]))
		for _, i := range c.byPkg[pkg] {
			tests = append(tests, c.tests[i])
		}
		c.done(pkg, tests, buildFailed)
	}
	c.prog.packageDone()
}

func appendCapped(m map[string]*bytes.Buffer, key, s string) {
	b := m[key]
	if b == nil {
		b = &bytes.Buffer{}
		m[key] = b
	}
	if b.Len() < maxFailureOutput {
		b.WriteString(s)
	}
}

func (c *collector) read(r io.Reader) error {
	br := bufio.NewReaderSize(r, 64<<10)
	for {
		line, err := br.ReadBytes('\n')
		if len(line) > 0 {
			if bytes.HasPrefix(line, []byte("{")) {
				var ev testEvent
				if json.Unmarshal(line, &ev) == nil {
					c.event(ev)
				} else if c.loose.Len() < maxFailureOutput {
					c.loose.Write(line)
				}
			} else if c.loose.Len() < maxFailureOutput {
				c.loose.Write(line)
			}
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

func (c *collector) event(ev testEvent) {
	switch ev.Action {
	case "build-output":
		appendCapped(c.buildOut, ev.ImportPath, ev.Output)
		return
	case "build-fail":
		p, _, _ := strings.Cut(ev.ImportPath, " ")
		c.broken[p] = true
		return
	}
	if ev.Test != "" {
		key := ev.Package + "\x00" + ev.Test
		switch ev.Action {
		case "run":
			if c.running[ev.Package] == nil {
				c.running[ev.Package] = map[string]int{}
			}
			c.seq++
			c.running[ev.Package][ev.Test] = c.seq
		case "pass", "skip", "fail":
			delete(c.running[ev.Package], ev.Test)
		}
		switch ev.Action {
		case "output":
			appendCapped(c.output, key, ev.Output)
		case "pass", "skip":
			c.add(coverage.TestResult{Package: ev.Package, Test: ev.Test, Outcome: ev.Action, Seconds: ev.Elapsed})
			delete(c.output, key)
		case "fail":
			out := ""
			if b := c.output[key]; b != nil {
				out = b.String()
			}
			c.add(coverage.TestResult{Package: ev.Package, Test: ev.Test, Outcome: "fail", Seconds: ev.Elapsed, Output: out})
			delete(c.output, key)
			c.failed[ev.Package] = true
		}
		return
	}
	switch ev.Action {
	case "output":
		appendCapped(c.pkgOut, ev.Package, ev.Output)
		// The test binary's own last word (testing.M.Run); a binary that
		// dies never prints it.
		if ev.Output == "PASS\n" || ev.Output == "FAIL\n" {
			c.ended[ev.Package] = true
		}
	case "pass", "skip":
		delete(c.pkgOut, ev.Package)
		c.packageDone(ev.Package, false)
	case "fail":
		switch {
		case ev.FailedBuild != "":
			out := ""
			if b := c.buildOut[ev.FailedBuild]; b != nil {
				out = b.String()
			}
			if out == "" {
				if b := c.pkgOut[ev.Package]; b != nil {
					out = b.String()
				}
			}
			c.add(coverage.TestResult{Package: ev.Package, Test: "(build)", Outcome: "fail", Seconds: ev.Elapsed, Output: out})
		case !c.ended[ev.Package]:
			c.autopsy(ev.Package, ev.Elapsed)
		case !c.failed[ev.Package]:
			out := ""
			if b := c.pkgOut[ev.Package]; b != nil {
				out = b.String()
			}
			c.add(coverage.TestResult{Package: ev.Package, Test: "(package)", Outcome: "fail", Seconds: ev.Elapsed, Output: out})
		}
		delete(c.pkgOut, ev.Package)
		c.packageDone(ev.Package, ev.FailedBuild != "" || c.died[ev.Package] != nil)
	}
	if (ev.Action == "pass" || ev.Action == "skip" || ev.Action == "fail") && ev.FailedBuild == "" && ev.Elapsed > 0 && !ev.Time.IsZero() {
		c.prog.ran(ev.Time.Add(-time.Duration(ev.Elapsed*float64(time.Second))), ev.Time)
	}
	if ev.Action == "pass" || ev.Action == "skip" || ev.Action == "fail" {
		for t := range c.running[ev.Package] {
			delete(c.output, ev.Package+"\x00"+t)
		}
		delete(c.running, ev.Package)
		delete(c.ended, ev.Package)
	}
}

var (
	timedOutRE = regexp.MustCompile(`(?m)^panic: test timed out after .*\n\s*running tests:\n((?:\t\t.*\n?)+)`)
	crashRE    = regexp.MustCompile(`(?m)^(panic: |fatal error: |signal: |exit status ).*$`)
)

// autopsy records a package whose test binary died: it failed without the
// binary's final line. The culprit is the test a timeout names, else the
// test that was still running (the innermost, preferring one that
// panicked), else a failed test whose output holds a panic. The culprits
// become failing tests with TestResult.Crashed; with none, "(package)" is
// the failure.
func (c *collector) autopsy(pkg string, elapsed float64) {
	pkgOut := ""
	if b := c.pkgOut[pkg]; b != nil {
		pkgOut = b.String()
	}
	outputOf := func(test string) string {
		if b := c.output[pkg+"\x00"+test]; b != nil {
			return b.String()
		}
		return ""
	}
	var running []string
	for t := range c.running[pkg] {
		running = append(running, t)
	}
	sort.Slice(running, func(i, j int) bool { return c.running[pkg][running[i]] < c.running[pkg][running[j]] })

	d := &death{}
	// A timeout: "panic: test timed out after 5s\n\trunning tests:\n\t\tTestX (5s)".
	texts := []string{pkgOut}
	for _, t := range running {
		texts = append(texts, outputOf(t))
	}
	timeoutText := ""
	for _, text := range texts {
		if m := timedOutRE.FindStringSubmatch(text); m != nil {
			timeoutText = text
			d.why = "timed out"
			for _, l := range strings.Split(m[1], "\n") {
				if f := strings.Fields(l); len(f) > 0 {
					d.culprits = append(d.culprits, f[0])
				}
			}
			break
		}
	}
	if d.why == "" && len(running) > 0 {
		// Of the tests still running, the one that panicked, then the
		// innermost subtest, then the last to start.
		rank := func(t string) (int, int) {
			p := 0
			if strings.Contains(outputOf(t), "panic: ") {
				p = 1
			}
			return p, strings.Count(t, "/")
		}
		best := running[0]
		for _, t := range running[1:] {
			p, dep := rank(t)
			bp, bdep := rank(best)
			if p > bp || p == bp && dep >= bdep {
				best = t
			}
		}
		d.culprits = []string{best}
		if d.why = crashKind(outputOf(best) + pkgOut); d.why == "" {
			d.why = "exited" // os.Exit says nothing
		}
	}
	if d.why == "" {
		// testing printed "--- FAIL" for a test that panicked before it
		// re-panicked: test2json reported it failed.
		for i := len(c.byPkg[pkg]) - 1; i >= 0; i-- {
			t := &c.tests[c.byPkg[pkg][i]]
			if t.Outcome == "fail" && strings.Contains(t.Output, "panic: ") {
				t.Crashed = "panicked"
				d.culprits, d.why = []string{t.Test}, "panicked"
				d.line = t.CrashLine()
				break
			}
		}
	}
	if d.why == "" {
		d.why = crashKind(pkgOut)
		if d.why == "" {
			d.why = "exited"
		}
		out := coverage.TestResult{Package: pkg, Test: "(package)", Outcome: "fail", Seconds: elapsed, Output: pkgOut, Crashed: d.why}
		d.line = out.CrashLine()
		c.add(out)
	}
	done := map[string]bool{}
	for _, i := range c.byPkg[pkg] {
		done[c.tests[i].Test] = true
	}
	for _, name := range d.culprits {
		if done[name] {
			continue
		}
		out := outputOf(name)
		if timeoutText != "" && !strings.Contains(out, "panic: test timed out") {
			out += timeoutText
		} else if crashRE.FindString(out) == "" {
			out += pkgOut
		}
		t := coverage.TestResult{Package: pkg, Test: name, Outcome: "fail", Output: out, Crashed: d.why}
		if d.line == "" {
			d.line = t.CrashLine()
		}
		c.add(t)
	}
	c.failed[pkg] = true
	c.died[pkg] = d
}

// crashKind tells from a dead binary's output how it died; "" when the
// output does not say.
func crashKind(out string) string {
	switch m := crashRE.FindString(out); {
	case strings.HasPrefix(m, "panic: "), strings.HasPrefix(m, "fatal error: "):
		return "panicked"
	case strings.HasPrefix(m, "signal: "):
		return "killed by signal"
	case strings.HasPrefix(m, "exit status "):
		return "exited"
	}
	return ""
}

func (c *collector) finish() []coverage.TestResult {
	if c.tests == nil {
		return []coverage.TestResult{}
	}
	return c.tests
}

// recovery gathers, over Run's runs, the packages re-run without the
// tests that killed their binary and those left without data.
type recovery struct {
	recovered map[string]*coverage.Recovery
	noData    map[string]string
}

// recoverDied runs each package of died again alone, without the tests
// that killed its binary, until it runs to its end (at most maxReruns
// times). It returns tests with the re-runs' new tests added, and the
// profiles of the re-runs that ran to their end, to merge. Only a
// cancelled context is an error.
func recoverDied(ctx context.Context, run goTestRun, opts Options, prefix string, tests []coverage.TestResult, died map[string]*death, rec *recovery) ([]coverage.TestResult, []string, error) {
	var pkgs []string
	for p := range died {
		pkgs = append(pkgs, p)
	}
	sort.Strings(pkgs)
	var profiles []string
	for n, pkg := range pkgs {
		d := died[pkg]
		if len(d.culprits) == 0 {
			rec.noData[pkg] = noDataReason(d)
			continue
		}
		r := &coverage.Recovery{Skipped: topLevel(nil, d.culprits), Why: d.why}
		seen := map[string]bool{}
		for _, t := range tests {
			if t.Package == pkg {
				seen[t.Test] = true
			}
		}
		for attempt := 1; ; attempt++ {
			rerun := goTestRun{dir: run.dir, workspace: run.workspace, patterns: []string{pkg}, coverpkg: run.coverpkg, skip: r.Skipped}
			out := fmt.Sprintf("%s-%d-%d.out", prefix, n, attempt)
			ts, _, again, err := runGoTest(ctx, rerun, out, opts, &progress{}, nil)
			if err != nil {
				if ctx.Err() != nil {
					return nil, nil, ctx.Err()
				}
				rec.noData[pkg] = fmt.Sprintf("the re-run without %s failed: %v", strings.Join(r.Skipped, ", "), err)
				break
			}
			for _, t := range ts {
				if t.Package == pkg && !seen[t.Test] {
					seen[t.Test] = true
					tests = append(tests, t)
				}
			}
			d2 := again[pkg]
			if d2 == nil {
				rec.recovered[pkg] = r
				profiles = append(profiles, out)
				break
			}
			more := topLevel(r.Skipped, d2.culprits)
			if len(more) == 0 || attempt == maxReruns {
				rec.noData[pkg] = fmt.Sprintf("its test binary still %s after a re-run without %s", d2.why, strings.Join(r.Skipped, ", "))
				if line := d2.line; line != "" {
					rec.noData[pkg] += ": " + line
				}
				break
			}
			r.Skipped = append(r.Skipped, more...)
			if !strings.Contains(r.Why, d2.why) {
				r.Why += ", " + d2.why
			}
		}
	}
	return tests, profiles, nil
}

// knownStatements returns a profile of the statements, none covered, of
// the packages of a run of some packages (Options.Packages: a CI shard,
// watch-test) whose test binary died with no data. go test lists a dead
// binary's package in its profile only when another binary of the same
// invocation ran to its end, as one does in a whole-suite run; so the dead
// packages go with one other package, of the run or else of the project
// under its directory, no test run (-run=^$), and the result equals the
// whole suite's. "" when there is nothing to add or it could not be had.
func knownStatements(ctx context.Context, run goTestRun, opts Options, out string, died map[string]*death, rec *recovery, pkgs []*Package) string {
	var dead []string
	for p := range died {
		if _, ok := rec.noData[p]; ok {
			dead = append(dead, p)
		}
	}
	if len(dead) == 0 {
		return ""
	}
	sort.Strings(dead)
	helper := ""
	for _, p := range run.patterns {
		if _, ok := rec.noData[p]; !ok && !strings.Contains(p, "...") {
			helper = p
			break
		}
	}
	for _, p := range pkgs { // one with tests: go test runs no binary for the others
		_, dead := rec.noData[p.ImportPath]
		ours := run.workspace || p.Module != nil && filepath.Clean(p.Module.Dir) == filepath.Clean(run.dir)
		if helper == "" && !dead && ours && p.HasTests {
			helper = p.ImportPath
		}
	}
	if helper == "" {
		return ""
	}
	known := goTestRun{dir: run.dir, workspace: run.workspace, patterns: append(dead, helper), coverpkg: run.coverpkg, runNone: true}
	if _, _, _, err := runGoTest(ctx, known, out, opts, &progress{}, nil); err != nil {
		return ""
	}
	if _, err := os.Stat(out); err != nil {
		return ""
	}
	return out
}

// topLevel returns the top-level tests of names ("TestX" of "TestX/sub")
// that are not in have, without repeats.
func topLevel(have, names []string) []string {
	var out []string
	seen := map[string]bool{}
	for _, h := range have {
		seen[h] = true
	}
	for _, n := range names {
		root, _, _ := strings.Cut(n, "/")
		if !seen[root] {
			seen[root] = true
			out = append(out, root)
		}
	}
	return out
}

// noDataReason says why a package whose binary died with no test to blame
// has no figure.
func noDataReason(d *death) string {
	s := "its test binary " + d.why + " outside any test (init, TestMain or a stray goroutine)"
	if d.line != "" {
		s += ": " + d.line
	}
	return s
}

// apply marks r's packages as recovered or without data, adds the packages
// without data that are missing from the profile (with -cover, a package
// whose binary wrote nothing is not in it), and finalizes r again.
func (rec *recovery) apply(proj *Project, r *coverage.Result, pkgs []*Package) {
	if len(rec.recovered) == 0 && len(rec.noData) == 0 {
		return
	}
	byPath := make(map[string]*Package, len(pkgs))
	for _, p := range pkgs {
		byPath[p.ImportPath] = p
	}
	for name, why := range rec.noData {
		p := r.Package(name)
		if p == nil {
			p = &coverage.Package{Name: name, Files: []*coverage.File{}}
			if gp := byPath[name]; gp != nil {
				p.Dir = relSlash(proj.Root, gp.Dir)
				p.IsMain, p.TestSupport, p.HasTests = gp.IsMain, gp.TestSupport, gp.HasTests
			}
			r.Packages = append(r.Packages, p)
		}
		p.NoData = why
	}
	for name, how := range rec.recovered {
		if p := r.Package(name); p != nil {
			p.Recovered = how
		}
	}
	r.Finalize()
}

// ApplyMarks marks the packages of r, a result built from profiles (the
// merged shards of a run), as the run that measured them did: recovered
// ones (Package.Recovered, re-run without the tests that killed their
// binary) and those without data (Package.NoData; added from the project
// at root when the profiles hold none of their statements). r is finalized
// again, so that a package without data leaves the total as in a run.
func ApplyMarks(ctx context.Context, root string, env []string, r *coverage.Result, recovered map[string]*coverage.Recovery, noData map[string]string) error {
	if len(recovered) == 0 && len(noData) == 0 {
		return nil
	}
	proj, err := FindProject(ctx, root)
	if err != nil {
		return err
	}
	var pkgs []*Package
	for name := range noData {
		if r.Package(name) == nil {
			if pkgs, _, err = listProject(ctx, proj, env); err != nil {
				return err
			}
			break
		}
	}
	rec := &recovery{recovered: recovered, noData: noData}
	rec.apply(proj, r, pkgs)
	return nil
}

// FromProfiles builds a Result from parsed Go profiles without running
// anything. In a Go module under root, `go list` maps files to packages and
// says which are main, test support or tested; go/ast finds the functions of
// every source file it can locate. Without a module (or without the go
// command), files are grouped by their directory and a warning says so.
func FromProfiles(ctx context.Context, root string, profiles []*cover.Profile) (*coverage.Result, error) {
	return StartListing(ctx, root).Result(ctx, profiles)
}

// Listing is what FromProfiles learns of a checkout apart from a profile:
// its Go project, found at once, and what `go list` says of its packages,
// which the go command works out in the background, so that the profile can
// be read meanwhile. Result waits for it.
type Listing struct {
	root   string
	cancel context.CancelFunc
	done   chan struct{} // closed when the fields below are set
	proj   *Project
	pkgs   []*Package
	warns  []string
	err    error // returned by Result, after the profiles' own errors
	keep   bool  // KeepTokens
}

// KeepTokens makes Result keep each Go source's highlighting tokens in
// File.Tokens, from the scan that finds its functions, for an HTML report
// that follows: the report then does not scan the sources again. Without
// it nothing is kept. Call it before Result.
func (l *Listing) KeepTokens() {
	l.keep = true
}

// StartListing finds the Go project at root and starts listing its packages
// with `go list`. A failure of go list is a warning of the Result (files are
// then placed by their module path alone); a directory outside any module
// is grouped by directory; any other error is returned by Result. Call
// Result, or Stop to give up.
func StartListing(ctx context.Context, root string) *Listing {
	if root == "" {
		root = "."
	}
	ctx, cancel := context.WithCancel(ctx)
	l := &Listing{root: root, cancel: cancel, done: make(chan struct{})}
	abs, err := filepath.Abs(root)
	if err != nil {
		l.err = err
		close(l.done)
		return l
	}
	proj, err := FindProject(ctx, abs)
	switch {
	case err == nil:
		l.proj = proj
		go func() {
			defer close(l.done)
			pkgs, lw, err := listProject(ctx, proj, nil)
			l.pkgs, l.warns = pkgs, lw
			if err != nil {
				if ctx.Err() != nil {
					l.err = ctx.Err()
					return
				}
				l.warns = append(l.warns, fmt.Sprintf("package metadata unavailable: %v", err))
				l.pkgs = nil
			}
		}()
		return l
	case errors.Is(err, ErrNotGoModule):
		l.proj = &Project{Root: abs}
		l.warns = append(l.warns, fmt.Sprintf("%s is not in a Go module: files are grouped by directory", root))
	default:
		l.err = err
	}
	close(l.done)
	return l
}

// Stop ends the listing without a result and waits for the go command.
func (l *Listing) Stop() {
	l.cancel()
	<-l.done
}

// Result builds the Result of profiles in the listed project, as
// FromProfiles does. While go list still runs, it reads and scans the
// sources where the profile's module paths place them: go list almost
// always places a file there too, and then its scan is used as it is.
func (l *Listing) Result(ctx context.Context, profiles []*cover.Profile) (*coverage.Result, error) {
	defer l.cancel()
	merged := profiles
	if !mergedAlready(profiles) {
		var err error
		if merged, err = MergeProfiles(profiles); err != nil {
			l.Stop()
			return nil, err
		}
	}
	var early map[string]*scannedFile
	if l.proj != nil {
		early = scanUntil(ctx, l.done, l.proj, merged, l.keep)
	}
	<-l.done
	if l.err != nil {
		return nil, l.err
	}
	r, err := buildGoResult(ctx, l.proj, l.pkgs, merged, early, l.keep)
	if err != nil {
		return nil, err
	}
	r.Warnings = append(append([]string(nil), l.warns...), r.Warnings...)
	return r, nil
}

// scannedFile is what scanGoFile found in one source file.
type scannedFile struct {
	funcs     []goFunc
	generated bool
	warning   string           // why there are no functions: the file could not be read or scanned
	tokens    *gotokens.Tokens // kept for the HTML report; nil when not asked for
}

// scanGoFile reads and scans the Go source at path. With keep, the same
// scan also keeps the source's highlighting tokens (gotokens.Keep says
// which sources are worth it).
func scanGoFile(path string, keep bool) *scannedFile {
	src, err := quickopen.ReadFile(path)
	if err != nil {
		return &scannedFile{warning: fmt.Sprintf("read %s: %v", path, err)}
	}
	var rec *gotokens.Recorder
	if keep && gotokens.Keep(src) {
		rec = gotokens.NewRecorder(src)
	}
	funcs, generated, err := parseGoFuncs(path, src, rec)
	sf := &scannedFile{funcs: funcs, generated: generated}
	if rec != nil {
		sf.tokens = rec.Tokens()
	}
	if err != nil {
		sf.funcs, sf.warning = nil, fmt.Sprintf("parse %s: no functions: %v", path, err)
	}
	return sf
}

// scanUntil scans, in parallel, the sources of profiles found by their
// module paths alone (without go list's package directories) until done is
// closed or every source is scanned, and returns the scans by path.
func scanUntil(ctx context.Context, done <-chan struct{}, proj *Project, profiles []*cover.Profile, keep bool) map[string]*scannedFile {
	out := map[string]*scannedFile{}
	var mu sync.Mutex
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(runtime.GOMAXPROCS(0))
scan:
	for _, prof := range profiles {
		select {
		case <-done:
			break scan
		case <-gctx.Done():
			break scan
		default:
		}
		_, base := splitGoFileName(prof.FileName)
		path := locateGoFile(proj, nil, prof.FileName, base)
		if path == "" {
			continue
		}
		g.Go(func() error {
			s := scanGoFile(path, keep)
			mu.Lock()
			out[path] = s
			mu.Unlock()
			return nil
		})
	}
	g.Wait()
	return out
}

// mergedAlready reports whether profiles are as ParseProfile returns
// them: one per file, sorted by file name, blocks sorted and distinct, one
// mode. Then FromProfiles uses them as they are instead of copying.
func mergedAlready(profiles []*cover.Profile) bool {
	for i, p := range profiles {
		if i > 0 && (p.FileName <= profiles[i-1].FileName || p.Mode != profiles[0].Mode) {
			return false
		}
		if !validMode(p.Mode) {
			return false
		}
		for j := 1; j < len(p.Blocks); j++ {
			if !less(p.Blocks[j-1], p.Blocks[j]) {
				return false
			}
		}
	}
	return true
}

// buildGoResult maps merged profiles onto packages and files, finds
// functions and generated files in the sources, and finalizes the counts.
// early holds sources already scanned, by path; nil when there are none.
// keep keeps each source's highlighting tokens in File.Tokens.
func buildGoResult(ctx context.Context, proj *Project, pkgs []*Package, profiles []*cover.Profile, early map[string]*scannedFile, keep bool) (*coverage.Result, error) {
	r := &coverage.Result{
		Project:   proj.Name(),
		Root:      proj.Root,
		Generated: time.Now().UTC(),
		Language:  "go",
		Mode:      "set",
		Packages:  []*coverage.Package{},
	}
	if len(profiles) > 0 && profiles[0].Mode != "" {
		r.Mode = profiles[0].Mode
	}
	byPath := make(map[string]*Package, len(pkgs))
	for _, p := range pkgs {
		byPath[p.ImportPath] = p
	}
	out := map[string]*coverage.Package{}
	type job struct {
		f   *coverage.File
		src string
	}
	jobs := make([]job, 0, len(profiles))
	for _, prof := range profiles {
		dir, base := splitGoFileName(prof.FileName)
		gp := byPath[dir]
		p := out[dir]
		if p == nil {
			p = &coverage.Package{Name: dir}
			if gp != nil {
				p.Dir = relSlash(proj.Root, gp.Dir)
				p.IsMain, p.TestSupport, p.HasTests = gp.IsMain, gp.TestSupport, gp.HasTests
				p.SupportReason = gp.SupportReason
			}
			out[dir] = p
			r.Packages = append(r.Packages, p)
		}
		f := &coverage.File{Path: prof.FileName, Blocks: prof.Blocks}
		src := locateGoFile(proj, gp, prof.FileName, base)
		if src != "" {
			f.Rel = relSlash(proj.Root, src)
			if p.Dir == "" && f.Rel != "" {
				p.Dir = filepath.ToSlash(filepath.Dir(filepath.FromSlash(f.Rel)))
			}
			jobs = append(jobs, job{f, src})
		}
		p.Files = append(p.Files, f)
	}

	var mu sync.Mutex
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(runtime.GOMAXPROCS(0))
	for _, j := range jobs {
		g.Go(func() error {
			if err := gctx.Err(); err != nil {
				return err
			}
			sf := early[j.src]
			if sf == nil {
				sf = scanGoFile(j.src, keep)
			}
			j.f.Generated, j.f.Tokens = sf.generated, sf.tokens
			if sf.warning != "" {
				mu.Lock()
				r.Warnings = append(r.Warnings, sf.warning)
				mu.Unlock()
				return nil
			}
			funcs := sf.funcs
			name := j.f.Rel
			if name == "" {
				name = j.f.Path
			}
			j.f.Functions = funcCoverage(name, funcs, j.f.Blocks)
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	r.Finalize()
	return r, nil
}

// locateGoFile finds the source of a profile's file name: in its package's
// directory, under the module whose path prefixes it, as an absolute path,
// or relative to the root.
func locateGoFile(proj *Project, gp *Package, name, base string) string {
	if gp != nil && gp.Dir != "" {
		p := filepath.Join(gp.Dir, base)
		if fileExists(p) {
			return p
		}
	}
	best, bestLen := "", -1
	for _, m := range proj.Modules {
		if strings.HasPrefix(name, m.Path+"/") && len(m.Path) > bestLen {
			best, bestLen = filepath.Join(m.Dir, filepath.FromSlash(name[len(m.Path)+1:])), len(m.Path)
		}
	}
	if best != "" && fileExists(best) {
		return best
	}
	if filepath.IsAbs(name) && fileExists(name) {
		return name
	}
	if p := filepath.Join(proj.Root, filepath.FromSlash(name)); fileExists(p) {
		return p
	}
	return ""
}

func fileExists(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.Mode().IsRegular()
}
