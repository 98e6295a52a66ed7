package patchcov

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"golang.org/x/tools/cover"

	"github.com/sprintkit/sprintkit/coverage"
)

// Coverage is the patch coverage of a change: the statements on its added
// or changed lines and how many of them ran.
type Coverage struct {
	Ref        string  `json:"ref"`
	Statements int     `json:"statements"`
	Covered    int     `json:"covered"`
	Percent    float64 `json:"percent"` // rounded to one decimal; 0 when there are no statements
	Files      []*File `json:"files"`
	// Tests are the test functions the change adds or changes.
	Tests []Test `json:"tests,omitempty"`
	// NewlyCovered is how many statements no baseline test ran that run
	// now, and NewlyCoveredFunctions the functions they are in (Credit);
	// 0 and empty (and left out of the JSON) without a baseline that has
	// function counts, or when nothing gained.
	NewlyCovered          int                 `json:"newly_covered,omitempty"`
	NewlyCoveredFunctions []coverage.FuncGain `json:"newly_covered_functions,omitempty"`
}

// Credit records what the run gained against the baseline (d may be nil:
// no baseline).
func (c *Coverage) Credit(d *coverage.Delta) {
	if d == nil {
		return
	}
	c.NewlyCovered = d.NewlyCovered
	c.NewlyCoveredFunctions = d.Gains
}

// File is one changed file that holds statements on its changed lines.
type File struct {
	Path       string  `json:"path"` // relative to the checkout, slash-separated
	Statements int     `json:"statements"`
	Covered    int     `json:"covered"`
	Percent    float64 `json:"percent"`
	Uncovered  []Range `json:"uncovered"`
	// Changed are the added or changed lines (moved lines left out), and
	// States the coverage state of each line holding a statement, for
	// marking the source.
	Changed []int                      `json:"-"`
	States  map[int]coverage.LineState `json:"-"`
}

// Range is a run of lines, inclusive.
type Range = coverage.LineRange

// Uncovered returns Statements - Covered.
func (c *Coverage) Uncovered() int { return c.Statements - c.Covered }

// Below reports whether the patch coverage is under pct percent. A change
// without statements is never below.
func (c *Coverage) Below(pct float64) bool {
	return c.Statements > 0 && 100*float64(c.Covered) < pct*float64(c.Statements)
}

// UncoveredList formats the uncovered ranges as "url/parse.go:41-43,
// url/parse.go:50, a.go:3", at most max ranges followed by "…" (0: all).
func (c *Coverage) UncoveredList(max int) string {
	var parts []string
	for _, f := range c.Files {
		for _, r := range f.Uncovered {
			parts = append(parts, f.Path+":"+r.String())
		}
	}
	if max > 0 && len(parts) > max {
		parts = append(parts[:max], "…")
	}
	return strings.Join(parts, ", ")
}

// Summary is the one line watch-test prints after a run:
// "your change: 14/16 new statements covered (uncovered: url/parse.go:41-43)".
func (c *Coverage) Summary() string {
	if c.Statements == 0 {
		return "your change: no new statements"
	}
	s := fmt.Sprintf("your change: %d/%d new statements covered", c.Covered, c.Statements)
	if c.Covered < c.Statements {
		s += " (uncovered: " + c.UncoveredList(5) + ")"
	}
	return s
}

// Compute measures the changes ch (paths relative to r.Root) against the
// result r, reading each changed file's source from r.Root. Files the result
// does not measure (tests, docs, packages outside the run) add nothing.
func Compute(r *coverage.Result, ch *Changes) *Coverage {
	out := &Coverage{Ref: ch.Ref, Files: []*File{}, Tests: changedTests(r.Root, ch), NewlyCoveredFunctions: []coverage.FuncGain{}}
	for _, p := range r.Packages {
		if p.NoData != "" {
			continue
		}
		for _, f := range p.Files {
			changed := ch.Lines(f.Rel)
			if f.Rel == "" || len(changed) == 0 {
				continue
			}
			src, _ := os.ReadFile(filepath.Join(r.Root, filepath.FromSlash(f.Rel)))
			pf := measure(f, src, changed)
			pf.Path = f.Rel
			if pf.Statements == 0 {
				continue
			}
			out.Statements += pf.Statements
			out.Covered += pf.Covered
			out.Files = append(out.Files, pf)
		}
	}
	sort.Slice(out.Files, func(i, j int) bool { return out.Files[i].Path < out.Files[j].Path })
	out.Percent = coverage.Percent(out.Covered, out.Statements)
	return out
}

// stmt is one statement: the line it starts on and whether it ran.
type stmt struct {
	line    int
	covered bool
}

func measure(f *coverage.File, src []byte, changed []int) *File {
	isChanged := map[int]bool{}
	for _, l := range changed {
		isChanged[l] = true
	}
	pf := &File{Changed: changed, States: map[int]coverage.LineState{}}
	var missed []int
	for _, s := range statements(f, src) {
		if !isChanged[s.line] {
			continue
		}
		pf.Statements++
		st := coverage.LineUncovered
		if s.covered {
			pf.Covered++
			st = coverage.LineCovered
		}
		switch cur, ok := pf.States[s.line]; {
		case !ok:
			pf.States[s.line] = st
		case cur != st:
			pf.States[s.line] = coverage.LinePartial
		}
	}
	for l, st := range pf.States {
		if st != coverage.LineCovered {
			missed = append(missed, l)
		}
	}
	sort.Ints(missed)
	pf.Uncovered = coverage.Ranges(missed, func(l int) bool { _, ok := pf.States[l]; return ok })
	pf.Percent = coverage.Percent(pf.Covered, pf.Statements)
	return pf
}

// statements places f's statements on lines (see the package doc).
func statements(f *coverage.File, src []byte) []stmt {
	lineBased := true
	for _, b := range f.Blocks {
		if b.StartCol != 0 || b.EndCol != 0 {
			lineBased = false
			break
		}
	}
	var starts []token.Position
	if !lineBased && src != nil {
		starts = goStatements(src)
	}
	var out []stmt
	for _, b := range f.Blocks {
		if b.NumStmt == 0 {
			continue
		}
		if lineBased {
			for i := 0; i < b.NumStmt; i++ {
				out = append(out, stmt{b.StartLine, b.Count > 0})
			}
			continue
		}
		var lines []int
		for _, p := range starts {
			if inside(b, p) && innermost(f.Blocks, b, p) {
				lines = append(lines, p.Line)
			}
		}
		if len(lines) == 0 {
			lines = []int{b.StartLine}
		}
		for i := 0; i < b.NumStmt; i++ {
			out = append(out, stmt{lines[min(i, len(lines)-1)], b.Count > 0})
		}
	}
	return out
}

func before(l1, c1, l2, c2 int) bool { return l1 < l2 || l1 == l2 && c1 < c2 }

// inside reports whether p is in [start, end) of b.
func inside(b cover.ProfileBlock, p token.Position) bool {
	return !before(p.Line, p.Column, b.StartLine, b.StartCol) && before(p.Line, p.Column, b.EndLine, b.EndCol)
}

// innermost reports whether no other block holding p starts after b does.
func innermost(blocks []cover.ProfileBlock, b cover.ProfileBlock, p token.Position) bool {
	for _, o := range blocks {
		if o == b || o.NumStmt == 0 || !inside(o, p) {
			continue
		}
		if before(b.StartLine, b.StartCol, o.StartLine, o.StartCol) {
			return false
		}
	}
	return true
}

// goStatements returns where each statement of a statement list starts: the
// statements cmd/cover counts. nil when src does not parse.
func goStatements(src []byte) []token.Position {
	fset := token.NewFileSet()
	file, err := parser.ParseFile(fset, "", src, parser.SkipObjectResolution)
	if err != nil {
		return nil
	}
	var out []token.Position
	add := func(list []ast.Stmt) {
		for _, s := range list {
			if _, empty := s.(*ast.EmptyStmt); empty {
				continue
			}
			out = append(out, fset.Position(s.Pos()))
		}
	}
	ast.Inspect(file, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.BlockStmt:
			add(n.List)
		case *ast.CaseClause:
			add(n.Body)
		case *ast.CommClause:
			add(n.Body)
		}
		return true
	})
	return out
}
