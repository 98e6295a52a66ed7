package gotest

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/scanner"
	"go/token"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"golang.org/x/tools/cover"

	"github.com/sprintkit/sprintkit/internal/gotokens"
)

const trickyGo = `// Package x has every shape of declaration.
package x

import (
	"fmt"
)

var hook = func() int { return 1 }

var (
	a = func() {}
	b = struct{ f func() }{f: func() {}}
)

type List[T any] struct{ items []T }

func (l *List[T]) Push(v T) { l.items = append(l.items, v) }

func (l List[T]) Len() int {
	return len(l.items)
}

func (*List[T]) Nameless() {}

func Map[K comparable, V any](m map[K]V, f func(V) V) map[K]V {
	for k, v := range m {
		m[k] = f(v)
	}
	return m
}

func Empty() struct{} { return struct{}{} }

func Any() interface{ String() string } {
	return nil
}

func Returns() func() int {
	return func() int {
		if true {
			return 1
		}
		return 2
	}
}

func Multi(
	a int,
	b struct {
		x int
		y int
	},
) (n int, err error) {
	fmt.Println(a, b, "}{")
	return 0, nil
}

func asm(x int) int

func Last() { /* } */ _ = '}' }
`

func TestScanGoFuncsFindsWhatGoParserFinds(t *testing.T) {
	got, _, err := scanGoFuncs("x.go", []byte(trickyGo))
	if err != nil {
		t.Fatal(err)
	}
	want, _, err := parseGoFuncsAST("x.go", []byte(trickyGo))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("scanner\n%+v\nparser\n%+v", got, want)
	}
	var names []string
	for _, f := range got {
		names = append(names, f.name)
	}
	if w := "(*List).Push List.Len (*List).Nameless Map Empty Any Returns Multi Last"; strings.Join(names, " ") != w {
		t.Errorf("names %v, want %s", names, w)
	}
}

// TestScanGoFuncsAgreesOnTheStandardLibrary compares the scanner with
// go/parser on every file of a few standard library packages.
func TestScanGoFuncsAgreesOnTheStandardLibrary(t *testing.T) {
	out, err := exec.Command("go", "env", "GOROOT").Output()
	if err != nil {
		t.Skipf("go env GOROOT: %v", err)
	}
	goroot := strings.TrimSpace(string(out))
	n := 0
	for _, dir := range []string{"go", "net/http", "encoding", "strings", "sort"} {
		root := filepath.Join(goroot, "src", filepath.FromSlash(dir))
		filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(p, ".go") || strings.Contains(p, "testdata") {
				return nil
			}
			src, err := os.ReadFile(p)
			if err != nil {
				return nil
			}
			want, _, err := parseGoFuncsAST(p, src)
			if err != nil {
				return nil // not valid Go on its own
			}
			got, _, err := scanGoFuncs(p, src)
			if err != nil {
				t.Errorf("%s: %v", p, err)
				return nil
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("%s: the scanner finds\n%+v\ngo/parser\n%+v", p, got, want)
			}
			n++
			return nil
		})
	}
	if n < 100 {
		t.Skipf("only %d standard library files found under GOROOT %s", n, goroot)
	}
}

func TestFuncCoverageCountsOverlappingBlocks(t *testing.T) {
	funcs := []goFunc{{name: "A", line: 3, col: 1, endLine: 6, endCol: 2}, {name: "B", line: 8, col: 1, endLine: 8, endCol: 30}}
	blocks := []blkT{
		{1, 10, 1, 20, 1, 1}, // a package-level literal before A: nobody's
		{3, 20, 4, 5, 2, 1},
		{4, 5, 6, 1, 3, 0},
		{8, 20, 8, 29, 1, 1},
	}
	bs := make([]cover.ProfileBlock, len(blocks))
	for i, b := range blocks {
		bs[i] = blk(b[0], b[1], b[2], b[3], b[4], b[5])
	}
	got := funcCoverage("f.go", funcs, bs)
	if len(got) != 2 || got[0].Statements != 5 || got[0].Covered != 2 || got[0].Percent != 40 ||
		got[1].Statements != 1 || got[1].Covered != 1 || got[1].File != "f.go" || got[1].Line != 8 {
		t.Errorf("got %+v %+v", *got[0], *got[1])
	}
}

type blkT [6]int

// parseGoFuncsAST is parseGoFuncs on a go/parser syntax tree: the oracle
// the scanner is checked against.
func parseGoFuncsAST(name string, src []byte) ([]goFunc, bool, error) {
	generated := isGeneratedGo(src)
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, name, src, parser.SkipObjectResolution)
	if err != nil {
		return nil, generated, err
	}
	var funcs []goFunc
	for _, d := range f.Decls {
		fd, ok := d.(*ast.FuncDecl)
		if !ok || fd.Body == nil {
			continue
		}
		start := fset.Position(fd.Pos())
		end := fset.Position(fd.End())
		funcs = append(funcs, goFunc{
			name: funcName(fd),
			line: start.Line, col: start.Column,
			endLine: end.Line, endCol: end.Column,
			branches: astBranches(fd.Body),
		})
	}
	return funcs, generated, nil
}

// astBranches counts the branch points of a function body the way
// scanGoFuncs does: if, for (and range), each case of a switch or select
// (default is not a branch of its own), && and ||.
func astBranches(body *ast.BlockStmt) int {
	n := 0
	ast.Inspect(body, func(x ast.Node) bool {
		switch x := x.(type) {
		case *ast.IfStmt, *ast.ForStmt, *ast.RangeStmt:
			n++
		case *ast.CaseClause:
			if x.List != nil {
				n++
			}
		case *ast.CommClause:
			if x.Comm != nil {
				n++
			}
		case *ast.BinaryExpr:
			if x.Op == token.LAND || x.Op == token.LOR {
				n++
			}
		}
		return true
	})
	return n
}

// funcName returns "Name", "T.Name" or "(*T).Name", without type parameters.
func funcName(fd *ast.FuncDecl) string {
	if fd.Recv == nil || len(fd.Recv.List) == 0 {
		return fd.Name.Name
	}
	t := fd.Recv.List[0].Type
	star := false
	if s, ok := t.(*ast.StarExpr); ok {
		star = true
		t = s.X
	}
	switch x := t.(type) {
	case *ast.IndexExpr:
		t = x.X
	case *ast.IndexListExpr:
		t = x.X
	}
	recv := "?"
	if id, ok := t.(*ast.Ident); ok {
		recv = id.Name
	}
	if star {
		return "(*" + recv + ")." + fd.Name.Name
	}
	return recv + "." + fd.Name.Name
}

// TestScanGoFuncsRecordingKeepsTheTokensOfTheSameScan: the scan that keeps
// the highlighting tokens for the HTML report (with comments) finds the same
// functions and errors as the scan without, and keeps exactly the tokens a
// scan of their own finds (gotokens.Scan, which the report uses otherwise),
// on tricky sources and every Go file of a few standard library packages,
// their testdata (invalid Go) included.
func TestScanGoFuncsRecordingKeepsTheTokensOfTheSameScan(t *testing.T) {
	srcs := map[string][]byte{
		"tricky.go":   []byte(trickyGo),
		"comments.go": []byte("package c\n\nfunc A() { /* a\n b */ }\n\n// B says\nfunc B() int { return len(\"x\") } // end\n/* last"),
		"lone-cr.go":  []byte("package c\n\nvar s = `a\rb`\n\nfunc F() {\n\tprintln(s)\n}\n"),
		"invalid.go":  []byte("package b\n\nfunc Bad() {\n\ts := \"unterminated\n}\n"),
	}
	if out, err := exec.Command("go", "env", "GOROOT").Output(); err == nil {
		goroot := strings.TrimSpace(string(out))
		for _, dir := range []string{"go/scanner", "go/parser", "go/printer", "strings"} {
			filepath.WalkDir(filepath.Join(goroot, "src", filepath.FromSlash(dir)), func(p string, d fs.DirEntry, err error) error {
				if err == nil && !d.IsDir() && strings.HasSuffix(p, ".go") {
					if src, err := os.ReadFile(p); err == nil {
						srcs[p] = src
					}
				}
				return nil
			})
		}
	}
	if len(srcs) < 50 {
		t.Errorf("only %d sources", len(srcs))
	}
	for name, src := range srcs {
		wantFuncs, wantGen, wantErr := scanGoFuncs(name, src)
		rec := gotokens.NewRecorder(src)
		funcs, gen, err := scanGoFuncsRecording(name, src, rec)
		if !reflect.DeepEqual(funcs, wantFuncs) || gen != wantGen || fmt.Sprint(err) != fmt.Sprint(wantErr) {
			t.Errorf("%s: recording finds %+v, %v, %v; without %+v, %v, %v", name, funcs, gen, err, wantFuncs, wantGen, wantErr)
		}
		got, want := rec.Tokens(), gotokens.Scan(src)
		if !reflect.DeepEqual(got, want) || !got.Of(src) {
			t.Errorf("%s: the function scan keeps %d tokens, a scan of their own finds %d", name, got.Len(), want.Len())
		}
	}
}

// scanGoFuncs is scanGoFuncsRecording without a recorder, as the ranking
// calls it.
func scanGoFuncs(name string, src []byte) ([]goFunc, bool, error) {
	return scanGoFuncsRecording(name, src, nil)
}

// The line table lineOffsets gives the scanner is the one it would build
// itself, line by line, for every way a source can end.
func TestLineOffsetsAreTheScannersOwnLineTable(t *testing.T) {
	for _, tc := range []struct{ name, src string }{
		{"an empty file", ""},
		{"a file without a newline", "package p"},
		{"a file ending in a newline", "package p\n\nfunc f() {}\n"},
		{"a file not ending in a newline", "package p\nfunc f() {\n}"},
		{"a file of newlines", "\n\n\n"},
		{"a raw string over lines", "package p\nvar s = `a\nb\n`\n// c\n"},
		{"CRLF line ends", "package p\r\nfunc f() {}\r\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src := []byte(tc.src)
			fset := token.NewFileSet()
			f := fset.AddFile("x.go", -1, len(src))
			var sc scanner.Scanner
			sc.Init(f, src, nil, scanner.ScanComments)
			for {
				if _, tok, _ := sc.Scan(); tok == token.EOF {
					break
				}
			}
			if got, want := lineOffsets(src), f.Lines(); !reflect.DeepEqual(got, want) {
				t.Errorf("lineOffsets = %v, the scanner's = %v", got, want)
			}
		})
	}
}
