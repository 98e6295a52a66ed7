package importer

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/sprintkit/sprintkit/coverage"
	"github.com/sprintkit/sprintkit/internal/human"
	"golang.org/x/tools/cover"
)

// Profile is what one line-based coverage file says, before its paths are
// resolved against a checkout: the intermediate form shared by the LCOV,
// Cobertura and coverage.py JSON parsers.
type Profile struct {
	Name    string         // the input's name, for messages
	Format  string         // FormatLCOV, FormatCobertura or FormatCoveragePy
	Sources []string       // Cobertura <sources>, in order
	Files   []*FileProfile // in input order; a path may repeat
	// Declared is the total the producer wrote into the file (LCOV LH/LF
	// sums, Cobertura lines-covered/lines-valid, coverage.py totals), nil
	// when it wrote none.
	Declared *coverage.Counts
	// Branch reports that the producer measured branches (coverage.py's
	// meta.branch_coverage, LCOV BRDA/BRF records, Cobertura
	// condition-coverage), even when the files have none.
	Branch bool
}

// FileProfile is one source file's measured lines and functions.
type FileProfile struct {
	Path      string    // as written in the input
	Lines     []LineHit // in input order; a line may repeat
	Functions []FuncHit
	Branches  []BranchHit // in input order; a branch may repeat
	// Dropped are executed lines the parser took for docstrings (coverage.py
	// before 7.13 reports them) and left out of Lines: the lowest ones. With
	// the source at hand, Import puts back those that are no docstrings and
	// drops the docstrings instead (redocstring).
	Dropped []int
}

// redocstring corrects which lines a parser dropped as docstrings, with the
// Python source of the file: when the source's module and class docstrings
// that ran number exactly the dropped lines, those docstrings go and the
// dropped lines come back. Otherwise the lines stay as they are.
func redocstring(f *FileProfile, src []byte) {
	if len(f.Dropped) == 0 {
		return
	}
	docs := pyDocstringLines(src)
	normalizeLines(&f.Lines)
	var ran []int
	for _, l := range f.Dropped {
		if docs[l] {
			ran = append(ran, l)
		}
	}
	for _, l := range f.Lines {
		if docs[l.Line] && l.Count > 0 {
			ran = append(ran, l.Line)
		}
	}
	if len(ran) != len(f.Dropped) {
		return
	}
	lines := make([]LineHit, 0, len(f.Lines))
	for _, l := range f.Dropped {
		if !docs[l] {
			lines = append(lines, LineHit{Line: l, Count: 1})
		}
	}
	for _, l := range f.Lines {
		if !docs[l.Line] {
			lines = append(lines, l)
		}
	}
	f.Lines, f.Dropped = lines, nil
	normalizeLines(&f.Lines)
}

// BranchHit is one branch of a file and how often it was taken.
type BranchHit struct {
	// ID names the branch within its file, in the producer's terms:
	// "line,block,branch" (LCOV BRDA), "from>to" (coverage.py JSON arcs),
	// "line#k" (the k-th branch of a Cobertura line). Shards of one format
	// merge by ID.
	ID    string
	Taken int
}

// branchTotal returns the branch-inclusive figure of total and the branches
// of every file.
func branchTotal(total coverage.Counts, branches, taken int) *coverage.BranchCounts {
	return &coverage.BranchCounts{Branches: branches, Taken: taken,
		Percent: coverage.Percent(total.Covered+taken, total.Statements+branches)}
}

// LineHit is a measured line and how often it ran.
type LineHit struct {
	Line  int
	Count int
}

// FuncHit is a function the input names. EndLine is 0 when unknown.
type FuncHit struct {
	Name    string
	Line    int
	EndLine int
	Hits    int
	// Lines, when not nil, are the function's own measured lines (coverage.py
	// ≥ 7.5 JSON); otherwise the function's statements are the file's
	// measured lines within Line..EndLine.
	Lines []LineHit
}

// The formats Import reads, as DetectFormat names them. FormatGo is detected
// so that callers can hand Go profiles to the Go engine; Import refuses it.
const (
	FormatLCOV       = "lcov"
	FormatCobertura  = "cobertura"
	FormatCoveragePy = "coverage.py"
	FormatGo         = "go"
)

// ErrGoProfile is returned (wrapped) by Import for a Go cover profile.
var ErrGoProfile = errors.New("a Go cover profile, not a line coverage format")

const detectHint = "want LCOV (SF:…), Cobertura XML (<coverage>) or coverage.py JSON ({\"files\": …})"

// DetectFormat tells the format of a coverage file from its first bytes
// (a few hundred are enough), never from its name: FormatLCOV,
// FormatCobertura, FormatCoveragePy or FormatGo.
func DetectFormat(head []byte) (string, error) {
	b := bytes.TrimPrefix(head, []byte("\xef\xbb\xbf"))
	b = bytes.TrimLeft(b, " \t\r\n")
	if len(b) == 0 {
		return "", errors.New("empty file; " + detectHint)
	}
	switch b[0] {
	case '{':
		return FormatCoveragePy, nil
	case '<':
		return FormatCobertura, nil
	}
	// LCOV: comments, then a record type such as TN:, SF: or VER:.
	for len(b) > 0 && b[0] == '#' {
		i := bytes.IndexByte(b, '\n')
		if i < 0 {
			b = nil
			break
		}
		b = bytes.TrimLeft(b[i+1:], " \t\r\n")
	}
	line := b
	if i := bytes.IndexByte(line, '\n'); i >= 0 {
		line = line[:i]
	}
	line = bytes.TrimRight(line, "\r")
	if bytes.HasPrefix(line, []byte("mode: ")) {
		return FormatGo, nil
	}
	if colon := bytes.IndexByte(line, ':'); colon > 0 && isRecordType(line[:colon]) {
		return FormatLCOV, nil
	}
	if len(b) == 0 {
		return FormatLCOV, nil // only comments: an LCOV file with no records
	}
	return "", fmt.Errorf("%s; got %s", detectHint, quote(line))
}

// ParseFile reads the coverage file at name in whichever format its content
// is in.
func ParseFile(name string) (*Profile, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return Parse(name, f)
}

// Parse reads a coverage file in whichever format its content is in.
func Parse(name string, r io.Reader) (*Profile, error) {
	br := bufio.NewReaderSize(r, 64*1024)
	head, err := br.Peek(4096)
	if err != nil && err != io.EOF && !errors.Is(err, bufio.ErrBufferFull) {
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	format, err := DetectFormat(head)
	if err != nil {
		return nil, fmt.Errorf("%s:1: %w", name, err)
	}
	// Skip a UTF-8 byte order mark that Windows tools write.
	if bytes.HasPrefix(head, []byte("\xef\xbb\xbf")) {
		br.Discard(3)
	}
	switch format {
	case FormatCoveragePy:
		return ParseCoveragePyJSON(name, br)
	case FormatCobertura:
		if bytes.Contains(head, []byte("<report")) && bytes.Contains(head, []byte("jacoco")) {
			return nil, fmt.Errorf("%s:1: a JaCoCo XML report; %s (convert it with cover2cover.py, or use JaCoCo's CSV-free Cobertura converter)", name, detectHint)
		}
		return ParseCobertura(name, br)
	case FormatGo:
		return nil, fmt.Errorf("%s:1: %w; import it as a Go profile", name, ErrGoProfile)
	}
	return ParseLCOV(name, br)
}

// Import reads coverage files of any supported format (LCOV, Cobertura XML,
// coverage.py JSON; formats may be mixed), resolves their paths against root
// and merges them into one Result.
//
// Paths are resolved in this order: an absolute path inside root; a relative
// path joined to each Cobertura <source>, to root, and to the directory of
// the coverage file; then, for paths written on another machine, the file
// under root that shares the longest run of trailing path elements with it
// (so /home/ci/build/src/x.c finds src/x.c). A file that exists outside root
// (a system header), that no file under root matches, or that several files
// match equally well, is skipped and named in Result.Warnings.
//
// Several inputs merge as CI shards do: a file's line hit counts are summed,
// so a line is covered when any input covered it; functions merge by name
// and line. Totals come from the merged lines; when a producer's declared
// totals disagree with its own line data, a warning says so.
//
// Functions come from the data (LCOV FN/FNDA or FNL/FNA, Cobertura
// <methods>, coverage.py ≥ 7.5 "functions"); a Python file whose data names
// none gets its def and async def blocks from the source. A function without
// an end line reaches to the line before the next function of its file.
//
// Packages are named by PackageName, whatever the format: dotted Python
// packages for .py files, directories relative to root ("." for the top) for
// others. Test files (IsTestFile) that a report measured are kept, marked
// File.TestSupport, and their package Package.TestSupport when it holds
// nothing else. When the data has branch coverage, Result.Branch carries the
// branch-inclusive figure beside the statement figure of Result.Total.
// Result.Language is the format, or the formats joined with "+" when they
// are mixed.
func Import(ctx context.Context, root string, files []string) (*coverage.Result, error) {
	if len(files) == 0 {
		return nil, errors.New("import: no coverage files given")
	}
	var profs []*Profile
	for _, name := range files {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		p, err := ParseFile(name)
		if err != nil {
			return nil, err
		}
		profs = append(profs, p)
	}
	return Resolve(ctx, root, profs, ProfileOptions{})
}

// ProfileOptions tunes Resolve.
type ProfileOptions struct {
	// Language overrides Result.Language ("python" for pytest.Run).
	Language string
}

// Resolve resolves and merges parsed profiles into a finalized Result
// rooted at root. Import documents the rules.
func Resolve(ctx context.Context, root string, profs []*Profile, opts ProfileOptions) (*coverage.Result, error) {
	absRoot, err := filepath.Abs(root)
	if err != nil {
		return nil, fmt.Errorf("import: %w", err)
	}
	rv := newResolver(absRoot)
	merged := map[string]*mergedFile{}
	var order []string
	var warnings []string
	formats := map[string]bool{}
	var formatList []string
	branch := false

	for _, p := range profs {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if !formats[p.Format] {
			formats[p.Format] = true
			formatList = append(formatList, p.Format)
		}
		branch = branch || p.Branch
		for _, f := range p.Files {
			normalizeLines(&f.Lines)
		}
		if w := declaredWarning(p); w != "" {
			warnings = append(warnings, w)
		}
		bases := sourceBases(absRoot, p)
		var skipped []string
		type resolved struct{ rel, why string }
		seen := map[string]resolved{} // a path in several records resolves once
		for _, f := range p.Files {
			res, ok := seen[f.Path]
			if !ok {
				res.rel, res.why = rv.resolve(f.Path, bases, p.Sources)
				seen[f.Path] = res
				if res.rel == "" {
					skipped = append(skipped, fmt.Sprintf("%s (%s)", f.Path, res.why))
				}
			}
			rel := res.rel
			if rel == "" {
				continue
			}
			if len(f.Dropped) > 0 && strings.HasSuffix(rel, ".py") {
				if src, err := os.ReadFile(filepath.Join(absRoot, filepath.FromSlash(rel))); err == nil {
					redocstring(f, src)
				}
			}
			m := merged[rel]
			if m == nil {
				m = &mergedFile{rel: rel, funcs: map[funcKey]*FuncHit{}}
				merged[rel] = m
				order = append(order, rel)
			}
			m.add(f)
		}
		if len(skipped) > 0 {
			warnings = append(warnings, skippedWarning(p.Name, absRoot, skipped))
		}
	}

	r := &coverage.Result{
		Project:   filepath.Base(absRoot),
		Root:      absRoot,
		Generated: time.Now().UTC(),
		Language:  strings.Join(formatList, "+"),
		Mode:      "line",
		Packages:  []*coverage.Package{},
		Warnings:  warnings,
	}
	if opts.Language != "" {
		r.Language = opts.Language
	}
	pkgs := map[string]*coverage.Package{}
	var branches, taken int
	for _, rel := range order {
		m := merged[rel]
		file := m.file(absRoot)
		file.TestSupport = IsTestFile(rel)
		for _, n := range m.branches {
			branches++
			if n > 0 {
				taken++
			}
		}
		name, dir := PackageName(absRoot, rel)
		pkg := pkgs[name]
		if pkg == nil {
			pkg = &coverage.Package{Name: name, Dir: dir, TestSupport: true}
			pkgs[name] = pkg
			r.Packages = append(r.Packages, pkg)
		}
		// A package is test-support when all its files are tests.
		pkg.TestSupport = pkg.TestSupport && file.TestSupport
		pkg.Files = append(pkg.Files, file)
	}
	r.Finalize()
	if branch {
		r.Branch = branchTotal(r.Total, branches, taken)
		r.Branch.Why = "the " + strings.Join(formatList, " and ") + " data has branch coverage"
	}
	return r, nil
}

// PackageName names the package of a measured file, whatever format
// measured it, so that LCOV, Cobertura and coverage.py JSON reports of one
// project group its files alike: a Python file (.py) by its dotted Python
// package (pythonPackage), any other file by its directory relative to
// root ("." at the top). rel is slash-separated, relative to root.
func PackageName(root, rel string) (name, dir string) {
	switch path.Ext(rel) {
	case ".py", ".pyw", ".pyx":
		return pythonPackage(root, rel)
	}
	return dirPackage(rel)
}

// IsTestFile reports whether a measured file is a test rather than the code
// under test, by the conventions of the common test runners: a file in a
// test directory (test/, tests/, testing/, __tests__/, spec/, src/test/), or
// named as a test (test_*.py, *_test.py, conftest.py, *_test.go,
// *.test.js / *.spec.ts and the like, *Test.java, *Tests.cs). Reports that
// did not omit their tests count them; ranking weighs them down.
func IsTestFile(rel string) bool {
	parts := strings.Split(rel, "/")
	for _, d := range parts[:len(parts)-1] {
		switch strings.ToLower(d) {
		case "test", "tests", "testing", "__tests__", "spec", "specs":
			return true
		}
	}
	base := parts[len(parts)-1]
	ext := path.Ext(base)
	stem := strings.TrimSuffix(base, ext)
	switch {
	case base == "conftest.py",
		ext == ".py" && (strings.HasPrefix(stem, "test_") || strings.HasSuffix(stem, "_test")),
		ext == ".go" && strings.HasSuffix(stem, "_test"),
		strings.HasSuffix(stem, ".test"), strings.HasSuffix(stem, ".spec"),
		(ext == ".java" || ext == ".kt" || ext == ".scala") && (strings.HasSuffix(stem, "Test") || strings.HasSuffix(stem, "Tests")),
		ext == ".cs" && strings.HasSuffix(stem, "Tests"),
		(ext == ".c" || ext == ".cc" || ext == ".cpp" || ext == ".rs") && (strings.HasPrefix(stem, "test_") || strings.HasSuffix(stem, "_test") || strings.HasSuffix(stem, "_unittest")):
		return true
	}
	return false
}

// normalizeLines sorts lines and sums the counts of a line listed twice.
func normalizeLines(ls *[]LineHit) {
	lines := *ls
	sorted := true
	for i := 1; i < len(lines); i++ {
		if lines[i].Line <= lines[i-1].Line {
			sorted = false
			break
		}
	}
	if sorted {
		return
	}
	sort.SliceStable(lines, func(i, j int) bool { return lines[i].Line < lines[j].Line })
	w := 0
	for i, l := range lines {
		if i > 0 && lines[w-1].Line == l.Line {
			lines[w-1].Count = coverage.AddHits(lines[w-1].Count, l.Count)
			continue
		}
		lines[w] = l
		w++
	}
	*ls = lines[:w]
}

// declaredWarning compares a profile's declared totals with its line data,
// a file named in several records counted once.
func declaredWarning(p *Profile) string {
	if p.Declared == nil {
		return ""
	}
	byPath := map[string][]LineHit{}
	var paths []string
	for _, f := range p.Files {
		if _, ok := byPath[f.Path]; !ok {
			paths = append(paths, f.Path)
		}
		byPath[f.Path] = append(byPath[f.Path], f.Lines...)
	}
	var c coverage.Counts
	for _, path := range paths {
		ls := byPath[path]
		normalizeLines(&ls)
		for _, l := range ls {
			c.Statements++
			if l.Count > 0 {
				c.Covered++
			}
		}
	}
	if c.Statements == p.Declared.Statements && c.Covered == p.Declared.Covered {
		return ""
	}
	what := map[string]string{
		FormatLCOV:       "LH/LF sums",
		FormatCobertura:  "lines-covered/lines-valid",
		FormatCoveragePy: "totals covered_lines/num_statements",
	}[p.Format]
	return fmt.Sprintf("%s: declares %s %d/%d but its line data gives %d/%d; using the line data",
		p.Name, what, p.Declared.Covered, p.Declared.Statements, c.Covered, c.Statements)
}

func skippedWarning(name, root string, skipped []string) string {
	const show = 5
	msg := fmt.Sprintf("%s: skipped %d %s not found under %s: %s", name, len(skipped),
		human.Word(len(skipped), "file", "files"), root, strings.Join(skipped[:min(show, len(skipped))], ", "))
	if len(skipped) > show {
		msg += fmt.Sprintf(", and %d more", len(skipped)-show)
	}
	return msg
}

// sourceBases are the directories a relative path may be relative to:
// Cobertura <sources> (relative ones taken from root), root, and the
// directory of the coverage file.
func sourceBases(root string, p *Profile) []string {
	var bases []string
	for _, s := range p.Sources {
		if !filepath.IsAbs(s) {
			s = filepath.Join(root, s)
		}
		bases = append(bases, s)
	}
	bases = append(bases, root)
	if p.Name != "" {
		if d, err := filepath.Abs(filepath.Dir(p.Name)); err == nil && d != root {
			bases = append(bases, d)
		}
	}
	return bases
}

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
	return f
}

// generatedMarkers are what code generators write near the top of a file:
// Go's "Code generated … DO NOT EDIT.", protoc's "Generated by the protocol
// buffer compiler.  DO NOT EDIT!", and Facebook's "@generated".
var generatedMarkers = [][]byte{[]byte("DO NOT EDIT"), []byte("@generated"), []byte("Code generated by")}

// isGeneratedSource reports whether the first lines of a source file say it
// is generated, so that ranking leaves it out.
func isGeneratedSource(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	head := make([]byte, 1024)
	n, _ := io.ReadFull(f, head)
	head = head[:n]
	// Only comment lines count: the first 10 lines at most.
	lines := bytes.SplitN(head, []byte("\n"), 11)
	if len(lines) > 10 {
		lines = lines[:10]
	}
	for _, l := range lines {
		t := bytes.TrimSpace(l)
		if !(bytes.HasPrefix(t, []byte("//")) || bytes.HasPrefix(t, []byte("#")) ||
			bytes.HasPrefix(t, []byte("/*")) || bytes.HasPrefix(t, []byte("*")) || bytes.HasPrefix(t, []byte("--"))) {
			continue
		}
		for _, m := range generatedMarkers {
			if bytes.Contains(t, m) {
				return true
			}
		}
	}
	return false
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

// dirPackage names the package of an imported file by its directory.
func dirPackage(rel string) (name, dir string) {
	d := path.Dir(rel)
	return d, d
}

// resolver finds the file under root that a coverage file names.
type resolver struct {
	root     string
	realRoot string              // root with symlinks resolved
	index    map[string][]string // base name → rel paths; built on first need
	indexed  bool
}

func newResolver(root string) *resolver {
	rv := &resolver{root: root, realRoot: root}
	if r, err := filepath.EvalSymlinks(root); err == nil {
		rv.realRoot = r
	}
	return rv
}

// under returns abs relative to root, slash-separated, when abs is inside it.
func (rv *resolver) under(abs string) (string, bool) {
	for _, root := range []string{rv.root, rv.realRoot} {
		rel, err := filepath.Rel(root, abs)
		if err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) && !filepath.IsAbs(rel) {
			return filepath.ToSlash(rel), true
		}
	}
	return "", false
}

func isRegular(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.Mode().IsRegular()
}

// resolve returns the rel path under root of p, or "" and why not. bases
// are directories a relative p may be joined to; sources are the producer's
// source directories as written (perhaps from another machine), which make
// a relative p longer for the suffix match.
func (rv *resolver) resolve(p string, bases, sources []string) (rel, why string) {
	native := filepath.FromSlash(p)
	if filepath.IsAbs(native) {
		if isRegular(native) {
			if rel, ok := rv.under(native); ok {
				return rel, ""
			}
			if real, err := filepath.EvalSymlinks(native); err == nil {
				if rel, ok := rv.under(real); ok {
					return rel, ""
				}
			}
			return "", "outside the checkout"
		}
	} else {
		for _, b := range bases {
			c := filepath.Join(b, native)
			if !isRegular(c) {
				continue
			}
			if rel, ok := rv.under(c); ok {
				return rel, ""
			}
		}
		for _, s := range sources {
			if rel, _ := rv.suffixMatch(s + "/" + p); rel != "" {
				return rel, ""
			}
		}
	}
	return rv.suffixMatch(p)
}

// suffixMatch finds the file under root sharing the longest run of trailing
// path elements with p (split at / and \, for paths from Windows machines).
func (rv *resolver) suffixMatch(p string) (string, string) {
	rv.buildIndex()
	elems := strings.FieldsFunc(p, func(r rune) bool { return r == '/' || r == '\\' })
	if len(elems) == 0 {
		return "", "not found"
	}
	cands := rv.index[elems[len(elems)-1]]
	best, bestN, ties := "", 0, []string(nil)
	for _, c := range cands {
		ce := strings.Split(c, "/")
		n := 0
		for n < len(ce) && n < len(elems) && ce[len(ce)-1-n] == elems[len(elems)-1-n] {
			n++
		}
		switch {
		case n > bestN:
			best, bestN, ties = c, n, nil
		case n == bestN && n > 0:
			ties = append(ties, c)
		}
	}
	if best == "" {
		return "", "not found"
	}
	if len(ties) > 0 {
		all := append([]string{best}, ties...)
		sort.Strings(all)
		if len(all) > 3 {
			all = append(all[:3], "…")
		}
		return "", "matches " + strings.Join(all, ", ")
	}
	return best, ""
}

// skipDirs are never searched for source files.
var skipDirs = map[string]bool{".git": true, ".hg": true, ".svn": true, ".sprintkit": true}

func (rv *resolver) buildIndex() {
	if rv.indexed {
		return
	}
	rv.indexed = true
	rv.index = map[string][]string{}
	filepath.WalkDir(rv.root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if d != nil && d.IsDir() && p != rv.root {
				return fs.SkipDir
			}
			return nil
		}
		if d.IsDir() {
			if p != rv.root && skipDirs[d.Name()] {
				return fs.SkipDir
			}
			return nil
		}
		if !d.Type().IsRegular() {
			return nil
		}
		if rel, ok := rv.under(p); ok {
			rv.index[d.Name()] = append(rv.index[d.Name()], rel)
		}
		return nil
	})
}
