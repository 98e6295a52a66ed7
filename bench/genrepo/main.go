// Command genrepo generates a synthetic git repository for benchmarks: a
// bare repository with -commits commits (default 10,000) whose last tree
// holds -files files (default 5,000) in 100 directories, plus a lightweight
// tag every 500 commits. It writes a `git fast-import` stream, which builds
// the whole history in seconds. The content is deterministic (fixed seed),
// so every run makes the same repository.
//
//	go run ./bench/genrepo -o /tmp/bench/repo.git
package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"strings"
	"time"
)

func main() {
	out := flag.String("o", "", "bare repository to create (must not exist)")
	commits := flag.Int("commits", 10000, "number of commits")
	files := flag.Int("files", 5000, "number of files in the last tree")
	flag.Parse()
	if *out == "" || *commits < 1 || *files < 1 {
		fmt.Fprintln(os.Stderr, "usage: genrepo -o DIR.git [-commits N] [-files N]")
		os.Exit(2)
	}
	if err := generate(*out, *commits, *files); err != nil {
		fmt.Fprintf(os.Stderr, "genrepo: %v\n", err)
		os.Exit(1)
	}
}

func generate(dir string, commits, files int) error {
	if _, err := os.Stat(dir); err == nil {
		return fmt.Errorf("%s already exists", dir)
	}
	if out, err := exec.Command("git", "init", "-q", "--bare", "-b", "main", dir).CombinedOutput(); err != nil {
		return fmt.Errorf("git init: %v: %s", err, out)
	}
	cmd := exec.Command("git", "fast-import", "--quiet")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GIT_DIR="+dir)
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return err
	}
	if err := cmd.Start(); err != nil {
		return err
	}
	w := bufio.NewWriterSize(stdin, 1<<20)
	if err := stream(w, commits, files); err != nil {
		stdin.Close()
		cmd.Wait()
		return err
	}
	if err := w.Flush(); err != nil {
		return err
	}
	stdin.Close()
	if err := cmd.Wait(); err != nil {
		return fmt.Errorf("git fast-import: %w", err)
	}
	// Pack it the way a hosting service would serve it.
	if out, err := exec.Command("git", "-C", dir, "gc", "-q", "--prune=now").CombinedOutput(); err != nil {
		return fmt.Errorf("git gc: %v: %s", err, out)
	}
	fmt.Printf("%s: %d commits, %d files\n", dir, commits, files)
	return nil
}

func path(i int) string { return fmt.Sprintf("pkg%03d/file%04d.go", i%100, i) }

// source returns a Go-looking file of 1–4 KiB for file i at revision rev.
func source(r *rand.Rand, i, rev int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "package pkg%03d\n\n// File %d, revision %d.\n\n", i%100, i, rev)
	n := 8 + r.IntN(24)
	for f := 0; f < n; f++ {
		fmt.Fprintf(&b, "func F%d_%d(x int) int {\n\tif x > %d {\n\t\treturn x - %d\n\t}\n\treturn x * %d\n}\n\n", i, f, r.IntN(1000), r.IntN(100), r.IntN(10)+1)
	}
	return b.String()
}

func blob(w io.Writer, path, data string) {
	fmt.Fprintf(w, "M 100644 inline %s\ndata %d\n%s\n", path, len(data), data)
}

func stream(w *bufio.Writer, commits, files int) error {
	r := rand.New(rand.NewPCG(1, 2))
	when := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC).Unix()
	rev := make([]int, files)
	// The first commit adds a fifth of the files; the rest arrive spread
	// over the history, and every commit also edits a few existing ones.
	initial := files / 5
	added := 0
	for c := 1; c <= commits; c++ {
		msg := fmt.Sprintf("commit %d", c)
		fmt.Fprintf(w, "commit refs/heads/main\nmark :%d\ncommitter Bench <bench@example.com> %d +0000\ndata %d\n%s\n", c, when+int64(c)*600, len(msg), msg)
		if c > 1 {
			fmt.Fprintf(w, "from :%d\n", c-1)
		}
		target := initial + (files-initial)*(c-1)/max(commits-1, 1)
		if c == commits {
			target = files
		}
		if c == 1 {
			target = initial
		}
		for ; added < target; added++ {
			blob(w, path(added), source(r, added, 0))
		}
		if added > 0 {
			for k := 0; k < 1+r.IntN(3); k++ {
				i := r.IntN(added)
				rev[i]++
				blob(w, path(i), source(r, i, rev[i]))
			}
		}
		if c%500 == 0 {
			fmt.Fprintf(w, "reset refs/tags/v0.%d.0\nfrom :%d\n\n", c/500, c)
		}
	}
	return nil
}
