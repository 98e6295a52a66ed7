package testloop

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/sprintkit/sprintkit/coverage"
	"github.com/sprintkit/sprintkit/coverage/gotest"
	"github.com/sprintkit/sprintkit/coverage/pytest"
	"github.com/sprintkit/sprintkit/internal/proc"
	"github.com/sprintkit/sprintkit/patchcov"
	"github.com/sprintkit/sprintkit/project"
	"github.com/sprintkit/sprintkit/watcher"
	"golang.org/x/tools/cover"
)

// Options configure the loop.
type Options struct {
	Dir string // the checkout; "" means "."
	// Command, when set, is run through the shell on every change instead
	// of the tests ("make test").
	Command string
	// All runs the whole suite on every change instead of the affected
	// packages.
	All bool
	// Debounce is the watcher's quiet period (0: watcher.DefaultDebounce).
	Debounce time.Duration
	// Poll makes the watcher poll instead of using kernel notifications.
	Poll bool
	// Env is added to the environment of every command run.
	Env []string
	// GoTestFlags are added to every go test the loop runs: the project
	// file's [baseline] go_test_flags, so that the tests run the way the
	// baseline ran them.
	GoTestFlags []string
	// Baseline is compared with each run; nil when there is none.
	Baseline *coverage.Baseline
	// Warn receives one-line warnings (the watcher's fallback to polling).
	Warn func(string)
	// Patch, when set, is called with the coverage each finished run
	// measured (not with --cmd), partial when only some tests ran (see
	// Report.Partial); what it returns is the run's Report.Patch, nil when
	// it has nothing to say.
	Patch func(ctx context.Context, r *coverage.Result, partial bool) *patchcov.Coverage
}

// Renderer shows the loop's progress. Its methods are called from one
// goroutine at a time, in order: Ready once, then for each run Start,
// any number of Progress and Output, and Finish.
type Renderer interface {
	Ready(r Ready)
	Start(run Run)
	Progress(done, total int)
	// Output is the --cmd command's combined output, as it comes.
	Output(p []byte)
	Finish(rep *Report)
}

// PackageRenderer is a Renderer that also shows each package's test
// outcome as soon as the package finishes, before the run ends. Package is
// called between Start and Finish, once per package that finished: the
// run's Edited packages first, then the others, each group in the order go
// test reports them (see gotest.Options.OnPackage), one call at a time like
// the other methods. Its
// report has the counts and the failures; Coverage is nil, since coverage
// is known only when the whole run ends: Finish carries it, with every
// package again. A cancelled run may have reported some packages.
type PackageRenderer interface {
	Renderer
	Package(p PackageReport)
}

// Ready describes what the loop watches.
type Ready struct {
	Root       string
	Kind       string // "go", "python" or "command"
	Packages   int    // Go packages in the graph
	NoBaseline bool
	Polling    bool
}

// kinds of project
const (
	kindGo      = project.KindGo
	kindPython  = project.KindPython
	kindCommand = "command"
)

// Loop watches a checkout and re-runs the affected tests on every change
// until ctx is done; it then stops the run going and returns ctx.Err()
// (context.Canceled on Ctrl-C, which the CLI maps to exit status 130).
func Loop(ctx context.Context, opts Options, r Renderer) error {
	dir := opts.Dir
	if dir == "" {
		dir = "."
	}
	root, err := filepath.Abs(dir)
	if err != nil {
		return fmt.Errorf("watch-test %s: %w", dir, err)
	}
	// go list reports real paths; the watcher must name files the same way.
	if real, err := filepath.EvalSymlinks(root); err == nil {
		root = real
	}
	l := &loop{opts: opts, root: root, r: r}
	switch {
	case opts.Command != "":
		l.kind = kindCommand
	default:
		l.root, l.kind = project.Root(root)
		if l.kind == "" {
			return fmt.Errorf("watch-test %s: %w", root, ErrNoProject)
		}
	}
	if l.kind == kindGo {
		if l.graph, err = LoadGraph(ctx, l.root, opts.Env); err != nil {
			return err
		}
	}
	return l.run(ctx)
}

// ErrNoProject is returned for a directory with neither a Go module nor a
// Python project, when no command is given.
var ErrNoProject = errors.New("neither a Go module (go.mod, go.work) nor a Python project here")

type loop struct {
	opts  Options
	root  string
	kind  string
	r     Renderer
	graph *Graph
	py    *pytest.Env
	seq   int

	mu      sync.Mutex
	pending map[string]bool // changed absolute paths not yet run
}

// running is a run in progress.
type running struct {
	run    Run
	cancel context.CancelFunc
	done   chan *Report
}

func (l *loop) run(ctx context.Context) error {
	w, err := watcher.New(l.root, watcher.Options{Debounce: l.opts.Debounce, Poll: l.opts.Poll, Warn: l.opts.Warn})
	if err != nil {
		return err
	}
	wake := make(chan struct{}, 1)
	wctx, stopWatch := context.WithCancel(ctx)
	watchDone := make(chan struct{})
	go func() {
		defer close(watchDone)
		_ = w.Run(wctx, func(evs []watcher.Event) {
			l.note(evs)
			select {
			case wake <- struct{}{}:
			default:
			}
		})
	}()
	defer func() {
		stopWatch()
		<-watchDone
	}()

	ready := Ready{Root: l.root, Kind: l.kind, NoBaseline: l.opts.Baseline == nil, Polling: w.Polling()}
	if l.graph != nil {
		ready.Packages = len(l.graph.pkgs)
	}
	l.r.Ready(ready)

	var cur *running
	for {
		var doneC chan *Report
		if cur != nil {
			doneC = cur.done
		}
		select {
		case <-ctx.Done():
			if cur != nil {
				cur.cancel()
				<-cur.done
			}
			return ctx.Err()
		case rep := <-doneC:
			cur = nil
			l.r.Finish(rep)
		case <-wake:
			changed := l.take()
			if len(changed) == 0 {
				continue
			}
			// The next run also does what a run still going had to do.
			var carry Run
			if cur != nil {
				carry = cur.run
			}
			run, ok := l.plan(ctx, changed, carry)
			if !ok {
				continue
			}
			if cur != nil {
				// No queue of stale runs: stop the one going.
				cur.cancel()
				rep := <-cur.done
				rep.Cancelled = true
				l.r.Finish(rep)
				cur = nil
			}
			cur = l.start(ctx, run)
		}
	}
}

// note records the changed files of a batch that matter to the loop.
func (l *loop) note(evs []watcher.Event) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.pending == nil {
		l.pending = map[string]bool{}
	}
	for _, e := range evs {
		if e.Op == watcher.Error {
			// Overflows are repaired by the watcher's rescan; say so anyway.
			if l.opts.Warn != nil {
				l.opts.Warn(e.Err.Error())
			}
			continue
		}
		if e.IsDir {
			continue
		}
		for _, p := range []string{e.OldPath, e.Path} {
			if p != "" && l.relevant(p) {
				l.pending[p] = true
			}
		}
	}
}

func (l *loop) take() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := make([]string, 0, len(l.pending))
	for p := range l.pending {
		out = append(out, p)
	}
	l.pending = nil
	sort.Strings(out)
	return out
}

// relevant reports whether a changed file can change a test outcome.
func (l *loop) relevant(p string) bool {
	base := filepath.Base(p)
	if editorJunk(base) {
		return false
	}
	// Like go's ./... pattern, skip directories whose names start with "."
	// or "_" (a TMPDIR inside the checkout would otherwise feed each run's
	// build files back as changes).
	if rel, err := filepath.Rel(l.root, p); err == nil {
		for _, part := range strings.Split(filepath.ToSlash(filepath.Dir(rel)), "/") {
			if part != "." && (strings.HasPrefix(part, ".") || strings.HasPrefix(part, "_")) {
				return false
			}
		}
	}
	switch l.kind {
	case kindGo:
		switch base {
		case "go.mod", "go.sum", "go.work", "go.work.sum":
			return true
		}
		return strings.HasSuffix(base, ".go") || strings.Contains(filepath.ToSlash(p), "/testdata/")
	case kindPython:
		return strings.HasSuffix(base, ".py") || strings.Contains(filepath.ToSlash(p), "/testdata/")
	}
	return true
}

// editorJunk reports names editors write beside the file they save.
func editorJunk(name string) bool {
	for _, pat := range []string{"*.swp", "*.swx", "*.swo", "*~", "4913", ".#*", "#*#", "*.tmp", ".*.kate-swp"} {
		if ok, _ := path.Match(pat, name); ok {
			return true
		}
	}
	return false
}

// plan decides what the next run does; ok is false when nothing needs to run.
func (l *loop) plan(ctx context.Context, changed []string, carry Run) (run Run, ok bool) {
	run = Run{Seq: l.seq + 1, All: l.opts.All, Command: l.opts.Command}
	defer func() {
		if ok {
			l.seq++
		}
	}()
	set := map[string]bool{}
	for _, c := range carry.Changed {
		set[c] = true
	}
	for _, c := range changed {
		if rel, err := filepath.Rel(l.root, c); err == nil {
			set[filepath.ToSlash(rel)] = true
		}
	}
	for c := range set {
		run.Changed = append(run.Changed, c)
	}
	sort.Strings(run.Changed)
	if l.kind != kindGo {
		return run, true
	}
	var direct []string
	old := l.graph
	if l.graph.Stale(changed) {
		if g, err := LoadGraph(ctx, l.root, l.opts.Env); err == nil {
			l.graph = g
		} else if l.opts.Warn != nil && ctx.Err() == nil {
			l.opts.Warn(fmt.Sprintf("refresh the package graph: %v; keeping the previous one", err))
		}
	}
	for _, c := range changed {
		// The old graph knows where deleted files and packages were.
		for _, g := range []*Graph{old, l.graph} {
			if p, ok := g.PackageOf(c); ok {
				direct = append(direct, p)
			}
		}
	}
	defer func() {
		// The packages holding a change of this run or of the one it carries on.
		edited := append([]string(nil), direct...)
		for _, c := range carry.Changed {
			if p, ok := l.graph.PackageOf(filepath.Join(l.root, filepath.FromSlash(c))); ok {
				edited = append(edited, p)
			}
		}
		run.Edited = editedFirst(run.Packages, edited)
	}()
	if run.All || ModuleFileChanged(changed) {
		run.Packages = l.graph.Packages()
		return run, len(run.Packages) > 0
	}
	pkgs := map[string]bool{}
	for _, g := range []*Graph{old, l.graph} {
		for _, p := range g.Affected(direct) {
			if l.graph.Has(p) {
				pkgs[p] = true
			}
		}
	}
	if len(pkgs) == 0 {
		// Nothing these changes touch has tests to run: leave any run
		// going alone.
		return run, false
	}
	for _, p := range carry.Packages {
		if l.graph.Has(p) {
			pkgs[p] = true
		}
	}
	for p := range pkgs {
		run.Packages = append(run.Packages, p)
	}
	sort.Strings(run.Packages)
	return run, true
}

func (l *loop) start(ctx context.Context, run Run) *running {
	rctx, cancel := context.WithCancel(ctx)
	cur := &running{run: run, cancel: cancel, done: make(chan *Report, 1)}
	l.r.Start(run)
	go func() {
		defer cancel()
		t0 := time.Now()
		rep := l.execute(rctx, run)
		rep.Seconds = time.Since(t0).Seconds()
		if rctx.Err() != nil {
			rep.Cancelled = true
		}
		cur.done <- rep
	}()
	return cur
}

// editedFirst returns the packages of pkgs that are among edited, sorted,
// or nil when the run is not worth splitting: none of them, or all.
func editedFirst(pkgs, edited []string) []string {
	in := map[string]bool{}
	for _, p := range edited {
		in[p] = true
	}
	var out []string
	for _, p := range pkgs {
		if in[p] {
			out = append(out, p)
			delete(in, p)
		}
	}
	if len(out) == len(pkgs) {
		return nil
	}
	sort.Strings(out)
	return out
}

// stages splits a run's packages into the go test invocations that run
// them, in order: the edited packages, then the others.
func stages(run Run) [][]string {
	if len(run.Edited) == 0 {
		return [][]string{run.Packages}
	}
	first := map[string]bool{}
	for _, p := range run.Edited {
		first[p] = true
	}
	var rest []string
	for _, p := range run.Packages {
		if !first[p] {
			rest = append(rest, p)
		}
	}
	return [][]string{run.Edited, rest}
}

// execute runs the tests (or the command) of one run.
func (l *loop) execute(ctx context.Context, run Run) *Report {
	rep := &Report{Run: run, NoBaseline: l.opts.Baseline == nil}
	switch l.kind {
	case kindCommand:
		rep.ExitCode, rep.Err = l.command(ctx, run.Command)
		return rep
	case kindPython:
		if l.py == nil {
			env, err := pytest.FindPython(ctx, l.root)
			if err != nil {
				rep.Err = err
				return rep
			}
			l.py = env
		}
		var tests []string
		if !run.All && allPythonTests(run.Changed) {
			tests = run.Changed
		}
		res, err := pytest.Run(ctx, pytest.Options{Dir: l.root, Env: l.py, TestFiles: tests, Progress: l.r.Progress})
		if err != nil {
			rep.Err = err
			return rep
		}
		rep.Partial = len(tests) > 0
		rep.Packages = buildReport(run, res, l.opts.Baseline, rep.Partial)
		rep.Gains = gains(l.opts.Baseline, res, rep.Partial)
		l.patch(ctx, rep, res)
		return rep
	}
	// Every importer of a package in the set is in the set, so measuring
	// the set with -coverpkg set to itself gives each package the coverage
	// the whole suite gives it: the baseline's measure. The edited
	// packages are tested first in a go test of their own, measuring the
	// whole set too, and the two profiles are merged: the same figure, and
	// the first result as soon as the edited package is tested rather than
	// once every test binary of the set is built.
	var onPackage func(string, []coverage.TestResult)
	if pr, ok := l.r.(PackageRenderer); ok {
		onPackage = func(pkg string, tests []coverage.TestResult) {
			if ctx.Err() != nil {
				return // cancelled: the next run is about to start
			}
			pr.Package(packageReport(pkg, tests, l.opts.Baseline))
		}
	}
	var res *coverage.Result
	done := 0
	for _, pkgs := range stages(run) {
		if ctx.Err() != nil {
			break
		}
		offset := done
		r, err := gotest.Run(ctx, gotest.Options{
			Dir:      l.root,
			Flags:    l.opts.GoTestFlags,
			Packages: pkgs,
			CoverPkg: run.Packages,
			Progress: func(d, _ int) {
				l.r.Progress(offset+d, len(run.Packages))
			},
			Env:       l.opts.Env,
			OnPackage: onPackage,
		})
		if err != nil {
			rep.Err = err
			break
		}
		done += len(pkgs)
		if res, err = mergeResults(res, r); err != nil {
			rep.Err = err
			break
		}
	}
	if res != nil {
		rep.Packages = buildReport(run, res, l.opts.Baseline, false)
		rep.Gains = gains(l.opts.Baseline, res, false)
		l.patch(ctx, rep, res)
	}
	return rep
}

// patch measures the change with the run's result through Options.Patch.
func (l *loop) patch(ctx context.Context, rep *Report, res *coverage.Result) {
	if l.opts.Patch != nil && ctx.Err() == nil {
		rep.Patch = l.opts.Patch(ctx, res, rep.Partial)
	}
}

// mergeResults adds the tests and the coverage of b to a (a may be nil).
// Both measured the same packages (-coverpkg), so a file's blocks are the
// same in both; a block ran if it ran in either.
func mergeResults(a, b *coverage.Result) (*coverage.Result, error) {
	if a == nil {
		return b, nil
	}
	a.Tests = append(a.Tests, b.Tests...)
	a.Warnings = append(a.Warnings, b.Warnings...)
	for _, bp := range b.Packages {
		ap := a.Package(bp.Name)
		if ap == nil {
			a.Packages = append(a.Packages, bp)
			continue
		}
		var c coverage.Counts
		for _, bf := range bp.Files {
			var af *coverage.File
			for _, f := range ap.Files {
				if f.Path == bf.Path {
					af = f
					break
				}
			}
			if af == nil {
				ap.Files = append(ap.Files, bf)
				continue
			}
			mode := a.Mode
			if mode == "" || mode == "line" {
				mode = "set"
			}
			merged, err := gotest.MergeProfiles(
				[]*cover.Profile{{FileName: af.Path, Mode: mode, Blocks: af.Blocks}},
				[]*cover.Profile{{FileName: bf.Path, Mode: mode, Blocks: bf.Blocks}})
			if err != nil {
				return nil, fmt.Errorf("merge the coverage of %s: %w", af.Path, err)
			}
			af.Blocks = merged[0].Blocks
			af.Counts = coverage.BlockCounts(af.Blocks)
			af.Percent = coverage.Percent(af.Covered, af.Statements)
		}
		for _, f := range ap.Files {
			c.Statements += f.Statements
			c.Covered += f.Covered
		}
		c.Percent = coverage.Percent(c.Covered, c.Statements)
		ap.Counts = c
	}
	return a, nil
}

// allPythonTests reports whether every changed file is a Python test file.
func allPythonTests(changed []string) bool {
	for _, c := range changed {
		b := path.Base(c)
		if !strings.HasSuffix(b, ".py") || !(strings.HasPrefix(b, "test_") || strings.HasSuffix(b, "_test.py")) {
			return false
		}
	}
	return len(changed) > 0
}

// command runs the --cmd command through the shell, its output streamed to
// the renderer. The shell leads a process group of its own, so a cancelled
// run stops everything the command started, not only the shell.
func (l *loop) command(ctx context.Context, command string) (int, error) {
	var cmd *exec.Cmd
	if runtime.GOOS == "windows" {
		cmd = proc.Command(ctx, "cmd", "/c", command)
	} else {
		cmd = proc.Command(ctx, "sh", "-c", command)
	}
	cmd.Dir = l.root
	cmd.Env = append(os.Environ(), l.opts.Env...)
	out := writerFunc(func(p []byte) (int, error) {
		l.r.Output(append([]byte(nil), p...))
		return len(p), nil
	})
	cmd.Stdout, cmd.Stderr = out, out
	err := cmd.Run()
	var ee *exec.ExitError
	switch {
	case err == nil:
		return 0, nil
	case ctx.Err() != nil:
		return -1, nil
	case errors.As(err, &ee):
		return ee.ExitCode(), nil
	}
	return -1, fmt.Errorf("run %q: %w", command, err)
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }

var _ io.Writer = writerFunc(nil)
