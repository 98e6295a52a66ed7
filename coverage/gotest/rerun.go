package gotest

import (
	"context"
	"fmt"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/sprintkit/sprintkit/coverage"
)

// Flaky tests, and tests that fail only under -trimpath
//
// With Options.Rerun, each test that failed is run once more, alone
// (`-run '^TestX$'` for its top-level test, which runs its subtests, and
// -count=1), before it is recorded. A failure that passes then is "flaky":
// not a failure of the baseline, shown apart. A test that killed its binary
// is not re-run: it keeps the crash recovery of autopsy.go.
//
// A run with -trimpath (the flags of an image's build cache) changes what
// runtime.Caller and stack traces say of file paths, so a test that checks
// them fails there and passes under plain `go test`. The re-run is made
// without -trimpath: when it passes, the test runs once more with it, and
// failing again says -trimpath was the cause: the test is recorded as the
// plain re-run found it, as a baseline made without the cache records it.

// maxFlakyReruns bounds the failing top-level tests one Run re-runs.
const maxFlakyReruns = 20

// rerunnable returns the indexes of tests to re-run: failures of the event
// stream, not entries Run made nor tests that killed their binary.
func rerunnable(tests []coverage.TestResult) []int {
	var out []int
	for i, t := range tests {
		if t.Outcome == "fail" && !special(t) {
			out = append(out, i)
		}
	}
	return out
}

// rerunFailures re-runs the failing tests of ts, those of one top-level
// test together, and returns ts with their outcomes settled.
func (s *suite) rerunFailures(ctx context.Context, i int, run goTestRun, ts []coverage.TestResult) ([]coverage.TestResult, error) {
	type root struct{ pkg, test string }
	var roots []root
	seen := map[root]bool{}
	for _, j := range rerunnable(ts) {
		r := root{ts[j].Package, rootTest(ts[j].Test)}
		if !seen[r] {
			seen[r] = true
			roots = append(roots, r)
		}
	}
	trim := hasTrimpath(s.opts)
	for n, r := range roots {
		if s.reruns == maxFlakyReruns {
			s.notRerun += len(roots) - n
			break
		}
		s.reruns++
		out := filepath.Join(s.tmp, fmt.Sprintf("rerun-%d-%d", i, n))
		plain, err := s.runOne(ctx, run, r.pkg, r.test, trim, out+".out")
		if err != nil {
			return nil, err
		}
		var trimmed map[string]coverage.TestResult // the run with -trimpath, when needed
		for _, j := range rerunnable(ts) {
			t := ts[j]
			if t.Package != r.pkg || rootTest(t.Test) != r.test {
				continue
			}
			again, ok := plain[t.Test]
			switch {
			case !ok:
			case again.Outcome == "fail":
				if trim {
					ts[j].Output, ts[j].Signature = again.Output, again.Signature // as plain go test says it
				}
			case trim:
				if trimmed == nil {
					if trimmed, err = s.runOne(ctx, run, r.pkg, r.test, false, out+"-trimpath.out"); err != nil {
						return nil, err
					}
				}
				if tt, ok := trimmed[t.Test]; ok && tt.Outcome == "fail" {
					ts[j] = again // fails only under -trimpath
				} else {
					ts[j].Outcome = coverage.OutcomeFlaky
				}
			default:
				ts[j].Outcome = coverage.OutcomeFlaky
			}
		}
	}
	return ts, nil
}

// runOne runs the top-level test test of pkg alone and returns its tests'
// results by name; none when its binary died or go test failed. Only a
// cancelled context is an error.
func (s *suite) runOne(ctx context.Context, run goTestRun, pkg, test string, noTrimpath bool, profile string) (map[string]coverage.TestResult, error) {
	one := goTestRun{dir: run.dir, workspace: run.workspace, patterns: []string{pkg}, coverpkg: run.coverpkg,
		only: "^" + regexp.QuoteMeta(test) + "$", noTrimpath: noTrimpath}
	ts, _, died, err := runGoTest(ctx, one, profile, s.opts, &progress{}, nil)
	if err != nil {
		return nil, ctx.Err()
	}
	out := map[string]coverage.TestResult{}
	if died[pkg] != nil {
		return out, nil
	}
	for _, t := range ts {
		if t.Package == pkg {
			out[t.Test] = t
		}
	}
	return out, nil
}

// runFlags are the flags of Options.Flags a run passes: without -run and
// -count for the re-run of one test, without -trimpath when asked.
func runFlags(run goTestRun, flags []string) []string {
	if run.only == "" && !run.noTrimpath {
		return flags
	}
	var out []string
	for _, f := range flags {
		name, _, _ := strings.Cut(strings.TrimLeft(f, "-"), "=")
		switch {
		case run.only != "" && (name == "run" || name == "count"):
		case run.noTrimpath && name == "trimpath":
		default:
			out = append(out, f)
		}
	}
	return out
}

// hasTrimpath reports whether Run's go test runs with -trimpath, from its
// flags or GOFLAGS.
func hasTrimpath(opts Options) bool {
	for _, f := range opts.Flags {
		if f == "-trimpath" || f == "--trimpath" || f == "-trimpath=true" {
			return true
		}
	}
	env := goEnviron(opts.Env, false)
	for i := len(env) - 1; i >= 0; i-- {
		if v, ok := strings.CutPrefix(env[i], "GOFLAGS="); ok {
			for _, f := range strings.Fields(v) {
				if f == "-trimpath" || f == "--trimpath" || f == "-trimpath=true" {
					return true
				}
			}
			return false
		}
	}
	return false
}

// withoutTrimpath returns env with -trimpath taken out of GOFLAGS.
func withoutTrimpath(env []string) []string {
	out := append([]string(nil), env...)
	for i := len(out) - 1; i >= 0; i-- {
		if v, ok := strings.CutPrefix(out[i], "GOFLAGS="); ok {
			var keep []string
			for _, f := range strings.Fields(v) {
				if f != "-trimpath" && f != "--trimpath" && f != "-trimpath=true" {
					keep = append(keep, f)
				}
			}
			out[i] = "GOFLAGS=" + strings.Join(keep, " ")
			break
		}
	}
	return out
}
