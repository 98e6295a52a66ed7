// Package pyenv finds the Python interpreter a project's tests run with
// (Find): the active or the project's own virtual environment, else the
// first interpreter with coverage.py and pytest. doctor and the Python
// runner (coverage/pytest) both ask it, so they agree on the one.
package pyenv

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/sprintkit/sprintkit/internal/proc"
)

// installHint says what to install for Python projects.
const installHint = "apt install python3-coverage python3-pytest, or pip install coverage pytest"

// Env is an interpreter that can run a project's tests under coverage.py.
type Env struct {
	Python   string   // the interpreter that runs the tests
	Coverage []string // argv prefix that runs coverage.py, e.g. [python3 -m coverage]
	Pytest   bool     // pytest is importable; otherwise unittest discovery is used
	Version  string   // the interpreter's version, "3.11.2"
	// CoverageVersion is coverage.py's version, "7.4.0".
	CoverageVersion string
	// PytestVersion is pytest's version when Pytest is true.
	PytestVersion string
	// Why says which interpreter this is and why it was chosen, for setup
	// and doctor to print: ".venv/bin/python (the project's virtual
	// environment)", "/usr/bin/python3 (the first with coverage.py and
	// pytest; python3 on PATH has no coverage module)".
	Why string
}

// VenvError is Find's error for a virtual environment that lacks
// coverage.py: the project's own (.venv, venv) or the active one
// ($VIRTUAL_ENV). Its tests need the packages installed there, so
// sprintkit does not fall back to another interpreter.
type VenvError struct {
	Venv    string // as the user knows it: ".venv", or $VIRTUAL_ENV's path
	Python  string // the venv's interpreter, relative to the project for its own
	Version string // the interpreter's version
	Active  bool   // the venv is $VIRTUAL_ENV
}

func (e *VenvError) Error() string {
	which := "the project's virtual environment " + e.Venv
	if e.Active {
		which = "the active virtual environment " + e.Venv + " ($VIRTUAL_ENV)"
	}
	return fmt.Sprintf("%s has no coverage.py (%s, Python %s); sprintkit runs the tests with it and will not switch to another Python", which, e.Python, e.Version)
}

// Hint says what to run.
func (e *VenvError) Hint() string {
	return fmt.Sprintf("install them into it: %s -m pip install coverage pytest", e.Python)
}

// pyProbe is what the probe script reports about an interpreter.
type pyProbe struct {
	Executable string  `json:"executable"`
	Version    string  `json:"version"`
	Coverage   *string `json:"coverage"`
	Pytest     *string `json:"pytest"`
}

// The probe runs in the project directory, so that a directory there that
// shadows the coverage package (a "coverage/" of the project) is noticed.
const pyProbeScript = `import sys, json
out = {"executable": sys.executable, "version": "%d.%d.%d" % sys.version_info[:3], "coverage": None, "pytest": None}
try:
    import coverage
    out["coverage"] = coverage.__version__
except Exception:
    pass
try:
    import importlib.util
    if importlib.util.find_spec("pytest") is not None:
        try:
            from importlib.metadata import version
            out["pytest"] = version("pytest")
        except Exception:
            out["pytest"] = "?"
except Exception:
    pass
print(json.dumps(out))
`

func probePython(ctx context.Context, dir, python string) (*pyProbe, error) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	cmd := proc.Command(ctx, python, "-c", pyProbeScript)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "PYTHONDONTWRITEBYTECODE=1")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		msg := string(lastLine(stderr.Bytes()))
		if msg == "" {
			msg = err.Error()
		}
		return nil, errors.New(msg)
	}
	var p pyProbe
	if err := json.Unmarshal(lastLine(out), &p); err != nil {
		return nil, fmt.Errorf("unexpected probe output %q", strings.TrimSpace(string(out)))
	}
	return &p, nil
}

// lastLine is the last non-empty line of b, trimmed.
func lastLine(b []byte) []byte {
	b = bytes.TrimSpace(b)
	if i := bytes.LastIndexByte(b, '\n'); i >= 0 {
		return bytes.TrimSpace(b[i+1:])
	}
	return b
}

// VenvPython is the interpreter of the virtual environment venv.
func VenvPython(venv string) string {
	if runtime.GOOS == "windows" {
		return filepath.Join(venv, "Scripts", "python.exe")
	}
	return filepath.Join(venv, "bin", "python")
}

// systemPython is the distribution's interpreter, where Debian's
// python3-coverage and python3-pytest install; a variable for tests.
var systemPython = "/usr/bin/python3"

// ProjectVenv returns the interpreter of the project's own virtual
// environment in dir (.venv, else venv) and the environment's name, or ""
// when there is none.
func ProjectVenv(dir string) (python, name string) {
	for _, v := range []string{".venv", "venv"} {
		if p := VenvPython(filepath.Join(dir, v)); isRegular(p) {
			return p, v
		}
	}
	return "", ""
}

// venvEnv probes a virtual environment's interpreter: its Env when it
// has coverage.py, else a *VenvError.
func venvEnv(ctx context.Context, dir, python, venv string, active bool) (*Env, error) {
	shown := python
	if !active {
		shown = filepath.Join(venv, strings.TrimPrefix(python, filepath.Join(dir, venv)+string(filepath.Separator)))
	}
	p, err := probePython(ctx, dir, python)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, fmt.Errorf("virtual environment %s: %s does not run: %w", venv, shown, err)
	}
	if p.Coverage == nil {
		return nil, &VenvError{Venv: venv, Python: shown, Version: p.Version, Active: active}
	}
	env := &Env{Python: python, Version: p.Version, CoverageVersion: *p.Coverage,
		Coverage: []string{python, "-m", "coverage"}}
	env.Why = shown + " (the project's virtual environment)"
	if active {
		env.Why = shown + " (the active virtual environment, $VIRTUAL_ENV)"
	}
	if p.Pytest != nil {
		env.Pytest, env.PytestVersion = true, *p.Pytest
	} else {
		env.Why = strings.TrimSuffix(env.Why, ")") + "; it has no pytest, so the tests run with unittest discovery: " +
			shown + " -m pip install pytest)"
	}
	return env, nil
}

// Find finds an interpreter with coverage.py for the project in dir.
// A virtual environment decides: the active one ($VIRTUAL_ENV), else the
// project's own (.venv or venv in dir) is used when it has coverage.py, and
// when it has not, Find returns a *VenvError naming it and the pip
// command to run, rather than switching to an interpreter that lacks the
// project's dependencies. Without a virtual environment it tries python3
// and python on PATH, /usr/bin/python3 (Debian's, where python3-coverage
// and python3-pytest install — the python3 first on PATH, a pyenv shim for
// example, may not have them), and finally a `coverage` or
// `python3-coverage` script on PATH, run with its own interpreter: the
// first that has both coverage.py and pytest, else the first with
// coverage.py (its tests then run with unittest discovery). Env.Why
// says which was chosen and why. The error, when none has coverage.py,
// lists what was tried and says what to install.
func Find(ctx context.Context, dir string) (*Env, error) {
	// A $VIRTUAL_ENV whose interpreter is gone is a stale variable.
	if v := os.Getenv("VIRTUAL_ENV"); v != "" && isRegular(VenvPython(v)) {
		return venvEnv(ctx, dir, VenvPython(v), v, true)
	}
	if py, name := ProjectVenv(dir); py != "" {
		return venvEnv(ctx, dir, py, name, false)
	}
	return findSystem(ctx, dir)
}

// findSystem is Find without a virtual environment: the interpreters on
// PATH, the system's, a coverage script's.
func findSystem(ctx context.Context, dir string) (*Env, error) {
	type cand struct {
		python string
		script string // a coverage script; python is its interpreter
	}
	var cands []cand
	for _, name := range []string{"python3", "python"} {
		if p, err := exec.LookPath(name); err == nil {
			cands = append(cands, cand{python: p})
		}
	}
	if runtime.GOOS != "windows" && isRegular(systemPython) {
		cands = append(cands, cand{python: systemPython})
	}
	for _, name := range []string{"coverage", "python3-coverage"} {
		if p, err := exec.LookPath(name); err == nil {
			if py := shebangPython(p); py != "" {
				cands = append(cands, cand{python: py, script: p})
			}
		}
	}

	var tried []string
	seen := map[string]bool{}
	var firstCov *Env
	why := func(env *Env, c cand, reason string) {
		env.Why = c.python
		if c.script != "" {
			env.Why = c.script + " with " + c.python
		}
		env.Why += " (" + reason
		if len(tried) > 0 {
			env.Why += "; passed over " + strings.Join(tried, "; ")
		}
		env.Why += ")"
	}
	for _, c := range cands {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		key := c.python + "\x00" + c.script
		if seen[key] {
			continue
		}
		seen[key] = true
		p, err := probePython(ctx, dir, c.python)
		if err != nil {
			tried = append(tried, fmt.Sprintf("%s: %v", c.python, err))
			continue
		}
		exe := p.Executable
		if exe == "" {
			exe = c.python
		}
		if seen[exe+"\x00"+c.script] && exe != c.python {
			continue // a shim or symlink of one already tried
		}
		seen[exe+"\x00"+c.script] = true
		if p.Coverage == nil {
			tried = append(tried, fmt.Sprintf("%s (Python %s): no coverage module", c.python, p.Version))
			continue
		}
		env := &Env{Python: exe, Version: p.Version, CoverageVersion: *p.Coverage,
			Coverage: []string{exe, "-m", "coverage"}}
		if c.script != "" {
			env.Coverage = []string{c.script}
		}
		if p.Pytest != nil {
			env.Pytest, env.PytestVersion = true, *p.Pytest
		}
		if env.Pytest {
			why(env, c, "the first with coverage.py and pytest")
			return env, nil
		}
		if firstCov == nil {
			why(env, c, "the first with coverage.py; no pytest, so the tests run with unittest discovery")
			firstCov = env
		}
	}
	if firstCov != nil {
		return firstCov, nil
	}
	if len(tried) == 0 {
		return nil, fmt.Errorf("no Python interpreter found (no python3 on PATH); install Python 3 with coverage.py: apt install python3 python3-coverage python3-pytest")
	}
	return nil, fmt.Errorf("no Python with coverage.py found (tried %s); install it: %s", strings.Join(tried, "; "), installHint)
}

// shebangPython returns the interpreter on the #! line of a script, "" when
// there is none (a binary, or a Windows .exe launcher).
func shebangPython(script string) string {
	f, err := os.Open(script)
	if err != nil {
		return ""
	}
	defer f.Close()
	line, _ := bufio.NewReader(io.LimitReader(f, 512)).ReadString('\n')
	if !strings.HasPrefix(line, "#!") {
		return ""
	}
	fields := strings.Fields(strings.TrimPrefix(line, "#!"))
	if len(fields) == 0 {
		return ""
	}
	if filepath.Base(fields[0]) == "env" && len(fields) > 1 {
		if p, err := exec.LookPath(fields[1]); err == nil {
			return p
		}
		return ""
	}
	if !strings.Contains(filepath.Base(fields[0]), "python") {
		return ""
	}
	return fields[0]
}

// isRegular reports whether p is a regular file (after symlinks).
func isRegular(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.Mode().IsRegular()
}
