package gotest

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"regexp"
	"sort"
	"strings"

	"github.com/sprintkit/sprintkit/coverage"
	"github.com/sprintkit/sprintkit/internal/proc"
)

// Tests that run tests
//
// A test may run tests itself: suite and assertion libraries check their
// own failure reports with testing.RunTests, testing.MainStart or a fake
// testing.M. The inner tests print "=== RUN" and "--- FAIL" lines as real
// ones do, and test2json reports them as events of the package, although
// the package passes. So the event stream is reconciled with what the go
// command decided: a test fails only if its package failed and every parent
// test that has a result failed too; and in a package where a top-level
// test started while another top-level test ran (the sign of a test that
// runs tests), a name that is not one of the package's tests, as
// `go test -list` names them, nor a subtest of one, is not recorded at all.

// track follows which top-level tests of a package are running, to tell
// when a test runs tests.
func (c *collector) track(ev testEvent) {
	if strings.Contains(ev.Test, "/") {
		return
	}
	active := c.active[ev.Package]
	switch ev.Action {
	case "run":
		if len(active) > 0 {
			c.nested[ev.Package] = true
		}
		if active == nil {
			active = map[string]bool{}
			c.active[ev.Package] = active
		}
		active[ev.Test] = true
	case "cont":
		if active == nil {
			active = map[string]bool{}
			c.active[ev.Package] = active
		}
		active[ev.Test] = true
	case "pause", "pass", "skip", "fail":
		delete(active, ev.Test)
	}
}

// special reports whether t is not a test of the event stream but an
// entry Run made: a build failure, a package or module failure, or a test
// that killed its binary.
func special(t coverage.TestResult) bool {
	return strings.HasPrefix(t.Test, "(") || t.Crashed != ""
}

// reconcile drops pkg's recorded tests that the go command's verdict
// contradicts: a failure in a package that passed, or under a parent test
// that passed; with listed (the package's top-level tests), also every
// name that is not one of them or a subtest of one.
func (c *collector) reconcile(pkg string, listed map[string]bool) {
	idx := c.byPkg[pkg]
	outcome := map[string]string{} // by name; "fail" when any record failed
	for _, i := range idx {
		t := c.tests[i]
		if t.Outcome == "fail" || outcome[t.Test] == "" {
			outcome[t.Test] = t.Outcome
		}
	}
	keep := make([]int, 0, len(idx))
	for _, i := range idx {
		t := c.tests[i]
		switch {
		case special(t):
		case listed != nil && !listed[rootTest(t.Test)]:
			c.kept[i] = false
			continue
		case t.Outcome == "fail" && !c.agrees(pkg, t.Test, outcome):
			c.kept[i] = false
			continue
		}
		keep = append(keep, i)
	}
	c.byPkg[pkg] = keep
	if c.result[pkg] == "fail" && c.died[pkg] == nil {
		for _, i := range keep {
			if c.tests[i].Outcome == "fail" {
				return
			}
		}
		// The package failed, and only tests a test ran said why: the
		// failure is the package's, as when no test fails.
		c.add(coverage.TestResult{Package: pkg, Test: "(package)", Outcome: "fail", Output: c.failedOut[pkg]})
	}
}

// agrees reports whether a failure of test in pkg agrees with its
// package's result and its parents' results.
func (c *collector) agrees(pkg, test string, outcome map[string]string) bool {
	if r := c.result[pkg]; r == "pass" || r == "skip" {
		return false
	}
	for i := strings.LastIndex(test, "/"); i > 0; i = strings.LastIndex(test[:i], "/") {
		if o := outcome[test[:i]]; o != "" && o != "fail" {
			return false
		}
	}
	return true
}

// rootTest is the top-level test of a test name ("TestX" of "TestX/sub").
func rootTest(name string) string {
	root, _, _ := strings.Cut(name, "/")
	return root
}

// reconcileNested reconciles the packages where a test ran tests with
// their lists of tests. When the list cannot be had, the package is
// reconciled with its results alone.
func (c *collector) reconcileNested(ctx context.Context, run goTestRun, opts Options) {
	pkgs := make([]string, 0, len(c.nested))
	for p := range c.nested {
		pkgs = append(pkgs, p)
	}
	sort.Strings(pkgs)
	lists := listTests(ctx, run, opts, pkgs)
	for _, p := range pkgs {
		c.reconcile(p, lists[p])
	}
}

// listNameRE matches a line of `go test -list` that names a test.
var listNameRE = regexp.MustCompile(`^(Test|Benchmark|Fuzz|Example)\S*$`)

// listBuildFlags are the flags of Options.Flags that change what a test
// binary holds, which `go test -list` needs too.
var listBuildFlags = []string{"-tags", "-race", "-trimpath"}

// listTests returns the top-level tests of pkgs, by package, from
// `go test -list '.*'`; a package it could not list is missing.
func listTests(ctx context.Context, run goTestRun, opts Options, pkgs []string) map[string]map[string]bool {
	args := []string{"test", "-json", "-list=.*"}
	for _, f := range opts.Flags {
		name, _, _ := strings.Cut(f, "=")
		for _, b := range listBuildFlags {
			if strings.TrimPrefix(name, "-") == strings.TrimPrefix(b, "-") {
				args = append(args, f)
			}
		}
	}
	args = append(args, pkgs...)
	cmd := proc.Command(ctx, "go", args...)
	cmd.Dir = run.dir
	cmd.Env = goEnviron(opts.Env, run.workspace)
	out, _ := cmd.Output() // a package that fails to list stays unlisted
	lists := map[string]map[string]bool{}
	ok := map[string]bool{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		var ev testEvent
		if json.Unmarshal(sc.Bytes(), &ev) != nil {
			continue
		}
		switch ev.Action {
		case "output":
			if name := strings.TrimSpace(ev.Output); listNameRE.MatchString(name) {
				if lists[ev.Package] == nil {
					lists[ev.Package] = map[string]bool{}
				}
				lists[ev.Package][name] = true
			}
		case "pass", "skip":
			if ev.Test == "" {
				ok[ev.Package] = true
			}
		}
	}
	// A package whose binary printed its tests and then failed (a TestMain
	// that exits non-zero) keeps its list; one that printed none and failed
	// (it did not build) has none.
	for p := range ok {
		if lists[p] == nil {
			lists[p] = map[string]bool{}
		}
	}
	return lists
}
