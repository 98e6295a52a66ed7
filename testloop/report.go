package testloop

import (
	"math"
	"sort"
	"strings"

	"github.com/sprintkit/sprintkit/coverage"
	"github.com/sprintkit/sprintkit/patchcov"
)

// Run is one run of the tests, started by a batch of changes.
type Run struct {
	Seq      int      // 1 for the first run
	Changed  []string // changed files, slash-separated, relative to the root
	Packages []string // packages whose tests run (empty for --cmd)
	// Edited are the packages of Packages that hold a changed file. Their
	// tests run first, in a go test of their own, so that their results
	// come before the importers' are even built; the rest of Packages runs
	// next. Empty when the run is not split (one go test for everything).
	Edited  []string
	All     bool   // the whole suite runs
	Command string // the --cmd command, when one runs instead of the tests
}

// Report is what a run found.
type Report struct {
	Run
	Seconds   float64
	Cancelled bool  // a newer change cancelled the run: nothing below is meaningful
	Err       error // the run could not happen (the tests did run if Packages is set)
	ExitCode  int   // --cmd: the command's exit code
	Packages  []PackageReport
	// NoBaseline is set when there is no .sprintkit/baseline.json to compare with.
	NoBaseline bool
	// Partial is set when only some tests ran (a Python test file): the
	// coverage is that file's alone, so it is not compared with the baseline.
	Partial bool
	// Patch is the coverage of the change (Options.Patch); nil without.
	Patch *patchcov.Coverage
	// Gains are the functions more of whose statements run than at the
	// baseline (coverage.Baseline.Compare); none for a partial run, or
	// without a baseline that has function counts.
	Gains []coverage.FuncGain
}

// gains are the functions res covers more of than the baseline b did.
func gains(b *coverage.Baseline, res *coverage.Result, partial bool) []coverage.FuncGain {
	if b == nil || res == nil || partial {
		return nil
	}
	return b.Compare(res).Gains
}

// PackageReport is one package's outcome.
type PackageReport struct {
	Package string
	// Passed, Failed and Skipped count tests by the baseline's rule (see
	// Tally): every test and every subtest counts once.
	Passed  int
	Failed  int
	Skipped int
	// AtBaseline is the package's tally in .sprintkit/baseline.json by the
	// same rule; nil when there is no baseline or it has no tests of the
	// package.
	AtBaseline *Tally
	// Coverage is the package's whole-suite coverage in this run, in percent;
	// nil when the run produced no profile for it.
	Coverage *float64
	// Baseline is the same figure in .sprintkit/baseline.json; nil when
	// there is none.
	Baseline *float64
	Failures []Failure
}

// Delta is Coverage - Baseline, rounded to a tenth, when both are known.
func (p PackageReport) Delta() (float64, bool) {
	if p.Coverage == nil || p.Baseline == nil {
		return 0, false
	}
	return math.Round((*p.Coverage-*p.Baseline)*10) / 10, true
}

// NewFailures returns the names of failing tests that passed (or did not
// exist) at the baseline.
func (p PackageReport) NewFailures() []string {
	out := []string{}
	for _, f := range p.Failures {
		if f.New {
			out = append(out, f.Test)
		}
	}
	return out
}

// FailingBefore returns the names of failing tests that failed at the
// baseline too.
func (p PackageReport) FailingBefore() []string {
	out := []string{}
	for _, f := range p.Failures {
		if !f.New && !f.Flaky {
			out = append(out, f.Test)
		}
	}
	return out
}

// FailsDifferently returns the names of the tests of FailingBefore whose
// failure has another cause than at the baseline.
func (p PackageReport) FailsDifferently() []string {
	var out []string
	for _, f := range p.Failures {
		if !f.New && !f.Flaky && !f.SameCause {
			out = append(out, f.Test)
		}
	}
	return out
}

// FlakyBefore returns the names of failing tests that were flaky at the
// baseline: they failed there, then passed when run again alone.
func (p PackageReport) FlakyBefore() []string {
	var out []string
	for _, f := range p.Failures {
		if f.Flaky {
			out = append(out, f.Test)
		}
	}
	return out
}

// Failure is a failing test.
type Failure struct {
	Test   string
	Output string
	// New is set when the test did not fail at the baseline (always set when
	// there is no baseline) and was not flaky there.
	New bool
	// Flaky is set when the test was flaky at the baseline: it failed
	// there, then passed when run again alone.
	Flaky bool
	// Cause, for a test that failed at the baseline too, compares the
	// failures: "still failing, same cause" or "fails differently now
	// (was: …)"; SameCause is set for the first.
	Cause     string
	SameCause bool
	// Subtests is set when a subtest of the test failed too: go test then
	// fails the test itself, which the tally counts like any other failure.
	Subtests bool
}

// Tally is a number of tests by outcome.
type Tally struct {
	Passed, Failed, Skipped int
}

// Total is Passed + Failed + Skipped.
func (t Tally) Total() int { return t.Passed + t.Failed + t.Skipped }

// Add counts one test outcome ("pass", "fail" or "skip").
func (t *Tally) Add(outcome string) {
	switch outcome {
	case "pass":
		t.Passed++
	case "fail":
		t.Failed++
	case "skip":
		t.Skipped++
	}
}

// TallyTests counts tests by package, by the one rule watch-test uses
// everywhere (the package lines, the summary, and the comparison with the
// baseline), which is the baseline's own: every entry of `go test -json`
// counts, so every test and every subtest counts once, a parent test
// included. A failing subtest thus fails its parent as well: 1 subtest
// failing in a table of 10 is "10 passed, 2 failed". Build failures and
// failures outside any test count as one failed test each ("(build)",
// "(package)"), as they do in the baseline. `sprintkit setup` counts the
// same way.
func TallyTests(tests []coverage.TestResult) map[string]Tally {
	out := map[string]Tally{}
	for _, t := range tests {
		c := out[t.Package]
		c.Add(t.Outcome)
		out[t.Package] = c
	}
	return out
}

// Failed reports whether any package failed.
func (r *Report) Failed() bool {
	for _, p := range r.Packages {
		if p.Failed > 0 {
			return true
		}
	}
	return false
}

// buildReport turns the result of a run into per-package outcomes compared
// with the baseline (nil when there is none). A partial run's coverage is
// not compared.
func buildReport(run Run, res *coverage.Result, base *coverage.Baseline, partial bool) []PackageReport {
	byPkg := map[string]*PackageReport{}
	get := func(name string) *PackageReport {
		p := byPkg[name]
		if p == nil {
			p = &PackageReport{Package: name}
			byPkg[name] = p
		}
		return p
	}
	for _, name := range run.Packages {
		get(name)
	}
	var failing, flaky map[string]bool
	var atBase map[string]Tally
	before := map[string]coverage.TestResult{}
	if base != nil {
		failing, flaky = base.Failing(), base.Flaky()
		atBase = TallyTests(base.Tests)
		for _, t := range base.Tests {
			if t.Outcome == "fail" {
				before[t.Package+"\x00"+t.Test] = t
			}
		}
	}
	// A failing test whose subtests failed says so.
	failedParent := map[string]bool{}
	for _, t := range res.Tests {
		if t.Outcome == "fail" {
			if i := strings.LastIndex(t.Test, "/"); i > 0 {
				for n := t.Test[:i]; ; {
					failedParent[t.Package+"\x00"+n] = true
					j := strings.LastIndex(n, "/")
					if j < 0 {
						break
					}
					n = n[:j]
				}
			}
		}
	}
	for pkg, c := range TallyTests(res.Tests) {
		p := get(pkg)
		p.Passed, p.Failed, p.Skipped = c.Passed, c.Failed, c.Skipped
	}
	for _, t := range res.Tests {
		if t.Outcome != "fail" {
			continue
		}
		key := t.Package + "\x00" + t.Test
		p := get(t.Package)
		f := Failure{Test: t.Test, Output: t.Output, New: !failing[key] && !flaky[key], Flaky: flaky[key], Subtests: failedParent[key]}
		if b, ok := before[key]; ok {
			f.Cause, f.SameCause = coverage.SameCause(b, t)
		}
		p.Failures = append(p.Failures, f)
	}
	if len(run.Packages) == 0 {
		// Python and --all runs name no packages up front: report every
		// measured one.
		for _, rp := range res.Packages {
			get(rp.Name)
		}
	}
	for _, rp := range res.Packages {
		p, ok := byPkg[rp.Name]
		if !ok {
			continue // measured but not run (a --coverpkg package outside the run)
		}
		c := rp.Percent
		p.Coverage = &c
	}
	if base != nil && !partial {
		for _, p := range byPkg {
			if c, ok := atBase[p.Package]; ok {
				p.AtBaseline = &c
			}
			if c, ok := base.Package(p.Package); ok {
				v := c.Percent
				p.Baseline = &v
			}
		}
	}
	out := make([]PackageReport, 0, len(byPkg))
	for _, p := range byPkg {
		sort.SliceStable(p.Failures, func(i, j int) bool { return p.Failures[i].Test < p.Failures[j].Test })
		out = append(out, *p)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Package < out[j].Package })
	return out
}

// packageReport is one package's outcome as soon as its tests finished:
// counts and failures against the baseline, no coverage yet.
func packageReport(pkg string, tests []coverage.TestResult, base *coverage.Baseline) PackageReport {
	reps := buildReport(Run{Packages: []string{pkg}}, &coverage.Result{Tests: tests}, base, false)
	for _, p := range reps {
		if p.Package == pkg {
			return p
		}
	}
	return PackageReport{Package: pkg}
}
