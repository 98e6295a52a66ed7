package onboard

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/sprintkit/sprintkit/checkout"
	"github.com/sprintkit/sprintkit/image"
	"github.com/sprintkit/sprintkit/internal/hint"
	"github.com/sprintkit/sprintkit/internal/pyenv"
)

// pythonDeps sets up a Python project's environment for its tests: the
// virtual environment (the active one, the project's own, or a new .venv),
// the project and its declared test dependencies, then pytest and
// coverage.py (pyenv.Prepare). With findLinks (an image's wheels) nothing
// comes from an index. pip's own configuration (PIP_INDEX_URL, pip.conf)
// decides where the rest comes from; no credential of an index URL is
// printed.
func pythonDeps(ctx context.Context, o Options, rt *route, s *Summary, findLinks string) error {
	if o.NoDeps {
		s.Notes = append(s.Notes, "--no-deps: the project and its test dependencies were not installed; the tests run with the Python found as it is")
		return nil
	}
	o.Events.step("deps", "setting up the Python environment: the virtual environment, the project and its test dependencies")
	res, err := pyenv.Prepare(ctx, pyenv.PrepareOptions{Dir: s.Dir, Env: rt.environ(), FindLinks: findLinks,
		Progress: func(msg string) { o.Events.step("deps", "%s", checkout.RedactText(msg, "")) }})
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		msg := checkout.RedactText(err.Error(), "")
		h := hint.Of(err)
		var pe *pyenv.Error
		if !errors.As(err, &pe) {
			h = "run setup again with SPRINTKIT_DEBUG=1, or install the project yourself (python3 -m pip install -e .)"
		}
		return hint.With(errors.New(msg), h+fmt.Sprintf("; the checkout is in %s (nothing changed there but .venv), finish with: %s setup %s", s.relDir, Self(), s.relDir))
	}
	s.Deps = &DepsSummary{Seconds: res.Seconds, Python: res}
	s.Notes = append(s.Notes, res.Notes...)
	return nil
}

// imageWheels is the wheels/ directory of the image setup copies from, ""
// for any other source or an image without one.
func imageWheels(src source, s *Summary) string {
	if src.kind != SourceImage {
		return ""
	}
	dir := filepath.Join(src.arg, image.WheelsDir)
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		return ""
	}
	return dir
}

// hintThen is err's own hint (what to fix) followed by "; ", or "".
func hintThen(err error) string {
	if h := hint.Of(err); h != "" {
		return h + "; "
	}
	return ""
}
