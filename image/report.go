package image

import (
	"context"
	"errors"

	"github.com/sprintkit/sprintkit/coverage"
)

// DefaultReport runs the Go tests of dir with coverage (with env), ranks the
// sprint targets and writes the HTML report into reportDir.
func DefaultReport(ctx context.Context, dir string, env []string, reportDir string) (*coverage.Result, []coverage.Target, error) {
	return nil, nil, errors.New("the coverage runner is not built yet")
}

// BaselineResult is what RunBaseline recorded.
type BaselineResult struct {
	Result         *coverage.Result
	Targets        []coverage.Target
	Passed, Failed int
	ReportIndex    string // path of the report's index.html; "" when none was written
}

// RunBaseline runs the tests of the checkout dir with coverage, with env,
// and writes .sprintkit/coverage.json, baseline.json and report/ there, as
// `sprintkit setup` does.
func RunBaseline(ctx context.Context, dir string, env []string) (*BaselineResult, error) {
	return nil, errors.New("the coverage runner is not built yet")
}
