// Package importer reads coverage files other tools wrote: LCOV, Cobertura
// XML and coverage.py JSON (DetectFormat, Parse, ParseLCOV, ParseCobertura,
// ParseCoveragePyJSON), resolves their paths against a checkout and merges
// them into a coverage.Result (Import, Resolve). Python functions are
// found from source when the data does not carry them (python_source.go);
// coverage/pytest borrows the same reader for the imports of test modules.
package importer
