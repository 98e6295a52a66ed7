package report

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sprintkit/sprintkit/coverage"
	"golang.org/x/tools/cover"
)

// fixtureResult is a small project: a library package with untested
// functions, a main package, a fully covered package, and a failing test.
func fixtureResult() *coverage.Result {
	r := &coverage.Result{
		Project:   "example.com/shop",
		Commit:    "0123456789abcdef0123456789abcdef01234567",
		Generated: time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC),
		Language:  "go",
		Mode:      "set",
		Packages: []*coverage.Package{
			{Name: "example.com/shop/cart", Files: []*coverage.File{{
				Path: "example.com/shop/cart/cart.go", Rel: "cart/cart.go",
				Blocks: []cover.ProfileBlock{
					{StartLine: 5, StartCol: 20, EndLine: 8, EndCol: 2, NumStmt: 3, Count: 1},
					{StartLine: 10, StartCol: 30, EndLine: 20, EndCol: 2, NumStmt: 8, Count: 0},
					{StartLine: 22, StartCol: 25, EndLine: 40, EndCol: 2, NumStmt: 14, Count: 0},
				},
				Functions: []*coverage.Function{
					{Name: "New", File: "cart/cart.go", Line: 5, EndLine: 8, Counts: coverage.Counts{Statements: 3, Covered: 3}},
					{Name: "(*Cart).Add", File: "cart/cart.go", Line: 10, EndLine: 20, Counts: coverage.Counts{Statements: 8}},
					{Name: "(*Cart).Total|Sum", File: "cart/cart.go", Line: 22, EndLine: 40, Counts: coverage.Counts{Statements: 14}},
				},
			}}},
			{Name: "example.com/shop/cmd/shop", IsMain: true, Files: []*coverage.File{{
				Path: "example.com/shop/cmd/shop/main.go", Rel: "cmd/shop/main.go",
				Blocks:    []cover.ProfileBlock{{StartLine: 3, StartCol: 13, EndLine: 9, EndCol: 2, NumStmt: 5, Count: 0}},
				Functions: []*coverage.Function{{Name: "main", File: "cmd/shop/main.go", Line: 3, EndLine: 9, Counts: coverage.Counts{Statements: 5}}},
			}}},
			{Name: "example.com/shop/money", Files: []*coverage.File{{
				Path: "example.com/shop/money/money.go", Rel: "money/money.go",
				Blocks:    []cover.ProfileBlock{{StartLine: 3, StartCol: 30, EndLine: 5, EndCol: 2, NumStmt: 2, Count: 4}},
				Functions: []*coverage.Function{{Name: "Cents", File: "money/money.go", Line: 3, EndLine: 5, Counts: coverage.Counts{Statements: 2, Covered: 2}}},
			}}},
		},
		Tests: []coverage.TestResult{
			{Package: "example.com/shop/cart", Test: "TestNew", Outcome: "pass", Seconds: 0.01},
			{Package: "example.com/shop/money", Test: "TestCents", Outcome: "fail", Seconds: 0.02, Output: "money_test.go:9: got 1, want 2\n"},
		},
	}
	r.Finalize()
	return r
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if os.Getenv("SPRINTKIT_UPDATE_GOLDEN") == "1" {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with SPRINTKIT_UPDATE_GOLDEN=1 to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (SPRINTKIT_UPDATE_GOLDEN=1 updates it)\n--- got\n%s\n--- want\n%s", name, got, want)
	}
}

func TestTextRenderersMatchGoldenFiles(t *testing.T) {
	r := fixtureResult()
	targets := coverage.Rank(r, coverage.RankOptions{})
	for _, tc := range []struct {
		name   string
		render func(*bytes.Buffer) error
	}{
		{"table.golden", func(b *bytes.Buffer) error { return Table(b, r, targets, TextOptions{}) }},
		{"markdown.golden", func(b *bytes.Buffer) error { return Markdown(b, r, targets) }},
		{"json.golden", func(b *bytes.Buffer) error { return JSON(b, r, targets) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := tc.render(&b); err != nil {
				t.Fatal(err)
			}
			golden(t, tc.name, b.Bytes())
		})
	}
}

func TestJSONKeepsTheContract(t *testing.T) {
	r := fixtureResult()
	var b bytes.Buffer
	if err := JSON(&b, r, coverage.Rank(r, coverage.RankOptions{})); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Total    map[string]float64 `json:"total"`
		Packages []struct {
			Name    string  `json:"name"`
			Percent float64 `json:"percent"`
			Files   []struct {
				Path      string `json:"path"`
				Generated *bool  `json:"generated"`
			} `json:"files"`
		} `json:"packages"`
		Targets []struct {
			Rank      int     `json:"rank"`
			Kind      string  `json:"kind"`
			Score     float64 `json:"score"`
			Reason    string  `json:"reason"`
			Uncovered int     `json:"uncovered"`
			Functions []struct {
				Name       string `json:"name"`
				File       string `json:"file"`
				Line       int    `json:"line"`
				Statements int    `json:"statements"`
				Covered    *int   `json:"covered"`
			} `json:"functions"`
		} `json:"targets"`
	}
	if err := json.Unmarshal(b.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Total["statements"] != 32 || doc.Total["covered"] != 5 || doc.Total["percent"] != 15.6 {
		t.Errorf("total = %v", doc.Total)
	}
	if len(doc.Packages) != 3 || doc.Packages[0].Files[0].Generated == nil {
		t.Errorf("packages = %+v", doc.Packages)
	}
	if len(doc.Targets) != 2 || doc.Targets[0].Rank != 1 || doc.Targets[0].Reason == "" || doc.Targets[0].Functions[0].Covered == nil {
		t.Errorf("targets = %+v", doc.Targets)
	}
}

func TestMarkdownEscapesTableCells(t *testing.T) {
	r := fixtureResult()
	var b bytes.Buffer
	if err := Markdown(&b, r, coverage.Rank(r, coverage.RankOptions{})); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), `(*Cart).Total\|Sum`) {
		t.Errorf("a | inside a cell must be escaped:\n%s", b.String())
	}
}

func TestTableColourOnlyWhenAsked(t *testing.T) {
	r := fixtureResult()
	targets := coverage.Rank(r, coverage.RankOptions{})
	var plain, colour bytes.Buffer
	Table(&plain, r, targets, TextOptions{})
	Table(&colour, r, targets, TextOptions{Color: true})
	if strings.Contains(plain.String(), "\x1b[") {
		t.Error("plain table contains ANSI escapes")
	}
	if !strings.Contains(colour.String(), "\x1b[31m") {
		t.Error("coloured table has no red for low coverage")
	}
}
