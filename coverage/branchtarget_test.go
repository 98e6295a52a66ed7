package coverage

import (
	"fmt"
	"strings"
	"testing"
)

// branchyPackage is a package of n files whose statements all run, each
// with a public function missing `missed` branches (on its line+2, a jump
// to line+5) and a private helper missing one.
func branchyPackage(name, ext string, n, missed int) *Package {
	p := &Package{Name: name}
	for i := 0; i < n; i++ {
		f := &File{Path: fmt.Sprintf("%s/f%02d.%s", name, i, ext)}
		f.Rel = f.Path
		f.Branches = &Branches{Total: 2*missed + 4}
		for k, spec := range []struct {
			name   string
			missed int
		}{{fmt.Sprintf("parse_%02d", i), missed}, {"_helper", 1}} {
			line := 10 * (k + 1)
			fun, blocks := fn(spec.name, f.Rel, line, 6, 6)
			fun.EndLine = line + 6
			fun.MissedBranches = spec.missed
			f.Functions = append(f.Functions, fun)
			f.Blocks = append(f.Blocks, blocks...)
			f.MissedBranches = append(f.MissedBranches, MissedBranch{Line: line + 2, To: []int{line + 5}, Missed: spec.missed, Of: spec.missed + 1})
		}
		f.Branches.Taken = f.Branches.Total - missed - 1
		p.Files = append(p.Files, f)
	}
	return p
}

func TestRankBranchTargets(t *testing.T) {
	partlyRun := pkg("m/lib", map[string][]fnSpec{"open.c": {{"Open", 12, 2}}})
	tests := []struct {
		name      string
		pkgs      []*Package
		language  string
		opts      RankOptions
		want      []string // target: missed branches, first test, the start of its why
		wantNote  string   // BranchNote
		wantSplit string
	}{
		{name: "a project whose statements all run has a target for each file with a branch never taken",
			pkgs: []*Package{branchyPackage("ini", "py", 2, 3)}, language: "coverage.py",
			want: []string{
				"ini/f00.py: 4 missed, parse_00 (line 12: the branch to line 15 never runs; 6 of its 6 statements run, public, top-level)",
				"ini/f01.py: 4 missed, parse_01 (line 12: the branch to line 15 never runs; 6 of its 6 statements run, public, top-level)",
			},
			wantNote: "every statement runs; 8 of 20 branches never taken — targets are branches"},
		{name: "a unit with statements never run ranks by them first, a branch target after it",
			pkgs: []*Package{partlyRun, branchyPackage("ini", "c", 1, 3)}, language: "lcov",
			want: []string{"m/lib: 0 missed, Open (2 of its 12 statements run", "ini: 4 missed, parse_00 (line 12: the branch to line 15 never runs"}},
		{name: "a package of branch targets splits into files for the room",
			pkgs: []*Package{branchyPackage("ini", "c", 30, 2)}, language: "lcov", opts: RankOptions{Room: 20, Top: 1},
			want:      []string{"ini/f00.c: 3 missed, parse_00 (line 12: the branch to line 15 never runs"},
			wantNote:  "every statement runs; 90 of 240 branches never taken — targets are branches",
			wantSplit: "split 1 package into 30 file targets for a room of 20"},
		{name: "Go has no branch targets: its blocks are branch-level, so a project at 100% has no target",
			pkgs: []*Package{pkg("m/done", map[string][]fnSpec{"a.go": {{"Parse", 8, 8}, {"helper", 3, 3}}})}, language: "go",
			opts: RankOptions{Room: 20}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := result(tt.pkgs...)
			r.Language = tt.language
			ts, split := RankRoom(r, tt.opts)
			var got []string
			for _, tg := range ts {
				s := fmt.Sprintf("%s: %d missed", tg.Name, tg.MissedBranches)
				if tg.FirstTest != nil {
					s += ", " + tg.FirstTest.Name + " (" + tg.FirstTest.Why + ")"
				}
				got = append(got, s)
			}
			if len(got) != len(tt.want) {
				t.Fatalf("targets:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
			for i := range got {
				if !strings.HasPrefix(got[i], tt.want[i]) {
					t.Errorf("target %d = %q, want it to start %q", i+1, got[i], tt.want[i])
				}
			}
			if note := BranchNote(r); note != tt.wantNote {
				t.Errorf("note = %q, want %q", note, tt.wantNote)
			}
			if split != tt.wantSplit {
				t.Errorf("split = %q, want %q", split, tt.wantSplit)
			}
		})
	}
}

func TestBranchDataLeavesStatementScoresAlone(t *testing.T) {
	with := pkg("m/lib", map[string][]fnSpec{"a.c": {{"Open", 12, 2}, {"Close", 4, 0}}})
	without := pkg("m/lib", map[string][]fnSpec{"a.c": {{"Open", 12, 2}, {"Close", 4, 0}}})
	with.Files[0].Branches = &Branches{Total: 10, Taken: 3}
	with.Files[0].MissedBranches = []MissedBranch{{Line: 12, Missed: 7, Of: 10}}
	a, b := Rank(result(with), RankOptions{}), Rank(result(without), RankOptions{})
	if len(a) != 1 || len(b) != 1 || a[0].Score != b[0].Score || a[0].Reason != b[0].Reason || a[0].MissedBranches != 0 {
		t.Errorf("with branch data %+v; without %+v", a, b)
	}
}

func TestDescribeMissSaysWhichBranch(t *testing.T) {
	for _, tc := range []struct {
		m    MissedBranch
		want string
	}{
		{MissedBranch{Line: 42, To: []int{45}, Missed: 1, Of: 2}, "line 42: the branch to line 45 never runs"},
		{MissedBranch{Line: 42, To: []int{-40}, Missed: 1, Of: 2}, "line 42: the branch that leaves the function never runs"},
		{MissedBranch{Line: 42, To: []int{-40, 44}, Missed: 2, Of: 3}, "line 42: the branches out of the function and to line 44 never run"},
		{MissedBranch{Line: 7, Missed: 1, Of: 4}, "line 7: 1 of its 4 branches never runs"},
		{MissedBranch{Line: 7, Missed: 3, Of: 4}, "line 7: 3 of its 4 branches never run"},
	} {
		if got := DescribeMiss(tc.m); got != tc.want {
			t.Errorf("DescribeMiss(%+v) = %q, want %q", tc.m, got, tc.want)
		}
	}
}
