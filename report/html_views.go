package report

import (
	"html/template"
	"sort"
	"strconv"
	"strings"

	"github.com/sprintkit/sprintkit/coverage"
	"github.com/sprintkit/sprintkit/patchcov"
)

// groupDigits writes 1234567 as "1,234,567" for the summaries (tables keep
// plain numbers, which site.js sorts by).
func groupDigits(n int) string {
	s := strconv.Itoa(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

func tone(p float64) string {
	switch {
	case p < 50:
		return "lo"
	case p < 80:
		return "mid"
	}
	return "hi"
}

// The view types are flat structs of ready-made strings and numbers:
// html/template looks fields up by reflection on every action, and through
// embedded structs that lookup showed up at the top of the profile of a
// 5,000-file site.
type targetView struct {
	Rank       int
	Kind       string
	Name       string
	Href       string
	Bar        bar
	Uncovered  int
	Statements int
	Score      string
	Reason     string
	Note       string // a pinned target's note from sprintkit.toml
	Pinned     bool
	Funcs      []funcLink
	More       int
	StartFrom  string // "TestX (x_test.go:5)" (firsttest.go)
	StartWhy   string
}

// bar is a coverage figure with its bar: "38.1%", a tone class and a width.
type bar struct {
	Pct   string
	Tone  string
	Width template.CSS
}

func mkBar(p float64) bar {
	s := strconv.FormatFloat(p, 'f', 1, 64)
	return bar{Pct: s + "%", Tone: tone(p), Width: template.CSS("width: " + s + "%")}
}

type funcLink struct {
	Name, Href, Loc     string
	Line                int
	Statements, Covered int
}

func (s *site) targetViews(up string, ts []coverage.Target, nfn int) []targetView {
	var out []targetView
	for _, t := range ts {
		v := targetView{Rank: t.Rank, Kind: t.Kind, Name: t.Name, Bar: mkBar(t.Percent), Uncovered: t.Uncovered,
			Statements: t.Statements, Score: strconv.FormatFloat(t.Score, 'f', 1, 64), Reason: t.Reason,
			Note: t.Note, Pinned: t.Pinned, StartFrom: startFromText(t)}
		if t.StartFrom != nil {
			v.StartWhy = t.StartFrom.Why
		}
		switch t.Kind {
		case "package":
			v.Href = s.pkgHref(up, t.Name)
		default:
			v.Href = s.fileHref(up, t.File, t.Line)
		}
		for i, f := range t.Functions {
			if nfn > 0 && i == nfn {
				v.More = len(t.Functions) - nfn
				break
			}
			v.Funcs = append(v.Funcs, funcLink{Name: f.Name, Href: s.fileHref(up, f.File, f.Line),
				Loc: f.File + ":" + strconv.Itoa(f.Line), Line: f.Line, Statements: f.Statements, Covered: f.Covered})
		}
		out = append(out, v)
	}
	return out
}

// countRow is a row of a package, file or function table. On the index,
// Cells holds the package row's number cells, pre-rendered by numCells from
// integers and a formatted float only; the package page's big tables are
// written whole by html_rows.go.
type countRow struct {
	Cells      template.HTML
	Counts     coverage.Counts
	Name, Href string
	Loc        string // functions: file:line
	Line       int
	Order      int // position in rank order (packages)
	Rank       int
	Files      int
	Statements int
	Covered    int
	Uncovered  int
	Full       bool
	Generated  bool
}

func rowOf(name, href string, c coverage.Counts) countRow {
	return countRow{Name: name, Href: href, Statements: c.Statements, Covered: c.Covered,
		Uncovered: c.Uncovered(), Counts: c, Full: c.Statements > 0 && c.Uncovered() == 0}
}

// numCells writes the cells [files,] statements, covered, uncovered and
// coverage with its bar; files < 0 leaves the files cell out. The cells
// are <td>s of tables whose number columns the stylesheet aligns (HTML
// lets a td's end tag go when another td or tr follows). The coverage
// cell draws its own bar, <td class=TONE style=--w:P%>P%, which the
// stylesheet fills to P% (a package page of thousands of function rows
// carries one per row).
func numCells(files int, c coverage.Counts) template.HTML {
	return template.HTML(appendCells(make([]byte, 0, 256), files, c))
}

func appendCells(b []byte, files int, c coverage.Counts) []byte {
	cell := func(n int) {
		b = append(b, `<td>`...)
		b = strconv.AppendInt(b, int64(n), 10)
	}
	if files >= 0 {
		cell(files)
	}
	cell(c.Statements)
	cell(c.Covered)
	cell(c.Uncovered())
	pct := strconv.FormatFloat(c.Percent, 'f', 1, 64)
	b = append(b, `<td class=`...)
	b = append(b, tone(c.Percent)...)
	b = append(b, ` style=--w:`...)
	b = append(b, strings.TrimSuffix(pct, ".0")...) // the same width, 2 bytes less
	b = append(b, `%>`...)
	b = append(b, pct...)
	b = append(b, '%')
	return b
}

type indexView struct {
	page
	CommitFull string
	Total      coverage.Counts
	Bar        bar
	Kind       string
	Files      int
	Targets    []targetView
	Packages   []countRow
	Treemap    *treemapView
	Failed     []coverage.TestResult
	Flaky      []coverage.TestResult // failed once, then passed when re-run alone
	Warnings   []string
	Crashes    []string // CrashNotes: test binaries that died
	Patch      *patchcov.Coverage
}

func (s *site) index() *indexView {
	v := &indexView{page: s.page(s.project+" — sprint targets", ""), CommitFull: s.commit,
		Total: s.r.Total, Bar: mkBar(s.r.Total.Percent), Targets: s.targetViews("", s.targets, firstTests), Failed: s.r.Failed(), Flaky: s.r.Flaky(), Warnings: s.r.Warnings,
		Crashes: CrashNotes(s.r), Patch: s.opts.Patch}
	v.Kind = "packages"
	if len(s.targets) > 0 {
		v.Kind = s.targets[0].Kind + "s"
	}
	var nodes []tmNode
	for _, p := range s.r.Packages {
		v.Files += len(p.Files)
		row := rowOf(p.Name, s.pkgPage[p], p.Counts)
		row.Files = len(p.Files)
		row.Cells = numCells(len(p.Files), p.Counts)
		if p.NoData != "" {
			row.Cells = noDataCells(len(p.Files), p.Statements, p.NoData)
		}
		row.Rank = s.pkgRank[p.Name]
		v.Packages = append(v.Packages, row)
		n := tmNode{name: p.Name, href: s.pkgPage[p], counts: p.Counts}
		for _, f := range p.Files {
			n.children = append(n.children, tmNode{name: fileLabel(f), href: s.filePage[f], counts: f.Counts})
		}
		nodes = append(nodes, n)
	}
	// Server order is the rank order; unranked packages follow, most
	// uncovered first.
	sort.SliceStable(v.Packages, func(i, j int) bool {
		a, b := v.Packages[i], v.Packages[j]
		if (a.Rank == 0) != (b.Rank == 0) {
			return a.Rank != 0
		}
		if a.Rank != b.Rank {
			return a.Rank < b.Rank
		}
		if a.Uncovered != b.Uncovered {
			return a.Uncovered > b.Uncovered
		}
		return a.Name < b.Name
	})
	for i := range v.Packages {
		v.Packages[i].Order = i + 1
	}
	v.Treemap = buildTreemap(nodes, treemapH, "Packages (outlined) and their files.")
	return v
}

func fileLabel(f *coverage.File) string {
	if f.Rel != "" {
		return f.Rel
	}
	return f.Path
}

type packageView struct {
	page
	Name     string
	Dir      string
	Notes    string
	Counts   coverage.Counts
	Bar      bar
	Targets  []targetView
	Files    []*countRow
	Funcs    []*countRow
	FileRows template.HTML // see html_rows.go
	FuncRows template.HTML
	Treemap  *treemapView
}

func (s *site) packagePage(p *coverage.Package) *packageView {
	const up = "../"
	v := &packageView{page: s.page(p.Name+" — "+s.project, up), Name: p.Name, Dir: p.Dir, Counts: p.Counts, Bar: mkBar(p.Percent)}
	var notes []string
	if p.IsMain {
		notes = append(notes, "main package")
	}
	if p.TestSupport && p.SupportReason != "" {
		notes = append(notes, "test-support code ("+p.SupportReason+")")
	} else if p.TestSupport {
		notes = append(notes, "test-support code")
	}
	v.Notes = strings.Join(notes, ", ")
	var mine []coverage.Target
	for _, t := range s.targets {
		if t.Package == p.Name {
			mine = append(mine, t)
		}
	}
	v.Targets = s.targetViews(up, mine, 0)
	var nodes []tmNode
	for _, f := range p.Files {
		row := rowOf(fileLabel(f), up+s.filePage[f], f.Counts)
		row.Generated = f.Generated
		v.Files = append(v.Files, &row)
		nodes = append(nodes, tmNode{name: fileLabel(f), href: up + s.filePage[f], counts: f.Counts})
		for _, fn := range f.Functions {
			row := rowOf(fn.Name, up+s.filePage[f]+"#L"+strconv.Itoa(fn.Line), fn.Counts)
			row.Loc, row.Line = fileLabel(f)+":"+strconv.Itoa(fn.Line), fn.Line
			v.Funcs = append(v.Funcs, &row)
		}
	}
	sort.SliceStable(v.Files, func(i, j int) bool {
		a, b := v.Files[i], v.Files[j]
		if a.Uncovered != b.Uncovered {
			return a.Uncovered > b.Uncovered
		}
		return a.Name < b.Name
	})
	sort.SliceStable(v.Funcs, func(i, j int) bool {
		a, b := v.Funcs[i], v.Funcs[j]
		if a.Uncovered != b.Uncovered {
			return a.Uncovered > b.Uncovered
		}
		if a.Loc != b.Loc {
			return a.Loc < b.Loc
		}
		return a.Line < b.Line
	})
	v.FileRows, v.FuncRows = fileRows(v.Files), funcRows(v.Funcs)
	v.Treemap = buildTreemap(nodes, treemapH/2, "Files of this package.")
	return v
}
