package coverage

import (
	"context"
	"errors"
)

// PythonEnv is an interpreter that can run a project's tests under coverage.py.
type PythonEnv struct {
	Python   string   // the interpreter that runs the tests
	Coverage []string // argv prefix that runs coverage.py, e.g. [python3 -m coverage]
	Pytest   bool     // pytest is importable; otherwise unittest discovery is used
	Version  string   // the interpreter's version, "3.11.2"
	// CoverageVersion is coverage.py's version, "7.4.0".
	CoverageVersion string
}

// FindPython finds an interpreter with coverage.py for the project in dir.
func FindPython(ctx context.Context, dir string) (*PythonEnv, error) {
	return nil, errors.New("python: not built yet")
}

// IsPythonProject reports whether dir holds a Python project.
func IsPythonProject(dir string) bool { return false }

// PyRun says how to run a Python project's tests under coverage.py.
type PyRun struct {
	Dir       string
	Env       *PythonEnv
	TestFiles []string // optional: only these test files (watch-test)
	Progress  func(done, total int)
}

// RunPython runs the tests of the project in opts.Dir under coverage.py.
func RunPython(ctx context.Context, opts PyRun) (*Result, error) {
	return nil, errors.New("python: not built yet")
}
