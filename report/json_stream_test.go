package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand"
	"testing"
	"time"

	"github.com/sprintkit/sprintkit/coverage"
	"github.com/sprintkit/sprintkit/patchcov"
	"golang.org/x/tools/cover"
)

// referenceDoc is the JSON contract as one value, encoded the way the
// report was written before it was streamed: json.Encoder with two-space
// indentation. JSONWithPatch must write the same bytes.
type referenceDoc struct {
	Type             string                 `json:"type"`
	Version          int                    `json:"version"`
	Project          string                 `json:"project"`
	Commit           string                 `json:"commit,omitempty"`
	Generated        time.Time              `json:"generated"`
	Language         string                 `json:"language"`
	Mode             string                 `json:"mode"`
	Total            coverage.Counts        `json:"total"`
	NoDataStatements int                    `json:"no_data_statements,omitempty"`
	Packages         []jsonPackage          `json:"packages"`
	Targets          []coverage.Target      `json:"targets"`
	Failures         []coverage.TestResult  `json:"failures"`
	Warnings         []string               `json:"warnings,omitempty"`
	Branch           *coverage.BranchCounts `json:"branch,omitempty"`
	Patch            *patchcov.Coverage     `json:"patch,omitempty"`
}

func referenceJSON(t *testing.T, r *coverage.Result, targets []coverage.Target, pc *patchcov.Coverage) []byte {
	t.Helper()
	doc := referenceDoc{Patch: pc,
		Type: "coverage", Version: 1,
		Project: r.Project, Commit: r.Commit, Generated: r.Generated,
		Language: r.Language, Mode: r.Mode, Total: r.Total, NoDataStatements: r.NoDataStatements, Branch: r.Branch,
		Packages: []jsonPackage{}, Targets: targets, Failures: r.Failed(), Warnings: r.Warnings,
	}
	if doc.Targets == nil {
		doc.Targets = []coverage.Target{}
	}
	if doc.Failures == nil {
		doc.Failures = []coverage.TestResult{}
	}
	for _, p := range r.Packages {
		jp := jsonPackage{Name: p.Name, Counts: p.Counts, Files: []jsonFile{}, Recovered: p.Recovered, NoData: p.NoData}
		for _, f := range p.Files {
			jp.Files = append(jp.Files, jsonFile{Path: f.Path, Counts: f.Counts, Generated: f.Generated, NotRun: f.NotRun})
		}
		doc.Packages = append(doc.Packages, jp)
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetIndent("", "  ")
	if err := enc.Encode(doc); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// generatedResult is a random Go-like result of pkgs packages, with
// functions, failures, and names that need escaping.
func generatedResult(rng *rand.Rand, pkgs int) *coverage.Result {
	r := &coverage.Result{Project: "example.com/<gen>&co", Generated: time.Date(2026, 12, 1, 13, 0, 0, 123, time.UTC),
		Language: "go", Mode: "count"}
	for p := 0; p < pkgs; p++ {
		pkg := &coverage.Package{Name: fmt.Sprintf("example.com/gen/p%d", p), HasTests: rng.Intn(2) == 0}
		for f := 0; f < 1+rng.Intn(5); f++ {
			file := &coverage.File{Path: fmt.Sprintf("%s/f%d.go", pkg.Name, f), Rel: fmt.Sprintf("p%d/f%d.go", p, f), Generated: rng.Intn(9) == 0}
			line := 1
			for fn := 0; fn < 1+rng.Intn(6); fn++ {
				start := line
				for b := 0; b < 1+rng.Intn(4); b++ {
					file.Blocks = append(file.Blocks, cover.ProfileBlock{StartLine: line, StartCol: 2, EndLine: line + 1, EndCol: 3, NumStmt: 1 + rng.Intn(3), Count: rng.Intn(2)})
					line += 2
				}
				fc := coverage.BlockCounts(file.Blocks[len(file.Blocks)-1:])
				file.Functions = append(file.Functions, &coverage.Function{Name: fmt.Sprintf("F%d_%d", f, fn), File: file.Rel, Line: start, EndLine: line, Branches: rng.Intn(4), Counts: fc})
			}
			pkg.Files = append(pkg.Files, file)
		}
		r.Packages = append(r.Packages, pkg)
	}
	r.Finalize()
	return r
}

func TestJSONStreamsTheBytesOfOneEncodedDocument(t *testing.T) {
	rng := rand.New(rand.NewSource(3))
	big := generatedResult(rng, 40)
	big.Commit = "abc123"
	big.Warnings = []string{"a <warning> & \"quotes\"", "\u2028 separators"}
	big.Tests = []coverage.TestResult{
		{Package: "example.com/gen/p1", Test: "TestA", Outcome: "fail", Output: "boom\n", Crashed: "panicked"},
		{Package: "example.com/gen/p2", Test: "TestB", Outcome: "pass"},
	}
	big.Packages[0].Recovered = &coverage.Recovery{Skipped: []string{"TestA"}, Why: "panicked"}
	big.Packages[1].NoData = "its test binary exited outside any test"
	big.Finalize()
	big.Branch = &coverage.BranchCounts{Branches: 10, Taken: 4, Percent: 50, Why: "test"}
	empty := &coverage.Result{Language: "go", Mode: "set"}
	pc := &patchcov.Coverage{Ref: "HEAD", Statements: 3, Covered: 1, Percent: 33.3,
		Files: []*patchcov.File{{Path: "p0/f0.go", Statements: 3, Covered: 1, Percent: 33.3, Uncovered: []patchcov.Range{{From: 2, To: 3}}}}}
	for _, tt := range []struct {
		name    string
		r       *coverage.Result
		targets []coverage.Target
		pc      *patchcov.Coverage
	}{
		{"empty result, no targets", empty, nil, nil},
		{"empty result, empty patch", empty, []coverage.Target{}, &patchcov.Coverage{Ref: "HEAD"}},
		{"fixture ranked", fixtureResult(), coverage.Rank(fixtureResult(), coverage.RankOptions{}), nil},
		{"generated, by package", big, coverage.Rank(big, coverage.RankOptions{}), pc},
		{"generated, by function", big, coverage.Rank(big, coverage.RankOptions{By: "function"}), nil},
		{"generated, no targets", big, nil, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var got bytes.Buffer
			if err := JSONWithPatch(&got, tt.r, tt.targets, tt.pc); err != nil {
				t.Fatal(err)
			}
			want := referenceJSON(t, tt.r, tt.targets, tt.pc)
			if !bytes.Equal(got.Bytes(), want) {
				i := 0
				for i < min(got.Len(), len(want)) && got.Bytes()[i] == want[i] {
					i++
				}
				t.Fatalf("differs at byte %d of %d/%d\n--- got from there\n%.300s\n--- want from there\n%.300s", i, got.Len(), len(want), got.Bytes()[i:], want[i:])
			}
		})
	}
}
