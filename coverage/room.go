package coverage

import (
	"fmt"
	"sort"
	"strings"

	"github.com/sprintkit/sprintkit/internal/human"
)

// Targets for a room
//
// A sprint room holds many sprinters, each on a target of their own. When
// the default unit (DefaultUnit) gives fewer targets than RankOptions.Room,
// RankRoom splits the largest targets into the next unit down: packages
// into their files, then files into their functions, largest first, until
// the room has enough or nothing is left worth splitting. A target is
// split only when it has at least two children with uncovered code and at
// least roomSplitMin uncovered statements: a smaller one is one sitting
// already. A unit the caller asks for (RankOptions.By) is never split.

const roomSplitMin = 2 * sprintSize

// RankRoom ranks the targets of r like Rank and, when it split targets for
// the room, says so ("split 1 package into 30 file targets for a room of
// 20"); the note is "" otherwise.
func RankRoom(r *Result, opts RankOptions) ([]Target, string) {
	by := opts.By
	if by == "" {
		by = DefaultUnit(r)
	}
	ts := rankUnits(r, opts, by)
	var said []string
	if opts.By == "" && opts.Room > 1 {
		levels := []string{"package", "file", "function"}
		start := 0
		for levels[start] != by && start+1 < len(levels) {
			start++
		}
		for i := start; i+1 < len(levels) && len(ts) < opts.Room; i++ {
			var n, into int
			ts, n, into = splitLevel(ts, rankUnits(r, opts, levels[i+1]), levels[i], opts.Room)
			if n > 0 {
				said = append(said, fmt.Sprintf("%s into %s", human.Count(n, levels[i], levels[i]+"s"), human.Count(into, levels[i+1]+" target", levels[i+1]+" targets")))
			}
		}
	}
	sortTargets(ts)
	markShapes(ts)
	note := ""
	if len(said) > 0 {
		note = fmt.Sprintf("split %s for a room of %d", strings.Join(said, " and "), opts.Room)
	}
	return numbered(ts, opts.Top), note
}

// splitLevel replaces the largest targets of kind by their children (the
// targets of the next unit down that lie in them) until there are room
// targets; it returns the targets, how many it split and into how many.
func splitLevel(ts, below []Target, kind string, room int) ([]Target, int, int) {
	children := map[string][]Target{}
	for _, c := range below {
		parent := c.Package
		if kind == "file" {
			parent = c.File
		}
		children[parent] = append(children[parent], c)
	}
	var cands []int
	for i, t := range ts {
		key := t.Name
		if kind == "file" {
			key = t.File
		}
		if t.Kind == kind && t.work() >= roomSplitMin && len(children[key]) >= 2 {
			cands = append(cands, i)
		}
	}
	sort.SliceStable(cands, func(a, b int) bool { return ts[cands[a]].work() > ts[cands[b]].work() })
	split := map[int]bool{}
	count, n, into := len(ts), 0, 0
	for _, i := range cands {
		if count >= room {
			break
		}
		key := ts[i].Name
		if kind == "file" {
			key = ts[i].File
		}
		split[i] = true
		n++
		into += len(children[key])
		count += len(children[key]) - 1
	}
	if n == 0 {
		return ts, 0, 0
	}
	out := make([]Target, 0, count)
	for i, t := range ts {
		if !split[i] {
			out = append(out, t)
			continue
		}
		key := t.Name
		if kind == "file" {
			key = t.File
		}
		out = append(out, children[key]...)
	}
	return out, n, into
}
