package report

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/sprintkit/sprintkit/internal/human"

	"github.com/sprintkit/sprintkit/coverage"
)

// TextOptions shapes the terminal table.
type TextOptions struct {
	Color bool // ANSI colour (the caller decides: a terminal and no NO_COLOR)
	Top   int  // the number of targets the caller asked for, for the footer; 0 = all
	// Functions is how many first-test functions to show under each target;
	// 0 means 3.
	Functions int
}

const (
	ansiReset  = "\x1b[0m"
	ansiBold   = "\x1b[1m"
	ansiDim    = "\x1b[2m"
	ansiRed    = "\x1b[31m"
	ansiYellow = "\x1b[33m"
	ansiGreen  = "\x1b[32m"
)

type painter bool

func (p painter) paint(code, s string) string {
	if !p {
		return s
	}
	return code + s + ansiReset
}

// percent is v as " 42.0%", coloured by how covered it is.
func (p painter) percent(v float64) string { return p.colourBy(v, fmt.Sprintf("%5.1f%%", v)) }

// percentTight is v as "42.0%", coloured the same way.
func (p painter) percentTight(v float64) string { return p.colourBy(v, fmt.Sprintf("%.1f%%", v)) }

func (p painter) colourBy(v float64, s string) string {
	switch {
	case v < 50:
		return p.paint(ansiRed, s)
	case v < 80:
		return p.paint(ansiYellow, s)
	}
	return p.paint(ansiGreen, s)
}

// Table writes the total, the ranked targets with their reasons and first-test
// functions, and the tests that failed, for a terminal.
func Table(w io.Writer, r *coverage.Result, targets []coverage.Target, opts TextOptions) error {
	p := painter(opts.Color)
	nfn := opts.Functions
	if nfn == 0 {
		nfn = 3
	}
	ew := &errWriter{w: w}
	head := r.Project
	if r.Commit != "" {
		head += " @ " + human.Commit(r.Commit)
	}
	fmt.Fprintf(ew, "%s: %s of %d statements covered", p.paint(ansiBold, head),
		(p.percentTight(r.Total.Percent)), r.Total.Statements)
	fmt.Fprintf(ew, " (%s)\n", human.Count(len(r.Packages), "package", "packages"))
	if b := r.Branch; b != nil {
		fmt.Fprintf(ew, "with branches: %s of %d statements and %d branches (%s); the figure above counts statements\n",
			(p.percentTight(b.Percent)), r.Total.Statements, b.Branches, b.Why)
	}
	if s := coverage.BranchNote(r); s != "" {
		fmt.Fprintln(ew, s)
	}
	if s := noDataSummary(r); s != "" {
		fmt.Fprintln(ew, s)
	}
	// Warnings go to stderr, once, from the command (not here: stdout).
	if len(targets) == 0 {
		if notRun(r) {
			fmt.Fprintln(ew, "\nno sprint targets: what the tests leave unexercised is code whose tests did not run (see the warnings)")
		} else {
			fmt.Fprintln(ew, "\nno sprint targets: every measured statement runs under the tests")
		}
	} else {
		fmt.Fprintf(ew, "\nsprint targets (%s):\n", targets[0].Kind+"s")
		var tw columns
		tw.add("RANK", "TARGET", "COVER", "UNCOVERED", "SCORE")
		rerun := recoveredSet(r)
		for _, t := range targets {
			name := t.Name
			if rerun[t.Package] || rerun[t.Name] {
				name += " *" // re-run without the tests that killed it; see the notes
			}
			tw.add(strconv.Itoa(t.Rank), name, p.percent(t.Percent), fmt.Sprintf("%d/%d", t.Uncovered, t.Statements), fmt.Sprintf("%.1f", t.Score))
		}
		tw.write(ew)
		fmt.Fprintln(ew)
		for _, t := range targets {
			fmt.Fprintf(ew, "%d. %s\n   why: %s\n", t.Rank, p.paint(ansiBold, t.Name), t.Reason)
			if t.Note != "" {
				fmt.Fprintf(ew, "   note: %s\n", t.Note)
			}
			if t.Kind != "function" {
				writeFirstTest(ew, p, t, nfn)
			}
			writeStartFrom(ew, p, t)
		}
		writeShapes(ew, targets)
	}
	if notes := CrashNotes(r); len(notes) > 0 {
		fmt.Fprintf(ew, "\n%s\n", p.paint(ansiYellow, "test binaries that died (* marks a package re-run without the tests that killed it):"))
		for _, n := range notes {
			fmt.Fprintf(ew, "  %s\n", n)
		}
	}
	if failed := r.Failed(); len(failed) > 0 {
		fmt.Fprintf(ew, "\n%s\n", p.paint(ansiRed, fmt.Sprintf("%d %s failing (the coverage above includes what they ran):", len(failed), human.Word(len(failed), "test", "tests"))))
		for _, t := range failed {
			fmt.Fprintf(ew, "  FAIL %s %s%s\n", t.Package, t.Test, crashNote(t))
		}
	}
	if flaky := r.Flaky(); len(flaky) > 0 {
		fmt.Fprintf(ew, "\n%s\n", p.paint(ansiYellow, fmt.Sprintf("%d flaky (failed, then passed when run again alone; not counted as failing):", len(flaky))))
		for _, t := range flaky {
			fmt.Fprintf(ew, "  FLAKY %s %s\n", t.Package, t.Test)
		}
	}
	return ew.err
}

// crashNote is " (panicked: panic: …)" for a test that killed its binary.
func crashNote(t coverage.TestResult) string {
	if t.Crashed == "" {
		return ""
	}
	if l := t.CrashLine(); l != "" {
		return fmt.Sprintf(" (%s: %s)", t.Crashed, l)
	}
	return " (" + t.Crashed + ")"
}

// Markdown writes a short report to paste into an issue or a sprint wiki.
func Markdown(w io.Writer, r *coverage.Result, targets []coverage.Target) error {
	ew := &errWriter{w: w}
	fmt.Fprintf(ew, "## Sprint targets for %s\n\n", mdEscape(r.Project))
	meta := fmt.Sprintf("Total coverage: **%.1f%%** of %d statements", r.Total.Percent, r.Total.Statements)
	if r.Commit != "" {
		meta += fmt.Sprintf(" at `%s`", human.Commit(r.Commit))
	}
	if !r.Generated.IsZero() {
		meta += ", " + r.Generated.UTC().Format("2006-01-02")
	}
	fmt.Fprintf(ew, "%s.\n\n", meta)
	if notes := CrashNotes(r); len(notes) > 0 {
		if s := noDataSummary(r); s != "" {
			notes = append(notes, s)
		}
		for _, n := range notes {
			fmt.Fprintf(ew, "> %s\n", mdEscape(n))
		}
		fmt.Fprintln(ew)
	}
	if len(targets) == 0 {
		fmt.Fprintln(ew, "No sprint targets: every measured statement runs under the tests.")
	} else {
		fmt.Fprintln(ew, "| # | Target | Coverage | Uncovered | Why | First tests |")
		fmt.Fprintln(ew, "|---:|---|---:|---:|---|---|")
		for _, t := range targets {
			var firsts []string
			for i, f := range t.Functions {
				if i == 3 {
					firsts = append(firsts, fmt.Sprintf("+%d more", len(t.Functions)-3))
					break
				}
				firsts = append(firsts, fmt.Sprintf("`%s` (%s:%d)", mdEscape(f.Name), mdEscape(f.File), f.Line))
			}
			why := t.Reason
			if t.Note != "" {
				why = "**" + t.Note + "** — " + why
			}
			fmt.Fprintf(ew, "| %d | `%s` | %.1f%% | %d of %d | %s | %s |\n", t.Rank, mdEscape(t.Name), t.Percent,
				t.Uncovered, t.Statements, mdEscape(why), strings.Join(firsts, ", "))
		}
	}
	if failed := r.Failed(); len(failed) > 0 {
		fmt.Fprintf(ew, "\n**%d %s failing before any change:**\n\n", len(failed), human.Word(len(failed), "test", "tests"))
		for _, t := range failed {
			fmt.Fprintf(ew, "- `%s` in `%s`%s\n", mdEscape(t.Test), mdEscape(t.Package), mdEscape(crashNote(t)))
		}
	}
	if flaky := r.Flaky(); len(flaky) > 0 {
		fmt.Fprintf(ew, "\n**%d flaky (failed, then passed when run again alone):**\n\n", len(flaky))
		for _, t := range flaky {
			fmt.Fprintf(ew, "- `%s` in `%s`\n", mdEscape(t.Test), mdEscape(t.Package))
		}
	}
	return ew.err
}

// mdEscape keeps table cells intact.
func mdEscape(s string) string {
	s = strings.ReplaceAll(s, "|", "\\|")
	s = strings.ReplaceAll(s, "\n", " ")
	return s
}

// errWriter remembers the first write error so renderers can check once.
type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) Write(b []byte) (int, error) {
	if e.err != nil {
		return len(b), nil
	}
	n, err := e.w.Write(b)
	if err != nil {
		e.err = err
	}
	return n, nil
}

// notRun reports whether a file of r is marked File.NotRun.
func notRun(r *coverage.Result) bool {
	for _, p := range r.Packages {
		for _, f := range p.Files {
			if f.NotRun != "" {
				return true
			}
		}
	}
	return false
}
