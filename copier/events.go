package copier

import (
	"errors"
	"fmt"
	"syscall"
)

// event reports one entry to OnEvent.
func (e *engine) event(k EventKind, d *dir, name, typ string, size int64, err error) {
	if e.opts.OnEvent == nil {
		return
	}
	ev := Event{Kind: k, Path: d.relTo(name), Type: typ, Size: size, Err: err}
	if name == "" {
		ev.Path = d.rel
		if ev.Path == "" {
			ev.Path = "."
		}
	}
	e.evMu.Lock()
	defer e.evMu.Unlock()
	e.opts.OnEvent(ev)
}

// entryError is a per-entry failure: what was being done, to which entry.
type entryError struct {
	Path string // relative to the source root
	Op   string
	Err  error
}

func (e *entryError) Error() string { return e.Path + ": " + e.Op + ": " + e.Err.Error() }
func (e *entryError) Unwrap() error { return e.Err }

// fail records a per-entry error, or stops the run when the error means the
// destination cannot take any more (ENOSPC, EDQUOT, EROFS).
func (e *engine) fail(d *dir, name, typ, op string, err error) {
	if e.ctx.Err() != nil {
		// Errors caused by cancellation are not the entry's fault.
		return
	}
	if errors.Is(err, ErrTypeConflict) {
		op = typ + " in the source"
	}
	ee := &entryError{Path: d.relTo(name), Op: op, Err: err}
	if name == "" {
		ee.Path = d.rel
		if ee.Path == "" {
			ee.Path = "."
		}
	}
	if isFatal(err) {
		e.fatalMu.Lock()
		if e.fatal == nil {
			e.fatal = fmt.Errorf("destination %s: %w", e.describeFatal(err), ee)
		}
		e.fatalMu.Unlock()
		e.cancel(e.fatal)
		e.event(EventError, d, name, typ, 0, ee)
		return
	}
	e.errs.Add(1)
	e.errMu.Lock()
	if len(e.firstErrs) < 10 {
		e.firstErrs = append(e.firstErrs, ee)
	}
	e.errMu.Unlock()
	e.event(EventError, d, name, typ, 0, ee)
}

func isFatal(err error) bool {
	for _, f := range fatalErrs {
		if errors.Is(err, f) {
			return true
		}
	}
	return false
}

func (e *engine) describeFatal(err error) string {
	switch {
	case errors.Is(err, syscall.EROFS):
		return "filesystem is read-only"
	case errors.Is(err, errQuota):
		return "quota exceeded"
	}
	return "filesystem is full"
}
