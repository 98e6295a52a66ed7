package pertest

import (
	"strings"
	"testing"

	"github.com/sprintkit/sprintkit/coverage"
)

// shopPackage is a package of three files: cart.go with Cart's methods,
// price.go with Cart's Total method and a function, and tax.go.
func shopPackage() *coverage.Result {
	fn := func(name, file string, line, end int) *coverage.Function {
		return &coverage.Function{Name: name, File: file, Line: line, EndLine: end}
	}
	cart := &coverage.File{Path: "example.com/shop/cart.go", Rel: "cart.go", Functions: []*coverage.Function{
		fn("(*Cart).Add", "cart.go", 5, 10), fn("(*Cart).Remove", "cart.go", 12, 20)}}
	price := &coverage.File{Path: "example.com/shop/price.go", Rel: "price.go", Functions: []*coverage.Function{
		fn("(Cart).Total", "price.go", 3, 9), fn("Round", "price.go", 11, 15)}}
	tax := &coverage.File{Path: "example.com/shop/tax.go", Rel: "tax.go", Functions: []*coverage.Function{
		fn("Tax", "tax.go", 3, 8)}}
	return &coverage.Result{Language: "go", Packages: []*coverage.Package{{Name: "example.com/shop", Files: []*coverage.File{cart, price, tax}}}}
}

func TestStartFromRanksNearestCodeFirst(t *testing.T) {
	test := func(name, file string, lines map[string][]int) Test {
		return Test{Name: name, File: file, Line: 3, Lines: lines}
	}
	cases := []struct {
		name      string
		first     string // the first test's function
		file      string // its file
		tests     []Test
		want      string // the test chosen; "" for none
		wantWhy   string // a part of its why, or of start_from_why
		pkgWhy    string
		noPackage bool
	}{
		{
			name:  "the test that runs the most of the first test's own file wins over one that runs more elsewhere",
			first: "(*Cart).Remove", file: "cart.go",
			tests: []Test{
				test("TestTax", "tax_test.go", map[string][]int{"example.com/shop/tax.go": {3, 4, 5, 6, 7}, "example.com/shop/cart.go": {6}}),
				test("TestAdd", "cart_test.go", map[string][]int{"example.com/shop/cart.go": {5, 6, 7}}),
			},
			want: "TestAdd", wantWhy: "runs 3 lines of cart.go, the file of (*Cart).Remove, the most of the 2 tests that run it",
		},
		{
			name:  "of two tests that run as much of the file, the one in the file named for it wins",
			first: "Tax", file: "tax.go",
			tests: []Test{
				test("TestAll", "all_test.go", map[string][]int{"example.com/shop/tax.go": {4}}),
				test("TestTaxZero", "tax_test.go", map[string][]int{"example.com/shop/tax.go": {5}}),
			},
			want: "TestTaxZero", wantWhy: "runs 1 line of tax.go",
		},
		{
			name:  "with no test in its file, a method starts from the test that runs most of its type's methods",
			first: "(Cart).Total", file: "price.go",
			tests: []Test{
				test("TestTax", "tax_test.go", map[string][]int{"example.com/shop/tax.go": {3, 4, 5, 6, 7, 8}}),
				test("TestAdd", "cart_test.go", map[string][]int{"example.com/shop/cart.go": {5, 6}}),
			},
			want: "TestAdd", wantWhy: "no test runs price.go; runs 2 lines of Cart's methods",
		},
		{
			name:  "a function with no test in its file starts from the test that runs most of the package",
			first: "Round", file: "price.go",
			tests: []Test{
				test("TestAdd", "cart_test.go", map[string][]int{"example.com/shop/cart.go": {5, 6}}),
				test("TestTax", "tax_test.go", map[string][]int{"example.com/shop/tax.go": {3, 4, 5}}),
			},
			want: "TestTax", wantWhy: "no test runs price.go; runs 3 lines of package example.com/shop",
		},
		{
			name:  "no test that runs any code of the package: none, and why",
			first: "Round", file: "price.go",
			want: "", wantWhy: "no test runs code in package example.com/shop (no test files)", pkgWhy: "no test files",
		},
		{
			name:  "a package per-test coverage did not measure is left alone",
			first: "Round", file: "price.go", noPackage: true,
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := shopPackage()
			m := NewMap()
			if !tc.noPackage {
				m.add(&Package{Path: "example.com/shop", Tests: tc.tests, Why: tc.pkgWhy})
			}
			targets := []coverage.Target{{Kind: "file", Name: tc.file, File: tc.file,
				FirstTest: &coverage.FirstTest{Name: tc.first, File: tc.file, Line: 1}}}
			Assign(r, targets, m)
			got := targets[0]
			switch {
			case tc.want == "" && got.StartFrom != nil:
				t.Fatalf("start_from = %+v, want none", got.StartFrom)
			case tc.want == "":
				if got.StartFromWhy != tc.wantWhy {
					t.Fatalf("start_from_why = %q, want %q", got.StartFromWhy, tc.wantWhy)
				}
			case got.StartFrom == nil:
				t.Fatalf("no start_from (why: %q), want %s", got.StartFromWhy, tc.want)
			case got.StartFrom.Test != tc.want || !strings.Contains(got.StartFrom.Why, tc.wantWhy):
				t.Fatalf("start_from = %+v, want %s with why containing %q", got.StartFrom, tc.want, tc.wantWhy)
			case got.StartFrom.Line != 3 || got.StartFrom.File == "":
				t.Fatalf("start_from = %+v, want the test's own file and line", got.StartFrom)
			}
		})
	}
}

func TestForFileListsEachLinesTestsSorted(t *testing.T) {
	m := NewMap()
	m.add(&Package{Path: "p", Tests: []Test{
		{Name: "TestB", Lines: map[string][]int{"p/a.go": {3, 4}}},
		{Name: "TestA", Lines: map[string][]int{"p/a.go": {4}, "p/b.go": {1}}},
	}})
	names, lines := m.ForFile("p/a.go")
	if strings.Join(names, ",") != "TestA,TestB" {
		t.Fatalf("names = %v", names)
	}
	if len(lines[3]) != 1 || names[lines[3][0]] != "TestB" || len(lines[4]) != 2 {
		t.Fatalf("lines = %v", lines)
	}
	if n, _ := m.ForFile("p/c.go"); n != nil {
		t.Fatalf("a file no test runs has tests %v", n)
	}
}
