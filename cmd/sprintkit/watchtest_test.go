package main

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sprintkit/sprintkit/internal/testkit"
)

// TestWatchTestMain is not a test: run by TestWatchTestInterruptExits130
// as a child process, it is sprintkit itself, through the real main (its
// signal handling and exit code), with the arguments in
// SPRINTKIT_TEST_MAIN_ARGS.
func TestWatchTestMain(t *testing.T) {
	args := os.Getenv("SPRINTKIT_TEST_MAIN_ARGS")
	if args == "" {
		t.Skip("only run as sprintkit by TestWatchTestInterruptExits130")
	}
	os.Args = append([]string{"sprintkit"}, strings.Split(args, "\n")...)
	main()
}

// TestWatchTestInterruptExits130 runs sprintkit watch-test as a process of
// its own and interrupts it as Ctrl-C does, while it waits for a change and
// while a test runs: it stops and exits with status 130, as the README says.
func TestWatchTestInterruptExits130(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no SIGINT to send on Windows")
	}
	if _, err := exec.LookPath("go"); err != nil {
		testkit.Missing(t, "no go command")
	}
	tests := []struct {
		name string
		// change, when set, is written to s/s.go once watch-test is ready;
		// the interrupt then comes while s's test runs.
		change bool
	}{
		{"an interrupt while watching exits 130", false},
		{"an interrupt while a test runs stops it and exits 130", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			files := map[string]string{
				"go.mod": "module example.com/m\n\ngo 1.22\n",
				"s/s.go": "package s\n\nfunc S() int { return 1 }\n",
				// TestWait says it started, then waits (for at most a
				// minute, a hang guard) for a file that never comes.
				"s/s_test.go": `package s

import (
	"os"
	"testing"
	"time"
)

func TestWait(t *testing.T) {
	os.WriteFile("../started", nil, 0o644)
	for i := 0; i < 1200; i++ {
		if _, err := os.Stat("../release"); err == nil {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
}
`,
			}
			for name, data := range files {
				p := filepath.Join(dir, filepath.FromSlash(name))
				if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			cmd := exec.Command(os.Args[0], "-test.run=^TestWatchTestMain$")
			cmd.Env = append(os.Environ(), "SPRINTKIT_TEST_MAIN_ARGS=watch-test\n--json\n"+dir,
				"GOFLAGS=-mod=mod", "GOPROXY=off", "NO_COLOR=1")
			var stdout, stderr lockedBuffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			exited := make(chan error, 1)
			go func() { exited <- cmd.Wait() }()
			waitFor := func(what string, ok func() bool) {
				t.Helper()
				deadline := time.After(2 * time.Minute) // a hang guard, not a timing assertion
				for !ok() {
					select {
					case <-deadline:
						cmd.Process.Kill()
						<-exited
						t.Fatalf("never %s; stderr:\n%s", what, stderr.String())
					case <-time.After(20 * time.Millisecond):
					}
				}
			}
			waitFor("ready", func() bool { return strings.Contains(stdout.String(), `"event":"ready"`) })
			if tt.change {
				if err := os.WriteFile(filepath.Join(dir, "s/s.go"), []byte("package s\n\nfunc S() int { return 2 }\n"), 0o644); err != nil {
					t.Fatal(err)
				}
				waitFor("started the test", func() bool { _, err := os.Stat(filepath.Join(dir, "started")); return err == nil })
			}
			if err := cmd.Process.Signal(os.Interrupt); err != nil {
				t.Fatal(err)
			}
			var err error
			var exitErr *exec.ExitError
			select {
			case err = <-exited:
			case <-time.After(2 * time.Minute):
				cmd.Process.Kill()
				<-exited
				t.Fatalf("still running after the interrupt; stderr:\n%s", stderr.String())
			}
			if !errors.As(err, &exitErr) || exitErr.ExitCode() != 130 {
				t.Errorf("exit: %v, want status 130; stderr:\n%s", err, stderr.String())
			}
			if !strings.Contains(stderr.String(), "sprintkit: interrupted") {
				t.Errorf("stderr lacks \"sprintkit: interrupted\":\n%s", stderr.String())
			}
			if strings.Contains(stdout.String(), `"event":"done"`) {
				t.Errorf("an interrupted run reported done:\n%s", stdout.String())
			}
		})
	}
}

// lockedBuffer is a bytes.Buffer that a child process writes while the
// test reads it.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
