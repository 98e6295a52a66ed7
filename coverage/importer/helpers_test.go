package importer

import (
	"github.com/sprintkit/sprintkit/coverage"
)

func findFile(r *coverage.Result, rel string) *coverage.File {
	for _, p := range r.Packages {
		for _, f := range p.Files {
			if f.Rel == rel {
				return f
			}
		}
	}
	return nil
}

func pkgNames(r *coverage.Result) []string {
	var out []string
	for _, p := range r.Packages {
		out = append(out, p.Name)
	}
	return out
}
