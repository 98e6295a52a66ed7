package onboard

import (
	"context"
	"errors"
	"runtime"
	"sync"
	"time"

	"github.com/sprintkit/sprintkit/copier"
)

// CopyResult is what `sprintkit copy` did: the copier's counts, how long
// it took, and how many of its errors were type conflicts (a non-empty
// directory of DST kept) and files that changed during the copy.
type CopyResult struct {
	Stats     copier.Stats
	Elapsed   time.Duration
	Conflicts int64
	Changed   int64
}

// Copy copies the tree src into dst with the copier (see copier.Copy),
// counting the errors by kind as o.OnEvent sees them.
func Copy(ctx context.Context, src, dst string, o copier.Options) (CopyResult, error) {
	var res CopyResult
	var mu sync.Mutex
	onEvent := o.OnEvent
	o.OnEvent = func(ev copier.Event) {
		if ev.Kind == copier.EventError {
			mu.Lock()
			switch {
			case errors.Is(ev.Err, copier.ErrTypeConflict):
				res.Conflicts++
			case errors.Is(ev.Err, copier.ErrChanged):
				res.Changed++
			}
			mu.Unlock()
		}
		if onEvent != nil {
			onEvent(ev)
		}
	}
	// Copy workers spend nearly all their time in system calls. With a P
	// each, a worker coming back from one carries on at once instead of
	// waiting for the scheduler to hand it a P (see copier.Options.Workers).
	workers := o.Workers
	if workers == 0 {
		workers = copier.DefaultWorkers()
	}
	if runtime.GOMAXPROCS(0) < workers {
		runtime.GOMAXPROCS(workers)
	}
	start := time.Now()
	st, err := copier.Copy(ctx, src, dst, o)
	res.Stats, res.Elapsed = st, time.Since(start)
	return res, err
}
