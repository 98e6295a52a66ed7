package coverage

import (
	"strings"
	"unicode"
)

// Entry points and first tests
//
// main and init functions and fuzz harnesses (functions named Fuzz or
// Fuzz…, every function of a file named fuzz*.go or of a package named fuzz)
// are run by the toolchain, not called by code a newcomer can test: their
// uncovered statements count harnessWeight as much in every view, and they
// are never offered as a first test.
//
// Of the other uncovered functions, a target offers first tests in tiers,
// each tier by fewest statements (then most branches, file, line):
//
//  1. small (≤ 20 statements) with a branch and at least 3 statements:
//     real logic a test can check in one sitting;
//  2. other small functions that are not trivial;
//  3. large functions (more than 20 statements);
//  4. trivial ones: at most 2 statements and no branch (getters), and
//     String, GoString and Error methods (Python: __str__, __repr__)
//     without a branch.

// entryPoint returns "main function", "init function" or "fuzz harness" when
// fn is one, "" otherwise. pkg is the package's name (import path).
func entryPoint(pkg string, fn *Function) string {
	name := fn.Name
	switch {
	case name == "main":
		return "main function"
	case name == "init":
		return "init function"
	case name == "Fuzz" || (strings.HasPrefix(name, "Fuzz") && startsUpper(name[len("Fuzz"):])):
		return "fuzz harness"
	}
	base := fn.File
	if i := strings.LastIndexByte(base, '/'); i >= 0 {
		base = base[i+1:]
	}
	if strings.HasPrefix(strings.ToLower(base), "fuzz") && strings.HasSuffix(base, ".go") {
		return "fuzz harness"
	}
	p := shortPkg(pkg)
	if i := strings.LastIndexByte(p, '.'); i >= 0 && !strings.Contains(pkg, "/") {
		p = p[i+1:] // a dotted Python package
	}
	if p == "fuzz" || p == "fuzzing" {
		return "fuzz harness"
	}
	return ""
}

func startsUpper(s string) bool {
	for _, r := range s {
		return unicode.IsUpper(r) || r == '_'
	}
	return false
}

// firstTestTier is the tier of fn among first tests, 1 (best) to 4.
func firstTestTier(fn *Function) int {
	s, b := fn.Statements, fn.Branches
	switch {
	case b == 0 && (s <= 2 || isStringer(fn.Name)):
		return 4
	case s > smallFunction:
		return 3
	case b > 0 && s >= 3:
		return 1
	}
	return 2
}

// isStringer reports whether name is a String, GoString or Error method.
func isStringer(name string) bool {
	i := strings.LastIndexByte(name, '.')
	if i < 0 {
		return false
	}
	switch name[i+1:] {
	case "String", "GoString", "Error", "__str__", "__repr__":
		return true
	}
	return false
}
