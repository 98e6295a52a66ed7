package testloop

import (
	"testing"

	"github.com/sprintkit/sprintkit/coverage"
)

func TestARunSaysWhichFunctionsItNewlyCovers(t *testing.T) {
	mk := func(covered int) *coverage.Result {
		r := &coverage.Result{Packages: []*coverage.Package{{Name: "m/args", Files: []*coverage.File{{
			Path: "m/args/a.go", Rel: "args/a.go",
			Functions: []*coverage.Function{{Name: "Arg", File: "args/a.go", Line: 3, Counts: coverage.Counts{Statements: 2, Covered: covered}}},
		}}}}}
		return r
	}
	base := coverage.NewBaseline(mk(0))
	tests := []struct {
		name    string
		b       *coverage.Baseline
		res     *coverage.Result
		partial bool
		want    string
	}{
		{name: "a function the new test covers wholly", b: base, res: mk(2), want: "newly covered: Arg: now fully covered, +2"},
		{name: "nothing gained says nothing", b: base, res: mk(0), want: ""},
		{name: "a partial run is not compared", b: base, res: mk(2), partial: true, want: ""},
		{name: "no baseline, no gains", b: nil, res: mk(2), want: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := gainsLine(gains(tt.b, tt.res, tt.partial), 5); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}
