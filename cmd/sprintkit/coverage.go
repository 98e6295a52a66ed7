package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/sprintkit/sprintkit/cmd/sprintkit/termui"
	"github.com/sprintkit/sprintkit/coverage/gotest"
	"github.com/sprintkit/sprintkit/internal/browser"
	"github.com/sprintkit/sprintkit/internal/human"
	"github.com/sprintkit/sprintkit/onboard"
	skreport "github.com/sprintkit/sprintkit/report"
)

func coverageCommand() *cli.Command {
	return &cli.Command{
		Name:        "coverage",
		Usage:       "run the tests with coverage and rank sprint targets",
		ArgsUsage:   " ",
		Description: coverageHelp,
		Flags:       coverageFlags(),
		Action: func(c *cli.Context) error {
			if c.NArg() > 0 {
				return usagef("coverage takes no arguments, got %q (use --dir DIR for another directory)", c.Args().First())
			}
			format, err := jsonFormat(c, "coverage", "table", "markdown")
			if err != nil {
				return err
			}
			opts := coverageOptions{
				Dir:        c.String("dir"),
				Top:        c.Int("top"),
				By:         c.String("by"),
				Format:     format,
				Profiles:   c.StringSlice("profile"),
				Imports:    c.StringSlice("import"),
				PerPackage: c.Bool("per-package"),
				Timeout:    c.Duration("timeout"),
				HTML:       c.Bool("html") || c.Bool("open"),
				Out:        c.String("out"),
				Open:       c.Bool("open"),
				Room:       c.Int("room"),
			}
			diffOptions(c, &opts)
			shardOptions(c, &opts)
			return runCoverage(c.Context, opts, c.App.Writer, c.App.ErrWriter)
		},
	}
}

// coverageHelp is `sprintkit help coverage`.
const coverageHelp = `Runs the tests of the Go project in --dir (one module, nested modules, or a
go.work workspace) with whole-suite coverage:

   go test -json -coverprofile=... -coverpkg=<the module's own packages> ./...

so a statement counts as covered when any test of the module runs it. Then it
ranks sprint targets (packages, files or functions where no test goes), each
with the reason for its rank and the first functions to test: small ones with
branches first, getters last, never main, init or fuzz harnesses.
Failing tests do not stop the ranking; they are listed after it. Python
projects are ranked by module (file) unless --by says otherwise.

A sprintkit.toml at the top of --dir, checked in by the maintainers, curates
the ranking: exclude = [...] and test_support = [...] path patterns, and
[[target]] tables (path or name, and a note) that rank first. See the README,
"How sprint targets are ranked".

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
   sprintkit coverage --html --open            # the static HTML report, opened in a browser
   sprintkit coverage --diff                   # and how much of your change the tests run
   sprintkit coverage --fail-under-patch 80    # exit 1 when less than 80% of it runs` + diffHelp + shardHelp

func coverageFlags() []cli.Flag {
	return append([]cli.Flag{
		&cli.StringFlag{Name: "dir", Value: ".", Usage: "the project directory `DIR`"},
		&cli.IntFlag{Name: "top", Value: 10, Usage: "show at most `N` targets (0: all)"},
		&cli.StringFlag{Name: "by", Usage: "rank by `package|file|function` (default: package; file for Python, where a file is a module)"},
		&cli.StringFlag{Name: "format", Value: "table", Usage: "output `table|json|markdown`"},
		&cli.BoolFlag{Name: "json", Usage: "same as --format json"},
		&cli.StringSliceFlag{Name: "profile", Usage: "rank an existing Go coverage profile `FILE` instead of running tests (repeatable; merged)"},
		&cli.StringSliceFlag{Name: "import", Usage: "rank an LCOV, Cobertura XML or coverage.py JSON `FILE` (repeatable; merged)"},
		&cli.BoolFlag{Name: "per-package", Usage: "measure each package by its own tests only, as go test -cover does"},
		&cli.DurationFlag{Name: "timeout", Value: gotest.DefaultTestTimeout, Usage: "stop a package's tests after `D` (go test -timeout, per test binary); the hung test is named and skipped in a re-run; 0 means no limit"},
		&cli.BoolFlag{Name: "html", Usage: "also write the static HTML report and print the path of its index.html"},
		&cli.StringFlag{Name: "out", Usage: "write the HTML report into `DIR` (default: the project's .sprintkit/report)"},
		&cli.BoolFlag{Name: "open", Usage: "open the HTML report in a browser (implies --html)"},
		roomFlag,
	}, append(diffFlags, shardFlags...)...)
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
	Room       int // sprinters in the room; 0: the project file's, else 20
	// Diff measures the change against DiffRef ("": the baseline's
	// commit, else HEAD); FailUnderPatch, when not negative, is the least
	// patch coverage in percent.
	Diff           bool
	DiffRef        string
	FailUnderPatch float64
	failUnderSet   bool
	// Shard (I/N) runs one shard into ShardDir; Outcomes merges shards.
	Shard    string
	ShardDir string
	Outcomes []string
}

func (o *coverageOptions) validate() error {
	switch o.By {
	case "", "package", "file", "function":
	default:
		return usagef("--by %q: want package, file or function", o.By)
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
	if o.Room < 0 {
		return usagef("--room %d: want the number of sprinters, 1 or more", o.Room)
	}
	if o.PerPackage && (len(o.Profiles) > 0 || len(o.Imports) > 0) {
		return usagef("--per-package runs the tests; it cannot apply to --profile or --import")
	}
	if err := o.validateShard(); err != nil {
		return err
	}
	return o.validateDiff()
}

func runCoverage(ctx context.Context, o coverageOptions, stdout, stderr io.Writer) error {
	if err := o.validate(); err != nil {
		return err
	}
	run, err := onboard.Coverage(ctx, onboard.CoverageOptions{
		Dir: o.Dir, By: o.By, Profiles: o.Profiles, Imports: o.Imports, Outcomes: o.Outcomes,
		PerPackage: o.PerPackage, Timeout: noLimit(o.Timeout), HTML: o.HTML, Out: o.Out,
		Diff: o.Diff, DiffRef: o.DiffRef, Shard: o.Shard, ShardDir: o.ShardDir,
		Events: events(stderr), Room: o.Room,
		Show: func(run *onboard.CoverageRun) error { return showCoverage(stdout, o, run) },
	})
	if err != nil {
		return fmt.Errorf("coverage: %w", err)
	}
	if run.Shard != nil {
		printShard(stdout, stderr, run.Shard)
		return nil
	}
	if run.Index != "" {
		if o.Format == "table" {
			fmt.Fprintln(stdout, run.Index)
		} else {
			say(stderr, "HTML report: %s", run.Index)
		}
		if o.Open {
			// Like `go tool cover -html`, say so when no browser opens;
			// the report is written, so the command still succeeds.
			if err := browser.Open(run.Index); err != nil {
				say(stderr, "warning: could not open a browser: %v", err)
				say(stderr, "hint: open %s in a browser", browser.FileURL(run.Index))
			}
		}
	}
	if n := len(run.Result.Failed()); n > 0 && o.Format != "table" {
		say(stderr, "%s failed; coverage is that of the failing suite", human.Count(n, "test", "tests"))
	}
	for _, line := range run.Causes {
		say(stderr, "%s", line)
	}
	return failUnderPatch(o, run.Patch)
}

// showCoverage writes the ranking (the first --top targets) and the
// change's coverage in o's format.
func showCoverage(stdout io.Writer, o coverageOptions, run *onboard.CoverageRun) error {
	r, pc, shown := run.Result, run.Patch, run.Targets
	if o.Top > 0 && len(shown) > o.Top {
		shown = shown[:o.Top]
	}
	var err error
	switch o.Format {
	case "json":
		err = skreport.JSONWithPatch(stdout, r, shown, pc)
	case "markdown":
		if pc != nil {
			err = skreport.PatchMarkdown(stdout, pc)
		}
		err = errors.Join(err, skreport.Markdown(stdout, r, shown))
	default:
		if pc != nil {
			err = skreport.PatchTable(stdout, pc, termui.Color(stdout))
		}
		err = errors.Join(err, skreport.Table(stdout, r, shown, skreport.TextOptions{Color: termui.Color(stdout), Top: o.Top}))
		w := termui.NewWrapper(stdout) // the lines of prose fit the terminal
		if run.Delta != nil {
			fmt.Fprintf(w, "\n%s\n", run.Delta.Summary(5))
		}
		if run.Split != "" {
			fmt.Fprintf(w, "\n(%s; --room 1 keeps the default unit)\n", run.Split)
		}
	}
	if err != nil {
		return fmt.Errorf("write the report: %w", err)
	}
	return nil
}

// roomFlag is --room of setup and coverage.
var roomFlag = &cli.IntFlag{Name: "room", Usage: "rank for a room of `N` sprinters: split the largest packages into files, and files into functions, until there are N targets (default: sprintkit.toml's [room] size, else 20)"}

// noLimit maps the flags' "0 means no limit" to the runner's negative.
func noLimit(d time.Duration) time.Duration {
	if d == 0 {
		return -1
	}
	return d
}
