package report

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/sprintkit/sprintkit/coverage"
	"golang.org/x/tools/cover"
)

// crashResult is fixtureResult with a package re-run without the test
// that panicked in it, and a package whose binary died in init.
func crashResult() *coverage.Result {
	r := fixtureResult()
	cart := r.Package("example.com/shop/cart")
	cart.Recovered = &coverage.Recovery{Skipped: []string{"TestNilCart"}, Why: "panicked"}
	r.Packages = append(r.Packages, &coverage.Package{Name: "example.com/shop/tax", NoData: "its test binary panicked outside any test (init, TestMain or a stray goroutine): panic: boom",
		Files: []*coverage.File{{Path: "example.com/shop/tax/tax.go", Rel: "tax/tax.go",
			Blocks: []cover.ProfileBlock{{StartLine: 3, StartCol: 20, EndLine: 9, EndCol: 2, NumStmt: 6, Count: 0}}}}})
	r.Tests = append(r.Tests, coverage.TestResult{Package: "example.com/shop/cart", Test: "TestNilCart", Outcome: "fail", Crashed: "panicked",
		Output: "=== RUN   TestNilCart\n--- FAIL: TestNilCart (0.00s)\npanic: runtime error: invalid memory address or nil pointer dereference\n"})
	r.Finalize()
	return r
}

func TestRenderersSayWhichTestBinariesDied(t *testing.T) {
	r := crashResult()
	targets := coverage.Rank(r, coverage.RankOptions{})
	var table, md, js bytes.Buffer
	if err := Table(&table, r, targets, TextOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := Markdown(&md, r, targets); err != nil {
		t.Fatal(err)
	}
	if err := JSON(&js, r, targets); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	index, err := HTML(context.Background(), dir, r, targets, HTMLOptions{})
	if err != nil {
		t.Fatal(err)
	}
	page, err := os.ReadFile(index)
	if err != nil {
		t.Fatal(err)
	}
	const note = "TestNilCart panicked in example.com/shop/cart; its package was re-run without it"
	for _, c := range []struct {
		name, out string
		want      []string
		not       []string
	}{
		{"the table marks the re-run target, names the crasher first and lists the package without data", table.String(),
			[]string{"example.com/shop/cart *", note, "example.com/shop/tax has no data (not counted, not ranked): its test binary panicked",
				"not counted: 1 package without data (a test binary died), 6 known statements left out of the total",
				"FAIL example.com/shop/cart TestNilCart (panicked: panic: runtime error: invalid memory address or nil pointer dereference)\n  FAIL example.com/shop/money TestCents"},
			[]string{"example.com/shop/tax  "}},
		{"Markdown quotes the notes and the crash", md.String(),
			[]string{"> " + note, "> example.com/shop/tax has no data", "`TestNilCart` in `example.com/shop/cart` (panicked: panic: runtime error"}, nil},
		{"the HTML index carries a banner", string(page),
			[]string{`<section class="warning crashed" id="crashed">`, "<li>" + note + "</li>", `no data</td>`}, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			for _, w := range c.want {
				if !strings.Contains(c.out, w) {
					t.Errorf("missing %q in\n%s", w, c.out)
				}
			}
			for _, n := range c.not {
				if strings.Contains(c.out, n) {
					t.Errorf("unexpected %q in\n%s", n, c.out)
				}
			}
		})
	}
	t.Run("JSON carries recovered, no_data and the crashed test", func(t *testing.T) {
		var doc struct {
			NoDataStatements int `json:"no_data_statements"`
			Total            coverage.Counts
			Packages         []struct {
				Name      string
				Recovered *coverage.Recovery `json:"recovered"`
				NoData    string             `json:"no_data"`
			}
			Failures []coverage.TestResult
		}
		if err := json.Unmarshal(js.Bytes(), &doc); err != nil {
			t.Fatal(err)
		}
		if doc.NoDataStatements != 6 || doc.Total != r.Total || doc.Total.Statements != 32 {
			t.Errorf("no_data_statements %d, total %+v; want 6 left out, 32 counted", doc.NoDataStatements, doc.Total)
		}
		got := map[string]string{}
		for _, p := range doc.Packages {
			if p.Recovered != nil {
				got[p.Name] = strings.Join(p.Recovered.Skipped, ",") + " " + p.Recovered.Why
			}
			if p.NoData != "" {
				got[p.Name] = "no data"
			}
		}
		if got["example.com/shop/cart"] != "TestNilCart panicked" || got["example.com/shop/tax"] != "no data" || len(got) != 2 {
			t.Errorf("packages %v", got)
		}
		if len(doc.Failures) == 0 || doc.Failures[0].Test != "TestNilCart" || doc.Failures[0].Crashed != "panicked" {
			t.Errorf("failures %+v, want the crasher first", doc.Failures)
		}
	})
	for _, tg := range targets {
		if tg.Name == "example.com/shop/tax" {
			t.Errorf("the package without data is ranked: %+v", tg)
		}
	}
}
