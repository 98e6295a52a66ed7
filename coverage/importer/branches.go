package importer

import (
	"sort"
	"strconv"
	"strings"

	"github.com/sprintkit/sprintkit/coverage"
)

// fileBranches fills f's branch figure and its missed branches by line from
// m's branches, and counts each function's missed branches. A branch's
// line is the number its ID starts with (every format's IDs do: LCOV
// "line,block,branch", coverage.py "from>to", Cobertura "line#k"); the
// destination is known for coverage.py's arcs only.
func (m *mergedFile) fileBranches(f *coverage.File) {
	if len(m.branches) == 0 {
		return
	}
	f.Branches = &coverage.Branches{}
	byLine := map[int]*coverage.MissedBranch{}
	ids := make([]string, 0, len(m.branches))
	for id := range m.branches {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		line, to, ok := branchPlace(id)
		f.Branches.Total++
		taken := m.branches[id] > 0
		if taken {
			f.Branches.Taken++
		}
		if !ok {
			continue
		}
		mb := byLine[line]
		if mb == nil {
			mb = &coverage.MissedBranch{Line: line}
			byLine[line] = mb
		}
		mb.Of++
		if !taken {
			mb.Missed++
			if to != 0 {
				mb.To = append(mb.To, to)
			}
		}
	}
	for _, mb := range byLine {
		if mb.Missed == 0 {
			continue
		}
		sort.Ints(mb.To)
		f.MissedBranches = append(f.MissedBranches, *mb)
	}
	sort.Slice(f.MissedBranches, func(i, j int) bool { return f.MissedBranches[i].Line < f.MissedBranches[j].Line })
	for _, mb := range f.MissedBranches {
		// The innermost function holding the line: the latest to start.
		var in *coverage.Function
		for _, fn := range f.Functions {
			if fn.Line <= mb.Line && mb.Line <= max(fn.EndLine, fn.Line) && (in == nil || fn.Line > in.Line) {
				in = fn
			}
		}
		if in != nil {
			in.MissedBranches += mb.Missed
		}
	}
}

// branchPlace reads a branch ID's line and, for a coverage.py arc
// ("12>-3", "12>15"), its destination; ok is false when the ID starts with
// no positive line number.
func branchPlace(id string) (line, to int, ok bool) {
	i := 0
	for i < len(id) && id[i] >= '0' && id[i] <= '9' {
		i++
	}
	line, err := strconv.Atoi(id[:i])
	if err != nil || line <= 0 || line > coverage.MaxLine {
		return 0, 0, false
	}
	if rest, found := strings.CutPrefix(id[i:], ">"); found {
		if n, err := strconv.Atoi(rest); err == nil && n >= -coverage.MaxLine && n <= coverage.MaxLine {
			to = n
		}
	}
	return line, to, true
}
