package gotest

import (
	"go/ast"
	"go/parser"
	"go/token"

	"golang.org/x/tools/cover"
)

// sourceBlocks returns the statements of a Go source file as cmd/cover
// counts them, none covered: a block per statement list (function bodies,
// blocks, case and comm clauses, function literals), NumStmt its length,
// and an else-if as a block of one. It reads syntax only, so it works on a
// package that does not compile, whose statements no profile holds.
func sourceBlocks(path string) ([]cover.ProfileBlock, error) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
	if err != nil {
		return nil, err
	}
	var blocks []cover.ProfileBlock
	add := func(list []ast.Stmt) {
		if len(list) == 0 {
			return
		}
		start, end := fset.Position(list[0].Pos()), fset.Position(list[len(list)-1].End())
		blocks = append(blocks, cover.ProfileBlock{StartLine: start.Line, StartCol: start.Column,
			EndLine: end.Line, EndCol: end.Column, NumStmt: len(list)})
	}
	ast.Inspect(f, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.BlockStmt:
			if len(n.List) > 0 {
				switch n.List[0].(type) {
				case *ast.CaseClause, *ast.CommClause: // a switch's or select's body
					return true
				}
			}
			add(n.List)
		case *ast.CaseClause:
			add(n.Body)
		case *ast.CommClause:
			add(n.Body)
		case *ast.IfStmt:
			if elif, ok := n.Else.(*ast.IfStmt); ok {
				add([]ast.Stmt{elif})
			}
		}
		return true
	})
	return blocks, nil
}
