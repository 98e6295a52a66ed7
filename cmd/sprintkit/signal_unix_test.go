//go:build unix

package main

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/sprintkit/sprintkit/internal/testkit"
)

// TestASignalToSprintkitStopsTheWholeTree sends SIGTERM or SIGINT to
// sprintkit's PID alone (not its process group, as a terminal's Ctrl-C
// would) while a test binary runs under `sprintkit coverage`, `setup`,
// `image` and `watch-test`: the test binary must be gone, the exit status
// 143 or 130, and the fresh TMPDIR sprintkit was given as empty as it was
// (no go-build* work directory of the go command, no sprintkit-*).
func TestASignalToSprintkitStopsTheWholeTree(t *testing.T) {
	testkit.NeedGo(t)
	if testing.Short() {
		t.Skip("runs the go toolchain; go test without -short runs it")
	}
	git := testkit.NeedGit(t)
	signals := []struct {
		name   string
		sig    syscall.Signal
		code   int
		stderr string
	}{
		{"SIGTERM stops go test and the test binary and exits 143", syscall.SIGTERM, 143, "sprintkit: terminated"},
		{"SIGINT to the PID alone stops them too and exits 130", syscall.SIGINT, 130, "sprintkit: interrupted"},
	}
	commands := []struct {
		name string
		args func(dir, out string) []string
		git  bool // the command wants a checkout with a commit
		// change says the test runs only once a file changes after the
		// command said it was ready (watch-test --json).
		change bool
	}{
		{"coverage", func(dir, _ string) []string { return []string{"coverage", "--dir", dir} }, false, false},
		{"setup", func(dir, _ string) []string { return []string{"setup", dir} }, true, false},
		{"image", func(dir, out string) []string { return []string{"image", dir, "--out", out} }, true, false},
		{"watch-test", func(dir, _ string) []string { return []string{"watch-test", "--json", dir} }, false, true},
	}
	for _, c := range commands {
		for _, tt := range signals {
			t.Run(c.name+": "+tt.name, func(t *testing.T) {
				t.Parallel() // each waits on its own go toolchain: overlap them
				signalRun(t, git, c.args, c.git, c.change, tt.sig, tt.code, tt.stderr)
			})
		}
	}
}

// signalRun runs one sprintkit command on a project whose test waits, sends
// sig to sprintkit once the test binary runs, and checks what is left.
func signalRun(t *testing.T, git string, args func(dir, out string) []string, withGit, change bool, sig syscall.Signal, code int, wantStderr string) {
	dir := t.TempDir()
	tmp := t.TempDir() // the child's TMPDIR: what sprintkit leaves there is visible
	pidFile := filepath.Join(t.TempDir(), "testpid")
	files := map[string]string{
		"go.mod": "module example.com/m\n\ngo 1.22\n",
		"s/s.go": "package s\n\nfunc S() int { return 1 }\n",
		"s/s_test.go": `package s

import (
	"os"
	"strconv"
	"testing"
	"time"
)

func TestWait(t *testing.T) {
	os.WriteFile(` + strconv.Quote(pidFile) + `, []byte(strconv.Itoa(os.Getpid())), 0o644)
	time.Sleep(2 * time.Minute) // until the signal stops it
}
`,
	}
	testkit.WriteTree(t, dir, files)
	gitEnv := []string{"GIT_CONFIG_NOSYSTEM=1", "HOME=" + t.TempDir(), "GIT_AUTHOR_NAME=T", "GIT_AUTHOR_EMAIL=t@example.com",
		"GIT_COMMITTER_NAME=T", "GIT_COMMITTER_EMAIL=t@example.com"}
	if withGit {
		for _, a := range [][]string{{"init", "-q", "-b", "main"}, {"add", "-A"}, {"commit", "-q", "-m", "waits"}} {
			g := exec.Command(git, append([]string{"-C", dir}, a...)...)
			g.Env = append(os.Environ(), gitEnv...)
			if out, err := g.CombinedOutput(); err != nil {
				t.Fatalf("git %v: %v\n%s", a, err, out)
			}
		}
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestWatchTestMain$")
	cmd.Env = append(append(os.Environ(), gitEnv...),
		"SPRINTKIT_TEST_MAIN_ARGS="+strings.Join(args(dir, filepath.Join(t.TempDir(), "box")), "\n"),
		"GOFLAGS=-mod=mod", "GOPROXY=off", "NO_COLOR=1", "TMPDIR="+tmp, "GOTMPDIR=")
	var stdout, stderr lockedBuffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	var pid int
	deadline := time.Now().Add(3 * time.Minute) // a hang guard, not a timing assertion
	changed := !change
	for pid == 0 {
		if !changed && strings.Contains(stdout.String(), `"event":"ready"`) {
			changed = true
			if err := os.WriteFile(filepath.Join(dir, "s/s.go"), []byte("package s\n\nfunc S() int { return 2 }\n"), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatalf("the test never started; stderr:\n%s", stderr.String())
		}
		b, _ := os.ReadFile(pidFile)
		pid, _ = strconv.Atoi(string(b))
		time.Sleep(20 * time.Millisecond)
	}
	if err := cmd.Process.Signal(sig); err != nil {
		t.Fatal(err)
	}
	var err error
	select {
	case err = <-exited:
	case <-time.After(time.Minute):
		cmd.Process.Kill()
		t.Fatalf("sprintkit did not exit after %v; stderr:\n%s", sig, stderr.String())
	}
	var exitErr *exec.ExitError
	if !errors.As(err, &exitErr) || exitErr.ExitCode() != code {
		t.Errorf("exit: %v, want status %d; stderr:\n%s", err, code, stderr.String())
	}
	if !strings.Contains(stderr.String(), wantStderr) {
		t.Errorf("stderr does not say %q:\n%s", wantStderr, stderr.String())
	}
	// The test binary was in sprintkit's child's process group: it
	// got the signal too. Poll until init has reaped it.
	gone := false
	for i := 0; i < 500 && !gone; i++ {
		gone = syscall.Kill(pid, 0) != nil
		time.Sleep(10 * time.Millisecond)
	}
	if !gone {
		syscall.Kill(pid, syscall.SIGKILL)
		t.Errorf("the test binary (pid %d) still runs after sprintkit exited", pid)
	}
	if left, _ := os.ReadDir(tmp); len(left) > 0 {
		var names []string
		for _, e := range left {
			if !strings.HasPrefix(e.Name(), "testscript-main") { // the test binary's own, made before main runs
				names = append(names, e.Name())
			}
		}
		if len(names) > 0 {
			t.Errorf("sprintkit left %v in TMPDIR", names)
		}
	}
}
