package gotest

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"regexp"
	"strings"
	"time"

	"github.com/sprintkit/sprintkit/coverage"
	"github.com/sprintkit/sprintkit/internal/proc"
)

// testEvent is one line of `go test -json` (cmd/test2json).
type testEvent struct {
	Action      string
	Package     string
	ImportPath  string // build-output and build-fail
	Test        string
	Elapsed     float64
	Output      string
	FailedBuild string
	Time        time.Time
}

const maxFailureOutput = 64 << 10

// runGoTest runs one go test and collects the outcome of every test, the
// import paths of the packages that did not compile, and the packages whose
// test binary died.
func runGoTest(ctx context.Context, run goTestRun, profile string, opts Options, prog *progress, emit *emitter) ([]coverage.TestResult, map[string]bool, map[string]*death, error) {
	args := []string{"test", "-json", "-coverprofile=" + profile, "-timeout=" + timeoutArg(opts.Timeout)}
	args = append(args, runFlags(run, opts.Flags)...)
	if opts.PerPackage {
		args = append(args, "-cover")
	} else {
		args = append(args, "-coverpkg="+strings.Join(run.coverpkg, ","))
	}
	if len(run.skip) > 0 {
		args = append(args, "-skip="+skipPattern(run.skip))
	}
	if run.runNone {
		args = append(args, "-run=^$")
	}
	if run.only != "" {
		args = append(args, "-run="+run.only, "-count=1")
	}
	args = append(args, run.patterns...)
	// The child leads its own process group: cancelling stops go test and
	// the test binaries it started.
	cmd := proc.Command(ctx, "go", args...)
	cmd.Dir = run.dir
	cmd.Env = goEnviron(opts.Env, run.workspace)
	if run.noTrimpath {
		cmd.Env = withoutTrimpath(cmd.Env)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &limitedBuffer{buf: &stderr, max: maxFailureOutput}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, nil, nil, fmt.Errorf("run go test: %w", err)
	}
	if err := cmd.Start(); err != nil {
		if errors.Is(err, exec.ErrNotFound) {
			return nil, nil, nil, ErrNoGo
		}
		return nil, nil, nil, fmt.Errorf("run go test: %w", err)
	}
	c := newCollector(prog)
	if emit != nil && emit.fn != nil {
		c.done = func(pkg string, tests []coverage.TestResult, held bool) {
			// With Rerun, a package with a failing test waits for the
			// re-run that tells whether it is flaky.
			emit.done(ctx, pkg, tests, held || opts.Rerun && len(rerunnable(tests)) > 0)
		}
	}
	readErr := c.read(stdout)
	waitErr := cmd.Wait()
	if ctx.Err() != nil {
		return nil, nil, nil, ctx.Err()
	}
	if len(c.nested) > 0 {
		c.reconcileNested(ctx, run, opts)
	}
	if readErr != nil {
		return nil, nil, nil, fmt.Errorf("read go test output: %w", readErr)
	}
	if waitErr != nil && c.packages == 0 {
		msg := strings.TrimSpace(stderr.String())
		if msg == "" {
			msg = strings.TrimSpace(c.loose.String())
		}
		if noPackagesRE.MatchString(msg) {
			return nil, nil, nil, fmt.Errorf("go test in %s: %w", run.dir, errNoPackages)
		}
		return nil, nil, nil, fmt.Errorf("go test in %s: %w%s", run.dir, waitErr, firstLines(msg, 20))
	}
	return c.finish(), c.broken, c.died, nil
}

// errNoPackages is a go test that matched no packages: a module of
// assets only, or whose files are all behind build constraints.
var errNoPackages = errors.New("no packages to test")

// noPackagesRE matches go test's word for a run that matched no packages.
var noPackagesRE = regexp.MustCompile(`(?m)matched no packages$|^no packages to test$`)

// timeoutArg is go test's -timeout for Options.Timeout.
func timeoutArg(d time.Duration) string {
	switch {
	case d == 0:
		d = DefaultTestTimeout
	case d < 0:
		return "0"
	}
	return d.String()
}

// skipPattern is the -skip regular expression that leaves out exactly the
// named top-level tests.
func skipPattern(tests []string) string {
	q := make([]string, len(tests))
	for i, t := range tests {
		q[i] = regexp.QuoteMeta(t)
	}
	return "^(" + strings.Join(q, "|") + ")$"
}

// limitedBuffer keeps the first max bytes written to it.
type limitedBuffer struct {
	buf *bytes.Buffer
	max int
}

func (l *limitedBuffer) Write(p []byte) (int, error) {
	if room := l.max - l.buf.Len(); room > 0 {
		if len(p) > room {
			l.buf.Write(p[:room])
		} else {
			l.buf.Write(p)
		}
	}
	return len(p), nil
}

// collector turns test2json events into TestResults.
type collector struct {
	prog     *progress
	tests    []coverage.TestResult
	output   map[string]*capped // running tests' output, by package\x00test
	pkgOut   map[string]*capped // package-level output, by package
	buildOut map[string]*capped // build output, by import path
	failed   map[string]bool    // packages with a failed test
	broken   map[string]bool    // packages that did not compile
	packages int                // packages finished
	loose    bytes.Buffer       // stdout lines that are not JSON
	// done, when set, is told of each package's final action with the
	// package's tests; held when the package did not build or its test
	// binary died (its final tests come after the re-runs).
	done  func(pkg string, tests []coverage.TestResult, held bool)
	byPkg map[string][]int // indexes into tests, by package
	// running are the tests started and not finished, by package, with
	// the order they started in.
	running map[string]map[string]int
	seq     int
	ended   map[string]bool   // packages whose binary printed its final PASS or FAIL
	died    map[string]*death // packages whose test binary died
	// active are the top-level tests running and not paused, by package;
	// a top-level test that starts while another is active was run by a
	// test (testing.RunTests, testing.MainStart): its package is nested.
	active map[string]map[string]bool
	nested map[string]bool
	result map[string]string // each package's final action: pass, fail or skip
	kept   map[int]bool      // indexes into tests that reconcile dropped, when false
	// failedOut is the package-level output of a failed nested package.
	failedOut map[string]string
}

func newCollector(prog *progress) *collector {
	return &collector{prog: prog, output: map[string]*capped{}, pkgOut: map[string]*capped{},
		buildOut: map[string]*capped{}, failed: map[string]bool{}, broken: map[string]bool{},
		byPkg: map[string][]int{}, running: map[string]map[string]int{}, ended: map[string]bool{},
		died: map[string]*death{}, active: map[string]map[string]bool{}, nested: map[string]bool{},
		result: map[string]string{}, kept: map[int]bool{}, failedOut: map[string]string{}}
}

// add records a test outcome.
func (c *collector) add(t coverage.TestResult) {
	if t.Outcome == "fail" && t.Signature == "" {
		t.Signature = coverage.Signature(t.Output)
	}
	c.byPkg[t.Package] = append(c.byPkg[t.Package], len(c.tests))
	c.kept[len(c.tests)] = true
	c.tests = append(c.tests, t)
}

// packageDone counts a package's final action and reports it.
func (c *collector) packageDone(pkg string, buildFailed bool) {
	c.packages++
	if c.done != nil {
		tests := make([]coverage.TestResult, 0, len(c.byPkg[pkg]))
		for _, i := range c.byPkg[pkg] {
			tests = append(tests, c.tests[i])
		}
		c.done(pkg, tests, buildFailed)
	}
	c.prog.packageDone()
}

func appendCapped(m map[string]*capped, key, s string) {
	b := m[key]
	if b == nil {
		b = &capped{}
		m[key] = b
	}
	b.add(s)
}

// capped keeps the first maxFailureOutput bytes of a test's output and
// counts the rest, which String marks as cut.
type capped struct {
	bytes.Buffer
	cut int
}

func (c *capped) add(s string) {
	room := maxFailureOutput - c.Len()
	if len(s) <= room {
		c.WriteString(s)
		return
	}
	if room > 0 {
		c.WriteString(s[:room])
		s = s[room:]
	}
	c.cut += len(s)
}

// String is the output kept, and a last line saying how much was cut.
func (c *capped) String() string {
	if c.cut == 0 {
		return c.Buffer.String()
	}
	return c.Buffer.String() + fmt.Sprintf("\n… (%d more bytes of output cut)\n", c.cut)
}

func (c *collector) read(r io.Reader) error {
	br := bufio.NewReaderSize(r, 64<<10)
	for {
		line, err := br.ReadBytes('\n')
		if len(line) > 0 {
			if bytes.HasPrefix(line, []byte("{")) {
				var ev testEvent
				if json.Unmarshal(line, &ev) == nil {
					c.event(ev)
				} else if c.loose.Len() < maxFailureOutput {
					c.loose.Write(line)
				}
			} else if c.loose.Len() < maxFailureOutput {
				c.loose.Write(line)
			}
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

func (c *collector) event(ev testEvent) {
	switch ev.Action {
	case "build-output":
		appendCapped(c.buildOut, ev.ImportPath, ev.Output)
		return
	case "build-fail":
		p, _, _ := strings.Cut(ev.ImportPath, " ")
		c.broken[p] = true
		return
	}
	if ev.Test != "" {
		key := ev.Package + "\x00" + ev.Test
		switch ev.Action {
		case "run":
			if c.running[ev.Package] == nil {
				c.running[ev.Package] = map[string]int{}
			}
			c.seq++
			c.running[ev.Package][ev.Test] = c.seq
		case "pass", "skip", "fail":
			delete(c.running[ev.Package], ev.Test)
		}
		c.track(ev)
		switch ev.Action {
		case "output":
			appendCapped(c.output, key, ev.Output)
		case "pass", "skip":
			c.add(coverage.TestResult{Package: ev.Package, Test: ev.Test, Outcome: ev.Action, Seconds: ev.Elapsed})
			delete(c.output, key)
		case "fail":
			out := ""
			if b := c.output[key]; b != nil {
				out = b.String()
			}
			c.add(coverage.TestResult{Package: ev.Package, Test: ev.Test, Outcome: "fail", Seconds: ev.Elapsed, Output: out})
			delete(c.output, key)
			c.failed[ev.Package] = true
		}
		return
	}
	switch ev.Action {
	case "output":
		appendCapped(c.pkgOut, ev.Package, ev.Output)
		// The test binary's own last word (testing.M.Run); a binary that
		// dies never prints it.
		if ev.Output == "PASS\n" || ev.Output == "FAIL\n" {
			c.ended[ev.Package] = true
		}
	case "pass", "skip":
		delete(c.pkgOut, ev.Package)
		c.result[ev.Package] = ev.Action
		if !c.nested[ev.Package] {
			c.reconcile(ev.Package, nil)
		}
		c.packageDone(ev.Package, c.nested[ev.Package])
	case "fail":
		switch {
		case ev.FailedBuild != "":
			out := ""
			if b := c.buildOut[ev.FailedBuild]; b != nil {
				out = b.String()
			}
			if out == "" {
				if b := c.pkgOut[ev.Package]; b != nil {
					out = b.String()
				}
			}
			c.add(coverage.TestResult{Package: ev.Package, Test: "(build)", Outcome: "fail", Seconds: ev.Elapsed, Output: out})
		case !c.ended[ev.Package]:
			c.autopsy(ev.Package, ev.Elapsed)
		case !c.failed[ev.Package]:
			out := ""
			if b := c.pkgOut[ev.Package]; b != nil {
				out = b.String()
			}
			c.add(coverage.TestResult{Package: ev.Package, Test: "(package)", Outcome: "fail", Seconds: ev.Elapsed, Output: out})
		case c.nested[ev.Package] && c.pkgOut[ev.Package] != nil:
			// Its failures may all be tests a test ran: reconcile
			// then says "(package)" with this output.
			c.failedOut[ev.Package] = c.pkgOut[ev.Package].String()
		}
		delete(c.pkgOut, ev.Package)
		c.result[ev.Package] = "fail"
		if !c.nested[ev.Package] {
			c.reconcile(ev.Package, nil)
		}
		c.packageDone(ev.Package, ev.FailedBuild != "" || c.died[ev.Package] != nil || c.nested[ev.Package])
	}
	if (ev.Action == "pass" || ev.Action == "skip" || ev.Action == "fail") && ev.FailedBuild == "" && ev.Elapsed > 0 && !ev.Time.IsZero() {
		c.prog.ran(ev.Time.Add(-time.Duration(ev.Elapsed*float64(time.Second))), ev.Time)
	}
	if ev.Action == "pass" || ev.Action == "skip" || ev.Action == "fail" {
		for t := range c.running[ev.Package] {
			delete(c.output, ev.Package+"\x00"+t)
		}
		delete(c.running, ev.Package)
		delete(c.ended, ev.Package)
	}
}

func (c *collector) finish() []coverage.TestResult {
	out := make([]coverage.TestResult, 0, len(c.tests))
	for i, t := range c.tests {
		if c.kept[i] {
			out = append(out, t)
		}
	}
	return out
}
