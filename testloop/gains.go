package testloop

import (
	"fmt"
	"strings"

	"github.com/sprintkit/sprintkit/coverage"
)

// gainList is what a run newly covers against the baseline, as the done
// event carries it.
type gainList = []coverage.FuncGain

// gainsLine is "newly covered: Arg: now fully covered, +1; Parse: 5 of 8
// covered, +3", at most max functions; "" when there are none.
func gainsLine(gs []coverage.FuncGain, max int) string {
	if len(gs) == 0 {
		return ""
	}
	var parts []string
	for i, g := range gs {
		if i == max {
			parts = append(parts, fmt.Sprintf("and %d more", len(gs)-max))
			break
		}
		parts = append(parts, g.String())
	}
	return "newly covered: " + strings.Join(parts, "; ")
}
