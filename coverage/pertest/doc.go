// Package pertest measures who tests what: the lines each test of a
// package runs on its own, so that a sprint target can name the existing
// test to start from (StartFrom) and the report can show, per line, the
// tests that run it.
//
// Go (gorun.go): the package's test binary is built once with
// `go test -c -cover -coverpkg=PKG`, its top-level tests listed with
// `-test.list .`, and the binary run once per test with
// `-test.run '^TestX$' -test.coverprofile=FILE`, GOMAXPROCS at a time, each
// run bounded by Options.TestTimeout and the whole by Options.Budget. A
// test that fails, hangs or is cut off by the budget is skipped and said
// so in Package.Skipped; it never fails the caller.
//
// Python (python.go): coverage.py's dynamic contexts
// (`dynamic_context = test_function`, from an rc file written under
// .sprintkit/, never the project's own), read back with
// `coverage json --show-contexts`.
//
// Results are cached in .sprintkit/pertest/ (cache.go), keyed by the
// package's content: the hash of its source and test files, go.mod and
// go.sum, and the go version, so a second run over unchanged code runs no
// test binary.
package pertest
