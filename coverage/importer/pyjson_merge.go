package importer

import (
	"fmt"
	"os"
	"slices"

	"github.com/sprintkit/sprintkit/coverage"
)

// MergeCoveragePyJSON merges the coverage.py JSON reports of the shards of
// one test suite (each the same sources under the same settings, each run
// with a part of the tests) into the profile that one report of the whole
// suite gives, as `coverage combine` would before `coverage json`: a line
// or a branch arc is executed when any shard executed it, and missing when
// a shard lists it and none executed it; a file's covered_lines is its
// num_statements less the lines still missing. The same holds for each
// function (coverage.py ≥ 7.5). A file missing from some reports (coverage.py
// lists unexecuted files only in packages) is taken from the others. The
// merged report then goes through the parser's own rules (the docstring
// lines of coverage.py before 7.13), so that its profile equals that of one
// unsharded report. name names the result in messages; errors name the
// report and its line.
func MergeCoveragePyJSON(name string, files []string) (*Profile, error) {
	prof := &Profile{Name: name, Format: FormatCoveragePy}
	merged := map[string]*pyFile{}
	var order []string
	declared := true
	for _, f := range files {
		in, err := os.Open(f)
		if err != nil {
			return nil, err
		}
		shard := &Profile{}
		err = parseCoveragePy(f, in, shard, func(path string, e *pyFile) error {
			if e.Summary.Statements == nil {
				declared = false
			}
			m := merged[path]
			if m == nil {
				m = &pyFile{}
				merged[path], order = m, append(order, path)
			}
			m.add(e)
			return nil
		})
		in.Close()
		if err != nil {
			return nil, err
		}
		prof.Branch = prof.Branch || shard.Branch
	}
	var total coverage.Counts
	for _, path := range order {
		m := merged[path]
		m.finish()
		if m.Summary.Statements != nil {
			total.Statements += *m.Summary.Statements
			total.Covered += *m.Summary.Covered
		}
		fp, err := m.profile(path)
		if err != nil {
			return nil, fmt.Errorf("%s: merged %s: %w", name, path, err)
		}
		prof.Branch = prof.Branch || len(fp.Branches) > 0
		prof.Files = append(prof.Files, fp)
	}
	if declared && len(order) > 0 {
		prof.Declared = &total
	}
	return prof, nil
}

// add takes one shard's entry of the file into m.
func (m *pyFile) add(e *pyFile) {
	m.Executed = append(m.Executed, e.Executed...)
	m.Missing = append(m.Missing, e.Missing...)
	m.ExecutedBranches = append(m.ExecutedBranches, e.ExecutedBranches...)
	m.MissingBranches = append(m.MissingBranches, e.MissingBranches...)
	if m.Summary.Statements == nil {
		m.Summary.Statements = e.Summary.Statements
	}
	for n, r := range e.Functions {
		if m.Functions == nil {
			m.Functions = map[string]pyRegion{}
		}
		have := m.Functions[n]
		have.Executed = append(have.Executed, r.Executed...)
		have.Missing = append(have.Missing, r.Missing...)
		if have.StartLine == 0 {
			have.StartLine = r.StartLine
		}
		m.Functions[n] = have
	}
}

// finish turns the gathered entries into one: executed lines and arcs are
// those any shard executed, missing ones those no shard did.
func (m *pyFile) finish() {
	m.pyRegion = m.pyRegion.union()
	for n, r := range m.Functions {
		m.Functions[n] = r.union()
	}
	ran := map[[2]int]bool{}
	var exec, miss [][]int
	for _, a := range m.ExecutedBranches {
		if len(a) != 2 {
			exec = append(exec, a) // the parser names it
			continue
		}
		if k := [2]int{a[0], a[1]}; !ran[k] {
			ran[k] = true
			exec = append(exec, a)
		}
	}
	listed := map[[2]int]bool{}
	for _, a := range m.MissingBranches {
		if len(a) != 2 {
			miss = append(miss, a)
			continue
		}
		if k := [2]int{a[0], a[1]}; !ran[k] && !listed[k] {
			listed[k] = true
			miss = append(miss, a)
		}
	}
	m.ExecutedBranches, m.MissingBranches = exec, miss
	if m.Summary.Statements != nil {
		c := max(*m.Summary.Statements-len(m.Missing), 0)
		m.Summary.Covered = &c
	} else {
		m.Summary.Covered = nil
	}
}

// union is the region with each executed line once and the missing lines
// that no shard executed.
func (r pyRegion) union() pyRegion {
	ran := map[int]bool{}
	out := pyRegion{StartLine: r.StartLine, Executed: []int{}, Missing: []int{}}
	for _, l := range r.Executed {
		if !ran[l] {
			ran[l] = true
			out.Executed = append(out.Executed, l)
		}
	}
	seen := map[int]bool{}
	for _, l := range r.Missing {
		if !ran[l] && !seen[l] {
			seen[l] = true
			out.Missing = append(out.Missing, l)
		}
	}
	slices.Sort(out.Executed)
	slices.Sort(out.Missing)
	return out
}
