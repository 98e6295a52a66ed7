// Command gentree writes a deterministic tree for the copy benchmarks.
//
//	go run ./bench/gentree -out DIR                   # a source checkout: 20,000 files
//	go run ./bench/gentree -out DIR -files 50000      # a bigger one
//	go run ./bench/gentree -out DIR -large 4 -size 512M  # 4 large files of 512 MiB
//	go run ./bench/gentree -out DIR -shape random     # 800 directories nested at random
//
// The checkout-like tree has nested directories (up to six deep, about a
// dozen entries each), files whose sizes follow what source trees hold —
// most a few KB, about 2 % between 100 KB and 1 MB, about 0.3 % several MB —
// relative symlinks to files and directories (about 2 %), a few hard links
// and empty directories. Content is pseudo-random text from a fixed seed, so
// two runs produce the same tree.
//
// The random tree (-shape random) has -dirs directories (800), each under
// one picked at random among those made before it, so the nesting is deep
// and uneven (a random recursive tree: some chains a dozen levels deep, many
// directories with one or two subdirectories); -files files (20,000) of 0 to
// 64 KiB spread at random over them, a few (one in 4,000) of several MiB,
// and about 1 % symlinks to files and directories.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

func main() {
	out := flag.String("out", "", "directory to create (must not exist)")
	files := flag.Int("files", 20000, "number of regular files in the checkout-like tree")
	large := flag.Int("large", 0, "write this many large files instead of a checkout-like tree")
	size := flag.String("size", "512M", "size of each large file (K, M, G suffixes)")
	seed := flag.Uint64("seed", 1, "random seed")
	shape := flag.String("shape", "checkout", "shape of the tree: checkout or random")
	ndirs := flag.Int("dirs", 800, "number of directories in the random tree")
	flag.Parse()
	if *out == "" {
		fmt.Fprintln(os.Stderr, "gentree: -out DIR is required")
		os.Exit(2)
	}
	if _, err := os.Lstat(*out); err == nil {
		fmt.Fprintf(os.Stderr, "gentree: %s already exists\n", *out)
		os.Exit(2)
	}
	r := rand.New(rand.NewPCG(*seed, 42))
	var err error
	if *large > 0 {
		var n int64
		n, err = parseSize(*size)
		if err == nil {
			err = genLarge(r, *out, *large, n)
		}
	} else {
		switch *shape {
		case "checkout":
			err = genTree(r, *out, *files)
		case "random":
			err = genRandom(r, *out, *files, *ndirs)
		default:
			err = fmt.Errorf("-shape %q: want checkout or random", *shape)
		}
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "gentree: %v\n", err)
		os.Exit(1)
	}
}

func parseSize(s string) (int64, error) {
	mult := int64(1)
	switch {
	case strings.HasSuffix(s, "K"):
		mult, s = 1<<10, strings.TrimSuffix(s, "K")
	case strings.HasSuffix(s, "M"):
		mult, s = 1<<20, strings.TrimSuffix(s, "M")
	case strings.HasSuffix(s, "G"):
		mult, s = 1<<30, strings.TrimSuffix(s, "G")
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("-size %q: %w", s, err)
	}
	return n * mult, nil
}

var words = strings.Fields(`func return if else for range package import type struct interface
map chan go defer select case default var const nil true false err error string int byte
self def class lambda yield async await test assert expect coverage sprint module file path`)

// fill writes n bytes of source-like text to w.
func fill(r *rand.Rand, w *bufio.Writer, n int64) error {
	line := make([]byte, 0, 128)
	for n > 0 {
		line = line[:0]
		for indent := r.IntN(4); indent > 0; indent-- {
			line = append(line, '\t')
		}
		for len(line) < 20+r.IntN(80) {
			line = append(line, words[r.IntN(len(words))]...)
			line = append(line, ' ')
			line = strconv.AppendUint(line, r.Uint64()%100000, 10)
			line = append(line, ' ')
		}
		line = append(line, '\n')
		if int64(len(line)) > n {
			line = line[:n]
		}
		if _, err := w.Write(line); err != nil {
			return err
		}
		n -= int64(len(line))
	}
	return nil
}

func writeFile(r *rand.Rand, path string, size int64) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 256<<10)
	if err := fill(r, w, size); err != nil {
		f.Close()
		return err
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func fileSize(r *rand.Rand) int64 {
	p := r.Float64()
	switch {
	case p < 0.003:
		return 2<<20 + r.Int64N(6<<20) // several MB
	case p < 0.023:
		return 100<<10 + r.Int64N(900<<10)
	case p < 0.10:
		return 16<<10 + r.Int64N(48<<10)
	default:
		return 200 + r.Int64N(12<<10) // a few KB
	}
}

func genTree(r *rand.Rand, out string, nfiles int) error {
	dirs := []string{"."}
	var made []string // files made so far, relative to out
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	var total int64
	for i := 0; i < nfiles; i++ {
		// A new directory about every 12 files, under a random existing one
		// not deeper than six levels.
		if i%12 == 0 {
			parent := dirs[r.IntN(len(dirs))]
			if strings.Count(parent, "/") >= 5 {
				parent = "."
			}
			d := filepath.Join(parent, fmt.Sprintf("pkg%d", len(dirs)))
			if err := os.Mkdir(filepath.Join(out, d), 0o755); err != nil {
				return err
			}
			dirs = append(dirs, d)
			if r.IntN(40) == 0 {
				if err := os.Mkdir(filepath.Join(out, d, "empty"), 0o755); err != nil {
					return err
				}
			}
		}
		d := dirs[len(dirs)-1-r.IntN(min(len(dirs), 8))]
		ext := []string{".go", ".py", ".txt", ".json", ".md", "_test.go"}[r.IntN(6)]
		rel := filepath.Join(d, fmt.Sprintf("file%d%s", i, ext))
		size := fileSize(r)
		total += size
		if err := writeFile(r, filepath.Join(out, rel), size); err != nil {
			return err
		}
		mode := os.FileMode(0o644)
		if r.IntN(20) == 0 {
			mode = 0o755
		}
		if err := os.Chmod(filepath.Join(out, rel), mode); err != nil {
			return err
		}
		made = append(made, rel)
		switch n := r.IntN(100); {
		case n < 2 && len(made) > 1: // a relative symlink to an earlier file
			target := made[r.IntN(len(made)-1)]
			link := filepath.Join(out, d, fmt.Sprintf("link%d", i))
			relTarget, err := filepath.Rel(filepath.Join(out, d), filepath.Join(out, target))
			if err != nil {
				return err
			}
			if err := os.Symlink(relTarget, link); err != nil {
				return err
			}
		case n == 2 && len(dirs) > 1: // a symlink to a directory
			target := dirs[1+r.IntN(len(dirs)-1)]
			relTarget, err := filepath.Rel(filepath.Join(out, d), filepath.Join(out, target))
			if err != nil {
				return err
			}
			if err := os.Symlink(relTarget, filepath.Join(out, d, fmt.Sprintf("dirlink%d", i))); err != nil {
				return err
			}
		case n == 3 && r.IntN(5) == 0: // a hard link
			if err := os.Link(filepath.Join(out, rel), filepath.Join(out, d, fmt.Sprintf("hard%d%s", i, ext))); err != nil {
				return err
			}
		}
	}
	fmt.Printf("gentree: %s: %d files, %d directories, %.1f MiB\n", out, nfiles, len(dirs), float64(total)/(1<<20))
	return nil
}

func genLarge(r *rand.Rand, out string, n int, size int64) error {
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	for i := 0; i < n; i++ {
		f, err := os.Create(filepath.Join(out, fmt.Sprintf("large%d.bin", i)))
		if err != nil {
			return err
		}
		w := bufio.NewWriterSize(f, 1<<20)
		buf := make([]byte, 1<<20)
		for left := size; left > 0; {
			for j := 0; j < len(buf); j += 8 {
				v := r.Uint64()
				for k := 0; k < 8; k++ {
					buf[j+k] = byte(v >> (8 * k))
				}
			}
			m := min(left, int64(len(buf)))
			if _, err := w.Write(buf[:m]); err != nil {
				f.Close()
				return err
			}
			left -= m
		}
		if err := w.Flush(); err != nil {
			f.Close()
			return err
		}
		if err := f.Close(); err != nil {
			return err
		}
	}
	fmt.Printf("gentree: %s: %d files of %.1f MiB\n", out, n, float64(size)/(1<<20))
	return nil
}

// genRandom writes the random tree: ndirs directories each under a random
// earlier one, nfiles files of 0-64 KiB (a few of several MiB) in random
// directories, and about 1 % symlinks.
func genRandom(r *rand.Rand, out string, nfiles, ndirs int) error {
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	dirs := []string{"."}
	depth := 0
	for i := 1; i < ndirs; i++ {
		parent := dirs[r.IntN(len(dirs))]
		d := filepath.Join(parent, fmt.Sprintf("d%d", i))
		if err := os.Mkdir(filepath.Join(out, d), 0o755); err != nil {
			return err
		}
		depth = max(depth, strings.Count(d, "/")+1)
		dirs = append(dirs, d)
	}
	var made []string
	var total int64
	for i := 0; i < nfiles; i++ {
		d := dirs[r.IntN(len(dirs))]
		rel := filepath.Join(d, fmt.Sprintf("f%d.dat", i))
		size := r.Int64N(64<<10 + 1)
		if r.IntN(4000) == 0 {
			size = 2<<20 + r.Int64N(6<<20)
		}
		total += size
		if err := writeFile(r, filepath.Join(out, rel), size); err != nil {
			return err
		}
		made = append(made, rel)
		if r.IntN(100) == 0 {
			target := made[r.IntN(len(made))]
			if r.IntN(4) == 0 {
				target = dirs[r.IntN(len(dirs))]
			}
			relTarget, err := filepath.Rel(filepath.Join(out, d), filepath.Join(out, target))
			if err != nil {
				return err
			}
			if err := os.Symlink(relTarget, filepath.Join(out, d, fmt.Sprintf("l%d", i))); err != nil {
				return err
			}
		}
	}
	fmt.Printf("gentree: %s: %d files, %d directories (up to %d deep), %.1f MiB\n", out, nfiles, len(dirs), depth, float64(total)/(1<<20))
	return nil
}
