package report

import (
	"context"
	"errors"

	"github.com/sprintkit/sprintkit/coverage"
)

// HTMLOptions shapes the static HTML site.
type HTMLOptions struct {
	Title    string // project name; r.Project when empty
	Commit   string // commit shown on the index; r.Commit when empty
	Workers  int    // parallel page writers; 0 means GOMAXPROCS
	Progress func(done, total int)
}

// HTML writes the static report site into dir and returns the path of its
// index.html.
func HTML(ctx context.Context, dir string, r *coverage.Result, targets []coverage.Target, opts HTMLOptions) (index string, err error) {
	return "", errors.New("html report: not built yet")
}
