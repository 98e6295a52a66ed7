// Command genprofile-html writes a synthetic Go module and a coverage
// profile of it, big enough to benchmark the HTML report against
// `go tool cover -html`: by default 50 packages × 100 files × 10 functions
// × 10 if statements, which is 5,000 files and 1,050,000 blocks.
//
//	go run ./bench/genprofile-html -dir /tmp/big
//
// writes /tmp/big/go.mod (module example.com/big), the sources, and
// /tmp/big/big.out. The blocks sit exactly where `go test -cover` would put
// them for this source shape, so `go tool cover -html` and sprintkit mark
// the same text. Counts follow a fixed pseudo-random pattern per package
// (some packages untested, some fully tested, most in between), so runs are
// repeatable.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
)

func main() {
	dir := flag.String("dir", "big", "directory to write the module into (replaced)")
	pkgs := flag.Int("pkgs", 50, "packages")
	files := flag.Int("files", 100, "files per package")
	funcs := flag.Int("funcs", 10, "functions per file")
	ifs := flag.Int("ifs", 10, "if statements per function (2 blocks each, plus 1)")
	flag.Parse()
	if err := run(*dir, *pkgs, *files, *funcs, *ifs); err != nil {
		fmt.Fprintln(os.Stderr, "genprofile-html:", err)
		os.Exit(1)
	}
}

func run(dir string, npkg, nfile, nfunc, nif int) error {
	if err := os.RemoveAll(dir); err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module example.com/big\n\ngo 1.21\n"), 0o644); err != nil {
		return err
	}
	pf, err := os.Create(filepath.Join(dir, "big.out"))
	if err != nil {
		return err
	}
	prof := bufio.NewWriterSize(pf, 1<<20)
	fmt.Fprintln(prof, "mode: set")
	blocks := 0
	rng := rand.New(rand.NewPCG(1, 2))
	for p := 0; p < npkg; p++ {
		// Nest some packages to exercise deep paths.
		rel := fmt.Sprintf("pkg%02d", p)
		if p%5 == 4 {
			rel = fmt.Sprintf("internal/area%d/sub/pkg%02d", p%3, p)
		}
		if err := os.MkdirAll(filepath.Join(dir, filepath.FromSlash(rel)), 0o755); err != nil {
			return err
		}
		// How well tested the package is: 0 = untested, 1 = fully.
		level := rng.Float64()
		switch p % 10 {
		case 0:
			level = 0
		case 7:
			level = 1
		}
		name := filepath.Base(rel)
		for f := 0; f < nfile; f++ {
			fileRel := fmt.Sprintf("%s/file%03d.go", rel, f)
			var src strings.Builder
			fmt.Fprintf(&src, "package %s\n\n", name)
			line := 3
			for fn := 0; fn < nfunc; fn++ {
				head := fmt.Sprintf("func F%03d_%02d(x int) int {", f, fn)
				fmt.Fprintf(&src, "%s\n", head)
				funcLine := line
				line++
				ran := rng.Float64() < level
				prevEnd := fmt.Sprintf("%d.%d", funcLine, len(head))
				for i := 0; i < nif; i++ {
					ifLine := fmt.Sprintf("\tif x > %d {", i)
					fmt.Fprintf(&src, "%s\n\t\tx += %d\n\t}\n", ifLine, i+1)
					// statements from the previous boundary to this if's brace
					fmt.Fprintf(prof, "example.com/big/%s:%s,%d.%d 1 %d\n", fileRel, prevEnd, line, len(ifLine), b2i(ran))
					body := ran && rng.Float64() < level
					fmt.Fprintf(prof, "example.com/big/%s:%d.%d,%d.3 1 %d\n", fileRel, line, len(ifLine), line+2, b2i(body))
					blocks += 2
					line += 3
					prevEnd = fmt.Sprintf("%d.2", line)
				}
				fmt.Fprintf(&src, "\treturn x\n}\n\n")
				fmt.Fprintf(prof, "example.com/big/%s:%d.2,%d.10 1 %d\n", fileRel, line, line, b2i(ran))
				blocks++
				line += 3
			}
			if err := os.WriteFile(filepath.Join(dir, filepath.FromSlash(fileRel)), []byte(src.String()), 0o644); err != nil {
				return err
			}
		}
	}
	if err := prof.Flush(); err != nil {
		return err
	}
	if err := pf.Close(); err != nil {
		return err
	}
	fmt.Printf("%s: %d packages, %d files, %d blocks\n", filepath.Join(dir, "big.out"), npkg, npkg*nfile, blocks)
	return nil
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}
