package pertest

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"time"

	"golang.org/x/tools/cover"

	"github.com/sprintkit/sprintkit/internal/proc"
)

// Defaults of Options.
const (
	DefaultTestTimeout = 30 * time.Second
	DefaultBudget      = 3 * time.Minute
)

// GoPackage is a Go package to measure.
type GoPackage struct {
	Path string // import path
	Dir  string // its directory
}

// Options says how to measure.
type Options struct {
	// Root is the checkout; tests' files are named relative to it.
	Root string
	// Env is the environment of every child; nil means os.Environ().
	Env []string
	// CacheDir is the cache (CacheDir); "" keeps nothing.
	CacheDir string
	// CacheOnly reads the cache and runs nothing: a package not in it is
	// left out of the Map.
	CacheOnly bool
	// TestTimeout bounds each test's run (DefaultTestTimeout when 0);
	// Budget the whole (DefaultBudget when 0).
	TestTimeout, Budget time.Duration
	// Parallel is how many tests run at once; 0 means GOMAXPROCS.
	Parallel int
	// Progress, when set, is called with the tests run and their total as
	// they finish, one call at a time.
	Progress func(done, total int)
}

func (o Options) testTimeout() time.Duration {
	if o.TestTimeout > 0 {
		return o.TestTimeout
	}
	return DefaultTestTimeout
}

func (o Options) parallel() int {
	if o.Parallel > 0 {
		return o.Parallel
	}
	return runtime.GOMAXPROCS(0)
}

func (o Options) environ() []string {
	if o.Env != nil {
		return o.Env
	}
	return os.Environ()
}

// Go measures the per-test coverage of pkgs: each package's test binary is
// built once with coverage of that package, and run once per top-level
// test. What it skips (a test that failed or hung, a package that did not
// build, what the budget left out) it says on w, one line each, and in the
// Map; only a cancelled ctx is an error.
func Go(ctx context.Context, pkgs []GoPackage, o Options, w io.Writer) (*Map, error) {
	m := NewMap()
	if len(pkgs) == 0 {
		return m, nil
	}
	budget := o.Budget
	if budget <= 0 {
		budget = DefaultBudget
	}
	version := goVersion(ctx, o.environ())
	tmp, err := os.MkdirTemp("", "sprintkit-pertest-")
	if err != nil {
		return nil, fmt.Errorf("per-test coverage: %w", err)
	}
	defer os.RemoveAll(tmp)
	bctx, cancel := context.WithTimeout(ctx, budget)
	defer cancel()
	prog := &counter{fn: o.Progress}
	for i, gp := range pkgs {
		key, err := contentKey(gp.Dir, isGoFile, moduleFiles(gp.Dir), version)
		if err != nil {
			fmt.Fprintf(w, "per-test coverage: %s: %v\n", gp.Path, err)
			continue
		}
		if p := readCache(o.CacheDir, gp.Path, key); p != nil {
			m.add(p)
			m.Cached++
			continue
		}
		if o.CacheOnly {
			continue
		}
		if bctx.Err() != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			fmt.Fprintf(w, "per-test coverage: %s: left out, past the budget of %s\n", gp.Path, budget)
			continue
		}
		p := &Package{Path: gp.Path, Key: key}
		ran, complete := goPackage(bctx, gp, o, filepath.Join(tmp, fmt.Sprint(i)), p, prog)
		m.Ran += ran
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		for _, s := range p.Skipped {
			fmt.Fprintf(w, "per-test coverage: %s: %s %s, skipped\n", gp.Path, s.Name, s.Why)
		}
		if p.Why != "" {
			fmt.Fprintf(w, "per-test coverage: %s: %s\n", gp.Path, p.Why)
		}
		m.add(p)
		if complete {
			if err := writeCache(o.CacheDir, p); err != nil {
				fmt.Fprintf(w, "%v\n", err)
			}
		}
	}
	return m, nil
}

func isGoFile(name string) bool { return strings.HasSuffix(name, ".go") }

// moduleFiles returns the go.mod and go.sum of the module that holds dir.
func moduleFiles(dir string) []string {
	for d := dir; ; {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return []string{filepath.Join(d, "go.mod"), filepath.Join(d, "go.sum")}
		}
		up := filepath.Dir(d)
		if up == d {
			return nil
		}
		d = up
	}
}

func goVersion(ctx context.Context, env []string) string {
	cmd := proc.Command(ctx, "go", "env", "GOVERSION")
	cmd.Env = env
	out, err := cmd.Output()
	if err != nil {
		return runtime.Version()
	}
	return strings.TrimSpace(string(out))
}

// goPackage builds gp's test binary into dir, runs each of its tests alone
// and fills p. It returns how many processes ran the tests, and whether p
// is complete enough to cache (a test cut off by the budget, or a build
// that was, is measured again next time).
func goPackage(ctx context.Context, gp GoPackage, o Options, dir string, p *Package, prog *counter) (ran int, complete bool) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		p.Why = err.Error()
		return 0, false
	}
	bin := filepath.Join(dir, "pkg.test")
	if runtime.GOOS == "windows" {
		bin += ".exe"
	}
	build := proc.Command(ctx, "go", "test", "-c", "-cover", "-covermode=set", "-coverpkg="+gp.Path, "-o", bin, ".")
	build.Dir, build.Env = gp.Dir, o.environ()
	if out, err := build.CombinedOutput(); err != nil {
		p.Why = "the test binary did not build: " + firstLine(out, err)
		return 0, ctx.Err() == nil
	}
	if _, err := os.Stat(bin); err != nil {
		p.Why = "no test files"
		return 0, true
	}
	list := proc.Command(ctx, bin, "-test.list", ".")
	list.Dir, list.Env = gp.Dir, o.environ()
	out, err := list.Output()
	if err != nil {
		p.Why = "its tests could not be listed: " + firstLine(out, err)
		return 1, ctx.Err() == nil
	}
	names := testNames(out)
	decls := testDecls(gp.Dir, o.Root)
	prog.add(len(names))
	tests := make([]*Test, len(names))
	skips := make([]*Skip, len(names))
	sem := make(chan struct{}, o.parallel())
	var wg sync.WaitGroup
	for i, name := range names {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			t, why := runOne(ctx, bin, gp.Dir, name, filepath.Join(dir, fmt.Sprintf("%d.out", i)), o)
			if why != "" {
				skips[i] = &Skip{Name: name, Why: why}
			} else {
				d := decls[name]
				t.File, t.Line = d.file, d.line
				tests[i] = t
			}
			prog.done()
		}()
	}
	wg.Wait()
	complete = ctx.Err() == nil
	for i := range names {
		switch {
		case tests[i] != nil:
			p.Tests = append(p.Tests, *tests[i])
		case skips[i] != nil:
			p.Skipped = append(p.Skipped, *skips[i])
		}
	}
	return 1 + len(names), complete
}

// testNames are the tests, examples and fuzz targets of a -test.list
// listing, sorted; benchmarks are left out.
func testNames(out []byte) []string {
	var names []string
	for _, l := range strings.Split(string(out), "\n") {
		l = strings.TrimSpace(l)
		if l == "" || strings.HasPrefix(l, "Benchmark") || strings.HasPrefix(l, "ok ") || strings.ContainsAny(l, " \t") {
			continue
		}
		names = append(names, l)
	}
	sort.Strings(names)
	return names
}

// runOne runs one test of bin alone with its own profile; why says why it
// is skipped ("failed", "took longer than 30s"), "" when it ran.
func runOne(ctx context.Context, bin, dir, name, profile string, o Options) (*Test, string) {
	limit := o.testTimeout()
	tctx, cancel := context.WithTimeout(ctx, limit+5*time.Second)
	defer cancel()
	cmd := proc.Command(tctx, bin, "-test.run", "^"+name+"$", "-test.count=1",
		"-test.timeout="+limit.String(), "-test.coverprofile="+profile)
	cmd.Dir, cmd.Env = dir, o.environ()
	out, err := cmd.CombinedOutput()
	switch {
	case ctx.Err() != nil:
		return nil, "was cut off by the time budget"
	case tctx.Err() != nil || bytes.Contains(out, []byte("panic: test timed out")):
		return nil, "took longer than " + limit.String()
	case err != nil:
		return nil, "failed"
	}
	profs, err := cover.ParseProfiles(profile)
	if err != nil {
		return nil, "wrote no coverage profile"
	}
	t := &Test{Name: name, Lines: map[string][]int{}}
	for _, pr := range profs {
		if ls := coveredLines(pr.Blocks); len(ls) > 0 {
			t.Lines[pr.FileName] = ls
		}
	}
	return t, ""
}

// coveredLines are the lines of the blocks that ran, sorted, each once.
func coveredLines(blocks []cover.ProfileBlock) []int {
	seen := map[int]bool{}
	for _, b := range blocks {
		if b.Count == 0 {
			continue
		}
		for l := b.StartLine; l <= b.EndLine; l++ {
			seen[l] = true
		}
	}
	ls := make([]int, 0, len(seen))
	for l := range seen {
		ls = append(ls, l)
	}
	sort.Ints(ls)
	return ls
}

func firstLine(out []byte, err error) string {
	for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "#") {
			return l
		}
	}
	return err.Error()
}

// counter reports progress one call at a time.
type counter struct {
	mu       sync.Mutex
	n, total int
	fn       func(done, total int)
}

func (c *counter) add(n int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.total += n
	if c.fn != nil {
		c.fn(c.n, c.total)
	}
}

func (c *counter) done() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.n++
	if c.fn != nil {
		c.fn(c.n, c.total)
	}
}
