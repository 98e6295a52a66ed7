package coverage

import "strings"

// Trees beside the library
//
// Example programs, documentation sources, benchmarks and scripts live in
// the repository but are not the library its users call: a sprint's first
// tests belong in the library. Code under a directory named for one of
// them (examples/, docs/, benchmarks/, scripts/ and their like, at any
// depth) is weighted down like a main package, and its reason says why.
// Singular names that packages of a library often have (doc, script) are
// not among them: go/doc is a library.

var besideTrees = map[string]string{
	"examples": "example code", "example": "example code", "_examples": "example code",
	"samples": "example code", "demo": "example code", "demos": "example code",
	"tutorial": "example code", "tutorials": "example code",
	"docs":       "documentation code",
	"benchmarks": "benchmark code", "benchmark": "benchmark code", "bench": "benchmark code",
	"scripts": "scripts",
}

// besideLibrary returns the note of a file (its path relative to the root,
// slash-separated) that lies in such a tree, "" otherwise.
func besideLibrary(rel string) string {
	parts := strings.Split(rel, "/")
	for _, d := range parts[:len(parts)-1] {
		if what, ok := besideTrees[strings.ToLower(d)]; ok {
			return what + " (" + d + "/), not the library: weighted down like a main package"
		}
	}
	return ""
}
