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
