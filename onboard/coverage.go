package onboard

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/sprintkit/sprintkit/coverage"
	"github.com/sprintkit/sprintkit/coverage/pertest"
	"github.com/sprintkit/sprintkit/image"
	"github.com/sprintkit/sprintkit/patchcov"
	"github.com/sprintkit/sprintkit/report"
)

// CoverageOptions says what `sprintkit coverage` measures and ranks.
type CoverageOptions struct {
	Dir string
	// By is the unit the command shows ("": the default unit).
	By string
	// Profiles and Imports are coverage measured elsewhere, ranked instead
	// of a test run; Outcomes are the outcomes files of CI shards, merged
	// with Profiles (or the .out files beside them).
	Profiles, Imports, Outcomes []string
	PerPackage                  bool
	// Timeout bounds each test binary; a negative one means no limit.
	Timeout time.Duration
	// HTML writes the HTML report into Out ("": the checkout's
	// .sprintkit/report).
	HTML bool
	Out  string
	// Diff measures the change against DiffRef ("": PatchRef's default).
	Diff    bool
	DiffRef string
	// Shard (I/N) runs only that shard's tests, into ShardDir ("": the
	// checkout's .sprintkit/shards).
	Shard    string
	ShardDir string
	Events   Events
	// Room is how many sprinters share the sprint (--room); 0 takes the
	// project file's [room] size, else coverage.DefaultRoomSize.
	Room int
	// Show is called with the ranked run once it is recorded, before the
	// HTML report is written, so that the ranking shows first.
	Show func(*CoverageRun) error
}

// CoverageRun is what `sprintkit coverage` measured and ranked.
type CoverageRun struct {
	Root   string
	Result *coverage.Result
	// Targets are every target by the unit asked for.
	Targets []coverage.Target
	// Split says how the default ranking split targets for the room ("":
	// it did not, or a unit was asked for).
	Split string
	// Delta is the run against the checkout's baseline; nil when there is
	// none (or it cannot be read).
	Delta *coverage.Delta
	// Patch is the change's coverage, with Diff.
	Patch *patchcov.Coverage
	// Index is the HTML report's index.html, with HTML.
	Index string
	// Causes say, for each failing test that failed at the baseline too,
	// whether it fails the same way ("still failing, same cause").
	Causes []string
	// Shard is what a --shard run did; nothing else is set then.
	Shard *ShardRun

	lineTests *pertest.Map // the tests of each line, from the per-test coverage cache
}

// ShardRun is what `coverage --shard I/N` ran and wrote.
type ShardRun struct {
	Shard  Shard
	Dir    string // where shard-I-of-N.{out,json} are
	Result *coverage.Result
}

// Coverage runs the tests of the project in o.Dir with coverage (or reads
// the coverage measured elsewhere, or runs one shard), applies its
// sprintkit.toml, ranks the targets, records coverage.json and cover.out
// (and the baseline, for merged shards), and writes the HTML report.
func Coverage(ctx context.Context, o CoverageOptions) (*CoverageRun, error) {
	root, err := filepath.Abs(o.Dir)
	if err != nil {
		return nil, err
	}
	if fi, err := os.Stat(root); err != nil || !fi.IsDir() {
		return nil, fmt.Errorf("--dir %s: not a directory", o.Dir)
	}
	// The project file is read before the tests run, so that a mistake in
	// it costs no test run.
	pf, err := loadProject(root)
	if err != nil {
		return nil, err
	}
	if o.Shard != "" {
		return coverageShard(ctx, o, root, pf)
	}
	restoreGC := func() {}
	if o.HTML {
		restoreGC = relaxGC()
		defer restoreGC()
	}
	// The ranking's git history is read while the coverage loads.
	recent := startRecentFiles(ctx, root)
	var r *coverage.Result
	switch {
	case len(o.Outcomes) > 0:
		r, err = LoadShards(ctx, root, o.Profiles, o.Outcomes)
	case len(o.Profiles) > 0 || len(o.Imports) > 0:
		r, err = LoadFor(ctx, root, o.Profiles, o.Imports, LoadOptions{HTML: o.HTML})
	default:
		var env []string // .sprintkit/env: the checkout's own caches
		if env, err = image.CheckoutEnviron(root, nil); err != nil {
			return nil, err
		}
		r, err = Measure(ctx, MeasureOptions{Dir: root, Env: env, PerPackage: o.PerPackage, Timeout: o.Timeout, Project: pf, Events: o.Events})
	}
	if err != nil {
		return nil, err
	}
	tightenGCIfBig(restoreGC)
	if r.Root != "" && r.Root != root {
		// The result is of the module or workspace above --dir: its
		// project file is the one that curates it.
		root = r.Root
		if pf, err = loadProject(root); err != nil {
			return nil, err
		}
		recent = func() map[string]bool { return RecentFiles(ctx, root) }
	}
	// cover.out is written while the ranking runs: it needs only the
	// curated result, and the ranking leaves a core free.
	var profiled chan error
	var curated func()
	if len(o.Outcomes) == 0 {
		profiled = make(chan error, 1)
		curated = func() { go func() { profiled <- recordProfile(root, r) }() }
	}
	// coverage.json always holds the default ranking, whichever By is
	// shown, so that it is the same file setup and image write.
	def, all, split := curateAndRankRecent(pf, r, o.By, o.Room, recent(), curated)
	lineTests := cachedStartFrom(ctx, root, r, def, all)
	for _, w := range r.Warnings {
		o.Events.warn("%s", w)
	}
	recorded := make(chan error, 1)
	if len(o.Outcomes) > 0 {
		// Merged shards carry every test's outcome: Record writes the
		// baseline that FailureCauses and credit read below.
		recorded <- Record(root, r, def)
	} else {
		// The profile copy and coverage.json are written while the rest
		// runs (the table, the HTML site): on a module of thousands of
		// files they are a tenth of the command's CPU, and nothing below
		// reads them. r is only read from here on.
		go func() {
			if err := <-profiled; err != nil {
				recorded <- err
				return
			}
			recorded <- recordJSON(root, r, def)
		}()
	}
	run, err := coverageOutputs(ctx, o, root, r, all, split, lineTests)
	if rerr := <-recorded; rerr != nil {
		return nil, fmt.Errorf("save results: %w", rerr)
	}
	return run, err
}

// coverageOutputs is what Coverage makes of a ranked result: the run with
// its failure causes, credit against the baseline, the patch, the table
// (o.Show) and the HTML site.
func coverageOutputs(ctx context.Context, o CoverageOptions, root string, r *coverage.Result, all []coverage.Target, split string, lineTests *pertest.Map) (*CoverageRun, error) {
	var err error
	run := &CoverageRun{Root: root, Result: r, Targets: all, Causes: FailureCauses(root, r), lineTests: lineTests}
	if o.Diff {
		if run.Patch, err = Patch(ctx, root, o.DiffRef, r); err != nil {
			return nil, err
		}
	}
	credit(root, run, split)
	if o.Show != nil {
		if err := o.Show(run); err != nil {
			return nil, err
		}
	}
	if o.HTML {
		if run.Index, err = coverageHTML(ctx, o, run); err != nil {
			return nil, err
		}
	}
	return run, nil
}

// coverageHTML writes the HTML report of run into o.Out.
func coverageHTML(ctx context.Context, o CoverageOptions, run *CoverageRun) (string, error) {
	out := o.Out
	if out == "" {
		var err error
		if out, err = ReportDir(run.Root); err != nil {
			return "", err
		}
	}
	var lt report.LineTests
	if run.lineTests != nil {
		lt = run.lineTests
	}
	return reportWith(ctx, out, run.Result, run.Targets, run.Patch, lt, o.Events)
}

// coverageShard is `coverage --shard I/N`: the shard's tests and its two
// files.
func coverageShard(ctx context.Context, o CoverageOptions, root string, pf *coverage.ProjectFile) (*CoverageRun, error) {
	s, err := ParseShard(o.Shard)
	if err != nil {
		return nil, err
	}
	dir := o.ShardDir
	if dir == "" {
		dir = DefaultShardDir(root)
	}
	r, err := MeasureShard(ctx, MeasureOptions{Dir: root, Timeout: o.Timeout, Project: pf, Events: o.Events}, s, dir)
	if err != nil {
		return nil, fmt.Errorf("shard %s: %w", o.Shard, err)
	}
	return &CoverageRun{Root: root, Result: r, Shard: &ShardRun{Shard: s, Dir: dir, Result: r}}, nil
}
