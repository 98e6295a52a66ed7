package coverage

import (
	"bytes"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	"golang.org/x/tools/cover"

	"github.com/sprintkit/sprintkit/internal/gotokens"
)

// Result is the coverage of one project: every measured file, grouped into
// packages, with totals. Every producer (the Go runner, coverage.py, the LCOV,
// Cobertura and coverage.py JSON importers) maps into this one model, so that
// ranking, reports and watch-test deltas work unchanged for every language.
type Result struct {
	Project   string    `json:"project"`          // module path, or the directory name
	Root      string    `json:"root,omitempty"`   // absolute checkout directory, for reading sources
	Commit    string    `json:"commit,omitempty"` // HEAD of the checkout, when known
	Generated time.Time `json:"generated"`
	Language  string    `json:"language"` // "go", "python", or the imported format ("lcov", "cobertura", "coverage.py")
	// Mode is the Go profile mode ("set", "count", "atomic"), or "line" for
	// line-based formats where each measured line is one statement.
	Mode string `json:"mode"`
	// Total sums the packages that have data. A package with NoData (its
	// test binary died and could not be re-run) is left out of it, so
	// Total is the coverage of the measured part of the project, not of
	// all of it; NoDataStatements says how many statements that leaves
	// out (0 when every package has data, or when the package never
	// reached the profile and its size is unknown).
	Total            Counts       `json:"total"`
	NoDataStatements int          `json:"no_data_statements,omitempty"`
	Packages         []*Package   `json:"packages"`
	Tests            []TestResult `json:"tests,omitempty"` // outcomes of the run that produced the data, when known
	Warnings         []string     `json:"warnings,omitempty"`
	// Modules are the modules of a project of several, each with its
	// figure; nil for one module.
	Modules []Module `json:"modules,omitempty"`
	// Branch is the branch-inclusive figure when the data has branch
	// coverage (coverage.py with branch = True, LCOV BRDA, Cobertura
	// condition-coverage); nil otherwise. Total counts statements only.
	Branch *BranchCounts `json:"branch,omitempty"`
	// TestRunSeconds is, for a Go test run, the wall time during which at
	// least one test binary was running (the rest of the run's wall time
	// went to building); not recorded.
	TestRunSeconds float64 `json:"-"`
}

// Counts is a number of statements and how many of them ran.
type Counts struct {
	Statements int     `json:"statements"`
	Covered    int     `json:"covered"`
	Percent    float64 `json:"percent"` // 100*Covered/Statements rounded to one decimal; 0 when there are none
}

// Uncovered is Statements - Covered.
func (c Counts) Uncovered() int { return c.Statements - c.Covered }

// Ratio is Covered/Statements unrounded, 0 when there are no statements.
func (c Counts) Ratio() float64 {
	if c.Statements == 0 {
		return 0
	}
	return float64(c.Covered) / float64(c.Statements)
}

// Add adds o's statements and covered statements to c; Percent is left
// for the caller to round once the sum is complete.
func (c *Counts) Add(o Counts) {
	c.Statements += o.Statements
	c.Covered += o.Covered
}

func (c *Counts) round() { c.Percent = Percent(c.Covered, c.Statements) }

// Percent returns 100*covered/statements rounded to one decimal, the way
// `go test -cover` prints it ("coverage: 42.5% of statements"); 0 when
// statements is 0.
func Percent(covered, statements int) float64 {
	if statements == 0 {
		return 0
	}
	p := 100 * float64(covered) / float64(statements)
	// go test -cover prints with %.1f; match its rounding exactly.
	v, _ := strconv.ParseFloat(strconv.FormatFloat(p, 'f', 1, 64), 64)
	if math.IsNaN(v) {
		return 0
	}
	return v
}

// Package is a Go package (by import path), a Python package (by dotted
// name), or a directory for imported formats.
type Package struct {
	Name string `json:"name"`
	Dir  string `json:"dir,omitempty"` // relative to Result.Root, slash-separated
	Counts
	Files []*File `json:"files"`
	// IsMain marks a Go main package (or a script entry point).
	IsMain bool `json:"main,omitempty"`
	// TestSupport marks helpers that exist for tests, by the evidence
	// classifyPackage weighs (coverage/gotest/classify.go); SupportReason says which.
	TestSupport   bool   `json:"test_support,omitempty"`
	SupportReason string `json:"support_reason,omitempty"`
	// HasTests reports whether the package has test files of its own.
	HasTests bool `json:"has_tests,omitempty"`
	// Recovered is set when the package's test binary died (a test
	// panicked, called os.Exit, was killed or hung) and the package was
	// re-run without the tests that killed it: its figure is then that of
	// its tests but those.
	Recovered *Recovery `json:"recovered,omitempty"`
	// NoData, when not empty, says why the package has no figure of its
	// own: its test binary died before its tests ran (init or TestMain),
	// or died again after two re-runs. Its Counts then hold its statements
	// with Covered and Percent 0, it is not part of Result.Total, and it
	// is never ranked: it is neither 0% nor untested, it is unmeasured.
	NoData string `json:"no_data,omitempty"`
}

// Recovery says how a package whose test binary died was measured.
type Recovery struct {
	// Skipped are the top-level tests left out of the re-run
	// (go test -skip '^(TestX)$'), in the order they killed the binary.
	Skipped []string `json:"skipped"`
	// Why is how the binary died: "panicked", "exited", "timed out" or
	// "killed by signal"; with two culprits of different kinds, both,
	// joined by ", ".
	Why string `json:"why"`
}

// File is one measured source file.
type File struct {
	// Path is the file as the producer names it: the import path plus file
	// name for Go ("example.com/m/pkg/a.go"), the relative path otherwise.
	Path string `json:"path"`
	// Rel is the path relative to Result.Root, slash-separated, for reading
	// the source; empty when the file could not be located.
	Rel string `json:"rel,omitempty"`
	Counts
	Generated bool `json:"generated"`
	// Blocks are the merged, non-overlapping coverage blocks sorted by
	// position. Line-based formats use one block per measured line
	// (StartLine == EndLine, StartCol 0, EndCol 0, NumStmt 1).
	Blocks    []cover.ProfileBlock `json:"-"`
	Functions []*Function          `json:"functions,omitempty"`
	// TestSupport marks a test file measured with the code (an imported
	// report that did not omit its tests): ranked as test-support code.
	TestSupport bool `json:"test_support,omitempty"`
	// NotRun, when set, says why the file's figure is not what its tests
	// measure: tests exist but did not run (a test module that imports it
	// failed to import). Ranking leaves the file out.
	NotRun string `json:"not_run,omitempty"`
	// Tokens, when set, are the highlighting tokens of the Go source as
	// the function scan read it (gotest keeps them when an HTML report
	// follows), which the report uses instead of scanning it again if it
	// reads the same source; nil otherwise.
	Tokens *gotokens.Tokens `json:"-"`
	// Branches is the file's branch figure when the producer measured
	// branches (coverage.py's arcs, LCOV BRDA, Cobertura
	// condition-coverage); nil otherwise, and for Go, whose blocks are
	// already branch-level: a Go branch not taken is a block not run.
	Branches *Branches `json:"branches,omitempty"`
	// MissedBranches are the lines with a branch never taken, by line.
	MissedBranches []MissedBranch `json:"missed_branches,omitempty"`
}

// Branches is how many branches a file (or a target) has and how many of
// them were taken.
type Branches struct {
	Total int `json:"total"`
	Taken int `json:"taken"`
}

// Missed is Total - Taken.
func (b *Branches) Missed() int {
	if b == nil {
		return 0
	}
	return b.Total - b.Taken
}

// MissedBranch is one line with branches never taken.
type MissedBranch struct {
	Line int `json:"line"`
	// To are the destinations never reached, as coverage.py names them: a
	// line, or a negative number for leaving the function (-N: the
	// function that starts on line N). Empty when the producer does not
	// say (LCOV, Cobertura).
	To []int `json:"to,omitempty"`
	// Missed of Of branches of the line were never taken.
	Missed int `json:"missed"`
	Of     int `json:"of"`
}

// MarkBranchPartial marks partial (LinePartial), in states (from
// LineStates or SourceLineStates), the lines of f that ran but have a
// branch never taken, as coverage.py's HTML report marks them.
func (f *File) MarkBranchPartial(states []LineState) {
	for _, m := range f.MissedBranches {
		if m.Line > 0 && m.Line < len(states) && states[m.Line] == LineCovered {
			states[m.Line] = LinePartial
		}
	}
}

// BranchTotals sums the branches of every file of r that has data; nil
// when none has (Go, or a producer without branch data).
func (r *Result) BranchTotals() *Branches {
	var out *Branches
	for _, p := range r.Packages {
		if p.NoData != "" {
			continue
		}
		for _, f := range p.Files {
			if f.Branches == nil {
				continue
			}
			if out == nil {
				out = &Branches{}
			}
			out.Total += f.Branches.Total
			out.Taken += f.Branches.Taken
		}
	}
	return out
}

// Function is a function or method with its statements.
type Function struct {
	Name    string `json:"name"` // "parseQuery", "(*Server).Handle", "Class.method"
	File    string `json:"file"` // File.Rel when known, else File.Path
	Line    int    `json:"line"`
	EndLine int    `json:"end_line"`
	// Branches counts the branch points in the body (if, for, case, &&,
	// ||) where the producer knows them (Go); 0 otherwise.
	Branches int `json:"branches,omitempty"`
	// MissedBranches counts the branches in the body never taken, where
	// the producer measures branches (coverage.py, LCOV, Cobertura); 0
	// otherwise.
	MissedBranches int `json:"missed_branches,omitempty"`
	Counts
}

// TestResult is the outcome of one test.
type TestResult struct {
	Package string  `json:"package"`
	Test    string  `json:"test"`
	Outcome string  `json:"outcome"` // "pass", "fail", "skip" or "flaky" (OutcomeFlaky)
	Seconds float64 `json:"seconds"`
	Output  string  `json:"output,omitempty"` // kept for failures only
	// Crashed, on a failing test, says that the test killed its
	// package's test binary and how: "panicked", "exited", "timed out" or
	// "killed by signal". The tests after it did not run in that binary.
	Crashed string `json:"crashed,omitempty"`
	// Signature, on a failing test, is its failure's short signature (the
	// first failing file:line and message, normalised: see Signature), to
	// tell whether a later failure has the same cause.
	Signature string `json:"signature,omitempty"`
}

// CrashLine returns the first line of t's output that says how the binary
// died ("panic: …", "fatal error: …", "signal: killed", "exit status 3"),
// or "" when there is none.
func (t TestResult) CrashLine() string {
	for _, line := range strings.Split(t.Output, "\n") {
		l := strings.TrimSpace(line)
		for _, p := range []string{"panic: ", "fatal error: ", "signal: ", "exit status "} {
			if strings.HasPrefix(l, p) {
				return l
			}
		}
	}
	return ""
}

// Failed returns the tests whose outcome is "fail": first the tests that
// killed their test binary (they explain why other tests and figures are
// missing), then binaries that died outside any test ("(package)"), then
// the rest, each group in the order of Tests.
func (r *Result) Failed() []TestResult {
	var crashed, outside, out []TestResult
	for _, t := range r.Tests {
		switch {
		case t.Outcome != "fail":
		case t.Crashed != "" && !strings.HasPrefix(t.Test, "("):
			crashed = append(crashed, t)
		case t.Crashed != "":
			outside = append(outside, t)
		default:
			out = append(out, t)
		}
	}
	return append(append(crashed, outside...), out...)
}

// RecoveredPackages returns the packages that were re-run without the tests
// that killed their test binary.
func (r *Result) RecoveredPackages() []*Package {
	var out []*Package
	for _, p := range r.Packages {
		if p.Recovered != nil {
			out = append(out, p)
		}
	}
	return out
}

// NoDataPackages returns the packages without a figure (Package.NoData).
func (r *Result) NoDataPackages() []*Package {
	var out []*Package
	for _, p := range r.Packages {
		if p.NoData != "" {
			out = append(out, p)
		}
	}
	return out
}

// Finalize recomputes every count from the blocks (files), functions keep
// their own counts, sums files into packages and packages into the total,
// rounds every percentage, and sorts packages and files by name. A package
// with NoData keeps only its statement count and adds it to
// NoDataStatements instead of the total.
// Producers call it once after filling in Packages.
func (r *Result) Finalize() {
	r.Total = Counts{}
	r.NoDataStatements = 0
	sort.Slice(r.Packages, func(i, j int) bool { return r.Packages[i].Name < r.Packages[j].Name })
	for _, p := range r.Packages {
		p.Counts = Counts{}
		sort.Slice(p.Files, func(i, j int) bool { return p.Files[i].Path < p.Files[j].Path })
		for _, f := range p.Files {
			f.Counts = BlockCounts(f.Blocks)
			f.round()
			for _, fn := range f.Functions {
				fn.round()
			}
			p.Add(f.Counts)
		}
		if p.NoData != "" {
			p.Counts = Counts{Statements: p.Statements}
			r.NoDataStatements += p.Statements
			continue
		}
		p.round()
		r.Total.Add(p.Counts)
	}
	r.Total.round()
}

// BlockCounts sums statements and covered statements of blocks.
func BlockCounts(blocks []cover.ProfileBlock) Counts {
	var c Counts
	for _, b := range blocks {
		c.Statements += b.NumStmt
		if b.Count > 0 {
			c.Covered += b.NumStmt
		}
	}
	return c
}

// Package returns the package named name, or nil.
func (r *Result) Package(name string) *Package {
	for _, p := range r.Packages {
		if p.Name == name {
			return p
		}
	}
	return nil
}

// LineState is what a source line holds, for marking source. It is a byte:
// a file's table holds one per line.
type LineState uint8

const (
	LineNone      LineState = iota // no statement starts or runs on this line
	LineCovered                    // every statement on the line ran
	LineUncovered                  // no statement on the line ran
	LinePartial                    // some ran, some did not
)

// LineStates returns the state of each line from 1 to the last line that a
// block touches, when the source is not at hand; index 0 is unused. With the
// source, SourceLineStates marks lines more precisely.
func (f *File) LineStates() []LineState { return f.SourceLineStates(nil) }

// MissedLines returns the lines with a statement that did not run (fully or
// partly uncovered), in order.
func (f *File) MissedLines() []int {
	return Missed(f.LineStates())
}

// LineRange is a run of lines, inclusive.
type LineRange struct {
	From int `json:"from"`
	To   int `json:"to"`
}

// String writes the run as coverage.py's report does: "33-35", or "41"
// for a run of one line.
func (r LineRange) String() string {
	if r.From == r.To {
		return strconv.Itoa(r.From)
	}
	return strconv.Itoa(r.From) + "-" + strconv.Itoa(r.To)
}

// Ranges joins sorted line numbers into runs of consecutive lines. Lines
// with no statement between two of them do not break a run when measured
// is given and reports them as not measured (coverage.py joins across
// blank lines too).
func Ranges(lines []int, measured func(line int) bool) []LineRange {
	out := []LineRange{}
	for i := 0; i < len(lines); {
		j := i
		for j+1 < len(lines) && joinable(lines[j], lines[j+1], measured) {
			j++
		}
		out = append(out, LineRange{lines[i], lines[j]})
		i = j + 1
	}
	return out
}

// FormatRanges writes sorted line numbers the way coverage.py's report does:
// the runs of Ranges, as "33-35", separated by ", ".
func FormatRanges(lines []int, measured func(line int) bool) string {
	var b strings.Builder
	for i, r := range Ranges(lines, measured) {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(r.String())
	}
	return b.String()
}

func joinable(a, b int, measured func(int) bool) bool {
	if b == a+1 {
		return true
	}
	if measured == nil {
		return false
	}
	for l := a + 1; l < b; l++ {
		if measured(l) {
			return false
		}
	}
	return true
}

// SourceLineStates is LineStates with the source text at hand, marking lines
// the way `go tool cover -html` colours text: a block marks a line only where
// its column range on that line holds code, not just blanks, braces or a
// "//" comment. So `if x {` takes the state of the statement and not of the
// body that starts after its brace, a lone `}` and `} else {` are not
// statements, and `func f() {` is not marked by the body. Blocks of
// line-based formats (columns 0) mark their lines whole.
//
// With src, the table has one entry per line of src: lines of blocks past
// the end of src (a source changed since the run, or a bogus profile) are
// left out, and LastLine tells the caller to say so. Without src (nil), it
// reaches the last line a block touches, at most MaxLine.
func (f *File) SourceLineStates(src []byte) []LineState {
	haveSrc := src != nil
	var lines [][]byte
	if haveSrc {
		lines = make([][]byte, 0, bytes.Count(src, []byte{'\n'})+1)
	}
	for len(src) > 0 {
		i := bytes.IndexByte(src, '\n')
		if i < 0 {
			i = len(src)
		}
		lines = append(lines, src[:i])
		if i < len(src) {
			i++
		}
		src = src[i:]
	}
	last := len(lines)
	if !haveSrc {
		last = min(f.LastLine(), MaxLine)
	}
	states := make([]LineState, last+1)
	for _, b := range f.Blocks {
		if b.NumStmt == 0 {
			continue
		}
		s := LineUncovered
		if b.Count > 0 {
			s = LineCovered
		}
		lineBased := b.StartCol == 0 && b.EndCol == 0
		end := b.EndLine
		// Without the source of the last line, a Go block ending at column 1
		// or 2 ends with the "}" or the start of that line, which is not
		// itself a statement.
		if !lineBased && end > len(lines) && end > b.StartLine && b.EndCol <= 2 {
			end--
		}
		for l := max(b.StartLine, 1); l <= min(end, last); l++ {
			if !lineBased && l <= len(lines) {
				text := lines[l-1]
				from, to := 0, len(text)
				if l == b.StartLine {
					from = min(max(b.StartCol-1, 0), len(text))
				}
				if l == b.EndLine {
					to = min(max(b.EndCol-1, 0), len(text))
				}
				if from >= to || !holdsCode(text[from:to]) {
					continue
				}
			}
			switch cur := states[l]; {
			case cur == LineNone:
				states[l] = s
			case cur != s:
				states[l] = LinePartial
			}
		}
	}
	return states
}

// LastLine returns the last line a block of f touches, 0 without blocks.
func (f *File) LastLine() int {
	last := 0
	for _, b := range f.Blocks {
		last = max(last, b.EndLine)
	}
	return last
}

// holdsCode reports whether a piece of a Go line is more than blanks, braces
// and a trailing "//" comment.
func holdsCode(seg []byte) bool {
	for i := 0; i < len(seg); i++ {
		switch c := seg[i]; c {
		case ' ', '\t', '\r', '{', '}':
		case '/':
			if i+1 < len(seg) && seg[i+1] == '/' {
				return false
			}
			return true
		default:
			return true
		}
	}
	return false
}

// Missed returns the lines of states that hold a statement that did not run
// (fully or partly uncovered), in order.
func Missed(states []LineState) []int {
	var out []int
	for l, s := range states {
		if s == LineUncovered || s == LinePartial {
			out = append(out, l)
		}
	}
	return out
}

// BranchCounts is a branch-inclusive figure: statements and branches
// counted together, the way `coverage report` counts with branch = True:
//
//	percent = 100 × (covered statements + taken branches) / (statements + branches)
type BranchCounts struct {
	Branches int `json:"branches"`
	Taken    int `json:"taken"`
	// Percent is the branch-inclusive percentage, rounded to one decimal.
	Percent float64 `json:"percent"`
	// Why says where the branch data comes from, for the reader of the
	// figure: "branch = True in .coveragerc", "the LCOV data has branch
	// records".
	Why string `json:"why,omitempty"`
}

// MaxLine is the largest line number a producer accepts: far beyond any
// source file, and small enough that a per-line table of a file stays cheap.
const MaxLine = 1 << 24

// AddHits adds hit counts, saturating at math.MaxInt: a count that would
// overflow stays the largest count rather than wrapping negative.
func AddHits(a, b int) int {
	if a > math.MaxInt-b {
		return math.MaxInt
	}
	return a + b
}
