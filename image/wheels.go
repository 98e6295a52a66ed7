package image

import (
	"context"
	"fmt"
	"path/filepath"

	"github.com/sprintkit/sprintkit/internal/human"
	"github.com/sprintkit/sprintkit/internal/pyenv"
)

// WheelsDir holds, in an image of a Python project, the wheels of the
// project's build backend and of everything its tests need, for an
// install with no index (pip install --no-index --find-links); `sprintkit
// serve` serves them as a PEP 503 index. manifest.json lists and verifies
// them like every other file.
const WheelsDir = "wheels"

// stageWheels downloads into the image's wheels/ what setup installs for
// a Python project (pyenv.DownloadWheels), with pip's own configuration;
// none is set for a Go project, and for an image staged from the results
// of a CI run (--from-shards: no test run, no Python).
func (s *stager) stageWheels(ctx context.Context) error {
	src, out, env, step := s.src, s.out, s.env, s.step
	if s.isGo || s.opts.ReportReadsResults || !pyenv.Installs(src) {
		return nil
	}
	dest := filepath.Join(out, WheelsDir)
	step("wheels", "downloading the wheels of the project's test dependencies into %s", dest)
	names, err := pyenv.DownloadWheels(ctx, pyenv.WheelsOptions{Dir: src, Dest: dest, Env: env,
		Progress: func(msg string) { step("wheels", "%s", msg) }})
	if err != nil {
		return fmt.Errorf("stage the Python wheels: %w", err)
	}
	step("wheels", "%s in %s", human.Count(len(names), "wheel", "wheels"), dest)
	return nil
}
