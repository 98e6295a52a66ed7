package pyenv

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/sprintkit/sprintkit/internal/state"
)

// Error is an error of setting up a Python environment, with a hint.
type Error struct{ msg, hint string }

func (e *Error) Error() string { return e.msg }

// Hint says what to do.
func (e *Error) Hint() string { return e.hint }

// PrepareOptions says how to set up a project's Python environment.
type PrepareOptions struct {
	Dir string
	// Env is the environment of pip and the interpreter, with pip's own
	// configuration (PIP_INDEX_URL, PIP_FIND_LINKS, PIP_NO_INDEX); nil is
	// os.Environ().
	Env []string
	// FindLinks, when set, is a directory of wheels to install from with
	// no index at all (an image's wheels/).
	FindLinks string
	// Progress is told what pip is doing, a line at a time; nil for none.
	Progress func(msg string)
}

// Setup is what Prepare did: the environment and what went into it.
type Setup struct {
	Venv
	// Installed are pip's installs, in order: what, from which
	// declaration, with which command.
	Installed []Install `json:"installed,omitempty"`
	// Missing are requirements no index or link could provide, when the
	// project could not be built and its source was put on the path.
	Missing []string `json:"missing,omitempty"`
	// PathFile is the .pth file that puts the project's source on the
	// environment's path, when the project could not be built here.
	PathFile string `json:"path_file,omitempty"`
	// Reused: the environment already had what the same declarations ask
	// for (a setup of this checkout before); nothing was installed.
	Reused  bool    `json:"reused,omitempty"`
	Seconds float64 `json:"seconds"`
	// Notes say what was done instead of what was asked, for a person.
	Notes []string `json:"notes,omitempty"`
}

// Install is one pip install of Setup.
type Install struct {
	What    []string `json:"what"` // "-e .[tests]", "freezegun", ...
	From    string   `json:"from"` // "pyproject.toml [project.optional-dependencies] tests"
	Command string   `json:"command"`
}

// stamp is what .sprintkit/pydeps.json records of a finished install.
type stamp struct {
	Hash  string `json:"hash"`
	Setup *Setup `json:"setup"`
}

// StampFile is the file in .sprintkit/ that records the last install.
const StampFile = "pydeps.json"

// Prepare sets up the Python environment of the project in opts.Dir: the
// virtual environment (EnsureVenv), then the project and its test
// dependencies as DeclaredIn finds them, then pytest and coverage.py if the
// environment still lacks them. A second Prepare of the same checkout with
// the same declarations reuses what is there (a stamp in .sprintkit/ keyed
// by the hash of the declaring files). A requirement that cannot be had is
// an *Error naming it, the file that asks for it and the pip command that
// failed.
func Prepare(ctx context.Context, opts PrepareOptions) (*Setup, error) {
	start := time.Now()
	if opts.Env == nil {
		opts.Env = os.Environ()
	}
	if opts.Progress == nil {
		opts.Progress = func(string) {}
	}
	decl, err := DeclaredIn(opts.Dir)
	if err != nil {
		return nil, err
	}
	hash := declHash(opts.Dir, decl, activeVenv(opts.Env))
	if s := reuse(opts.Dir, hash); s != nil {
		return s, nil
	}
	v, err := EnsureVenv(ctx, opts.Dir, opts.Env, opts.Progress)
	if err != nil {
		return nil, err
	}
	p := &pip{python: v.Python, dir: opts.Dir, env: opts.Env, findLinks: opts.FindLinks, progress: opts.Progress}
	s := &Setup{Venv: *v}
	err = installDeclared(ctx, p, decl, s)
	if err == nil {
		err = installRunners(ctx, p, s)
	}
	var pe *pipError
	if errors.As(err, &pe) && pe.missing != "" {
		return nil, missingError(pe, decl, opts.FindLinks)
	}
	if errors.As(err, &pe) {
		return nil, &Error{msg: pe.Error(), hint: "run the command in the checkout to see pip's whole output"}
	}
	if err != nil {
		return nil, err
	}
	s.Seconds = time.Since(start).Seconds()
	if len(s.Missing) == 0 {
		if err := state.WriteJSON(state.Path(opts.Dir, StampFile), stamp{Hash: hash, Setup: s}); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// reuse is the last Setup when the stamp's hash is hash and its
// environment is still there.
func reuse(dir, hash string) *Setup {
	var st stamp
	if err := state.ReadJSON(state.Path(dir, StampFile), &st); err != nil || st.Hash != hash || st.Setup == nil {
		return nil
	}
	if !isRegular(st.Setup.Python) {
		return nil
	}
	s := st.Setup
	if s.Created {
		s.Why = "the project's virtual environment, made by an earlier setup"
	}
	s.Reused, s.Created, s.Installed, s.Seconds = true, false, nil, 0
	return s
}

// declHash hashes the declaring files and the active environment.
func declHash(dir string, d *Declared, active string) string {
	h := sha256.New()
	fmt.Fprintf(h, "VIRTUAL_ENV=%s\n", active)
	for _, f := range d.Files {
		b, _ := os.ReadFile(filepath.Join(dir, filepath.FromSlash(f)))
		fmt.Fprintf(h, "%s %d\n", f, len(b))
		h.Write(b)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// installDeclared installs the project (with its test extra) and the test
// dependencies declared elsewhere.
func installDeclared(ctx context.Context, p *pip, d *Declared, s *Setup) error {
	if d.Installable {
		if err := installProject(ctx, p, d, s); err != nil {
			return err
		}
	}
	if t := d.Test; t != nil && len(t.Reqs) > 0 || t != nil && t.ReqFile {
		args := t.Reqs
		what := t.Reqs
		if t.ReqFile {
			args = []string{"-r", filepath.FromSlash(t.File)}
		}
		if len(s.Missing) > 0 || s.PathFile != "" {
			// The project could not be built: install what can be had.
			return p.each(ctx, t.Reqs, t.String(), s)
		}
		if err := p.install(ctx, args, t.String(), d, s, what...); err != nil {
			return err
		}
	}
	return nil
}

// installProject installs the project in editable mode with its test extra;
// without editable support, as a plain install; with the build backend
// already importable and the index out of reach, without build isolation;
// and when it still cannot be built and is pure Python, by a .pth file
// that puts its source on the path, with its requirements installed one by
// one.
func installProject(ctx context.Context, p *pip, d *Declared, s *Setup) error {
	target := "."
	from := "the project"
	if d.Extra != "" {
		target = ".[" + d.Extra + "]"
		from = "pyproject.toml [project.optional-dependencies] " + d.Extra
	}
	err := p.install(ctx, []string{"-e", target}, from, d, s, "-e "+target)
	var pe *pipError
	if err == nil || !errors.As(err, &pe) {
		return err
	}
	if pe.editableUnsupported() {
		s.Notes = append(s.Notes, "the build backend has no editable support: the project is installed as a plain copy (reinstall after changing it: setup again)")
		err = p.install(ctx, []string{target}, from, d, s, target)
		if err == nil || !errors.As(err, &pe) {
			return err
		}
	}
	if pe.buildDep(d) && backendImportable(ctx, p, d) {
		s.Notes = append(s.Notes, "the index cannot provide the build backend, which "+p.python+" already has: built without build isolation")
		err = p.install(ctx, []string{"--no-build-isolation", "-e", target}, from, d, s, "-e "+target)
		if err == nil || !errors.As(err, &pe) {
			return err
		}
	}
	if !pe.buildDep(d) && !pe.buildFailed() || !purePython(p.dir) {
		return err
	}
	return sourceOnPath(ctx, p, d, s, pe)
}

// sourceOnPath puts the project's source directory on the environment's
// path with a .pth file, as an editable install would, and installs its
// requirements one by one, naming the ones that cannot be had.
func sourceOnPath(ctx context.Context, p *pip, d *Declared, s *Setup, why *pipError) error {
	site, err := p.output(ctx, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])")
	if err != nil {
		return err
	}
	src := p.dir
	if fi, err := os.Stat(filepath.Join(p.dir, "src")); err == nil && fi.IsDir() {
		src = filepath.Join(p.dir, "src")
	}
	name := "_sprintkit_" + strings.ReplaceAll(Normalize(cmpOr(d.Name, "project")), "-", "_") + ".pth"
	pth := filepath.Join(site, name)
	if err := os.WriteFile(pth, []byte(src+"\n"), 0o644); err != nil {
		return fmt.Errorf("put the project's source on the path: %w", err)
	}
	s.PathFile = pth
	s.Notes = append(s.Notes, fmt.Sprintf("the project could not be built here (%s): its source %s is on the environment's path (%s); tests that need its installed metadata fail", why.line, src, name))
	return p.each(ctx, append(append([]string{}, d.Requires...), d.ExtraRequires...), "pyproject.toml [project]", s)
}

// installRunners installs pytest and coverage.py when the environment
// still lacks them.
func installRunners(ctx context.Context, p *pip, s *Setup) error {
	pr, err := probePython(ctx, p.dir, p.python)
	if err != nil {
		return fmt.Errorf("%s does not run: %w", p.python, err)
	}
	var need []string
	if pr.Pytest == nil {
		need = append(need, "pytest")
	}
	if pr.Coverage == nil {
		need = append(need, "coverage")
	}
	if len(need) == 0 {
		return nil
	}
	return p.install(ctx, need, "sprintkit (the tests run with them)", nil, s, need...)
}

// backendImportable reports whether the environment's interpreter can
// import the project's build backend (with its backend-path).
func backendImportable(ctx context.Context, p *pip, d *Declared) bool {
	mod := "setuptools.build_meta"
	if d.Backend != "" {
		mod, _, _ = strings.Cut(d.Backend, ":")
	}
	script := fmt.Sprintf("import sys; sys.path[:0] = %s; import %s", pyList(d.BackendPath), mod)
	_, err := p.output(ctx, "-c", script)
	return err == nil
}

func pyList(ss []string) string {
	q := make([]string, len(ss))
	for i, s := range ss {
		q[i] = fmt.Sprintf("%q", s)
	}
	return "[" + strings.Join(q, ", ") + "]"
}

// purePython reports a project with no extension sources (C, C++, Cython,
// Rust) outside its virtual environments.
func purePython(dir string) bool {
	pure := true
	filepath.WalkDir(dir, func(p string, e fs.DirEntry, err error) error {
		if err != nil || !pure {
			return filepath.SkipDir
		}
		if e.IsDir() && p != dir && (strings.HasPrefix(e.Name(), ".") || isRegular(filepath.Join(p, "pyvenv.cfg"))) {
			return filepath.SkipDir
		}
		switch filepath.Ext(e.Name()) {
		case ".c", ".cc", ".cpp", ".pyx", ".rs":
			pure = false
		}
		return nil
	})
	return pure
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// noMatchRE reads pip's error for a requirement no index or link has.
var noMatchRE = regexp.MustCompile(`No matching distribution found for ([A-Za-z0-9][A-Za-z0-9._\-\[\]]*)`)

// WheelsOptions says where to put the wheels of a project's environment.
type WheelsOptions struct {
	Dir  string   // the project
	Dest string   // the directory of wheels, replaced as a whole
	Env  []string // pip's environment; nil is os.Environ()
	// Progress is told what pip is doing; nil for none.
	Progress func(msg string)
}

// DownloadWheels puts into opts.Dest the wheels of everything Prepare
// would install for the project in opts.Dir, with pip's own configuration
// (pip wheel builds a wheel of what an index has only as a source
// archive): the project's dependencies with its test extra, the test
// dependencies declared elsewhere, its build backend, pytest and
// coverage.py. The project's own wheel is left out: setup installs it from
// the checkout. It returns the wheels' file names; a requirement that
// cannot be had is an *Error as in Prepare.
func DownloadWheels(ctx context.Context, opts WheelsOptions) ([]string, error) {
	if opts.Env == nil {
		opts.Env = os.Environ()
	}
	if opts.Progress == nil {
		opts.Progress = func(string) {}
	}
	d, err := DeclaredIn(opts.Dir)
	if err != nil {
		return nil, err
	}
	python, _, err := baseInterpreter(ctx, opts.Dir)
	if err != nil {
		return nil, err
	}
	tmp := opts.Dest + ".partial"
	os.RemoveAll(tmp)
	if err := os.MkdirAll(tmp, 0o755); err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	p := &pip{python: python, dir: opts.Dir, env: opts.Env, progress: opts.Progress, verb: []string{"wheel", "--wheel-dir", tmp}}
	s := &Setup{}
	backend := d.BuildRequires
	if d.Backend == "" && backend == nil && d.Installable {
		backend = []string{"setuptools>=40.8.0", "wheel"}
	}
	steps := []struct {
		reqs []string
		from string
	}{
		{backend, "pyproject.toml [build-system] requires"},
		{[]string{"pytest", "coverage"}, "sprintkit (the tests run with them)"},
	}
	if d.Installable {
		target := "."
		if d.Extra != "" {
			target = ".[" + d.Extra + "]"
		}
		steps = append(steps, struct {
			reqs []string
			from string
		}{[]string{target}, "the project"})
	}
	if t := d.Test; t != nil && (len(t.Reqs) > 0 || t.ReqFile) {
		args := t.Reqs
		if t.ReqFile {
			args = []string{"-r", filepath.FromSlash(t.File)}
		}
		steps = append(steps, struct {
			reqs []string
			from string
		}{args, t.String()})
	}
	for _, st := range steps {
		if len(st.reqs) == 0 {
			continue
		}
		err := p.install(ctx, st.reqs, st.from, d, s, st.reqs...)
		var pe *pipError
		switch {
		case errors.As(err, &pe) && st.reqs[0] == "pytest":
			// A newcomer's interpreter may have them (Debian's packages).
			opts.Progress(fmt.Sprintf("no wheels of pytest and coverage.py (%s): newcomers need them installed", pe.line))
		case errors.As(err, &pe) && pe.missing != "":
			return nil, missingError(pe, d, "")
		case err != nil:
			return nil, err
		}
	}
	return keepWheels(tmp, opts.Dest, Normalize(d.Name))
}

// keepWheels moves the wheels in tmp but the project's own to dest, which
// it replaces, and returns their names.
func keepWheels(tmp, dest, project string) ([]string, error) {
	entries, err := os.ReadDir(tmp)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, e := range entries {
		if project != "" && distProject(e.Name()) == project {
			os.Remove(filepath.Join(tmp, e.Name()))
			continue
		}
		names = append(names, e.Name())
	}
	if err := os.RemoveAll(dest); err != nil {
		return nil, err
	}
	return names, os.Rename(tmp, dest)
}
