package image

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"time"

	"github.com/sprintkit/sprintkit/checkout"
	"github.com/sprintkit/sprintkit/coverage"
	"github.com/sprintkit/sprintkit/report"
	"github.com/sprintkit/sprintkit/state"
)

// reportTargets is how many ranked targets the report and the docs carry.
const reportTargets = 20

// DefaultReport runs the Go tests of dir with coverage (with env), ranks the
// sprint targets and writes the HTML report into reportDir, with the top
// targets beside it in targets.json for START_HERE.html.
func DefaultReport(ctx context.Context, dir string, env []string, reportDir string) (*coverage.Result, []coverage.Target, error) {
	r, err := coverage.RunGo(ctx, coverage.GoRun{Dir: dir, Env: env})
	if err != nil {
		return nil, nil, err
	}
	if co, err := checkout.Open(dir); err == nil {
		r.Commit = co.Commit
	}
	targets := coverage.Rank(r, coverage.RankOptions{Top: reportTargets})
	if _, err := report.HTML(ctx, reportDir, r, targets, report.HTMLOptions{}); err != nil {
		return nil, nil, err
	}
	if err := state.WriteJSON(filepath.Join(reportDir, targetsFile), targets); err != nil {
		return nil, nil, err
	}
	return r, targets, nil
}

// BaselineResult is what RunBaseline recorded.
type BaselineResult struct {
	Result         *coverage.Result
	Targets        []coverage.Target
	Passed, Failed int
	ReportIndex    string // path of the report's index.html
	Duration       time.Duration
}

// RunBaseline runs the tests of the checkout dir with coverage, with env
// added to the environment of every go command, and writes
// .sprintkit/coverage.json, .sprintkit/baseline.json and .sprintkit/report/
// there, as `sprintkit setup` does. Failing tests are recorded, not an error.
func RunBaseline(ctx context.Context, dir string, env []string, progress func(done, total int)) (*BaselineResult, error) {
	start := time.Now()
	if _, err := state.Ensure(dir); err != nil {
		return nil, err
	}
	r, err := coverage.RunGo(ctx, coverage.GoRun{Dir: dir, Env: env, Progress: progress})
	if err != nil {
		return nil, err
	}
	if co, err := checkout.Open(dir); err == nil {
		r.Commit = co.Commit
	}
	targets := coverage.Rank(r, coverage.RankOptions{Top: reportTargets})
	res := &BaselineResult{Result: r, Targets: targets}
	for _, t := range r.Tests {
		switch t.Outcome {
		case "pass":
			res.Passed++
		case "fail":
			res.Failed++
		}
	}
	if err := state.WriteFile(state.Path(dir, state.ResultFile), func(w io.Writer) error { return report.JSON(w, r, targets) }); err != nil {
		return nil, err
	}
	if err := state.WriteJSON(state.Path(dir, state.BaselineFile), coverage.NewBaseline(r)); err != nil {
		return nil, err
	}
	idx, err := report.HTML(ctx, state.Path(dir, state.ReportDir), r, targets, report.HTMLOptions{})
	if err != nil {
		return res, fmt.Errorf("write the report: %w", err)
	}
	res.ReportIndex = idx
	res.Duration = time.Since(start)
	return res, nil
}
