//go:build unix

package proc

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// A cancelled command takes its grandchildren with it: the shell's
// background sleep must be gone once Wait returns and the group is killed.
func TestCancelStopsTheWholeGroup(t *testing.T) {
	pidFile := filepath.Join(t.TempDir(), "pid")
	ctx, cancel := context.WithCancel(context.Background())
	cmd := Command(ctx, "sh", "-c", "sleep 300 & echo $! >"+pidFile+"; wait")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var pid int
	for i := 0; i < 200 && pid == 0; i++ {
		b, _ := os.ReadFile(pidFile)
		pid, _ = strconv.Atoi(strings.TrimSpace(string(b)))
		time.Sleep(10 * time.Millisecond)
	}
	if pid == 0 {
		t.Fatal("the shell never wrote its child's pid")
	}
	cancel()
	if err := cmd.Wait(); err == nil {
		t.Fatal("Wait after cancel returned nil, want the signal's error")
	}
	// The group got SIGTERM; sleep dies of it. Poll: the kernel reaps it
	// through init, which can take a moment.
	for i := 0; i < 500; i++ {
		if err := syscall.Kill(pid, 0); err != nil {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("grandchild %d still runs after the command was cancelled", pid)
}
