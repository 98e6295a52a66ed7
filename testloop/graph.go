package testloop

import (
	"context"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/sprintkit/sprintkit/coverage/gotest"
)

// Graph is the import graph of a Go module's packages (a workspace's, when
// the root holds go.work), as `go list` reports it, turned around: for each
// package, the packages whose tests must run again when it changes.
//
// A package's tests link the package, everything it imports, and everything
// its test files import, each with their own imports. So a change in
// package p affects p, every package that imports p directly or through
// others, and every package whose test files import one of those.
type Graph struct {
	root     string
	pkgs     map[string]*gotest.Package // import path → package
	byDir    map[string]string          // absolute directory → import path
	rdeps    map[string][]string        // p → packages whose non-test code imports p
	testers  map[string][]string        // p → packages whose test files import p
	fileImps map[string]string          // absolute .go file → its package clause and imports, for change detection
}

// LoadGraph lists the packages under root with `go list -e -json ./...`.
// Nested modules that no go.work includes are not part of the graph.
func LoadGraph(ctx context.Context, root string, env []string) (*Graph, error) {
	pkgs, err := gotest.ListPackages(ctx, root, env, "./...")
	if err != nil {
		return nil, err
	}
	g := &Graph{
		root:     root,
		pkgs:     map[string]*gotest.Package{},
		byDir:    map[string]string{},
		rdeps:    map[string][]string{},
		testers:  map[string][]string{},
		fileImps: map[string]string{},
	}
	for _, p := range pkgs {
		g.pkgs[p.ImportPath] = p
		g.byDir[filepath.Clean(p.Dir)] = p.ImportPath
	}
	for _, p := range pkgs {
		for _, imp := range p.Imports {
			if g.pkgs[imp] != nil {
				g.rdeps[imp] = append(g.rdeps[imp], p.ImportPath)
			}
		}
		for _, imp := range append(append([]string(nil), p.TestImports...), p.XTestImports...) {
			if g.pkgs[imp] != nil && imp != p.ImportPath {
				g.testers[imp] = append(g.testers[imp], p.ImportPath)
			}
		}
		for _, list := range [][]string{p.GoFiles, p.CgoFiles, p.TestGoFiles, p.XTestGoFiles} {
			for _, f := range list {
				abs := filepath.Join(p.Dir, f)
				g.fileImps[abs] = fileImports(abs)
			}
		}
	}
	return g, nil
}

// fileImports returns a Go file's package clause and import paths as one
// comparable string, or "" when it cannot be read or parsed.
func fileImports(path string) string {
	f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.ImportsOnly)
	if err != nil || f.Name == nil {
		return ""
	}
	imps := make([]string, 0, len(f.Imports))
	for _, is := range f.Imports {
		if p, err := strconv.Unquote(is.Path.Value); err == nil {
			imps = append(imps, p)
		}
	}
	sort.Strings(imps)
	return f.Name.Name + ":" + strings.Join(imps, ",")
}

// Packages returns every package's import path, sorted.
func (g *Graph) Packages() []string {
	out := make([]string, 0, len(g.pkgs))
	for p := range g.pkgs {
		out = append(out, p)
	}
	sort.Strings(out)
	return out
}

// Has reports whether the graph holds the package.
func (g *Graph) Has(importPath string) bool { return g.pkgs[importPath] != nil }

// Stale reports whether the graph no longer describes the files changed:
// go.mod, go.sum or go.work changed, a Go file appeared or disappeared, or
// a Go file's package clause or imports differ from when it was loaded.
func (g *Graph) Stale(changed []string) bool {
	for _, f := range changed {
		switch filepath.Base(f) {
		case "go.mod", "go.sum", "go.work", "go.work.sum":
			return true
		}
		if !strings.HasSuffix(f, ".go") {
			continue
		}
		old, known := g.fileImps[f]
		_, err := os.Stat(f)
		exists := err == nil
		if known != exists {
			return true
		}
		if exists && fileImports(f) != old {
			return true
		}
	}
	return false
}

// ModuleFileChanged reports whether go.mod, go.sum or go.work is among the
// changed files: every package may be affected.
func ModuleFileChanged(changed []string) bool {
	for _, f := range changed {
		switch filepath.Base(f) {
		case "go.mod", "go.sum", "go.work", "go.work.sum":
			return true
		}
	}
	return false
}

// PackageOf returns the package whose directory holds file, or whose
// directory holds the testdata directory that holds it.
func (g *Graph) PackageOf(file string) (string, bool) {
	dir := filepath.Dir(file)
	if !strings.HasSuffix(file, ".go") {
		// Only test data counts among non-Go files: testdata/x → the
		// package above the testdata directory.
		i := strings.LastIndex(filepath.ToSlash(file), "/testdata/")
		if i < 0 {
			return "", false
		}
		dir = filepath.FromSlash(filepath.ToSlash(file)[:i])
	}
	p, ok := g.byDir[filepath.Clean(dir)]
	return p, ok
}

// Affected returns the packages whose tests a change to the named packages
// can alter: the packages, everything importing them directly or not, and
// every package whose tests import one of those. Sorted.
func (g *Graph) Affected(pkgs []string) []string {
	linked := map[string]bool{}
	var queue []string
	for _, p := range pkgs {
		if g.pkgs[p] != nil && !linked[p] {
			linked[p] = true
			queue = append(queue, p)
		}
	}
	for len(queue) > 0 {
		p := queue[0]
		queue = queue[1:]
		for _, q := range g.rdeps[p] {
			if !linked[q] {
				linked[q] = true
				queue = append(queue, q)
			}
		}
	}
	out := map[string]bool{}
	for p := range linked {
		out[p] = true
		for _, q := range g.testers[p] {
			out[q] = true
		}
	}
	list := make([]string, 0, len(out))
	for p := range out {
		list = append(list, p)
	}
	sort.Strings(list)
	return list
}
