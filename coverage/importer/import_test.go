package importer

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/sprintkit/sprintkit/coverage"
)

func TestDetectFormat(t *testing.T) {
	tests := []struct {
		name, head, want string
	}{
		{"an LCOV file starts with TN:", "TN:\nSF:a.c\n", FormatLCOV},
		{"an LCOV file may start with SF:", "SF:a.c\n", FormatLCOV},
		{"an LCOV file may start with comments", "# lcov\n\nSF:a.c\n", FormatLCOV},
		{"a byte order mark is skipped", "\xef\xbb\xbfSF:a.c\n", FormatLCOV},
		{"XML is Cobertura", "<?xml version=\"1.0\"?><coverage/>", FormatCobertura},
		{"a JSON object is coverage.py's", "  {\"meta\": {}}", FormatCoveragePy},
		{"a Go profile is told apart", "mode: set\na.go:1.1,2.2 1 1\n", FormatGo},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := DetectFormat([]byte(tt.head))
			if err != nil || got != tt.want {
				t.Errorf("DetectFormat = %q, %v; want %q", got, err, tt.want)
			}
		})
	}
	for _, bad := range []string{"", "   \n", "hello world\n", "1,2,3\n"} {
		if f, err := DetectFormat([]byte(bad)); err == nil {
			t.Errorf("DetectFormat(%q) = %q, want an error", bad, f)
		}
	}
}

func TestImportResolvesPaths(t *testing.T) {
	root := t.TempDir()
	writeFiles(t, root, map[string]string{
		"src/a.c":        "x\n",
		"src/dup/x.c":    "x\n",
		"other/dup/x.c":  "x\n",
		"web/app.js":     "x\n",
		"deep/er/main.c": "x\n",
	})
	outside := filepath.Join(t.TempDir(), "stdio.h")
	writeFiles(t, filepath.Dir(outside), map[string]string{"stdio.h": "x\n"})
	rec := func(path string) string { return "SF:" + path + "\nDA:1,1\nend_of_record\n" }
	lcov := rec(filepath.Join(root, "src", "a.c")) + // absolute, under root
		rec("/home/ci/build/proj/web/app.js") + // absolute, from another machine
		rec(`C:\agent\_work\1\s\deep\er\main.c`) + // a Windows path
		rec("dup/x.c") + // matches two files equally well
		rec(outside) + // exists, outside the checkout
		rec("/nowhere/gone.c") // missing
	r := importString(t, root, "cov.info", lcov)

	for _, rel := range []string{"src/a.c", "web/app.js", "deep/er/main.c"} {
		if findFile(r, rel) == nil {
			t.Errorf("%s was not resolved", rel)
		}
	}
	if r.Total.Statements != 3 {
		t.Errorf("total statements = %d, want 3", r.Total.Statements)
	}
	if len(r.Warnings) != 1 {
		t.Fatalf("warnings = %q, want one", r.Warnings)
	}
	w := r.Warnings[0]
	for _, want := range []string{
		"skipped 3 files not found under " + root,
		"dup/x.c (matches other/dup/x.c, src/dup/x.c)",
		outside + " (outside the checkout)",
		"/nowhere/gone.c (not found)",
	} {
		if !strings.Contains(w, want) {
			t.Errorf("warning %q lacks %q", w, want)
		}
	}
}

func TestImportMergesShardsOfMixedFormats(t *testing.T) {
	root := t.TempDir()
	writeFiles(t, root, map[string]string{"src/a.c": "", "src/b.c": ""})
	shard1 := "SF:src/a.c\nDA:1,2\nDA:2,0\nDA:3,0\nend_of_record\n"
	shard2 := `<coverage><packages><package name="src"><classes>
<class name="a.c" filename="src/a.c"><lines><line number="1" hits="3"/><line number="2" hits="1"/><line number="4" hits="0"/></lines></class>
<class name="b.c" filename="src/b.c"><lines><line number="1" hits="0"/></lines></class>
</classes></package></packages></coverage>`
	// Named against their content on purpose: the content decides.
	writeFiles(t, root, map[string]string{"shard1.xml": shard1, "shard2.info": shard2})
	r, err := Import(context.Background(), root, []string{filepath.Join(root, "shard1.xml"), filepath.Join(root, "shard2.info")})
	if err != nil {
		t.Fatal(err)
	}
	if r.Language != "lcov+cobertura" {
		t.Errorf("language = %q", r.Language)
	}
	a := findFile(r, "src/a.c")
	want := map[int]int{1: 5, 2: 1, 3: 0, 4: 0} // counts summed; covered in any
	if len(a.Blocks) != len(want) {
		t.Fatalf("blocks = %+v", a.Blocks)
	}
	for _, b := range a.Blocks {
		if want[b.StartLine] != b.Count {
			t.Errorf("line %d count %d, want %d", b.StartLine, b.Count, want[b.StartLine])
		}
	}
	if a.Covered != 2 || a.Statements != 4 || r.Total.Statements != 5 || r.Total.Covered != 2 {
		t.Errorf("a.c %d/%d, total %d/%d", a.Covered, a.Statements, r.Total.Covered, r.Total.Statements)
	}
	if r.Total.Percent != 40 {
		t.Errorf("percent = %v", r.Total.Percent)
	}
}

func TestImportErrors(t *testing.T) {
	root := t.TempDir()
	writeFiles(t, root, map[string]string{
		"bad.info":   "SF:a.c\nDA:1,1\nDA:oops\nend_of_record\n",
		"go.out":     "mode: set\na.go:1.1,2.2 1 1\n",
		"empty.xml":  "",
		"jacoco.xml": `<?xml version="1.0"?><!DOCTYPE report PUBLIC "-//JACOCO//DTD Report 1.1//EN" "report.dtd"><report name="jacoco"/>`,
	})
	tests := []struct {
		name, file, want string
	}{
		{"a malformed line names file and line", "bad.info", "bad.info:3: want DA:<line>,<hits>"},
		{"a Go profile is refused with ErrGoProfile", "go.out", "go.out:1: a Go cover profile"},
		{"an empty file says what was expected", "empty.xml", "empty.xml:1: empty file; want LCOV"},
		{"JaCoCo XML is named", "jacoco.xml", "jacoco.xml:1: a JaCoCo XML report"},
		{"a missing file is named", "nope.info", "nope.info"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Import(context.Background(), root, []string{filepath.Join(root, tt.file)})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want %q", err, tt.want)
			}
			if tt.file == "go.out" && !errors.Is(err, ErrGoProfile) {
				t.Errorf("err is not ErrGoProfile")
			}
			if tt.file == "nope.info" && !errors.Is(err, os.ErrNotExist) {
				t.Errorf("err is not ErrNotExist")
			}
		})
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Import(ctx, root, []string{filepath.Join(root, "bad.info")}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled import: %v", err)
	}
}

func TestPythonPackageNames(t *testing.T) {
	root := t.TempDir()
	writeFiles(t, root, map[string]string{
		"pkg/__init__.py": "", "pkg/sub/__init__.py": "", "pkg/sub/m.py": "",
		"src/lib/__init__.py": "", "src/lib/x.py": "",
		"scripts/tool.py": "", "top.py": "", "src/ns/y.py": "",
	})
	tests := []struct{ rel, name, dir string }{
		{"pkg/sub/m.py", "pkg.sub", "pkg/sub"},
		{"pkg/__init__.py", "pkg", "pkg"},
		{"src/lib/x.py", "lib", "src/lib"},
		{"scripts/tool.py", "scripts", "scripts"},
		{"top.py", "top", "."},
		{"src/ns/y.py", "ns", "src/ns"},
	}
	for _, tt := range tests {
		name, dir := pythonPackage(root, tt.rel)
		if name != tt.name || dir != tt.dir {
			t.Errorf("%s: %q %q, want %q %q", tt.rel, name, dir, tt.name, tt.dir)
		}
	}
}

func TestPythonDefs(t *testing.T) {
	src := "import x\n" + // 1
		"\n" + // 2
		"@deco(\n" + // 3
		"    1)\n" + // 4
		"async def a(p,\n" + // 5
		"            q):\n" + // 6
		"    s = '''\n" + // 7
		"not code\n" + // 8
		"'''\n" + // 9
		"    # comment at the body's indent\n" + // 10
		"    return s\n" + // 11
		"# comment at column 0 inside nothing\n" + // 12
		"class C:\n" + // 13
		"    x = [1,\n" + // 14
		"2]\n" + // 15
		"    def m(self): return 1\n" + // 16
		"    def n(self):\n" + // 17
		"        def inner():\n" + // 18
		"            return 2\n" + // 19
		"        return inner \\\n" + // 20
		"            ()\n" + // 21
		"class D:\n" + // 22
		"\tdef t(self):\n" + // 23: tabs indent to multiples of 8
		"\t\tpass\n" // 24
	var got []string
	for _, d := range pythonDefs([]byte(src)) {
		got = append(got, d.name+" "+itoa(d.line)+"-"+itoa(d.end)+" body "+itoa(d.body))
	}
	want := []string{
		"a 5-11 body 7",
		"C.m 16-16 body 17",
		"C.n 17-21 body 18",
		"C.n.inner 18-19 body 19",
		"D.t 23-24 body 24",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("defs:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	// inner's body is a hole of n: n's statements are 18, 20.
	lines := []LineHit{{18, 1}, {19, 0}, {20, 1}}
	for _, fn := range pythonFunctions("m.py", []byte(src), lines) {
		if fn.Name == "C.n" && (fn.Statements != 2 || fn.Covered != 2) {
			t.Errorf("C.n = %d/%d, want 2/2", fn.Covered, fn.Statements)
		}
		if fn.Name == "C.n.inner" && (fn.Statements != 1 || fn.Covered != 0) {
			t.Errorf("inner = %d/%d, want 0/1", fn.Covered, fn.Statements)
		}
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

func TestImportMarksGeneratedFiles(t *testing.T) {
	root := t.TempDir()
	writeFiles(t, root, map[string]string{
		"api/service_pb2.py": "# -*- coding: utf-8 -*-\n# Generated by the protocol buffer compiler.  DO NOT EDIT!\n# source: service.proto\nx = 1\n",
		"gen/parser.c":       "/* @generated by bison */\nint x;\n",
		"src/real.py":        "x = 1\ns = 'DO NOT EDIT in a string is not a marker'\n",
	})
	lcov := "SF:api/service_pb2.py\nDA:4,0\nend_of_record\nSF:gen/parser.c\nDA:2,0\nend_of_record\nSF:src/real.py\nDA:1,0\nDA:2,0\nend_of_record\n"
	r := importString(t, root, "lcov.info", lcov)
	for rel, want := range map[string]bool{"api/service_pb2.py": true, "gen/parser.c": true, "src/real.py": false} {
		if f := findFile(r, rel); f == nil || f.Generated != want {
			t.Errorf("%s: generated = %v, want %v", rel, f != nil && f.Generated, want)
		}
	}
	for _, tg := range coverage.Rank(r, coverage.RankOptions{By: "file"}) {
		if tg.Name != "src/real.py" {
			t.Errorf("generated file ranked: %s", tg.Name)
		}
	}
}

func TestImportUsesCoberturaSourcesFromAnotherMachine(t *testing.T) {
	root := t.TempDir()
	writeFiles(t, root, map[string]string{"app/core/engine.c": "x\n", "lib/core/engine.c": "x\n"})
	// core/engine.c alone matches two files; the Windows source says which.
	xml := `<coverage><sources><source>C:\agent\_work\1\s\lib</source></sources><packages><package name="core"><classes>
<class name="engine.c" filename="core/engine.c"><lines><line number="1" hits="1"/></lines></class></classes></package></packages></coverage>`
	r := importString(t, root, "coverage.xml", xml)
	if findFile(r, "lib/core/engine.c") == nil || len(r.Warnings) > 0 {
		t.Errorf("packages %v, warnings %q", pkgNames(r), r.Warnings)
	}
}

// Branch data becomes Result.Branch in every format: a branch is covered
// when taken; the figure counts statements and branches together.
func TestImportBranches(t *testing.T) {
	tests := []struct {
		name     string
		file     string
		content  string
		total    [2]int // covered, statements
		branch   *[2]int
		percent  float64
		warnings []string
	}{
		{
			name: "coverage.py 6.5 LCOV: BRDA to line 0 (a function exit) is read, and its LH counting docstrings draws no warning",
			file: "coverage.lcov",
			content: "TN:\nSF:pkg/mod.py\nDA:1,1,h\nDA:4,1,h\nDA:5,1,h\nDA:6,0,h\nLF:3\nLH:3\n" +
				"BRDA:6,0,0,-\nBRDA:0,0,1,1\nBRF:2\nBRH:1\nend_of_record\n",
			total: [2]int{2, 3}, branch: &[2]int{1, 2}, percent: 60,
		},
		{
			name:    "Cobertura condition-coverage counts a line's branches",
			file:    "coverage.xml",
			content: `<coverage lines-valid="3" lines-covered="2"><packages><package name="pkg"><classes><class name="mod.py" filename="pkg/mod.py"><lines><line number="4" hits="1"/><line number="5" hits="1" branch="true" condition-coverage="50% (1/2)"/><line number="6" hits="0"/></lines></class></classes></package></packages></coverage>`,
			total:   [2]int{2, 3}, branch: &[2]int{1, 2}, percent: 60,
		},
		{
			name: "coverage.py JSON arcs are branches",
			file: "coverage.json",
			content: `{"meta": {"branch_coverage": true}, "files": {"pkg/mod.py": {"executed_lines": [4, 5], "missing_lines": [6],
"executed_branches": [[5, 6], [5, -4]], "missing_branches": [[4, 6]], "summary": {"covered_lines": 2}}}}`,
			total: [2]int{2, 3}, branch: &[2]int{2, 3}, percent: 66.7,
		},
		{
			name:    "line data without branches has no branch figure",
			file:    "plain.lcov",
			content: "SF:pkg/mod.py\nDA:4,1\nDA:5,0\nLF:2\nLH:1\nend_of_record\n",
			total:   [2]int{1, 2},
		},
		{
			name:     "LH sums that disagree with the lines still warn",
			file:     "bad.lcov",
			content:  "SF:pkg/mod.py\nDA:4,1\nDA:5,0\nLF:2\nLH:2\nend_of_record\n",
			total:    [2]int{1, 2},
			warnings: []string{"declares LH/LF sums 2/2 but its line data gives 1/2"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := t.TempDir()
			writeFiles(t, root, map[string]string{"pkg/__init__.py": "", "pkg/mod.py": pySource})
			r := importString(t, root, tt.file, tt.content)
			if got := [2]int{r.Total.Covered, r.Total.Statements}; got != tt.total {
				t.Errorf("total = %v, want %v", got, tt.total)
			}
			checkWarnings(t, r.Warnings, tt.warnings)
			switch {
			case tt.branch == nil && r.Branch != nil:
				t.Errorf("branch = %+v, want none", *r.Branch)
			case tt.branch != nil && r.Branch == nil:
				t.Errorf("no branch figure, want %v", *tt.branch)
			case tt.branch != nil:
				if got := [2]int{r.Branch.Taken, r.Branch.Branches}; got != *tt.branch || r.Branch.Percent != tt.percent {
					t.Errorf("branch = %+v, want %v at %.1f%%", *r.Branch, *tt.branch, tt.percent)
				}
			}
		})
	}
}

func TestIsTestFile(t *testing.T) {
	for _, tc := range []struct {
		rel  string
		want bool
	}{
		{"tests/test_ops.py", true},
		{"calc/test_ops.py", true},
		{"calc/ops_test.py", true},
		{"conftest.py", true},
		{"src/__tests__/button.js", true},
		{"src/button.test.tsx", true},
		{"src/button.spec.ts", true},
		{"src/test/java/org/x/ParserTest.java", true},
		{"pkg/parse_test.go", true},
		{"calc/ops.py", false},
		{"calc/testing_helpers_data.py", false},
		{"src/contest.py", false},
		{"lib/attestation.c", false},
	} {
		name := tc.rel + " is code under test"
		if tc.want {
			name = tc.rel + " is a test"
		}
		t.Run(name, func(t *testing.T) {
			if got := IsTestFile(tc.rel); got != tc.want {
				t.Errorf("IsTestFile(%q) = %v", tc.rel, got)
			}
		})
	}
}

// A report that measured the tests with the code imports them marked as
// test-support, and the ranking weighs them down below the code they test.
func TestImportedTestFilesAreWeightedDown(t *testing.T) {
	root := t.TempDir()
	writeFiles(t, root, map[string]string{"pkg/__init__.py": "", "pkg/mod.py": pySource,
		"pkg/test_mod.py": pySource, "tests/test_all.py": pySource})
	var b strings.Builder
	for _, f := range []string{"pkg/mod.py", "pkg/test_mod.py", "tests/test_all.py"} {
		b.WriteString("SF:" + f + "\n")
		for l := 1; l <= 30; l++ {
			b.WriteString("DA:" + itoa(l) + ",0\n")
		}
		b.WriteString("end_of_record\n")
	}
	r := importString(t, root, "all.lcov", b.String())
	if p := r.Package("tests"); p == nil || !p.TestSupport {
		t.Errorf("package tests = %+v, want test-support", p)
	}
	if p := r.Package("pkg"); p == nil || p.TestSupport {
		t.Errorf("package pkg = %+v, want library code", p)
	}
	if f := findFile(r, "pkg/test_mod.py"); f == nil || !f.TestSupport || findFile(r, "pkg/mod.py").TestSupport {
		t.Errorf("pkg/test_mod.py = %+v, want a test file", f)
	}
	ts := coverage.Rank(r, coverage.RankOptions{By: "file"})
	if len(ts) != 3 || ts[0].Name != "pkg/mod.py" || ts[1].Score >= ts[0].Score || !strings.Contains(ts[1].Reason, "weighted down") {
		t.Errorf("targets = %+v, want pkg/mod.py first and the tests weighted down", ts)
	}
}

func TestPyDocstringLines(t *testing.T) {
	for _, tc := range []struct {
		name, src string
		want      []int
	}{
		{"a module docstring opens the module", "\"\"\"Doc.\"\"\"\nimport os\n", []int{1}},
		{"a class docstring opens the class body", "import os\n\n\nclass K:\n    r'''Doc\n    more.'''\n    x = 1\n", []int{5}},
		{"a function docstring does not run", "def f():\n    \"\"\"Doc.\"\"\"\n    return 1\n", nil},
		{"an f-string is no docstring", "f\"x{1}\"\nclass K:\n    pass\n", nil},
		{"a comment before the docstring does not matter", "# header\n\n'''Doc.'''\n", []int{3}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := pyDocstringLines([]byte(tc.src))
			if len(got) != len(tc.want) {
				t.Fatalf("docstrings at %v, want %v", got, tc.want)
			}
			for _, l := range tc.want {
				if !got[l] {
					t.Errorf("docstrings at %v, want %v", got, tc.want)
				}
			}
		})
	}
}
