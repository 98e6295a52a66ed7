package main

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"

	"github.com/sprintkit/sprintkit/coverage"
	"github.com/sprintkit/sprintkit/state"
	"github.com/sprintkit/sprintkit/termui"
	"github.com/sprintkit/sprintkit/testloop"
	"github.com/sprintkit/sprintkit/watcher"
	"github.com/urfave/cli/v2"
)

func watchTestCommand() *cli.Command {
	return &cli.Command{
		Name:      "watch-test",
		Usage:     "re-run the affected tests on every save and show how coverage moved",
		ArgsUsage: "[DIR]",
		Description: `On every save, watch-test runs the tests of the changed package and of
every package in the module that imports it, and nothing else. It shows each
package's pass and fail counts, the failing tests with their output, which
failures are new against .sprintkit/baseline.json, and each package's
coverage next to the baseline's: "pkg/url 42.0% → 47.5% (+5.5)". Coverage is
whole-suite coverage, what every test of the module reaches, as in
'sprintkit coverage'. Each package's counts and failing tests show as soon
as that package finishes; the coverage lines follow when the run ends. A
change during a run cancels it and starts the next.

With --json it prints one object per line: {"event":"ready"} once watching,
{"event":"run","changed":[...],"packages":[...]} when a run starts,
{"event":"package","package":...,"passed":n,"failed":n,"new_failures":[...]}
as each package finishes, then at the end of the run
{"event":"result","package":...,"passed":n,"failed":n,"coverage":x,"baseline":y,
"new_failures":[...]} for each package, and {"event":"done","seconds":s}.

Examples:
   sprintkit watch-test                   # in a Go checkout
   sprintkit watch-test --json            # one JSON object per line, for scripts
   sprintkit watch-test --cmd 'make test' # any command, re-run on change
   sprintkit watch-test --all             # always the whole suite`,
		Flags: []cli.Flag{
			&cli.BoolFlag{Name: "json", Usage: "print one JSON object per line: ready, run, package, result, done"},
			&cli.StringFlag{Name: "cmd", Usage: "run this shell `COMMAND` on every change instead of the tests"},
			&cli.BoolFlag{Name: "all", Usage: "run the whole suite on every change"},
			&cli.BoolFlag{Name: "no-clear", Usage: "do not clear the screen between runs"},
			&cli.DurationFlag{Name: "debounce", Value: watcher.DefaultDebounce, Usage: "wait this long after the last change before running"},
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
	abs = testloop.ProjectRoot(abs)
	if opts.Command == "" {
		var b coverage.Baseline
		switch err := state.ReadJSON(state.Path(abs, state.BaselineFile), &b); {
		case err == nil:
			opts.Baseline = &b
		case errors.Is(err, fs.ErrNotExist):
			if c.Bool("json") {
				warn("no baseline (.sprintkit/baseline.json): coverage without a change, every failure new; run 'sprintkit setup .' to record one")
			}
		default:
			return withHint(err, "run 'sprintkit setup .' to record the baseline again")
		}
	}
	var r testloop.Renderer
	if c.Bool("json") {
		r = &testloop.JSON{W: stdout}
	} else {
		r = &testloop.Screen{W: stdout, Terminal: termui.IsTerminal(stdout), NoClear: c.Bool("no-clear"), Color: termui.Color(stdout)}
	}
	err = testloop.Loop(c.Context, opts, r)
	if errors.Is(err, testloop.ErrNoProject) {
		return withHint(err, "run it in a checkout, or give a command: sprintkit watch-test --cmd 'make test'")
	}
	return err
}
