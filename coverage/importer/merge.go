package importer

import (
	"os"
	"path/filepath"
	"sort"
	"strings"

	"golang.org/x/tools/cover"

	"github.com/sprintkit/sprintkit/coverage"
)

type funcKey struct {
	name string
	line int
}

// mergedFile gathers one file's data from every input.
type mergedFile struct {
	rel      string
	lines    []LineHit
	funcs    map[funcKey]*FuncHit
	forder   []funcKey
	branches map[string]int // BranchHit.ID → times taken, summed over inputs
}

func (m *mergedFile) add(f *FileProfile) {
	m.lines = append(m.lines, f.Lines...)
	for _, b := range f.Branches {
		if m.branches == nil {
			m.branches = map[string]int{}
		}
		m.branches[b.ID] = coverage.AddHits(m.branches[b.ID], b.Taken)
	}
	for _, fn := range f.Functions {
		if fn.Line <= 0 {
			continue // named by FNDA without a FN: nowhere to put it
		}
		k := funcKey{fn.Name, fn.Line}
		have := m.funcs[k]
		if have == nil {
			c := fn
			if fn.Lines != nil { // a copy, kept non-nil even when empty
				c.Lines = append(make([]LineHit, 0, len(fn.Lines)), fn.Lines...)
			}
			m.funcs[k] = &c
			m.forder = append(m.forder, k)
			continue
		}
		have.Hits = coverage.AddHits(have.Hits, fn.Hits)
		if fn.EndLine > have.EndLine {
			have.EndLine = fn.EndLine
		}
		if fn.Lines != nil {
			have.Lines = append(have.Lines, fn.Lines...)
		}
	}
}

// file builds the model's File: one block per measured line, and the
// functions with their counts.
func (m *mergedFile) file(root string) *coverage.File {
	normalizeLines(&m.lines)
	f := &coverage.File{Path: m.rel, Rel: m.rel, Blocks: make([]cover.ProfileBlock, len(m.lines))}
	for i, l := range m.lines {
		f.Blocks[i] = cover.ProfileBlock{StartLine: l.Line, EndLine: l.Line, NumStmt: 1, Count: l.Count}
	}
	fns := make([]*FuncHit, 0, len(m.forder))
	for _, k := range m.forder {
		fns = append(fns, m.funcs[k])
	}
	sort.SliceStable(fns, func(i, j int) bool { return fns[i].Line < fns[j].Line })
	last := 0
	if n := len(m.lines); n > 0 {
		last = m.lines[n-1].Line
	}
	for i, fn := range fns {
		fm := &coverage.Function{Name: fn.Name, File: m.rel, Line: fn.Line, EndLine: fn.EndLine}
		if fn.Lines != nil {
			normalizeLines(&fn.Lines)
			fm.Counts = lineCounts(fn.Lines)
		} else {
			if fm.EndLine == 0 {
				// No end line (LCOV before 2.0): up to the next function, or
				// the last measured line.
				fm.EndLine = max(last, fm.Line)
				for _, next := range fns[i+1:] {
					if next.Line > fn.Line {
						fm.EndLine = next.Line - 1
						break
					}
				}
			}
			fm.Counts = lineCounts(linesIn(m.lines, fm.Line, fm.EndLine))
		}
		f.Functions = append(f.Functions, fm)
	}
	if root == "" {
		m.fileBranches(f)
		return f
	}
	path := filepath.Join(root, filepath.FromSlash(m.rel))
	f.Generated = isGeneratedSource(path)
	// Python files without functions in the data (coverage.py before 7.5,
	// in any of its formats) get them from the source.
	if len(f.Functions) == 0 && strings.HasSuffix(m.rel, ".py") {
		if src, err := os.ReadFile(path); err == nil {
			f.Functions = pythonFunctions(m.rel, src, m.lines)
		}
	}
	m.fileBranches(f)
	return f
}

// linesIn returns the lines within from..to of sorted lines.
func linesIn(lines []LineHit, from, to int) []LineHit {
	i := sort.Search(len(lines), func(i int) bool { return lines[i].Line >= from })
	j := sort.Search(len(lines), func(i int) bool { return lines[i].Line > to })
	if i >= j {
		return nil
	}
	return lines[i:j]
}

func lineCounts(lines []LineHit) coverage.Counts {
	var c coverage.Counts
	for _, l := range lines {
		c.Statements++
		if l.Count > 0 {
			c.Covered++
		}
	}
	return c
}
