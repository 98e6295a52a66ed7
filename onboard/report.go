package onboard

import (
	"context"
	"fmt"
	"io"
	"path/filepath"

	"github.com/sprintkit/sprintkit/coverage"
	"github.com/sprintkit/sprintkit/image"
	"github.com/sprintkit/sprintkit/patchcov"
	"github.com/sprintkit/sprintkit/report"
)

// Report writes the static HTML report of r into dir and returns the path
// of its index.html.
func Report(ctx context.Context, dir string, r *coverage.Result, targets []coverage.Target, ev Events) (string, error) {
	return ReportPatch(ctx, dir, r, targets, nil, ev)
}

// ReportPatch is Report with the "Your change" page of pc (nil: none).
func ReportPatch(ctx context.Context, dir string, r *coverage.Result, targets []coverage.Target, pc *patchcov.Coverage, ev Events) (string, error) {
	return reportWith(ctx, dir, r, targets, pc, nil, ev)
}

// reportWith is ReportPatch with the tests of each line (lt; nil: none).
func reportWith(ctx context.Context, dir string, r *coverage.Result, targets []coverage.Target, pc *patchcov.Coverage, lt report.LineTests, ev Events) (string, error) {
	title := r.Project
	if title == "" && r.Root != "" {
		title = filepath.Base(r.Root)
	}
	bar := ev.bar("report pages", -1, false)
	var warnings []string
	index, err := report.HTML(ctx, dir, r, targets, report.HTMLOptions{Title: title, Commit: r.Commit, Progress: bar.Update,
		Warn: func(msg string) { warnings = append(warnings, msg) }, Patch: pc, LineTests: lt})
	bar.Done()
	for _, w := range warnings {
		ev.warn("HTML report: %s", w)
	}
	return index, err
}

func writeResultJSON(w io.Writer, r *coverage.Result, targets []coverage.Target) error {
	return report.JSON(w, r, targets)
}

// StageReport is the report step `sprintkit image` gives image.Stage: the
// tests of the scratch copy dir with env, with the project file's go test
// flags and then Stage's, ranked with the same defaults as setup (recent
// changes read from the checkout src), and the HTML report written into
// reportDir. Stage records the baseline and coverage.json.
func StageReport(src string, pf *coverage.ProjectFile, ev Events) image.ReportFunc {
	return func(ctx context.Context, dir string, env, flags []string, reportDir string) (*coverage.Result, []coverage.Target, error) {
		r, err := Measure(ctx, MeasureOptions{Dir: dir, Env: env, Project: pf, Flags: flags, Events: ev})
		if err != nil {
			return nil, nil, err
		}
		return rankAndReport(ctx, src, pf, r, reportDir, ev)
	}
}

// rankAndReport is what every report step does with a result: curate and
// rank it (curateAndRank) and write its HTML report into reportDir.
func rankAndReport(ctx context.Context, src string, pf *coverage.ProjectFile, r *coverage.Result, reportDir string, ev Events) (*coverage.Result, []coverage.Target, error) {
	targets, _, _ := curateAndRank(ctx, src, pf, r, "", 0)
	if _, err := Report(ctx, reportDir, r, targets, ev); err != nil {
		return nil, nil, fmt.Errorf("write the report: %w", err)
	}
	return r, targets, nil
}
