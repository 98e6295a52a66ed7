package pyenv

import (
	"context"
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/sprintkit/sprintkit/internal/proc"
)

// pip runs the environment's pip with pip's own configuration (the
// caller's environment and pip.conf); with findLinks, from those wheels
// and no index.
type pip struct {
	python, dir string
	env         []string
	findLinks   string
	progress    func(string)
	// verb is pip's command and its options: install, or wheel --wheel-dir DIR.
	verb []string
}

// pipError is a pip install that failed: the command, its output, and
// the requirement no index had, when that is why.
type pipError struct {
	command string
	out     string
	missing string // the requirement pip found no distribution for
	line    string // pip's error line
	from    string // the declaration installed
}

func (e *pipError) Error() string {
	return fmt.Sprintf("%s failed: %s", e.command, e.line)
}

// editableUnsupported: the backend has no build_editable hook.
func (e *pipError) editableUnsupported() bool {
	return strings.Contains(e.out, "build_editable") || strings.Contains(e.out, "editable mode")
}

// buildDep: pip could not get a build requirement of d.
func (e *pipError) buildDep(d *Declared) bool {
	if e.missing == "" {
		return false
	}
	if strings.Contains(e.out, "install build dependencies") {
		return true // "pip subprocess to install build dependencies did not run successfully"
	}
	reqs := d.BuildRequires
	if d.Backend == "" && reqs == nil {
		reqs = []string{"setuptools>=40.8.0"} // pip's default for a project without [build-system]
	}
	for _, r := range reqs {
		if reqName(r) == Normalize(e.missing) {
			return true
		}
	}
	return false
}

// buildFailed: the backend ran and failed (too old, a missing hook).
func (e *pipError) buildFailed() bool {
	return e.missing == "" && (strings.Contains(e.out, "metadata-generation-failed") || strings.Contains(e.out, "subprocess-exited-with-error") ||
		strings.Contains(e.out, "AttributeError") || strings.Contains(e.out, "has no attribute"))
}

// args are pip install's arguments for reqs.
func (p *pip) args(reqs []string) []string {
	args := append([]string{"-m", "pip"}, p.verb...)
	if len(p.verb) == 0 {
		args = append(args, "install")
	}
	if p.findLinks != "" {
		args = append(args, "--no-index", "--find-links", p.findLinks)
	}
	return append(args, reqs...)
}

// run runs pip install reqs; a failure is a *pipError.
func (p *pip) run(ctx context.Context, reqs []string) (string, error) {
	args := p.args(reqs)
	cmd := proc.Command(ctx, p.python, args...)
	// A backend in the checkout (backend-path) writes no __pycache__ there.
	cmd.Dir, cmd.Env = p.dir, append(p.env[:len(p.env):len(p.env)], "PYTHONDONTWRITEBYTECODE=1")
	out, err := cmd.CombinedOutput()
	command := shown(p.python, p.dir) + " " + strings.Join(args, " ")
	if err == nil {
		return command, nil
	}
	if ctx.Err() != nil {
		return command, ctx.Err()
	}
	pe := &pipError{command: command, out: string(out)}
	if m := noMatchRE.FindStringSubmatch(pe.out); m != nil {
		pe.missing = m[1]
	}
	pe.line = errorLine(pe.out)
	if _, ok := err.(*exec.ExitError); !ok {
		pe.line = err.Error()
	}
	return command, pe
}

// install runs pip install args for the declaration from, records it in s,
// and turns a requirement no index has into an *Error naming it and the
// file that asked for it (d, when set, says which).
func (p *pip) install(ctx context.Context, args []string, from string, d *Declared, s *Setup, what ...string) error {
	doing := "installing"
	if len(p.verb) > 0 {
		doing = "fetching the wheels of"
	}
	p.progress(fmt.Sprintf("%s %s (%s) with pip", doing, strings.Join(what, " "), from))
	command, err := p.run(ctx, args)
	if pe, ok := err.(*pipError); ok {
		pe.from = from
	}
	if err != nil {
		return err
	}
	s.Installed = append(s.Installed, Install{What: what, From: from, Command: command})
	return nil
}

// each installs reqs one at a time, naming in s.Missing those that cannot
// be had rather than failing.
func (p *pip) each(ctx context.Context, reqs []string, from string, s *Setup) error {
	for _, r := range reqs {
		p.progress(fmt.Sprintf("installing %s (%s) with pip", r, from))
		command, err := p.run(ctx, []string{r})
		if pe, ok := err.(*pipError); ok {
			s.Missing = append(s.Missing, r)
			s.Notes = append(s.Notes, fmt.Sprintf("%s (%s) cannot be had here: %s", r, from, pe.line))
			continue
		}
		if err != nil {
			return err
		}
		s.Installed = append(s.Installed, Install{What: []string{r}, From: from, Command: command})
	}
	return nil
}

// output runs the environment's interpreter with args and returns its
// trimmed standard output.
func (p *pip) output(ctx context.Context, args ...string) (string, error) {
	cmd := proc.Command(ctx, p.python, args...)
	cmd.Dir, cmd.Env = p.dir, p.env
	out, err := cmd.Output()
	return strings.TrimSpace(string(out)), err
}

// errorLine is pip's first "ERROR: " line, without the warnings around it
// (pytest's, coverage.py's), else its last line.
func errorLine(out string) string {
	for _, l := range strings.Split(out, "\n") {
		if strings.HasPrefix(l, "ERROR: ") {
			return strings.TrimSpace(strings.TrimPrefix(l, "ERROR: "))
		}
	}
	return string(lastLine([]byte(out)))
}

// shown is the interpreter as a person in dir types it: relative when it
// is inside dir.
func shown(python, dir string) string {
	if rel, ok := strings.CutPrefix(python, dir+string(filepath.Separator)); ok {
		return rel
	}
	return python
}

// missingError is the error of a requirement that cannot be had: it names
// the requirement, the declaration that asks for it and the pip command.
func missingError(pe *pipError, d *Declared, findLinks string) *Error {
	asker := pe.from
	name := Normalize(strings.SplitN(pe.missing, "[", 2)[0])
	for _, c := range []struct {
		reqs []string
		from string
	}{
		{d.BuildRequires, "pyproject.toml [build-system] requires"},
		{d.Requires, "pyproject.toml [project] dependencies"},
		{d.ExtraRequires, "pyproject.toml [project.optional-dependencies] " + d.Extra},
		{testReqs(d), testFrom(d)},
	} {
		for _, r := range c.reqs {
			if reqName(r) == name {
				asker = c.from
			}
		}
	}
	hint := "check the network and pip's index (PIP_INDEX_URL, pip.conf), or set up from an offline image of the project: sprintkit setup --from-image DIR"
	if findLinks != "" {
		hint = "the image has no wheel of it: stage the image again on a machine with the index (sprintkit image)"
	}
	return &Error{
		msg:  fmt.Sprintf("%s, which %s asks for, cannot be had: %s: %s", pe.missing, asker, pe.command, pe.line),
		hint: hint,
	}
}

func testReqs(d *Declared) []string {
	if d.Test == nil {
		return nil
	}
	return d.Test.Reqs
}

func testFrom(d *Declared) string {
	if d.Test == nil {
		return ""
	}
	return d.Test.String()
}
