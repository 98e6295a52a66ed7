package onboard

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/sprintkit/sprintkit/coverage"
	"github.com/sprintkit/sprintkit/coverage/gotest"
	"github.com/sprintkit/sprintkit/coverage/pytest"
	"github.com/sprintkit/sprintkit/image"
	"github.com/sprintkit/sprintkit/internal/hint"
	"github.com/sprintkit/sprintkit/internal/state"
)

// Shard is one part of a test suite split across CI jobs: Index of Count,
// counted from 1 as CI matrices and GitLab's CI_NODE_INDEX count.
type Shard struct {
	Index int `json:"index"`
	Count int `json:"count"`
}

// ParseShard reads "I/N" with 1 <= I <= N.
func ParseShard(s string) (Shard, error) {
	i, n, ok := strings.Cut(s, "/")
	a, err1 := strconv.Atoi(i)
	b, err2 := strconv.Atoi(n)
	if !ok || err1 != nil || err2 != nil || b < 1 || a < 1 || a > b {
		return Shard{}, fmt.Errorf("shard %q: want I/N with 1 <= I <= N, such as 2/4", s)
	}
	return Shard{Index: a, Count: b}, nil
}

// Name is the file name stem of the shard's results: shard-I-of-N.
func (s Shard) Name() string { return fmt.Sprintf("shard-%d-of-%d", s.Index, s.Count) }

// DefaultShardDir is where `coverage --shard` writes by default.
func DefaultShardDir(root string) string { return state.Path(root, "shards") }

// PlanShards splits packages into n shards by longest processing time
// first: packages sorted by weight, heaviest first (ties by name), each
// given to the shard with the least weight so far (ties to the lowest
// index). A package without a weight weighs 1, so with no durations at all
// the packages are dealt out by count. Each shard's packages are sorted by
// name. The plan depends only on its inputs, so every CI job computes the
// same one.
func PlanShards(packages []string, seconds map[string]float64, n int) [][]string {
	if n < 1 {
		return nil
	}
	weight := func(p string) float64 {
		if w, ok := seconds[p]; ok && w > 0 {
			return w
		}
		if len(seconds) > 0 {
			return 0.001 // known to be fast, or new: still placed, last
		}
		return 1
	}
	pkgs := slices.Clone(packages)
	slices.Sort(pkgs)
	pkgs = slices.Compact(pkgs)
	slices.SortStableFunc(pkgs, func(a, b string) int { return cmp.Compare(weight(b), weight(a)) })
	shards := make([][]string, n)
	load := make([]float64, n)
	for _, p := range pkgs {
		best := 0
		for i := 1; i < n; i++ {
			if load[i] < load[best] {
				best = i
			}
		}
		shards[best] = append(shards[best], p)
		load[best] += weight(p)
	}
	for _, s := range shards {
		slices.Sort(s)
	}
	return shards
}

// PackageSeconds sums each package's top-level test durations in the
// baseline at root; nil when there is no baseline.
func PackageSeconds(root string) map[string]float64 {
	var b coverage.Baseline
	if err := state.ReadJSON(BaselinePath(root), &b); err != nil {
		return nil
	}
	m := map[string]float64{}
	for _, t := range b.Tests {
		if !strings.Contains(t.Test, "/") { // a subtest's time is its parent's too
			m[t.Package] += t.Seconds
		}
	}
	return m
}

// ShardOutcomes is shard-I-of-N.json: the baseline format of one shard's
// run, with the shard it is.
type ShardOutcomes struct {
	Type string `json:"type"` // "sprintkit.shard"
	*coverage.Baseline
	Shard Shard `json:"shard"`
	// Runner is the test runner of a Python shard, "pytest 8.1.1": the
	// merge puts the tests in the order that version collects them.
	Runner string `json:"runner,omitempty"`
}

const shardType = "sprintkit.shard"

// MeasureShard runs shard s of the Go project at o.Dir: its packages'
// tests, with whole-suite coverage (-coverpkg of every module package), and
// writes shard-I-of-N.out and shard-I-of-N.json into dir.
//
// A Python project (no Go module there, pytest.IsProject) is split by test
// file instead: its test files (pytest.TestFiles) by the seconds of their
// tests in the baseline; pytest runs under coverage.py collecting only the
// shard's files, and shard-I-of-N.out is coverage.py's JSON report of it.
func MeasureShard(ctx context.Context, o MeasureOptions, s Shard, dir string) (*coverage.Result, error) {
	if _, err := gotest.FindProject(ctx, o.Dir); errors.Is(err, gotest.ErrNotGoModule) && pytest.IsProject(o.Dir) {
		return measurePythonShard(ctx, o, s, dir)
	}
	pkgs, err := gotest.ListProject(ctx, o.Dir, o.Env)
	if err != nil {
		return nil, goHint(fmt.Errorf("list packages: %w", err))
	}
	var names []string
	for _, p := range pkgs {
		if p.Error == nil {
			names = append(names, p.ImportPath)
		}
	}
	mine := PlanShards(names, PackageSeconds(o.Dir), s.Count)[s.Index-1]
	flags := goTestFlags(o.Project, o.Flags)
	var r *coverage.Result
	if len(mine) == 0 {
		r = &coverage.Result{Language: "go", Mode: "set"}
	} else {
		bar := o.Events.bar("packages tested", -1, false)
		r, err = gotest.Run(ctx, gotest.Options{Dir: o.Dir, Env: o.Env, Flags: flags, Packages: mine, Timeout: o.Timeout, Progress: bar.Update, Rerun: true})
		bar.Done()
		if err != nil {
			return nil, goHint(err)
		}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("shard directory: %w", err)
	}
	base := filepath.Join(dir, s.Name())
	if err := state.WriteFile(base+".out", func(w io.Writer) error { return gotest.WriteResultProfile(w, r) }); err != nil {
		return nil, err
	}
	return r, writeOutcomes(o.Dir, base+".json", r, s, "")
}

// writeOutcomes writes shard-I-of-N.json: r's tests in run order, as the
// merge restores it.
func writeOutcomes(root, name string, r *coverage.Result, s Shard, runner string) error {
	if r.Commit == "" {
		r.Commit = Head(root)
	}
	b := coverage.NewBaseline(r)
	b.Tests = r.Tests
	if b.Tests == nil {
		b.Tests = []coverage.TestResult{}
	}
	return state.WriteJSON(name, ShardOutcomes{Type: shardType, Baseline: b, Shard: s, Runner: runner})
}

// PythonShardPlan returns the test files of each of n shards of the Python
// project at root: pytest.TestFiles (of the given pytest version) planned
// by the seconds of their tests in the baseline (by count without one).
func PythonShardPlan(root, pytestVersion string, n int) ([][]string, error) {
	files, err := pytest.TestFiles(root, pytestVersion)
	if err != nil {
		return nil, err
	}
	var seconds map[string]float64
	var b coverage.Baseline
	if err := state.ReadJSON(BaselinePath(root), &b); err == nil && b.Language == "python" {
		seconds = pytest.FileSeconds(root, b.Tests)
	}
	return PlanShards(files, seconds, n), nil
}

func measurePythonShard(ctx context.Context, o MeasureOptions, s Shard, dir string) (*coverage.Result, error) {
	env, err := pytest.FindPython(ctx, o.Dir)
	if err != nil {
		return nil, err
	}
	runner := "pytest " + env.PytestVersion
	plan, err := PythonShardPlan(o.Dir, env.PytestVersion, s.Count)
	if err != nil {
		return nil, err
	}
	files := &pytest.ShardFiles{Run: plan[s.Index-1], Unplanned: s.Index == 1}
	for i, p := range plan {
		if i != s.Index-1 {
			files.Others = append(files.Others, p...)
		}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("shard directory: %w", err)
	}
	base := filepath.Join(dir, s.Name())
	var r *coverage.Result
	err = state.WriteFile(base+".out", func(w io.Writer) error {
		bar := o.Events.bar("tests", -1, false)
		defer bar.Done()
		var err error
		r, err = pytest.Run(ctx, pytest.Options{Dir: o.Dir, Env: env, Shard: files, Report: w, Progress: bar.Update})
		return err
	})
	if err != nil {
		return nil, err
	}
	return r, writeOutcomes(o.Dir, base+".json", r, s, runner)
}

// ExpandGlobs expands each pattern (CI shells may pass them quoted); a
// pattern that matches nothing is kept, so that opening it names it.
func ExpandGlobs(patterns []string) []string {
	var out []string
	for _, p := range patterns {
		m, err := filepath.Glob(p)
		if err != nil || len(m) == 0 {
			out = append(out, p)
			continue
		}
		out = append(out, m...)
	}
	return out
}

// LoadShards merges the shards of one run: the profiles as Load does, and
// the outcomes files (shard-I-of-N.json) as the tests of the result, in the
// order an unsharded run reports them. A shard missing from 1..N, present
// twice, of another count, or of another commit than the others or HEAD is
// an error naming it.
func LoadShards(ctx context.Context, root string, profiles, outcomes []string) (*coverage.Result, error) {
	outcomes = ExpandGlobs(outcomes)
	if len(profiles) == 0 {
		for _, o := range outcomes {
			profiles = append(profiles, strings.TrimSuffix(o, ".json")+".out")
		}
	}
	profiles = ExpandGlobs(profiles)
	seen := map[int]string{}
	var tests []coverage.TestResult
	recovered, noData := map[string]*coverage.Recovery{}, map[string]string{}
	count, commit, first, lang, runner := 0, "", "", "", ""
	for _, name := range outcomes {
		var so ShardOutcomes
		if err := state.ReadJSON(name, &so); err != nil {
			return nil, err
		}
		if so.Type != shardType || so.Baseline == nil {
			return nil, fmt.Errorf("%s: not a shard's outcomes (want \"type\": %q)", name, shardType)
		}
		switch {
		case count == 0:
			count, commit, first, lang, runner = so.Shard.Count, so.Commit, name, so.Language, so.Runner
		case so.Language != lang:
			return nil, fmt.Errorf("%s: shard of a %s project, but %s is of a %s one", name, so.Language, first, lang)
		case so.Shard.Count != count:
			return nil, fmt.Errorf("%s: shard %d/%d, but %s is of %d shards", name, so.Shard.Index, so.Shard.Count, first, count)
		case so.Commit != commit:
			return nil, hint.With(fmt.Errorf("%s: shard of commit %s, but %s is of %s", name, short(so.Commit), first, short(commit)), "merge the shards of one CI run")
		}
		if prev, ok := seen[so.Shard.Index]; ok {
			return nil, fmt.Errorf("%s: shard %d/%d twice (also %s)", name, so.Shard.Index, count, prev)
		}
		seen[so.Shard.Index] = name
		tests = append(tests, so.Tests...)
		for _, p := range so.Packages {
			if p.Recovered != nil {
				recovered[p.Name] = p.Recovered
			}
			if p.NoData != "" {
				noData[p.Name] = p.NoData
			}
		}
	}
	var missing []string
	for i := 1; i <= count; i++ {
		if _, ok := seen[i]; !ok {
			missing = append(missing, Shard{i, count}.Name())
		}
	}
	if len(missing) > 0 {
		return nil, hint.With(fmt.Errorf("shards missing: %s", strings.Join(missing, ", ")), "pass every shard's .json (and .out) of the run")
	}
	if head := Head(root); head != "" && commit != "" && head != commit {
		return nil, hint.With(fmt.Errorf("%s: shards of commit %s, but HEAD is %s", first, short(commit), short(head)), "check out the commit the shards ran at")
	}
	var r *coverage.Result
	var err error
	if lang == "python" {
		// The tests go in the order one pytest run reports them.
		r, err = pytest.MergeShards(ctx, root, profiles, tests, strings.TrimPrefix(runner, "pytest "))
	} else {
		r, err = Load(ctx, root, profiles, nil)
		slices.SortStableFunc(tests, func(a, b coverage.TestResult) int { return strings.Compare(a.Package, b.Package) })
	}
	if err != nil {
		return nil, err
	}
	if lang != "python" {
		r.Tests = tests
		// A package a shard re-ran, or measured nothing of, keeps its mark.
		if err := gotest.ApplyMarks(ctx, root, nil, r, recovered, noData); err != nil {
			return nil, goHint(err)
		}
	}
	if commit != "" {
		r.Commit = commit
	}
	return r, nil
}

func short(c string) string {
	if c == "" {
		return "(none)"
	}
	if len(c) > 12 {
		return c[:12]
	}
	return c
}

// errNoShards is returned by StageShards for a directory without shards.
var errNoShards = errors.New("no shard-*.json")

// StageShards is the report step `sprintkit image --from-shards DIR` gives
// image.Stage: the merged shards in dir instead of a test run, ranked and
// reported as StageReport does (no test runs, so flags do not apply).
func StageShards(src, shardDir string, pf *coverage.ProjectFile, ev Events) image.ReportFunc {
	return func(ctx context.Context, dir string, env, flags []string, reportDir string) (*coverage.Result, []coverage.Target, error) {
		outs, _ := filepath.Glob(filepath.Join(shardDir, "shard-*.json"))
		if len(outs) == 0 {
			return nil, nil, fmt.Errorf("%s: %w", shardDir, errNoShards)
		}
		r, err := LoadShards(ctx, src, nil, outs)
		if err != nil {
			return nil, nil, err
		}
		return rankAndReport(ctx, src, pf, r, reportDir, ev)
	}
}
