package image

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/sprintkit/sprintkit/coverage"
	"github.com/sprintkit/sprintkit/internal/state"
	"github.com/sprintkit/sprintkit/report"
)

// stageReport makes the report, the baseline and coverage.json (keeping
// them when the commit and the modules did not change), and with them the
// test run's build cache; a report that cannot be made is a warning. An
// image without a build cache loses a stale gocache/.
func (s *stager) stageReport(ctx context.Context) error {
	opts, m, prev, res := s.opts, s.m, s.prev, s.res
	switch {
	case opts.NoReport || opts.Report == nil || !s.isGo && !opts.ReportReadsResults:
		if !s.isGo {
			s.warn("no go.mod: the image holds no modules, report or baseline")
		}
	case !opts.Refresh && prev != nil && prev.Commit == m.Commit && !m.Dirty && !prev.Dirty && prev.ModKey == m.ModKey &&
		exists(filepath.Join(s.reportDir, "index.html")) && exists(s.baselinePath) && (opts.NoBuildCache || sameBuildCache(prev.BuildCache, m.StagedWith)):
		res.Skipped = append(res.Skipped, "report")
		if !opts.NoBuildCache {
			m.BuildCache = prev.BuildCache
		}
		s.step("report", "commit unchanged: keeping the report and baseline")
	default:
		if err := s.makeReport(ctx); err != nil {
			return err
		}
	}
	if m.BuildCache == nil {
		res.NoBuildCache = noBuildCacheReason(opts, res)
		if err := os.RemoveAll(filepath.Join(s.out, BuildCacheDir)); err != nil {
			return fmt.Errorf("remove the stale build cache: %w", err)
		}
	}
	res.BuildCache = m.BuildCache
	return nil
}

// makeReport runs (or reads) the tests for the report and records its
// results in the image.
func (s *stager) makeReport(ctx context.Context) error {
	opts, m, res := s.opts, s.m, s.res
	var r *coverage.Result
	var targets []coverage.Target
	var err error
	if opts.ReportReadsResults {
		s.step("report", "reading the results for the report and baseline")
		r, targets, err = opts.Report(ctx, s.src, s.env, nil, s.reportDir)
	} else {
		r, targets, err = s.reportTestRun(ctx)
	}
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		s.warn("no report: %v", err)
		return nil
	}
	r.Commit = m.Commit
	if err := state.WriteJSON(s.baselinePath, coverage.NewBaseline(r)); err != nil {
		return err
	}
	if err := state.WriteFile(filepath.Join(s.out, CoverageFile), func(w io.Writer) error { return report.JSON(w, r, targets) }); err != nil {
		return err
	}
	if err := state.WriteJSON(filepath.Join(s.reportDir, targetsFile), firstTargets(targets, docTargets)); err != nil {
		return err
	}
	o := coverage.CountOutcomes(r.Tests)
	res.Passed, res.Failed = o.Passed, o.Failed
	res.Targets = targets
	return nil
}

// reportTestRun runs the tests with coverage for the report in a scratch
// copy of the checkout, against the image's own module tree, filling a
// fresh build cache that becomes gocache/.
func (s *stager) reportTestRun(ctx context.Context) (*coverage.Result, []coverage.Target, error) {
	opts, res := s.opts, s.res
	s.step("report", "running the tests with coverage for the report and baseline")
	renv := stagingTestEnv(s.env, res.ModCache, s.proxyDir, s.m.ModulePaths())
	// The tests run in a scratch copy of the checkout that holds the
	// go.mod and go.sum staging completed, so that the organiser's own
	// are never written and parallel go commands find nothing to add.
	// (-modfile in GOFLAGS would do that too, but it leaks into every
	// go command the tests themselves run, in other modules.)
	scratch, err := scratchCopy(ctx, s.src, res.ModCache+".modfile", opts.Workers)
	if err != nil {
		return nil, nil, fmt.Errorf("prepare the test run: %w", err)
	}
	defer os.RemoveAll(filepath.Dir(scratch))
	// The run fills a fresh build cache, staged as gocache/: built with
	// -trimpath, so that its entries do not depend on where the checkout
	// and the module cache are, and with -count=1, so that it holds no
	// test results.
	var flags []string
	var gocache, goVersion, goos, goarch string
	if !opts.NoBuildCache {
		if goVersion, goos, goarch, _, err = goBuildEnv(ctx, scratch, renv); err != nil {
			s.warn("no build cache in the image: %v", err)
		} else if gocache, err = os.MkdirTemp("", "sprintkit-stage-gocache-"); err != nil {
			return nil, nil, fmt.Errorf("prepare the test run: %w", err)
		} else {
			defer os.RemoveAll(gocache)
			renv = setEnv(renv, "GOCACHE", gocache)
			flags = append(append(flags, BuildCacheFlags...), NoTestCacheFlag)
		}
	}
	r, targets, err := opts.Report(ctx, scratch, renv, flags, s.reportDir)
	if err == nil && gocache != "" {
		s.step("buildcache", "copying the test run's Go build cache to %s", filepath.Join(s.out, BuildCacheDir))
		s.m.BuildCache, err = captureBuildCache(ctx, gocache, s.out, goVersion, goos, goarch, opts.Workers)
	}
	return r, targets, err
}
