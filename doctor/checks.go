package doctor

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/sprintkit/sprintkit/internal/human"
	"github.com/sprintkit/sprintkit/internal/pyenv"
)

// Git checks for the git program. go-git clones https, ssh and git:// on its
// own, but serves file:// URLs and local paths by running git-upload-pack,
// so for those git is required; otherwise its absence is a warning (the go
// command needs it for modules fetched straight from their repositories,
// and the newcomer will want it to commit).
func Git(ctx context.Context, opts Options) Check {
	c := Check{ID: "git", Name: "git"}
	env := opts.Env
	if env == nil {
		env = os.Environ()
	}
	bin := lookPath(env, "git")
	if bin == "" {
		c.Detail = "no git command on PATH"
		c.Hint = "install git (https://git-scm.com/downloads; Debian/Ubuntu: sudo apt install git)"
		if opts.Transport == "file" {
			c.Status = Fail
			c.Detail += "; cloning a local path or file:// URL needs it"
		} else {
			c.Status = Warn
			c.Detail += "; you will need it to commit, and go needs it for modules fetched directly"
		}
		return c
	}
	cmd := exec.CommandContext(ctx, bin, "--version")
	cmd.Env = env
	out, err := cmd.Output()
	if err != nil {
		c.Status = Warn
		c.Detail = fmt.Sprintf("%s --version failed: %s", bin, exitText(err))
		c.Hint = "reinstall git"
		return c
	}
	c.Status = OK
	c.Detail = strings.TrimSpace(string(out))
	return c
}

// Disk checks the free space where the project goes against the expected
// size.
func Disk(opts Options) Check {
	c := Check{ID: "disk", Name: "free disk space"}
	need := opts.NeedBytes
	if need <= 0 {
		need = DefaultNeedBytes
	}
	at := existingAncestor(opts.Dir)
	free, err := freeBytes(at)
	if err != nil {
		c.Status = Warn
		c.Detail = fmt.Sprintf("cannot measure free space at %s: %v", at, err)
		c.Hint = fmt.Sprintf("make sure about %s are free", human.Bytes(int64(need)))
		return c
	}
	c.Detail = fmt.Sprintf("%s free at %s, about %s needed", human.Bytes(int64(free)), at, human.Bytes(int64(need)))
	switch {
	case free < uint64(need):
		c.Status = Fail
		c.Hint = "free some space (for example 'go clean -cache' removes the build cache), or choose a disk with more room with --dir"
	case free < 2*uint64(need):
		c.Status = Warn
		c.Hint = "space is tight: builds and test caches grow; free some space if you can"
	default:
		c.Status = OK
	}
	return c
}

// Write checks that sprintkit may create files where the project goes.
func Write(opts Options) Check {
	c := Check{ID: "write", Name: "write permission"}
	at := existingAncestor(opts.Dir)
	f, err := os.CreateTemp(at, ".sprintkit-write-check-*")
	if err != nil {
		c.Status = Fail
		c.Detail = fmt.Sprintf("cannot create files in %s", at)
		c.Hint = "choose a directory you own, for example under your home directory, with --dir (or cd there first)"
		return c
	}
	f.Close()
	os.Remove(f.Name())
	c.Status = OK
	c.Detail = "can write in " + at
	return c
}

// Python checks for an interpreter with coverage.py and pytest: without
// coverage.py there is no baseline (✗); without pytest the tests run with
// unittest discovery, which misses pytest-style tests (!). Options.PythonExe
// names the interpreter the runner will use (pyenv.Find prefers
// the project's virtual environment); otherwise the project's own virtual
// environment (.venv or venv in Options.Dir), which the runner insists on,
// then python3, then python, on PATH. The detail names the interpreter and
// why it is the one; the hint names the command that installs what it
// lacks, with the interpreter's own path (".venv/bin/python -m pip install
// coverage pytest").
func Python(ctx context.Context, opts Options) Check {
	c := Check{ID: "python", Name: "Python with coverage.py and pytest"}
	env := opts.Env
	if env == nil {
		env = os.Environ()
	}
	exe, why, shown := opts.PythonExe, "", ""
	if exe != "" && opts.PythonWhy != "" {
		// "/usr/bin/python3 (the first with coverage.py and pytest)": the reason.
		_, why, _ = strings.Cut(strings.TrimSuffix(opts.PythonWhy, ")"), " (")
	}
	if exe == "" && opts.Dir != "" {
		if py, name := pyenv.ProjectVenv(opts.Dir); py != "" {
			exe, why = py, "the project's virtual environment "+name+"; its packages are the tests' packages"
			if rel, err := filepath.Rel(opts.Dir, py); err == nil {
				shown = rel
			}
		}
	}
	if exe == "" {
		for _, name := range []string{"python3", "python", "py"} {
			if exe = lookPath(env, name); exe != "" {
				why = "the first " + name + " on PATH"
				break
			}
		}
	}
	if shown == "" {
		shown = exe
	}
	if exe == "" {
		c.Status = Fail
		c.Detail = "no python3 or python on PATH"
		c.Hint = "install Python 3 (https://www.python.org/downloads/), then: python3 -m pip install coverage pytest"
		return c
	}
	const probe = `import json, sys, importlib
out = {"python": sys.version.split()[0]}
for m in ("coverage", "pytest"):
    try:
        out[m] = importlib.import_module(m).__version__
    except Exception:
        out[m] = ""
print(json.dumps(out))`
	cmd := exec.CommandContext(ctx, exe, "-c", probe)
	cmd.Env = env
	// From the project's directory, as the tests run: a directory there
	// named like a module (a Go package "coverage/") shadows it.
	cmd.Dir = existingAncestor(opts.Dir)
	b, err := cmd.Output()
	var v map[string]string
	if err == nil {
		err = json.Unmarshal(b, &v)
	}
	if err != nil {
		c.Status = Fail
		c.Detail = fmt.Sprintf("%s does not run: %s", exe, exitText(err))
		c.Hint = "install Python 3 (https://www.python.org/downloads/)"
		return c
	}
	var missing []string
	for _, m := range []string{"coverage", "pytest"} {
		if v[m] == "" {
			missing = append(missing, m)
		}
	}
	c.Detail = fmt.Sprintf("%s (Python %s)", shown, v["python"])
	if why != "" {
		c.Detail = fmt.Sprintf("%s (Python %s, %s)", shown, v["python"], why)
	}
	if len(missing) > 0 {
		c.Detail += "; missing " + strings.Join(missing, " and ")
		c.Hint = fmt.Sprintf("%s -m pip install %s (inside the project's virtual environment if it has one; on Debian/Ubuntu: sudo apt install %s)",
			shown, strings.Join(missing, " "), "python3-"+strings.Join(missing, " python3-"))
		if strings.HasPrefix(why, "the project's virtual environment") {
			c.Hint = fmt.Sprintf("%s -m pip install %s (sprintkit runs the tests with the project's virtual environment and will not switch to another Python)",
				shown, strings.Join(missing, " "))
		}
		c.Status = Fail
		if opts.PythonInstalls {
			// setup's next step installs them into the virtual environment.
			c.Status = Warn
			c.Detail += " (setup installs them into the project's virtual environment)"
			c.Hint = ""
			return c
		}
		if v["coverage"] != "" {
			// Without pytest the tests still run, with unittest discovery.
			c.Status = Warn
			c.Detail += fmt.Sprintf(" (coverage.py %s is there; tests will run with unittest discovery)", v["coverage"])
		}
		return c
	}
	c.Status = OK
	c.Detail += fmt.Sprintf(", coverage.py %s, pytest %s", v["coverage"], v["pytest"])
	return c
}
