package gotest

import (
	"context"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/tools/cover"

	"github.com/sprintkit/sprintkit/internal/testkit"
)

// stmtsSource holds every construct whose statements cmd/cover counts:
// if/else-if/else, for, range, switch, type switch, select, labels,
// closures, defer and go, an empty function.
const stmtsSource = `package stmts

import "fmt"

func Empty() {}

func Branches(x int) string {
	if x > 10 {
		return "big"
	} else if x > 5 {
		x++
		return "mid"
	} else {
		x--
	}
	switch {
	case x < 0:
		return "neg"
	case x == 0:
	default:
		x *= 2
	}
	return fmt.Sprint(x)
}

func Loops(xs []int, ch chan int, v any) (n int) {
	defer func() { n++ }()
outer:
	for i := 0; i < 3; i++ {
		for _, x := range xs {
			if x < 0 {
				continue outer
			}
			n += x
		}
	}
	switch t := v.(type) {
	case int:
		n += t
	case string:
		n += len(t)
	}
	select {
	case c := <-ch:
		n += c
	default:
	}
	go func() {}()
	f := func(a int) int {
		if a > 0 {
			return a
		}
		return -a
	}
	return f(n)
}
`

// sourceBlocks counts, file by file, what go test -coverprofile counts.
func TestSourceBlocksCountWhatCoverCounts(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the go toolchain; go test without -short runs it")
	}
	testkit.NeedGo(t)
	dir := t.TempDir()
	testkit.WriteTree(t, dir, map[string]string{
		"go.mod":         "module example.com/stmts\n\ngo 1.22\n",
		"stmts.go":       stmtsSource,
		"stmts_test.go":  "package stmts\n\nimport \"testing\"\n\nfunc TestNothing(t *testing.T) {}\n",
		"other/other.go": "package other\n\nfunc A(x int) int {\n\tfor x > 0 {\n\t\tx--\n\t}\n\treturn x\n}\n",
	})
	out := filepath.Join(dir, "c.out")
	cmd := exec.Command("go", "test", "-coverpkg=./...", "-coverprofile="+out, "./...")
	cmd.Dir = dir
	cmd.Env = append(cmd.Environ(), goEnv...)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go test: %v\n%s", err, b)
	}
	profs, err := cover.ParseProfiles(out)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range profs {
		want := 0
		for _, b := range p.Blocks {
			want += b.NumStmt
		}
		rel := strings.TrimPrefix(p.FileName, "example.com/stmts/")
		blocks, err := sourceBlocks(filepath.Join(dir, filepath.FromSlash(rel)))
		if err != nil {
			t.Fatal(err)
		}
		got := 0
		for _, b := range blocks {
			got += b.NumStmt
		}
		if got != want || len(blocks) == 0 {
			t.Errorf("%s: sourceBlocks counts %d statements in %d blocks, go test -cover %d", rel, got, len(blocks), want)
		}
	}
}

// A package that does not compile is listed with its statements, counted
// from its source, as "no data": out of the total, never dropped.
func TestRunGoKeepsAPackageThatDoesNotBuild(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the go toolchain; go test without -short runs it")
	}
	testkit.NeedGo(t)
	root := t.TempDir()
	testkit.WriteTree(t, root, map[string]string{
		"go.mod":            "module example.com/bf\n\ngo 1.22\n",
		"good/good.go":      "package good\n\nfunc A(x int) int {\n\tif x > 0 {\n\t\treturn 1\n\t}\n\treturn 2\n}\n",
		"good/good_test.go": "package good\n\nimport \"testing\"\n\nfunc TestA(t *testing.T) { A(1) }\n",
		"bad/bad.go":        "package bad\n\nfunc B(x int) int {\n\tif x > 0 {\n\t\treturn undefined\n\t}\n\tfor x < 3 {\n\t\tx++\n\t}\n\treturn 2\n}\n",
		"bad/bad_test.go":   "package bad\n\nimport \"testing\"\n\nfunc TestB(t *testing.T) { B(1) }\n",
	})
	r, err := Run(context.Background(), Options{Dir: root, Env: goEnv})
	if err != nil {
		t.Fatal(err)
	}
	bad := r.Package("example.com/bf/bad")
	if bad == nil {
		t.Fatalf("the package that does not build is missing; packages: %v", r.Packages)
	}
	if bad.NoData != notBuilt || bad.Statements != 5 || bad.Covered != 0 {
		t.Errorf("bad: no data %q, %d statements, %d covered; want %q, 5, 0", bad.NoData, bad.Statements, bad.Covered, notBuilt)
	}
	if r.NoDataStatements != 5 || r.Total.Statements != 3 || r.Total.Covered != 2 {
		t.Errorf("no data statements %d, total %d/%d; want 5, 2/3 (the package that built only)", r.NoDataStatements, r.Total.Covered, r.Total.Statements)
	}
	builds := 0
	for _, tr := range r.Tests {
		if tr.Package == "example.com/bf/bad" && tr.Test == "(build)" && tr.Outcome == "fail" {
			builds++
		}
	}
	if builds != 1 {
		t.Errorf("want one (build) failure for the package, got %d: %v", builds, r.Tests)
	}
}
