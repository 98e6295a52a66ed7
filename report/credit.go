package report

import (
	"fmt"
	"io"

	"github.com/sprintkit/sprintkit/internal/human"
	"github.com/sprintkit/sprintkit/patchcov"
)

// writeCredit writes the tests a change adds or changes and the statements
// they newly cover, by function.
func writeCredit(w io.Writer, pc *patchcov.Coverage) {
	for _, t := range pc.Tests {
		what := "changed"
		if t.Added {
			what = "added"
		}
		fmt.Fprintf(w, "  test %s: %s (%s:%d)\n", what, t.Name, t.File, t.Line)
	}
	if pc.NewlyCovered > 0 {
		fmt.Fprintf(w, "  newly covered: %d %s no baseline test ran\n", pc.NewlyCovered, human.Word(pc.NewlyCovered, "statement", "statements"))
		for _, g := range pc.NewlyCoveredFunctions {
			fmt.Fprintf(w, "    %s\n", g)
		}
	}
}
