package importer

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
)

const pySource = `"""Module docstring."""


def used(x):
    return x + 1


class K:
    def m(self):
        y = 1
        return y
`

func TestImportCoveragePyJSON(t *testing.T) {
	tests := []struct {
		name  string
		json  string
		total [2]int
		funcs []fnWant
	}{
		{
			name: "coverage.py 6 JSON: totals as declared, functions from the source",
			json: `{"meta": {"version": "6.5.0", "timestamp": "2024-01-01T00:00:00", "branch_coverage": false, "show_contexts": false},
"files": {"pkg/mod.py": {"executed_lines": [1, 4, 5, 8, 9], "summary": {"covered_lines": 4, "num_statements": 6, "percent_covered": 66.7, "missing_lines": 2, "excluded_lines": 0},
"missing_lines": [10, 11], "excluded_lines": []}},
"totals": {"covered_lines": 4, "num_statements": 6, "percent_covered": 66.66666666666667, "percent_covered_display": "67", "missing_lines": 2, "excluded_lines": 0}}`,
			// Line 1 (the docstring) is dropped: executed_lines has 5, covered_lines 4.
			total: [2]int{4, 6},
			funcs: []fnWant{{"used", 4, 5, 1, 1}, {"K.m", 9, 11, 2, 0}},
		},
		{
			name: "coverage.py 7 JSON: functions from its regions, with start_line",
			json: `{"meta": {"format": 3, "version": "7.13.1"}, "files": {"pkg/mod.py": {
"executed_lines": [4, 5, 8, 9], "missing_lines": [10, 11], "excluded_lines": [],
"summary": {"covered_lines": 4, "num_statements": 6},
"functions": {"": {"executed_lines": [4, 8, 9], "missing_lines": [], "excluded_lines": []},
  "used": {"executed_lines": [5], "missing_lines": [], "excluded_lines": [], "start_line": 4},
  "K.m": {"executed_lines": [], "missing_lines": [10, 11], "excluded_lines": [], "start_line": 9},
  "K.empty": {"executed_lines": [], "missing_lines": [], "excluded_lines": [], "start_line": 8}},
"classes": {"K": {"executed_lines": [], "missing_lines": [10, 11], "excluded_lines": []}}}},
"totals": {"covered_lines": 4, "num_statements": 6}}`,
			total: [2]int{4, 6},
			// K.empty has no statements of its own, though line 8 is measured.
			funcs: []fnWant{{"used", 4, 5, 1, 1}, {"K.empty", 8, 8, 0, 0}, {"K.m", 9, 11, 2, 0}},
		},
		{
			name: "branch data is accepted",
			json: `{"meta": {"branch_coverage": true}, "files": {"pkg/mod.py": {"executed_lines": [4, 5], "missing_lines": [],
"excluded_lines": [], "executed_branches": [[4, 5]], "missing_branches": [[4, -1]], "summary": {"covered_lines": 2, "num_statements": 2, "num_branches": 2}}},
"totals": {"covered_lines": 2, "num_statements": 2, "num_branches": 2, "covered_branches": 1}}`,
			total: [2]int{2, 2},
		},
		{
			name:  "CRLF and pretty-printing read the same",
			json:  "{\r\n  \"files\": {\r\n    \"pkg/mod.py\": {\r\n      \"executed_lines\": [4],\r\n      \"missing_lines\": [5]\r\n    }\r\n  }\r\n}\r\n",
			total: [2]int{1, 2},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := t.TempDir()
			writeFiles(t, root, map[string]string{"pkg/__init__.py": "", "pkg/mod.py": pySource})
			r := importString(t, root, "coverage.json", tt.json)
			if got := [2]int{r.Total.Covered, r.Total.Statements}; got != tt.total {
				t.Errorf("total = %v, want %v", got, tt.total)
			}
			if r.Language != "coverage.py" || len(r.Packages) != 1 || r.Packages[0].Name != "pkg" {
				t.Errorf("language %q packages %v", r.Language, pkgNames(r))
			}
			if len(r.Warnings) > 0 {
				t.Errorf("warnings %q", r.Warnings)
			}
			if tt.funcs == nil {
				return
			}
			checkFunctions(t, findFile(r, "pkg/mod.py").Functions, tt.funcs)
		})
	}
}

func TestParseCoveragePyJSONErrors(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"an array is refused", "[1, 2]", `bad.json:1: want a coverage.py JSON report (an object with "files"), got "["`},
		{"a report without files is refused", `{"meta": {}}`, `bad.json:1: want a "files" object: not a coverage.py JSON report`},
		{"files that is not an object is refused", "{\n\"files\": [1]}", `bad.json:2: want an object of files in "files", got "["`},
		{"a line list of strings is refused, on its line", "{\"files\": {\n\"a.py\": {\n\"executed_lines\": [\"x\"]}}}",
			`bad.json:3: want the entry of "a.py" in "files": executed_lines is a JSON string, not an integer`},
		{"line zero is refused", `{"files": {"a.py": {"executed_lines": [0]}}}`, "bad.json:1: want line numbers from 1 to 16777216 in executed_lines, got 0"},
		{"a truncated report is refused", "{\"files\": {\"a.py\": {\"executed_lines\": [1,", `bad.json:1: want the entry of "a.py" in "files"`},
		{"broken JSON is refused with its line", "{\n\"files\": {\n\"a.py\": {\"executed_lines\": [1 2]}}}", "bad.json:3: want the entry of \"a.py\" in \"files\": invalid character '2'"},
		{"trailing data is refused", `{"files": {}} {"files": {}}`, "bad.json:1: want the end of the file after the report"},
		{"an empty file name is refused", `{"files": {"": {"executed_lines": [1]}}}`, `bad.json:1: want a file name in "files", got ""`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseCoveragePyJSON("bad.json", strings.NewReader(tt.in))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want %q", err, tt.want)
			}
		})
	}
}

// BenchmarkParseCoveragePyJSON parses a generated report of 200 files of
// 1,000 statements each, three in four executed, with a function per 50
// lines (coverage.py ≥ 7.5).
func BenchmarkParseCoveragePyJSON(b *testing.B) {
	var sb strings.Builder
	sb.WriteString(`{"meta": {"version": "7.6.0", "format": 3, "branch_coverage": false}, "files": {`)
	for f := range 200 {
		if f > 0 {
			sb.WriteString(", ")
		}
		var ex, mi []string
		for l := 1; l <= 1000; l++ {
			if l%4 == 0 {
				mi = append(mi, strconv.Itoa(l))
			} else {
				ex = append(ex, strconv.Itoa(l))
			}
		}
		fmt.Fprintf(&sb, `"pkg/m%03d.py": {"executed_lines": [%s], "missing_lines": [%s], "excluded_lines": [], "summary": {"covered_lines": %d, "num_statements": 1000}, "functions": {`,
			f, strings.Join(ex, ", "), strings.Join(mi, ", "), len(ex))
		for fn := range 20 {
			if fn > 0 {
				sb.WriteString(", ")
			}
			fmt.Fprintf(&sb, `"f%d": {"executed_lines": [%s], "missing_lines": [], "start_line": %d}`, fn, strings.Join(ex[fn*37:fn*37+37], ", "), fn*50+1)
		}
		sb.WriteString("}}")
	}
	sb.WriteString(`}, "totals": {"covered_lines": 150000, "num_statements": 200000}}`)
	in := sb.String()
	b.SetBytes(int64(len(in)))
	b.ResetTimer()
	for b.Loop() {
		if _, err := ParseCoveragePyJSON("cov.json", strings.NewReader(in)); err != nil {
			b.Fatal(err)
		}
	}
}
