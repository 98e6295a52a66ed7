package importer

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/sprintkit/sprintkit/coverage"
)

// TestDefaultUnitRanksPythonModules imports coverage of the one-package
// Python fixture (calc: __init__.py, ops.py, untested.py) and ranks it
// without --by: Python's unit is the module, so each module with uncovered
// code is a target; --by package still gives the one package.
func TestDefaultUnitRanksPythonModules(t *testing.T) {
	const covJSON = `{"meta": {"version": "7.6.1"}, "files": {
"calc/__init__.py": {"executed_lines": [3, 5], "missing_lines": [], "excluded_lines": [], "summary": {"covered_lines": 2, "num_statements": 2}},
"calc/ops.py": {"executed_lines": [3, 6, 7, 10, 14], "missing_lines": [11, 15, 16, 17], "excluded_lines": [], "summary": {"covered_lines": 5, "num_statements": 9}},
"calc/untested.py": {"executed_lines": [], "missing_lines": [4, 5, 6, 9, 10], "excluded_lines": [], "summary": {"covered_lines": 0, "num_statements": 5}}},
"totals": {"covered_lines": 7, "num_statements": 16}}`
	const lcov = "SF:calc/ops.py\nDA:6,1\nDA:7,1\nDA:10,1\nDA:11,0\nend_of_record\nSF:calc/untested.py\nDA:4,1\nDA:5,0\nDA:6,0\nend_of_record\n"
	tests := []struct {
		name, file, content, by string
		unit                    string
		targets                 string
	}{
		{"coverage.py's data ranks modules by default", "coverage.json", covJSON, "", "file", "calc/ops.py calc/untested.py"},
		{"an LCOV file of Python modules ranks modules by default", "lcov.info", lcov, "", "file", "calc/ops.py calc/untested.py"},
		{"--by package still ranks the one package", "coverage.json", covJSON, "package", "file", "calc"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := t.TempDir()
			if err := os.CopyFS(root, os.DirFS(filepath.Join("..", "pytest", "testdata", "pyproj"))); err != nil {
				t.Fatal(err)
			}
			r := importString(t, root, tt.file, tt.content)
			if got := coverage.DefaultUnit(r); got != tt.unit {
				t.Errorf("DefaultUnit = %q, want %q", got, tt.unit)
			}
			var got []string
			for _, tg := range coverage.Rank(r, coverage.RankOptions{By: tt.by}) {
				got = append(got, tg.Name)
			}
			sort.Strings(got)
			if strings.Join(got, " ") != tt.targets {
				t.Errorf("targets %v, want %s", got, tt.targets)
			}
		})
	}
}
