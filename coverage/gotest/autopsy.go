package gotest

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"github.com/sprintkit/sprintkit/coverage"
)

// maxReruns bounds the re-runs of one package whose test binary died: one
// per culprit, for at most two culprits.
const maxReruns = 2

// death is how a package's test binary died.
type death struct {
	culprits []string // the tests that killed it, by full name; none when no test is to blame
	why      string   // "panicked", "exited", "timed out" or "killed by signal"
	line     string   // the line that says so ("panic: …"), when there is one
}

var (
	timedOutRE = regexp.MustCompile(`(?m)^panic: test timed out after .*\n\s*running tests:\n((?:\t\t.*\n?)+)`)
	crashRE    = regexp.MustCompile(`(?m)^(panic: |fatal error: |signal: |exit status ).*$`)
)

// autopsy records a package whose test binary died: it failed without the
// binary's final line. The culprit is the test a timeout names, else the
// test that was still running (the innermost, preferring one that
// panicked), else a failed test whose output holds a panic. The culprits
// become failing tests with TestResult.Crashed; with none, "(package)" is
// the failure.
func (c *collector) autopsy(pkg string, elapsed float64) {
	pkgOut := ""
	if b := c.pkgOut[pkg]; b != nil {
		pkgOut = b.String()
	}
	outputOf := func(test string) string {
		if b := c.output[pkg+"\x00"+test]; b != nil {
			return b.String()
		}
		return ""
	}
	var running []string
	for t := range c.running[pkg] {
		running = append(running, t)
	}
	sort.Slice(running, func(i, j int) bool { return c.running[pkg][running[i]] < c.running[pkg][running[j]] })

	d := &death{}
	// A timeout: "panic: test timed out after 5s\n\trunning tests:\n\t\tTestX (5s)".
	texts := []string{pkgOut}
	for _, t := range running {
		texts = append(texts, outputOf(t))
	}
	timeoutText := ""
	for _, text := range texts {
		if m := timedOutRE.FindStringSubmatch(text); m != nil {
			timeoutText = text
			d.why = "timed out"
			for _, l := range strings.Split(m[1], "\n") {
				if f := strings.Fields(l); len(f) > 0 {
					d.culprits = append(d.culprits, f[0])
				}
			}
			break
		}
	}
	if d.why == "" && len(running) > 0 {
		// Of the tests still running, the one that panicked, then the
		// innermost subtest, then the last to start.
		rank := func(t string) (int, int) {
			p := 0
			if strings.Contains(outputOf(t), "panic: ") {
				p = 1
			}
			return p, strings.Count(t, "/")
		}
		best := running[0]
		for _, t := range running[1:] {
			p, dep := rank(t)
			bp, bdep := rank(best)
			if p > bp || p == bp && dep >= bdep {
				best = t
			}
		}
		d.culprits = []string{best}
		if d.why = crashKind(outputOf(best) + pkgOut); d.why == "" {
			d.why = "exited" // os.Exit says nothing
		}
	}
	if d.why == "" {
		// testing printed "--- FAIL" for a test that panicked before it
		// re-panicked: test2json reported it failed.
		for i := len(c.byPkg[pkg]) - 1; i >= 0; i-- {
			t := &c.tests[c.byPkg[pkg][i]]
			if t.Outcome == "fail" && strings.Contains(t.Output, "panic: ") {
				t.Crashed = "panicked"
				d.culprits, d.why = []string{t.Test}, "panicked"
				d.line = t.CrashLine()
				break
			}
		}
	}
	if d.why == "" {
		d.why = crashKind(pkgOut)
		if d.why == "" {
			d.why = "exited"
		}
		out := coverage.TestResult{Package: pkg, Test: "(package)", Outcome: "fail", Seconds: elapsed, Output: pkgOut, Crashed: d.why}
		d.line = out.CrashLine()
		c.add(out)
	}
	done := map[string]bool{}
	for _, i := range c.byPkg[pkg] {
		done[c.tests[i].Test] = true
	}
	for _, name := range d.culprits {
		if done[name] {
			continue
		}
		out := outputOf(name)
		if timeoutText != "" && !strings.Contains(out, "panic: test timed out") {
			out += timeoutText
		} else if crashRE.FindString(out) == "" {
			out += pkgOut
		}
		t := coverage.TestResult{Package: pkg, Test: name, Outcome: "fail", Output: out, Crashed: d.why}
		if d.line == "" {
			d.line = t.CrashLine()
		}
		c.add(t)
	}
	c.failed[pkg] = true
	c.died[pkg] = d
}

// crashKind tells from a dead binary's output how it died; "" when the
// output does not say.
func crashKind(out string) string {
	switch m := crashRE.FindString(out); {
	case strings.HasPrefix(m, "panic: "), strings.HasPrefix(m, "fatal error: "):
		return "panicked"
	case strings.HasPrefix(m, "signal: "):
		return "killed by signal"
	case strings.HasPrefix(m, "exit status "):
		return "exited"
	}
	return ""
}

// recovery gathers, over Run's runs, the packages re-run without the
// tests that killed their binary and those left without data.
type recovery struct {
	recovered map[string]*coverage.Recovery
	noData    map[string]string
}

// recoverDied runs each package of died again alone, without the tests
// that killed its binary, until it runs to its end (at most maxReruns
// times). It returns tests with the re-runs' new tests added, and the
// profiles of the re-runs that ran to their end, to merge. Only a
// cancelled context is an error.
func recoverDied(ctx context.Context, run goTestRun, opts Options, prefix string, tests []coverage.TestResult, died map[string]*death, rec *recovery) ([]coverage.TestResult, []string, error) {
	var pkgs []string
	for p := range died {
		pkgs = append(pkgs, p)
	}
	sort.Strings(pkgs)
	var profiles []string
	for n, pkg := range pkgs {
		d := died[pkg]
		if len(d.culprits) == 0 {
			rec.noData[pkg] = noDataReason(d)
			continue
		}
		r := &coverage.Recovery{Skipped: topLevel(nil, d.culprits), Why: d.why}
		seen := map[string]bool{}
		for _, t := range tests {
			if t.Package == pkg {
				seen[t.Test] = true
			}
		}
		for attempt := 1; ; attempt++ {
			rerun := goTestRun{dir: run.dir, workspace: run.workspace, patterns: []string{pkg}, coverpkg: run.coverpkg, skip: r.Skipped}
			out := fmt.Sprintf("%s-%d-%d.out", prefix, n, attempt)
			ts, _, again, err := runGoTest(ctx, rerun, out, opts, &progress{}, nil)
			if err != nil {
				if ctx.Err() != nil {
					return nil, nil, ctx.Err()
				}
				rec.noData[pkg] = fmt.Sprintf("the re-run without %s failed: %v", strings.Join(r.Skipped, ", "), err)
				break
			}
			for _, t := range ts {
				if t.Package == pkg && !seen[t.Test] {
					seen[t.Test] = true
					tests = append(tests, t)
				}
			}
			d2 := again[pkg]
			if d2 == nil {
				rec.recovered[pkg] = r
				profiles = append(profiles, out)
				break
			}
			more := topLevel(r.Skipped, d2.culprits)
			if len(more) == 0 || attempt == maxReruns {
				rec.noData[pkg] = fmt.Sprintf("its test binary still %s after a re-run without %s", d2.why, strings.Join(r.Skipped, ", "))
				if line := d2.line; line != "" {
					rec.noData[pkg] += ": " + line
				}
				break
			}
			r.Skipped = append(r.Skipped, more...)
			if !strings.Contains(r.Why, d2.why) {
				r.Why += ", " + d2.why
			}
		}
	}
	return tests, profiles, nil
}

// knownStatements returns a profile of the statements, none covered, of
// the packages of a run of some packages (Options.Packages: a CI shard,
// watch-test) whose test binary died with no data. go test lists a dead
// binary's package in its profile only when another binary of the same
// invocation ran to its end, as one does in a whole-suite run; so the dead
// packages go with one other package, of the run or else of the project
// under its directory, no test run (-run=^$), and the result equals the
// whole suite's. "" when there is nothing to add or it could not be had.
func knownStatements(ctx context.Context, run goTestRun, opts Options, out string, died map[string]*death, rec *recovery, pkgs []*Package) string {
	var dead []string
	for p := range died {
		if _, ok := rec.noData[p]; ok {
			dead = append(dead, p)
		}
	}
	if len(dead) == 0 {
		return ""
	}
	sort.Strings(dead)
	helper := ""
	for _, p := range run.patterns {
		if _, ok := rec.noData[p]; !ok && !strings.Contains(p, "...") {
			helper = p
			break
		}
	}
	for _, p := range pkgs { // one with tests: go test runs no binary for the others
		_, dead := rec.noData[p.ImportPath]
		ours := run.workspace || p.Module != nil && filepath.Clean(p.Module.Dir) == filepath.Clean(run.dir)
		if helper == "" && !dead && ours && p.HasTests {
			helper = p.ImportPath
		}
	}
	if helper == "" {
		return ""
	}
	known := goTestRun{dir: run.dir, workspace: run.workspace, patterns: append(dead, helper), coverpkg: run.coverpkg, runNone: true}
	if _, _, _, err := runGoTest(ctx, known, out, opts, &progress{}, nil); err != nil {
		return ""
	}
	if _, err := os.Stat(out); err != nil {
		return ""
	}
	return out
}

// topLevel returns the top-level tests of names ("TestX" of "TestX/sub")
// that are not in have, without repeats.
func topLevel(have, names []string) []string {
	var out []string
	seen := map[string]bool{}
	for _, h := range have {
		seen[h] = true
	}
	for _, n := range names {
		root, _, _ := strings.Cut(n, "/")
		if !seen[root] {
			seen[root] = true
			out = append(out, root)
		}
	}
	return out
}

// noDataReason says why a package whose binary died with no test to blame
// has no figure.
func noDataReason(d *death) string {
	s := "its test binary " + d.why + " outside any test (init, TestMain or a stray goroutine)"
	if d.line != "" {
		s += ": " + d.line
	}
	return s
}

// apply marks r's packages as recovered or without data, adds the packages
// without data that are missing from the profile (with -cover, a package
// whose binary wrote nothing is not in it), and finalizes r again.
func (rec *recovery) apply(proj *Project, r *coverage.Result, pkgs []*Package) {
	if len(rec.recovered) == 0 && len(rec.noData) == 0 {
		return
	}
	byPath := make(map[string]*Package, len(pkgs))
	for _, p := range pkgs {
		byPath[p.ImportPath] = p
	}
	for name, why := range rec.noData {
		p := r.Package(name)
		if p == nil && why == notBuilt && byPath[name] == nil {
			continue // not a package of the project (go test's "./..." when a pattern fails)
		}
		if p == nil {
			p = &coverage.Package{Name: name, Files: []*coverage.File{}}
			if gp := byPath[name]; gp != nil {
				p.Dir = relSlash(proj.Root, gp.Dir)
				p.IsMain, p.TestSupport, p.HasTests = gp.IsMain, gp.TestSupport, gp.HasTests
				if why == notBuilt {
					p.Files = sourceFiles(gp) // no binary, so no profile ever holds them
				}
			}
			r.Packages = append(r.Packages, p)
		}
		p.NoData = why
	}
	for name, how := range rec.recovered {
		if p := r.Package(name); p != nil {
			p.Recovered = how
		}
	}
	r.Finalize()
}

// notBuilt is why a package that did not compile has no figure.
const notBuilt = "it did not build"

// sourceFiles are the files of a package that no profile holds, with
// their statements counted from the source, none covered: they count in
// the package's statements (and Result.NoDataStatements), not in the
// total. A file that does not parse is left out.
func sourceFiles(gp *Package) []*coverage.File {
	files := []*coverage.File{}
	for _, name := range gp.GoFiles {
		blocks, err := sourceBlocks(filepath.Join(gp.Dir, name))
		if err != nil {
			continue
		}
		files = append(files, &coverage.File{Path: gp.ImportPath + "/" + name, Blocks: blocks})
	}
	return files
}

// ApplyMarks marks the packages of r, a result built from profiles (the
// merged shards of a run), as the run that measured them did: recovered
// ones (Package.Recovered, re-run without the tests that killed their
// binary) and those without data (Package.NoData; added from the project
// at root when the profiles hold none of their statements). r is finalized
// again, so that a package without data leaves the total as in a run.
func ApplyMarks(ctx context.Context, root string, env []string, r *coverage.Result, recovered map[string]*coverage.Recovery, noData map[string]string) error {
	if len(recovered) == 0 && len(noData) == 0 {
		return nil
	}
	proj, err := FindProject(ctx, root)
	if err != nil {
		return err
	}
	var pkgs []*Package
	for name := range noData {
		if r.Package(name) == nil {
			if pkgs, _, err = listProject(ctx, proj, env); err != nil {
				return err
			}
			break
		}
	}
	rec := &recovery{recovered: recovered, noData: noData}
	rec.apply(proj, r, pkgs)
	return nil
}
