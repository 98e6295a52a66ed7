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
)

// TestASignalToSprintkitStopsTheWholeTree sends SIGTERM or SIGINT to
// sprintkit's PID alone (not its process group, as a terminal's Ctrl-C
// would) while a test binary runs under `sprintkit coverage`: the test
// binary must be gone, sprintkit's temporary directories removed, and the
// exit status 143 or 130.
func TestASignalToSprintkitStopsTheWholeTree(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("no go command")
	}
	if testing.Short() {
		t.Skip("runs the go toolchain; go test without -short runs it")
	}
	tests := []struct {
		name   string
		sig    syscall.Signal
		code   int
		stderr string
	}{
		{"SIGTERM stops go test and the test binary and exits 143", syscall.SIGTERM, 143, "sprintkit: terminated"},
		{"SIGINT to the PID alone stops them too and exits 130", syscall.SIGINT, 130, "sprintkit: interrupted"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			tmp := t.TempDir() // the child's TMPDIR: what sprintkit leaves there is visible
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
	os.WriteFile("../testpid", []byte(strconv.Itoa(os.Getpid())), 0o644)
	time.Sleep(2 * time.Minute) // until the signal stops it
}
`,
			}
			for name, data := range files {
				p := filepath.Join(dir, filepath.FromSlash(name))
				os.MkdirAll(filepath.Dir(p), 0o755)
				if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			cmd := exec.Command(os.Args[0], "-test.run=^TestWatchTestMain$")
			cmd.Env = append(os.Environ(), "SPRINTKIT_TEST_MAIN_ARGS=coverage\n--dir\n"+dir,
				"GOFLAGS=-mod=mod", "GOPROXY=off", "NO_COLOR=1", "TMPDIR="+tmp)
			var stderr lockedBuffer
			cmd.Stderr = &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			exited := make(chan error, 1)
			go func() { exited <- cmd.Wait() }()
			var pid int
			deadline := time.Now().Add(3 * time.Minute) // a hang guard, not a timing assertion
			for pid == 0 {
				if time.Now().After(deadline) {
					cmd.Process.Kill()
					t.Fatalf("the test never started; stderr:\n%s", stderr.String())
				}
				b, _ := os.ReadFile(filepath.Join(dir, "testpid"))
				pid, _ = strconv.Atoi(string(b))
				time.Sleep(20 * time.Millisecond)
			}
			if err := cmd.Process.Signal(tt.sig); err != nil {
				t.Fatal(err)
			}
			var err error
			select {
			case err = <-exited:
			case <-time.After(time.Minute):
				cmd.Process.Kill()
				t.Fatalf("sprintkit did not exit after %v; stderr:\n%s", tt.sig, stderr.String())
			}
			var exitErr *exec.ExitError
			if !errors.As(err, &exitErr) || exitErr.ExitCode() != tt.code {
				t.Errorf("exit: %v, want status %d; stderr:\n%s", err, tt.code, stderr.String())
			}
			if !strings.Contains(stderr.String(), tt.stderr) {
				t.Errorf("stderr does not say %q:\n%s", tt.stderr, stderr.String())
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
			left, _ := filepath.Glob(filepath.Join(tmp, "sprintkit-*"))
			if len(left) > 0 {
				t.Errorf("sprintkit left %v in TMPDIR", left)
			}
		})
	}
}
