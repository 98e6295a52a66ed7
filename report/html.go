package report

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"github.com/sprintkit/sprintkit/internal/human"
	"html/template"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"golang.org/x/sync/errgroup"

	"github.com/sprintkit/sprintkit/coverage"
	"github.com/sprintkit/sprintkit/internal/quickopen"
	"github.com/sprintkit/sprintkit/patchcov"
	"github.com/sprintkit/sprintkit/report/templates"
)

// HTMLOptions shapes the static HTML site.
type HTMLOptions struct {
	Title   string // project name; r.Project when empty
	Commit  string // commit shown on the pages; r.Commit when empty
	Workers int    // parallel page writers; 0 means GOMAXPROCS
	// Progress, when set, is called after each page is written, one call
	// at a time, with the number of pages written and the total.
	Progress func(done, total int)
	// Warn, when set, is called one call at a time with a message about a
	// file whose page leaves something out: a source outside the checkout,
	// or coverage data past the end of the source.
	Warn func(msg string)
	// Patch, when set, adds the "Your change" page, patch.html (patch.go),
	// linked from the index.
	Patch *patchcov.Coverage
}

// The site's layout. Every page name comes from pageNamer, so any package
// or file path, however odd, maps to a flat, safe, unique file name.
//
//	index.html          project, commit, date, total, ranked targets, package table, treemap
//	pkg/<name>.html     one page per package: files and functions by uncovered statements
//	src/<name>.html     one page per source file: marked, highlighted source (highlight.go), uncovered functions, missed ranges
//	assets/style.css    shared stylesheet (dark mode, print)
//	assets/site.js      sortable tables and the package filter; pages work without it
//	.sprintkit-report   marker: only a directory holding it is ever replaced
const (
	siteMarker = ".sprintkit-report"
	pkgDir     = "pkg"
	srcDir     = "src"
	assetDir   = "assets"
	firstTests = 5 // first-test functions shown per target on the index
)

var parsePages = sync.OnceValues(func() (*template.Template, error) {
	return template.New("site").Funcs(template.FuncMap{"n": groupDigits}).ParseFS(templates.FS, templates.Pages...)
})

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

// HTML writes the static report site into dir and returns the path of its
// index.html. The pages are written in parallel into a temporary sibling
// directory that is renamed into place at the end, so dir never holds a
// half-written site; an existing dir is replaced only when it is empty or
// a previous report (it holds the .sprintkit-report marker), and an existing
// dir keeps its permission bits. Sources are read from
// filepath.Join(r.Root, file.Rel) only when that path, with symlinks
// resolved, is inside the resolved r.Root (see readSource); a file whose
// source is missing or outside gets a page that says so.
func HTML(ctx context.Context, dir string, r *coverage.Result, targets []coverage.Target, opts HTMLOptions) (index string, err error) {
	tmpl, err := parsePages()
	if err != nil {
		return "", fmt.Errorf("html report: parse templates: %w", err)
	}
	if r == nil {
		return "", errors.New("html report: no coverage result")
	}
	dir = filepath.Clean(dir)
	if err := checkReplaceable(dir); err != nil {
		return "", err
	}
	parent := filepath.Dir(dir)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return "", fmt.Errorf("html report: %w", err)
	}
	tmp, err := os.MkdirTemp(parent, "."+filepath.Base(dir)+".tmp-")
	if err != nil {
		return "", fmt.Errorf("html report: %w", err)
	}
	defer func() {
		if err != nil {
			os.RemoveAll(tmp)
		}
	}()
	mode, err := siteMode(dir, tmp)
	if err != nil {
		return "", fmt.Errorf("html report: %w", err)
	}
	s := newSite(r, targets, opts)
	if err := s.renderChrome(tmpl); err != nil {
		return "", err
	}
	if err := s.write(ctx, tmpl, tmp); err != nil {
		return "", err
	}
	// The mode is set last: a user's read-only 0500 directory stays so
	// without keeping the pages from being written.
	if err := os.Chmod(tmp, mode); err != nil {
		return "", fmt.Errorf("html report: %w", err)
	}
	if err := replaceDir(tmp, dir); err != nil {
		return "", err
	}
	return filepath.Join(dir, "index.html"), nil
}

// siteMode is the mode the site's directory gets: the permission bits of
// an existing dir (the user's 0700 stays 0700), else 0755 less the umask,
// as os.Mkdir would create it. The umask is learnt by making a directory
// in tmp, since reading it (syscall.Umask) sets it for the whole process.
func siteMode(dir, tmp string) (fs.FileMode, error) {
	if fi, err := os.Stat(dir); err == nil && fi.IsDir() {
		return fi.Mode().Perm(), nil
	}
	probe := filepath.Join(tmp, ".mode")
	if err := os.Mkdir(probe, 0o755); err != nil {
		return 0, err
	}
	fi, err := os.Stat(probe)
	if rerr := os.Remove(probe); err == nil {
		err = rerr
	}
	if err != nil {
		return 0, err
	}
	return fi.Mode().Perm(), nil
}

// checkReplaceable refuses to replace a directory that is not ours.
func checkReplaceable(dir string) error {
	fi, err := os.Stat(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("html report: %w", err)
	}
	if !fi.IsDir() {
		return fmt.Errorf("html report: %s exists and is not a directory", dir)
	}
	if _, err := os.Stat(filepath.Join(dir, siteMarker)); err == nil {
		return nil
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("html report: %w", err)
	}
	if len(entries) > 0 {
		return fmt.Errorf("html report: %s is not empty and holds no previous report; refusing to replace it", dir)
	}
	return nil
}

// replaceDir renames tmp to dir, moving an existing dir aside first and
// removing it once the new site is in place.
func replaceDir(tmp, dir string) error {
	old := ""
	if _, err := os.Stat(dir); err == nil {
		o, err := os.MkdirTemp(filepath.Dir(dir), "."+filepath.Base(dir)+".old-")
		if err != nil {
			return fmt.Errorf("html report: %w", err)
		}
		if err := os.Remove(o); err != nil {
			return fmt.Errorf("html report: %w", err)
		}
		if err := os.Rename(dir, o); err != nil {
			return fmt.Errorf("html report: move old report aside: %w", err)
		}
		old = o
	}
	if err := os.Rename(tmp, dir); err != nil {
		if old != "" {
			os.Rename(old, dir)
		}
		return fmt.Errorf("html report: %w", err)
	}
	if old != "" {
		os.RemoveAll(old)
	}
	return nil
}

// site is the view model of the whole report, built before any writing.
type site struct {
	r        *coverage.Result
	targets  []coverage.Target
	opts     HTMLOptions
	project  string
	commit   string // short
	date     string
	pkgPage  map[*coverage.Package]string // "pkg/x.html"
	filePage map[*coverage.File]string    // "src/x.html"
	byName   map[string]*coverage.File    // Rel and Path → file
	pkgRank  map[string]int               // package → best rank of its targets
	chrome   map[string][2]template.HTML  // depth → rendered chrome and foot
	root     string                       // r.Root made absolute
	realRoot string                       // root with symlinks resolved; "" when it cannot be
	warnMu   sync.Mutex
	dirMu    sync.Mutex
	realDirs map[string]string // directory → its resolved path inside realRoot, "" when not (readSource)
}

func newSite(r *coverage.Result, targets []coverage.Target, opts HTMLOptions) *site {
	s := &site{r: r, targets: targets, opts: opts,
		pkgPage: map[*coverage.Package]string{}, filePage: map[*coverage.File]string{},
		byName: map[string]*coverage.File{}, pkgRank: map[string]int{}}
	s.project = opts.Title
	if s.project == "" {
		s.project = r.Project
	}
	if s.project == "" {
		s.project = "coverage report"
	}
	s.commit = opts.Commit
	if s.commit == "" {
		s.commit = r.Commit
	}
	if !r.Generated.IsZero() {
		s.date = r.Generated.UTC().Format("2006-01-02 15:04 UTC")
	}
	if r.Root != "" {
		if abs, err := filepath.Abs(r.Root); err == nil {
			s.root = abs
			if real, err := filepath.EvalSymlinks(abs); err == nil {
				s.realRoot = real
			}
		}
	}
	pn, fn := newPageNamer(), newPageNamer()
	for _, p := range r.Packages {
		s.pkgPage[p] = path.Join(pkgDir, pn.name(p.Name))
		for _, f := range p.Files {
			s.filePage[f] = path.Join(srcDir, fn.name(fileLabel(f)))
			if f.Rel != "" {
				s.byName[f.Rel] = f
			}
			if _, ok := s.byName[f.Path]; !ok {
				s.byName[f.Path] = f
			}
		}
	}
	for _, t := range targets {
		if best, ok := s.pkgRank[t.Package]; !ok || t.Rank < best {
			s.pkgRank[t.Package] = t.Rank
		}
	}
	return s
}

// page is what every page template needs.
type page struct {
	Title   string
	Up      string // "" at the top, "../" in pkg/ and src/
	Project string
	Commit  string
	Date    string
	// Chrome and Foot are the "chrome" and "foot" templates rendered once
	// per depth (see chrome); "top" and "bottom" embed them.
	Chrome, Foot template.HTML
}

func (s *site) page(title, up string) page {
	p := page{Title: title, Up: up, Project: s.project, Commit: human.Commit(s.commit), Date: s.date}
	c := s.chrome[up]
	p.Chrome, p.Foot = c[0], c[1]
	return p
}

// renderChrome renders the header and footer shared by the pages at each
// depth, once, instead of once per page.
func (s *site) renderChrome(tmpl *template.Template) error {
	s.chrome = map[string][2]template.HTML{}
	for _, up := range []string{"", "../"} {
		p := page{Up: up, Project: s.project, Commit: human.Commit(s.commit), Date: s.date}
		var head, foot strings.Builder
		if err := tmpl.ExecuteTemplate(&head, "chrome", p); err != nil {
			return fmt.Errorf("html report: %w", err)
		}
		if err := tmpl.ExecuteTemplate(&foot, "foot", p); err != nil {
			return fmt.Errorf("html report: %w", err)
		}
		s.chrome[up] = [2]template.HTML{template.HTML(head.String()), template.HTML(foot.String())}
	}
	return nil
}

// fileHref is the link to the page of a file named by Rel or Path, with an
// optional line anchor, relative to a page at depth up; "" when unknown.
func (s *site) fileHref(up, name string, line int) string {
	f := s.byName[name]
	if f == nil {
		return ""
	}
	h := up + s.filePage[f]
	if line > 0 {
		h += "#L" + strconv.Itoa(line)
	}
	return h
}

func (s *site) pkgHref(up, name string) string {
	if p := s.r.Package(name); p != nil {
		return up + s.pkgPage[p]
	}
	return ""
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
			Note: t.Note, Pinned: t.Pinned}
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
// lets a td's end tag go when another td follows), and the bar is
// <i class="b TONE"><i style="width:P%"></i></i>.
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
	b = append(b, `<td>`...)
	b = append(b, pct...)
	b = append(b, `% <i class="b `...)
	b = append(b, tone(c.Percent)...)
	b = append(b, `"><i style="width:`...)
	b = append(b, pct...)
	b = append(b, `%"></i></i></td>`...)
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
	Warnings   []string
	Crashes    []string // CrashNotes: test binaries that died
	Patch      *patchcov.Coverage
}

func (s *site) index() *indexView {
	v := &indexView{page: s.page(s.project+" — sprint targets", ""), CommitFull: s.commit,
		Total: s.r.Total, Bar: mkBar(s.r.Total.Percent), Targets: s.targetViews("", s.targets, firstTests), Failed: s.r.Failed(), Warnings: s.r.Warnings,
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
// inside <pre class="source"><code>:
//
//	<span id="L42" class="u">escaped text
//	</span>
//
// The stylesheet draws the line number (a CSS counter) and the marker that
// needs no colour (✓, ✗, ◐ by class) in the margin, so copying code copies
// only code; site.js makes the margin link to the line's anchor.
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
	var num [20]byte
	for i := 1; len(src) > 0; i++ {
		line := src
		if j := bytes.IndexByte(src, '\n'); j >= 0 {
			line, src = src[:j], src[j+1:]
		} else {
			src = nil
		}
		line = bytes.TrimSuffix(line, []byte("\r"))
		class := ""
		if i < len(states) {
			class = lineClass[states[i]]
		}
		w.WriteString(`<span id="L`)
		w.Write(strconv.AppendInt(num[:0], int64(i), 10))
		if class != "" {
			w.WriteString(`" class="`)
			w.WriteString(class)
		}
		w.WriteString(`">`)
		template.HTMLEscape(w, line)
		w.WriteString("\n</span>")
	}
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

// warn passes msg to opts.Warn, one call at a time.
func (s *site) warn(msg string) {
	if s.opts.Warn == nil {
		return
	}
	s.warnMu.Lock()
	defer s.warnMu.Unlock()
	s.opts.Warn(msg)
}

// readSource reads the source of the file at rel in the checkout, or says
// on the page why not. It reads only a regular file whose path, with every
// symlink resolved, is inside the checkout's resolved root: a symlink
// committed to a repository (notes.txt -> /home/me/.ssh/id_ed25519) must
// not put a file from elsewhere on the machine into a report that may be
// published. Only a regular file is opened (a named pipe would block the
// report), and the file opened is checked to be the one resolved.
//
// The real path of each directory is resolved once (realDir): a source
// whose directory resolves inside the checkout and which is itself a
// regular file, not a symlink, is the same file filepath.EvalSymlinks would
// reach, found with one Lstat instead of one per path element. Anything
// else (a symlinked file, a directory that resolves outside or not at all,
// a missing file) takes the full resolution, which says why.
func (s *site) readSource(rel string) (src []byte, problem string) {
	if s.realRoot == "" {
		return nil, fmt.Sprintf("the checkout %s could not be resolved", s.r.Root)
	}
	p := filepath.Join(s.root, filepath.FromSlash(rel))
	var real string
	var li fs.FileInfo
	if dir, ok := s.realDir(filepath.Dir(p)); ok {
		cand := filepath.Join(dir, filepath.Base(p))
		if fi, err := os.Lstat(cand); err == nil && fi.Mode().IsRegular() {
			real, li = cand, fi
		}
	}
	if li == nil {
		var err error
		real, err = filepath.EvalSymlinks(p)
		if err != nil {
			return nil, fmt.Sprintf("%s could not be read (%s)", rel, readProblem(err))
		}
		if !within(s.realRoot, real) {
			s.warn(fmt.Sprintf("%s resolves to %s, outside the checkout; its source is left out of the report", rel, real))
			return nil, rel + " is outside the checkout (a symlink leads out of it), so its source is not shown"
		}
		li, err = os.Lstat(real)
		if err != nil {
			return nil, fmt.Sprintf("%s could not be read (%s)", rel, readProblem(err))
		}
		if !li.Mode().IsRegular() {
			return nil, rel + " is not a regular file"
		}
	}
	fh, err := quickopen.Open(real)
	if err != nil {
		return nil, fmt.Sprintf("%s could not be read (%s)", rel, readProblem(err))
	}
	defer fh.Close()
	if fi, err := fh.Stat(); err != nil || !os.SameFile(fi, li) {
		return nil, rel + " changed while it was read"
	}
	b, err := quickopen.ReadAllSized(fh, li.Size())
	if err != nil {
		return nil, fmt.Sprintf("%s could not be read (%s)", rel, readProblem(err))
	}
	return b, ""
}

// realDir returns the directory dir with every symlink resolved, when that
// is inside the checkout's resolved root; ok is false when it is not, or
// cannot be resolved. Each directory is resolved once per site.
func (s *site) realDir(dir string) (real string, ok bool) {
	s.dirMu.Lock()
	defer s.dirMu.Unlock()
	if d, seen := s.realDirs[dir]; seen {
		return d, d != ""
	}
	if s.realDirs == nil {
		s.realDirs = map[string]string{}
	}
	d, err := filepath.EvalSymlinks(dir)
	if err != nil || !within(s.realRoot, d) {
		d = ""
	}
	s.realDirs[dir] = d
	return d, d != ""
}

// within reports whether the clean path p is root or below it.
func within(root, p string) bool {
	rel, err := filepath.Rel(root, p)
	return err == nil && !filepath.IsAbs(rel) && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}

func readProblem(err error) string {
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return "no such file"
	case errors.Is(err, fs.ErrPermission):
		return "permission denied"
	}
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

// missedLinks lists the missed lines as coverage.py writes them
// ("33-35, 41": runs of missed lines, joined across lines with no
// statement, as coverage.FormatRanges does), each linked to its first line.
func missedLinks(states []coverage.LineState, href string) []rangeLink {
	var out []rangeLink
	missed := func(l int) bool { return states[l] == coverage.LineUncovered || states[l] == coverage.LinePartial }
	for l := 1; l < len(states); l++ {
		if !missed(l) {
			continue
		}
		first, last := l, l
		for k := l + 1; k < len(states); k++ {
			if missed(k) {
				last = k
				continue
			}
			if states[k] != coverage.LineNone {
				break
			}
		}
		text := strconv.Itoa(first)
		if last > first {
			text += "-" + strconv.Itoa(last)
		}
		out = append(out, rangeLink{Text: text, Href: href + "#L" + strconv.Itoa(first)})
		l = last
	}
	return out
}

// write renders every page into root.
func (s *site) write(ctx context.Context, tmpl *template.Template, root string) error {
	for _, d := range []string{pkgDir, srcDir, assetDir} {
		if err := os.Mkdir(filepath.Join(root, d), 0o755); err != nil {
			return fmt.Errorf("html report: %w", err)
		}
	}
	for _, a := range templates.Assets {
		b, err := templates.FS.ReadFile(a)
		if err != nil {
			return fmt.Errorf("html report: %w", err)
		}
		if err := os.WriteFile(filepath.Join(root, assetDir, a), b, 0o644); err != nil {
			return fmt.Errorf("html report: %w", err)
		}
	}
	type job struct {
		name   string // relative path
		render func(w *bufio.Writer) error
	}
	jobs := []job{{"index.html", func(w *bufio.Writer) error { return tmpl.ExecuteTemplate(w, "index.html", s.index()) }}}
	if pc := s.opts.Patch; pc != nil {
		jobs = append(jobs, job{"patch.html", func(w *bufio.Writer) error { return tmpl.ExecuteTemplate(w, "patch.html", s.patchPage(pc)) }})
	}
	for _, p := range s.r.Packages {
		jobs = append(jobs, job{s.pkgPage[p], func(w *bufio.Writer) error { return tmpl.ExecuteTemplate(w, "package.html", s.packagePage(p)) }})
		for _, f := range p.Files {
			jobs = append(jobs, job{s.filePage[f], func(w *bufio.Writer) error {
				v := s.filePageView(p, f)
				if err := tmpl.ExecuteTemplate(w, "file-head", v); err != nil {
					return err
				}
				switch {
				case v.toks != nil:
					writeHighlightedRows(w, v.toks, v.states)
				case v.src != nil:
					writeSourceRows(w, v.src, v.states)
				}
				return tmpl.ExecuteTemplate(w, "file-tail", v)
			}})
		}
	}
	workers := s.opts.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(workers)
	var done atomic.Int64
	var progressMu sync.Mutex
	for _, j := range jobs {
		if gctx.Err() != nil {
			break
		}
		g.Go(func() error {
			if err := gctx.Err(); err != nil {
				return err
			}
			if err := writePage(filepath.Join(root, filepath.FromSlash(j.name)), j.render); err != nil {
				return err
			}
			if s.opts.Progress != nil {
				progressMu.Lock()
				s.opts.Progress(int(done.Add(1)), len(jobs))
				progressMu.Unlock()
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	marker := "sprintkit coverage report; this directory is replaced whole by the next report\n"
	if err := os.WriteFile(filepath.Join(root, siteMarker), []byte(marker), 0o644); err != nil {
		return fmt.Errorf("html report: %w", err)
	}
	return nil
}

var pageWriters = sync.Pool{New: func() any { return bufio.NewWriterSize(nil, 64<<10) }}

func writePage(file string, render func(w *bufio.Writer) error) error {
	f, err := quickopen.Create(file)
	if err != nil {
		return fmt.Errorf("html report: %w", err)
	}
	w := pageWriters.Get().(*bufio.Writer)
	w.Reset(f)
	defer pageWriters.Put(w)
	err = render(w)
	if err == nil {
		err = w.Flush()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("html report: write %s: %w", filepath.Base(file), err)
	}
	return nil
}
