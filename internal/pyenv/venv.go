package pyenv

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/sprintkit/sprintkit/internal/proc"
	"github.com/sprintkit/sprintkit/internal/state"
)

// VenvName is the virtual environment sprintkit creates in a checkout.
const VenvName = ".venv"

// Venv is the virtual environment a project's tests run in.
type Venv struct {
	Name   string `json:"venv"`   // as the user knows it: ".venv", or $VIRTUAL_ENV's path
	Python string `json:"python"` // its interpreter
	// Created: sprintkit made it now, with Base.
	Created bool   `json:"created,omitempty"`
	Base    string `json:"base,omitempty"`
	// SystemSitePackages: it sees Base's packages (--system-site-packages).
	SystemSitePackages bool `json:"system_site_packages,omitempty"`
	// Why says which environment this is and, for a new one, how it was made.
	Why string `json:"why"`
}

// EnsureVenv returns the environment the project in dir runs in: the
// active one ($VIRTUAL_ENV), else the project's own (.venv, venv), else a
// new .venv made with `python -m venv` by the interpreter Find chooses and
// added to .git/info/exclude. When the index cannot provide pytest and
// coverage.py (pip download fails) and that interpreter has them, the new
// environment inherits its packages (--system-site-packages). env is the
// environment of the children (pip's configuration is in it).
func EnsureVenv(ctx context.Context, dir string, env []string, progress func(string)) (*Venv, error) {
	if v := activeVenv(env); v != "" && isRegular(VenvPython(v)) {
		return &Venv{Name: v, Python: VenvPython(v), Why: "the active virtual environment ($VIRTUAL_ENV)"}, nil
	}
	if py, name := ProjectVenv(dir); py != "" {
		return &Venv{Name: name, Python: py, Why: "the project's virtual environment"}, nil
	}
	base, hasBoth, err := baseInterpreter(ctx, dir)
	if err != nil {
		return nil, err
	}
	v := &Venv{Name: VenvName, Python: VenvPython(filepath.Join(dir, VenvName)), Created: true, Base: base}
	progress(fmt.Sprintf("creating %s with %s -m venv", VenvName, base))
	if err := makeVenv(ctx, dir, base, env); err != nil {
		return nil, err
	}
	if err := state.Exclude(dir, VenvName); err != nil {
		return nil, err
	}
	v.Why = fmt.Sprintf("created with %s -m venv, added to .git/info/exclude", base)
	if !hasBoth {
		return v, nil
	}
	if msg := indexLacks(ctx, dir, v.Python, env); msg != "" {
		// What --system-site-packages writes; making the environment
		// again would cost another bootstrap of pip.
		progress(fmt.Sprintf("the index has no pytest or coverage.py: %s sees %s's packages", VenvName, base))
		if err := inheritSitePackages(filepath.Join(dir, VenvName)); err != nil {
			return nil, err
		}
		v.SystemSitePackages = true
		v.Why = fmt.Sprintf("created with %s -m venv, added to .git/info/exclude; it sees %s's packages (--system-site-packages): the index cannot provide pytest and coverage.py (%s) and %s has them",
			base, base, msg, base)
	}
	return v, nil
}

// baseInterpreter is the interpreter a new environment is made with: the
// one Find chooses, else python3 or python on PATH. hasBoth reports that it
// has coverage.py and pytest.
func baseInterpreter(ctx context.Context, dir string) (python string, hasBoth bool, err error) {
	if e, err := findSystem(ctx, dir); err == nil {
		return e.Python, e.Pytest, nil
	}
	for _, name := range []string{"python3", "python"} {
		if p, err := exec.LookPath(name); err == nil {
			return p, false, nil
		}
	}
	return "", false, fmt.Errorf("no Python interpreter found (no python3 on PATH); install Python 3 with venv: apt install python3 python3-venv")
}

// makeVenv runs python -m venv .venv in dir.
func makeVenv(ctx context.Context, dir, python string, env []string) error {
	args := []string{"-m", "venv"}
	cmd := proc.Command(ctx, python, append(args, VenvName)...)
	cmd.Dir, cmd.Env = dir, env
	if out, err := cmd.CombinedOutput(); err != nil {
		os.RemoveAll(filepath.Join(dir, VenvName))
		return &Error{
			msg: fmt.Sprintf("%s %s %s: %v: %s", python, strings.Join(args, " "), VenvName, err, string(lastLine(out))),
			hint: "install Python's venv module (Debian/Ubuntu: sudo apt install python3-venv), " +
				"or make a virtual environment yourself: python3 -m venv .venv",
		}
	}
	return nil
}

// indexLacks asks pip whether pytest and coverage.py can be had from the
// configured index or links: "" when they can, else pip's last line.
func indexLacks(ctx context.Context, dir, python string, env []string) string {
	tmp, err := os.MkdirTemp("", "sprintkit-pip-")
	if err != nil {
		return ""
	}
	defer os.RemoveAll(tmp)
	cmd := proc.Command(ctx, python, "-m", "pip", "download", "--no-deps", "--dest", tmp, "pytest", "coverage")
	cmd.Dir, cmd.Env = dir, env
	out, err := cmd.CombinedOutput()
	if err == nil {
		return ""
	}
	return strings.TrimPrefix(string(lastLine(out)), "ERROR: ")
}

// inheritSitePackages turns on include-system-site-packages in the
// environment's pyvenv.cfg, which is all that --system-site-packages does.
func inheritSitePackages(venv string) error {
	cfg := filepath.Join(venv, "pyvenv.cfg")
	b, err := os.ReadFile(cfg)
	if err != nil {
		return err
	}
	var out []string
	for _, l := range strings.Split(strings.TrimRight(string(b), "\n"), "\n") {
		if k, _, ok := strings.Cut(l, "="); ok && strings.TrimSpace(k) == "include-system-site-packages" {
			l = "include-system-site-packages = true"
		}
		out = append(out, l)
	}
	return os.WriteFile(cfg, []byte(strings.Join(out, "\n")+"\n"), 0o644)
}

// activeVenv is $VIRTUAL_ENV in env, the environment of the children
// (case-insensitively on Windows, as the system looks names up).
func activeVenv(env []string) string {
	v := ""
	for _, kv := range env {
		if k, val, ok := strings.Cut(kv, "="); ok && (k == "VIRTUAL_ENV" || runtime.GOOS == "windows" && strings.EqualFold(k, "VIRTUAL_ENV")) {
			v = val
		}
	}
	return v
}
