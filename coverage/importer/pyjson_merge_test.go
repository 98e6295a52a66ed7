package importer

import (
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// Shards' coverage.py JSON reports merge to the profile of the one report
// coverage.py gives for the whole run.
func TestMergeCoveragePyJSONEqualsOneReport(t *testing.T) {
	tests := []struct {
		name   string
		shards []string
		whole  string
	}{
		{
			name: "a line runs when any shard ran it; the docstring the old coverage.py lists is dropped once",
			shards: []string{
				`{"files": {"m.py": {"executed_lines": [1, 4, 5], "missing_lines": [8, 9], "summary": {"covered_lines": 2, "num_statements": 4}}}}`,
				`{"files": {"m.py": {"executed_lines": [1, 8], "missing_lines": [4, 5, 9], "summary": {"covered_lines": 1, "num_statements": 4}}}}`,
			},
			whole: `{"files": {"m.py": {"executed_lines": [1, 4, 5, 8], "missing_lines": [9], "summary": {"covered_lines": 3, "num_statements": 4}}}, "totals": {"covered_lines": 3, "num_statements": 4}}`,
		},
		{
			name: "a branch arc is taken when any shard took it, missing when none did",
			shards: []string{
				`{"meta": {"branch_coverage": true}, "files": {"m.py": {"executed_lines": [1, 2, 3], "missing_lines": [5], "executed_branches": [[2, 3]], "missing_branches": [[2, 5], [6, 7]], "summary": {"covered_lines": 3, "num_statements": 4}}}}`,
				`{"meta": {"branch_coverage": true}, "files": {"m.py": {"executed_lines": [1, 2, 5], "missing_lines": [3], "executed_branches": [[2, 5]], "missing_branches": [[2, 3], [6, 7]], "summary": {"covered_lines": 3, "num_statements": 4}}}}`,
			},
			whole: `{"meta": {"branch_coverage": true}, "files": {"m.py": {"executed_lines": [1, 2, 3, 5], "missing_lines": [], "executed_branches": [[2, 3], [2, 5]], "missing_branches": [[6, 7]], "summary": {"covered_lines": 4, "num_statements": 4}}}, "totals": {"covered_lines": 4, "num_statements": 4}}`,
		},
		{
			name: "a file one shard does not list comes from the others",
			shards: []string{
				`{"files": {"a.py": {"executed_lines": [1], "missing_lines": [2], "summary": {"covered_lines": 1, "num_statements": 2}}}}`,
				`{"files": {"a.py": {"executed_lines": [], "missing_lines": [1, 2], "summary": {"covered_lines": 0, "num_statements": 2}},
				            "ns/b.py": {"executed_lines": [3], "missing_lines": [], "summary": {"covered_lines": 1, "num_statements": 1}}}}`,
				`{"files": {}}`,
			},
			whole: `{"files": {"a.py": {"executed_lines": [1], "missing_lines": [2], "summary": {"covered_lines": 1, "num_statements": 2}},
			             "ns/b.py": {"executed_lines": [3], "missing_lines": [], "summary": {"covered_lines": 1, "num_statements": 1}}}, "totals": {"covered_lines": 2, "num_statements": 3}}`,
		},
		{
			name: "coverage.py 7.5 functions merge as the file does",
			shards: []string{
				`{"files": {"m.py": {"executed_lines": [1, 2], "missing_lines": [4, 5], "summary": {"covered_lines": 2, "num_statements": 4},
				  "functions": {"f": {"executed_lines": [2], "missing_lines": [], "start_line": 1}, "g": {"executed_lines": [], "missing_lines": [4, 5], "start_line": 3}}}}}`,
				`{"files": {"m.py": {"executed_lines": [1, 4], "missing_lines": [2, 5], "summary": {"covered_lines": 2, "num_statements": 4},
				  "functions": {"f": {"executed_lines": [], "missing_lines": [2], "start_line": 1}, "g": {"executed_lines": [4], "missing_lines": [5], "start_line": 3}}}}}`,
			},
			whole: `{"files": {"m.py": {"executed_lines": [1, 2, 4], "missing_lines": [5], "summary": {"covered_lines": 3, "num_statements": 4},
			  "functions": {"f": {"executed_lines": [2], "missing_lines": [], "start_line": 1}, "g": {"executed_lines": [4], "missing_lines": [5], "start_line": 3}}}}, "totals": {"covered_lines": 3, "num_statements": 4}}`,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			var names []string
			for i, s := range tc.shards {
				name := filepath.Join(dir, "shard-"+string(rune('1'+i))+".out")
				if err := os.WriteFile(name, []byte(s), 0o644); err != nil {
					t.Fatal(err)
				}
				names = append(names, name)
			}
			got, err := MergeCoveragePyJSON("coverage json", names)
			if err != nil {
				t.Fatal(err)
			}
			want, err := ParseCoveragePyJSON("coverage json", strings.NewReader(tc.whole))
			if err != nil {
				t.Fatal(err)
			}
			canon(got)
			canon(want)
			if !reflect.DeepEqual(got, want) {
				t.Errorf("merged:\n%+v\none report:\n%+v", dump(got), dump(want))
			}
		})
	}
}

func TestMergeCoveragePyJSONNamesABrokenReport(t *testing.T) {
	dir := t.TempDir()
	good, bad := filepath.Join(dir, "shard-1-of-2.out"), filepath.Join(dir, "shard-2-of-2.out")
	for name, s := range map[string]string{good: `{"files": {}}`, bad: "{\"files\": {\n\"m.py\": {\"executed_lines\": \"x\"}}}"} {
		if err := os.WriteFile(name, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	_, err := MergeCoveragePyJSON("coverage json", []string{good, bad})
	if err == nil || !strings.HasPrefix(err.Error(), bad+":2: ") {
		t.Errorf("err = %v, want one naming %s and its line 2", err, bad)
	}
	if _, err := MergeCoveragePyJSON("coverage json", []string{good, filepath.Join(dir, "gone.out")}); err == nil || !strings.Contains(err.Error(), "gone.out") {
		t.Errorf("err = %v, want one naming gone.out", err)
	}
}

// canon orders what a profile holds in no particular order.
func canon(p *Profile) {
	p.Name = ""
	slices.SortFunc(p.Files, func(a, b *FileProfile) int { return strings.Compare(a.Path, b.Path) })
	for _, f := range p.Files {
		normalizeLines(&f.Lines)
		slices.SortFunc(f.Branches, func(a, b BranchHit) int { return strings.Compare(a.ID, b.ID) })
	}
}

func dump(p *Profile) []FileProfile {
	var out []FileProfile
	for _, f := range p.Files {
		out = append(out, *f)
	}
	return out
}
