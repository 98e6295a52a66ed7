// Package proc starts child processes that sprintkit owns as a whole tree:
// each child leads its own process group (on Unix), so cancelling the
// context stops the child and everything it started (go test and the test
// binary, coverage.py and pytest), not only the direct child.
//
// A child is stopped so that it can clean up: the group gets SIGINT first,
// as from a terminal's Ctrl-C (the go command removes its go-build* work
// directory on SIGINT, not on SIGTERM; pytest and coverage.py finish on
// KeyboardInterrupt), then SIGTERM after Grace, then SIGKILL after another
// Grace. What a child still leaves behind lands in sprintkit's own
// temporary root (TempRoot), removed when sprintkit exits.
package proc

import (
	"context"
	"os/exec"
	"time"
)

// Grace is how long a stopped child's group has after SIGINT before it
// gets SIGTERM, and after SIGTERM before it gets SIGKILL.
const Grace = 2 * time.Second

// WaitDelay is how long Wait waits, after the context is done and the group
// was signalled, before it kills the leader and closes the pipes: past the
// whole SIGINT, SIGTERM, SIGKILL sequence.
const WaitDelay = 2*Grace + time.Second

// Command is exec.CommandContext for a child that leads its own process
// group. When ctx is done the whole group gets SIGINT, then SIGTERM and
// SIGKILL a Grace apart while any of it is still there (on Windows the child
// is killed).
func Command(ctx context.Context, name string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, name, args...)
	setGroup(cmd)
	cmd.Cancel = func() error { return terminate(cmd) }
	cmd.WaitDelay = WaitDelay
	return cmd
}
