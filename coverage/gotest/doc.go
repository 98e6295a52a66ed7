// Package gotest is the Go producer of coverage: it runs `go test -json
// -coverpkg` over a module or workspace (Run), recovers from crashed and
// hung test binaries, reads and merges Go cover profiles (ParseProfile,
// Merger, FromProfiles), finds the functions of Go files, and lists a
// project's modules and packages (FindProject, ListPackages), which
// testloop uses for its import graph.
package gotest
