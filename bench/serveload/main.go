//go:build unix

// Command serveload puts one `sprintkit serve` under a sprint room's load
// on loopback: N sprinters at once each clone the repository with git and
// download every module with the go command, into a fresh module cache of
// their own, through the server only. It checks that every clone is the
// image's commit with a clean work tree and that every download
// succeeded, then prints when each sprinter finished, the time of the
// last (the Nth) finish, and the server's peak RSS.
//
//	go build -o /tmp/sprintkit ./cmd/sprintkit
//	/tmp/sprintkit image --no-report --out /var/tmp/box
//	go run ./bench/serveload -sprintkit /tmp/sprintkit -image /var/tmp/box -n 50
//
// Everything listens on and connects to 127.0.0.1 only; the run is bounded
// by -timeout (every child is stopped then) and removes its temporary
// directories. The server is stopped with SIGINT, as Ctrl-C would.
//
// With -stick (the default) it then times the USB-stick baseline: N
// sprinters one after the other copying the image's repo/ and gomod/ with
// `sprintkit copy`, as they would from one stick passed around. The two
// are not the same work: a sprinter of the server also has the go command
// verify and extract every module zip, which the copy does not.
//
// Peak RSS is the server process's ru_maxrss after it exits (Linux: the
// largest of the server and the git processes it waited for, which
// rusage folds in), so it counts what one organiser's laptop holds at most
// in one process.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"
)

func main() {
	bin := flag.String("sprintkit", "sprintkit", "the sprintkit binary to serve with")
	img := flag.String("image", "", "a staged image directory (required)")
	n := flag.Int("n", 50, "sprinters at once")
	timeout := flag.Duration("timeout", 10*time.Minute, "time limit of the whole run")
	stick := flag.Bool("stick", true, "then, as the USB-stick baseline, N sequential `sprintkit copy` of the image's repo/ and gomod/")
	flag.Parse()
	if *img == "" || *n < 1 {
		fmt.Fprintln(os.Stderr, "usage: serveload -image DIR [-sprintkit BIN] [-n 50] [-timeout 10m]")
		os.Exit(2)
	}
	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()
	if err := run(ctx, *bin, *img, *n); err != nil {
		fmt.Fprintln(os.Stderr, "serveload:", err)
		os.Exit(1)
	}
	if *stick {
		if err := copies(ctx, *bin, *img, *n); err != nil {
			fmt.Fprintln(os.Stderr, "serveload:", err)
			os.Exit(1)
		}
	}
}

// copies is the USB-stick baseline: n sprinters one after the other (one
// stick) each copy the image's repo/ and gomod/ with sprintkit copy.
func copies(ctx context.Context, bin, img string, n int) error {
	work, err := os.MkdirTemp("", "serveload-stick-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)
	start := time.Now()
	for i := range n {
		for _, sub := range []string{"repo", "gomod"} {
			dst := filepath.Join(work, "dst", sub)
			cmd := exec.CommandContext(ctx, bin, "copy", filepath.Join(img, sub), dst)
			if out, err := cmd.CombinedOutput(); err != nil {
				return fmt.Errorf("copy %d of %s: %w\n%s", i, sub, err, out)
			}
		}
		exec.Command("chmod", "-R", "u+w", filepath.Join(work, "dst")).Run()
		if err := os.RemoveAll(filepath.Join(work, "dst")); err != nil {
			return err
		}
	}
	fmt.Printf("%d sequential sprintkit copy of repo/ and gomod/ (the USB-stick baseline): %v\n", n, time.Since(start).Round(time.Millisecond))
	return nil
}

type sprint struct {
	Commit  string   `json:"commit"`
	Modules []string `json:"modules"`
	URLs    struct {
		Repo, GoProxy string
	} `json:"urls"`
}

type result struct {
	i    int
	took time.Duration
	err  error
}

func run(ctx context.Context, bin, img string, n int) error {
	work, err := os.MkdirTemp("", "serveload-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)
	urlFile := filepath.Join(work, "url")
	srv := exec.Command(bin, "serve", img, "--addr", "127.0.0.1:0", "--url-file", urlFile, "--db", filepath.Join(work, "claims.db"))
	srv.Stdout, srv.Stderr = os.Stderr, os.Stderr
	if err := srv.Start(); err != nil {
		return fmt.Errorf("start %s serve: %w", bin, err)
	}
	stopped := false
	stop := func() (*syscall.Rusage, error) {
		if stopped {
			return nil, nil
		}
		stopped = true
		srv.Process.Signal(os.Interrupt)
		done := make(chan error, 1)
		go func() { done <- srv.Wait() }()
		select {
		case <-done:
		case <-time.After(15 * time.Second):
			srv.Process.Kill()
			<-done
			return nil, errors.New("the server did not stop within 15s of SIGINT")
		}
		ru, _ := srv.ProcessState.SysUsage().(*syscall.Rusage)
		return ru, nil
	}
	defer stop()

	var base string
	for base == "" {
		if b, err := os.ReadFile(urlFile); err == nil && len(b) > 0 {
			base = strings.TrimSpace(string(b))
			break
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("the server wrote no URL: %w", ctx.Err())
		case <-time.After(100 * time.Millisecond):
		}
	}
	var sp sprint
	resp, err := http.Get(base + "sprint.json")
	if err != nil {
		return err
	}
	err = json.NewDecoder(resp.Body).Decode(&sp)
	resp.Body.Close()
	if err != nil {
		return fmt.Errorf("sprint.json: %w", err)
	}
	fmt.Printf("server %s, commit %.12s, %d sprinters at once\n", base, sp.Commit, n)

	start := time.Now()
	results := make(chan result, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := sprinter(ctx, work, i, base, sp)
			results <- result{i, time.Since(start), err}
		}()
	}
	wg.Wait()
	close(results)
	var all []result
	failed := 0
	for r := range results {
		all = append(all, r)
		if r.err != nil {
			failed++
			fmt.Printf("sprinter %d: %v\n", r.i, r.err)
		}
	}
	sort.Slice(all, func(a, b int) bool { return all[a].took < all[b].took })
	ru, err := stop()
	if err != nil {
		return err
	}
	fmt.Printf("first finish   %v\n", all[0].took.Round(time.Millisecond))
	fmt.Printf("median finish  %v\n", all[len(all)/2].took.Round(time.Millisecond))
	fmt.Printf("%d. finish  %v\n", n, all[len(all)-1].took.Round(time.Millisecond))
	if ru != nil {
		fmt.Printf("server peak RSS %.1f MiB\n", float64(maxrssBytes(ru))/(1<<20))
	}
	if failed > 0 {
		return fmt.Errorf("%d of %d sprinters failed", failed, n)
	}
	fmt.Printf("all %d clones are commit %.12s with a clean tree, all modules downloaded\n", n, sp.Commit)
	return nil
}

// sprinter clones, checks the clone and downloads the modules.
func sprinter(ctx context.Context, work string, i int, base string, sp sprint) error {
	dir := filepath.Join(work, fmt.Sprintf("s%02d", i))
	home := filepath.Join(dir, "home")
	tree := filepath.Join(dir, "tree")
	if err := os.MkdirAll(home, 0o755); err != nil {
		return err
	}
	env := append(os.Environ(),
		"HOME="+home, "GIT_CONFIG_NOSYSTEM=1", "GIT_TERMINAL_PROMPT=0",
		"GOMODCACHE="+filepath.Join(dir, "modcache"), "GOPROXY="+sp.URLs.GoProxy,
		"GONOSUMDB="+strings.Join(sp.Modules, ","), "GOFLAGS=-mod=mod -modcacherw",
		"GOTOOLCHAIN=local", "GOWORK=off")
	runIn := func(dir string, name string, args ...string) (string, error) {
		cmd := exec.CommandContext(ctx, name, args...)
		cmd.Dir, cmd.Env = dir, env
		out, err := cmd.CombinedOutput()
		if err != nil {
			return "", fmt.Errorf("%s %s: %w\n%s", name, strings.Join(args, " "), err, out)
		}
		return strings.TrimSpace(string(out)), nil
	}
	if _, err := runIn(dir, "git", "clone", "-q", sp.URLs.Repo, tree); err != nil {
		return err
	}
	head, err := runIn(tree, "git", "rev-parse", "HEAD")
	if err != nil {
		return err
	}
	if head != sp.Commit {
		return fmt.Errorf("clone is at %s, the image at %s", head, sp.Commit)
	}
	if st, err := runIn(tree, "git", "status", "--porcelain"); err != nil || st != "" {
		return fmt.Errorf("clone's work tree is not clean: %v %s", err, st)
	}
	if _, err := runIn(tree, "go", "mod", "download", "all"); err != nil {
		return err
	}
	// Free the disk as we go: 50 module caches add up.
	exec.Command("chmod", "-R", "u+w", dir).Run()
	return os.RemoveAll(dir)
}
