package onboard

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/sprintkit/sprintkit/coverage/pytest"
	"github.com/sprintkit/sprintkit/doctor"
	"github.com/sprintkit/sprintkit/internal/hint"
	"github.com/sprintkit/sprintkit/project"
)

// ErrChecksFailed is returned when a check failed (✗): setup stops.
var ErrChecksFailed = fmt.Errorf("a check failed")

// Doctor runs every check for the project in dir, as `sprintkit doctor`
// and the first step of setup do. kind is the project's kind ("go module",
// "python", "unknown", ...).
func Doctor(ctx context.Context, dir string) (kind string, checks []doctor.Check, err error) {
	fi, err := os.Stat(dir)
	if err != nil || !fi.IsDir() {
		return "", nil, hint.With(fmt.Errorf("%s is not a directory", dir), "run it inside the project, or pass the project's directory")
	}
	opts := doctor.Options{Dir: dir}
	kind = "unknown"
	if p, err := project.Detect(dir); err == nil {
		kind = p.Kind()
		opts = projectOptions(ctx, opts, p)
	}
	return kind, doctor.Run(ctx, opts), nil
}

// projectOptions fills the project facts of doctor options from a detection.
func projectOptions(ctx context.Context, o doctor.Options, p *project.Project) doctor.Options {
	o.Known = p.Kind() != "unknown"
	o.Go = p.Go || p.GoWork || len(p.Modules) > 0
	o.GoVersion, o.Toolchain = p.GoVersion, p.Toolchain
	o.Python = p.Python && !o.Go
	o.Dirs = p.Dirs
	if o.Python {
		// The interpreter the Python runner will use (its virtual
		// environment first), so that the check looks at that one.
		if env, err := pytest.FindPython(ctx, o.Dir); err == nil {
			o.PythonExe, o.PythonWhy = env.Python, env.Why
		}
	}
	return o
}

// preChecks runs the checks that need no checkout: before a clone the
// project is unknown, so its own needs are checked in postChecks.
func preChecks(ctx context.Context, o Options, rt *route, s *Summary) error {
	src := rt.src
	if src.kind == SourceImage {
		return nil // the image step checks the toolchain against the manifest itself
	}
	o.Events.step("checks", "checking this machine")
	dopts := doctor.Options{Dir: src.dir, Env: rt.env, Transport: src.transport, NeedBytes: needBytes(src)}
	if src.kind == SourceInPlace {
		p, err := project.Detect(src.dir)
		if err != nil {
			return err
		}
		dopts = projectOptions(ctx, dopts, p)
		dopts.PythonInstalls = !o.NoDeps
	}
	checks := doctor.Run(ctx, dopts)
	s.Checks = checks
	o.Events.checks(checks)
	if doctor.Failed(checks) {
		return hint.With(fmt.Errorf("setup stopped before writing anything: %w (✗ above)", ErrChecksFailed), "fix what the check says, then run setup again")
	}
	return nil
}

// postChecks checks what the cloned project needs, now that it is here.
func postChecks(ctx context.Context, o Options, rt *route, p *project.Project, s *Summary) error {
	popts := projectOptions(ctx, doctor.Options{Dir: s.Dir, Env: rt.env}, p)
	popts.Known = true // even "unknown": the checkout is here to look at
	popts.PythonInstalls = !o.NoDeps
	var more []doctor.Check
	if popts.Go || !popts.Python {
		more = append(more, doctor.GoToolchain(ctx, popts))
	}
	if c, ok := doctor.Inotify(popts); ok {
		more = append(more, c)
	}
	if popts.Python {
		more = append(more, doctor.Python(ctx, popts))
	}
	o.Events.checks(more)
	s.Checks = mergeChecks(s.Checks, more)
	if doctor.Failed(more) {
		return hint.With(fmt.Errorf("setup stopped after the clone: %w: the project needs what this machine lacks (✗ above); the checkout is in %s", ErrChecksFailed, s.relDir),
			fmt.Sprintf("fix it, then finish with: %s setup %s", Self(), s.relDir))
	}
	return nil
}

// mergeChecks replaces checks of a with those of b by ID, appending the rest.
func mergeChecks(a, b []doctor.Check) []doctor.Check {
	out := append([]doctor.Check(nil), a...)
	for _, c := range b {
		found := false
		for i := range out {
			if out[i].ID == c.ID {
				out[i], found = c, true
			}
		}
		if !found {
			out = append(out, c)
		}
	}
	return out
}

// needBytes estimates the disk a project takes: for a local source, twice
// its size on disk plus room for the caches; else doctor's default.
func needBytes(src source) int64 {
	if src.kind != SourceClone || src.transport != "file" {
		return 0
	}
	from := strings.TrimPrefix(src.arg, "file://")
	var n int64
	filepath.WalkDir(from, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			if fi, err := d.Info(); err == nil {
				n += fi.Size()
			}
		}
		return nil
	})
	return 2*n + 512<<20
}
