package coverage

import (
	"time"
)

// Baseline is what the test suite did before anyone changed anything: every
// test's outcome and each package's whole-suite coverage. `setup` writes it
// to .sprintkit/baseline.json; `watch-test` compares each run against it, so
// a newcomer can tell a failure they caused from one that was already there.
type Baseline struct {
	Version  int               `json:"version"` // 1
	Created  time.Time         `json:"created"`
	Commit   string            `json:"commit,omitempty"`
	Language string            `json:"language"`
	Tests    []TestResult      `json:"tests"`
	Packages []BaselinePackage `json:"packages"`
	Total    Counts            `json:"total"`
	// Modules are the modules of a project of several, with their figures.
	Modules []Module `json:"modules,omitempty"`
}

// BaselinePackage is one package's coverage at the baseline. Recovered and
// NoData carry Package's: a package measured without the tests that killed
// its test binary, or not measured at all (its Counts then hold no figure).
type BaselinePackage struct {
	Name string `json:"name"`
	Counts
	Recovered *Recovery `json:"recovered,omitempty"`
	NoData    string    `json:"no_data,omitempty"`

	// Functions are the package's functions with their counts, for
	// crediting the tests written since (Baseline.Compare); none in a
	// baseline recorded before they were kept.
	Functions []BaselineFunction `json:"functions,omitempty"`
}

// NewBaseline builds a baseline from a finished result and its test outcomes.
// A test that killed its package's test binary is a failing test of the
// baseline (TestResult.Crashed says how); such tests come first.
func NewBaseline(r *Result) *Baseline {
	b := &Baseline{
		Version:  1,
		Created:  r.Generated,
		Commit:   r.Commit,
		Language: r.Language,
		Tests:    crashedFirst(r.Tests),
		Total:    r.Total,
		Modules:  r.Modules,
	}
	if b.Tests == nil {
		b.Tests = []TestResult{}
	}
	b.Tests = append([]TestResult{}, b.Tests...) // r's own tests stay as they are
	for i, t := range b.Tests {
		if t.Outcome == "fail" && t.Signature == "" {
			b.Tests[i].Signature = t.Cause()
		}
	}
	for _, p := range r.Packages {
		b.Packages = append(b.Packages, BaselinePackage{Name: p.Name, Counts: p.Counts, Recovered: p.Recovered, NoData: p.NoData})
	}
	addFunctions(b, r)
	return b
}

// Failing returns the set of "package\x00test" keys that failed at the baseline.
func (b *Baseline) Failing() map[string]bool {
	m := map[string]bool{}
	for _, t := range b.Tests {
		if t.Outcome == "fail" {
			m[t.Package+"\x00"+t.Test] = true
		}
	}
	return m
}

// Flaky returns the set of "package\x00test" keys that were flaky at the
// baseline: they failed, and passed when run again alone.
func (b *Baseline) Flaky() map[string]bool {
	m := map[string]bool{}
	for _, t := range b.Tests {
		if t.Outcome == OutcomeFlaky {
			m[t.Package+"\x00"+t.Test] = true
		}
	}
	return m
}

// FailedAt returns the baseline's failing record of pkg's test, if it
// failed at the baseline.
func (b *Baseline) FailedAt(pkg, test string) (TestResult, bool) {
	for _, t := range b.Tests {
		if t.Outcome == "fail" && t.Package == pkg && t.Test == test {
			return t, true
		}
	}
	return TestResult{}, false
}

// Package returns the baseline coverage of the named package.
func (b *Baseline) Package(name string) (Counts, bool) {
	for _, p := range b.Packages {
		if p.Name == name {
			return p.Counts, true
		}
	}
	return Counts{}, false
}

// crashedFirst returns tests with those that killed their test binary
// first, the others in their order.
func crashedFirst(tests []TestResult) []TestResult {
	n := 0
	for _, t := range tests {
		if t.Crashed != "" {
			n++
		}
	}
	if n == 0 {
		return tests
	}
	out := make([]TestResult, 0, len(tests))
	for _, t := range tests {
		if t.Crashed != "" {
			out = append(out, t)
		}
	}
	for _, t := range tests {
		if t.Crashed == "" {
			out = append(out, t)
		}
	}
	return out
}
