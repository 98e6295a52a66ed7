// Package testloop is the loop behind `sprintkit watch-test`: it watches a
// checkout (package watcher), works out which packages a change can affect
// from the module's import graph, runs their tests with coverage through
// package coverage, cancels a run as soon as a newer change comes in, and
// compares each run with the baseline that `sprintkit setup` recorded.
//
// # Which tests run
//
// A change to a Go file runs the tests of its package and of every package
// of the module that imports it, directly or through others (and of every
// package whose tests import one of those), and nothing else. A file under
// a package's testdata directory counts as a change of that package. A
// change to go.mod, go.sum or go.work runs every package. The graph comes
// from `go list -e -json ./...` once at start, and again when go.mod or
// go.sum change or a Go file's package clause or imports change (each Go
// file's imports are read with go/parser, ImportsOnly, to tell).
//
// # Which tests run first
//
// The packages that hold a changed file are tested first, in a go test of
// their own, and their importers in a second one: go test reports packages
// in the order of its arguments, and builds every test binary of a run
// before that order lets the first one through, so one run for the whole
// set would hold the changed package's results back behind its importers'
// builds. Both runs measure the whole set (-coverpkg), and their profiles
// are merged, so the coverage is the same as one run's.
//
// # How tests are counted
//
// One rule everywhere (TallyTests): every test and every subtest counts
// once, which is how `go test -json`, .sprintkit/baseline.json and
// `sprintkit setup` count. A failing subtest fails its parent too, so both
// count as failed and both are listed; the parent's output is not shown
// again when it has none of its own.
//
// # Coverage
//
// A run of the affected set A measures coverage with -coverpkg set to A.
// Every package that imports a package of A is itself in A, so each
// package of A gets exactly the coverage the whole suite gives it: what all
// the module's tests reach, not only its own tests. That is the figure the
// baseline (.sprintkit/baseline.json) and the sprint-target ranking hold,
// so "42.0% → 47.5% (+5.5)" compares like with like.
package testloop
