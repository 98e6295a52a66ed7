package importer

import (
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"

	"github.com/sprintkit/sprintkit/coverage"
)

// ParseCobertura parses a Cobertura XML report, as written by `coverage xml`
// (coverage.py), gcovr, coverlet, istanbul's cobertura reporter, and the
// JaCoCo and llvm-cov converters. It reads r as a stream of XML tokens.
//
// The elements it reads (coverage-04.dtd; other elements and attributes are
// skipped):
//
//	<coverage lines-valid="N" lines-covered="N" line-rate="…" branch-rate="…" …>
//	  <sources><source>/abs/or/relative/dir</source>…</sources>
//	  <packages><package name="…">
//	    <classes><class name="…" filename="path/relative/to/a/source">
//	      <methods><method name="…" signature="…">
//	        <lines><line number="N" hits="N"/>…</lines>
//	      </method>…</methods>
//	      <lines><line number="N" hits="N" branch="true" condition-coverage="50% (1/2)"/>…</lines>
//	    </class>…</classes>
//	  </package>…</packages>
//	</coverage>
//
// A file's measured lines are the union of its classes' <lines> and their
// methods' <lines>; a line listed twice for one file (a method's lines repeat
// its class's) counts once, with the larger hit count. Several classes may
// share a file (Java inner classes). Methods become functions: their first
// and last listed line give the range, and a method's name is prefixed with
// its class ("Outer.run") unless the class is named after the file, as
// coverage.py names them. A line's branch="true" condition-coverage="50%
// (1/2)" gives it 2 branches, 1 taken, for the branch-inclusive figure; a
// line listed twice keeps the reading with more branches.
//
// lines-covered and lines-valid of <coverage> are kept in Profile.Declared.
//
// Elements nest at most maxXMLDepth (64) deep; the format needs 9. A deeper
// input is refused at its first too-deep element, before the decoder's
// per-element state grows further. A token (a tag with its attributes, a
// comment, a run of text) is at most maxTokenBytes (1 MiB) long: a longer
// one is refused at its line before the decoder has buffered more of it
// (xmlGuard), so the parser reads in bounded memory whatever the input.
//
// Errors name the input and the line: "NAME:7: want <line number=… hits=…>".
func ParseCobertura(name string, r io.Reader) (*Profile, error) {
	g := newXMLGuard(r)
	d := xml.NewDecoder(g)
	d.CharsetReader = func(charset string, input io.Reader) (io.Reader, error) {
		r, err := CharsetReader(charset, input)
		g.recoded = r != input
		return r, err
	}
	p := &coberturaParser{name: name, d: d, prof: &Profile{Name: name, Format: "cobertura"}, files: map[string]*coberturaFile{}}
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, p.tokenError(err)
		}
		line, _ := d.InputPos()
		g.mark(d.InputOffset(), line)
		switch t := tok.(type) {
		case xml.StartElement:
			err = p.start(t)
		case xml.EndElement:
			p.end()
		case xml.CharData:
			if p.inSource {
				p.sourceText.Write(t)
			}
		}
		if err != nil {
			return nil, err
		}
	}
	if !p.sawRoot {
		line, _ := d.InputPos()
		return nil, fmt.Errorf("%s:%d: want a Cobertura <coverage> root element, got none", name, line)
	}
	p.finish()
	return p.prof, nil
}

// coberturaParser is the state of ParseCobertura between tokens.
type coberturaParser struct {
	name       string
	d          *xml.Decoder
	prof       *Profile
	files      map[string]*coberturaFile
	stack      []string // open element names
	sawRoot    bool
	class      *coberturaFile
	className  string
	method     *FuncHit
	inSource   bool
	sourceText strings.Builder
}

// coberturaFile gathers the lines of every class of one file.
type coberturaFile struct {
	fp       *FileProfile
	lines    map[int]int
	branches map[int][2]int // line → taken, total of its condition-coverage
}

// errf is an error at the decoder's current line.
func (p *coberturaParser) errf(format string, args ...any) error {
	line, _ := p.d.InputPos()
	return fmt.Errorf("%s:%d: %s", p.name, line, fmt.Sprintf(format, args...))
}

// tokenError tells a decoder's error at its line.
func (p *coberturaParser) tokenError(err error) error {
	var se *xml.SyntaxError
	var le *limitError
	if errors.As(err, &le) {
		return fmt.Errorf("%s:%d: %s", p.name, le.line, le.msg)
	}
	if errors.As(err, &se) {
		return fmt.Errorf("%s:%d: want well-formed XML: %s", p.name, se.Line, se.Msg)
	}
	if strings.HasPrefix(err.Error(), "xml: ") {
		return p.errf("want well-formed XML: %s", strings.TrimPrefix(err.Error(), "xml: "))
	}
	return fmt.Errorf("read %s: %w", p.name, err)
}

// start reads an opening tag.
func (p *coberturaParser) start(t xml.StartElement) error {
	el := t.Name.Local
	parent := ""
	if len(p.stack) > 0 {
		parent = p.stack[len(p.stack)-1]
	}
	if len(p.stack) >= maxXMLDepth {
		return p.errf("want elements nested at most %d deep (Cobertura needs 9), got <%s> deeper", maxXMLDepth, el)
	}
	p.stack = append(p.stack, el)
	if !p.sawRoot {
		return p.root(t)
	}
	switch {
	case el == "source" && parent == "sources":
		p.inSource = true
		p.sourceText.Reset()
	case el == "class" && parent == "classes":
		fn, ok := attr(t, "filename")
		if !ok || fn == "" {
			return p.errf("want <class filename=\"…\">")
		}
		p.className, _ = attr(t, "name")
		p.class = p.files[fn]
		if p.class == nil {
			p.class = &coberturaFile{fp: &FileProfile{Path: fn}, lines: map[int]int{}}
			p.files[fn] = p.class
			p.prof.Files = append(p.prof.Files, p.class.fp)
		}
	case el == "method" && parent == "methods" && p.class != nil:
		mn, _ := attr(t, "name")
		if mn == "" {
			return p.errf("want <method name=\"…\">")
		}
		p.method = &FuncHit{Name: methodName(p.className, p.class.fp.Path, mn)}
	case el == "line" && parent == "lines" && p.class != nil:
		return p.line(t)
	}
	return nil
}

// root reads the <coverage> element and its declared totals.
func (p *coberturaParser) root(t xml.StartElement) error {
	if t.Name.Local != "coverage" {
		return p.errf("want a Cobertura <coverage> root element, got <%s>", t.Name.Local)
	}
	p.sawRoot = true
	lv, okV := attr(t, "lines-valid")
	lc, okC := attr(t, "lines-covered")
	if okV && okC {
		v, err1 := strconv.Atoi(lv)
		c, err2 := strconv.Atoi(lc)
		if err1 != nil || err2 != nil || v < 0 || c < 0 {
			return p.errf("want <coverage lines-valid and lines-covered> to be counts, got %q and %q", lv, lc)
		}
		p.prof.Declared = &coverage.Counts{Statements: v, Covered: c}
	}
	return nil
}

// line reads a <line number="N" hits="N"> of a class or of a method.
func (p *coberturaParser) line(t xml.StartElement) error {
	ns, _ := attr(t, "number")
	hs, _ := attr(t, "hits")
	n, ok1 := atoiPos([]byte(ns))
	h, ok2 := parseHits([]byte(hs))
	if !ok1 || !ok2 {
		return p.errf("want <line number=\"N\" hits=\"N\"> with a line from 1 to %d and hits ≥ 0, got number=%q hits=%q", coverage.MaxLine, ns, hs)
	}
	class := p.class
	if old, ok := class.lines[n]; !ok || h > old {
		class.lines[n] = h
	}
	if br, ok := conditionCoverage(t); ok {
		p.prof.Branch = true
		if old := class.branches[n]; br[1] > old[1] || (br[1] == old[1] && br[0] > old[0]) {
			if class.branches == nil {
				class.branches = map[int][2]int{}
			}
			class.branches[n] = br
		}
	}
	if m := p.method; m != nil {
		if m.Line == 0 || n < m.Line {
			m.Line = n
		}
		if n > m.EndLine {
			m.EndLine = n
		}
		if h > m.Hits {
			m.Hits = h
		}
	}
	return nil
}

// end reads a closing tag.
func (p *coberturaParser) end() {
	el := ""
	if len(p.stack) > 0 {
		el = p.stack[len(p.stack)-1]
		p.stack = p.stack[:len(p.stack)-1]
	}
	switch el {
	case "source":
		if p.inSource {
			if s := strings.TrimSpace(p.sourceText.String()); s != "" {
				p.prof.Sources = append(p.prof.Sources, s)
			}
			p.inSource = false
		}
	case "method":
		if p.method != nil && p.class != nil && p.method.Line > 0 {
			p.class.fp.Functions = append(p.class.fp.Functions, *p.method)
		}
		p.method = nil
	case "class":
		p.class, p.method = nil, nil
	}
}

// finish turns each file's lines and branches into its profile, in line
// order.
func (p *coberturaParser) finish() {
	for _, acc := range p.files {
		acc.fp.Lines = make([]LineHit, 0, len(acc.lines))
		for l, h := range acc.lines {
			acc.fp.Lines = append(acc.fp.Lines, LineHit{Line: l, Count: h})
		}
		sort.Slice(acc.fp.Lines, func(i, j int) bool { return acc.fp.Lines[i].Line < acc.fp.Lines[j].Line })
		for _, l := range acc.fp.Lines {
			br := acc.branches[l.Line]
			for k := range br[1] {
				taken := 0
				if k < br[0] {
					taken = 1
				}
				acc.fp.Branches = append(acc.fp.Branches, BranchHit{ID: strconv.Itoa(l.Line) + "#" + strconv.Itoa(k), Taken: taken})
			}
		}
	}
}

// conditionCoverage reads the branches of a <line branch="true"
// condition-coverage="50% (1/2)">: taken and total. A line without them, or
// with a value it cannot read, has none.
func conditionCoverage(t xml.StartElement) ([2]int, bool) {
	if b, _ := attr(t, "branch"); b != "true" {
		return [2]int{}, false
	}
	cc, _ := attr(t, "condition-coverage")
	_, frac, ok := strings.Cut(cc, "(")
	frac, ok2 := strings.CutSuffix(strings.TrimSpace(frac), ")")
	a, b, ok3 := strings.Cut(frac, "/")
	taken, ok4 := atoiNonNeg([]byte(strings.TrimSpace(a)))
	total, ok5 := atoiNonNeg([]byte(strings.TrimSpace(b)))
	if !ok || !ok2 || !ok3 || !ok4 || !ok5 || taken > total || total > 1<<16 {
		return [2]int{}, false
	}
	return [2]int{taken, total}, true
}

func attr(t xml.StartElement, name string) (string, bool) {
	for _, a := range t.Attr {
		if a.Name.Local == name {
			return a.Value, true
		}
	}
	return "", false
}

// methodName prefixes a method with its class's short name, unless the class
// is the file itself (coverage.py names classes after their file).
func methodName(class, file, method string) string {
	if class == "" {
		return method
	}
	base := file
	if i := strings.LastIndexAny(base, `/\`); i >= 0 {
		base = base[i+1:]
	}
	if class == file || class == base || strings.TrimSuffix(base, extOf(base)) == class {
		return method
	}
	short := class
	if i := strings.LastIndexAny(short, "./"); i >= 0 && i+1 < len(short) {
		short = short[i+1:]
	}
	return short + "." + method
}

func extOf(name string) string {
	if i := strings.LastIndexByte(name, '.'); i > 0 {
		return name[i:]
	}
	return ""
}

// CharsetReader accepts the encodings Cobertura producers write: UTF-8 and
// its subset US-ASCII, and ISO-8859-1 (Latin-1) from older Java tools.
func CharsetReader(charset string, input io.Reader) (io.Reader, error) {
	switch strings.ToLower(charset) {
	case "utf-8", "utf8", "us-ascii", "ascii":
		return input, nil
	case "iso-8859-1", "latin1", "latin-1":
		return &latin1Reader{r: input}, nil
	}
	return nil, fmt.Errorf("unsupported XML encoding %q (want UTF-8)", charset)
}

// latin1Reader decodes ISO-8859-1 into UTF-8.
type latin1Reader struct {
	r   io.Reader
	buf []byte
}

func (l *latin1Reader) Read(p []byte) (int, error) {
	if len(p) < 2 {
		return 0, io.ErrShortBuffer
	}
	if cap(l.buf) < len(p)/2 {
		l.buf = make([]byte, len(p)/2)
	}
	n, err := l.r.Read(l.buf[:len(p)/2])
	out := 0
	for _, c := range l.buf[:n] {
		if c < 0x80 {
			p[out] = c
			out++
		} else {
			p[out] = 0xc0 | c>>6
			p[out+1] = 0x80 | c&0x3f
			out += 2
		}
	}
	return out, err
}
