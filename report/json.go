package report

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"strconv"

	"github.com/sprintkit/sprintkit/coverage"
	"github.com/sprintkit/sprintkit/patchcov"
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
//	                           // with branch data (coverage.py, LCOV, Cobertura), also
//	                           // "branches": {"total": 8, "taken": 7},
//	                           // "missed_branches": [{"line": 20, "to": [18], "missed": 1, "of": 2}]
//	                           // and a target whose statements all run has "missed_branches": 1
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
// A project of several modules has "modules": [{"path", "dir", "status":
// "tested" | "no packages" | "failed", "packages", "statements", "covered",
// "percent"}], each module's figure.
//
// A test that failed and passed when run again alone is not in "failures"
// but in "flaky": [{"package", "test", "outcome": "flaky", ...}].
//
// Percentages are numbers rounded to one decimal, as `go test -cover` prints
// them. Fields may be added; none is removed or renamed within a version.

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
	// Branches and MissedBranches, when the data measures branches
	// (coverage.File.Branches); absent otherwise, and for Go.
	Branches       *coverage.Branches      `json:"branches,omitempty"`
	MissedBranches []coverage.MissedBranch `json:"missed_branches,omitempty"`
}

// JSON writes r and its targets as the JSON contract above.
func JSON(w io.Writer, r *coverage.Result, targets []coverage.Target) error {
	return JSONWithPatch(w, r, targets, nil)
}

// JSONWithPatch is JSON with a "patch" object: {"ref", "statements",
// "covered", "percent", "files": [{"path", "statements", "covered",
// "percent", "uncovered": [{"from", "to"}]}]}; nil leaves it out.
//
// The document is written as json.Encoder with two-space indentation would
// write jsonDoc, byte for byte, but streamed: the packages and the targets
// are encoded one at a time, so that a result of thousands of files and
// targets of thousands of functions never sits in memory as one encoded
// document (twice: compact, then indented).
func JSONWithPatch(w io.Writer, r *coverage.Result, targets []coverage.Target, pc *patchcov.Coverage) error {
	failures := r.Failed()
	if failures == nil {
		failures = []coverage.TestResult{}
	}
	o := newJSONObject(w)
	o.add("type", "coverage")
	o.add("version", 1)
	o.add("project", r.Project)
	if r.Commit != "" {
		o.add("commit", r.Commit)
	}
	o.add("generated", r.Generated)
	o.add("language", r.Language)
	o.add("mode", r.Mode)
	o.add("total", r.Total)
	if r.NoDataStatements != 0 {
		o.add("no_data_statements", r.NoDataStatements)
	}
	o.array("packages", len(r.Packages), func(i int) any {
		p := r.Packages[i]
		jp := jsonPackage{Name: p.Name, Counts: p.Counts, Files: make([]jsonFile, 0, len(p.Files)), Recovered: p.Recovered, NoData: p.NoData}
		for _, f := range p.Files {
			jp.Files = append(jp.Files, jsonFile{Path: f.Path, Counts: f.Counts, Generated: f.Generated, NotRun: f.NotRun,
				Branches: f.Branches, MissedBranches: f.MissedBranches})
		}
		return jp
	})
	if len(r.Modules) > 0 {
		o.add("modules", r.Modules)
	}
	o.array("targets", len(targets), func(i int) any { return targets[i] })
	o.add("failures", failures)
	if flaky := r.Flaky(); len(flaky) > 0 {
		o.add("flaky", flaky)
	}
	if len(r.Warnings) > 0 {
		o.add("warnings", r.Warnings)
	}
	if r.Branch != nil {
		o.add("branch", r.Branch)
	}
	if pc != nil {
		o.add("patch", pc)
	}
	return o.end()
}

// jsonObject writes a top-level JSON object field by field, indented by two
// spaces as json.Encoder.SetIndent("", "  ") does, and ended by a newline.
// Its encoders keep their buffers from one value to the next.
type jsonObject struct {
	w          *bufio.Writer
	n          int // fields written
	err        error
	buf        bytes.Buffer
	field, elm *json.Encoder // indented for a field's value, an array element
}

func newJSONObject(w io.Writer) *jsonObject {
	o := &jsonObject{w: bufio.NewWriterSize(w, 64<<10)}
	o.field = json.NewEncoder(&o.buf)
	o.field.SetIndent(fieldIndent, "  ")
	o.elm = json.NewEncoder(&o.buf)
	o.elm.SetIndent(elemIndent, "  ")
	return o
}

// The indentation of a top-level field, and of an element of an array that
// is a top-level field's value.
const (
	fieldIndent = "  "
	elemIndent  = "    "
)

func (o *jsonObject) key(name string) {
	if o.n == 0 {
		o.w.WriteString("{\n")
	} else {
		o.w.WriteString(",\n")
	}
	o.n++
	o.w.WriteString(fieldIndent + strconv.Quote(name) + ": ")
}

// value writes v as enc encodes it, without the newline that ends it.
func (o *jsonObject) value(enc *json.Encoder, v any) {
	if o.err != nil {
		return
	}
	o.buf.Reset()
	if err := enc.Encode(v); err != nil {
		o.err = err
		return
	}
	o.w.Write(bytes.TrimSuffix(o.buf.Bytes(), []byte("\n")))
}

func (o *jsonObject) add(name string, v any) {
	o.key(name)
	o.value(o.field, v)
}

// array writes an array of n elements, elem(i) encoded one at a time.
func (o *jsonObject) array(name string, n int, elem func(i int) any) {
	o.key(name)
	if n == 0 {
		o.w.WriteString("[]")
		return
	}
	o.w.WriteString("[\n")
	for i := 0; i < n && o.err == nil; i++ {
		if i > 0 {
			o.w.WriteString(",\n")
		}
		o.w.WriteString(elemIndent)
		o.value(o.elm, elem(i))
	}
	o.w.WriteString("\n" + fieldIndent + "]")
}

func (o *jsonObject) end() error {
	if o.n == 0 {
		o.w.WriteString("{")
	} else {
		o.w.WriteString("\n")
	}
	o.w.WriteString("}\n")
	if o.err != nil {
		return o.err
	}
	return o.w.Flush()
}
