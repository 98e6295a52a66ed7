package pytest

import (
	"context"

	"github.com/sprintkit/sprintkit/internal/pyenv"
)

// Env is the interpreter a run uses (pyenv.Env).
type Env = pyenv.Env

// VenvError is FindPython's error for a virtual environment without
// coverage.py (pyenv.VenvError).
type VenvError = pyenv.VenvError

// FindPython finds the interpreter for the project in dir: pyenv.Find.
func FindPython(ctx context.Context, dir string) (*Env, error) { return pyenv.Find(ctx, dir) }
