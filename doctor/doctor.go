// Package doctor checks a newcomer's machine for what a project needs before
// sprintkit writes anything: a Go toolchain new enough for the go.mod (and
// what GOTOOLCHAIN will do about one that is not), git where a transport
// needs it, free disk space, the inotify watch limit, write permission, and
// for Python projects an interpreter with coverage.py and pytest.
//
// Each Check is ✓ (ok), ! (warn: works, with a caveat) or ✗ (fail: setup
// stops), with a one-line hint that says what to do. The package runs real
// programs (go env, git --version, python) and prints nothing; `sprintkit
// doctor` and `sprintkit setup` render the checks.
package doctor

import (
	"context"
	"os"
	"path/filepath"
	"time"
)

// Status is a check's outcome.
type Status string

const (
	OK   Status = "ok"   // ✓
	Warn Status = "warn" // !
	Fail Status = "fail" // ✗
)

// Symbol returns ✓, ! or ✗.
func (s Status) Symbol() string {
	switch s {
	case OK:
		return "✓"
	case Warn:
		return "!"
	}
	return "✗"
}

// Check is one check's outcome.
type Check struct {
	ID     string `json:"id"`   // "go", "git", "disk", "inotify", "write", "python"
	Name   string `json:"name"` // "Go toolchain"
	Status Status `json:"status"`
	Detail string `json:"detail"`
	Hint   string `json:"hint,omitempty"`
	// Found is the version the check found, when it looks for one
	// ("go1.26.8" for the Go toolchain).
	Found string `json:"found,omitempty"`
}

// Options describe the machine-facing facts of a project. A zero Options
// checks the current directory for an unknown project kind.
type Options struct {
	// Dir is where sprintkit will write: the checkout, or for a clone the
	// destination (which need not exist yet).
	Dir string
	// Env is the environment for go, git and python; nil means os.Environ().
	Env []string

	// Known says the project kind below is known (after a clone, or for an
	// existing checkout). Before a clone it is not, and a missing Go
	// toolchain is a warning rather than a failure.
	Known     bool
	Go        bool
	GoVersion string // go.mod's (or go.work's) go line: "1.22", "1.21.3"
	Toolchain string // go.mod's toolchain line: "go1.23.4"
	Python    bool
	// Dirs is the number of directories watch-test would watch; 0 when
	// unknown.
	Dirs int

	// Transport is the clone's transport ("https", "ssh", "file", ...),
	// empty when nothing is cloned.
	Transport string
	// NeedBytes is the disk space the project is expected to take
	// (checkout, module and build caches); 0 means DefaultNeedBytes.
	NeedBytes int64

	// ProxyTimeout bounds the probe of the module proxy when a newer Go
	// toolchain would have to be downloaded; 0 means 3 s.
	ProxyTimeout time.Duration
	// Python interpreter to use; empty means python3, then python, on PATH.
	PythonExe string
	// PythonWhy says why PythonExe is the one (pyenv.Env.Why).
	PythonWhy string
	// PythonInstalls says that setup goes on to install pytest and
	// coverage.py into the project's virtual environment, so that their
	// absence is a warning (!), not a failure.
	PythonInstalls bool
}

// DefaultNeedBytes is the expected size of a Go project with its module and
// build caches, when nothing better is known: 1 GiB.
const DefaultNeedBytes = 1 << 30

// Run runs every check that applies, in a fixed order.
func Run(ctx context.Context, opts Options) []Check {
	if opts.Env == nil {
		opts.Env = os.Environ()
	}
	if opts.Dir == "" {
		opts.Dir = "."
	}
	if abs, err := filepath.Abs(opts.Dir); err == nil {
		opts.Dir = abs
	}
	var out []Check
	if !opts.Known || opts.Go || !opts.Python {
		out = append(out, GoToolchain(ctx, opts))
	}
	out = append(out, Git(ctx, opts))
	out = append(out, Disk(opts))
	out = append(out, Write(opts))
	if c, ok := Inotify(opts); ok {
		out = append(out, c)
	}
	if opts.Python {
		out = append(out, Python(ctx, opts))
	}
	return out
}

// Failed reports whether any check failed.
func Failed(checks []Check) bool {
	for _, c := range checks {
		if c.Status == Fail {
			return true
		}
	}
	return false
}

// existingAncestor returns dir or its nearest ancestor that exists.
func existingAncestor(dir string) string {
	for {
		if _, err := os.Stat(dir); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return dir
		}
		dir = parent
	}
}
