package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sync"

	"github.com/sprintkit/sprintkit/cmd/sprintkit/termui"
	"github.com/sprintkit/sprintkit/coverage"
	"github.com/sprintkit/sprintkit/image"
	"github.com/sprintkit/sprintkit/internal/state"
	"github.com/sprintkit/sprintkit/onboard"
	"github.com/sprintkit/sprintkit/patchcov"
	"github.com/sprintkit/sprintkit/project"
	"github.com/sprintkit/sprintkit/testloop"
	"github.com/sprintkit/sprintkit/watcher"
	"github.com/urfave/cli/v2"
	"golang.org/x/term"
)

func watchTestCommand() *cli.Command {
	return &cli.Command{
		Name:      "watch-test",
		Usage:     "re-run the affected tests on every save and show how coverage moved",
		ArgsUsage: "[DIR]",
		Description: `On every save, watch-test runs the tests of the changed package and of
every package in the module that imports it, and nothing else: the changed
package's tests first, in a go test of their own, so that its results come
as soon as it is tested, then its importers'. Each package's counts and
failing tests show as soon as that package finishes; on a terminal a status
line below says which packages are being tested. Each failing test shows
its first 10 lines of output (--verbose: all of them). When the run ends,
every package shows again with its counts and its coverage next to the
baseline's ("pkg/url 42.0% → 47.5% (+5.5)"), then the failing tests, new
ones apart from those that failed at the baseline (.sprintkit/baseline.json)
too. A change during a run cancels it and starts the next. Ctrl-C stops
watching and exits with status 130.

Counts: every test and every subtest counts once, as in the baseline and in
'sprintkit setup'; a failing subtest fails its parent test too, so one
failing case of a table test is two failed tests. Coverage is whole-suite
coverage, what every test of the module reaches, as in 'sprintkit coverage'.

With --json it prints one object per line: {"event":"ready"} once watching,
{"event":"run","changed":[...],"packages":[...],"edited":[...]} when a run
starts, {"event":"package","package":...,"passed":n,"failed":n,
"new_failures":[...],"skipped":n,"failing_before":[...]} as each package
finishes, then at the end of the run {"event":"result","package":...,
"passed":n,"failed":n,"coverage":x,"baseline":y,"new_failures":[...],
"skipped":n,"failing_before":[...]} for each package, and
{"event":"done","seconds":s,"patch":{...}}. New fields are only ever added at
the end.

After each run, one line says how much of your change the tests run:
"your change: 14/16 new statements covered (uncovered: url/parse.go:41-43)",
counting the statements on lines added or changed since the baseline's
commit (HEAD without a baseline), as 'sprintkit coverage --diff' does; in
--json it is the "patch" field of "done". A file changed before watch-test
started counts once a run has tested its package (--all tests every one).

Examples:
   sprintkit watch-test                   # in a Go checkout
   sprintkit watch-test --json            # one JSON object per line, for scripts
   sprintkit watch-test --cmd 'make test' # any command, re-run on change
   sprintkit watch-test --all             # always the whole suite`,
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "format", Value: "text", Usage: "output as `text|json` (json: one object per line: ready, run, package, result, done)"},
			&cli.BoolFlag{Name: "json", Usage: "same as --format json"},
			&cli.StringFlag{Name: "cmd", Usage: "run this shell `COMMAND` on every change instead of the tests"},
			&cli.BoolFlag{Name: "all", Usage: "run the whole suite on every change"},
			&cli.BoolFlag{Name: "no-clear", Usage: "do not clear the screen between runs"},
			&cli.BoolFlag{Name: "verbose", Usage: "show each failing test's whole output, not its first 10 lines"},
			&cli.DurationFlag{Name: "debounce", Value: watcher.DefaultDebounce, Usage: "wait `D` after the last change before running"},
			&cli.BoolFlag{Name: "poll", Usage: "poll the tree instead of using file-system notifications"},
		},
		Action: func(c *cli.Context) error {
			if c.NArg() > 1 {
				return usagef("watch-test takes at most one directory, got %d arguments", c.NArg())
			}
			dir := "."
			if c.NArg() == 1 {
				dir = c.Args().First()
			}
			if c.Duration("debounce") < 0 {
				return usagef("--debounce must not be negative")
			}
			if c.Bool("all") && c.String("cmd") != "" {
				return usagef("--all and --cmd do not go together: --cmd runs its command on every change")
			}
			return runWatchTest(c, dir)
		},
	}
}

func runWatchTest(c *cli.Context, dir string) error {
	stdout, stderr := c.App.Writer, c.App.ErrWriter
	format, err := jsonFormat(c, "watch-test", "text")
	if err != nil {
		return err
	}
	asJSON := format == "json"
	warn := func(msg string) { fmt.Fprintf(stderr, "sprintkit: warning: %s\n", msg) }
	opts := testloop.Options{
		Dir:      dir,
		Command:  c.String("cmd"),
		All:      c.Bool("all"),
		Debounce: c.Duration("debounce"),
		Poll:     c.Bool("poll"),
		Warn:     warn,
	}
	if opts.Debounce == 0 {
		opts.Debounce = watcher.NoDebounce
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return err
	}
	if real, err := filepath.EvalSymlinks(abs); err == nil {
		abs = real
	}
	abs, _ = project.Root(abs)
	// The checkout's own settings (.sprintkit/env): its module and build
	// caches after setup --from-image.
	if opts.Env, err = image.CheckoutEnviron(abs, nil); err != nil {
		return withHint(err, "run 'sprintkit setup' again to write .sprintkit/env")
	}
	if opts.Command == "" {
		var b coverage.Baseline
		switch err := state.ReadJSON(state.Path(abs, state.BaselineFile), &b); {
		case err == nil:
			opts.Baseline = &b
		case errors.Is(err, fs.ErrNotExist):
			if asJSON {
				warn("no baseline (.sprintkit/baseline.json): coverage without a change, every failure new; run 'sprintkit setup .' to record one")
			}
		default:
			return withHint(err, "run 'sprintkit setup .' to record the baseline again")
		}
	}
	if opts.Command == "" {
		opts.Patch = watchPatch(abs, opts.Baseline, warn)
	}
	var r testloop.Renderer
	if asJSON {
		r = &testloop.JSON{W: stdout}
	} else {
		r = &testloop.Screen{W: stdout, Terminal: termui.IsTerminal(stdout), NoClear: c.Bool("no-clear"),
			Color: termui.Color(stdout), Verbose: c.Bool("verbose"), Width: columns(stdout)}
	}
	// On Ctrl-C, Loop returns context.Canceled, which exits with status 130.
	err = testloop.Loop(c.Context, opts, r)
	if errors.Is(err, testloop.ErrNoProject) {
		return withHint(err, "run it in a checkout, or give a command: sprintkit watch-test --cmd 'make test'")
	}
	return err
}

// watchPatch returns the hook that measures the change after each run,
// against the baseline's commit or HEAD; nil outside a git checkout. A
// failing diff is reported once, then the runs go on without the line.
func watchPatch(root string, b *coverage.Baseline, warn func(string)) func(context.Context, *coverage.Result, bool) *patchcov.Coverage {
	ref := "HEAD" // no baseline: the change since the last commit
	if b != nil {
		ref, _ = onboard.PatchRef(root, b) // b was read already: no error
	}
	if _, err := os.Stat(filepath.Join(root, ".git")); err != nil && onboard.Head(root) == "" {
		return nil
	}
	s := &patchcov.Session{Root: root, Ref: ref}
	var once sync.Once
	return func(ctx context.Context, r *coverage.Result, partial bool) *patchcov.Coverage {
		pc, err := s.Measure(ctx, r, partial)
		if err != nil {
			if ctx.Err() == nil {
				once.Do(func() { warn(fmt.Sprintf("your change: %v", err)) })
			}
			return nil
		}
		return pc
	}
}

// columns is the width of the terminal w, or 0 when w is not one.
func columns(w io.Writer) int {
	f, ok := w.(*os.File)
	if !ok {
		return 0
	}
	width, _, err := term.GetSize(int(f.Fd()))
	if err != nil {
		return 0
	}
	return width
}
