package watcher

import (
	"errors"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestRealENOSPCFallsBackToPolling runs out of inotify watches for real.
// The limit is lowered only inside a new user namespace
// (/proc/sys/user/max_inotify_watches is per namespace since Linux 5.11),
// so nothing else on the machine is affected: the test re-runs itself
// there.
func TestRealENOSPCFallsBackToPolling(t *testing.T) {
	if os.Getenv("WATCHER_ENOSPC_CHILD") == "1" {
		enospcChild(t)
		return
	}
	if _, err := os.Stat("/proc/sys/user/max_inotify_watches"); err != nil {
		t.Skip("no per-namespace inotify limits (Linux < 5.11)")
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestRealENOSPCFallsBackToPolling$", "-test.v")
	cmd.Env = append(os.Environ(), "WATCHER_ENOSPC_CHILD=1")
	cmd.SysProcAttr = &syscall.SysProcAttr{
		Cloneflags:  syscall.CLONE_NEWUSER,
		UidMappings: []syscall.SysProcIDMap{{ContainerID: 0, HostID: os.Getuid(), Size: 1}},
		GidMappings: []syscall.SysProcIDMap{{ContainerID: 0, HostID: os.Getgid(), Size: 1}},
	}
	out, err := cmd.CombinedOutput()
	var ee *exec.ExitError
	switch {
	case err != nil && !errors.As(err, &ee):
		t.Skipf("cannot create a user namespace: %v", err) // e.g. unprivileged namespaces disabled
	case strings.Contains(string(out), "--- SKIP"):
		t.Skipf("skipped in the namespace:\n%s", out)
	case err != nil || !strings.Contains(string(out), "--- PASS"):
		t.Fatalf("in the namespace: %v\n%s", err, out)
	}
}

func enospcChild(t *testing.T) {
	if err := os.WriteFile("/proc/sys/user/max_inotify_watches", []byte("3\n"), 0o644); err != nil {
		t.Skipf("cannot lower max_inotify_watches in the namespace: %v", err)
	}
	dir := t.TempDir()
	for _, f := range []string{"a/x.go", "b/x.go", "c/x.go", "d/x.go", "e/x.go"} {
		write(t, dir, f, "x")
	}
	var warnings []string
	w, err := New(dir, Options{PollInterval: 20 * time.Millisecond, Warn: func(m string) { warnings = append(warnings, m) }})
	if err != nil {
		t.Fatal(err)
	}
	if !w.Polling() {
		t.Fatal("six directories with room for three watches: the watcher should poll")
	}
	if len(warnings) != 1 || !strings.Contains(warnings[0], "fs.inotify.max_user_watches") || strings.Contains(warnings[0], "\n") {
		t.Fatalf("warnings = %q, want one line naming fs.inotify.max_user_watches", warnings)
	}
	h := run(t, w)
	write(t, dir, "e/x.go", "changed")
	write(t, dir, "e/y.go", "new")
	if got, want := join(h.settle()), "changed e/x.go\ncreated e/y.go"; got != want {
		t.Errorf("events:\n%s\nwant:\n%s", got, want)
	}
}
