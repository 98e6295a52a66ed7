// Command pertestbench measures the per-test coverage of one Go package
// with coverage/pertest, the cache off, and prints how many tests it
// measured, so that bench/pertest.sh can time it against a plain go test.
//
//	go run ./bench/pertestbench -dir /tmp/gen -pkg example.com/gen
package main

import (
	"context"
	"flag"
	"fmt"
	"os"

	"github.com/sprintkit/sprintkit/coverage/pertest"
)

func main() {
	dir := flag.String("dir", ".", "the package's directory")
	pkg := flag.String("pkg", "", "its import path")
	flag.Parse()
	m, err := pertest.Go(context.Background(), []pertest.GoPackage{{Path: *pkg, Dir: *dir}}, pertest.Options{Root: *dir}, os.Stderr)
	if err != nil {
		fmt.Fprintf(os.Stderr, "pertestbench: %v\n", err)
		os.Exit(1)
	}
	p := m.Packages[*pkg]
	if p == nil {
		fmt.Fprintf(os.Stderr, "pertestbench: %s was not measured\n", *pkg)
		os.Exit(1)
	}
	fmt.Printf("%d tests measured, %d skipped, %d processes\n", len(p.Tests), len(p.Skipped), m.Ran)
}
