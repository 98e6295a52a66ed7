package report

import (
	"encoding/json"
	"io"
	"time"

	"github.com/sprintkit/sprintkit/coverage"
	"github.com/sprintkit/sprintkit/patch"
)

// The JSON contract (`sprintkit coverage --format json`), stable for scripts:
//
//	{
//	  "type": "coverage", "version": 1,
//	  "project": "example.com/m", "commit": "abc123", "generated": "2026-11-25T12:00:00Z",
//	  "language": "go", "mode": "set",
//	  "total":    {"statements": 120, "covered": 80, "percent": 66.7},
//	  "packages": [{"name": "example.com/m/url", "statements": 40, "covered": 10, "percent": 25.0,
//	                "files": [{"path": "example.com/m/url/parse.go", "statements": 40, "covered": 10,
//	                           "percent": 25.0, "generated": false}]}],
//	  "targets":  [{"rank": 1, "kind": "package", "name": "example.com/m/url", "percent": 25.0,
//	                "statements": 40, "uncovered": 30, "score": 42.1, "reason": "...",
//	                "functions": [{"name": "parseQuery", "file": "url/parse.go", "line": 12,
//	                               "statements": 6, "covered": 0}]}],
//	  "failures": [{"package": "example.com/m/url", "test": "TestParse", "outcome": "fail", ...}]
//	}
//
// When a test binary died (Go): the test that killed it is the first of
// "failures", with "crashed": "panicked" (or "exited", "timed out", "killed
// by signal"); its package carries "recovered": {"skipped": ["TestX"],
// "why": "panicked"} when it was re-run without that test, or "no_data":
// "reason" when it could not be measured. A package with no data has no
// figure ("covered" and "percent" are 0 and mean nothing), is not in
// "total", and "no_data_statements" at the top level counts its statements.
//
// Percentages are numbers rounded to one decimal, as `go test -cover` prints
// them. Fields may be added; none is removed or renamed within a version.

type jsonDoc struct {
	Type      string          `json:"type"`
	Version   int             `json:"version"`
	Project   string          `json:"project"`
	Commit    string          `json:"commit,omitempty"`
	Generated time.Time       `json:"generated"`
	Language  string          `json:"language"`
	Mode      string          `json:"mode"`
	Total     coverage.Counts `json:"total"`
	// NoDataStatements are the statements of packages with no data,
	// left out of Total.
	NoDataStatements int                   `json:"no_data_statements,omitempty"`
	Packages         []jsonPackage         `json:"packages"`
	Targets          []coverage.Target     `json:"targets"`
	Failures         []coverage.TestResult `json:"failures"`
	Warnings         []string              `json:"warnings,omitempty"`

	Branch *coverage.BranchCounts `json:"branch,omitempty"` // branch-inclusive figure, when measured
	// Patch is the coverage of the working tree's change (coverage --diff).
	Patch *patch.Coverage `json:"patch,omitempty"`
}

type jsonPackage struct {
	Name string `json:"name"`
	coverage.Counts
	Files     []jsonFile         `json:"files"`
	Recovered *coverage.Recovery `json:"recovered,omitempty"`
	NoData    string             `json:"no_data,omitempty"`
}

type jsonFile struct {
	Path string `json:"path"`
	coverage.Counts
	Generated bool   `json:"generated"`
	NotRun    string `json:"not_run,omitempty"` // why its tests did not run
}

// JSON writes r and its targets as the JSON contract above.
func JSON(w io.Writer, r *coverage.Result, targets []coverage.Target) error {
	return JSONWithPatch(w, r, targets, nil)
}

// JSONWithPatch is JSON with a "patch" object: {"ref", "statements",
// "covered", "percent", "files": [{"path", "statements", "covered",
// "percent", "uncovered": [{"from", "to"}]}]}; nil leaves it out.
func JSONWithPatch(w io.Writer, r *coverage.Result, targets []coverage.Target, pc *patch.Coverage) error {
	doc := jsonDoc{Patch: pc,
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
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(doc)
}
