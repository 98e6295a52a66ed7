package importer

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/sprintkit/sprintkit/coverage"
)

// copyTree copies a fixture directory to dst.
func copyTree(t *testing.T, src, dst string) {
	t.Helper()
	err := filepath.Walk(src, func(p string, fi os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		target := filepath.Join(dst, rel)
		if fi.IsDir() {
			if fi.Name() == "__pycache__" {
				return filepath.SkipDir
			}
			return os.MkdirAll(target, 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(target, b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}

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
