package testloop

import (
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

// TestACancelledRunLeavesNoWorkDirectory starts a run whose test waits, then
// cancels it with a change that removes that test, as a newcomer's next save
// does: the cancelled run's go command must get SIGINT (internal/proc), on
// which it removes its go-build* work directory, so that the fresh GOTMPDIR
// and TMPDIR the loop ran under are empty once the next run is done.
func TestACancelledRunLeavesNoWorkDirectory(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the go toolchain on a fixture; go test without -short runs it")
	}
	dir := writeFixture(t)
	started := filepath.Join(t.TempDir(), "started")
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	t.Setenv("GOTMPDIR", tmp)
	rec := newRecorder()
	startLoop(t, Options{Dir: dir, Env: goEnv}, rec, rec.ready)
	wait := filepath.Join(dir, "f/f_wait_test.go")
	src := "package f\n\nimport (\n\t\"os\"\n\t\"testing\"\n\t\"time\"\n)\n\n" +
		"func TestWait(t *testing.T) {\n\tos.WriteFile(" + strconv.Quote(started) + ", nil, 0o644)\n\ttime.Sleep(2 * time.Minute)\n}\n"
	if err := os.WriteFile(wait, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(waitLimit); ; time.Sleep(20 * time.Millisecond) {
		if _, err := os.Stat(started); err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the waiting test never started")
		}
	}
	if err := os.Remove(wait); err != nil {
		t.Fatal(err)
	}
	var cancelled, finished bool
	for !finished {
		select {
		case rep := <-rec.reports:
			if rep.Cancelled {
				cancelled = true
			} else {
				finished = true
			}
		case <-time.After(waitLimit):
			t.Fatal("no report after the change")
		}
	}
	if !cancelled {
		t.Fatal("the waiting run was not reported cancelled")
	}
	if left, _ := os.ReadDir(tmp); len(left) > 0 {
		var names []string
		for _, e := range left {
			names = append(names, e.Name())
		}
		t.Errorf("the cancelled run left %v in GOTMPDIR", names)
	}
}
