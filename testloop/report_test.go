package testloop

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/sprintkit/sprintkit/coverage"
)

// runResult is what gotest.Run returns for a run of p and q: p has a
// test that already failed at the baseline, a new failure inside subtests,
// a pass and a skip; q's build failed.
func runResult() *coverage.Result {
	return &coverage.Result{
		Language: "go",
		Tests: []coverage.TestResult{
			{Package: "m/p", Test: "TestOld", Outcome: "fail", Output: "old failure\n"},
			{Package: "m/p", Test: "TestTable", Outcome: "fail", Output: "--- FAIL: TestTable\n"},
			{Package: "m/p", Test: "TestTable/empty", Outcome: "pass"},
			{Package: "m/p", Test: "TestTable/negative", Outcome: "fail", Output: "got 1, want -1\n"},
			{Package: "m/p", Test: "TestOK", Outcome: "pass"},
			{Package: "m/p", Test: "TestSlow", Outcome: "skip"},
			{Package: "m/q", Test: "(build)", Outcome: "fail", Output: "q.go:3: undefined: x\n"},
		},
		Packages: []*coverage.Package{
			{Name: "m/p", Counts: coverage.Counts{Statements: 40, Covered: 19, Percent: 47.5}},
			{Name: "m/other", Counts: coverage.Counts{Statements: 10, Covered: 10, Percent: 100}},
		},
	}
}

func baseline() *coverage.Baseline {
	return &coverage.Baseline{
		Version: 1,
		Tests: []coverage.TestResult{
			{Package: "m/p", Test: "TestOld", Outcome: "fail"},
			{Package: "m/p", Test: "TestTable", Outcome: "pass"},
		},
		Packages: []coverage.BaselinePackage{
			{Name: "m/p", Counts: coverage.Counts{Statements: 40, Covered: 17, Percent: 42.0}},
		},
	}
}

func TestBuildReportComparesWithTheBaseline(t *testing.T) {
	run := Run{Seq: 1, Changed: []string{"p/p.go"}, Packages: []string{"m/p", "m/q"}}
	got := buildReport(run, runResult(), baseline(), false)
	if len(got) != 2 || got[0].Package != "m/p" || got[1].Package != "m/q" {
		t.Fatalf("packages = %+v, want m/p and m/q (a measured package outside the run is left out)", got)
	}
	p, q := got[0], got[1]
	if p.Passed != 2 || p.Failed != 3 || p.Skipped != 1 {
		t.Errorf("m/p counts %d passed, %d failed, %d skipped; want every test and subtest: 2, 3, 1", p.Passed, p.Failed, p.Skipped)
	}
	if p.AtBaseline == nil || *p.AtBaseline != (Tally{Passed: 1, Failed: 1}) {
		t.Errorf("m/p at the baseline %+v, want 1 passed, 1 failed", p.AtBaseline)
	}
	var names []string
	for _, f := range p.Failures {
		names = append(names, fmt.Sprintf("%s new=%v subtests=%v", f.Test, f.New, f.Subtests))
	}
	want := "TestOld new=false subtests=false,TestTable new=true subtests=true,TestTable/negative new=true subtests=false"
	if strings.Join(names, ",") != want {
		t.Errorf("failures %v, want %s: every failing test, the parent of a failing subtest marked", names, want)
	}
	if nf := p.NewFailures(); strings.Join(nf, ",") != "TestTable,TestTable/negative" {
		t.Errorf("new failures %v, want TestTable and TestTable/negative", nf)
	}
	if fb := p.FailingBefore(); strings.Join(fb, ",") != "TestOld" {
		t.Errorf("failing before %v, want TestOld", fb)
	}
	if p.Coverage == nil || *p.Coverage != 47.5 || p.Baseline == nil || *p.Baseline != 42.0 {
		t.Errorf("m/p coverage %v baseline %v, want 47.5 and 42.0", p.Coverage, p.Baseline)
	}
	if d, ok := p.Delta(); !ok || d != 5.5 {
		t.Errorf("delta %v %v, want +5.5", d, ok)
	}
	if q.Failed != 1 || len(q.Failures) != 1 || q.Failures[0].Test != "(build)" || !q.Failures[0].New || q.Coverage != nil {
		t.Errorf("m/q = %+v, want one new (build) failure and no coverage", q)
	}
}

func TestWithoutABaselineEveryFailureIsNewAndThereIsNoDelta(t *testing.T) {
	got := buildReport(Run{Packages: []string{"m/p"}}, runResult(), nil, false)
	p := got[0]
	if p.Baseline != nil {
		t.Errorf("baseline %v, want nil", *p.Baseline)
	}
	if _, ok := p.Delta(); ok {
		t.Error("a delta without a baseline")
	}
	if len(p.NewFailures()) != 3 {
		t.Errorf("new failures %v, want both", p.NewFailures())
	}
}

func TestJSONLines(t *testing.T) {
	var buf bytes.Buffer
	j := &JSON{W: &buf}
	run := Run{Seq: 1, Changed: []string{"p/p.go"}, Packages: []string{"m/p", "m/q"}, Edited: []string{"m/p"}}
	j.Ready(Ready{})
	j.Start(run)
	j.Progress(1, 2)
	j.Finish(&Report{Run: run, Cancelled: true})
	j.Start(run)
	j.Finish(&Report{Run: run, Seconds: 1.23456, Packages: buildReport(run, runResult(), baseline(), false)})
	j.Start(Run{Seq: 3, Changed: []string{"x"}, Command: "make test"})
	j.Finish(&Report{Run: Run{Command: "make test"}, Seconds: 0.5, ExitCode: 2})
	j.Start(run)
	j.Finish(&Report{Run: run, Seconds: 0.1, Err: errors.New("go test: no go command")})
	want := `{"event":"ready"}
{"event":"run","changed":["p/p.go"],"packages":["m/p","m/q"],"edited":["m/p"]}
{"event":"run","changed":["p/p.go"],"packages":["m/p","m/q"],"edited":["m/p"]}
{"event":"result","package":"m/p","passed":2,"failed":3,"coverage":47.5,"baseline":42,"new_failures":["TestTable","TestTable/negative"],"skipped":1,"failing_before":["TestOld"]}
{"event":"result","package":"m/q","passed":0,"failed":1,"coverage":null,"baseline":null,"new_failures":["(build)"],"skipped":0,"failing_before":[]}
{"event":"done","seconds":1.235}
{"event":"run","changed":["x"],"packages":[],"edited":[]}
{"event":"done","seconds":0.5,"exit_code":2}
{"event":"run","changed":["p/p.go"],"packages":["m/p","m/q"],"edited":["m/p"]}
{"event":"error","message":"go test: no go command"}
{"event":"done","seconds":0.1}
`
	if buf.String() != want {
		t.Errorf("got:\n%s\nwant:\n%s", buf.String(), want)
	}
}

func TestScreen(t *testing.T) {
	run := Run{Seq: 2, Changed: []string{"p/p.go"}, Packages: []string{"m/p", "m/q"}}
	rep := &Report{Run: run, Seconds: 1.2, Packages: buildReport(run, runResult(), baseline(), false)}
	tests := []struct {
		name       string
		screen     func() *Screen
		want       []string
		wantAbsent []string
	}{
		{"piped output is plain text with the report", func() *Screen { return &Screen{} },
			[]string{
				"12:00:00 run 2 · changed p/p.go\n",
				"running 2 packages: m/p m/q\n",
				"FAIL m/p  2 passed, 3 failed, 1 skipped (baseline 1 passed, 1 failed)  coverage 42.0% → 47.5% (+5.5)\n",
				"FAIL m/q  0 passed, 1 failed" + strings.Repeat(" ", 41) + "  no coverage\n",
				"--- FAIL: m/p TestOld (failing at the baseline too)\n    old failure\n",
				"--- FAIL: m/p TestTable/negative (new failure)\n    got 1, want -1\n",
				"--- FAIL: m/q (build) (new failure)\n",
				"3 failing tests new since the baseline:\n  m/p  TestTable (a subtest failed)\n  m/p  TestTable/negative\n  m/q  (build)\n",
				"1 failing at the baseline too:\n  m/p  TestOld\n",
				"3 new failures, 1 failing before · 2 packages, 2 passed, 4 failed, 1 skipped in 1.2s\n",
				"whole-suite coverage",
			},
			[]string{"\x1b", "--- FAIL: m/p TestTable "}},
		{"a terminal is cleared before each run", func() *Screen { return &Screen{Terminal: true} },
			[]string{clearScreen}, nil},
		{"--no-clear keeps the terminal's scrollback", func() *Screen { return &Screen{Terminal: true, NoClear: true} },
			[]string{"run 2"}, []string{clearScreen}},
		{"colour only when asked for", func() *Screen { return &Screen{Color: true} },
			[]string{red + "FAIL" + reset, green + "coverage 42.0% → 47.5% (+5.5)" + reset}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			s := tt.screen()
			s.W = &buf
			s.Now = func() time.Time { return time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC) }
			s.Start(run)
			s.Finish(rep)
			for _, w := range tt.want {
				if !strings.Contains(buf.String(), w) {
					t.Errorf("output lacks %q:\n%s", w, buf.String())
				}
			}
			for _, w := range tt.wantAbsent {
				if strings.Contains(buf.String(), w) {
					t.Errorf("output holds %q:\n%s", w, buf.String())
				}
			}
		})
	}
}

func TestScreenSaysOnceThatThereIsNoBaseline(t *testing.T) {
	var buf bytes.Buffer
	s := &Screen{W: &buf}
	s.Ready(Ready{Root: "/src/m", Kind: kindGo, Packages: 3, NoBaseline: true})
	run := Run{Seq: 1, Packages: []string{"m/p"}}
	for i := 0; i < 2; i++ {
		s.Start(run)
		s.Finish(&Report{Run: run, Packages: buildReport(run, runResult(), nil, false), NoBaseline: true})
	}
	if n := strings.Count(buf.String(), "no baseline"); n != 1 {
		t.Errorf("said %d times that there is no baseline:\n%s", n, buf.String())
	}
	if !strings.Contains(buf.String(), "coverage 47.5%  ") && !strings.Contains(buf.String(), "coverage 47.5%\n") {
		t.Errorf("coverage without a baseline not shown plainly:\n%s", buf.String())
	}
}

func TestEditorJunkIsNotAChange(t *testing.T) {
	for name, junk := range map[string]bool{
		"main.go": false, ".main.go.swp": true, "main.go~": true, "4913": true,
		".#main.go": true, "#main.go#": true, "go.mod": false,
	} {
		if got := editorJunk(name); got != junk {
			t.Errorf("editorJunk(%q) = %v, want %v", name, got, junk)
		}
	}
}

func TestJSONPackageLinesComeAsPackagesFinishAndResultsAtTheEnd(t *testing.T) {
	var buf bytes.Buffer
	j := &JSON{W: &buf}
	run := Run{Seq: 1, Changed: []string{"p/p.go"}, Packages: []string{"m/p", "m/q"}}
	res := runResult()
	j.Start(run)
	for _, pkg := range []string{"m/q", "m/p"} {
		var tests []coverage.TestResult
		for _, tr := range res.Tests {
			if tr.Package == pkg {
				tests = append(tests, tr)
			}
		}
		j.Package(packageReport(pkg, tests, baseline()))
	}
	j.Finish(&Report{Run: run, Seconds: 1, Packages: buildReport(run, res, baseline(), false)})
	want := `{"event":"run","changed":["p/p.go"],"packages":["m/p","m/q"],"edited":[]}
{"event":"package","package":"m/q","passed":0,"failed":1,"new_failures":["(build)"],"skipped":0,"failing_before":[]}
{"event":"package","package":"m/p","passed":2,"failed":3,"new_failures":["TestTable","TestTable/negative"],"skipped":1,"failing_before":["TestOld"]}
{"event":"result","package":"m/p","passed":2,"failed":3,"coverage":47.5,"baseline":42,"new_failures":["TestTable","TestTable/negative"],"skipped":1,"failing_before":["TestOld"]}
{"event":"result","package":"m/q","passed":0,"failed":1,"coverage":null,"baseline":null,"new_failures":["(build)"],"skipped":0,"failing_before":[]}
{"event":"done","seconds":1}
`
	if buf.String() != want {
		t.Errorf("got:\n%s\nwant:\n%s", buf.String(), want)
	}
}

func TestScreenShowsEachPackageAsItFinishesThenTheCoverage(t *testing.T) {
	var buf bytes.Buffer
	s := &Screen{W: &buf, Now: func() time.Time { return time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC) }}
	run := Run{Seq: 1, Changed: []string{"p/p.go"}, Packages: []string{"m/p", "m/q"}}
	res := runResult()
	s.Start(run)
	var pTests []coverage.TestResult
	for _, tr := range res.Tests {
		if tr.Package == "m/p" {
			pTests = append(pTests, tr)
		}
	}
	s.Package(packageReport("m/p", pTests, baseline()))
	streamed := buf.String()
	for _, w := range []string{
		"FAIL m/p  2 passed, 3 failed, 1 skipped (baseline 1 passed, 1 failed)\n",
		"--- FAIL: m/p TestOld (failing at the baseline too)\n    old failure\n",
		"--- FAIL: m/p TestTable/negative (new failure)\n    got 1, want -1\n",
	} {
		if !strings.Contains(streamed, w) {
			t.Errorf("before the run ends, output lacks %q:\n%s", w, streamed)
		}
	}
	if strings.Contains(streamed, "coverage") {
		t.Errorf("coverage shown before the run ended:\n%s", streamed)
	}
	s.Finish(&Report{Run: run, Seconds: 1.2, Packages: buildReport(run, res, baseline(), false)})
	end := buf.String()[len(streamed):]
	for _, w := range []string{
		// Every package again, m/p first (it was shown first), with its coverage.
		"\nFAIL m/p  2 passed, 3 failed, 1 skipped (baseline 1 passed, 1 failed)  coverage 42.0% → 47.5% (+5.5)\n" +
			"FAIL m/q  0 passed, 1 failed" + strings.Repeat(" ", 41) + "  no coverage\n",
		// m/q was never reported as finished: its failure comes at the end.
		"--- FAIL: m/q (build) (new failure)\n",
		"3 new failures, 1 failing before · 2 packages, 2 passed, 4 failed, 1 skipped in 1.2s\n",
	} {
		if !strings.Contains(end, w) {
			t.Errorf("at the end, output lacks %q:\n%s", w, end)
		}
	}
	if strings.Contains(end, "--- FAIL: m/p") {
		t.Errorf("m/p's failures shown twice:\n%s", end)
	}
}
