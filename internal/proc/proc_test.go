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
	// The group got SIGINT, which a background job of sh ignores, then
	// SIGTERM a Grace later; sleep dies of it. Poll: the kernel reaps it
	// through init, which can take a moment.
	for i := 0; i < 1000; i++ {
		if err := syscall.Kill(pid, 0); err != nil {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("grandchild %d still runs after the command was cancelled", pid)
}

// TestCancelSignalsInterruptFirst stops shells that trap the signals and
// write down which one came: a child that handles SIGINT cleans up on it
// (as the go command removes its work directory), one that ignores SIGINT
// gets SIGTERM, and one that ignores both is killed.
func TestCancelSignalsInterruptFirst(t *testing.T) {
	tests := []struct {
		name, script, want string
		slow               bool
	}{
		{"a child that handles SIGINT gets it first", `trap 'echo int >"$F"; exit 0' INT TERM`, "int", false},
		{"a child that ignores SIGINT gets SIGTERM a grace period later", `trap '' INT; trap 'echo term >"$F"; exit 0' TERM`, "term", false},
		{"a child that ignores both is killed", `trap '' INT TERM`, "", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.slow && testing.Short() {
				t.Skip("waits for two grace periods; go test without -short runs it")
			}
			dir := t.TempDir()
			f, ready := filepath.Join(dir, "signal"), filepath.Join(dir, "ready")
			ctx, cancel := context.WithCancel(context.Background())
			cmd := Command(ctx, "sh", "-c", tc.script+`; touch "$R"; while :; do sleep 0.05; done`)
			cmd.Env = append(os.Environ(), "F="+f, "R="+ready)
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			for i := 0; i < 500; i++ {
				if _, err := os.Stat(ready); err == nil {
					break
				}
				time.Sleep(10 * time.Millisecond)
			}
			cancel()
			err := cmd.Wait()
			b, _ := os.ReadFile(f)
			if got := strings.TrimSpace(string(b)); got != tc.want {
				t.Fatalf("the child wrote %q, want %q (Wait: %v)", got, tc.want, err)
			}
			if tc.want == "" && err == nil {
				t.Fatal("Wait returned nil for a killed child")
			}
		})
	}
}
