package gotest

import (
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"testing"

	"golang.org/x/tools/cover"
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
	n := 0
	for _, dir := range []string{"go", "net/http", "encoding", "strings", "sort"} {
		root := filepath.Join(runtime.GOROOT(), "src", filepath.FromSlash(dir))
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
		t.Skipf("only %d standard library files found under GOROOT %s", n, runtime.GOROOT())
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
