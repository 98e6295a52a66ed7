// Package coverage is sprintkit's coverage model and ranking: the model
// every producer maps into (Result, Package, File, Function), the baseline
// of a first run, the project file (sprintkit.toml), and the ranking of
// sprint targets. The producers live beside it: coverage/gotest runs
// `go test` and reads Go cover profiles, coverage/pytest runs coverage.py,
// and coverage/importer reads LCOV, Cobertura XML and coverage.py JSON.
package coverage
