package gotest

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/sprintkit/sprintkit/coverage"
	"github.com/sprintkit/sprintkit/internal/testkit"

	"golang.org/x/tools/cover"
)

// crashFiles is a module whose test binaries die in every way a test can
// kill one, each package with passing tests before and after the culprit:
// a nil dereference, os.Exit(3), a test that hangs, two culprits in one
// package, three (more than Run re-runs for), a panic in a test file's
// init and a TestMain that exits before any test. plain fails a test the
// ordinary way, and its binary lives.
var crashFiles = map[string]string{
	"go.mod": "module example.com/crashy\n\ngo 1.22\n",
	"calc/calc.go": `package calc

type Counter struct{ n int }

func (c *Counter) Inc() { c.n++ }

func Add(a, b int) int { return a + b }

func Mul(a, b int) int {
	if a == 0 || b == 0 {
		return 0
	}
	return a * b
}

func Div(a, b int) (int, bool) {
	if b == 0 {
		return 0, false
	}
	return a / b, true
}
`,
	"calc/calc_test.go": `package calc

import "testing"

func TestAdd(t *testing.T) { Add(1, 2) }

func TestNilCounterPanics(t *testing.T) {
	var c *Counter
	c.Inc()
}

func TestMul(t *testing.T) { Mul(2, 3) }

func TestDiv(t *testing.T) { Div(6, 3) }
`,
	"exits/exits.go": `package exits

func Low(n int) bool { return n < 10 }

func High(n int) bool {
	if n > 100 {
		return true
	}
	return false
}
`,
	"exits/exits_test.go": `package exits

import (
	"os"
	"testing"
)

func TestLow(t *testing.T) { Low(1) }

func TestExitsTheProcess(t *testing.T) { os.Exit(3) }

func TestHigh(t *testing.T) { High(200) }
`,
	"hangs/hangs.go": `package hangs

func Wait(ch chan int) int {
	v := <-ch
	return v + 1
}

func Quick(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

func After() string { return "after" }
`,
	"hangs/hangs_test.go": `package hangs

import "testing"

func TestQuick(t *testing.T) { Quick(-1) }

func TestWaitsForever(t *testing.T) { Wait(make(chan int)) }

func TestAfter(t *testing.T) { After() }
`,
	"twice/twice.go": `package twice

func One() int { return 1 }

func Two() int { return 2 }

func Three() int { return 3 }
`,
	"twice/twice_test.go": `package twice

import (
	"os"
	"testing"
)

func TestOne(t *testing.T) { One() }

func TestPanicsFirst(t *testing.T) { panic("first culprit") }

func TestTwo(t *testing.T) { Two() }

func TestExitsSecond(t *testing.T) { os.Exit(2) }

func TestThree(t *testing.T) { Three() }
`,
	"thrice/thrice.go": "package thrice\n\nfunc T() int { return 3 }\n",
	"thrice/thrice_test.go": `package thrice

import "testing"

func TestT(t *testing.T) { T() }

func TestBoomOne(t *testing.T) { panic("one") }

func TestBoomTwo(t *testing.T) { panic("two") }

func TestBoomThree(t *testing.T) { panic("three") }
`,
	"initpanic/initpanic.go": `package initpanic

func Sum(xs []int) int {
	s := 0
	for _, x := range xs {
		s += x
	}
	return s
}
`,
	"initpanic/initpanic_test.go": `package initpanic

import "testing"

var table = map[string][]int(nil)

func init() { table["broken"] = []int{1} }

func TestSum(t *testing.T) { Sum(table["broken"]) }
`,
	"mainexit/mainexit.go": "package mainexit\n\nfunc M() int { return 1 }\n",
	"mainexit/mainexit_test.go": `package mainexit

import (
	"os"
	"testing"
)

func TestMain(m *testing.M) { os.Exit(1) }

func TestM(t *testing.T) { M() }
`,
	"plain/plain.go": `package plain

func Half(n int) int { return n / 2 }

func Double(n int) int { return n * 2 }
`,
	"plain/plain_test.go": `package plain

import "testing"

func TestHalfIsWrong(t *testing.T) {
	if Half(4) != 3 {
		t.Fatal("Half(4) is not 3")
	}
}

func TestDouble(t *testing.T) { Double(2) }
`,
}

// crashCulprits are the culprits of crashFiles that Run can recover
// from, with a text of their output and the test after each that only a
// re-run runs; culprits adds the signal's on Unix.
var crashCulprits = []struct {
	pkg, test, why, text, later string
}{
	{"calc", "TestNilCounterPanics", "panicked", "nil pointer dereference", "TestDiv"},
	{"exits", "TestExitsTheProcess", "exited", "", "TestHigh"},
	{"hangs", "TestWaitsForever", "timed out", "panic: test timed out after 5s", "TestAfter"},
	{"twice", "TestPanicsFirst", "panicked", "first culprit", "TestTwo"},
	{"twice", "TestExitsSecond", "exited", "", "TestThree"},
}

const crashTimeout = 5 * time.Second

type crashFixture struct {
	root          string
	whole, perPkg *coverage.Result
}

// TestRunGoRecoversFromTestBinariesThatDie runs the crash fixture in both
// modes and checks every figure against the go command run with the
// culprits skipped.
func TestRunGoRecoversFromTestBinariesThatDie(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the go toolchain; go test without -short runs it")
	}
	testkit.NeedGo(t)
	fx := &crashFixture{root: t.TempDir()}
	files := crashFiles
	if runtime.GOOS != "windows" {
		files = map[string]string{}
		for k, v := range crashFiles {
			files[k] = v
		}
		files["signals/signals.go"] = "package signals\n\nfunc S() int { return 1 }\n\nfunc U() int { return 2 }\n"
		files["signals/signals_test.go"] = "package signals\n\nimport (\n\t\"os\"\n\t\"syscall\"\n\t\"testing\"\n)\n\nfunc TestS(t *testing.T) { S() }\n\nfunc TestKillsItself(t *testing.T) { syscall.Kill(os.Getpid(), syscall.SIGKILL) }\n\nfunc TestU(t *testing.T) { U() }\n"
	}
	testkit.WriteTree(t, fx.root, files)
	var err error
	fx.whole, err = Run(context.Background(), Options{Dir: fx.root, Env: goEnv, Timeout: crashTimeout})
	if err != nil {
		t.Fatal(err)
	}
	fx.perPkg, err = Run(context.Background(), Options{Dir: fx.root, Env: goEnv, Timeout: crashTimeout, PerPackage: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		fn   func(*testing.T, *crashFixture)
	}{
		{"each culprit is a failing test by name, with what killed the binary", culpritsAreFailingTests},
		{"the tests after a culprit ran in the re-run", laterTestsRan},
		{"recovered packages say which tests were skipped and why", recoveredPackagesSayWhy},
		{"whole-suite figures equal go test with the culprits skipped", wholeSuiteEqualsGoTestSkip},
		{"packages that cannot be recovered have no data, are out of the total and not ranked", noDataPackagesAreUnmeasured},
		{"per-package figures equal go test -cover with the culprit skipped", perPackageEqualsGoTestCoverSkip},
		{"an ordinary failing test is not a crash", ordinaryFailureIsNotACrash},
		{"the profile written for .sprintkit/cover.out carries the re-runs' coverage", profileCarriesRecoveredCoverage},
	} {
		t.Run(c.name, func(t *testing.T) { c.fn(t, fx) })
	}
}

func culprits() []struct{ pkg, test, why, text, later string } {
	cs := crashCulprits
	if runtime.GOOS != "windows" {
		cs = append(cs[:len(cs):len(cs)], struct{ pkg, test, why, text, later string }{
			"signals", "TestKillsItself", "killed by signal", "signal: killed", "TestU"})
	}
	return cs
}

func findTest(r *coverage.Result, pkg, test string) *coverage.TestResult {
	for i := range r.Tests {
		if r.Tests[i].Package == "example.com/crashy/"+pkg && r.Tests[i].Test == test {
			return &r.Tests[i]
		}
	}
	return nil
}

func culpritsAreFailingTests(t *testing.T, fx *crashFixture) {
	for _, r := range []*coverage.Result{fx.whole, fx.perPkg} {
		for _, c := range culprits() {
			tr := findTest(r, c.pkg, c.test)
			if tr == nil {
				t.Errorf("%s: %s is not among the tests", c.pkg, c.test)
				continue
			}
			if tr.Outcome != "fail" || tr.Crashed != c.why {
				t.Errorf("%s: %s outcome %q crashed %q, want fail, %q", c.pkg, c.test, tr.Outcome, tr.Crashed, c.why)
			}
			if !strings.Contains(tr.Output, c.text) {
				t.Errorf("%s: %s output lacks %q:\n%s", c.pkg, c.test, c.text, tr.Output)
			}
			if findTest(r, c.pkg, "(package)") != nil {
				t.Errorf("%s: a (package) failure stands beside the culprit %s", c.pkg, c.test)
			}
		}
		if failed := r.Failed(); len(failed) == 0 || failed[0].Crashed == "" {
			t.Errorf("Failed() does not list a test that killed its binary first: %+v", failed)
		}
	}
	if tr := findTest(fx.whole, "calc", "TestNilCounterPanics"); tr != nil &&
		!strings.HasPrefix(tr.CrashLine(), "panic: runtime error: invalid memory address or nil pointer dereference") {
		t.Errorf("CrashLine = %q, want the panic line", tr.CrashLine())
	}
}

func laterTestsRan(t *testing.T, fx *crashFixture) {
	for _, c := range culprits() {
		tr := findTest(fx.whole, c.pkg, c.later)
		if tr == nil || tr.Outcome != "pass" {
			t.Errorf("%s: %s after the culprit = %+v, want it run and passed", c.pkg, c.later, tr)
		}
	}
}

func recoveredPackagesSayWhy(t *testing.T, fx *crashFixture) {
	want := map[string]coverage.Recovery{
		"calc":  {Skipped: []string{"TestNilCounterPanics"}, Why: "panicked"},
		"exits": {Skipped: []string{"TestExitsTheProcess"}, Why: "exited"},
		"hangs": {Skipped: []string{"TestWaitsForever"}, Why: "timed out"},
		"twice": {Skipped: []string{"TestPanicsFirst", "TestExitsSecond"}, Why: "panicked, exited"},
	}
	if runtime.GOOS != "windows" {
		want["signals"] = coverage.Recovery{Skipped: []string{"TestKillsItself"}, Why: "killed by signal"}
	}
	for _, r := range []*coverage.Result{fx.whole, fx.perPkg} {
		got := map[string]coverage.Recovery{}
		for _, p := range r.RecoveredPackages() {
			got[strings.TrimPrefix(p.Name, "example.com/crashy/")] = *p.Recovered
		}
		if len(got) != len(want) {
			t.Errorf("recovered packages %v, want %v", got, want)
		}
		for pkg, w := range want {
			g := got[pkg]
			if strings.Join(g.Skipped, ",") != strings.Join(w.Skipped, ",") || g.Why != w.Why {
				t.Errorf("%s recovered %+v, want %+v", pkg, g, w)
			}
		}
	}
}

// skipAll is the -skip of every culprit of the fixture; their names are
// unique across its packages.
func skipAll() string {
	var names []string
	for _, c := range culprits() {
		names = append(names, c.test)
	}
	return "-skip=^(" + strings.Join(names, "|") + ")$"
}

// profileCounts reads Go profiles written by the go command and returns
// each package's statements and covered statements, a block counting as
// covered when any profile ran it.
func profileCounts(t *testing.T, files ...string) map[string]coverage.Counts {
	t.Helper()
	type key struct {
		file string
		b    [4]int
	}
	stmts, ran := map[key]int{}, map[key]bool{}
	for _, f := range files {
		profs, err := cover.ParseProfiles(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range profs {
			for _, b := range p.Blocks {
				k := key{p.FileName, [4]int{b.StartLine, b.StartCol, b.EndLine, b.EndCol}}
				stmts[k] = b.NumStmt
				ran[k] = ran[k] || b.Count > 0
			}
		}
	}
	out := map[string]coverage.Counts{}
	for k, n := range stmts {
		pkg := filepath.ToSlash(filepath.Dir(k.file))
		c := out[pkg]
		c.Statements += n
		if ran[k] {
			c.Covered += n
		}
		out[pkg] = c
	}
	return out
}

func wholeSuiteEqualsGoTestSkip(t *testing.T, fx *crashFixture) {
	dir := t.TempDir()
	skipped := filepath.Join(dir, "skipped.out")
	goRun(t, fx.root, true, "test", "-coverpkg=./...", "-coverprofile="+skipped, skipAll(), "./...")
	// A timed-out binary writes the coverage of what ran until the alarm,
	// the hung test's part too; Run keeps it, so the expectation does.
	hung := filepath.Join(dir, "hung.out")
	goRun(t, fx.root, true, "test", "-timeout="+crashTimeout.String(), "-coverpkg=./...", "-coverprofile="+hung, "./hangs")
	want := profileCounts(t, skipped, hung)
	var total coverage.Counts
	for _, p := range fx.whole.Packages {
		w := want[p.Name]
		if p.NoData != "" {
			if p.Statements != w.Statements {
				t.Errorf("%s (no data): %d statements, want %d", p.Name, p.Statements, w.Statements)
			}
			continue
		}
		total.Add(w)
		if p.Statements != w.Statements || p.Covered != w.Covered {
			t.Errorf("%s: %d of %d covered, go test %s gives %d of %d", p.Name, p.Covered, p.Statements, skipAll(), w.Covered, w.Statements)
		}
	}
	if fx.whole.Total.Statements != total.Statements || fx.whole.Total.Covered != total.Covered {
		t.Errorf("total %+v, want %d of %d (the packages with data)", fx.whole.Total, total.Covered, total.Statements)
	}
	// Without the recovery the culprits' packages would read as untested.
	calc := fx.whole.Package("example.com/crashy/calc")
	if calc == nil || calc.Covered == 0 {
		t.Errorf("calc = %+v, want its surviving tests' coverage", calc)
	}
}

func noDataPackagesAreUnmeasured(t *testing.T, fx *crashFixture) {
	want := map[string]string{
		"initpanic": "panicked outside any test",
		"mainexit":  "exited outside any test",
		"thrice":    "still panicked after a re-run without TestBoomOne, TestBoomTwo",
	}
	for _, r := range []*coverage.Result{fx.whole, fx.perPkg} {
		excluded := 0
		for pkg, reason := range want {
			p := r.Package("example.com/crashy/" + pkg)
			if p == nil {
				t.Errorf("%s is missing; it must be listed with no data", pkg)
				continue
			}
			if !strings.Contains(p.NoData, reason) {
				t.Errorf("%s NoData = %q, want it to say %q", pkg, p.NoData, reason)
			}
			if p.Covered != 0 || p.Percent != 0 || p.Recovered != nil {
				t.Errorf("%s with no data has %+v, recovered %v", pkg, p.Counts, p.Recovered)
			}
			excluded += p.Statements
		}
		if r.NoDataStatements != excluded {
			t.Errorf("NoDataStatements = %d, want %d", r.NoDataStatements, excluded)
		}
		for _, by := range []string{"package", "file", "function"} {
			for _, tg := range coverage.Rank(r, coverage.RankOptions{By: by}) {
				for pkg := range want {
					if strings.HasPrefix(tg.Name, "example.com/crashy/"+pkg) || strings.HasPrefix(tg.Name, pkg+"/") || strings.HasPrefix(tg.Name, pkg+".") {
						t.Errorf("by %s: %s (no data) is ranked as %q", by, pkg, tg.Name)
					}
				}
			}
		}
	}
	if p := findTest(fx.whole, "initpanic", "(package)"); p == nil || p.Crashed != "panicked" || !strings.Contains(p.Output, "assignment to entry in nil map") {
		t.Errorf("initpanic's failure = %+v, want a (package) failure that panicked with its message", p)
	}
}

func perPackageEqualsGoTestCoverSkip(t *testing.T, fx *crashFixture) {
	prof := filepath.Join(t.TempDir(), "cover.out")
	goRun(t, fx.root, true, "test", "-cover", "-coverprofile="+prof, skipAll(), "./calc", "./exits", "./twice")
	want := profileCounts(t, prof)
	for _, pkg := range []string{"calc", "exits", "twice"} {
		name := "example.com/crashy/" + pkg
		p, w := fx.perPkg.Package(name), want[name]
		if p == nil || p.Statements != w.Statements || p.Covered != w.Covered || w.Statements == 0 {
			t.Errorf("%s per package = %+v, go test -cover %s gives %+v", pkg, p, skipAll(), w)
		}
	}
}

func ordinaryFailureIsNotACrash(t *testing.T, fx *crashFixture) {
	p := fx.whole.Package("example.com/crashy/plain")
	if p == nil || p.Recovered != nil || p.NoData != "" {
		t.Fatalf("plain = %+v, want measured as it is", p)
	}
	tr := findTest(fx.whole, "plain", "TestHalfIsWrong")
	if tr == nil || tr.Outcome != "fail" || tr.Crashed != "" {
		t.Errorf("TestHalfIsWrong = %+v, want an ordinary failure", tr)
	}
}

func TestBaselineCarriesCrashesAndMissingData(t *testing.T) {
	r := &coverage.Result{Language: "go", Packages: []*coverage.Package{
		{Name: "a", Recovered: &coverage.Recovery{Skipped: []string{"TestX"}, Why: "panicked"}},
		{Name: "b", NoData: "its test binary exited outside any test (init, TestMain or a stray goroutine)"},
	}, Tests: []coverage.TestResult{
		{Package: "a", Test: "TestOK", Outcome: "fail"},
		{Package: "a", Test: "TestX", Outcome: "fail", Crashed: "panicked"},
	}}
	b := coverage.NewBaseline(r)
	if b.Tests[0].Test != "TestX" {
		t.Errorf("baseline tests start with %s, want the test that killed its binary", b.Tests[0].Test)
	}
	if b.Packages[0].Recovered == nil || b.Packages[1].NoData == "" {
		t.Errorf("baseline packages %+v lost the recovery or the missing data", b.Packages)
	}
}

func profileCarriesRecoveredCoverage(t *testing.T, fx *crashFixture) {
	out := filepath.Join(t.TempDir(), "cover.out")
	f, err := os.Create(out)
	if err != nil {
		t.Fatal(err)
	}
	if err := WriteResultProfile(f, fx.whole); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	got := profileCounts(t, out)
	for _, p := range fx.whole.Packages {
		if p.NoData != "" {
			continue
		}
		if g := got[p.Name]; g.Statements != p.Statements || g.Covered != p.Covered {
			t.Errorf("%s: cover.out gives %d of %d, the result %d of %d", p.Name, g.Covered, g.Statements, p.Covered, p.Statements)
		}
	}
	if calc := got["example.com/crashy/calc"]; calc.Covered == 0 {
		t.Errorf("cover.out has no coverage of calc: the re-run's profile was not merged")
	}
}
