package importer

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"

	"github.com/sprintkit/sprintkit/coverage"
)

// ParseLCOV parses an LCOV tracefile, the format of lcov/geninfo, and of
// c8/istanbul, cargo-llvm-cov, grcov and `coverage lcov`. It reads r one
// line at a time and never holds more than the current line.
//
// The format (geninfo(1)) is a sequence of records, one per source file:
//
//	TN:<test name>                        optional, before a record
//	SF:<path of the source file>          starts a record; the path runs to the end of the line
//	VER:<version id>                      optional (lcov 2)
//	FN:<start line>[,<end line>],<name>   a function; the end line is lcov ≥ 2.0
//	FNDA:<hits>,<name>                    how often the function ran
//	FNL:<index>,<start line>[,<end line>] a function by index (lcov ≥ 2.2) …
//	FNA:<index>,<hits>,<name>             … and its name (aliases share an index)
//	FNF:<n> / FNH:<n>                     functions found / hit
//	BRDA:<line>,[e]<block>,<branch>,<taken or ->   a branch ("-": its line never ran)
//	BRF:<n> / BRH:<n>                     branches found / hit
//	DA:<line>,<hits>[,<checksum>]         a measured line and how often it ran
//	LF:<n> / LH:<n>                       lines found / hit in this record
//	end_of_record
//
// Blank lines and lines starting with '#' are ignored, as are records of
// other upper-case types ("XYZ:...") that later lcov versions may add. A
// trailing "\r" (CRLF files) is dropped. Hit counts are non-negative
// integers; a count written as a float ("1.5e+06", as some converters do) is
// truncated, and counts beyond the range of int saturate.
//
// Branches (BRDA) are kept by line, block and branch; Import counts a
// branch as covered when it was taken, for the branch-inclusive figure.
//
// The sums of LF and LH over all records are kept in Profile.Declared. When
// they disagree with the DA lines, Import uses the DA lines and says so in a
// warning: the DA lines are what the file actually measured (the same file
// in two records, for example, is counted twice by the sums).
//
// Errors name the input and the line: "NAME:12: want DA:<line>,<hits>".
func ParseLCOV(name string, r io.Reader) (*Profile, error) {
	p := &lcovParser{prof: &Profile{Name: name, Format: "lcov"}}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64*1024), 16<<20)
	for sc.Scan() {
		p.line++
		if err := p.parseLine(sc.Bytes()); err != nil {
			return nil, err
		}
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return nil, fmt.Errorf("%s:%d: line longer than 16 MiB", name, p.line+1)
		}
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	if p.cur != nil {
		return nil, fmt.Errorf("%s:%d: want end_of_record before the end of the file (record for %s started at line %d)",
			name, p.line, p.cur.Path, p.start)
	}
	if p.sawLF {
		p.prof.Declared = &coverage.Counts{Statements: p.lf, Covered: p.lh}
	}
	return p.prof, nil
}

type lcovParser struct {
	prof   *Profile
	line   int            // current input line
	cur    *FileProfile   // the open record, nil between records
	start  int            // line of the open record's SF:
	fnIdx  map[int]*fnLoc // FNL index → where the function is (lcov 2.2)
	fnName map[string]int
	lf, lh int
	sawLF  bool
	recLF  int // LF of the open record, -1 when it has none
	recLH  int // LH of the open record, -1 when it has none
}

// endRecord closes the open record. coverage.py before 7.13 writes the lines
// of module and class docstrings as executed DA lines that its LF does not
// count, and counts them in LH (coverage.py issue 2105): when a record's
// distinct DA lines outnumber its LF by k and its k first lines ran, those k
// lines are dropped, so that the record measures what coverage.py's own
// report counts; when its LH counted them, they leave the LH sum too, so
// that a stock coverage.py file gets no warning about its sums.
func (p *lcovParser) endRecord() {
	f := p.cur
	normalizeLines(&f.Lines)
	if k := len(f.Lines) - p.recLF; p.recLF >= 0 && k > 0 && k <= len(f.Lines) {
		ran := true
		for _, l := range f.Lines[:k] {
			ran = ran && l.Count > 0
		}
		if ran {
			hit := 0
			for _, l := range f.Lines {
				if l.Count > 0 {
					hit++
				}
			}
			for _, l := range f.Lines[:k] {
				f.Dropped = append(f.Dropped, l.Line)
			}
			f.Lines = f.Lines[k:]
			if p.recLH == hit {
				p.lh -= k
			}
		}
	}
	p.cur, p.fnIdx, p.fnName = nil, nil, nil
}

func (p *lcovParser) errf(format string, args ...any) error {
	return fmt.Errorf("%s:%d: %s", p.prof.Name, p.line, fmt.Sprintf(format, args...))
}

// quote shows a bad line, shortened.
func quote(b []byte) string {
	const max = 60
	if len(b) > max {
		return strconv.Quote(string(b[:max])) + "…"
	}
	return strconv.Quote(string(b))
}

func (p *lcovParser) parseLine(b []byte) error {
	if n := len(b); n > 0 && b[n-1] == '\r' {
		b = b[:n-1]
	}
	if p.line == 1 {
		b = bytes.TrimPrefix(b, []byte("\xef\xbb\xbf")) // UTF-8 BOM
	}
	if len(bytes.TrimSpace(b)) == 0 || b[0] == '#' {
		return nil
	}
	// The hot path first: most lines of a big file are DA lines.
	if len(b) > 3 && b[0] == 'D' && b[1] == 'A' && b[2] == ':' {
		return p.da(b[3:])
	}
	if string(bytes.TrimRight(b, " \t")) == "end_of_record" {
		if p.cur == nil {
			return p.errf("want SF:<path> before end_of_record")
		}
		p.endRecord()
		return nil
	}
	colon := bytes.IndexByte(b, ':')
	if colon <= 0 || !isRecordType(b[:colon]) {
		return p.errf("want an LCOV record (SF:, DA:, FN:, … or end_of_record), got %s", quote(b))
	}
	typ, val := string(b[:colon]), b[colon+1:]
	switch typ {
	case "TN", "VER":
		return nil
	case "SF":
		return p.sf(val)
	}
	if p.cur == nil {
		return p.errf("want SF:<path> before %s:", typ)
	}
	switch typ {
	case "FN":
		return p.fn(val, b)
	case "FNDA":
		return p.fnda(val, b)
	case "FNL":
		return p.fnl(val, b)
	case "FNA":
		return p.fna(val, b)
	case "BRDA":
		return p.brda(val, b)
	case "LF", "LH", "FNF", "FNH", "BRF", "BRH":
		return p.count(typ, val, b)
	}
	return nil // a record type of a later lcov: ignored
}

// sf starts the record of a source file: SF:<path>.
func (p *lcovParser) sf(val []byte) error {
	if p.cur != nil {
		return p.errf("want end_of_record before the next SF: (record for %s started at line %d)", p.cur.Path, p.start)
	}
	if len(val) == 0 {
		return p.errf("want SF:<path of the source file>, got an empty path")
	}
	p.cur = &FileProfile{Path: string(val)}
	p.start, p.recLF, p.recLH = p.line, -1, -1
	p.prof.Files = append(p.prof.Files, p.cur)
	return nil
}

// fn parses FN:<line>[,<end line>],<name>.
func (p *lcovParser) fn(val, b []byte) error {
	// FN:<line>[,<end line>],<name>; names may hold commas (C++).
	f1, rest, ok := bytes.Cut(val, []byte{','})
	line, ok1 := atoiPos(f1)
	if !ok || !ok1 || len(rest) == 0 {
		return p.errf("want FN:<line>[,<end line>],<name>, got %s", quote(b))
	}
	end := 0
	if f2, name, ok := bytes.Cut(rest, []byte{','}); ok && len(name) > 0 {
		if e, ok := atoiPos(f2); ok {
			end, rest = e, name
		}
	}
	if end != 0 && end < line {
		return p.errf("want FN end line %d ≥ start line %d", end, line)
	}
	p.addFunc(string(rest), line, end)
	return nil
}

// fnda parses FNDA:<hits>,<name>.
func (p *lcovParser) fnda(val, b []byte) error {
	f1, name, ok := bytes.Cut(val, []byte{','})
	hits, ok1 := parseHits(f1)
	if !ok || !ok1 || len(name) == 0 {
		return p.errf("want FNDA:<hits>,<name>, got %s", quote(b))
	}
	if i, ok := p.fnName[string(name)]; ok {
		p.cur.Functions[i].Hits = coverage.AddHits(p.cur.Functions[i].Hits, hits)
		return nil
	}
	// FNDA before (or without) its FN: keep the count, place it later.
	i := p.addFunc(string(name), 0, 0)
	p.cur.Functions[i].Hits = hits
	return nil
}

// fnl parses FNL:<index>,<line>[,<end line>] (lcov 2).
func (p *lcovParser) fnl(val, b []byte) error {
	fs := bytes.Split(val, []byte{','})
	idx, ok1 := atoiNonNeg(fs[0])
	var line, end int
	ok2, ok3 := false, true
	if len(fs) >= 2 {
		line, ok2 = atoiPos(fs[1])
	}
	if len(fs) == 3 {
		end, ok3 = atoiPos(fs[2])
	}
	if len(fs) > 3 || !ok1 || !ok2 || !ok3 || (end != 0 && end < line) {
		return p.errf("want FNL:<index>,<line>[,<end line>], got %s", quote(b))
	}
	if p.fnIdx == nil {
		p.fnIdx = map[int]*fnLoc{}
	}
	p.fnIdx[idx] = &fnLoc{line: line, end: end, pos: -1}
	return nil
}

// fna parses FNA:<index>,<hits>,<name> (lcov 2).
func (p *lcovParser) fna(val, b []byte) error {
	f1, rest, ok := bytes.Cut(val, []byte{','})
	f2, name, ok2 := bytes.Cut(rest, []byte{','})
	idx, ok3 := atoiNonNeg(f1)
	hits, ok4 := parseHits(f2)
	if !ok || !ok2 || !ok3 || !ok4 || len(name) == 0 {
		return p.errf("want FNA:<index>,<hits>,<name>, got %s", quote(b))
	}
	loc := p.fnIdx[idx]
	if loc == nil {
		return p.errf("want FNL:%d,<line> before FNA:%d", idx, idx)
	}
	if loc.pos >= 0 { // an alias of a function already named: one function, hits summed
		p.cur.Functions[loc.pos].Hits = coverage.AddHits(p.cur.Functions[loc.pos].Hits, hits)
		return nil
	}
	loc.pos = p.addFunc(string(name), loc.line, loc.end)
	p.cur.Functions[loc.pos].Hits = coverage.AddHits(p.cur.Functions[loc.pos].Hits, hits)
	return nil
}

// brda parses BRDA:<line>,[e]<block>,<branch>,<taken>.
func (p *lcovParser) brda(val, b []byte) error {
	// BRDA:<line>,[e]<block>,<branch>,<taken>; the branch id may be an
	// expression (lcov 2 for some languages) and so is only checked for
	// presence. The line may be 0: coverage.py 6.5 writes the line a
	// branch goes to, 0 for an exit from the function.
	fs := bytes.SplitN(val, []byte{','}, 4)
	if len(fs) != 4 {
		return p.errf("want BRDA:<line>,<block>,<branch>,<taken>, got %s", quote(b))
	}
	line, ok1 := atoiNonNeg(fs[0])
	_, ok2 := atoiNonNeg(bytes.TrimPrefix(fs[1], []byte("e")))
	taken, ok4 := parseHits(fs[3])
	if string(fs[3]) == "-" {
		taken, ok4 = 0, true
	}
	if !ok1 || line > coverage.MaxLine || !ok2 || len(fs[2]) == 0 || !ok4 {
		return p.errf("want BRDA:<line>,<block>,<branch>,<taken or ->, got %s", quote(b))
	}
	p.prof.Branch = true
	p.cur.Branches = append(p.cur.Branches, BranchHit{ID: string(val[:len(val)-len(fs[3])-1]), Taken: taken})
	return nil
}

// count parses the summary counts LF, LH, FNF, FNH, BRF and BRH.
func (p *lcovParser) count(typ string, val, b []byte) error {
	n, ok := atoiNonNeg(val)
	if !ok {
		return p.errf("want %s:<count>, got %s", typ, quote(b))
	}
	switch typ {
	case "LF":
		p.lf, p.sawLF, p.recLF = coverage.AddHits(p.lf, n), true, n
	case "LH":
		p.lh, p.recLH = coverage.AddHits(p.lh, n), n
	case "BRF":
		p.prof.Branch = true
	}
	return nil
}

// da parses the value of DA:<line>,<hits>[,<checksum>].
func (p *lcovParser) da(v []byte) error {
	if p.cur == nil {
		return p.errf("want SF:<path> before DA:")
	}
	i := 0
	line := 0
	for i < len(v) && v[i] >= '0' && v[i] <= '9' {
		if line > coverage.MaxLine/10 {
			return p.errf("want DA:<line>,<hits> with a line number ≤ %d", coverage.MaxLine)
		}
		line = line*10 + int(v[i]-'0')
		i++
	}
	if line > coverage.MaxLine {
		return p.errf("want DA:<line>,<hits> with a line number ≤ %d", coverage.MaxLine)
	}
	if i == 0 || line == 0 || i == len(v) || v[i] != ',' {
		return p.errf("want DA:<line>,<hits>, got %s", quote(append([]byte("DA:"), v...)))
	}
	v = v[i+1:]
	j := bytes.IndexByte(v, ',')
	if j >= 0 {
		v = v[:j] // the optional checksum
	}
	hits, ok := parseHits(v)
	if !ok {
		return p.errf("want DA:<line>,<hits> with hits a non-negative number, got %s", quote(v))
	}
	p.cur.Lines = append(p.cur.Lines, LineHit{Line: line, Count: hits})
	return nil
}

type fnLoc struct{ line, end, pos int }

// addFunc adds the named function to the open record, or places one that an
// earlier FNDA named, and returns its position in cur.Functions.
func (p *lcovParser) addFunc(name string, line, end int) int {
	if p.fnName == nil {
		p.fnName = map[string]int{}
	}
	if i, ok := p.fnName[name]; ok {
		f := &p.cur.Functions[i]
		if f.Line == 0 {
			f.Line, f.EndLine = line, end
		}
		return i
	}
	p.fnName[name] = len(p.cur.Functions)
	p.cur.Functions = append(p.cur.Functions, FuncHit{Name: name, Line: line, EndLine: end})
	return len(p.cur.Functions) - 1
}

func isRecordType(b []byte) bool {
	for _, c := range b {
		if (c < 'A' || c > 'Z') && c != '_' && (c < '0' || c > '9') {
			return false
		}
	}
	return true
}

// atoiNonNeg parses a decimal number ≥ 0 that fits in an int32.
func atoiNonNeg(b []byte) (int, bool) {
	if len(b) == 0 || len(b) > 10 {
		return 0, false
	}
	n := 0
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	if n > math.MaxInt32 {
		return 0, false
	}
	return n, true
}

// atoiPos parses a line number: decimal, 1 to maxLine.
func atoiPos(b []byte) (int, bool) {
	n, ok := atoiNonNeg(b)
	return n, ok && n > 0 && n <= coverage.MaxLine
}

// parseHits parses a hit count: a non-negative integer, saturating at
// MaxInt, or a non-negative float written by some converters, truncated.
func parseHits(b []byte) (int, bool) {
	if len(b) == 0 {
		return 0, false
	}
	n := 0
	for i, c := range b {
		if c < '0' || c > '9' {
			return parseFloatHits(b)
		}
		if n > (math.MaxInt-9)/10 {
			for _, c := range b[i:] {
				if c < '0' || c > '9' {
					return 0, false
				}
			}
			return math.MaxInt, true
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

func parseFloatHits(b []byte) (int, bool) {
	f, err := strconv.ParseFloat(string(b), 64)
	if err != nil || f < 0 || math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, false
	}
	if f >= math.MaxInt {
		return math.MaxInt, true
	}
	return int(f), true
}
