package report

import (
	"bytes"
	"html/template"
	"sort"
	"strconv"

	"github.com/sprintkit/sprintkit/coverage"
)

// Which tests run each line
//
// A file page's rows carry no per-line test attributes (their markup is
// html_rows.go's and highlight.go's, written for speed). Instead the page
// ends with one compact data block,
//
//	<script type="application/json" id="line-tests">
//	{"tests":["TestA","TestB"],"lines":{"7":[0],"8":[0,1]}}
//	</script>
//	<script src="../assets/linetests.js"></script>
//
// the test names sorted, each line mapped to indices into them, lines in
// order, so the page is the same from run to run. linetests.js shows the
// tests of a line when its gutter (the line number) is hovered or clicked.
// A page of a file no measured test runs has neither.

// LineTests says which tests run the lines of a file: ForFile returns the
// names of the tests that run any line of the file whose coverage.File.Path
// is path, and for each line the indices into names of those that run it.
// *pertest.Map is one.
type LineTests interface {
	ForFile(path string) (names []string, lines map[int][]int)
}

// lineTestsBlock renders the data block and script of f's page; "" when
// there is nothing to show.
func (s *site) lineTestsBlock(f *coverage.File, up string) template.HTML {
	if s.opts.LineTests == nil {
		return ""
	}
	names, lines := s.opts.LineTests.ForFile(f.Path)
	if len(names) == 0 || len(lines) == 0 {
		return ""
	}
	nums := make([]int, 0, len(lines))
	for l := range lines {
		nums = append(nums, l)
	}
	sort.Ints(nums)
	var b bytes.Buffer
	b.WriteString(`<script type="application/json" id="line-tests">{"tests":[`)
	for i, n := range names {
		if i > 0 {
			b.WriteByte(',')
		}
		jsonString(&b, n)
	}
	b.WriteString(`],"lines":{`)
	for i, l := range nums {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteByte('"')
		b.WriteString(strconv.Itoa(l))
		b.WriteString(`":[`)
		idx := append([]int(nil), lines[l]...)
		sort.Ints(idx)
		for j, x := range idx {
			if j > 0 {
				b.WriteByte(',')
			}
			b.WriteString(strconv.Itoa(x))
		}
		b.WriteByte(']')
	}
	b.WriteString("}}</script>\n")
	b.WriteString(`<script src="`)
	template.HTMLEscape(&b, []byte(up+assetDir+"/linetests.js"))
	b.WriteString(`"></script>` + "\n")
	return template.HTML(b.String())
}

// jsonString writes s as a JSON string that is safe inside a <script>
// element: <, > and & are written as \u escapes, so no "</script>" ends it.
func jsonString(b *bytes.Buffer, s string) {
	const hex = "0123456789abcdef"
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r < 0x20 || r == '<' || r == '>' || r == '&' || r == 0x2028 || r == 0x2029:
			b.WriteString(`\u`)
			for sh := 12; sh >= 0; sh -= 4 {
				b.WriteByte(hex[(r>>sh)&0xf])
			}
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
}
