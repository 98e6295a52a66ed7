package coverage

import (
	"fmt"
	"strings"
	"testing"
)

// roomPackage is a package of n files, each with an exported function
// that ran, an exported untested one, and an unexported helper.
func roomPackage(name string, n, untested int) *Package {
	files := map[string][]fnSpec{}
	for i := 0; i < n; i++ {
		files[fmt.Sprintf("f%02d.go", i)] = []fnSpec{{"Done", 4, 4}, {fmt.Sprintf("Parse%02d", i), untested, 0}, {"helper", 3, 0}}
	}
	return pkg(name, files)
}

func TestRankSplitsTargetsForTheRoom(t *testing.T) {
	tests := []struct {
		name      string
		pkgs      []*Package
		opts      RankOptions
		wantN     int
		wantKinds map[string]int
		wantNote  string
	}{
		{name: "one package of 30 files splits into 30 file targets for a room of 20",
			pkgs: []*Package{roomPackage("m/lib", 30, 6)}, opts: RankOptions{Room: 20},
			wantN: 30, wantKinds: map[string]int{"file": 30}, wantNote: "split 1 package into 30 file targets for a room of 20"},
		{name: "without a room the package is one target",
			pkgs: []*Package{roomPackage("m/lib", 30, 6)}, opts: RankOptions{},
			wantN: 1, wantKinds: map[string]int{"package": 1}},
		{name: "a unit asked for is never split",
			pkgs: []*Package{roomPackage("m/lib", 30, 6)}, opts: RankOptions{Room: 20, By: "package"},
			wantN: 1, wantKinds: map[string]int{"package": 1}},
		{name: "only the largest package splits when that is enough",
			pkgs: []*Package{roomPackage("m/big", 12, 6), roomPackage("m/small", 4, 6)}, opts: RankOptions{Room: 10},
			wantN: 13, wantKinds: map[string]int{"file": 12, "package": 1}, wantNote: "split 1 package into 12 file targets for a room of 10"},
		{name: "large files split into functions when files are not enough",
			pkgs: []*Package{roomPackage("m/lib", 3, 25)}, opts: RankOptions{Room: 6},
			wantN: 6, wantKinds: map[string]int{"function": 6},
			wantNote: "split 1 package into 3 file targets and 3 files into 6 function targets for a room of 6"},
		{name: "a target too small to share is not split",
			pkgs: []*Package{roomPackage("m/lib", 2, 3)}, opts: RankOptions{Room: 20},
			wantN: 1, wantKinds: map[string]int{"package": 1}},
		{name: "Top cuts the split list",
			pkgs: []*Package{roomPackage("m/lib", 30, 6)}, opts: RankOptions{Room: 20, Top: 5},
			wantN: 5, wantKinds: map[string]int{"file": 5}, wantNote: "split 1 package into 30 file targets for a room of 20"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := result(tt.pkgs...)
			r.Language = "go"
			ts, note := RankRoom(r, tt.opts)
			if len(ts) != tt.wantN {
				t.Fatalf("%d targets, want %d: %v", len(ts), tt.wantN, targetNames(ts))
			}
			kinds := map[string]int{}
			for i, tg := range ts {
				kinds[tg.Kind]++
				if tg.Rank != i+1 {
					t.Errorf("target %d ranked %d", i, tg.Rank)
				}
			}
			if fmt.Sprint(kinds) != fmt.Sprint(tt.wantKinds) {
				t.Errorf("kinds = %v, want %v", kinds, tt.wantKinds)
			}
			if note != tt.wantNote {
				t.Errorf("note = %q, want %q", note, tt.wantNote)
			}
		})
	}
}

func TestFileTargetsOfARoomOfferTheExportedUntestedFunction(t *testing.T) {
	r := result(roomPackage("m/lib", 30, 6))
	r.Language = "go"
	ts, _ := RankRoom(r, RankOptions{Room: 20})
	for _, tg := range ts {
		want := "Parse" + strings.TrimSuffix(strings.TrimPrefix(tg.File, "m/lib/f"), ".go")
		if tg.FirstTest == nil || tg.FirstTest.Name != want {
			t.Errorf("%s: first test %+v, want %s", tg.Name, tg.FirstTest, want)
			continue
		}
		if !strings.Contains(tg.Reason, "first test: "+want) || !strings.Contains(tg.FirstTest.Why, "no test reaches it, exported, top-level") {
			t.Errorf("%s: reason %q, why %q", tg.Name, tg.Reason, tg.FirstTest.Why)
		}
	}
}

func targetNames(ts []Target) []string {
	var out []string
	for _, t := range ts {
		out = append(out, t.Name)
	}
	return out
}

func TestExamplesDocsBenchmarksAndScriptsWeighDownLikeMainPackages(t *testing.T) {
	tests := []struct {
		name, file, wantNote string
	}{
		{name: "an example script", file: "examples/parse_demo.py", wantNote: "example code (examples/), not the library"},
		{name: "a docs helper", file: "docs/conf.py", wantNote: "documentation code (docs/)"},
		{name: "a nested benchmarks tree", file: "lib/benchmarks/run.py", wantNote: "benchmark code (benchmarks/)"},
		{name: "a script", file: "scripts/release.py", wantNote: "scripts (scripts/)"},
		{name: "a library file named like a tree is not one", file: "lib/examples.py", wantNote: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lib := pkg("lib", map[string][]fnSpec{"core.py": {{"parse", 12, 0}}})
			other := &Package{Name: "other"}
			f := &File{Path: tt.file, Rel: tt.file}
			fun, blocks := fn("run", tt.file, 1, 12, 0)
			f.Functions, f.Blocks = []*Function{fun}, blocks
			other.Files = []*File{f}
			r := result(lib, other)
			r.Language = "python"
			ts := Rank(r, RankOptions{})
			var got, core Target
			for _, tg := range ts {
				switch tg.File {
				case tt.file:
					got = tg
				case "lib/core.py":
					core = tg
				}
			}
			if tt.wantNote == "" {
				if strings.Contains(got.Reason, "not the library") || got.Score != core.Score {
					t.Errorf("%s: reason %q, score %.1f, want the library's %.1f", tt.file, got.Reason, got.Score, core.Score)
				}
				return
			}
			if !strings.Contains(got.Reason, tt.wantNote) {
				t.Errorf("reason = %q, want %q", got.Reason, tt.wantNote)
			}
			if ts[0].File != "lib/core.py" {
				t.Errorf("the library should rank first, got %s", ts[0].Name)
			}
		})
	}
}

func TestFilesOfOneShapeAreMarkedAsOneGroup(t *testing.T) {
	p := roomPackage("m/lib", 30, 6)
	odd := &File{Path: "m/lib/odd.go", Rel: "m/lib/odd.go"}
	for i, s := range []fnSpec{{"Decode", 9, 0}, {"encode", 4, 0}} {
		fun, blocks := fn(s.name, odd.Rel, 10*(i+1), s.stmts, s.covered)
		odd.Functions = append(odd.Functions, fun)
		odd.Blocks = append(odd.Blocks, blocks...)
	}
	p.Files = append(p.Files, odd)
	r := result(p)
	r.Language = "go"
	ts, _ := RankRoom(r, RankOptions{Room: 20})
	alike := 0
	for _, tg := range ts {
		switch {
		case tg.File == "m/lib/odd.go" && tg.Shape != "":
			t.Errorf("odd.go is of no shared shape, got %q", tg.Shape)
		case tg.File != "m/lib/odd.go" && tg.Shape != "30 files alike (untested: Parse…, helper…)":
			t.Errorf("%s: shape %q", tg.Name, tg.Shape)
		case tg.Shape != "":
			alike++
		}
	}
	if alike != 30 {
		t.Errorf("%d files marked alike, want 30", alike)
	}
}

func TestALibraryPackageNamedDocIsNotWeightedDown(t *testing.T) {
	if note := besideLibrary("internal/doc/render.go"); note != "" {
		t.Errorf("internal/doc is library code, got %q", note)
	}
	if note := besideLibrary("docs/conf.py"); note == "" {
		t.Error("docs/ is documentation code")
	}
}
