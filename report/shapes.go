package report

import (
	"fmt"
	"io"
	"strings"

	"github.com/sprintkit/sprintkit/coverage"
)

// writeShapes writes the groups of targets of one shape among targets,
// each with its members' names, so that a room can share one pattern of
// test.
func writeShapes(w io.Writer, targets []coverage.Target) {
	var order []string
	members := map[string][]string{}
	for _, t := range targets {
		if t.Shape == "" {
			continue
		}
		if _, ok := members[t.Shape]; !ok {
			order = append(order, t.Shape)
		}
		members[t.Shape] = append(members[t.Shape], t.Name)
	}
	for _, s := range order {
		names := members[s]
		if len(names) > 6 {
			names = append(names[:6], "…")
		}
		fmt.Fprintf(w, "\nof one shape: %s; shown here: %s (one pattern of test covers them all)\n", s, strings.Join(names, ", "))
	}
}
