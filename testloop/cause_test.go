package testloop

import (
	"bytes"
	"strings"
	"testing"

	"github.com/sprintkit/sprintkit/coverage"
)

// TestWatchTestSaysWhetherABaselineFailureFailsTheSameWay compares failures
// with a baseline holding a failing test and a flaky one.
func TestWatchTestSaysWhetherABaselineFailureFailsTheSameWay(t *testing.T) {
	base := coverage.NewBaseline(&coverage.Result{Tests: []coverage.TestResult{
		{Package: "m/p", Test: "TestOld", Outcome: "fail", Output: "    p_test.go:12: Total() = 3 after 12ms, want 4\n"},
		{Package: "m/p", Test: "TestFlaky", Outcome: coverage.OutcomeFlaky, Output: "    p_test.go:30: timed out\n"},
	}})
	run := Run{Packages: []string{"m/p"}}
	for _, c := range []struct {
		name, output string
		want         Failure
		screen, list string // on the screen: the failure's tag, the closing list's line
	}{
		{"the same failure message is still failing, same cause", "    p_test.go:12: Total() = 3 after 40ms, want 4\n",
			Failure{Test: "TestOld", Cause: "still failing, same cause", SameCause: true},
			"(failing at the baseline too: still failing, same cause)", "  m/p  TestOld\n"},
		{"a changed failure message fails differently", "    p_test.go:12: Total() = 5, want 4\n",
			Failure{Test: "TestOld", Cause: "fails differently now (was: p_test.go:12: Total() = 3 after ?s, want 4)"},
			"(failing at the baseline too, but fails differently now (was: p_test.go:12: Total() = 3 after ?s, want 4))",
			"  m/p  TestOld (fails differently now (was: p_test.go:12: Total() = 3 after ?s, want 4))\n"},
	} {
		t.Run(c.name, func(t *testing.T) {
			res := &coverage.Result{Tests: []coverage.TestResult{{Package: "m/p", Test: "TestOld", Outcome: "fail", Output: c.output}}}
			reps := buildReport(run, res, base, false)
			f := reps[0].Failures[0]
			f.Output = ""
			if f != c.want {
				t.Errorf("failure %+v, want %+v", f, c.want)
			}
			var buf bytes.Buffer
			s := &Screen{W: &buf}
			s.Finish(&Report{Run: run, Packages: reps})
			if out := buf.String(); !strings.Contains(out, c.screen) || !strings.Contains(out, c.list) {
				t.Errorf("screen lacks %q or %q:\n%s", c.screen, c.list, out)
			}
		})
	}
	t.Run("a test flaky at the baseline that fails now is shown apart, not as new", func(t *testing.T) {
		res := &coverage.Result{Tests: []coverage.TestResult{{Package: "m/p", Test: "TestFlaky", Outcome: "fail", Output: "    p_test.go:30: timed out\n"}}}
		reps := buildReport(run, res, base, false)
		p := reps[0]
		if len(p.NewFailures()) != 0 || len(p.FailingBefore()) != 0 || len(p.FlakyBefore()) != 1 {
			t.Errorf("new %v, failing before %v, flaky before %v; want it flaky only", p.NewFailures(), p.FailingBefore(), p.FlakyBefore())
		}
		var buf bytes.Buffer
		s := &Screen{W: &buf}
		s.Finish(&Report{Run: run, Packages: reps})
		for _, want := range []string{"(flaky at the baseline: it failed there, then passed when run again)",
			"1 flaky at the baseline (failed there, then passed when run again):\n  m/p  TestFlaky\n", "0 new failures, 0 failing before, 1 flaky at the baseline"} {
			if !strings.Contains(buf.String(), want) {
				t.Errorf("screen lacks %q:\n%s", want, buf.String())
			}
		}
	})
}
