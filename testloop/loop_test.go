package testloop

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sprintkit/sprintkit/coverage"
)

// recorder is a Renderer that keeps what it is told.
type recorder struct {
	mu      sync.Mutex
	ready   chan Ready
	started []Run
	reports chan *Report
}

func newRecorder() *recorder {
	return &recorder{ready: make(chan Ready, 1), reports: make(chan *Report, 16)}
}

func (r *recorder) Ready(x Ready) { r.ready <- x }
func (r *recorder) Start(run Run) {
	r.mu.Lock()
	r.started = append(r.started, run)
	r.mu.Unlock()
}
func (r *recorder) Progress(done, total int) {}
func (r *recorder) Output(p []byte)          {}
func (r *recorder) Finish(rep *Report)       { r.reports <- rep }

const waitLimit = 2 * time.Minute // a hang guard, not a timing assertion

func TestLoopRunsTheAffectedTestsAndStopsCleanly(t *testing.T) {
	dir := writeFixture(t)
	before := runtime.NumGoroutine()
	rec := newRecorder()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- Loop(ctx, Options{Dir: dir, Env: []string{"GOFLAGS=-mod=mod", "GOPROXY=off"}}, rec) }()

	select {
	case r := <-rec.ready:
		if r.Kind != kindGo || r.Packages != 7 || !r.NoBaseline {
			t.Errorf("ready = %+v, want a Go module of 7 packages without a baseline", r)
		}
	case err := <-done:
		t.Fatalf("Loop returned before it was ready: %v", err)
	case <-time.After(waitLimit):
		t.Fatal("never ready")
	}

	// e is imported by f's tests: both run, nothing else.
	if err := os.WriteFile(filepath.Join(dir, "e/e.go"), []byte("package e\n\nfunc E() int { return 50 }\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	var rep *Report
	select {
	case rep = <-rec.reports:
	case <-time.After(waitLimit):
		t.Fatal("no report")
	}
	if rep.Err != nil || rep.Cancelled {
		t.Fatalf("report: err %v, cancelled %v", rep.Err, rep.Cancelled)
	}
	if got := strings.Join(rep.Run.Packages, " "); got != "example.com/m/e example.com/m/f" {
		t.Errorf("ran %s, want e and f", got)
	}
	if got := strings.Join(rep.Changed, " "); got != "e/e.go" {
		t.Errorf("changed %s, want e/e.go", got)
	}
	passed := map[string]int{}
	for _, p := range rep.Packages {
		passed[p.Package] = p.Passed
		if p.Failed != 0 || p.Coverage == nil {
			t.Errorf("%s: %d failed, coverage %v", p.Package, p.Failed, p.Coverage)
		}
	}
	if passed["example.com/m/e"] != 1 || passed["example.com/m/f"] != 1 {
		t.Errorf("passed = %v, want TestE and TestF", passed)
	}

	// Whole-suite coverage: the run's figure for each package equals what
	// a run of every test of the module (the baseline's measure) gives it.
	full, err := coverage.RunGo(context.Background(), coverage.GoRun{Dir: dir, Env: []string{"GOFLAGS=-mod=mod", "GOPROXY=off"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range rep.Packages {
		// e's own test never calls E; f's test does, and counts for e.
		if p.Package == "example.com/m/e" && (p.Coverage == nil || *p.Coverage != 100) {
			t.Errorf("e's coverage %v, want 100 (reached by f's test)", p.Coverage)
		}
		fp := full.Package(p.Package)
		if fp == nil || p.Coverage == nil || fp.Percent != *p.Coverage {
			t.Errorf("%s: watch-test coverage %v, whole suite %+v", p.Package, p.Coverage, fp)
		}
	}

	cancel()
	if err := <-done; err != nil {
		t.Errorf("Loop = %v after cancel, want nil", err)
	}
	deadline := time.Now().Add(waitLimit)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > before {
		buf := make([]byte, 1<<16)
		t.Errorf("%d goroutines before, %d after Loop returned:\n%s", before, n, buf[:runtime.Stack(buf, true)])
	}
}

func TestLoopRefusesADirectoryWithNothingToTest(t *testing.T) {
	err := Loop(context.Background(), Options{Dir: t.TempDir()}, newRecorder())
	if err == nil || !strings.Contains(err.Error(), "neither a Go module") {
		t.Errorf("Loop = %v, want ErrNoProject", err)
	}
}
