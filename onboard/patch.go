package onboard

import (
	"context"
	"errors"
	"fmt"
	"io/fs"

	"github.com/sprintkit/sprintkit/coverage"
	"github.com/sprintkit/sprintkit/internal/hint"
	"github.com/sprintkit/sprintkit/internal/state"
	"github.com/sprintkit/sprintkit/patchcov"
)

// PatchRef is what a change is measured against when no --diff-ref is
// given: the commit the baseline was recorded at, else HEAD. b may be nil
// (no baseline read yet): then root's baseline.json is read.
func PatchRef(root string, b *coverage.Baseline) (string, error) {
	if b == nil {
		var read coverage.Baseline
		switch err := state.ReadJSON(BaselinePath(root), &read); {
		case err == nil:
			b = &read
		case errors.Is(err, fs.ErrNotExist):
			return "HEAD", nil
		default:
			return "", hint.With(fmt.Errorf("read the baseline's commit: %w", err),
				"give the commit to compare with: --diff-ref REF, or record the baseline again: sprintkit setup .")
		}
	}
	if b.Commit != "" {
		return b.Commit, nil
	}
	return "HEAD", nil
}

// Patch measures the change in root against ref ("" is PatchRef's
// default): the statements on added or changed lines and which of them r
// covers.
func Patch(ctx context.Context, root, ref string, r *coverage.Result) (*patchcov.Coverage, error) {
	if ref == "" {
		var err error
		if ref, err = PatchRef(root, nil); err != nil {
			return nil, err
		}
	}
	ch, err := patchcov.Diff(ctx, root, ref, patchcov.DefaultBackend())
	if err != nil {
		return nil, fmt.Errorf("your change: %w", err)
	}
	return patchcov.Compute(r, ch), nil
}
