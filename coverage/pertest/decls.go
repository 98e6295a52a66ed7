package pertest

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strings"
)

type decl struct {
	file string // relative to the root, slash-separated
	line int
}

// testDecls finds where the top-level functions of dir's _test.go files are
// declared, by name; files are named relative to root.
func testDecls(dir, root string) map[string]decl {
	out := map[string]decl{}
	ents, err := os.ReadDir(dir)
	if err != nil {
		return out
	}
	fset := token.NewFileSet()
	for _, e := range ents {
		if !strings.HasSuffix(e.Name(), "_test.go") {
			continue
		}
		path := filepath.Join(dir, e.Name())
		f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		if err != nil {
			continue
		}
		rel := path
		if r, err := filepath.Rel(root, path); err == nil && root != "" {
			rel = r
		}
		for _, d := range f.Decls {
			if fd, ok := d.(*ast.FuncDecl); ok && fd.Recv == nil {
				out[fd.Name.Name] = decl{file: filepath.ToSlash(rel), line: fset.Position(fd.Pos()).Line}
			}
		}
	}
	return out
}
