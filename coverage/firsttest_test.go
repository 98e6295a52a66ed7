package coverage

import (
	"strings"
	"testing"
)

func TestFirstTestIsChosenByEvidence(t *testing.T) {
	f := func(name, file string, line, stmts, covered, branches int) *Function {
		return &Function{Name: name, File: file, Line: line, Branches: branches, Counts: Counts{Statements: stmts, Covered: covered}}
	}
	tests := []struct {
		name    string
		funcs   []*Function
		want    string // the first test's name
		wantWhy string // a part of its why
	}{
		{name: "a wholly uncovered function comes before a partly covered one",
			funcs: []*Function{f("Parse", "a.go", 1, 3, 2, 1), f("Format", "a.go", 10, 5, 0, 1)},
			want:  "Format", wantWhy: "no test reaches it"},
		{name: "an exported Go function comes before an unexported one",
			funcs: []*Function{f("helper", "a.go", 1, 4, 0, 1), f("Check", "a.go", 10, 6, 0, 2)},
			want:  "Check", wantWhy: "exported"},
		{name: "a top-level Go function comes before a closure",
			funcs: []*Function{f("Check.func1", "a.go", 3, 4, 0, 1), f("Check", "a.go", 1, 6, 0, 2)},
			want:  "Check", wantWhy: "top-level"},
		{name: "a public Python function comes before a private helper",
			funcs: []*Function{f("_split", "m.py", 1, 3, 0, 0), f("parse", "m.py", 10, 5, 0, 0)},
			want:  "parse", wantWhy: "public"},
		{name: "a Python method of a private class is private",
			funcs: []*Function{f("_Cache.get", "m.py", 1, 3, 0, 0), f("Cache.get", "m.py", 10, 5, 0, 0)},
			want:  "Cache.get", wantWhy: "public"},
		{name: "a dunder is public",
			funcs: []*Function{f("Cache.__init__", "m.py", 1, 3, 0, 0)},
			want:  "Cache.__init__", wantWhy: "public"},
		{name: "a top-level Python function comes before one nested in it",
			funcs: []*Function{f("outer.inner", "m.py", 2, 3, 0, 0), f("outer", "m.py", 1, 5, 0, 0)},
			want:  "outer", wantWhy: "top-level"},
		{name: "a Python method is not nested: its class is no function",
			funcs: []*Function{f("Cart.add", "m.py", 2, 3, 0, 0)},
			want:  "Cart.add", wantWhy: "top-level"},
		{name: "a function with branches comes before a straight-line one",
			funcs: []*Function{f("Plain", "a.go", 1, 4, 0, 0), f("Branchy", "a.go", 10, 6, 0, 2)},
			want:  "Branchy", wantWhy: "2 branches"},
		{name: "two definitions under a platform switch are one first test",
			funcs: []*Function{f("home", "m.py", 3, 3, 0, 0), f("home", "m.py", 6, 3, 0, 0)},
			want:  "home", wantWhy: "one of 2 definitions of it"},
		{name: "the untested twin of a definition that runs comes last",
			funcs: []*Function{f("home", "m.py", 3, 3, 3, 0), f("home", "m.py", 6, 3, 0, 0), f("_other", "m.py", 9, 4, 2, 0)},
			want:  "_other", wantWhy: "private"},
		{name: "a getter comes after a partly covered function",
			funcs: []*Function{f("Name", "a.go", 1, 1, 0, 0), f("Parse", "a.go", 10, 8, 4, 2)},
			want:  "Parse", wantWhy: "4 of its 8 statements run"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var picks []*Function
			for _, fn := range tt.funcs {
				if fn.Uncovered() > 0 {
					picks = append(picks, fn)
				}
			}
			got, traits := orderFirstTests(picks, tt.funcs)
			if len(got) == 0 || got[0].Name != tt.want {
				t.Fatalf("first test = %v, want %s", names(got), tt.want)
			}
			if why := traits[got[0]].why(got[0], true); !strings.Contains(why, tt.wantWhy) {
				t.Errorf("why = %q, want it to say %q", why, tt.wantWhy)
			}
			seen := map[string]bool{}
			for _, fn := range got {
				if seen[fn.File+fn.Name] {
					t.Errorf("%s offered twice: %v", fn.Name, names(got))
				}
				seen[fn.File+fn.Name] = true
			}
		})
	}
}

func names(fns []*Function) []string {
	var out []string
	for _, fn := range fns {
		out = append(out, fn.Name)
	}
	return out
}

func TestFunctionTargetsMergePlatformTwins(t *testing.T) {
	p := &Package{Name: "lib"}
	file := &File{Path: "lib/paths.py", Rel: "lib/paths.py"}
	for _, spec := range []struct{ line, covered int }{{3, 3}, {8, 0}} {
		fun, blocks := fn("home", file.Rel, spec.line, 3, spec.covered)
		file.Functions = append(file.Functions, fun)
		file.Blocks = append(file.Blocks, blocks...)
	}
	p.Files = append(p.Files, file)
	r := result(p)
	r.Language = "python"
	ts := Rank(r, RankOptions{By: "function"})
	if len(ts) != 1 || ts[0].Name != "lib.home" {
		t.Fatalf("want one target for the two definitions of home, got %+v", ts)
	}
	if ts[0].Statements != 6 || ts[0].Uncovered != 3 {
		t.Errorf("twins' counts = %d statements, %d uncovered; want 6 and 3", ts[0].Statements, ts[0].Uncovered)
	}
	if !strings.Contains(ts[0].Reason, "no test reaches it") || ts[0].FirstTest == nil || ts[0].FirstTest.Line != 8 {
		t.Errorf("reason %q, first test %+v: want the definition that does not run", ts[0].Reason, ts[0].FirstTest)
	}
}
