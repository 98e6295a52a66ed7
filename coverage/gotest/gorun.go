package gotest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/sprintkit/sprintkit/coverage"
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
	// output waits for it. Packages named by import path are reported in
	// the order of Packages, each as soon as it and those before it have
	// finished, so a slow package holds back the report of faster ones
	// after it (go test -json itself reports them as they finish). A package that failed to build is reported when its go test
	// run ends (after the re-run without broken packages, see Run), so
	// that it is never reported twice; so is a module that could not be
	// tested at all ("(module)"). A cancelled run stops calling it.
	OnPackage func(pkg string, tests []coverage.TestResult)
	// Rerun re-runs each failing test once, alone, before it is recorded
	// (see rerun.go): one that passes then is "flaky". The baseline runs
	// with it; watch-test's runs do not.
	Rerun bool
}

// DefaultTestTimeout is the -timeout Run gives each test binary when
// Options.Timeout is 0.
const DefaultTestTimeout = 2 * time.Minute

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

	s := &suite{
		proj: proj, opts: opts, tmp: tmp, runs: len(runs),
		prog:   &progress{fn: opts.Progress},
		rec:    &recovery{recovered: map[string]*coverage.Recovery{}, noData: map[string]string{}},
		emit:   newEmitter(opts.OnPackage, opts.Packages),
		status: map[string]string{},
	}
	s.list = startProjectList(ctx, proj, runs, opts, s.prog)
	for i, run := range runs {
		if err := s.runModule(ctx, i, run); err != nil {
			s.list.wait()
			return nil, err
		}
	}
	return s.result(ctx)
}

// suite is what Run gathers over its go test runs.
type suite struct {
	proj *Project
	opts Options
	tmp  string // a directory for the profiles, removed when Run returns
	runs int    // how many go test runs there are
	prog *progress
	rec  *recovery
	emit *emitter
	list *projectList

	tests      []coverage.TestResult
	profiles   []string
	warnings   []string
	failedRuns []error
	status     map[string]string // by module directory, when not coverage.ModuleTested
	reruns     int               // failing tests re-run (Options.Rerun)
	notRerun   int               // failing tests left without a re-run, past maxFlakyReruns
}

// projectList is go list of the project's packages, which runs while the
// tests do.
type projectList struct {
	wg       sync.WaitGroup
	pkgs     []*Package
	warnings []string
	err      error
}

// wait waits for the listing; its fields are then set.
func (l *projectList) wait() { l.wg.Wait() }

// startProjectList lists the project's packages in the background and
// gives prog the number of packages to test.
func startProjectList(ctx context.Context, proj *Project, runs []goTestRun, opts Options, prog *progress) *projectList {
	l := &projectList{}
	l.wg.Add(1)
	go func() {
		defer l.wg.Done()
		l.pkgs, l.warnings, l.err = listProject(ctx, proj, opts.Env)
		if l.err != nil {
			return
		}
		if len(opts.Packages) == 0 {
			prog.setTotal(len(l.pkgs))
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
	return l
}

// runModule runs the i-th go test run (a module, or the workspace), with
// its re-runs, and adds what it found to s. An error ends Run.
func (s *suite) runModule(ctx context.Context, i int, run goTestRun) error {
	out := filepath.Join(s.tmp, fmt.Sprintf("cover-%d.out", i))
	ts, broken, died, err := runGoTest(ctx, run, out, s.opts, s.prog, s.emit)
	if err == nil && len(broken) > 0 && !s.opts.PerPackage {
		ts, died, err = s.retryWithoutBroken(ctx, run, out, ts, broken, died)
	}
	for p := range broken {
		if _, ok := s.rec.noData[p]; !ok {
			// Its statements are counted from its source (sourceBlocks)
			// and left out of the total; the (build) failure says why.
			s.rec.noData[p] = notBuilt
		}
	}
	if errors.Is(err, errNoPackages) && s.runs > 1 {
		s.status[run.dir] = coverage.ModuleNoPackages // nothing to test is no failure
		return nil
	}
	if err != nil {
		// One module that cannot be tested at all (a go.mod go cannot
		// load) does not sink the others: it becomes a failure entry.
		if ctx.Err() != nil || s.runs == 1 {
			s.list.wait()
			if ctx.Err() == nil && s.list.err == nil && len(s.list.pkgs) == 0 {
				return fmt.Errorf("no Go packages to test in %s", s.proj.Root)
			}
			return err
		}
		s.failedRuns = append(s.failedRuns, err)
		s.status[run.dir] = coverage.ModuleFailed
		mod := coverage.TestResult{Package: runName(s.proj, run), Test: "(module)", Outcome: "fail", Output: err.Error()}
		s.tests = append(s.tests, mod)
		s.warnings = append(s.warnings, err.Error())
		s.emit.rest(ctx, []coverage.TestResult{mod})
		return nil
	}
	// Packages whose test binary died are run again without the tests
	// that killed it.
	ts, more, err := recoverDied(ctx, run, s.opts, filepath.Join(s.tmp, fmt.Sprintf("recover-%d", i)), ts, died, s.rec)
	if err != nil {
		return err
	}
	if s.opts.Rerun {
		if ts, err = s.rerunFailures(ctx, i, run, ts); err != nil {
			return err
		}
	}
	if len(s.opts.Packages) > 0 && !s.opts.PerPackage {
		s.list.wait() // the project's packages, for a package to go with
		if known := knownStatements(ctx, run, s.opts, filepath.Join(s.tmp, fmt.Sprintf("known-%d.out", i)), died, s.rec, s.list.pkgs); known != "" {
			more = append(more, known)
		}
	}
	// The packages held back (build failures, dead binaries) now have
	// their final say.
	s.emit.rest(ctx, ts)
	s.tests = append(s.tests, ts...)
	s.profiles = append(s.profiles, out)
	s.profiles = append(s.profiles, more...)
	return nil
}

// result merges the runs' profiles into the Result.
func (s *suite) result(ctx context.Context) (*coverage.Result, error) {
	s.list.wait()
	if len(s.failedRuns) > 0 && len(s.failedRuns)+s.empty() == s.runs {
		return nil, s.failedRuns[0]
	}
	if s.empty() == s.runs {
		return nil, fmt.Errorf("no Go packages to test in %s", s.proj.Root)
	}
	if s.list.err != nil {
		return nil, s.list.err
	}
	warnings := append(s.warnings, s.list.warnings...)
	if s.notRerun > 0 {
		warnings = append(warnings, fmt.Sprintf("%d failing tests were not re-run to tell whether they are flaky (at most %d are)", s.notRerun, maxFlakyReruns))
	}

	mode, merged, err := mergeProfileFiles(s.profiles)
	if err != nil {
		return nil, err
	}
	r, err := buildGoResult(ctx, s.proj, s.list.pkgs, merged, nil, false)
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
	tests := s.tests
	slices.SortStableFunc(tests, func(a, b coverage.TestResult) int { return strings.Compare(a.Package, b.Package) })
	r.Tests = tests
	r.TestRunSeconds = s.prog.runSeconds()
	r.Warnings = append(warnings, r.Warnings...)
	s.rec.apply(s.proj, r, s.list.pkgs)
	if len(s.opts.Packages) == 0 {
		r.Modules = moduleFigures(s.proj, r) // the whole suite's, not a shard's or watch-test's
	}
	return r, nil
}

// empty counts the runs that matched no packages.
func (s *suite) empty() int {
	n := 0
	for _, st := range s.status {
		if st == coverage.ModuleNoPackages {
			n++
		}
	}
	return n
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
