// Command diffbench computes the changed lines of a checkout against a
// commit with one of patch's diff backends and prints how many files and
// lines changed, with a digest of the result, so that bench/diff.sh can time
// the backends and check that they agree.
//
//	go run ./bench/diffbench -dir ~/src/project -ref HEAD~1 -backend go-git
package main

import (
	"context"
	"crypto/sha256"
	"flag"
	"fmt"
	"os"
	"sort"

	"github.com/sprintkit/sprintkit/patchcov"
)

func main() {
	dir := flag.String("dir", ".", "the checkout")
	ref := flag.String("ref", "HEAD", "the commit to compare with")
	backend := flag.String("backend", "git", "git or go-git")
	flag.Parse()
	ch, err := patchcov.Diff(context.Background(), *dir, *ref, patchcov.Backend(*backend))
	if err != nil {
		fmt.Fprintf(os.Stderr, "diffbench: %v\n", err)
		os.Exit(1)
	}
	var files []string
	lines := 0
	for f, ls := range ch.Files {
		files = append(files, f)
		lines += len(ls)
	}
	sort.Strings(files)
	h := sha256.New()
	for _, f := range files {
		fmt.Fprintln(h, f, ch.Files[f])
	}
	fmt.Printf("%d files, %d lines, digest %x\n", len(files), lines, h.Sum(nil)[:8])
}
