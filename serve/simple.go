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
func withSimple(sp Sprint, base string, has bool) Sprint {
	if has {
		sp.URLs.Simple = base + "simple/"
	}
	return sp
}
