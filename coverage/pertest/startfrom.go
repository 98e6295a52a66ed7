package pertest

import (
	"fmt"
	"path"
	"regexp"
	"sort"
	"strings"

	"github.com/sprintkit/sprintkit/coverage"
	"github.com/sprintkit/sprintkit/internal/human"
)

// The test to start from
//
// A newcomer's first test is easiest written by copying the test that
// already exercises the code next door. Of the tests of the first test's
// package that passed, StartFrom picks the one that runs the most lines,
// looking ever wider until some test runs any:
//
//  1. the first test's own file;
//  2. for a Go method, the methods of its type (its receiver), in any file;
//  3. the whole package (Go) or directory (Python).
//
// Ties go to the test declared in the file named for the first test's
// (f07.go: f07_test.go, test_f07.py), then by name.

// Assign sets the StartFrom, or StartFromWhy, of each target whose package
// m measured; the others are left as they are.
func Assign(r *coverage.Result, targets []coverage.Target, m *Map) {
	if m == nil {
		return
	}
	for i := range targets {
		t := &targets[i]
		t.StartFrom, t.StartFromWhy = startFrom(r, t, m)
	}
}

// Measured reports which packages of r the first ntargets targets are in,
// by name, in rank order: the packages per-test coverage is worth measuring
// for.
func Measured(r *coverage.Result, targets []coverage.Target, ntargets int) []*coverage.Package {
	var out []*coverage.Package
	seen := map[*coverage.Package]bool{}
	for i, t := range targets {
		if ntargets > 0 && i >= ntargets {
			break
		}
		p, _ := locate(r, t)
		if p != nil && !seen[p] {
			seen[p] = true
			out = append(out, p)
		}
	}
	return out
}

// locate finds a target's package and the file its first test is in (nil
// for a package target without one).
func locate(r *coverage.Result, t coverage.Target) (*coverage.Package, *coverage.File) {
	file := t.File
	if t.FirstTest != nil {
		file = t.FirstTest.File
	}
	for _, p := range r.Packages {
		if file == "" {
			if p.Name == t.Name || p.Name == t.Package {
				return p, nil
			}
			continue
		}
		for _, f := range p.Files {
			if f.Rel == file || f.Path == file {
				return p, f
			}
		}
	}
	return nil, nil
}

var goRecvRe = regexp.MustCompile(`^\(\*?([^)]+)\)\.`)

// scope is a set of lines of a package: a file, a type's methods, the
// package.
type scope struct {
	what  string            // "f07.go", "Server's methods", "package example.com/lib"
	lines func(t *Test) int // how many of the lines t runs are in it
}

func startFrom(r *coverage.Result, t *coverage.Target, m *Map) (*coverage.StartFrom, string) {
	p, f := locate(r, *t)
	if p == nil {
		return nil, ""
	}
	pd := m.Packages[p.Name]
	if pd == nil {
		return nil, ""
	}
	fnName := ""
	if t.FirstTest != nil {
		fnName = t.FirstTest.Name
	}
	scopes := scopesOf(p, f, fnName)
	for i, sc := range scopes {
		best, n, runs := bestTest(pd.Tests, sc, f)
		if best == nil {
			continue
		}
		why := fmt.Sprintf("runs %s of %s", human.Count(n, "line", "lines"), sc.what)
		if i == 0 && fnName != "" {
			why += ", the file of " + fnName
		}
		if runs > 1 {
			why += fmt.Sprintf(", the most of the %d tests that run it", runs)
		}
		if i > 0 {
			why = "no test runs " + scopes[0].what + "; " + why
		}
		return &coverage.StartFrom{Test: best.Name, File: best.File, Line: best.Line, Why: why}, ""
	}
	why := "no test runs code in package " + p.Name
	if pd.Why != "" {
		why += " (" + pd.Why + ")"
	} else if len(pd.Skipped) > 0 {
		why += fmt.Sprintf(" (%s skipped: failed or too slow)", human.Count(len(pd.Skipped), "test", "tests"))
	}
	return nil, why
}

// scopesOf are the scopes to look in, narrowest first.
func scopesOf(p *coverage.Package, f *coverage.File, fnName string) []scope {
	var out []scope
	if f != nil {
		out = append(out, scope{what: path.Base(nameOf(f)), lines: func(t *Test) int { return len(t.Lines[f.Path]) }})
		if m := goRecvRe.FindStringSubmatch(fnName); m != nil && strings.HasSuffix(f.Path, ".go") {
			out = append(out, typeScope(p, m[1]))
		}
	}
	out = append(out, scope{what: "package " + p.Name, lines: func(t *Test) int {
		n := 0
		for _, pf := range p.Files {
			n += len(t.Lines[pf.Path])
		}
		return n
	}})
	return out
}

// typeScope is the lines of the methods of the Go type recv.
func typeScope(p *coverage.Package, recv string) scope {
	type span struct {
		file     string
		from, to int
	}
	var spans []span
	for _, f := range p.Files {
		for _, fn := range f.Functions {
			if m := goRecvRe.FindStringSubmatch(fn.Name); m != nil && m[1] == recv {
				spans = append(spans, span{f.Path, fn.Line, fn.EndLine})
			}
		}
	}
	return scope{what: recv + "'s methods", lines: func(t *Test) int {
		n := 0
		for _, s := range spans {
			for _, l := range t.Lines[s.file] {
				if l >= s.from && l <= s.to {
					n++
				}
			}
		}
		return n
	}}
}

func nameOf(f *coverage.File) string {
	if f.Rel != "" {
		return f.Rel
	}
	return f.Path
}

// bestTest is the test that runs the most of sc, how much, and how many
// tests run any of it.
func bestTest(tests []Test, sc scope, f *coverage.File) (*Test, int, int) {
	var best *Test
	bestN, runs := 0, 0
	home := ""
	if f != nil {
		home = strings.TrimSuffix(path.Base(nameOf(f)), path.Ext(nameOf(f)))
	}
	for i := range tests {
		t := &tests[i]
		n := sc.lines(t)
		if n == 0 {
			continue
		}
		runs++
		if best == nil || n > bestN || (n == bestN && betterHome(t, best, home)) {
			best, bestN = t, n
		}
	}
	return best, bestN, runs
}

// betterHome reports whether a is declared in the test file named for home
// (home_test.go, test_home.py) and b is not, or, both or neither, whether a
// sorts first by name.
func betterHome(a, b *Test, home string) bool {
	ha, hb := isHome(a.File, home), isHome(b.File, home)
	if ha != hb {
		return ha
	}
	names := []string{a.Name, b.Name}
	sort.Strings(names)
	return names[0] == a.Name && a.Name != b.Name
}

func isHome(file, home string) bool {
	if home == "" || file == "" {
		return false
	}
	base := path.Base(file)
	return base == home+"_test.go" || base == "test_"+home+".py" || base == home+"_test.py"
}
