package report

import (
	"fmt"
	"io"
	"strings"

	"github.com/sprintkit/sprintkit/coverage"
)

// writeFirstTest writes a target's one first test (the reason above it
// says why) and the names of the next nfn functions to test after it.
func writeFirstTest(w io.Writer, p painter, t coverage.Target, nfn int) {
	if len(t.Functions) == 0 {
		return
	}
	f := t.Functions[0]
	fmt.Fprintf(w, "   first test: %s (%s:%d, %d/%d statements covered)\n", f.Name, f.File, f.Line, f.Covered, f.Statements)
	rest := t.Functions[1:]
	if len(rest) == 0 {
		return
	}
	var names []string
	for i, fn := range rest {
		if i == nfn {
			names = append(names, fmt.Sprintf("and %d more", len(rest)-nfn))
			break
		}
		names = append(names, fn.Name)
	}
	fmt.Fprintf(w, "   %s\n", p.paint(ansiDim, "then: "+strings.Join(names, ", ")))
}

// startFromText is "TestX (x_test.go:5)", the test t starts from; "" when
// none is known.
func startFromText(t coverage.Target) string {
	sf := t.StartFrom
	if sf == nil {
		return ""
	}
	if sf.File == "" {
		return sf.Test
	}
	return fmt.Sprintf("%s (%s:%d)", sf.Test, sf.File, sf.Line)
}

// writeStartFrom writes the line under a target's first test that names
// the test to start from, or why there is none.
func writeStartFrom(w io.Writer, p painter, t coverage.Target) {
	switch {
	case t.StartFrom != nil:
		fmt.Fprintf(w, "   start from: %s\n", startFromText(t))
	case t.StartFromWhy != "":
		fmt.Fprintf(w, "   %s\n", p.paint(ansiDim, "start from: none; "+t.StartFromWhy))
	}
}

// startFromOf is the test to start from of the best-ranked target in file
// f (a file target, or a function's), for its page; "" when none has one.
func (s *site) startFromOf(f *coverage.File) string {
	for _, t := range s.targets {
		if t.StartFrom == nil {
			continue
		}
		file := t.File
		if t.FirstTest != nil {
			file = t.FirstTest.File
		}
		if file != "" && (file == f.Rel || file == f.Path) {
			return startFromText(t)
		}
	}
	return ""
}
