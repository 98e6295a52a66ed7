package importer

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strconv"

	"github.com/sprintkit/sprintkit/coverage"
)

// ParseCoveragePyJSON parses the JSON report of coverage.py (`coverage
// json`, formats 2 and 3). It walks the document as a stream of JSON tokens
// and decodes one file entry at a time.
//
// The parts it reads (others are skipped):
//
//	{"meta": {"version": "7.4.0", "format": 3, "branch_coverage": false, …},
//	 "files": {
//	   "pkg/mod.py": {
//	     "executed_lines": [1, 2, 4], "missing_lines": [3], "excluded_lines": [],
//	     "summary": {"covered_lines": 3, "num_statements": 4, …},
//	     "functions": {                    // coverage.py ≥ 7.5 ("regions")
//	       "": {…module-level code…},
//	       "Class.method": {"executed_lines": […], "missing_lines": […],
//	                        "start_line": 7, …}   // start_line from 7.13.1
//	     },
//	     "classes": {…}                    // not used
//	   }, …},
//	 "totals": {"covered_lines": 3, "num_statements": 4, "percent_covered": 75.0, …}}
//
// coverage.py records which lines ran, not how often: executed lines get a
// count of 1, missing lines 0. Excluded lines are not measured. A function's
// statements are its own executed and missing lines (coverage.py attributes
// each line to the innermost function); its line is start_line when present,
// else its first statement. The "" region (module level) is not a function.
// With branch coverage (meta.branch_coverage, from --branch or branch = True
// in the project's settings) each file lists its branch arcs as [from, to]
// pairs in executed_branches and missing_branches; they become the file's
// branches, taken once or never, for the branch-inclusive figure that
// `coverage report` prints. The statement counts still equal its
// covered_lines/num_statements.
//
// The totals' covered_lines and num_statements are kept in Profile.Declared.
//
// The report is read in bounded memory (limits.go): strings of at most
// 1 MiB, numbers of at most 1 KiB, nesting at most 64 deep, arrays of lines
// or arcs of at most 8 MiB and 1,048,576 entries, 4,194,304 entries in all.
// An input past a limit is refused at its line, before it is buffered.
//
// Errors name the input and the line: "NAME:1: want a JSON object in files".
func ParseCoveragePyJSON(name string, r io.Reader) (*Profile, error) {
	prof := &Profile{Name: name, Format: "coverage.py"}
	err := parseCoveragePy(name, r, prof, func(path string, e *pyFile) error {
		fp, err := e.profile(path)
		if err != nil {
			return err
		}
		prof.Branch = prof.Branch || len(fp.Branches) > 0
		prof.Files = append(prof.Files, fp)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return prof, nil
}

type pyRegion struct {
	Executed  []int `json:"executed_lines"`
	Missing   []int `json:"missing_lines"`
	StartLine int   `json:"start_line"`
}

type pyFile struct {
	pyRegion
	Summary struct {
		Covered    *int `json:"covered_lines"`
		Statements *int `json:"num_statements"`
	} `json:"summary"`
	Functions        map[string]pyRegion `json:"functions"`
	ExecutedBranches [][]int             `json:"executed_branches"`
	MissingBranches  [][]int             `json:"missing_branches"`
}

func (e *pyFile) profile(path string) (*FileProfile, error) {
	fp := &FileProfile{Path: path}
	// coverage.py before 7.13.1 lists a module docstring among the executed
	// lines although it is no statement (coverage.py issue 2105), so that
	// executed_lines has more lines than summary.covered_lines. The docstring
	// is the first line of the module: drop that many lowest executed lines.
	if c := e.Summary.Covered; c != nil && *c >= 0 && *c < len(e.Executed) {
		ex := append([]int(nil), e.Executed...)
		sort.Ints(ex)
		fp.Dropped = ex[:len(ex)-*c]
		e.Executed = ex[len(ex)-*c:]
	}
	lines, err := regionLines(e.pyRegion)
	if err != nil {
		return nil, err
	}
	fp.Lines = lines
	for taken, arcs := range [][][]int{e.MissingBranches, e.ExecutedBranches} {
		for _, a := range arcs {
			if len(a) != 2 {
				return nil, fmt.Errorf("want branch arcs as [from, to] pairs, got %v", a)
			}
			fp.Branches = append(fp.Branches, BranchHit{ID: strconv.Itoa(a[0]) + ">" + strconv.Itoa(a[1]), Taken: taken})
		}
	}
	names := make([]string, 0, len(e.Functions))
	for n := range e.Functions {
		if n != "" {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	for _, n := range names {
		reg := e.Functions[n]
		ls, err := regionLines(reg)
		if err != nil {
			return nil, fmt.Errorf("function %s: %w", n, err)
		}
		// A function's lines are the file's: a line the file does not
		// measure (a broken report) is not the function's either.
		own := ls[:0]
		for _, l := range ls {
			if fl := linesIn(fp.Lines, l.Line, l.Line); len(fl) == 1 {
				own = append(own, fl[0])
			}
		}
		ls = own
		fn := FuncHit{Name: n, Line: min(max(reg.StartLine, 0), coverage.MaxLine), Lines: ls}
		if fn.Lines == nil {
			fn.Lines = []LineHit{}
		}
		if len(ls) > 0 {
			if fn.Line <= 0 || fn.Line > ls[0].Line {
				fn.Line = ls[0].Line
			}
			fn.EndLine = ls[len(ls)-1].Line
			for _, l := range ls {
				if l.Count > 0 {
					fn.Hits = 1
					break
				}
			}
		}
		if fn.Line <= 0 {
			continue // a function with no statements and no known place
		}
		if fn.EndLine < fn.Line {
			fn.EndLine = fn.Line
		}
		fp.Functions = append(fp.Functions, fn)
	}
	return fp, nil
}

// regionLines merges executed (count 1) and missing (count 0) lines, sorted.
func regionLines(r pyRegion) ([]LineHit, error) {
	out := make([]LineHit, 0, len(r.Executed)+len(r.Missing))
	for _, l := range r.Executed {
		if l <= 0 || l > coverage.MaxLine {
			return nil, fmt.Errorf("want line numbers from 1 to %d in executed_lines, got %d", coverage.MaxLine, l)
		}
		out = append(out, LineHit{Line: l, Count: 1})
	}
	for _, l := range r.Missing {
		if l <= 0 || l > coverage.MaxLine {
			return nil, fmt.Errorf("want line numbers from 1 to %d in missing_lines, got %d", coverage.MaxLine, l)
		}
		out = append(out, LineHit{Line: l, Count: 0})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Line < out[j].Line })
	// A line both executed and missing (a broken report) counts as executed.
	w := 0
	for i, l := range out {
		if i > 0 && out[w-1].Line == l.Line {
			if l.Count > out[w-1].Count {
				out[w-1].Count = l.Count
			}
			continue
		}
		out[w] = l
		w++
	}
	return out[:w], nil
}

func tokString(tok json.Token) string {
	switch t := tok.(type) {
	case nil:
		return "null"
	case json.Delim:
		return fmt.Sprintf("%q", string(t))
	case string:
		return fmt.Sprintf("the string %q", t)
	case float64:
		return fmt.Sprintf("the number %v", t)
	case bool:
		return fmt.Sprintf("%v", t)
	}
	return fmt.Sprint(tok)
}
