package onboard

import (
	"github.com/sprintkit/sprintkit/coverage"
	"github.com/sprintkit/sprintkit/internal/state"
)

// credit adds to run what the room needs to hear: how the targets were
// split for it (split), the run against the checkout's baseline, and the
// change's gains (with --diff).
func credit(root string, run *CoverageRun, split string) {
	run.Split = split
	run.Delta = againstBaseline(root, run.Result)
	if run.Patch != nil {
		run.Patch.Credit(run.Delta)
	}
}

// againstBaseline compares r with the baseline of the checkout at root;
// nil when there is none with coverage figures.
func againstBaseline(root string, r *coverage.Result) *coverage.Delta {
	var b coverage.Baseline
	if err := state.ReadJSON(BaselinePath(root), &b); err != nil || b.Total.Statements == 0 {
		return nil
	}
	return b.Compare(r)
}
