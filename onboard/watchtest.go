package onboard

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"

	"github.com/sprintkit/sprintkit/coverage"
	"github.com/sprintkit/sprintkit/image"
	"github.com/sprintkit/sprintkit/internal/hint"
	"github.com/sprintkit/sprintkit/internal/state"
	"github.com/sprintkit/sprintkit/patchcov"
	"github.com/sprintkit/sprintkit/project"
	"github.com/sprintkit/sprintkit/testloop"
)

// WatchOptions says what `sprintkit watch-test` watches and runs: the
// loop's options, whose Baseline and Patch WatchTest fills.
type WatchOptions struct {
	testloop.Options
	// WarnNoBaseline warns when the checkout has no baseline (the JSON
	// stream; the screen says so itself).
	WarnNoBaseline bool
}

// WatchTest runs the tests affected by each change in o.Dir until ctx is
// cancelled (testloop.Loop), comparing each run with the checkout's
// baseline and measuring the change since the baseline's commit.
func WatchTest(ctx context.Context, o WatchOptions, r testloop.Renderer) error {
	opts := o.Options
	abs, err := filepath.Abs(opts.Dir)
	if err != nil {
		return err
	}
	if real, err := filepath.EvalSymlinks(abs); err == nil {
		abs = real
	}
	abs, _ = project.Root(abs)
	// The checkout's own settings (.sprintkit/env): its module and build
	// caches after setup --from-image.
	if opts.Env, err = image.CheckoutEnviron(abs, opts.Env); err != nil {
		return hint.With(err, "run 'sprintkit setup' again to write .sprintkit/env")
	}
	// The project file before the first run: a mistake in it stops
	// watch-test at once, and its go test flags are every run's.
	pf, err := loadProject(abs)
	if err != nil {
		return err
	}
	opts.GoTestFlags = goTestFlags(pf, opts.GoTestFlags)
	if opts.Command == "" {
		var b coverage.Baseline
		switch err := state.ReadJSON(state.Path(abs, state.BaselineFile), &b); {
		case err == nil:
			opts.Baseline = &b
		case errors.Is(err, fs.ErrNotExist):
			if o.WarnNoBaseline && opts.Warn != nil {
				opts.Warn("no baseline (.sprintkit/baseline.json): coverage without a change, every failure new; run 'sprintkit setup .' to record one")
			}
		default:
			return hint.With(err, "run 'sprintkit setup .' to record the baseline again")
		}
		opts.Patch = watchPatch(abs, opts.Baseline, opts.Warn)
	}
	// On Ctrl-C, Loop returns context.Canceled, which exits with status 130.
	err = testloop.Loop(ctx, opts, r)
	if errors.Is(err, testloop.ErrNoProject) {
		return hint.With(err, "run it in a checkout, or give a command: sprintkit watch-test --cmd 'make test'")
	}
	return err
}

// watchPatch returns the hook that measures the change after each run,
// against the baseline's commit or HEAD; nil outside a git checkout. A
// failing diff is reported once, then the runs go on without the line.
func watchPatch(root string, b *coverage.Baseline, warn func(string)) func(context.Context, *coverage.Result, bool) *patchcov.Coverage {
	ref := "HEAD" // no baseline: the change since the last commit
	if b != nil {
		ref, _ = PatchRef(root, b) // b was read already: no error
	}
	if _, err := os.Stat(filepath.Join(root, ".git")); err != nil && Head(root) == "" {
		return nil
	}
	s := &patchcov.Session{Root: root, Ref: ref}
	var once sync.Once
	return func(ctx context.Context, r *coverage.Result, partial bool) *patchcov.Coverage {
		pc, err := s.Measure(ctx, r, partial)
		if err != nil {
			if ctx.Err() == nil && warn != nil {
				once.Do(func() { warn(fmt.Sprintf("your change: %v", err)) })
			}
			return nil
		}
		return pc
	}
}
