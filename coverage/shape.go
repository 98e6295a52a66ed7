package coverage

import (
	"fmt"
	"path"
	"regexp"
	"sort"
	"strings"
)

// Targets of one shape
//
// Many files often hold the same untested code: one parser per format,
// one handler per endpoint, generated-looking families written by hand. A
// room can share the pattern of a test for them. Two file targets are of
// one shape when their first tests, each name stripped of its file's stem
// (ParseJSON in json.go is "Parse") and of digits (Parse07 is "Parse"),
// are the same names with the same statement counts. At least minShape
// targets of one shape are marked with Target.Shape, which names the
// group.

const minShape = 3

var digitsRe = regexp.MustCompile(`[0-9]+`)

// shapeKey is the shape of a file target; "" when it has none to share.
func shapeKey(t Target) string {
	if t.Kind != "file" || len(t.Functions) == 0 {
		return ""
	}
	stem := strings.TrimSuffix(path.Base(t.File), path.Ext(t.File))
	var parts []string
	for _, f := range t.Functions {
		name := f.Name
		if len(stem) > 2 {
			if i := strings.Index(strings.ToLower(name), strings.ToLower(stem)); i >= 0 {
				name = name[:i] + name[i+len(stem):]
			}
		}
		parts = append(parts, fmt.Sprintf("%s/%d", digitsRe.ReplaceAllString(name, ""), f.Statements))
	}
	sort.Strings(parts)
	return strings.Join(parts, ",")
}

// markShapes sets Shape on the targets that share a shape with at least
// minShape-1 others: "30 files alike (untested: Parse…, helper…)".
func markShapes(ts []Target) {
	groups := map[string][]int{}
	for i, t := range ts {
		if k := shapeKey(t); k != "" {
			groups[k] = append(groups[k], i)
		}
	}
	for k, idx := range groups {
		if len(idx) < minShape {
			continue
		}
		var names []string
		for _, p := range strings.Split(k, ",") {
			name, _, _ := strings.Cut(p, "/")
			names = append(names, name+"…")
		}
		label := fmt.Sprintf("%d files alike (untested: %s)", len(idx), strings.Join(names, ", "))
		for _, i := range idx {
			ts[i].Shape = label
		}
	}
}
