package testloop

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sprintkit/sprintkit/coverage/gotest"
	"github.com/sprintkit/sprintkit/coverage/pytest"

	"github.com/sprintkit/sprintkit/internal/testkit"
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

// startLoop runs Loop under opts with r until the test ends, and returns
// what r was told once Loop was watching (ready is r's channel for it).
func startLoop(t *testing.T, opts Options, r Renderer, ready <-chan Ready) Ready {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- Loop(ctx, opts, r) }()
	select {
	case x := <-ready:
		t.Cleanup(func() { cancel(); <-done })
		return x
	case err := <-done:
		cancel()
		t.Fatalf("Loop returned before it was ready: %v", err)
	case <-time.After(waitLimit):
		t.Cleanup(func() { cancel(); <-done })
		t.Fatal("never ready")
	}
	return Ready{}
}

// nextReport is the next report rec is given; its run must not have failed
// to start.
func nextReport(t *testing.T, rec *recorder) *Report {
	t.Helper()
	select {
	case rep := <-rec.reports:
		if rep.Err != nil {
			t.Fatalf("run: %v", rep.Err)
		}
		return rep
	case <-time.After(waitLimit):
		t.Fatal("no report")
		return nil
	}
}

func TestLoopRunsTheAffectedTestsAndStopsCleanly(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the go toolchain on a fixture; go test without -short runs it")
	}
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
	full, err := gotest.Run(context.Background(), gotest.Options{Dir: dir, Env: []string{"GOFLAGS=-mod=mod", "GOPROXY=off"}})
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
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("Loop = %v after cancel, want context.Canceled (the CLI's exit status 130)", err)
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

func TestLoopRunsAChangedPythonTestFileAloneAndTheSuiteOtherwise(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the go toolchain on a fixture; go test without -short runs it")
	}
	dir := t.TempDir()
	files := map[string]string{
		"pyproject.toml":      "[project]\nname = \"calc\"\nversion = \"0.1\"\n",
		"calc/__init__.py":    "def add(a, b):\n    return a + b\n\n\ndef sign(x):\n    if x > 0:\n        return 1\n    return 0\n",
		"tests/__init__.py":   "",
		"tests/test_add.py":   "import unittest\n\nfrom calc import add\n\n\nclass TestAdd(unittest.TestCase):\n    def test_add(self):\n        self.assertEqual(add(1, 2), 3)\n",
		"tests/test_other.py": "import unittest\n\n\nclass TestOther(unittest.TestCase):\n    def test_other(self):\n        self.assertTrue(True)\n",
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
	if _, err := pytest.FindPython(context.Background(), dir); err != nil {
		testkit.Missing(t, "no Python with coverage.py: %v", err)
	}
	rec := newRecorder()
	if r := startLoop(t, Options{Dir: dir}, rec, rec.ready); r.Kind != kindPython {
		t.Fatalf("kind %s, want python", r.Kind)
	}
	next := func() *Report { t.Helper(); return nextReport(t, rec) }
	tests := func(rep *Report) (passed, failed int) {
		for _, p := range rep.Packages {
			passed += p.Passed
			failed += p.Failed
		}
		return
	}

	// A test file changed: only it runs.
	add := files["tests/test_add.py"] + "\n    def test_add_negative(self):\n        self.assertEqual(add(-1, -2), -3)\n"
	if err := os.WriteFile(filepath.Join(dir, "tests/test_add.py"), []byte(add), 0o644); err != nil {
		t.Fatal(err)
	}
	rep := next()
	if p, f := tests(rep); !rep.Partial || p != 2 || f != 0 {
		t.Errorf("after a test file change: partial %v, %d passed, %d failed; want only test_add.py's 2 tests", rep.Partial, p, f)
	}

	// The code changed: the whole suite runs.
	code := strings.Replace(files["calc/__init__.py"], "return 0", "return -1 if x < 0 else 0", 1)
	if err := os.WriteFile(filepath.Join(dir, "calc/__init__.py"), []byte(code), 0o644); err != nil {
		t.Fatal(err)
	}
	rep = next()
	if p, f := tests(rep); rep.Partial || p != 3 || f != 0 {
		t.Errorf("after a code change: partial %v, %d passed, %d failed; want the whole suite's 3 tests", rep.Partial, p, f)
	}
}

// streamRecorder is a PackageRenderer that logs, in order, the packages
// shown as they finish and the end of each run.
type streamRecorder struct {
	*recorder
	mu  sync.Mutex
	log []string
	pkg map[string]PackageReport
}

func (r *streamRecorder) Package(p PackageReport) {
	r.mu.Lock()
	r.log = append(r.log, "package "+p.Package)
	r.pkg[p.Package] = p
	r.mu.Unlock()
}

func (r *streamRecorder) Finish(rep *Report) {
	r.mu.Lock()
	r.log = append(r.log, "finish")
	r.mu.Unlock()
	r.recorder.Finish(rep)
}

func TestLoopShowsEachPackageBeforeTheRunEnds(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the go toolchain on a fixture; go test without -short runs it")
	}
	dir := writeFixture(t)
	rec := &streamRecorder{recorder: newRecorder(), pkg: map[string]PackageReport{}}
	startLoop(t, Options{Dir: dir, Env: goEnv}, rec, rec.ready)

	// A new failing test in f: f runs, alone (nothing imports it).
	if err := os.WriteFile(filepath.Join(dir, "f/f_fail_test.go"),
		[]byte("package f\n\nimport \"testing\"\n\nfunc TestFSix(t *testing.T) { t.Errorf(\"F() = %d, want 7\", F()) }\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	rep := nextReport(t, rec.recorder)
	if rep.Cancelled {
		t.Fatal("the run was cancelled")
	}
	rec.mu.Lock()
	log := append([]string{}, rec.log...)
	rec.mu.Unlock()
	end := -1
	for i, l := range log {
		if l == "finish" {
			end = i
			break
		}
	}
	if len(rep.Packages) == 0 {
		t.Fatal("the run reported no packages")
	}
	for _, p := range rep.Packages {
		at := -1
		for i, l := range log {
			if l == "package "+p.Package {
				at = i
			}
		}
		if at < 0 || at > end {
			t.Errorf("%s shown at %d, the run ended at %d: %v", p.Package, at, end, log)
			continue
		}
		s := rec.pkg[p.Package]
		if s.Passed != p.Passed || s.Failed != p.Failed || len(s.Failures) != len(p.Failures) || s.Coverage != nil {
			t.Errorf("%s shown as %+v, reported at the end as %+v", p.Package, s, p)
		}
	}
	f := rec.pkg["example.com/m/f"]
	if f.Failed != 1 || len(f.Failures) != 1 || !f.Failures[0].New || !strings.Contains(f.Failures[0].Output, "F() = 6, want 7") {
		t.Errorf("f shown as %+v, want TestFSix failing, new, with its output", f)
	}
}
