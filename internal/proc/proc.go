// Package proc starts child processes that sprintkit owns as a whole tree:
// each child leads its own process group (on Unix), so cancelling the
// context stops the child and everything it started (go test and the test
// binary, coverage.py and pytest), not only the direct child.
package proc

import (
	"context"
	"os/exec"
	"time"
)

// WaitDelay is how long Wait waits, after the context is done and the group
// was signalled, before it kills the group and closes the pipes.
const WaitDelay = 3 * time.Second

// Command is exec.CommandContext for a child that leads its own process
// group. When ctx is done the whole group gets SIGTERM (on Windows the child
// is killed), then SIGKILL after WaitDelay if it is still there.
func Command(ctx context.Context, name string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, name, args...)
	setGroup(cmd)
	cmd.Cancel = func() error { return terminate(cmd) }
	cmd.WaitDelay = WaitDelay
	return cmd
}
