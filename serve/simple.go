package serve

import (
	"net/http"
	"os"
	"path/filepath"

	"github.com/sprintkit/sprintkit/image"
	"github.com/sprintkit/sprintkit/internal/pyenv"
)

// simple serves the image's wheels/ as a PEP 503 simple index under
// /simple/ (pyenv.SimpleIndex): pip's --index-url, or PIP_INDEX_URL, which
// setup from this server writes into .sprintkit/env. An image without
// wheels (a Go project's) answers 404.
func (s *Server) simple() http.Handler {
	dir := filepath.Join(s.dir, image.WheelsDir)
	if !s.hasWheels() {
		return http.NotFoundHandler()
	}
	return pyenv.SimpleIndex(dir)
}

// hasWheels reports whether the image holds wheels to serve.
func (s *Server) hasWheels() bool {
	fi, err := os.Stat(filepath.Join(s.dir, image.WheelsDir))
	return err == nil && fi.IsDir()
}

// withSimple adds the index's URL to sprint.json when the image has wheels.
func (sp Sprint) withSimple(base string, has bool) Sprint {
	if has {
		sp.URLs.Simple = base + "simple/"
	}
	return sp
}

// PipEnv is the environment that points a sprinter's pip at the server's
// index, the way GoEnv points the go command at its module proxy; none
// when the server has no wheels.
func (sp *Sprint) PipEnv() []image.EnvVar {
	if sp.URLs.Simple == "" {
		return nil
	}
	return []image.EnvVar{{Key: "PIP_INDEX_URL", Value: sp.URLs.Simple}}
}
