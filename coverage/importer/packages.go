package importer

import (
	"path"
	"strings"
)

// PackageName names the package of a measured file, whatever format
// measured it, so that LCOV, Cobertura and coverage.py JSON reports of one
// project group its files alike: a Python file (.py) by its dotted Python
// package (pythonPackage), any other file by its directory relative to
// root ("." at the top). rel is slash-separated, relative to root.
func PackageName(root, rel string) (name, dir string) {
	switch path.Ext(rel) {
	case ".py", ".pyw", ".pyx":
		return pythonPackage(root, rel)
	}
	return dirPackage(rel)
}

// IsTestFile reports whether a measured file is a test rather than the code
// under test, by the conventions of the common test runners: a file in a
// test directory (test/, tests/, testing/, __tests__/, spec/, src/test/), or
// named as a test (test_*.py, *_test.py, conftest.py, *_test.go,
// *.test.js / *.spec.ts and the like, *Test.java, *Tests.cs). Reports that
// did not omit their tests count them; ranking weighs them down.
func IsTestFile(rel string) bool {
	parts := strings.Split(rel, "/")
	for _, d := range parts[:len(parts)-1] {
		switch strings.ToLower(d) {
		case "test", "tests", "testing", "__tests__", "spec", "specs":
			return true
		}
	}
	base := parts[len(parts)-1]
	ext := path.Ext(base)
	stem := strings.TrimSuffix(base, ext)
	switch {
	case base == "conftest.py",
		ext == ".py" && (strings.HasPrefix(stem, "test_") || strings.HasSuffix(stem, "_test")),
		ext == ".go" && strings.HasSuffix(stem, "_test"),
		strings.HasSuffix(stem, ".test"), strings.HasSuffix(stem, ".spec"),
		(ext == ".java" || ext == ".kt" || ext == ".scala") && (strings.HasSuffix(stem, "Test") || strings.HasSuffix(stem, "Tests")),
		ext == ".cs" && strings.HasSuffix(stem, "Tests"),
		(ext == ".c" || ext == ".cc" || ext == ".cpp" || ext == ".rs") && (strings.HasPrefix(stem, "test_") || strings.HasSuffix(stem, "_test") || strings.HasSuffix(stem, "_unittest")):
		return true
	}
	return false
}

// dirPackage names the package of an imported file by its directory.
func dirPackage(rel string) (name, dir string) {
	d := path.Dir(rel)
	return d, d
}
