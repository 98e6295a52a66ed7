package report

import (
	"bytes"
	"html/template"
	"strconv"
	"strings"

	"github.com/sprintkit/sprintkit/coverage"
)

// Rows of the big tables, written here rather than by {{range}} in the
// templates.
//
// A 5,000-file project has tens of thousands of functions and a treemap box
// per file. html/template runs every action through reflection and an
// escaper call, and those actions were most of the time of writing such a
// site. So, as Go's cmd/cover does for its source view (it builds the body
// in a buffer and hands it to its template as template.HTML), these rows
// are written into a buffer. Every string that comes from the input (names,
// paths, tooltips, links) goes through html/template's own escaper,
// template.HTMLEscape, which is safe in element text and in double-quoted
// attribute values, the only two places used here; the rest is fixed markup
// and numbers. TestHTMLEscapesScriptInSourceAndNamesOnEveryPage checks it.

type rowBuf struct{ bytes.Buffer }

func (b *rowBuf) raw(s string) *rowBuf { b.WriteString(s); return b }

func (b *rowBuf) esc(s string) *rowBuf {
	escapeString(&b.Buffer, s)
	return b
}

// cells writes statements, covered, uncovered and coverage with its bar.
func (b *rowBuf) cells(c coverage.Counts) *rowBuf {
	b.Write(appendCells(b.AvailableBuffer(), -1, c))
	return b
}

// href writes ` href=` and the link: bare when it is made only of
// characters an unquoted attribute value may hold and a site path or line
// anchor is made of (../src/a_b.go-0ec220c6.html#L12), else quoted and
// escaped. The quotes were two bytes of each of a package page's thousands
// of function rows and of a file page's links to its lines.
func (b *rowBuf) href(s string) *rowBuf {
	if bareValue(s) {
		return b.raw(` href=`).raw(s)
	}
	return b.raw(` href="`).esc(s).raw(`"`)
}

// bareValue reports whether s may be written as an unquoted attribute
// value: not empty, and only letters, digits and . _ - / # : % ~ + ,.
func bareValue(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		case strings.IndexByte("._-/#:%~+,", c) >= 0:
		default:
			return false
		}
	}
	return true
}

func (b *rowBuf) html() template.HTML { return template.HTML(b.String()) }

// The rows of the file and function tables leave out the end tags HTML
// lets go (</td>, </tr>), and a function's name is set in code type by the
// stylesheet (table.funcs), not by a <code> in each of thousands of rows.

// fileRows writes the rows of a package's file table.
func fileRows(rows []*countRow) template.HTML {
	var b rowBuf
	b.Grow(len(rows) * 400)
	for _, r := range rows {
		b.raw("<tr")
		if r.Full {
			b.raw(` class=full`)
		}
		b.raw(`><td><a`).href(r.Href).raw(`>`).esc(r.Name).raw(`</a>`)
		if r.Generated {
			b.raw(` <span class="tag">generated</span>`)
		}
		b.cells(r.Counts).raw("\n")
	}
	return b.html()
}

// funcRows writes the rows of a package's function table.
func funcRows(rows []*countRow) template.HTML {
	var b rowBuf
	b.Grow(len(rows) * 420)
	for _, r := range rows {
		b.raw("<tr")
		if r.Full {
			b.raw(` class=full`)
		}
		b.raw(`><td><a`).href(r.Href).raw(`>`).esc(r.Name).raw(`</a><td>`).
			esc(r.Loc).cells(r.Counts).raw("\n")
	}
	return b.html()
}

// treemapBoxes writes the boxes of a treemap, each a link around a <rect>
// with a <title> tooltip and, when it fits, a <text> label.
func treemapBoxes(boxes []tmBox) template.HTML {
	var b rowBuf
	b.Grow(len(boxes) * 260)
	for _, x := range boxes {
		b.raw(`<a href="`).esc(x.Href).raw(`"><rect `).raw(string(x.Rect)).raw(`><title>`).esc(x.Tip).raw(`</title></rect>`)
		if x.Label != "" {
			b.raw(`<text `).raw(string(x.At)).raw(`>`).esc(x.Label).raw(`</text>`)
		}
		b.raw("</a>\n")
	}
	return b.html()
}

// funcItems writes the list items of a file's uncovered functions, with no
// </li> (the next <li> or the </ul> ends each); the stylesheet sets the
// names in code type (.uncovered-funcs). A name's <a> has no href: site.js
// links it to the line the item names ("line 19") as the page loads, as it
// gives the lines their ids.
func funcItems(fns []funcLink) template.HTML {
	var b rowBuf
	for _, f := range fns {
		b.raw(`<li><a>`).esc(f.Name).raw(`</a> line `).
			raw(strconv.Itoa(f.Line)).raw(`, `).raw(strconv.Itoa(f.Covered)).raw("/").raw(strconv.Itoa(f.Statements)).raw(" covered")
		if f.Covered == 0 {
			b.raw(" — no test reaches it")
		}
		b.raw("\n")
	}
	return b.html()
}

// missedLinkList writes "33-35, 41", the ranges of a file page's missed
// lines, as text in a <span>: site.js links each range to its first line
// as the page loads, as it gives the lines their ids (#L33), so a link
// written here would reach nothing the script does not make anyway. A
// page of small functions lists a hundred ranges, and their links were a
// twelfth of its bytes.
func missedLinkList(links []rangeLink) template.HTML {
	var b rowBuf
	b.raw("<span>")
	for i, l := range links {
		if i > 0 {
			b.raw(", ")
		}
		b.esc(l.Text)
	}
	b.raw("</span>")
	return b.html()
}
