// Command watchbench measures the watcher and watch-test; bench/watch.sh
// runs it. Subcommands:
//
//	watchbench latency [-n 300] [-dir DIR]
//	    write → event latency of watcher (NoDebounce) and of raw fsnotify,
//	    both watching the same directory in the same run, on the same writes
//	watchbench idle [-dirs 5000] [-seconds 10] [-poll]
//	    CPU time (user+system, from getrusage) spent while watching an idle
//	    tree of that many directories
//	watchbench save -sprintkit BIN [-rounds 5] [-packages 50]
//	    save → first test output of `sprintkit watch-test --json` for a
//	    one-package change in a generated module, against `go test ./...`
//	    run by hand after the same kind of change; interleaved rounds, warm
//	    test cache for both
package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/fsnotify/fsnotify"
	"github.com/sprintkit/sprintkit/watcher"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: watchbench latency|idle|save [flags]")
		os.Exit(2)
	}
	var err error
	switch os.Args[1] {
	case "latency":
		err = latency(os.Args[2:])
	case "idle":
		err = idle(os.Args[2:])
	case "save":
		err = save(os.Args[2:])
	default:
		err = fmt.Errorf("unknown subcommand %q", os.Args[1])
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "watchbench:", err)
		os.Exit(1)
	}
}

func percentile(d []time.Duration, p float64) time.Duration {
	s := append([]time.Duration(nil), d...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	if len(s) == 0 {
		return 0
	}
	i := int(p * float64(len(s)-1))
	return s[i]
}

func latency(args []string) error {
	fs := flag.NewFlagSet("latency", flag.ExitOnError)
	n := fs.Int("n", 300, "writes")
	dir := fs.String("dir", "", "directory (default: a new one under $TMPDIR)")
	fs.Parse(args)
	if *dir == "" {
		d, err := os.MkdirTemp("", "watchbench-lat-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(d)
		*dir = d
	}
	for i := 0; i < *n; i++ {
		if err := os.WriteFile(filepath.Join(*dir, fmt.Sprintf("f%04d", i)), []byte("0"), 0o644); err != nil {
			return err
		}
	}
	type hit struct {
		who  int // 0 sprintkit, 1 raw
		name string
		at   time.Time
	}
	hits := make(chan hit, 1024)

	raw, err := fsnotify.NewWatcher()
	if err != nil {
		return err
	}
	defer raw.Close()
	if err := raw.Add(*dir); err != nil {
		return err
	}
	go func() {
		for ev := range raw.Events {
			hits <- hit{1, filepath.Base(ev.Name), time.Now()}
		}
	}()
	w, err := watcher.New(*dir, watcher.Options{Debounce: watcher.NoDebounce})
	if err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go w.Run(ctx, func(evs []watcher.Event) {
		now := time.Now()
		for _, e := range evs {
			hits <- hit{0, e.Name, now}
		}
	})
	time.Sleep(200 * time.Millisecond)

	var lat [2][]time.Duration
	for i := 0; i < *n; i++ {
		name := fmt.Sprintf("f%04d", i)
		t0 := time.Now()
		if err := os.WriteFile(filepath.Join(*dir, name), []byte("changed"), 0o644); err != nil {
			return err
		}
		var got [2]bool
		timeout := time.After(5 * time.Second)
		for !got[0] || !got[1] {
			select {
			case h := <-hits:
				if h.name == name && !got[h.who] {
					got[h.who] = true
					lat[h.who] = append(lat[h.who], h.at.Sub(t0))
				}
			case <-timeout:
				return fmt.Errorf("write %d: no event within 5s (sprintkit %v, fsnotify %v)", i, got[0], got[1])
			}
		}
		time.Sleep(2 * time.Millisecond)
		// Drain the second event of the write (truncate, then write).
		for len(hits) > 0 {
			<-hits
		}
	}
	fmt.Printf("write → event latency, %d writes, same directory, same run:\n", *n)
	for who, label := range []string{"sprintkit watcher (NoDebounce)", "raw fsnotify"} {
		fmt.Printf("  %-32s median %8s  p99 %8s  max %8s\n", label,
			percentile(lat[who], 0.5).Round(time.Microsecond), percentile(lat[who], 0.99).Round(time.Microsecond), percentile(lat[who], 1).Round(time.Microsecond))
	}
	m0, m1 := percentile(lat[0], 0.5), percentile(lat[1], 0.5)
	p0, p1 := percentile(lat[0], 0.99), percentile(lat[1], 0.99)
	fmt.Printf("  ratio sprintkit/fsnotify: median %.2f, p99 %.2f\n", float64(m0)/float64(m1), float64(p0)/float64(p1))
	return nil
}

func idle(args []string) error {
	fs := flag.NewFlagSet("idle", flag.ExitOnError)
	dirs := fs.Int("dirs", 5000, "directories")
	seconds := fs.Int("seconds", 10, "idle time")
	poll := fs.Bool("poll", false, "poll instead of inotify")
	fs.Parse(args)
	root, err := os.MkdirTemp("", "watchbench-idle-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(root)
	// 50 top directories of 10 of 10: 5000 leaves plus their parents.
	made := 0
	for i := 0; made < *dirs; i++ {
		for j := 0; j < 10 && made < *dirs; j++ {
			d := filepath.Join(root, fmt.Sprintf("d%03d", i), fmt.Sprintf("s%d", j))
			if err := os.MkdirAll(d, 0o755); err != nil {
				return err
			}
			if err := os.WriteFile(filepath.Join(d, "x.go"), []byte("package x\n"), 0o644); err != nil {
				return err
			}
			made++
		}
	}
	c0, t0 := cpuTime(), time.Now()
	w, err := watcher.New(root, watcher.Options{Poll: *poll})
	if err != nil {
		return err
	}
	setupCPU, setupWall := cpuTime()-c0, time.Since(t0)
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); w.Run(ctx, func([]watcher.Event) {}) }()
	time.Sleep(500 * time.Millisecond) // let Run settle
	c1 := cpuTime()
	time.Sleep(time.Duration(*seconds) * time.Second)
	used := cpuTime() - c1
	cancel()
	wg.Wait()
	mode := "inotify"
	if w.Polling() {
		mode = "polling, 1s interval stretched to 20 scans' time"
	}
	fmt.Printf("idle CPU watching %d directories (plus %d parents) (%s): %s over %ds = %.3f%% of one core; setup %s wall, %s CPU\n",
		made, (made+9)/10, mode, used.Round(time.Microsecond), *seconds, 100*used.Seconds()/float64(*seconds),
		setupWall.Round(time.Millisecond), setupCPU.Round(time.Millisecond))
	return nil
}

// save compares watch-test with go test ./... by hand.
func save(args []string) error {
	fs := flag.NewFlagSet("save", flag.ExitOnError)
	bin := fs.String("sprintkit", "", "sprintkit binary")
	rounds := fs.Int("rounds", 5, "interleaved rounds")
	npkg := fs.Int("packages", 50, "packages in the generated module")
	fs.Parse(args)
	if *bin == "" {
		return fmt.Errorf("-sprintkit BIN is required")
	}
	root, err := os.MkdirTemp("", "watchbench-save-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(root)
	if err := genModule(root, *npkg); err != nil {
		return err
	}
	// Chains of ten: p(i) imports p(i-1) within each ten. p05 is imported
	// by p06..p09, so a change in it affects five packages.
	changed := filepath.Join(root, "p05", "p.go")
	orig, err := os.ReadFile(changed)
	if err != nil {
		return err
	}
	// A save that changes code, not only a comment: Go's caches see through
	// comment-only edits (same object, same test binary, cached result).
	edit := func(i int) error {
		src := fmt.Sprintf("%s\n// Edit changes with every save.\nvar Edit = %d\n", orig, time.Now().UnixNano()+int64(i))
		return os.WriteFile(changed, []byte(src), 0o644)
	}
	goTest := func() (first, total time.Duration, err error) {
		t0 := time.Now()
		cmd := exec.Command("go", "test", "./...")
		cmd.Dir = root
		out, err := cmd.StdoutPipe()
		if err != nil {
			return 0, 0, err
		}
		if err := cmd.Start(); err != nil {
			return 0, 0, err
		}
		// go test ./... prints cached packages first; the first output
		// about the change is the changed package's line.
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if first == 0 && strings.Contains(sc.Text(), "example.com/bench/p05") {
				first = time.Since(t0)
			}
		}
		err = cmd.Wait()
		return first, time.Since(t0), err
	}
	// Warm the test cache of both: go test ./..., then one watch-test run.
	if _, _, err := goTest(); err != nil {
		return fmt.Errorf("go test ./... in the generated module: %w", err)
	}
	wt := exec.Command(*bin, "watch-test", "--json")
	wt.Dir = root
	stdout, err := wt.StdoutPipe()
	if err != nil {
		return err
	}
	if err := wt.Start(); err != nil {
		return err
	}
	defer func() { wt.Process.Kill(); wt.Wait() }()
	lines := make(chan string, 1024)
	go func() {
		sc := bufio.NewScanner(stdout)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	// waitFor waits for a line that starts with one of prefixes.
	waitFor := func(prefixes ...string) error {
		timeout := time.After(2 * time.Minute)
		for {
			select {
			case l, ok := <-lines:
				if !ok {
					return fmt.Errorf("watch-test exited")
				}
				for _, p := range prefixes {
					if strings.HasPrefix(l, p) {
						return nil
					}
				}
			case <-timeout:
				return fmt.Errorf("no %s line within 2 minutes", strings.Join(prefixes, " or "))
			}
		}
	}
	if err := waitFor(`{"event":"ready"`); err != nil {
		return err
	}
	watchRound := func(i int) (first time.Duration, err error) {
		t0 := time.Now()
		if err := edit(i); err != nil {
			return 0, err
		}
		// The first test output: a package's line as it finishes (since
		// watch-test streams them), else the results at the end of the run.
		if err := waitFor(`{"event":"package"`, `{"event":"result"`); err != nil {
			return 0, err
		}
		first = time.Since(t0)
		return first, waitFor(`{"event":"done"`)
	}
	if _, err := watchRound(-1); err != nil { // warm the coverage build
		return err
	}
	var ratiosFirst, ratiosTotal []float64
	var wfs, gfs, gts []time.Duration
	for i := 0; i < *rounds; i++ {
		wf, err := watchRound(i)
		if err != nil {
			return err
		}
		// By hand: the same kind of save, then go test ./...; watch-test
		// sees this edit too, so wait for its run to finish first.
		if err := edit(1000 + i); err != nil {
			return err
		}
		if err := waitFor(`{"event":"done"`); err != nil {
			return err
		}
		if err := edit(2000 + i); err != nil {
			return err
		}
		if err := waitFor(`{"event":"done"`); err != nil {
			return err
		}
		gf, gt, err := goTest()
		if err != nil {
			return err
		}
		wfs, gfs, gts = append(wfs, wf), append(gfs, gf), append(gts, gt)
		ratiosFirst = append(ratiosFirst, wf.Seconds()/gf.Seconds())
		ratiosTotal = append(ratiosTotal, wf.Seconds()/gt.Seconds())
		fmt.Printf("  round %d: watch-test save→first package line or result %s; go test ./... p05's line %s, done %s\n", i+1,
			wf.Round(time.Millisecond), gf.Round(time.Millisecond), gt.Round(time.Millisecond))
	}
	med := func(x []float64) (float64, float64, float64) {
		s := append([]float64(nil), x...)
		sort.Float64s(s)
		return s[len(s)/2], s[0], s[len(s)-1]
	}
	medD := func(x []time.Duration) time.Duration { return percentile(x, 0.5).Round(time.Millisecond) }
	fmt.Printf("save → first test output, %d-package module, change in one package (5 affected), %d interleaved rounds, warm caches:\n", *npkg, *rounds)
	fmt.Printf("  watch-test median %s; go test ./... median to the changed package's line %s, median done %s\n", medD(wfs), medD(gfs), medD(gts))
	m, lo, hi := med(ratiosFirst)
	fmt.Printf("  ratio watch-test / go test ./... changed package's line: median %.2f (min %.2f, max %.2f)\n", m, lo, hi)
	m, lo, hi = med(ratiosTotal)
	fmt.Printf("  ratio watch-test / go test ./... done:       median %.2f (min %.2f, max %.2f)\n", m, lo, hi)
	return nil
}

// genModule writes a module of n packages with a function of a few
// branches and a test each, in chains of ten.
func genModule(root string, n int) error {
	if err := os.WriteFile(filepath.Join(root, "go.mod"), []byte("module example.com/bench\n\ngo 1.22\n"), 0o644); err != nil {
		return err
	}
	for i := 0; i < n; i++ {
		dir := filepath.Join(root, fmt.Sprintf("p%02d", i))
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return err
		}
		imp, call := "", "0"
		if i%10 != 0 {
			imp = fmt.Sprintf("import prev \"example.com/bench/p%02d\"\n\n", i-1)
			call = "prev.F(x - 1)"
		}
		src := fmt.Sprintf(`package p%02d

%s// F is a function with a few branches.
func F(x int) int {
	if x <= 0 {
		return 0
	}
	if x%%2 == 0 {
		return x + %s
	}
	return x * 3
}
`, i, imp, call)
		test := fmt.Sprintf(`package p%02d

import "testing"

func TestF(t *testing.T) {
	for x := 0; x < 50; x++ {
		if F(x) < 0 {
			t.Fatal(x)
		}
	}
}
`, i)
		if err := os.WriteFile(filepath.Join(dir, "p.go"), []byte(src), 0o644); err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dir, "p_test.go"), []byte(test), 0o644); err != nil {
			return err
		}
	}
	return nil
}
