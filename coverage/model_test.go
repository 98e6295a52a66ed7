package coverage

import (
	"slices"
	"testing"

	"golang.org/x/tools/cover"
)

func TestPercentRoundsLikeGoTestCover(t *testing.T) {
	for _, tc := range []struct {
		covered, stmts int
		want           float64
	}{
		{0, 0, 0},
		{1, 3, 33.3},
		{2, 3, 66.7},
		{1, 8, 12.5},
		{7, 7, 100},
	} {
		if got := Percent(tc.covered, tc.stmts); got != tc.want {
			t.Errorf("Percent(%d, %d) = %v, want %v", tc.covered, tc.stmts, got, tc.want)
		}
	}
}

func TestRangesJoinRunsOfLines(t *testing.T) {
	for _, tc := range []struct {
		name     string
		lines    []int
		measured map[int]bool
		want     []LineRange
	}{
		{"no lines give no runs, as an empty list", nil, nil, []LineRange{}},
		{"consecutive lines make one run", []int{3, 4, 5}, nil, []LineRange{{3, 5}}},
		{"a gap breaks the run without measured lines", []int{3, 5}, nil, []LineRange{{3, 3}, {5, 5}}},
		{"a gap of unmeasured lines does not break it", []int{3, 6}, map[int]bool{3: true, 6: true}, []LineRange{{3, 6}}},
		{"a measured line in the gap breaks it", []int{3, 6}, map[int]bool{3: true, 5: true, 6: true}, []LineRange{{3, 3}, {6, 6}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var m func(int) bool
			if tc.measured != nil {
				m = func(l int) bool { return tc.measured[l] }
			}
			got := Ranges(tc.lines, m)
			if got == nil || !slices.Equal(got, tc.want) {
				t.Errorf("got %#v, want %#v", got, tc.want)
			}
		})
	}
	if s := (LineRange{7, 7}).String() + " " + (LineRange{7, 9}).String(); s != "7 7-9" {
		t.Errorf("String gives %q, want \"7 7-9\"", s)
	}
}

func TestFormatRangesWritesRunsLikeCoveragePy(t *testing.T) {
	for _, tc := range []struct {
		name     string
		lines    []int
		measured map[int]bool
		want     string
	}{
		{"nothing missed", nil, nil, ""},
		{"single line", []int{41}, nil, "41"},
		{"a run and a single line", []int{33, 34, 35, 41}, nil, "33-35, 41"},
		{"a run joined across an unmeasured line", []int{10, 12}, map[int]bool{10: true, 12: true}, "10-12"},
		{"a measured line between breaks the run", []int{10, 12}, map[int]bool{10: true, 11: true, 12: true}, "10, 12"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var m func(int) bool
			if tc.measured != nil {
				m = func(l int) bool { return tc.measured[l] }
			}
			if got := FormatRanges(tc.lines, m); got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestFinalizeSumsFilesPackagesAndTotal(t *testing.T) {
	r := &Result{Packages: []*Package{
		{Name: "b", Files: []*File{{Path: "b/x.go", Blocks: []cover.ProfileBlock{
			{StartLine: 1, EndLine: 2, NumStmt: 3, Count: 1},
			{StartLine: 3, EndLine: 4, NumStmt: 1, Count: 0},
		}}}},
		{Name: "a", Files: []*File{{Path: "a/y.go", Blocks: []cover.ProfileBlock{
			{StartLine: 1, EndLine: 1, NumStmt: 2, Count: 0},
		}}}},
	}}
	r.Finalize()
	if r.Packages[0].Name != "a" {
		t.Errorf("packages not sorted: first is %s", r.Packages[0].Name)
	}
	if r.Total.Statements != 6 || r.Total.Covered != 3 || r.Total.Percent != 50 {
		t.Errorf("total = %+v, want 6 statements, 3 covered, 50%%", r.Total)
	}
	if b := r.Package("b"); b.Statements != 4 || b.Covered != 3 || b.Percent != 75 {
		t.Errorf("package b = %+v", b.Counts)
	}
}

func TestLineStatesMarksPartialLines(t *testing.T) {
	f := &File{Blocks: []cover.ProfileBlock{
		{StartLine: 2, StartCol: 10, EndLine: 4, EndCol: 3, NumStmt: 2, Count: 1},
		{StartLine: 4, StartCol: 3, EndLine: 6, EndCol: 2, NumStmt: 1, Count: 0},
	}}
	s := f.LineStates()
	want := map[int]LineState{1: LineNone, 2: LineCovered, 3: LineCovered, 4: LinePartial, 5: LineUncovered}
	for l, w := range want {
		if s[l] != w {
			t.Errorf("line %d = %v, want %v", l, s[l], w)
		}
	}
	if got := FormatRanges(f.MissedLines(), nil); got != "4-5" {
		t.Errorf("missed = %q, want 4-5", got)
	}
}
