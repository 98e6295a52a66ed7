package testloop

import (
	"fmt"
	"strings"

	"github.com/sprintkit/sprintkit/internal/human"
)

// failure writes a failing test with the first lines of its output, or
// all of them when Verbose. A test that failed only because a subtest did
// has no output of its own and is left to the closing list.
func (s *Screen) failure(pkg string, f Failure) {
	lines := failureLines(f.Test, f.Output)
	if len(lines) == 0 && f.Subtests {
		return
	}
	tag := s.paint(red, "new failure")
	switch {
	case f.Flaky:
		tag = s.paint(yellow, "flaky at the baseline: it failed there, then passed when run again")
	case !f.New && f.Cause != "" && !f.SameCause:
		tag = s.paint(red, "failing at the baseline too, but "+f.Cause)
	case !f.New && f.Cause != "":
		tag = s.paint(yellow, "failing at the baseline too: "+f.Cause)
	case !f.New:
		tag = s.paint(yellow, "failing at the baseline too")
	}
	fmt.Fprintf(s.W, "--- FAIL: %s %s (%s)\n", pkg, f.Test, tag)
	limit := s.MaxLines
	if limit <= 0 {
		limit = 10
	}
	more := 0
	if !s.Verbose && len(lines) > limit+1 {
		lines, more = lines[:limit], len(lines)-limit
	}
	for _, line := range lines {
		fmt.Fprintf(s.W, "    %s\n", line)
	}
	if more > 0 {
		fmt.Fprintf(s.W, "    %s\n", s.paint(dim, fmt.Sprintf("… %d more lines (--verbose for all)", more)))
	}
}

// failureLines returns a failing test's output without the lines go test
// frames it with (=== RUN, === PAUSE, === CONT, === NAME, and the test's
// own --- FAIL line), without trailing blank lines, and with the
// indentation they share taken away.
func failureLines(test, out string) []string {
	var lines []string
	for _, line := range strings.Split(out, "\n") {
		t := strings.TrimSpace(line)
		if strings.HasPrefix(t, "=== RUN ") || strings.HasPrefix(t, "=== PAUSE ") ||
			strings.HasPrefix(t, "=== CONT ") || strings.HasPrefix(t, "=== NAME ") ||
			t == "--- FAIL: "+test || strings.HasPrefix(t, "--- FAIL: "+test+" (") {
			continue
		}
		lines = append(lines, strings.TrimRight(line, " \t\r"))
	}
	for len(lines) > 0 && lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	indent := -1
	for _, l := range lines {
		if l == "" {
			continue
		}
		n := len(l) - len(strings.TrimLeft(l, " \t"))
		if indent < 0 || n < indent {
			indent = n
		}
	}
	for i, l := range lines {
		if len(l) >= indent && indent > 0 {
			lines[i] = l[indent:]
		}
	}
	return lines
}

// failingTests writes the closing list of failing tests, the new ones
// first, then those that failed at the baseline too (with a note when they
// fail differently now), then those that were flaky there, and returns how
// many are new, how many failed at the baseline too, and how many were
// flaky there.
func (s *Screen) failingTests(order []PackageReport, noBaseline bool) (newFail, oldFail, flakyFail int) {
	width := 0
	kind := func(f Failure) int {
		switch {
		case f.New:
			return 0
		case f.Flaky:
			return 2
		}
		return 1
	}
	for _, p := range order {
		for _, f := range p.Failures {
			width = max(width, len(p.Package))
			switch kind(f) {
			case 0:
				newFail++
			case 1:
				oldFail++
			default:
				flakyFail++
			}
		}
	}
	list := func(k int) {
		for _, p := range order {
			for _, f := range p.Failures {
				if kind(f) != k {
					continue
				}
				note := ""
				if f.Subtests {
					note = s.paint(dim, " (a subtest failed)")
				}
				if k == 1 && f.Cause != "" && !f.SameCause {
					note += s.paint(red, " ("+f.Cause+")")
				}
				fmt.Fprintf(s.W, "  %-*s  %s%s\n", width, p.Package, f.Test, note)
			}
		}
	}
	if newFail > 0 {
		head := fmt.Sprintf("%s new since the baseline:", human.Count(newFail, "failing test", "failing tests"))
		if noBaseline {
			head = fmt.Sprintf("%s (without a baseline, all count as new):", human.Count(newFail, "failing test", "failing tests"))
		}
		fmt.Fprintln(s.W)
		fmt.Fprintln(s.W, s.paint(red, head))
		list(0)
	}
	if oldFail > 0 {
		fmt.Fprintln(s.W)
		fmt.Fprintln(s.W, s.paint(yellow, fmt.Sprintf("%d failing at the baseline too:", oldFail)))
		list(1)
	}
	if flakyFail > 0 {
		fmt.Fprintln(s.W)
		fmt.Fprintln(s.W, s.paint(yellow, fmt.Sprintf("%d flaky at the baseline (failed there, then passed when run again):", flakyFail)))
		list(2)
	}
	return newFail, oldFail, flakyFail
}
