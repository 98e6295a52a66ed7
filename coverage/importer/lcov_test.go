package importer

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/sprintkit/sprintkit/coverage"

	"github.com/sprintkit/sprintkit/internal/testkit"
)

// writeFiles creates files (slash paths → content) under dir.
func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for rel, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// importString imports one coverage file with the given content, written
// under root, and returns the result.
func importString(t *testing.T, root, name, content string) *coverage.Result {
	t.Helper()
	p := filepath.Join(root, name)
	writeFiles(t, root, map[string]string{name: content})
	r, err := Import(context.Background(), root, []string{p})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// sources are the source files the hand-written coverage files name.
var sources = map[string]string{
	"src/a.c":               strings.Repeat("line\n", 40),
	"src/b.c":               strings.Repeat("line\n", 40),
	"lib/util/with space.c": strings.Repeat("line\n", 40),
	"src/empty.c":           "",
}

type fnWant struct {
	name           string
	line, end      int
	stmts, covered int
}

// checkFunctions asserts that a file's functions are exactly want, in order.
func checkFunctions(t *testing.T, fns []*coverage.Function, want []fnWant) {
	t.Helper()
	var got []fnWant
	for _, fn := range fns {
		got = append(got, fnWant{fn.Name, fn.Line, fn.EndLine, fn.Statements, fn.Covered})
	}
	if len(got) != len(want) {
		t.Fatalf("functions = %+v, want %+v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("function %d = %+v, want %+v", i, got[i], want[i])
		}
	}
}

// checkWarnings asserts that every wanted text appears in a warning, and
// that there are no warnings when none are wanted.
func checkWarnings(t *testing.T, warnings, want []string) {
	t.Helper()
	if len(want) == 0 && len(warnings) > 0 {
		t.Errorf("warnings = %q, want none", warnings)
	}
	all := strings.Join(warnings, "\n")
	for _, w := range want {
		if !strings.Contains(all, w) {
			t.Errorf("warnings = %q, want one containing %q", warnings, w)
		}
	}
}

func TestImportLCOV(t *testing.T) {
	tests := []struct {
		name     string
		lcov     string
		total    [2]int // covered, statements
		files    map[string][2]int
		pkgs     []string
		funcs    map[string][]fnWant
		warnings []string // substrings, in order
	}{
		{
			name: "totals are the sums of LH and LF when they match the DA lines",
			lcov: "TN:\nSF:src/a.c\nDA:1,1\nDA:2,0\nDA:3,5\nLF:3\nLH:2\nend_of_record\n" +
				"SF:src/b.c\nDA:1,0\nDA:2,0\nLF:2\nLH:0\nend_of_record\n",
			total: [2]int{2, 5},
			files: map[string][2]int{"src/a.c": {2, 3}, "src/b.c": {0, 2}},
			pkgs:  []string{"src"},
		},
		{
			name:  "branch records are accepted and do not change line totals",
			lcov:  "SF:src/a.c\nDA:4,2\nDA:5,0\nBRDA:4,0,0,2\nBRDA:4,0,1,-\nBRDA:4,e1,jump to line 9,0\nBRF:3\nBRH:1\nLF:2\nLH:1\nend_of_record\n",
			total: [2]int{1, 2},
		},
		{
			name: "functions without end lines reach to the next function",
			lcov: "SF:src/a.c\nFN:1,main\nFN:5,helper\nFNDA:1,main\nFNDA:0,helper\nFNF:2\nFNH:1\n" +
				"DA:1,1\nDA:2,1\nDA:3,1\nDA:5,0\nDA:6,0\nDA:7,0\nLF:6\nLH:3\nend_of_record\n",
			total: [2]int{3, 6},
			funcs: map[string][]fnWant{"src/a.c": {{"main", 1, 4, 3, 3}, {"helper", 5, 7, 3, 0}}},
		},
		{
			name: "lcov 2 function end lines bound the function",
			lcov: "SF:src/a.c\nFN:1,3,main\nFN:10,12,run(int, char**)\nFNDA:1,main\nFNDA:0,run(int, char**)\n" +
				"DA:1,1\nDA:2,1\nDA:3,1\nDA:5,1\nDA:10,0\nDA:11,0\nLF:6\nLH:4\nend_of_record\n",
			total: [2]int{4, 6},
			funcs: map[string][]fnWant{"src/a.c": {{"main", 1, 3, 3, 3}, {"run(int, char**)", 10, 12, 2, 0}}},
		},
		{
			name: "lcov 2.2 FNL and FNA records name functions by index",
			lcov: "SF:src/a.c\nFNL:0,1,3\nFNA:0,1,main\nFNL:1,10,11\nFNA:1,0,tmpl<int>\nFNA:1,0,tmpl<long>\n" +
				"DA:1,1\nDA:2,1\nDA:10,0\nDA:11,0\nLF:4\nLH:2\nend_of_record\n",
			total: [2]int{2, 4},
			funcs: map[string][]fnWant{"src/a.c": {{"main", 1, 3, 2, 2}, {"tmpl<int>", 10, 11, 2, 0}}},
		},
		{
			name:  "a file with no measured lines is kept with zero statements",
			lcov:  "SF:src/empty.c\nLF:0\nLH:0\nend_of_record\nSF:src/a.c\nDA:1,1\nLF:1\nLH:1\nend_of_record\n",
			total: [2]int{1, 1},
			files: map[string][2]int{"src/empty.c": {0, 0}, "src/a.c": {1, 1}},
		},
		{
			name:  "CRLF line endings read the same",
			lcov:  "TN:\r\nSF:src/a.c\r\nDA:1,1\r\nDA:2,0\r\nLF:2\r\nLH:1\r\nend_of_record\r\n",
			total: [2]int{1, 2},
			files: map[string][2]int{"src/a.c": {1, 2}},
		},
		{
			name:  "paths with spaces are kept whole",
			lcov:  "SF:lib/util/with space.c\nDA:1,1\nDA:2,1\nLF:2\nLH:2\nend_of_record\n",
			total: [2]int{2, 2},
			files: map[string][2]int{"lib/util/with space.c": {2, 2}},
			pkgs:  []string{"lib/util"},
		},
		{
			name: "a file in two records is one file with its counts summed",
			lcov: "TN:unit\nSF:src/a.c\nDA:1,1\nDA:2,0\nLF:2\nLH:1\nend_of_record\n" +
				"TN:integration\nSF:src/a.c\nDA:2,3\nDA:3,0\nLF:2\nLH:1\nend_of_record\n",
			total: [2]int{2, 3},
			files: map[string][2]int{"src/a.c": {2, 3}},
			// The LF sum counts line 2 twice; the DA lines are what was measured.
			warnings: []string{"declares LH/LF sums 2/4 but its line data gives 2/3; using the line data"},
		},
		{
			name:     "LH and LF that disagree with the DA lines give way to them, with a warning",
			lcov:     "SF:src/a.c\nDA:1,1\nDA:2,0\nLF:7\nLH:7\nend_of_record\n",
			total:    [2]int{1, 2},
			warnings: []string{"declares LH/LF sums 7/7 but its line data gives 1/2"},
		},
		{
			name:  "checksums, comments, blank lines, unknown records and trailing blanks are ignored",
			lcov:  "# generated\n\nVER:2.0\nSF:src/a.c\nDA:1,1,abc123\nXYZ:whatever\nDA:2,0,def\nend_of_record \n",
			total: [2]int{1, 2},
		},
		{
			name:  "huge and float counts are accepted",
			lcov:  "SF:src/a.c\nDA:1,99999999999999999999999\nDA:2,1.5e+06\nDA:3,0\nend_of_record\n",
			total: [2]int{2, 3},
		},
		{
			name:     "a file missing from the checkout is skipped and named",
			lcov:     "SF:src/a.c\nDA:1,1\nend_of_record\nSF:src/gone.c\nDA:1,1\nend_of_record\n",
			total:    [2]int{1, 1},
			warnings: []string{"skipped 1 file not found under", "src/gone.c (not found)"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := t.TempDir()
			writeFiles(t, root, sources)
			r := importString(t, root, "lcov.info", tt.lcov)
			if got := [2]int{r.Total.Covered, r.Total.Statements}; got != tt.total {
				t.Errorf("total = %v, want %v", got, tt.total)
			}
			if r.Language != "lcov" || r.Mode != "line" {
				t.Errorf("language %q mode %q", r.Language, r.Mode)
			}
			for rel, want := range tt.files {
				f := findFile(r, rel)
				if f == nil {
					t.Errorf("%s missing", rel)
					continue
				}
				if got := [2]int{f.Covered, f.Statements}; got != want {
					t.Errorf("%s = %v, want %v", rel, got, want)
				}
				for _, b := range f.Blocks {
					if b.StartLine != b.EndLine || b.StartCol != 0 || b.EndCol != 0 || b.NumStmt != 1 {
						t.Errorf("%s: block %+v is not one line", rel, b)
					}
				}
			}
			if tt.pkgs != nil {
				if got := strings.Join(pkgNames(r), " "); got != strings.Join(tt.pkgs, " ") {
					t.Errorf("packages = %s, want %s", got, strings.Join(tt.pkgs, " "))
				}
			}
			for rel, want := range tt.funcs {
				f := findFile(r, rel)
				for _, fn := range f.Functions {
					if fn.File != rel {
						t.Errorf("%s: function file %q", fn.Name, fn.File)
					}
				}
				checkFunctions(t, f.Functions, want)
			}
			checkWarnings(t, r.Warnings, tt.warnings)
		})
	}
}

func TestParseLCOVErrors(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"a DA line before any SF is refused", "DA:1,1\n", "bad.info:1: want SF:<path> before DA:"},
		{"a DA line without a count is refused", "SF:a.c\nDA:3\n", `bad.info:2: want DA:<line>,<hits>, got "DA:3"`},
		{"a negative count is refused", "SF:a.c\nDA:3,-1\n", "bad.info:2: want DA:<line>,<hits> with hits a non-negative number"},
		{"line zero is refused", "SF:a.c\nDA:0,1\n", "bad.info:2: want DA:<line>,<hits>"},
		{"an absurd line number is refused", "SF:a.c\nDA:16777217,1\n", "bad.info:2: want DA:<line>,<hits> with a line number ≤ 16777216"},
		{"a longer absurd line number is refused", "SF:a.c\nDA:99999999999999,1\n", "bad.info:2: want DA:<line>,<hits> with a line number ≤ 16777216"},
		{"a missing end_of_record is refused", "SF:a.c\nDA:1,1\n", "bad.info:2: want end_of_record before the end of the file"},
		{"a second SF inside a record is refused", "SF:a.c\nSF:b.c\n", "bad.info:2: want end_of_record before the next SF:"},
		{"an empty SF path is refused", "SF:\n", "bad.info:1: want SF:<path of the source file>"},
		{"a stray end_of_record is refused", "end_of_record\n", "bad.info:1: want SF:<path> before end_of_record"},
		{"text that is no record is refused", "SF:a.c\nhello world\n", `bad.info:2: want an LCOV record (SF:, DA:, FN:, … or end_of_record), got "hello world"`},
		{"a FN line without a name is refused", "SF:a.c\nFN:3\n", "bad.info:2: want FN:<line>[,<end line>],<name>"},
		{"a FN end before its start is refused", "SF:a.c\nFN:9,3,f\n", "bad.info:2: want FN end line 3 ≥ start line 9"},
		{"a FNDA without a count is refused", "SF:a.c\nFNDA:x,f\n", "bad.info:2: want FNDA:<hits>,<name>"},
		{"a FNA without its FNL is refused", "SF:a.c\nFNA:0,1,f\n", "bad.info:2: want FNL:0,<line> before FNA:0"},
		{"a short BRDA is refused", "SF:a.c\nBRDA:1,0\n", "bad.info:2: want BRDA:<line>,<block>,<branch>,<taken>"},
		{"a bad LF is refused", "SF:a.c\nLF:many\n", `bad.info:2: want LF:<count>, got "LF:many"`},
		{"errors count CRLF lines right", "SF:a.c\r\nDA:1,1\r\nDA:x\r\n", "bad.info:3: want DA:<line>,<hits>"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseLCOV("bad.info", strings.NewReader(tt.in))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want %q", err, tt.want)
			}
		})
	}
}

// The docstring quirk of coverage.py < 7.13: a DA line that LF does not count.
func TestParseLCOVDropsCoveragePyDocstringLines(t *testing.T) {
	p, err := ParseLCOV("c.lcov", strings.NewReader("SF:m.py\nDA:1,1\nDA:3,1\nDA:5,0\nLF:2\nLH:2\nend_of_record\n"))
	if err != nil {
		t.Fatal(err)
	}
	if got := p.Files[0].Lines; len(got) != 2 || got[0].Line != 3 || got[1].Line != 5 {
		t.Errorf("lines = %+v, want 3 and 5", got)
	}
}

// BenchmarkParseLCOV parses a generated tracefile of 100,000 DA lines over
// 400 files; it reports DA lines per second beside the bytes per second.
func BenchmarkParseLCOV(b *testing.B) {
	var sb strings.Builder
	lines := 0
	for f := 0; f < 400; f++ {
		fmt.Fprintf(&sb, "TN:\nSF:src/dir%d/file%d.c\nFN:1,fn%d\nFNDA:1,fn%d\n", f%20, f, f, f)
		for l := 1; l <= 250; l++ {
			fmt.Fprintf(&sb, "DA:%d,%d\n", l, (f+l)%7)
			lines++
		}
		sb.WriteString("LF:250\nLH:214\nend_of_record\n")
	}
	data := sb.String()
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseLCOV("bench.info", strings.NewReader(data)); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(lines)*float64(b.N)/b.Elapsed().Seconds(), "lines/s")
}

// BenchmarkImportLCOV imports a generated tracefile of 100,000 DA lines over
// 400 files that exist under the root: parsing, path resolution, merging.
func BenchmarkImportLCOV(b *testing.B) {
	root := b.TempDir()
	var sb strings.Builder
	lines := 0
	for f := 0; f < 400; f++ {
		rel := fmt.Sprintf("src/dir%d/file%d.c", f%20, f)
		if err := os.MkdirAll(filepath.Join(root, filepath.Dir(rel)), 0o755); err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(root, rel), nil, 0o644); err != nil {
			b.Fatal(err)
		}
		fmt.Fprintf(&sb, "SF:%s\n", rel)
		for l := 1; l <= 250; l++ {
			fmt.Fprintf(&sb, "DA:%d,%d\n", l, (f+l)%7)
			lines++
		}
		sb.WriteString("end_of_record\n")
	}
	info := filepath.Join(root, "big.info")
	if err := os.WriteFile(info, []byte(sb.String()), 0o644); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(sb.Len()))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Import(context.Background(), root, []string{info}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(lines)*float64(b.N)/b.Elapsed().Seconds(), "lines/s")
}

const gcovSource = `#include <stdio.h>

int add(int a, int b) {
	return a + b;
}

int never(int x) {
	if (x > 0)
		return x * 2;
	return -x;
}

int main(void) {
	int s = 0;
	for (int i = 0; i < 3; i++)
		s = add(s, i);
	printf("%d\n", s);
	return 0;
}
`

var lcovSummaryRe = regexp.MustCompile(`lines\.+: [\d.]+% \((\d+) of (\d+) lines\)`)

// A tracefile from the real producer chain (gcc --coverage, the program
// run, lcov --capture) imports to the totals `lcov --summary` prints.
func TestImportLCOVFromGccAndLcov(t *testing.T) {
	if testing.Short() {
		t.Skip("runs gcc and lcov; go test without -short runs it")
	}
	for _, tool := range []string{"gcc", "gcov", "lcov"} {
		if _, err := exec.LookPath(tool); err != nil {
			testkit.Missing(t, "needs %s (apt install gcc lcov)", tool)
		}
	}
	root := filepath.Join(t.TempDir(), "c project")
	writeFiles(t, root, map[string]string{"src dir/calc.c": gcovSource})
	run := func(name string, args ...string) string {
		t.Helper()
		cmd := exec.Command(name, args...)
		cmd.Dir = root
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("%s %v: %v\n%s", name, args, err, out)
		}
		return string(out)
	}
	run("gcc", "--coverage", "-O0", "-o", "app", "src dir/calc.c")
	run("./app")
	info := filepath.Join(t.TempDir(), "app.info")
	run("lcov", "--quiet", "--capture", "--directory", ".", "--rc", "lcov_branch_coverage=1", "-o", info)
	m := lcovSummaryRe.FindStringSubmatch(run("lcov", "--summary", info))
	if m == nil {
		t.Fatal("no lines summary from lcov --summary")
	}
	covered, _ := strconv.Atoi(m[1])
	found, _ := strconv.Atoi(m[2])

	r, err := Import(context.Background(), root, []string{info})
	if err != nil {
		t.Fatal(err)
	}
	if r.Total.Covered != covered || r.Total.Statements != found {
		t.Errorf("total %d/%d, lcov --summary says %d of %d", r.Total.Covered, r.Total.Statements, covered, found)
	}
	f := findFile(r, "src dir/calc.c")
	if f == nil || len(r.Warnings) > 0 {
		t.Fatalf("calc.c not imported; warnings %q", r.Warnings)
	}
	got := map[string][2]int{}
	for _, fn := range f.Functions {
		got[fn.Name] = [2]int{fn.Covered, fn.Statements}
	}
	if got["never"][0] != 0 || got["never"][1] == 0 || got["add"][0] == 0 || got["add"][0] != got["add"][1] {
		t.Errorf("functions = %v", got)
	}
}
