package testloop

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// alive reports whether the process pid runs: it exists and is not a
// zombie waiting to be reaped.
func alive(pid int) bool {
	stat, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return false
	}
	// pid (comm) S ...: the state follows the last ')'.
	s := string(stat)
	i := strings.LastIndexByte(s, ')')
	return i >= 0 && i+2 < len(s) && s[i+2] != 'Z'
}

// TestStoppingStopsEverythingTheCommandStarted runs a --cmd command that
// starts a long sleep in the background, stops watching while it runs, and
// checks that the sleep is gone too, not only the shell.
func TestStoppingStopsEverythingTheCommandStarted(t *testing.T) {
	dir := t.TempDir()
	rec := &streamRecorder{recorder: newRecorder(), pkg: map[string]PackageReport{}}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- Loop(ctx, Options{Dir: dir, Command: "sleep 600 & echo $! > ../sleep.pid; wait"}, rec)
	}()
	select {
	case <-rec.ready:
	case err := <-done:
		t.Fatalf("Loop returned before it was ready: %v", err)
	case <-time.After(waitLimit):
		t.Fatal("never ready")
	}
	// The command runs in dir; its pid file goes beside dir (in the
	// test's own temporary directory), out of the watched tree.
	if err := os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	pidFile := filepath.Join(filepath.Dir(dir), "sleep.pid")
	var pid int
	for deadline := time.Now().Add(waitLimit); ; {
		if b, err := os.ReadFile(pidFile); err == nil {
			if n, err := strconv.Atoi(strings.TrimSpace(string(b))); err == nil {
				pid = n
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatal("the command never started its sleep")
		}
		time.Sleep(20 * time.Millisecond)
	}
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("Loop = %v, want context.Canceled", err)
	}
	for deadline := time.Now().Add(waitLimit); alive(pid); {
		if time.Now().After(deadline) {
			t.Fatalf("the command's background sleep (pid %d) outlived the loop", pid)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
