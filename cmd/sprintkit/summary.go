package main

import (
	"fmt"
	"io"

	"github.com/sprintkit/sprintkit/coverage"
	"github.com/sprintkit/sprintkit/internal/human"
	"github.com/sprintkit/sprintkit/onboard"
	"github.com/sprintkit/sprintkit/room"
)

// printSetupSummary writes what setup did, a labelled line per step, and
// the next steps in the order they work when pasted.
func printSetupSummary(w io.Writer, s *onboard.Summary) {
	printSource(w, s)
	if sv := s.Server; sv != nil {
		fmt.Fprintf(w, "sprint    %s: %s at %s\n", sv.URL, sv.Project, human.Commit(sv.Commit))
		fmt.Fprintf(w, "          %s from it with these settings, saved in %s:\n", fetchers(sv.Env), onboard.Rel(sv.EnvFile))
		for _, l := range sv.ExportLines {
			fmt.Fprintf(w, "            %s\n", l)
		}
	}
	fmt.Fprintf(w, "project   %s\n", s.Project)
	if len(s.Checks) > 0 {
		printChecks(w, s.Checks, "checks    ")
	}
	printDeps(w, s.Deps)
	printTests(w, s)
	printCoverage(w, s)
	printTargets(w, s)
	for _, p := range []struct{ label, path string }{{"baseline", s.Baseline}, {"profile", s.Profile}, {"report", s.Report}} {
		if p.path != "" {
			fmt.Fprintf(w, "%-9s %s\n", p.label, onboard.Rel(p.path))
		}
	}
	for _, n := range s.Notes {
		fmt.Fprintf(w, "note      %s\n", n)
	}
	for _, n := range s.Warnings {
		fmt.Fprintf(w, "warning   %s\n", n)
	}
	fmt.Fprintf(w, "\nNext:\n")
	for _, n := range s.Next {
		fmt.Fprintf(w, "  %s\n", n)
	}
}

// printSource writes where the checkout came from: a clone, the checkout
// in place, an image.
func printSource(w io.Writer, s *onboard.Summary) {
	rel := s.RelDir()
	if c := s.Clone; c != nil {
		fmt.Fprintf(w, "cloned    %s into %s\n", c.Source, rel)
		depth := ""
		if c.Shallow {
			depth = " (latest commit only; --depth 0 for the history)"
		}
		fmt.Fprintf(w, "          %s at %s %q: %d files in %.1fs%s\n", onboard.BranchName(c.Branch), human.Commit(c.Commit), c.Subject, c.Files, c.Seconds, depth)
	} else if c := s.Checkout; c != nil {
		if c.Commit != "" {
			fmt.Fprintf(w, "checkout  %s: %s at %s %q, %d files\n", rel, onboard.BranchName(c.Branch), human.Commit(c.Commit), c.Subject, c.Files)
		} else {
			fmt.Fprintf(w, "checkout  %s\n", rel)
		}
	}
	if im := s.Image; im != nil {
		fmt.Fprintf(w, "image     %s: %d files copied\n", im.Dir, im.RepoFiles)
		if im.Upstream != "" {
			fmt.Fprintf(w, "origin    %s\n", im.Upstream)
		}
		if len(im.Env) > 0 {
			fmt.Fprintf(w, "modules   %s the project needs added to %s, this checkout's own module cache (%s copied; remove it when you remove the checkout); toolchain %s\n", human.Count(im.ModulesAdded, "module", "modules"), im.ModCache, human.Count(int(im.ModuleFiles), "file", "files"), im.Toolchain)
			if im.ModulesLeftOut > 0 {
				fmt.Fprintf(w, "          %s of the image left out: the project does not need them\n", human.Count(im.ModulesLeftOut, "module", "modules"))
			}
			fmt.Fprintf(w, "          the go command finds them with these settings, saved in %s:\n", im.EnvFile)
			for _, l := range im.ExportLines {
				fmt.Fprintf(w, "            %s\n", l)
			}
		}
		if bc := im.BuildCache; bc != nil {
			fmt.Fprintf(w, "build cache %s\n", bc)
		}
	}
}

// printTests writes the baseline run's counts and the tests that failed
// before anything changed.
func printTests(w io.Writer, s *onboard.Summary) {
	if t := s.Tests; t != nil {
		fmt.Fprintf(w, "tests     %d passed, %d failed, %d skipped%s in %.1fs", t.Passed, t.Failed, t.Skipped, flakyCount(t.Flaky), t.Seconds)
		if t.RunSeconds > 0 {
			fmt.Fprintf(w, " (%.1fs building, %.1fs with tests running)", t.BuildSeconds, t.RunSeconds)
		}
		fmt.Fprintln(w)
		if len(s.FailingBefore) > 0 {
			fmt.Fprintf(w, "          failing before you changed anything (not your fault; recorded in the baseline):\n")
			for _, f := range s.FailingBefore {
				fmt.Fprintf(w, "            ✗ %s %s\n", f.Package, f.Test)
			}
		}
		printFlakyAndModules(w, s.FlakyBefore, t.Modules)
	}
}

// printCoverage writes the total and what it leaves out.
func printCoverage(w io.Writer, s *onboard.Summary) {
	if s.Total != nil {
		fmt.Fprintf(w, "coverage  %.1f%% of %d statements\n", s.Total.Percent, s.Total.Statements)
		if b := s.Branch; b != nil {
			fmt.Fprintf(w, "          %.1f%% with %d branches (%s), as coverage report prints it\n", b.Percent, b.Branches, b.Why)
		}
		for _, n := range s.Incomplete {
			fmt.Fprintf(w, "          * %s\n", n)
		}
	}
}

// printTargets writes the top targets, with who took each on a sprint
// server.
func printTargets(w io.Writer, s *onboard.Summary) {
	if len(s.Targets) > 0 {
		fmt.Fprintf(w, "targets   the top %d, by rank (why each ranks there):\n", len(s.Targets))
		if s.Split != "" {
			fmt.Fprintf(w, "          (%s)\n", s.Split)
		}
		for _, t := range s.Targets {
			fmt.Fprintf(w, "          %d. %s  %.1f%%  %s\n", t.Rank, t.Name, t.Percent, t.Reason)
			if s.Server != nil {
				for _, c := range s.Server.Claims {
					if c.Target == t.Name {
						fmt.Fprintf(w, "             taken by %s since %s%s\n", c.Name, c.Since.Local().Format("15:04"), doneFigure(c))
					}
				}
			}
		}
		if s.Server != nil {
			fmt.Fprintf(w, "          claim one: sprintkit claim TARGET --as NAME  (the server, %s, is recorded in .sprintkit/env)\n", s.Server.URL)
		}
	}
}

// flakyCount is ", N flaky" for the tests line, "" when none is.
func flakyCount(n int) string {
	if n == 0 {
		return ""
	}
	return fmt.Sprintf(", %d flaky", n)
}

// printFlakyAndModules lists the tests that failed and passed when run
// again alone, then each module's figure in a project of several.
func printFlakyAndModules(w io.Writer, flaky []coverage.TestResult, modules []coverage.Module) {
	if len(flaky) > 0 {
		fmt.Fprintf(w, "          flaky (failed, then passed when run again alone; not counted as failing):\n")
	}
	for _, f := range flaky {
		fmt.Fprintf(w, "            ~ %s %s\n", f.Package, f.Test)
	}
	for _, m := range modules {
		fmt.Fprintf(w, "          module %s: %s\n", m.Path, m.Figure())
	}
}

// doneFigure is ", done: +3 statements ..." for a claim marked done (claim
// --done), "" for one in progress.
func doneFigure(c room.Claim) string {
	switch {
	case c.Done == nil:
		return ""
	case c.Credit == nil:
		return ", done"
	}
	return ", done: " + c.Credit.String()
}
