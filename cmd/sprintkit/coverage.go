package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/sprintkit/sprintkit/coverage"
	skreport "github.com/sprintkit/sprintkit/report"
	"github.com/sprintkit/sprintkit/state"
	"github.com/sprintkit/sprintkit/termui"
)

func coverageCommand() *cli.Command {
	return &cli.Command{
		Name:      "coverage",
		Usage:     "run the tests with coverage and rank sprint targets",
		ArgsUsage: " ",
		Description: `Runs the tests of the Go project in --dir (one module, nested modules, or a
go.work workspace) with whole-suite coverage:

   go test -json -coverprofile=... -coverpkg=<the module's own packages> ./...

so a statement counts as covered when any test of the module runs it. Then it
ranks sprint targets (packages, files or functions where no test goes), each
with the reason for its rank and the first functions to test, smallest first.
Failing tests do not stop the ranking; they are listed after it.

A test that panics, calls os.Exit, is killed or hangs past --timeout kills
its package's test binary. sprintkit names it as a failing test and runs the
package again without it (at most twice); a package it cannot re-run is
shown with "no data" and left out of the total and the targets.

The profile and the result are saved to .sprintkit/cover.out and
.sprintkit/coverage.json, and .sprintkit/ is added to .git/info/exclude.

Examples:
   sprintkit coverage                          # rank packages
   sprintkit coverage --top 20 --by function   # the twenty best first tests
   sprintkit coverage --format json            # for scripts (see README)
   sprintkit coverage --format markdown        # for an issue or a sprint wiki
   sprintkit coverage --profile cover.out      # rank an existing Go profile, run nothing
   sprintkit coverage --import coverage.xml    # rank LCOV, Cobertura or coverage.py JSON
   sprintkit coverage --per-package            # each package by its own tests, as go test -cover
   sprintkit coverage --html --open            # the static HTML report, opened in a browser`,
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "dir", Value: ".", Usage: "the project directory `DIR`"},
			&cli.IntFlag{Name: "top", Value: 10, Usage: "show at most `N` targets (0: all)"},
			&cli.StringFlag{Name: "by", Value: "package", Usage: "rank by `package|file|function`"},
			&cli.StringFlag{Name: "format", Value: "table", Usage: "output `table|json|markdown`"},
			&cli.StringSliceFlag{Name: "profile", Usage: "rank an existing Go coverage profile `FILE` instead of running tests (repeatable; merged)"},
			&cli.StringSliceFlag{Name: "import", Usage: "rank an LCOV, Cobertura XML or coverage.py JSON `FILE` (repeatable; merged)"},
			&cli.BoolFlag{Name: "per-package", Usage: "measure each package by its own tests only, as go test -cover does"},
			&cli.DurationFlag{Name: "timeout", Value: coverage.DefaultTestTimeout, Usage: "stop a package's tests after `D` (go test -timeout, per test binary); the hung test is named and skipped in a re-run; 0 means no limit"},
			&cli.BoolFlag{Name: "html", Usage: "also write the static HTML report and print the path of its index.html"},
			&cli.StringFlag{Name: "out", Usage: "write the HTML report into `DIR` (default: the project's .sprintkit/report)"},
			&cli.BoolFlag{Name: "open", Usage: "open the HTML report in a browser (implies --html)"},
		},
		Action: func(c *cli.Context) error {
			if c.NArg() > 0 {
				return usagef("coverage takes no arguments, got %q (use --dir DIR for another directory)", c.Args().First())
			}
			opts := coverageOptions{
				Dir:        c.String("dir"),
				Top:        c.Int("top"),
				By:         c.String("by"),
				Format:     c.String("format"),
				Profiles:   c.StringSlice("profile"),
				Imports:    c.StringSlice("import"),
				PerPackage: c.Bool("per-package"),
				Timeout:    c.Duration("timeout"),
				HTML:       c.Bool("html") || c.Bool("open"),
				Out:        c.String("out"),
				Open:       c.Bool("open"),
			}
			return runCoverage(c.Context, opts, c.App.Writer, c.App.ErrWriter)
		},
	}
}

// coverageOptions is what `sprintkit coverage` was asked to do.
type coverageOptions struct {
	Dir        string
	Top        int
	By         string
	Format     string
	Profiles   []string
	Imports    []string
	PerPackage bool
	Timeout    time.Duration // per test binary; 0 means no limit
	HTML       bool
	Out        string
	Open       bool
}

func (o *coverageOptions) validate() error {
	switch o.By {
	case "package", "file", "function":
	default:
		return usagef("--by %q: want package, file or function", o.By)
	}
	switch o.Format {
	case "table", "json", "markdown":
	default:
		return usagef("--format %q: want table, json or markdown", o.Format)
	}
	if o.Timeout < 0 {
		return usagef("--timeout %s: want a duration such as 2m, or 0 for no limit", o.Timeout)
	}
	if o.Top < 0 {
		return usagef("--top %d: want 0 (all) or more", o.Top)
	}
	if len(o.Profiles) > 0 && len(o.Imports) > 0 {
		return usagef("--profile and --import cannot be combined: rank one kind of input at a time")
	}
	if o.PerPackage && (len(o.Profiles) > 0 || len(o.Imports) > 0) {
		return usagef("--per-package runs the tests; it cannot apply to --profile or --import")
	}
	return nil
}

func runCoverage(ctx context.Context, o coverageOptions, stdout, stderr io.Writer) error {
	if err := o.validate(); err != nil {
		return err
	}
	root, err := filepath.Abs(o.Dir)
	if err != nil {
		return err
	}
	if fi, err := os.Stat(root); err != nil || !fi.IsDir() {
		return fmt.Errorf("coverage: --dir %s: not a directory", o.Dir)
	}

	r, err := measure(ctx, o, root, stderr)
	if err != nil {
		return err
	}
	if r.Root != "" {
		root = r.Root
	}
	if r.Commit == "" {
		r.Commit = headCommit(root)
	}
	for _, w := range r.Warnings {
		fmt.Fprintf(stderr, "sprintkit: warning: %s\n", w)
	}

	all := coverage.Rank(r, coverage.RankOptions{By: o.By, Recent: recentFiles(ctx, root)})
	shown := all
	if o.Top > 0 && len(shown) > o.Top {
		shown = shown[:o.Top]
	}

	if err := saveCoverage(root, r, all); err != nil {
		return fmt.Errorf("coverage: save results: %w", err)
	}

	switch o.Format {
	case "json":
		err = skreport.JSON(stdout, r, shown)
	case "markdown":
		err = skreport.Markdown(stdout, r, shown)
	default:
		err = skreport.Table(stdout, r, shown, skreport.TextOptions{Color: termui.Color(stdout), Top: o.Top})
	}
	if err != nil {
		return fmt.Errorf("coverage: write the report: %w", err)
	}

	if o.HTML {
		out := o.Out
		if out == "" {
			out = state.Path(root, state.ReportDir)
		}
		bar := termui.NewProgress(stderr, -1, "report pages", false)
		index, err := skreport.HTML(ctx, out, r, all, skreport.HTMLOptions{Progress: bar.Update})
		bar.Done()
		if err != nil {
			return fmt.Errorf("coverage: %w", err)
		}
		if o.Format == "table" {
			fmt.Fprintln(stdout, index)
		} else {
			fmt.Fprintf(stderr, "sprintkit: HTML report: %s\n", index)
		}
		if o.Open {
			if err := openInBrowser(index); err != nil {
				fmt.Fprintf(stderr, "sprintkit: warning: open %s: %v\n", index, err)
			}
		}
	}
	if n := len(r.Failed()); n > 0 && o.Format != "table" {
		fmt.Fprintf(stderr, "sprintkit: %d %s failed; coverage is that of the failing suite\n", n, pluralS(n, "test"))
	}
	return nil
}

// measure produces the coverage result: from profiles, from imported files,
// or by running the tests.
func measure(ctx context.Context, o coverageOptions, root string, stderr io.Writer) (*coverage.Result, error) {
	switch {
	case len(o.Profiles) > 0:
		m := coverage.NewGoMerger()
		for _, p := range o.Profiles {
			f, err := os.Open(p)
			if err != nil {
				return nil, fmt.Errorf("coverage: %w", err)
			}
			err = m.Read(p, f)
			f.Close()
			if err != nil {
				return nil, fmt.Errorf("coverage: parse %w", err)
			}
		}
		profs, err := m.Profiles()
		if err != nil {
			return nil, fmt.Errorf("coverage: merge profiles: %w", err)
		}
		r, err := coverage.FromGoProfiles(ctx, root, profs)
		if err != nil {
			return nil, goHint(fmt.Errorf("coverage: %w", err))
		}
		return r, nil
	case len(o.Imports) > 0:
		r, err := coverage.Import(ctx, root, o.Imports)
		if err != nil {
			return nil, fmt.Errorf("coverage: %w", err)
		}
		return r, nil
	}
	bar := termui.NewProgress(stderr, -1, "packages tested", false)
	timeout := o.Timeout
	if timeout == 0 {
		timeout = -1 // GoRun's "no limit"
	}
	r, err := coverage.RunGo(ctx, coverage.GoRun{Dir: root, PerPackage: o.PerPackage, Timeout: timeout, Progress: bar.Update})
	bar.Done()
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		if errors.Is(err, coverage.ErrNotGoModule) {
			if coverage.IsPythonProject(root) {
				return measurePython(ctx, o, root, stderr)
			}
			return nil, withHint(fmt.Errorf("coverage: %w", err),
				"run sprintkit coverage in a Go checkout (or a Python project), or pass --dir DIR, or rank an existing file with --profile cover.out or --import coverage.xml")
		}
		return nil, goHint(fmt.Errorf("coverage: %w", err))
	}
	return r, nil
}

// measurePython runs a Python project's tests under coverage.py.
func measurePython(ctx context.Context, o coverageOptions, root string, stderr io.Writer) (*coverage.Result, error) {
	if o.PerPackage {
		fmt.Fprintln(stderr, "sprintkit: warning: --per-package applies to Go only; measuring the whole Python suite")
	}
	bar := termui.NewProgress(stderr, -1, "tests", false)
	r, err := coverage.RunPython(ctx, coverage.PyRun{Dir: root, Progress: bar.Update})
	bar.Done()
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, fmt.Errorf("coverage: %w", err)
	}
	return r, nil
}

// recentFiles returns the files (relative to root, slash-separated) that
// the last 200 commits of the past 30 days touched, for the ranking's
// "changed recently" boost; nil without git or history.
func recentFiles(ctx context.Context, root string) map[string]bool {
	if _, err := os.Stat(filepath.Join(root, ".git")); err != nil {
		if out, err := exec.CommandContext(ctx, "git", "-C", root, "rev-parse", "--is-inside-work-tree").Output(); err != nil || strings.TrimSpace(string(out)) != "true" {
			return nil
		}
	}
	cmd := exec.CommandContext(ctx, "git", "-C", root, "log", "--since=30.days.ago", "-n", "200",
		"--name-only", "--format=", "--relative", "--no-renames", "--")
	out, err := cmd.Output()
	if err != nil {
		return nil
	}
	m := map[string]bool{}
	for _, line := range strings.Split(string(out), "\n") {
		if line = strings.TrimSpace(line); line != "" {
			m[line] = true
		}
	}
	if len(m) == 0 {
		return nil
	}
	return m
}

// goHint adds an install hint to an error caused by a missing go command.
func goHint(err error) error {
	if errors.Is(err, coverage.ErrNoGo) {
		return withHint(err, "install Go from https://go.dev/dl/ and put its bin directory on PATH (check with 'go version'), or rank an existing profile with --profile cover.out")
	}
	return err
}

// saveCoverage writes .sprintkit/cover.out (Go results) and
// .sprintkit/coverage.json, each atomically.
func saveCoverage(root string, r *coverage.Result, targets []coverage.Target) error {
	if _, err := state.Ensure(root); err != nil {
		return err
	}
	if r.Language == "go" {
		if err := state.WriteFile(state.Path(root, state.ProfileFile), func(w io.Writer) error {
			return coverage.WriteResultProfile(w, r)
		}); err != nil {
			return err
		}
	}
	return state.WriteFile(state.Path(root, state.ResultFile), func(w io.Writer) error {
		return skreport.JSON(w, r, targets)
	})
}

// headCommit reads the commit HEAD points at from root/.git, "" when there
// is none to read (no repository, a worktree, an unborn branch).
func headCommit(root string) string {
	gitDir := filepath.Join(root, ".git")
	head, err := os.ReadFile(filepath.Join(gitDir, "HEAD"))
	if err != nil {
		return ""
	}
	s := strings.TrimSpace(string(head))
	ref, ok := strings.CutPrefix(s, "ref: ")
	if !ok {
		return validCommit(s)
	}
	if b, err := os.ReadFile(filepath.Join(gitDir, filepath.FromSlash(ref))); err == nil {
		return validCommit(strings.TrimSpace(string(b)))
	}
	packed, err := os.ReadFile(filepath.Join(gitDir, "packed-refs"))
	if err != nil {
		return ""
	}
	for _, line := range strings.Split(string(packed), "\n") {
		if sha, name, ok := strings.Cut(strings.TrimSpace(line), " "); ok && name == ref {
			return validCommit(sha)
		}
	}
	return ""
}

func validCommit(s string) string {
	if len(s) != 40 && len(s) != 64 {
		return ""
	}
	for _, c := range s {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return ""
		}
	}
	return s
}

// openInBrowser opens a local file in the default browser without waiting.
func openInBrowser(path string) error {
	var cmd *exec.Cmd
	switch runtime.GOOS {
	case "darwin":
		cmd = exec.Command("open", path)
	case "windows":
		cmd = exec.Command("rundll32", "url.dll,FileProtocolHandler", path)
	default:
		cmd = exec.Command("xdg-open", path)
	}
	if err := cmd.Start(); err != nil {
		return err
	}
	go cmd.Wait()
	return nil
}

func pluralS(n int, word string) string {
	if n == 1 {
		return word
	}
	return word + "s"
}
