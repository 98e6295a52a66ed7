package importer

import (
	"bytes"
	"testing"

	"github.com/sprintkit/sprintkit/coverage"
)

// checkProfile asserts what every successfully parsed profile holds, and
// runs it through the merge so that its data cannot panic later either.
func checkProfile(t *testing.T, p *Profile) {
	t.Helper()
	if p.Declared != nil && (p.Declared.Statements < 0 || p.Declared.Covered < 0) {
		t.Fatalf("negative declared totals %+v", *p.Declared)
	}
	m := &mergedFile{rel: "f", funcs: map[funcKey]*FuncHit{}}
	for _, f := range p.Files {
		for _, l := range f.Lines {
			if l.Line < 1 || l.Count < 0 {
				t.Fatalf("%s: bad line %+v", f.Path, l)
			}
		}
		for _, fn := range f.Functions {
			if fn.Line < 0 || (fn.EndLine != 0 && fn.EndLine < fn.Line) || fn.Hits < 0 {
				t.Fatalf("%s: bad function %+v", f.Path, fn)
			}
		}
		normalizeLines(&f.Lines)
		m.add(f)
	}
	declaredWarning(p)
	file := m.file("")
	c := coverage.BlockCounts(file.Blocks)
	if c.Covered > c.Statements {
		t.Fatalf("covered %d > statements %d", c.Covered, c.Statements)
	}
	missedInFuncs := 0
	for _, fn := range file.Functions {
		if fn.Covered > fn.Statements || fn.Statements > c.Statements {
			t.Fatalf("function %+v out of %+v", fn, c)
		}
		missedInFuncs += fn.MissedBranches
	}
	if b := file.Branches; b != nil {
		missed := 0
		for _, mb := range file.MissedBranches {
			if mb.Line < 1 || mb.Missed < 1 || mb.Missed > mb.Of || len(mb.To) > mb.Missed {
				t.Fatalf("bad missed branch %+v", mb)
			}
			missed += mb.Missed
			coverage.DescribeMiss(mb)
		}
		if b.Taken < 0 || b.Taken > b.Total || missed > b.Missed() || missedInFuncs > missed {
			t.Fatalf("branches %+v, %d missed by line, %d in functions", *b, missed, missedInFuncs)
		}
		file.MarkBranchPartial(file.LineStates())
	}
}

func FuzzLCOV(f *testing.F) {
	f.Add([]byte("TN:\nSF:a.c\nFN:1,main\nFNDA:1,main\nDA:1,1\nDA:2,0\nBRDA:1,0,0,-\nLF:2\nLH:1\nend_of_record\n"))
	f.Add([]byte("SF:a b.c\r\nFNL:0,1,3\r\nFNA:0,2,f\r\nDA:3,1,abc\r\nend_of_record\r\n"))
	f.Add([]byte(clampInfo))
	f.Add([]byte("SF:b.c\nFN:1,4,f\nDA:2,1\nBRDA:2,e0,0,1\nBRDA:2,e0,1,0\nBRDA:99999999999,0,0,0\nBRF:2\nBRH:1\nend_of_record\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := ParseLCOV("fuzz.info", bytes.NewReader(data))
		if err != nil {
			if !bytes.HasPrefix([]byte(err.Error()), []byte("fuzz.info:")) {
				t.Fatalf("error does not name the input: %v", err)
			}
			return
		}
		checkProfile(t, p)
	})
}

func FuzzCobertura(f *testing.F) {
	f.Add([]byte(`<?xml version="1.0" ?><coverage lines-valid="2" lines-covered="1"><sources><source>/s</source></sources><packages><package name="p"><classes><class name="C" filename="a.c"><methods><method name="m"><lines><line number="1" hits="1"/></lines></method></methods><lines><line number="1" hits="1"/><line number="2" hits="0" branch="true" condition-coverage="50% (1/2)"/></lines></class></classes></package></packages></coverage>`))
	f.Add([]byte(valuesCobertura))
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := ParseCobertura("fuzz.xml", bytes.NewReader(data))
		if err != nil {
			if !bytes.HasPrefix([]byte(err.Error()), []byte("fuzz.xml:")) {
				t.Fatalf("error does not name the input: %v", err)
			}
			return
		}
		checkProfile(t, p)
	})
}

func FuzzCoveragePyJSON(f *testing.F) {
	f.Add([]byte(`{"meta": {"version": "7.13.1"}, "files": {"a.py": {"executed_lines": [1, 2], "missing_lines": [3], "summary": {"covered_lines": 2}, "functions": {"f": {"executed_lines": [2], "missing_lines": [3], "start_line": 1}}}}, "totals": {"covered_lines": 2, "num_statements": 3}}`))
	f.Add([]byte(valuesJSON))
	f.Add([]byte(`{"meta": {"branch_coverage": true}, "files": {"a.py": {"executed_lines": [1, 2, 5], "missing_lines": [], "executed_branches": [[2, 5]], "missing_branches": [[2, -1], [2, 3], [0, 4]]}}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := ParseCoveragePyJSON("fuzz.json", bytes.NewReader(data))
		if err != nil {
			if !bytes.HasPrefix([]byte(err.Error()), []byte("fuzz.json:")) && !bytes.HasPrefix([]byte(err.Error()), []byte("read fuzz.json")) {
				t.Fatalf("error does not name the input: %v", err)
			}
			return
		}
		checkProfile(t, p)
	})
}

func FuzzPythonSource(f *testing.F) {
	f.Add([]byte("from .. import (a,\n b as c)\nimport x.y as z, w\n"))
	f.Add([]byte("@d\nasync def f(a,\n  b):\n    '''doc\n'''\n    return a\nclass C:\n    def m(self): pass\n"))
	f.Fuzz(func(t *testing.T, src []byte) {
		lines := []LineHit{{1, 1}, {2, 0}, {3, 1}, {5, 0}, {8, 2}}
		for _, d := range pythonDefs(src) {
			if d.line < 1 || d.end < d.line || d.body != 0 && d.body < d.line {
				t.Fatalf("bad def %+v", d)
			}
		}
		for _, fn := range pythonFunctions("f.py", src, lines) {
			if fn.Covered > fn.Statements || fn.Statements > len(lines) {
				t.Fatalf("bad function %+v", fn)
			}
		}
		for _, imp := range PythonImports(src, "tests/unit/test_f.py") {
			if !pyDotted(imp.Module) || imp.Name != "" && !pyDotted(imp.Name) {
				t.Fatalf("bad import %+v", imp)
			}
		}
	})
}
