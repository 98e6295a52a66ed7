package pertest

import (
	"bytes"
	"context"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sprintkit/sprintkit/internal/testkit"
)

// writeModule writes a one-package module whose tests are given.
func writeModule(t *testing.T, tests string) (root string, pkgs []GoPackage) {
	t.Helper()
	root = t.TempDir()
	testkit.WriteTree(t, root, map[string]string{
		"go.mod": "module example.com/m\n\ngo 1.21\n",
		"a.go": `package m

func A(n int) int {
	if n > 0 {
		return n
	}
	return -n
}

func B() int { return 2 }
`,
		"a_test.go": tests,
	})
	return root, []GoPackage{{Path: "example.com/m", Dir: root}}
}

func TestGoMeasuresEachTestAloneAndCachesByContent(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs a test binary")
	}
	testkit.NeedGo(t)
	root, pkgs := writeModule(t, `package m

import "testing"

func TestA(t *testing.T) { A(1) }

func TestB(t *testing.T) { B() }
`)
	o := Options{Root: root, CacheDir: filepath.Join(root, ".sprintkit", "pertest")}
	var log bytes.Buffer
	m, err := Go(context.Background(), pkgs, o, &log)
	if err != nil {
		t.Fatal(err)
	}
	p := m.Packages["example.com/m"]
	if p == nil || len(p.Tests) != 2 || m.Ran != 3 || m.Cached != 0 {
		t.Fatalf("first run: %+v, ran %d, cached %d; log %s", p, m.Ran, m.Cached, log.String())
	}
	a := p.Tests[0]
	if a.Name != "TestA" || a.File != "a_test.go" || a.Line != 5 {
		t.Fatalf("TestA is %+v", a)
	}
	if got := a.Lines["example.com/m/a.go"]; !slices.Contains(got, 4) || slices.Contains(got, 7) || slices.Contains(got, 10) {
		t.Fatalf("TestA runs lines %v of a.go, want A up to its first return (4), not the other (7) nor B (10)", got)
	}
	if got := p.Tests[1].Lines["example.com/m/a.go"]; len(got) != 1 || got[0] != 10 {
		t.Fatalf("TestB runs lines %v, want [10]", got)
	}

	// The second run over the same content runs no test binary.
	m2, err := Go(context.Background(), pkgs, o, &log)
	if err != nil {
		t.Fatal(err)
	}
	if m2.Ran != 0 || m2.Cached != 1 || len(m2.Packages["example.com/m"].Tests) != 2 {
		t.Fatalf("second run ran %d, cached %d: want everything from the cache", m2.Ran, m2.Cached)
	}
	// Cache only reads; a changed file is measured again.
	testkit.WriteTree(t, root, map[string]string{"b.go": "package m\n\nfunc C() int { return 3 }\n"})
	m3, err := Go(context.Background(), pkgs, Options{Root: root, CacheDir: o.CacheDir, CacheOnly: true}, &log)
	if err != nil || m3.Ran != 0 || len(m3.Packages) != 0 {
		t.Fatalf("cache only, changed package: %v, ran %d, %d packages; want nothing", err, m3.Ran, len(m3.Packages))
	}
	m4, err := Go(context.Background(), pkgs, o, &log)
	if err != nil || m4.Ran != 3 || m4.Cached != 0 {
		t.Fatalf("changed package: %v, ran %d, cached %d; want it measured again", err, m4.Ran, m4.Cached)
	}
	entries, _ := filepath.Glob(filepath.Join(o.CacheDir, "*.json"))
	if len(entries) != 1 {
		t.Fatalf("cache holds %v, want the newest entry only", entries)
	}
}

func TestGoSkipsTestsThatHangOrFail(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs a test binary")
	}
	testkit.NeedGo(t)
	root, pkgs := writeModule(t, `package m

import (
	"testing"
	"time"
)

func TestA(t *testing.T) { A(1) }

func TestHang(t *testing.T) { time.Sleep(time.Hour) }

func TestFail(t *testing.T) { B(); t.Fatal("no") }
`)
	var log bytes.Buffer
	start := time.Now()
	m, err := Go(context.Background(), pkgs, Options{Root: root, TestTimeout: time.Second}, &log)
	if err != nil {
		t.Fatal(err)
	}
	if el := time.Since(start); el > 45*time.Second {
		t.Fatalf("took %s: the hanging test was not cut off", el)
	}
	p := m.Packages["example.com/m"]
	if len(p.Tests) != 1 || p.Tests[0].Name != "TestA" {
		t.Fatalf("tests %+v, want TestA only", p.Tests)
	}
	skipped := map[string]string{}
	for _, s := range p.Skipped {
		skipped[s.Name] = s.Why
	}
	if skipped["TestHang"] != "took longer than 1s" || skipped["TestFail"] != "failed" {
		t.Fatalf("skipped %v", skipped)
	}
	if !strings.Contains(log.String(), "TestHang took longer than 1s, skipped") {
		t.Fatalf("the log does not say the hanging test was skipped:\n%s", log.String())
	}
}

func TestGoBudgetLeavesTheRestOut(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs a test binary")
	}
	testkit.NeedGo(t)
	root, pkgs := writeModule(t, `package m

import (
	"testing"
	"time"
)

func TestHang(t *testing.T) { time.Sleep(time.Hour) }
`)
	var log bytes.Buffer
	cache := filepath.Join(root, ".sprintkit", "pertest")
	// The budget ends before the build does, or while the test hangs:
	// either way nothing is cached and Go returns no error.
	m, err := Go(context.Background(), pkgs, Options{Root: root, CacheDir: cache, Budget: 2 * time.Second, TestTimeout: time.Minute}, &log)
	if err != nil {
		t.Fatal(err)
	}
	if p := m.Packages["example.com/m"]; p != nil && len(p.Tests) != 0 {
		t.Fatalf("tests %+v", p.Tests)
	}
	if entries, _ := filepath.Glob(filepath.Join(cache, "*.json")); len(entries) != 0 {
		t.Fatalf("a run cut off by the budget was cached: %v", entries)
	}
}
