package pertest

import (
	"sort"
)

// Test is one test and the lines it runs.
type Test struct {
	Name string `json:"name"`
	File string `json:"file,omitempty"` // where it is declared, relative to the checkout; "" when unknown
	Line int    `json:"line,omitempty"`
	// Lines are the lines it runs, by source file (the coverage.File.Path
	// of the result: an import path and a name for Go, the path for
	// Python), each sorted.
	Lines map[string][]int `json:"lines"`
}

// Skip is a test left out, with why: "failed", "took longer than 30s".
type Skip struct {
	Name string `json:"name"`
	Why  string `json:"why"`
}

// Package is the per-test coverage of one package.
type Package struct {
	Path    string `json:"path"` // import path (Go) or directory (Python)
	Key     string `json:"key"`  // the content hash it was measured for (cache.go)
	Tests   []Test `json:"tests"`
	Skipped []Skip `json:"skipped,omitempty"`
	// Why says why there are no tests at all ("no test files", "the test
	// binary did not build: …"); "" otherwise.
	Why string `json:"why,omitempty"`
}

// Map is per-test coverage of several packages, by package.
type Map struct {
	Packages map[string]*Package
	// Ran counts the test binaries (or coverage.py runs) this run started:
	// 0 when everything came from the cache.
	Ran int
	// Cached counts the packages read from the cache.
	Cached int
}

// NewMap returns an empty Map.
func NewMap() *Map { return &Map{Packages: map[string]*Package{}} }

// add adds p to m.
func (m *Map) add(p *Package) { m.Packages[p.Path] = p }

// ForFile returns the tests that run lines of the source file path (a
// coverage.File.Path), sorted by name, and for each line the indices into
// that list of the tests that run it. It is what the HTML report's per-line
// data needs (report.LineTests).
func (m *Map) ForFile(path string) (names []string, lines map[int][]int) {
	if m == nil {
		return nil, nil
	}
	type hit struct {
		name  string
		lines []int
	}
	var hits []hit
	for _, p := range m.Packages {
		for _, t := range p.Tests {
			if ls := t.Lines[path]; len(ls) > 0 {
				hits = append(hits, hit{t.Name, ls})
			}
		}
	}
	if len(hits) == 0 {
		return nil, nil
	}
	sort.Slice(hits, func(i, j int) bool { return hits[i].name < hits[j].name })
	lines = map[int][]int{}
	for i, h := range hits {
		names = append(names, h.name)
		for _, l := range h.lines {
			lines[l] = append(lines[l], i)
		}
	}
	return names, lines
}
