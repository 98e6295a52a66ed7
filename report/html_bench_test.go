package report

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/tools/cover"

	"github.com/sprintkit/sprintkit/coverage"
)

// synthResult writes nfile sources of the shape bench/genprofile-html
// writes (functions of if statements) under dir and returns their result.
func synthResult(tb testing.TB, dir string, npkg, nfile, nfunc, nif int) *coverage.Result {
	r := &coverage.Result{Project: "example.com/big", Root: dir, Language: "go", Mode: "set"}
	for p := 0; p < npkg; p++ {
		pkg := &coverage.Package{Name: fmt.Sprintf("example.com/big/pkg%02d", p), Dir: fmt.Sprintf("pkg%02d", p)}
		os.MkdirAll(filepath.Join(dir, pkg.Dir), 0o755)
		for f := 0; f < nfile; f++ {
			rel := fmt.Sprintf("%s/file%03d.go", pkg.Dir, f)
			file := &coverage.File{Path: "example.com/big/" + rel, Rel: rel}
			var src strings.Builder
			fmt.Fprintf(&src, "package pkg%02d\n\n", p)
			line := 3
			for fn := 0; fn < nfunc; fn++ {
				head := fmt.Sprintf("func F%03d_%02d(x int) int {", f, fn)
				src.WriteString(head + "\n")
				fun := &coverage.Function{Name: fmt.Sprintf("F%03d_%02d", f, fn), File: rel, Line: line}
				ran := (p+f+fn)%3 != 0
				start := [2]int{line, len(head)}
				line++
				for i := 0; i < nif; i++ {
					ifLine := fmt.Sprintf("\tif x > %d {", i)
					fmt.Fprintf(&src, "%s\n\t\tx += %d\n\t}\n", ifLine, i+1)
					file.Blocks = append(file.Blocks,
						cover.ProfileBlock{StartLine: start[0], StartCol: start[1], EndLine: line, EndCol: len(ifLine), NumStmt: 1, Count: b2i(ran)},
						cover.ProfileBlock{StartLine: line, StartCol: len(ifLine), EndLine: line + 2, EndCol: 3, NumStmt: 1, Count: b2i(ran && i%2 == 0)})
					line += 3
					start = [2]int{line, 2}
				}
				src.WriteString("\treturn x\n}\n\n")
				file.Blocks = append(file.Blocks, cover.ProfileBlock{StartLine: line, StartCol: 2, EndLine: line, EndCol: 10, NumStmt: 1, Count: b2i(ran)})
				fun.EndLine = line + 1
				line += 3
				file.Functions = append(file.Functions, fun)
			}
			if err := os.WriteFile(filepath.Join(dir, filepath.FromSlash(rel)), []byte(src.String()), 0o644); err != nil {
				tb.Fatal(err)
			}
			pkg.Files = append(pkg.Files, file)
		}
		r.Packages = append(r.Packages, pkg)
	}
	r.Finalize()
	for _, p := range r.Packages {
		for _, f := range p.Files {
			for _, fn := range f.Functions {
				for _, b := range f.Blocks {
					if b.StartLine >= fn.Line && b.StartLine <= fn.EndLine {
						fn.Statements += b.NumStmt
						if b.Count > 0 {
							fn.Covered += b.NumStmt
						}
					}
				}
			}
		}
	}
	r.Finalize()
	return r
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// BenchmarkHTML writes the site of 10 packages × 50 files × 10 functions of
// 21 blocks (105,000 blocks, 500 file pages).
func BenchmarkHTML(b *testing.B) {
	src := b.TempDir()
	r := synthResult(b, src, 10, 50, 10, 10)
	targets := coverage.Rank(r, coverage.RankOptions{Top: 20})
	out := filepath.Join(b.TempDir(), "site")
	pages := 1 + 10 + 10*50
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := HTML(context.Background(), out, r, targets, HTMLOptions{}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(pages*b.N)/b.Elapsed().Seconds(), "pages/s")
	b.ReportMetric(float64(105000*b.N)/b.Elapsed().Seconds(), "blocks/s")
}
