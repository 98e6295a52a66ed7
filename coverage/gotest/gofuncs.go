package gotest

import (
	"bytes"
	"fmt"
	"go/scanner"
	"go/token"
	"sort"
	"strings"

	"github.com/sprintkit/sprintkit/coverage"
	"github.com/sprintkit/sprintkit/internal/gotokens"
	"golang.org/x/tools/cover"
)

// Functions of Go files
//
// Each function and method declared in a file (a FuncDecl with a body) is
// one Function. Its statements are those of the blocks that overlap the
// declaration from the "func" keyword to the closing brace, exactly as
// `go tool cover -func` counts them, so function literals inside a function
// belong to it. Blocks outside every declaration, such as the bodies of
// package-level function literals (var f = func() {...}), belong to no
// function: they count in the file's, package's and whole-suite totals (as
// `go test -cover` counts them) but `go tool cover -func` drops them from
// its total, which is why its total can be lower than sprintkit's.

// goFunc is the extent of one function declaration.
type goFunc struct {
	name            string
	line, col       int // the "func" keyword
	endLine, endCol int // just past the closing brace
	branches        int // if, for, case (not default), && and || in the body
}

// parseGoFuncs returns the functions declared in src, in source order, and
// whether the file is generated. It tokenizes with go/scanner instead of
// building a syntax tree: a function declaration is a "func" keyword at the
// top level right after a semicolon (written or automatic), its end the
// brace that closes its body. This finds the same extents as go/parser
// (scanGoFuncs checks it against parseGoFuncsAST in the tests) at a fraction
// of the cost, which matters for profiles over thousands of files. Errors
// are syntax errors the scanner reports. rec, when not nil, is given every
// token of the same scan (with comments), for the HTML report's
// highlighting.
func parseGoFuncs(name string, src []byte, rec *gotokens.Recorder) ([]goFunc, bool, error) {
	return scanGoFuncsRecording(name, src, rec)
}

var (
	generatedPrefix = []byte("// Code generated ")
	generatedSuffix = []byte(" DO NOT EDIT.")
	packageKeyword  = []byte("package")
)

// isGeneratedGo reports whether src has a line "// Code generated ... DO NOT
// EDIT." before its package clause (https://go.dev/s/generatedcode), the
// rule of go/ast.IsGenerated without parsing comments.
func isGeneratedGo(src []byte) bool {
	for len(src) > 0 {
		line := src
		if i := bytes.IndexByte(src, '\n'); i >= 0 {
			line, src = src[:i], src[i+1:]
		} else {
			src = nil
		}
		line = bytes.TrimRight(line, "\r")
		if bytes.HasPrefix(line, generatedPrefix) && bytes.HasSuffix(line, generatedSuffix) {
			return true
		}
		if bytes.HasPrefix(bytes.TrimSpace(line), packageKeyword) {
			return false
		}
	}
	return false
}

// funcCoverage returns a Function per declaration with the statements of the
// blocks that overlap it. blocks must be sorted and not overlap, as a merged
// profile's are. file is the name the functions carry (File.Rel or Path).
func funcCoverage(file string, funcs []goFunc, blocks []cover.ProfileBlock) []*coverage.Function {
	out := make([]*coverage.Function, 0, len(funcs))
	for _, fn := range funcs {
		// The first block that does not end before the function starts.
		i := sort.Search(len(blocks), func(i int) bool {
			b := blocks[i]
			return b.EndLine > fn.line || (b.EndLine == fn.line && b.EndCol > fn.col)
		})
		f := &coverage.Function{Name: fn.name, File: file, Line: fn.line, EndLine: fn.endLine, Branches: fn.branches}
		for ; i < len(blocks); i++ {
			b := blocks[i]
			if b.StartLine > fn.endLine || (b.StartLine == fn.endLine && b.StartCol >= fn.endCol) {
				break
			}
			if b.EndLine < fn.line || (b.EndLine == fn.line && b.EndCol <= fn.col) {
				continue
			}
			f.Statements += b.NumStmt
			if b.Count > 0 {
				f.Covered += b.NumStmt
			}
		}
		f.Percent = coverage.Percent(f.Covered, f.Statements)
		out = append(out, f)
	}
	return out
}

// trimGoFileName returns the import path directory and base of a profile's
// file name ("example.com/m/url/parse.go").
func splitGoFileName(name string) (dir, base string) {
	name = strings.ReplaceAll(name, "\\", "/")
	i := strings.LastIndexByte(name, '/')
	if i < 0 {
		return ".", name
	}
	return name[:i], name[i+1:]
}

// scanGoFuncsRecording finds function declarations with go/scanner, giving
// rec, when not nil, every token it scans, comments included (the
// declarations are found without them).
func scanGoFuncsRecording(name string, src []byte, rec *gotokens.Recorder) ([]goFunc, bool, error) {
	generated := isGeneratedGo(src)
	fset := token.NewFileSet()
	s := &funcScanner{file: fset.AddFile(name, -1, len(src)), rec: rec}
	s.file.SetLines(lineOffsets(src))
	var mode scanner.Mode
	if rec != nil {
		mode = scanner.ScanComments
	}
	s.sc.Init(s.file, src, func(pos token.Position, msg string) {
		if s.err == nil {
			s.err = fmt.Errorf("%s: %s", pos, msg)
		}
	}, mode)
	var funcs []goFunc
	prev := token.SEMICOLON // the file starts like after a semicolon
	depth := 0              // (, [ and { outside function declarations
	for {
		t := s.next()
		if t.tok == token.EOF {
			break
		}
		switch t.tok {
		case token.LPAREN, token.LBRACK, token.LBRACE:
			depth++
		case token.RPAREN, token.RBRACK, token.RBRACE:
			depth--
		}
		if t.tok != token.FUNC || depth != 0 || prev != token.SEMICOLON {
			prev = t.tok
			continue
		}
		// A declaration: func [ (receiver) ] Name [ [type params] ] (params) results { body }
		start := s.file.Position(t.pos)
		fn := goFunc{line: start.Line, col: start.Column}
		u, recv, star, ok := s.receiver()
		if !ok {
			return funcs, generated, s.err
		}
		if u.tok != token.IDENT {
			prev = u.tok
			continue
		}
		fn.name = u.lit
		if recv != "" {
			if star {
				fn.name = "(*" + recv + ")." + u.lit
			} else {
				fn.name = recv + "." + u.lit
			}
		}
		body, ok := s.toBody()
		if !ok {
			return funcs, generated, s.err
		}
		if !body {
			prev = token.SEMICOLON
			continue
		}
		if !s.throughBody(&fn) {
			return funcs, generated, s.err
		}
		if funcs == nil {
			// gofmt'd declarations start their line: room for as many,
			// so that the slice is not grown by doubling (a guess;
			// append copes).
			funcs = make([]goFunc, 0, bytes.Count(src, funcAtLineStart)+1)
		}
		funcs = append(funcs, fn)
		prev = token.RBRACE
	}
	return funcs, generated, s.err
}

// funcScanner scans a Go source for scanGoFuncsRecording.
type funcScanner struct {
	file *token.File
	sc   scanner.Scanner
	rec  *gotokens.Recorder
	err  error // the first scanning error
}

// scanned is one token.
type scanned struct {
	pos token.Pos
	tok token.Token
	lit string
}

// next scans the next token that is not a comment, giving the recorder
// every token, comments included.
func (s *funcScanner) next() scanned {
	p, t, l := s.sc.Scan()
	if s.rec == nil {
		return scanned{p, t, l}
	}
	for {
		s.rec.Add(s.file.Offset(p), t, l)
		if t != token.COMMENT {
			return scanned{p, t, l}
		}
		p, t, l = s.sc.Scan()
	}
}

// receiver reads a declaration's receiver, if it has one, and returns the
// token after it (the name, for a function), the receiver's type name and
// whether it is a pointer; false at the end of the file.
func (s *funcScanner) receiver() (u scanned, recv string, star, ok bool) {
	u = s.next()
	if u.tok != token.LPAREN {
		return u, "", false, true
	}
	d, lastIdent := 1, ""
	for d > 0 {
		u = s.next()
		switch u.tok {
		case token.EOF:
			return u, "", false, false
		case token.LPAREN, token.LBRACK, token.LBRACE:
			if d == 1 && u.tok == token.LBRACK && recv == "" {
				recv = lastIdent
			}
			d++
		case token.RPAREN, token.RBRACK, token.RBRACE:
			d--
		case token.MUL:
			if d == 1 {
				star = true
			}
		case token.IDENT:
			if d == 1 {
				lastIdent = u.lit
			}
		}
	}
	if recv == "" {
		recv = lastIdent
	}
	return s.next(), recv, star, true
}

// toBody reads up to a declaration's body: the first { outside parentheses
// and brackets that does not open a struct or interface type; a semicolon
// first means a declaration without a body (false). ok is false at the end
// of the file.
func (s *funcScanner) toBody() (body, ok bool) {
	d := 0
	last := token.IDENT
	for !body {
		u := s.next()
		switch u.tok {
		case token.EOF:
			return false, false
		case token.LPAREN, token.LBRACK:
			d++
		case token.RPAREN, token.RBRACK:
			d--
		case token.LBRACE:
			if d == 0 && last != token.STRUCT && last != token.INTERFACE {
				body = true
				break
			}
			// A struct or interface type: skip to its closing brace.
			for bd := 1; bd > 0; {
				v := s.next()
				switch v.tok {
				case token.EOF:
					return false, false
				case token.LBRACE:
					bd++
				case token.RBRACE:
					bd--
				}
			}
			u.tok = token.RBRACE
		case token.SEMICOLON:
			if d == 0 {
				u.tok = token.ILLEGAL // no body
			}
		}
		if u.tok == token.ILLEGAL {
			break
		}
		last = u.tok
	}
	return body, true
}

// throughBody reads a function's body to its closing brace, counting its
// branches and setting its end; false at the end of the file.
func (s *funcScanner) throughBody(fn *goFunc) bool {
	var u scanned
	for bd := 1; bd > 0; {
		u = s.next()
		switch u.tok {
		case token.EOF:
			return false
		case token.LBRACE:
			bd++
		case token.RBRACE:
			bd--
		case token.IF, token.FOR, token.CASE, token.LAND, token.LOR:
			fn.branches++
		}
	}
	end := s.file.Position(u.pos)
	fn.endLine, fn.endCol = end.Line, end.Column+1
	return true
}

var funcAtLineStart = []byte("\nfunc ")

// lineOffsets returns the offset of each line of src, as the scanner would
// add them one at a time (the start, then after each newline but the last
// byte's): given whole, the file's line table is allocated once instead of
// grown by appends, and the scanner's own AddLine calls add nothing.
func lineOffsets(src []byte) []int {
	lines := make([]int, 1, bytes.Count(src, []byte{'\n'})+1)
	for i := 0; ; {
		j := bytes.IndexByte(src[i:], '\n')
		if j < 0 || i+j+1 >= len(src) {
			return lines
		}
		i += j + 1
		lines = append(lines, i)
	}
}
