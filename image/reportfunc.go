package image

import (
	"context"

	"github.com/sprintkit/sprintkit/coverage"
)

// ReportFunc is staging's report step (StageOptions.Report): it runs the
// project's tests with coverage in dir with env and more go test flags (or
// reads results made elsewhere), ranks the targets, writes the HTML report
// into reportDir, and returns the result with every ranked target.
type ReportFunc func(ctx context.Context, dir string, env, flags []string, reportDir string) (*coverage.Result, []coverage.Target, error)
