// Command genprofile writes a synthetic Go module and a coverage profile of
// it, for benchmarks of profile parsing, ranking and the HTML report:
//
//	go run ./bench/genprofile -dir /dev/shm/big
//
// writes /dev/shm/big/go.mod, PACKAGES packages holding FILES Go files in
// all, and /dev/shm/big/big.out with one line per block. Every function is
//
//	func fN(x int) int {
//		switch x {
//		case 1:
//			x += 1
//		...
//		}
//		return x
//	}
//
// whose CASES+2 blocks sit exactly where `go test -cover` puts them, so `go
// tool cover -func` and the HTML report find real functions and lines. With
// the defaults the profile holds 1,000,000 blocks over 5,000 files. -copies
// repeats every block line (without a second mode line, as `go test`
// concatenates the profiles of several test binaries under -coverpkg).
//
// -shape smallfuncs writes instead the code of issue 26's profile: many
// small functions with two ifs each,
//
//	func fN(x int) int {
//		if x > 10 {
//			x += 3
//		}
//		if x%7 == 0 {
//			x /= 2
//		}
//		return x
//	}
//
// five blocks each, FUNCS of them per file (default 40: about 4 KB of
// source and 200 blocks per file, 1,000,000 blocks over 5,000 files).
package main

import (
	"bufio"
	"flag"
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"strconv"
)

func main() {
	dir := flag.String("dir", "", "output `directory` (created)")
	files := flag.Int("files", 5000, "Go files in all")
	pkgs := flag.Int("packages", 50, "packages the files are spread over")
	shape := flag.String("shape", "current", "`shape` of the code: current (switches of CASES cases) or smallfuncs (small functions with two ifs)")
	funcs := flag.Int("funcs", 0, "functions per file (default 20, 40 for -shape smallfuncs)")
	cases := flag.Int("cases", 8, "switch cases per function (blocks per function = cases+2)")
	copies := flag.Int("copies", 1, "times every block line appears in the profile")
	covered := flag.Float64("covered", 0.6, "fraction of blocks covered")
	seed := flag.Int64("seed", 1, "random seed of the counts")
	tests := flag.Bool("tests", false, "also write a test file per package that calls each file's first function (for running go test on the module)")
	flag.Parse()
	var gen func(pkg string, index, funcs, cases int) ([]block, []byte)
	switch *shape {
	case "current":
		gen = file
		if *funcs == 0 {
			*funcs = 20
		}
	case "smallfuncs":
		gen = smallFuncsFile
		if *funcs == 0 {
			*funcs = 40
		}
	default:
		fmt.Fprintf(os.Stderr, "genprofile: -shape %q: want current or smallfuncs\n", *shape)
		os.Exit(2)
	}
	if *dir == "" || *files < 1 || *pkgs < 1 || *funcs < 1 || *cases < 1 || *copies < 1 {
		fmt.Fprintln(os.Stderr, "usage: genprofile -dir DIR [-files N] [-packages N] [-funcs N] [-cases N] [-copies N] [-shape current|smallfuncs]")
		os.Exit(2)
	}
	if err := run(gen, *dir, *files, *pkgs, *funcs, *cases, *copies, *covered, *seed, *tests); err != nil {
		fmt.Fprintln(os.Stderr, "genprofile:", err)
		os.Exit(1)
	}
}

const module = "example.com/big"

type block struct{ sl, sc, el, ec int }

func run(gen func(pkg string, index, funcs, cases int) ([]block, []byte), dir string, files, pkgs, funcs, cases, copies int, covered float64, seed int64, tests bool) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module "+module+"\n\ngo 1.22\n"), 0o644); err != nil {
		return err
	}
	prof, err := os.Create(filepath.Join(dir, "big.out"))
	if err != nil {
		return err
	}
	pw := bufio.NewWriterSize(prof, 1<<20)
	pw.WriteString("mode: set\n")
	rng := rand.New(rand.NewSource(seed))
	nblocks := 0
	var lines []byte
	for copy := 0; copy < copies; copy++ {
		for f := 0; f < files; f++ {
			pkg := fmt.Sprintf("p%03d", f%pkgs)
			name := fmt.Sprintf("f%05d.go", f)
			blocks, src := gen(pkg, f, funcs, cases)
			if copy == 0 {
				if err := os.MkdirAll(filepath.Join(dir, pkg), 0o755); err != nil {
					return err
				}
				if err := os.WriteFile(filepath.Join(dir, pkg, name), src, 0o644); err != nil {
					return err
				}
			}
			prefix := module + "/" + pkg + "/" + name + ":"
			for _, b := range blocks {
				c := 0
				if rng.Float64() < covered {
					c = 1
				}
				lines = append(lines[:0], prefix...)
				lines = strconv.AppendInt(lines, int64(b.sl), 10)
				lines = append(lines, '.')
				lines = strconv.AppendInt(lines, int64(b.sc), 10)
				lines = append(lines, ',')
				lines = strconv.AppendInt(lines, int64(b.el), 10)
				lines = append(lines, '.')
				lines = strconv.AppendInt(lines, int64(b.ec), 10)
				lines = append(lines, " 1 "...)
				lines = strconv.AppendInt(lines, int64(c), 10)
				lines = append(lines, '\n')
				pw.Write(lines)
				nblocks++
			}
		}
	}
	if err := pw.Flush(); err != nil {
		return err
	}
	if tests {
		for p := 0; p < pkgs && p < files; p++ {
			pkg := fmt.Sprintf("p%03d", p)
			src := "package " + pkg + "\n\nimport \"testing\"\n\nfunc TestFirstFunctions(t *testing.T) {\n"
			for f := p; f < files; f += pkgs {
				src += fmt.Sprintf("\tif f%d_0(1) < 0 {\n\t\tt.Fatal(\"f%d_0\")\n\t}\n", f, f)
			}
			src += "}\n"
			if err := os.WriteFile(filepath.Join(dir, pkg, pkg+"_test.go"), []byte(src), 0o644); err != nil {
				return err
			}
		}
	}
	if err := prof.Close(); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "genprofile: %s: %d block lines (%d distinct) over %d files in %d packages\n",
		filepath.Join(dir, "big.out"), nblocks, nblocks/copies, files, pkgs)
	return nil
}

// file returns the blocks and the source of one file.
func file(pkg string, index, funcs, cases int) ([]block, []byte) {
	var src []byte
	src = append(src, "package "+pkg+"\n"...)
	line := 1
	var blocks []block
	for fn := 0; fn < funcs; fn++ {
		src = append(src, '\n')
		line++
		head := fmt.Sprintf("func f%d_%d(x int) int {", index, fn)
		src = append(src, head+"\n"...)
		L := line + 1
		line++
		src = append(src, "\tswitch x {\n"...)
		line++
		blocks = append(blocks, block{L, len(head), L + 1, 11})
		for k := 1; k <= cases; k++ {
			c := fmt.Sprintf("\tcase %d:", k)
			body := fmt.Sprintf("\t\tx += %d", k)
			src = append(src, c+"\n"+body+"\n"...)
			blocks = append(blocks, block{line + 1, len(c) + 1, line + 2, len(body) + 1})
			line += 2
		}
		src = append(src, "\t}\n\treturn x\n}\n"...)
		blocks = append(blocks, block{line + 2, 2, line + 2, 10})
		line += 3
	}
	return blocks, src
}

// smallFuncsFile returns the blocks and the source of one file of small
// functions, each with two ifs: five blocks, where `go test -cover` puts
// them (the body up to the first if's brace, each if's body, the code
// between, the return).
func smallFuncsFile(pkg string, index, funcs, _ int) ([]block, []byte) {
	var src []byte
	src = append(src, "package "+pkg+"\n"...)
	line := 1
	var blocks []block
	for fn := 0; fn < funcs; fn++ {
		src = append(src, '\n')
		head := fmt.Sprintf("func f%d_%d(x int) int {", index, fn)
		if1, if2 := "\tif x > 10 {", "\tif x%7 == 0 {"
		L := line + 2 // the line of head
		src = append(src, head+"\n"+if1+"\n\t\tx = x*3 + 1\n\t}\n"+if2+"\n\t\tx /= 2\n\t}\n\treturn x\n}\n"...)
		blocks = append(blocks,
			block{L, len(head), L + 1, len(if1)},
			block{L + 1, len(if1), L + 3, 3},
			block{L + 4, 2, L + 4, len(if2)},
			block{L + 4, len(if2), L + 6, 3},
			block{L + 7, 2, L + 7, 10})
		line += 10
	}
	return blocks, src
}
