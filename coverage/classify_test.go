package coverage

import (
	"testing"
)

func TestFirstTestsAndEntryPoints(t *testing.T) {
	tests := []struct {
		name  string
		fn    Function
		pkg   string
		entry string
		tier  int
	}{
		{name: "a small function with branches and several statements is the best first test",
			fn: Function{Name: "parseQuery", File: "url/parse.go", Branches: 3, Counts: Counts{Statements: 8}}, pkg: "m/url", tier: 1},
		{name: "a small function without branches comes next",
			fn: Function{Name: "format", File: "url/parse.go", Counts: Counts{Statements: 4}}, pkg: "m/url", tier: 2},
		{name: "a large function comes after the small ones",
			fn: Function{Name: "Parse", File: "url/parse.go", Branches: 9, Counts: Counts{Statements: 40}}, pkg: "m/url", tier: 3},
		{name: "a one-statement getter comes last",
			fn: Function{Name: "(*URL).Host", File: "url/url.go", Counts: Counts{Statements: 1}}, pkg: "m/url", tier: 4},
		{name: "a String method without branches comes last even with three statements",
			fn: Function{Name: "URL.String", File: "url/url.go", Counts: Counts{Statements: 3}}, pkg: "m/url", tier: 4},
		{name: "main is an entry point", fn: Function{Name: "main", File: "cmd/x/main.go"}, pkg: "m/cmd/x", entry: "main function"},
		{name: "init is an entry point", fn: Function{Name: "init", File: "url/url.go"}, pkg: "m/url", entry: "init function"},
		{name: "a go-fuzz Fuzz function is a harness", fn: Function{Name: "FuzzParse", File: "url/parse.go"}, pkg: "m/url", entry: "fuzz harness"},
		{name: "a function named Fuzzy is not a harness", fn: Function{Name: "Fuzzy", File: "url/match.go", Counts: Counts{Statements: 1}}, pkg: "m/url", tier: 4},
		{name: "every function of a fuzz*.go file is a harness", fn: Function{Name: "helper", File: "url/fuzz_parse.go"}, pkg: "m/url", entry: "fuzz harness"},
		{name: "every function of a package named fuzz is a harness", fn: Function{Name: "Run", File: "fuzz/run.go"}, pkg: "m/fuzz", entry: "fuzz harness"},
		{name: "every function of a Python package named fuzz is a harness", fn: Function{Name: "run", File: "lib/fuzz/run.py"}, pkg: "lib.fuzz", entry: "fuzz harness"},
		{name: "a Go module path with a dot is not a Python package", fn: Function{Name: "Get", File: "v3/get.go", Counts: Counts{Statements: 1}}, pkg: "gopkg.in/fuzz.v3", tier: 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := entryPoint(tt.pkg, &tt.fn); got != tt.entry {
				t.Errorf("entryPoint = %q, want %q", got, tt.entry)
			}
			if tt.entry == "" {
				if got := firstTestTier(&tt.fn); got != tt.tier {
					t.Errorf("tier = %d, want %d", got, tt.tier)
				}
			}
		})
	}
}
