// Command htmlsite writes the HTML report of a Go coverage profile the way
// `sprintkit coverage --profile P --html --out DIR` does (parse, map to
// packages with go list and go/ast, rank, write the site), and prints the
// time of each stage on stderr. bench/html.sh runs it against
// `go tool cover -html`.
//
//	htmlsite -profile big.out -root /tmp/big -out /tmp/site
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"runtime/pprof"
	"time"

	"github.com/sprintkit/sprintkit/coverage"
	"github.com/sprintkit/sprintkit/coverage/gotest"
	"github.com/sprintkit/sprintkit/report"
)

func main() {
	profile := flag.String("profile", "", "Go coverage profile")
	root := flag.String("root", ".", "module root (sources are read from here)")
	out := flag.String("out", "site", "site directory")
	workers := flag.Int("workers", 0, "page writers (0 = GOMAXPROCS)")
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile of the whole run here")
	memprofile := flag.String("memprofile", "", "write an allocation profile of the whole run here (go tool pprof -sample_index=alloc_space)")
	flag.Parse()
	cpuProfile = *cpuprofile
	if err := run(*profile, *root, *out, *workers); err != nil {
		fmt.Fprintln(os.Stderr, "htmlsite:", err)
		os.Exit(1)
	}
	if *memprofile != "" {
		if err := writeHeapProfile(*memprofile); err != nil {
			fmt.Fprintln(os.Stderr, "htmlsite:", err)
			os.Exit(1)
		}
	}
}

// writeHeapProfile writes the allocations of the whole run (the heap
// profile holds every allocation sampled since the start).
func writeHeapProfile(name string) error {
	f, err := os.Create(name)
	if err != nil {
		return err
	}
	if err := pprof.Lookup("allocs").WriteTo(f, 0); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

var cpuProfile string

func run(profile, root, out string, workers int) error {
	ctx := context.Background()
	if cpuProfile != "" {
		pf, err := os.Create(cpuProfile)
		if err != nil {
			return err
		}
		pprof.StartCPUProfile(pf)
		defer pprof.StopCPUProfile()
	}
	t0 := time.Now()
	// As `coverage --html` does: go list runs while the profile is read,
	// the sources are scanned as the profile names them, and the function
	// scan keeps the tokens the report highlights.
	l := gotest.StartListing(ctx, root)
	l.KeepTokens()
	f, err := os.Open(profile)
	if err != nil {
		l.Stop()
		return err
	}
	m := gotest.NewMerger()
	m.OnFile = l.Prescan
	err = m.Read(profile, f)
	f.Close()
	if err != nil {
		l.Stop()
		return err
	}
	profiles, err := m.Profiles()
	if err != nil {
		l.Stop()
		return err
	}
	t1 := time.Now()
	r, err := l.Result(ctx, profiles)
	if err != nil {
		return err
	}
	t2 := time.Now()
	targets := coverage.Rank(r, coverage.RankOptions{Top: 20})
	t3 := time.Now()
	cpu0 := cpuTime()
	index, err := report.HTML(ctx, out, r, targets, report.HTMLOptions{Workers: workers})
	if err != nil {
		return err
	}
	t4 := time.Now()
	cpu := cpuTime() - cpu0
	fmt.Fprintf(os.Stderr, "htmlsite: parse %.2fs, packages+functions %.2fs, rank %.2fs, site %.2fs (cpu %.2fs), total %.2fs\n",
		t1.Sub(t0).Seconds(), t2.Sub(t1).Seconds(), t3.Sub(t2).Seconds(), t4.Sub(t3).Seconds(), cpu.Seconds(), t4.Sub(t0).Seconds())
	fmt.Println(index)
	return nil
}
