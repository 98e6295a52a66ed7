package onboard

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/sprintkit/sprintkit/coverage"
	"github.com/sprintkit/sprintkit/coverage/pertest"
	"github.com/sprintkit/sprintkit/coverage/pytest"
	"github.com/sprintkit/sprintkit/internal/human"
	"github.com/sprintkit/sprintkit/internal/state"
)

// The test to start from, after the first screen
//
// Each target's start_from (the existing test to copy for its first test)
// comes from per-test coverage (coverage/pertest): the packages of the top
// targets' test binaries run once per test. That costs about one more test
// run of those packages, so it is never on the critical path of the first
// screen: setup ranks, records and prints its summary first (which says
// "start from: computed after the first screen"), and then the command
// calls SetupStartFrom, which measures (progress on a terminal), writes
// start_from into coverage.json and rewrites the HTML report with it and
// with the tests of each line. It is bounded: each test by
// pertest.DefaultTestTimeout, the whole by pertest.DefaultBudget; what it
// skips it says, and it never fails setup. Its results are cached in
// .sprintkit/pertest/ by the packages' content, so `sprintkit coverage`
// only reads that cache (cachedStartFrom) and the second setup of an
// unchanged tree runs no test.

// startFromTargets is how many of the top targets' packages are measured.
const startFromTargets = 2 * coverage.DefaultRoomSize

// startFromNote is the summary's note about the step.
const startFromNote = "start from: the test to copy for each target is computed after the first screen, from which test runs which line of the top targets' packages; coverage.json, the report and `sprintkit coverage` then show it"

// lateWork is what setup leaves for SetupStartFrom.
type lateWork struct {
	r       *coverage.Result
	targets []coverage.Target
	env     []string
}

// SetupStartFrom is setup's step after the first screen: per-test
// coverage of the top targets' packages, their start_from, and
// coverage.json and the HTML report written again with them. What it
// skips goes to w; nothing it meets is an error but a cancelled ctx. It
// does nothing when setup stopped before ranking.
func SetupStartFrom(ctx context.Context, s *Summary, ev Events, w io.Writer) error {
	lw := s.late
	if lw == nil {
		return nil
	}
	s.late = nil
	m, err := measureStartFrom(ctx, s.Dir, lw.r, lw.targets, lw.env, false, ev, w)
	if err != nil || m == nil {
		return err
	}
	pertest.Assign(lw.r, lw.targets, m)
	if err := RecordResult(s.Dir, lw.r, lw.targets); err != nil {
		fmt.Fprintf(w, "start from: %v\n", err)
		return nil
	}
	if s.Report != "" {
		if _, err := reportWith(ctx, filepath.Dir(s.Report), lw.r, lw.targets, nil, m, Events{Warn: ev.Warn}); err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			fmt.Fprintf(w, "start from: the HTML report could not be written again: %v\n", err)
		}
	}
	found := 0
	for _, t := range lw.targets {
		if t.StartFrom != nil {
			found++
		}
	}
	ev.step("start-from", "start from: a test to copy for %s of %d (%s, %s from the cache); `sprintkit coverage` shows them",
		human.Count(found, "target", "targets"), len(lw.targets), human.Count(m.Ran, "test run", "test runs"), human.Count(m.Cached, "package", "packages"))
	return nil
}

// cachedStartFrom sets the start_from of targets from the per-test
// coverage cache alone (nothing runs), and returns what it read (nil when
// nothing).
func cachedStartFrom(ctx context.Context, root string, r *coverage.Result, targets ...[]coverage.Target) *pertest.Map {
	if len(targets) == 0 {
		return nil
	}
	// Without a cache there is nothing to read: hashing the sources of
	// the top targets' packages (and asking go for its version) would be
	// for nothing.
	if _, err := os.Stat(pertest.CacheDir(state.Path(root, ""))); err != nil {
		return nil
	}
	m, err := measureStartFrom(ctx, root, r, targets[0], nil, true, Events{}, io.Discard)
	if err != nil || m == nil || len(m.Packages) == 0 {
		return nil
	}
	for _, ts := range targets {
		pertest.Assign(r, ts, m)
	}
	return m
}

// measureStartFrom measures (or, cacheOnly, reads from the cache) the
// per-test coverage of the packages of the top targets.
func measureStartFrom(ctx context.Context, root string, r *coverage.Result, targets []coverage.Target, env []string, cacheOnly bool, ev Events, w io.Writer) (*pertest.Map, error) {
	if r == nil || (r.Language != "go" && r.Language != "python") {
		return nil, nil
	}
	pkgs := pertest.Measured(r, targets, startFromTargets)
	if len(pkgs) == 0 {
		return nil, nil
	}
	base := r.Root
	if base == "" {
		base = root
	}
	o := pertest.Options{Root: base, Env: env, CacheDir: pertest.CacheDir(state.Path(root, "")), CacheOnly: cacheOnly}
	if r.Language == "python" {
		return measurePython(ctx, base, pkgs, o, w)
	}
	var gps []pertest.GoPackage
	for _, p := range pkgs {
		gps = append(gps, pertest.GoPackage{Path: p.Name, Dir: filepath.Join(base, filepath.FromSlash(p.Dir))})
	}
	if !cacheOnly {
		bar := ev.bar("tests run alone", -1, false)
		defer bar.Done()
		o.Progress = bar.Update
	}
	return pertest.Go(ctx, gps, o, w)
}

// measurePython is measureStartFrom for a Python project: one run of its
// suite with coverage.py's contexts, with the interpreter setup found.
func measurePython(ctx context.Context, dir string, pkgs []*coverage.Package, o pertest.Options, w io.Writer) (*pertest.Map, error) {
	env, err := pytest.FindPython(ctx, dir)
	if err != nil || !env.Pytest {
		if !o.CacheOnly {
			fmt.Fprintf(w, "start from: no Python with coverage.py and pytest to measure per-test coverage with\n")
		}
		return nil, nil
	}
	var names []string
	for _, p := range pkgs {
		names = append(names, p.Name)
	}
	return pertest.Python(ctx, dir, names, pertest.PythonOptions{Options: o, Coverage: env.Coverage, CoverageVersion: env.CoverageVersion}, w)
}
