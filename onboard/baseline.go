package onboard

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/sprintkit/sprintkit/checkout"
	"github.com/sprintkit/sprintkit/coverage"
	"github.com/sprintkit/sprintkit/coverage/gotest"
	"github.com/sprintkit/sprintkit/coverage/importer"
	"github.com/sprintkit/sprintkit/coverage/pytest"
	"github.com/sprintkit/sprintkit/internal/hint"
	"github.com/sprintkit/sprintkit/internal/state"
	"golang.org/x/tools/cover"
)

// MeasureOptions says how to run a project's tests with coverage.
type MeasureOptions struct {
	Dir string
	// PerPackage measures each Go package by its own tests only.
	PerPackage bool
	// Timeout bounds each test binary; 0 keeps the runner's default
	// (gotest.DefaultTestTimeout), a negative one means no limit.
	Timeout time.Duration
	Env     []string
	// Project is the project file the command loaded (nil: none); its
	// [baseline] go_test_flags come first.
	Project *coverage.ProjectFile
	// Flags are more go test flags, after the project file's.
	Flags []string
	// Commit is HEAD's commit when the caller knows it already ("": read
	// it from the repository).
	Commit string
	Events Events
}

// Measure runs the tests of the project in o.Dir once with coverage: Go
// through `go test -coverpkg`, Python through coverage.py. Failing tests are
// recorded in the result, not an error. The result carries HEAD's commit.
func Measure(ctx context.Context, o MeasureOptions) (*coverage.Result, error) {
	r, err := measure(ctx, o)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, err
	}
	if r.Commit == "" {
		r.Commit = o.Commit
	}
	if r.Commit == "" {
		r.Commit = Head(o.Dir)
	}
	return r, nil
}

func measure(ctx context.Context, o MeasureOptions) (*coverage.Result, error) {
	bar := o.Events.bar("packages tested", -1, false)
	flags := goTestFlags(o.Project, o.Flags)
	r, err := gotest.Run(ctx, gotest.Options{Dir: o.Dir, Env: o.Env, Flags: flags, PerPackage: o.PerPackage, Timeout: o.Timeout, Progress: bar.Update, Rerun: true})
	bar.Done()
	if err == nil || !errors.Is(err, gotest.ErrNotGoModule) {
		return r, goHint(err)
	}
	if !pytest.IsProject(o.Dir) {
		return nil, hint.With(err,
			"run sprintkit coverage in a Go checkout (or a Python project), or pass --dir DIR, or rank an existing file with --profile cover.out or --import coverage.xml")
	}
	bar = o.Events.bar("tests", -1, false)
	r, err = pytest.Run(ctx, pytest.Options{Dir: o.Dir, Progress: bar.Update})
	bar.Done()
	return r, err
}

// goHint adds an install hint to an error caused by a missing go command.
func goHint(err error) error {
	if errors.Is(err, gotest.ErrNoGo) {
		return hint.With(err, "install Go from https://go.dev/dl/ and put its bin directory on PATH (check with 'go version'), or rank an existing profile with --profile cover.out")
	}
	return err
}

// baseline is setup's test step: the whole suite once with coverage.
func baseline(ctx context.Context, o Options, rt *route, s *Summary) (*coverage.Result, error) {
	o.Events.step("baseline", "running the whole test suite once with coverage (the baseline)")
	start := time.Now()
	r, err := Measure(ctx, MeasureOptions{Dir: s.Dir, Timeout: o.Timeout, Env: rt.env, Project: rt.pf, Flags: rt.testFlags, Commit: rt.commit, Events: o.Events})
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, hint.With(fmt.Errorf("run the tests: %w", err), hintThen(err)+fmt.Sprintf("the checkout is in %s; once fixed, finish with: %s setup %s", s.relDir, Self(), s.relDir))
	}
	secs := time.Since(start).Seconds()
	s.Tests = &TestSummary{Outcomes: coverage.CountOutcomes(r.Tests), Seconds: secs, Flags: rt.testFlags, Modules: r.Modules}
	if r.Language == "go" && r.TestRunSeconds > 0 {
		s.Tests.RunSeconds = r.TestRunSeconds
		s.Tests.BuildSeconds = max(secs-r.TestRunSeconds, 0)
	}
	s.FailingBefore = r.Failed()
	s.FlakyBefore = r.Flaky()
	if r.Language == "go" {
		s.Profile = state.Path(s.Dir, state.ProfileFile)
	}
	return r, nil
}

// Head is the commit HEAD points at in dir (read with go-git), "" when
// there is none (no repository, an unborn branch).
func Head(dir string) string {
	if res, err := checkout.Open(dir); err == nil {
		return res.Commit
	}
	return ""
}

// BaselinePath is where the baseline of the checkout at root lives.
func BaselinePath(root string) string { return state.Path(root, state.BaselineFile) }

// ReportDir prepares the directory the HTML report of the checkout at root
// is written to (.sprintkit/report, refused when it or .sprintkit is a
// symlink or a file) and returns it.
func ReportDir(root string) (string, error) { return state.OutputDir(root, state.ReportDir) }

// Record writes what a run measured into root's .sprintkit/: the baseline
// (every test's outcome and each package's coverage), the merged Go profile
// cover.out, and coverage.json (the result with every ranked target). Each
// file is written atomically.
func Record(root string, r *coverage.Result, targets []coverage.Target) error {
	if _, err := state.Ensure(root); err != nil {
		return err
	}
	if err := state.WriteJSON(BaselinePath(root), coverage.NewBaseline(r)); err != nil {
		return err
	}
	return RecordResult(root, r, targets)
}

// RecordResult writes cover.out (Go) and coverage.json, but not the
// baseline: `sprintkit coverage` on a changed tree must not move it.
func RecordResult(root string, r *coverage.Result, targets []coverage.Target) error {
	if err := recordProfile(root, r); err != nil {
		return err
	}
	return recordJSON(root, r, targets)
}

// recordProfile is RecordResult's first half, which needs no ranking: the
// state directory and cover.out (Go).
func recordProfile(root string, r *coverage.Result) error {
	if _, err := state.Ensure(root); err != nil {
		return err
	}
	if r.Language != "go" {
		return nil
	}
	return state.WriteFile(state.Path(root, state.ProfileFile), func(w io.Writer) error {
		return gotest.WriteResultProfile(w, r)
	})
}

// recordJSON is RecordResult's second half, after recordProfile:
// coverage.json.
func recordJSON(root string, r *coverage.Result, targets []coverage.Target) error {
	return state.WriteFile(state.Path(root, state.ResultFile), func(w io.Writer) error {
		return writeResultJSON(w, r, targets)
	})
}

// Load reads coverage that was measured elsewhere, instead of running the
// tests: Go profiles (merged, as CI shards write them) or LCOV, Cobertura
// XML and coverage.py JSON files (detected from their content, merged).
// root is the checkout the files describe.
func Load(ctx context.Context, root string, profiles, imports []string) (*coverage.Result, error) {
	return LoadFor(ctx, root, profiles, imports, LoadOptions{})
}

// LoadOptions says what the loaded coverage is for.
type LoadOptions struct {
	// HTML: an HTML report follows, so the scan that finds the functions
	// of Go sources keeps their highlighting tokens for it (File.Tokens),
	// and the report does not scan them again. Without it nothing is kept.
	HTML bool
}

// LoadFor is Load with options.
func LoadFor(ctx context.Context, root string, profiles, imports []string, opts LoadOptions) (*coverage.Result, error) {
	// The checkout's commit is read while the coverage loads.
	head := make(chan string, 1)
	go func() { head <- Head(root) }()
	var r *coverage.Result
	switch {
	case len(profiles) > 0:
		// go list runs while the profiles are read: it is another
		// process, and for a large module it takes about as long.
		listing := gotest.StartListing(ctx, root)
		if opts.HTML {
			listing.KeepTokens()
		}
		profs, err := readProfiles(profiles, listing.Prescan)
		if err != nil {
			listing.Stop()
			return nil, err
		}
		if r, err = listing.Result(ctx, profs); err != nil {
			return nil, goHint(err)
		}
	default:
		var err error
		if r, err = importer.Import(ctx, root, imports); err != nil {
			return nil, err
		}
	}
	if c := <-head; r.Commit == "" {
		r.Commit = c
	}
	return r, nil
}

// readProfiles parses and merges Go text profiles.
// onFile, when not nil, is given each file name as it is first met (the
// listing's Prescan, which scans the source meanwhile).
func readProfiles(names []string, onFile func(string)) ([]*cover.Profile, error) {
	m := gotest.NewMerger()
	m.OnFile = onFile
	for _, p := range names {
		f, err := os.Open(p)
		if err != nil {
			return nil, err
		}
		err = m.Read(p, f)
		f.Close()
		if err != nil {
			return nil, fmt.Errorf("parse %w", err)
		}
	}
	profs, err := m.Profiles()
	if err != nil {
		return nil, fmt.Errorf("merge profiles: %w", err)
	}
	return profs, nil
}

// FailureCauses compares the failing tests of r with the baseline of the
// checkout at root, a line each: "pkg TestX failed at the baseline too:
// still failing, same cause" (or "fails differently now (was: …)"), or "pkg
// TestX was flaky at the baseline" for one that failed there and passed
// when run again. Tests that
// passed at the baseline, and a checkout without a baseline, give none.
func FailureCauses(root string, r *coverage.Result) []string {
	var b coverage.Baseline
	if err := state.ReadJSON(BaselinePath(root), &b); err != nil {
		return nil
	}
	flaky := b.Flaky()
	var out []string
	for _, t := range r.Failed() {
		if before, ok := b.FailedAt(t.Package, t.Test); ok {
			if cause, _ := coverage.SameCause(before, t); cause != "" {
				out = append(out, fmt.Sprintf("%s %s failed at the baseline too: %s", t.Package, t.Test, cause))
			}
		} else if flaky[t.Package+"\x00"+t.Test] {
			out = append(out, fmt.Sprintf("%s %s was flaky at the baseline (it failed there, then passed when run again)", t.Package, t.Test))
		}
	}
	return out
}
