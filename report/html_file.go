package report

import (
	"bufio"
	"bytes"
	"fmt"
	"html/template"
	"sort"
	"strconv"

	"github.com/sprintkit/sprintkit/coverage"
)

type fileView struct {
	page
	Name        string
	Package     string
	PkgHref     string
	Counts      coverage.Counts
	Bar         bar
	Generated   bool
	Funcs       []funcLink
	Missed      []rangeLink
	MissedLinks template.HTML // see html_rows.go
	FuncItems   template.HTML
	Unavailable string
	Note        string
	// NotRun says why this file's tests did not run (a Python test module
	// that failed to import): its red lines are not "no test reaches it".
	NotRun string
	// StartFrom is "TestX (x_test.go:5)", the test a target of this file
	// starts from (firsttest.go); LineTests the per-line data block
	// (linetests.go).
	StartFrom string
	LineTests template.HTML
	// src and states are written as the rows of the source table by
	// writeSourceRows, between the file-head and file-tail templates.
	src    []byte
	states []coverage.LineState
	toks   *hlTokens // src highlighted (highlight.go); nil: plain
}

type rangeLink struct{ Text, Href string }

// lineClass is the class of a source line per state; the stylesheet
// colours it and draws its marker, which the legend on the page explains.
var lineClass = [...]string{
	coverage.LineNone:      "",
	coverage.LineCovered:   "c",
	coverage.LineUncovered: "u",
	coverage.LinePartial:   "p",
}

// writeSourceRows writes one line of the source listing per source line,
// inside <ol class="source">:
//
//	<li class=u>escaped text<li>…
//
// A list item needs no end tag (the next <li> or the </ol> ends it), nor a
// newline (each row is a block: copying lines copies one newline per row),
// nor an id (row n is line n: site.js gives it the id L<n> as the page
// loads, so #L42 still lands on it), and the class name needs no quotes:
// that is the least markup that gives every line its state, which matters on a page of thousands of short lines (a module of
// small functions had as much markup per line as source). A line with no
// statement has no class. The stylesheet draws the line number (a CSS
// counter) and the marker that needs no colour (✓, ✗, ◐ by class) in the
// margin, so copying code copies only code; site.js makes the margin link
// to the line's anchor.
//
// Like Go's cmd/cover (html.go writes the source into a buffer, not through
// template actions), the lines are written here rather than by a {{range}}
// in the template: a 5,000-file project has millions of lines, and
// executing template actions per line made the site several times slower
// than `go tool cover -html`. They go straight to the page's writer, between
// the file-head and file-tail templates. The text still goes through
// html/template's own escaper (template.HTMLEscape); the only other values
// are line numbers and fixed strings.
func writeSourceRows(w *bufio.Writer, src []byte, states []coverage.LineState) {
	for i := 1; len(src) > 0; i++ {
		line := src
		if j := bytes.IndexByte(src, '\n'); j >= 0 {
			line, src = src[:j], src[j+1:]
		} else {
			src = nil
		}
		line = bytes.TrimSuffix(line, []byte("\r"))
		startRow(w, i, states)
		template.HTMLEscape(w, line)
	}
}

// startRow writes the start of line i's row: <li class=c>, or <li> for a
// line with no statement. The row has no id: site.js gives row n the id
// L<n> as the page loads.
func startRow(w *bufio.Writer, i int, states []coverage.LineState) {
	w.WriteString(`<li`)
	if i < len(states) {
		if class := lineClass[states[i]]; class != "" {
			w.WriteString(` class=`)
			w.WriteString(class)
		}
	}
	w.WriteByte('>')
}

func (s *site) filePageView(p *coverage.Package, f *coverage.File) *fileView {
	const up = "../"
	v := &fileView{page: s.page(fileLabel(f)+" — "+s.project, up), Name: fileLabel(f), Package: p.Name,
		PkgHref: up + s.pkgPage[p], Counts: f.Counts, Bar: mkBar(f.Percent), Generated: f.Generated}
	fns := append([]*coverage.Function(nil), f.Functions...)
	sort.SliceStable(fns, func(i, j int) bool { return fns[i].Line < fns[j].Line })
	for _, fn := range fns {
		if fn.Uncovered() == 0 {
			continue
		}
		v.Funcs = append(v.Funcs, funcLink{Name: fn.Name, Href: "#L" + strconv.Itoa(fn.Line), Line: fn.Line,
			Statements: fn.Statements, Covered: fn.Covered})
	}

	v.NotRun = f.NotRun
	v.StartFrom, v.LineTests = s.startFromOf(f), s.lineTestsBlock(f, up)
	var src []byte
	switch {
	case s.r.Root == "" || f.Rel == "":
		v.Unavailable = "the coverage data does not say where this file is on disk"
	default:
		b, problem := s.readSource(f.Rel)
		if problem != "" {
			v.Unavailable = problem
		} else {
			src = b
		}
	}
	var states []coverage.LineState
	if src != nil {
		states = f.SourceLineStates(src)
	} else {
		states = f.LineStates()
	}
	f.MarkBranchPartial(states) // a line with a branch never taken is partial
	v.Missed = missedLinks(states, "")
	v.MissedLinks, v.FuncItems = missedLinkList(v.Missed), funcItems(v.Funcs)
	if src == nil {
		return v
	}
	// states has one entry per source line (see SourceLineStates).
	if last, n := f.LastLine(), len(states)-1; last > n {
		v.Note = fmt.Sprintf("The coverage data reaches line %d but the source has %d lines: the file has changed since the tests ran, so the marks may be off.", last, n)
		s.warn(fmt.Sprintf("%s: the coverage data reaches line %d but the source has %d lines; lines past %d are left out of its page", f.Rel, last, n, n))
	}
	v.src, v.states = src, states
	v.toks = tokenise(v.Name, src, f.Tokens)
	return v
}

// missedLinks lists the missed lines as coverage.py writes them
// ("33-35, 41": runs of missed lines, joined across lines with no
// statement, as coverage.FormatRanges does), each linked to its first line.
func missedLinks(states []coverage.LineState, href string) []rangeLink {
	var out []rangeLink
	for _, r := range coverage.Ranges(coverage.Missed(states), func(l int) bool { return states[l] != coverage.LineNone }) {
		out = append(out, rangeLink{Text: r.String(), Href: href + "#L" + strconv.Itoa(r.From)})
	}
	return out
}
