// Package coverage is sprintkit's coverage model and engine: the model every
// producer maps into (Result, Package, File, Function), the parsers of
// coverage data, the runners that produce it, and the ranking of sprint
// targets.
package coverage
