package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/sprintkit/sprintkit/checkout"
	"github.com/sprintkit/sprintkit/coverage"
	"github.com/sprintkit/sprintkit/doctor"
	skreport "github.com/sprintkit/sprintkit/report"
	"github.com/sprintkit/sprintkit/state"
	"github.com/sprintkit/sprintkit/termui"
)

func setupCommand() *cli.Command {
	return &cli.Command{
		Name:      "setup",
		Usage:     "clone a project, check the machine, record a test baseline and list sprint targets",
		ArgsUsage: "URL|DIR",
		Description: `Clones URL (https, http, ssh, git, file:// or a local path to a repository)
into ./NAME or --dir, one commit deep on one branch without tags, like
'git clone --depth 1 --single-branch --no-tags'. Given a directory that is
already a checkout, sets it up in place. Then: go mod download, the whole
test suite once with coverage, .sprintkit/baseline.json (the tests that
fail before you change anything), the sprint targets and the HTML report.

Checks run first (see 'sprintkit doctor'); a failed check stops setup before
it writes anything. A destination that exists and is not empty is refused.
Credentials in the URL are kept in .git/config (you need them to push) and
never printed.

Example:
   sprintkit setup https://host/org/project.git
   sprintkit setup git@host:org/project.git --dir work/project --branch main
   sprintkit setup file:///srv/git/project.git --depth 0
   sprintkit setup .
   sprintkit setup URL --clone-only      # clone and check, no tests`,
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "dir", Usage: "clone into `DIR` instead of ./NAME"},
			&cli.StringFlag{Name: "branch", Aliases: []string{"b"}, Usage: "clone `BRANCH` instead of the remote's default"},
			&cli.IntFlag{Name: "depth", Value: 1, Usage: "fetch `N` commits of history; 0 fetches all of it"},
			&cli.BoolFlag{Name: "tags", Usage: "fetch the remote's tags too"},
			&cli.StringFlag{Name: "ssh-key", Usage: "private key `FILE` for ssh URLs (default: the SSH agent)"},
			&cli.BoolFlag{Name: "clone-only", Usage: "stop after the clone and the checks: no dependencies, tests or report"},
			&cli.StringFlag{Name: "format", Value: "text", Usage: "summary as `text` or json"},
			&cli.StringFlag{Name: "from-image", Usage: "set up offline from the image in `DIR` (see 'sprintkit image')"},
		},
		Action: func(c *cli.Context) error {
			if c.IsSet("from-image") {
				return setupFromImage(c)
			}
			f, err := parseLateFlags(c)
			if err != nil {
				return err
			}
			if len(f.args) != 1 {
				return usagef("setup needs one repository URL or directory, got %d arguments", len(f.args))
			}
			format := f.String("format")
			if format != "text" && format != "json" {
				return usagef("setup: --format must be text or json, not %q", format)
			}
			depth, err := f.Int("depth")
			if err != nil || depth < 0 {
				return usagef("setup: --depth must be 0 (all history) or more")
			}
			// Ctrl-C cancels the context, so a clone in progress removes
			// what it created before sprintkit exits.
			ctx, stop := signal.NotifyContext(c.Context, os.Interrupt)
			defer stop()
			return runSetup(ctx, setupOptions{
				Arg:       f.args[0],
				Dir:       f.String("dir"),
				Branch:    f.String("branch"),
				Depth:     depth,
				Tags:      f.Bool("tags"),
				SSHKey:    f.String("ssh-key"),
				CloneOnly: f.Bool("clone-only"),
				JSON:      format == "json",
			}, c.App.Writer, c.App.ErrWriter)
		},
	}
}

// lateFlags is a command's flags and arguments. Flags written after the
// arguments ('sprintkit setup URL --dir work/project') are moved in front of
// them before urfave/cli parses anything (see intersperse), so this is a thin
// view of the parsed context.
type lateFlags struct {
	c    *cli.Context
	args []string
}

func parseLateFlags(c *cli.Context) (*lateFlags, error) {
	return &lateFlags{c: c, args: c.Args().Slice()}, nil
}

func (f *lateFlags) String(name string) string { return f.c.String(name) }

func (f *lateFlags) Bool(name string) bool { return f.c.Bool(name) }

func (f *lateFlags) Int(name string) (int, error) { return f.c.Int(name), nil }

func doctorCommand() *cli.Command {
	return &cli.Command{
		Name:      "doctor",
		Usage:     "check this machine for what the project needs (toolchain, disk, inotify, ...)",
		ArgsUsage: "[DIR]",
		Description: `Runs the checks 'sprintkit setup' runs first, for the project in DIR
(default: the current directory): the Go toolchain against go.mod's go line
and what GOTOOLCHAIN will do about it, git, free disk space, write
permission, the inotify watch limit against the project's directories, and
for Python projects an interpreter with coverage.py and pytest. Each line is
✓ (fine), ! (works, with a caveat) or ✗ (setup would stop), with a fix.
Exits 1 when a check fails.

Example:
   sprintkit doctor
   sprintkit doctor --format json ../project`,
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "format", Value: "text", Usage: "output as `text` or json"},
		},
		Action: func(c *cli.Context) error {
			f, err := parseLateFlags(c)
			if err != nil {
				return err
			}
			if len(f.args) > 1 {
				return usagef("doctor takes at most one directory, got %d arguments", len(f.args))
			}
			format := f.String("format")
			if format != "text" && format != "json" {
				return usagef("doctor: --format must be text or json, not %q", format)
			}
			dir := "."
			if len(f.args) == 1 {
				dir = f.args[0]
			}
			return runDoctor(c.Context, dir, format == "json", c.App.Writer)
		},
	}
}

// runDoctor checks the machine for the project in dir.
func runDoctor(ctx context.Context, dir string, asJSON bool, stdout io.Writer) error {
	fi, err := os.Stat(dir)
	if err != nil || !fi.IsDir() {
		return withHint(fmt.Errorf("doctor: %s is not a directory", dir), "run it inside the project, or pass the project's directory")
	}
	opts := doctor.Options{Dir: dir}
	kind := "unknown"
	if p, err := checkout.Detect(dir); err == nil {
		kind = p.Kind()
		opts = projectChecks(opts, p)
		opts.PythonExe = pythonFor(ctx, dir, opts)
	}
	checks := doctor.Run(ctx, opts)
	if asJSON {
		doc := struct {
			Type    string         `json:"type"`
			Version int            `json:"version"`
			Dir     string         `json:"dir"`
			Project string         `json:"project"`
			OK      bool           `json:"ok"`
			Checks  []doctor.Check `json:"checks"`
		}{"doctor", 1, setupAbs(dir), kind, !doctor.Failed(checks), checks}
		if err := setupWriteJSON(stdout, doc); err != nil {
			return err
		}
	} else {
		fmt.Fprintf(stdout, "project: %s (%s)\n", kind, setupAbs(dir))
		doctorPrint(stdout, checks, "")
	}
	if doctor.Failed(checks) {
		return &exitError{code: 1, msg: fmt.Sprintf("%d of %d checks failed; the hints above say what to do", doctorCount(checks, doctor.Fail), len(checks))}
	}
	return nil
}

// projectChecks fills the project facts of doctor options from a detection.
func projectChecks(o doctor.Options, p *checkout.Project) doctor.Options {
	o.Known = p.Kind() != "unknown"
	o.Go = p.Go || p.GoWork || len(p.Modules) > 0
	o.GoVersion, o.Toolchain = p.GoVersion, p.Toolchain
	o.Python = p.Python && !o.Go
	o.Dirs = p.Dirs
	return o
}

// pythonFor returns the interpreter the Python runner will use for the
// project in dir (coverage.FindPython prefers its virtual environment), so
// that the check looks at that one; "" lets doctor search PATH.
func pythonFor(ctx context.Context, dir string, o doctor.Options) string {
	if !o.Python {
		return ""
	}
	env, err := coverage.FindPython(ctx, dir)
	if err != nil {
		return ""
	}
	return env.Python
}

type setupOptions struct {
	Arg, Dir, Branch string
	Depth            int
	Tags             bool
	SSHKey           string
	CloneOnly        bool
	JSON             bool
}

// setupSummary is the --format json contract of setup:
//
//	{"type": "setup", "version": 1, "dir": "/abs/project",
//	 "clone": {"source": "https://***@host/org/p.git", "branch": "main", "commit": "…",
//	           "subject": "…", "files": 5000, "pack_bytes": 123, "seconds": 1.2, "shallow": true},
//	 "project": "go module", "checks": [{"id": "go", "name": "…", "status": "ok", "detail": "…", "hint": "…"}],
//	 "deps": {"modules": 12, "cached": 3, "seconds": 4.5},
//	 "tests": {"passed": 10, "failed": 1, "skipped": 0, "seconds": 3.4},
//	 "failing_before": [{"package": "…", "test": "TestX", "outcome": "fail", "seconds": 0.01}],
//	 "total": {"statements": 120, "covered": 80, "percent": 66.7},
//	 "targets": [ …top 5, as in the coverage JSON contract… ],
//	 "baseline": "/abs/project/.sprintkit/baseline.json",
//	 "report": "/abs/project/.sprintkit/report/index.html",
//	 "next": ["cd project", "sprintkit watch-test"], "notes": ["…"],
//	 "error": "…", "hint": "…"}                  // only when setup stopped
//
// "clone" is absent for a checkout set up in place ("checkout" then holds
// the same fields without "seconds"); "deps", "tests" and later fields are
// absent with --clone-only.
type setupSummary struct {
	Type          string                `json:"type"`
	Version       int                   `json:"version"`
	Dir           string                `json:"dir"`
	Clone         *cloneSummary         `json:"clone,omitempty"`
	Checkout      *checkout.Result      `json:"checkout,omitempty"`
	Project       string                `json:"project"`
	Checks        []doctor.Check        `json:"checks"`
	Deps          *depsSummary          `json:"deps,omitempty"`
	Tests         *testSummary          `json:"tests,omitempty"`
	FailingBefore []coverage.TestResult `json:"failing_before,omitempty"`
	Total         *coverage.Counts      `json:"total,omitempty"`
	Targets       []coverage.Target     `json:"targets,omitempty"`
	Baseline      string                `json:"baseline,omitempty"`
	Report        string                `json:"report,omitempty"`
	Next          []string              `json:"next"`
	Error         string                `json:"error,omitempty"` // set when setup stopped
	Hint          string                `json:"hint,omitempty"`
	Notes         []string              `json:"notes,omitempty"`
	relDir        string                // dir as the user should cd to it
}

type cloneSummary struct {
	*checkout.Result
	Seconds float64 `json:"seconds"`
}

type depsSummary struct {
	Modules int     `json:"modules"`
	Cached  int     `json:"cached"`
	Seconds float64 `json:"seconds"`
}

type testSummary struct {
	Passed  int     `json:"passed"`
	Failed  int     `json:"failed"`
	Skipped int     `json:"skipped"`
	Seconds float64 `json:"seconds"`
}

// runSetup walks the setup steps, a line of progress for each on stderr,
// and prints the summary on stdout.
func runSetup(ctx context.Context, o setupOptions, stdout, stderr io.Writer) (err error) {
	say := func(format string, args ...any) { fmt.Fprintf(stderr, "sprintkit: "+format+"\n", args...) }
	sum := &setupSummary{Type: "setup", Version: 1, Next: []string{}}
	if o.JSON {
		// Scripts get the JSON document on failure too, with what went
		// wrong and the hint; the message also goes to stderr as always.
		defer func() {
			var ue *usageError
			if err == nil || errors.Is(err, context.Canceled) || errors.As(err, &ue) {
				return
			}
			sum.Error = err.Error()
			var he *hintError
			if errors.As(err, &he) {
				sum.Hint = he.hint
			}
			setupWriteJSON(stdout, sum)
		}()
	}

	inPlace := o.Dir == "" && isCheckoutDir(o.Arg)
	if inPlace && (o.Branch != "" || o.Tags || o.SSHKey != "") {
		return usagef("setup: %s is a checkout, set up in place; --branch, --tags and --ssh-key apply to a clone (switch branches with git there)", o.Arg)
	}
	dir := o.Arg
	transport := ""
	if !inPlace {
		transport = checkout.Transport(o.Arg)
		dir = o.Dir
		if dir == "" {
			dir = checkout.DefaultDir(o.Arg)
		}
		// Bad input first: a destination we must not write into.
		if err := checkout.CheckDest(dir); err != nil {
			return cloneErr(err, o.Arg, stderr)
		}
	}
	sum.Dir = setupAbs(dir)
	sum.relDir = setupRel(dir)

	// 1. Checks. Before a clone the project is unknown; what it needs is
	// checked once it is here.
	say("checking this machine")
	dopts := doctor.Options{Dir: dir, Transport: transport, NeedBytes: setupNeedBytes(o.Arg, transport)}
	var proj *checkout.Project
	if inPlace {
		p, err := checkout.Detect(dir)
		if err != nil {
			return fmt.Errorf("setup: %w", err)
		}
		proj = p
		dopts = projectChecks(dopts, p)
		dopts.PythonExe = pythonFor(ctx, dir, dopts)
	}
	checks := doctor.Run(ctx, dopts)
	sum.Checks = checks
	reportChecks(stderr, checks)
	if doctor.Failed(checks) {
		return &exitError{code: 1, msg: "setup stopped before writing anything: a check failed (✗ above); fix it and run setup again"}
	}

	// 2. Clone, or open the checkout in place.
	if inPlace {
		res, err := checkout.Open(dir)
		if err != nil {
			var ce *checkout.Error
			if errors.As(err, &ce) && ce.Kind == checkout.ErrNotRepository {
				sum.Notes = append(sum.Notes, "not a git checkout: no commit is recorded in the baseline")
				res = &checkout.Result{Dir: dir}
			} else {
				return cloneErr(err, o.Arg, stderr)
			}
		}
		res.Dir = sum.Dir
		sum.Checkout = res
		if res.Commit != "" {
			say("using the checkout in %s (%s at %s)", sum.relDir, setupBranch(res.Branch), setupShort(res.Commit))
		}
	} else {
		say("cloning %s into %s", checkout.Redact(o.Arg), sum.relDir)
		bar := termui.NewProgress(stderr, -1, "connecting", true)
		res, err := checkout.Clone(ctx, checkout.Options{
			URL: o.Arg, Dir: dir, Branch: o.Branch, Depth: o.Depth, Tags: o.Tags, SSHKey: o.SSHKey,
			Progress: func(p checkout.Progress) {
				bar.Describe(cloneProgressText(p))
				bar.Set(p.Bytes)
			},
		})
		bar.Done()
		if err != nil {
			return cloneErr(err, o.Arg, stderr)
		}
		res.Dir = sum.Dir
		sum.Clone = &cloneSummary{Result: res, Seconds: res.Duration.Seconds()}
		say("cloned %s at %s: %d files, %s in %.1fs", setupBranch(res.Branch), setupShort(res.Commit), res.Files, setupSize(res.Bytes), res.Duration.Seconds())

		// The project's own checks, now that it is here.
		p, err := checkout.Detect(dir)
		if err != nil {
			return fmt.Errorf("setup: %w", err)
		}
		proj = p
		popts := projectChecks(doctor.Options{Dir: dir}, p)
		popts.PythonExe = pythonFor(ctx, dir, popts)
		popts.Known = true // even "unknown": the checkout is here to look at
		var more []doctor.Check
		if popts.Go || !popts.Python {
			more = append(more, doctor.GoToolchain(ctx, popts))
		}
		if c, ok := doctor.Inotify(popts); ok {
			more = append(more, c)
		}
		if popts.Python {
			more = append(more, doctor.Python(ctx, popts))
		}
		reportChecks(stderr, more)
		sum.Checks = mergeChecks(sum.Checks, more)
		if doctor.Failed(more) {
			return withHint(&exitError{code: 1, msg: fmt.Sprintf("setup stopped after the clone: the project needs what this machine lacks (✗ above); the checkout is in %s", sum.relDir)},
				fmt.Sprintf("fix it, then finish with: sprintkit setup %s", sum.relDir))
		}
	}
	sum.Project = proj.Kind()
	if _, err := os.Stat(filepath.Join(dir, ".gitmodules")); err == nil && !inPlace {
		sum.Notes = append(sum.Notes, "the project has git submodules, which setup does not clone: run 'git submodule update --init --depth 1' in the checkout if you need them")
	}
	if sum.relDir != "." && sum.relDir != "" {
		sum.Next = append(sum.Next, "cd "+sum.relDir)
	}

	if o.CloneOnly {
		sum.Next = append(sum.Next, "sprintkit setup .")
		return setupPrintSummary(stdout, sum, o.JSON)
	}

	goProject := proj.Go || proj.GoWork || len(proj.Modules) > 0
	switch {
	case goProject:
		// 3. Dependencies.
		if !proj.GoWork && !proj.Go {
			sum.Notes = append(sum.Notes, "no go.mod at the top: dependencies are fetched by the test run of each module")
		} else {
			say("downloading dependencies (go mod download)")
			bar := termui.NewProgress(stderr, -1, "modules", false)
			dres, err := checkout.DownloadGo(ctx, dir, nil, bar.Update)
			bar.Done()
			if err != nil {
				if ctx.Err() != nil {
					return ctx.Err()
				}
				return withHint(fmt.Errorf("setup: %w", err), depsHint(err)+fmt.Sprintf("; the checkout is in %s, finish with: sprintkit setup %s", sum.relDir, sum.relDir))
			}
			sum.Deps = &depsSummary{Modules: dres.Modules, Cached: dres.Cached, Seconds: dres.Duration.Seconds()}
		}
		// 4. Baseline.
		say("running the whole test suite once with coverage (the baseline)")
		bar := termui.NewProgress(stderr, -1, "packages", false)
		start := time.Now()
		r, err := coverage.RunGo(ctx, coverage.GoRun{Dir: dir, Progress: bar.Update})
		bar.Done()
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return withHint(fmt.Errorf("setup: run the tests: %w", err), fmt.Sprintf("the checkout is in %s; once fixed, finish with: sprintkit setup %s", sum.relDir, sum.relDir))
		}
		if err := finishBaseline(ctx, sum, r, time.Since(start), say); err != nil {
			return err
		}
	case proj.Python:
		say("running the whole test suite once with coverage (the baseline)")
		sum.Notes = append(sum.Notes, "Python dependencies are not installed by setup: install the project (for example 'python3 -m pip install -e .') if its tests need it")
		bar := termui.NewProgress(stderr, -1, "tests", false)
		start := time.Now()
		r, err := coverage.RunPython(ctx, coverage.PyRun{Dir: dir, Progress: bar.Update})
		bar.Done()
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return withHint(fmt.Errorf("setup: run the tests: %w", err), fmt.Sprintf("the checkout is in %s; once fixed, finish with: sprintkit setup %s", sum.relDir, sum.relDir))
		}
		if err := finishBaseline(ctx, sum, r, time.Since(start), say); err != nil {
			return err
		}
	default:
		sum.Notes = append(sum.Notes, "no go.mod, go.work or Python project found: no tests were run and no baseline recorded")
	}
	if sum.Baseline != "" {
		sum.Next = append(sum.Next, "sprintkit watch-test")
	}
	return setupPrintSummary(stdout, sum, o.JSON)
}

// finishBaseline writes the baseline, the coverage result, the ranking and
// the HTML report into .sprintkit/ (steps 4 and 5).
func finishBaseline(ctx context.Context, sum *setupSummary, r *coverage.Result, took time.Duration, say func(string, ...any)) error {
	commit := ""
	if sum.Clone != nil {
		commit = sum.Clone.Commit
	} else if sum.Checkout != nil {
		commit = sum.Checkout.Commit
	}
	if r.Commit == "" {
		r.Commit = commit
	}
	ts := &testSummary{Seconds: took.Seconds()}
	for _, t := range r.Tests {
		switch t.Outcome {
		case "pass":
			ts.Passed++
		case "fail":
			ts.Failed++
		case "skip":
			ts.Skipped++
		}
	}
	sum.Tests = ts
	sum.FailingBefore = r.Failed()
	total := r.Total
	sum.Total = &total

	if _, err := state.Ensure(sum.Dir); err != nil {
		return fmt.Errorf("setup: %w", err)
	}
	base := state.Path(sum.Dir, state.BaselineFile)
	if err := state.WriteJSON(base, coverage.NewBaseline(r)); err != nil {
		return fmt.Errorf("setup: %w", err)
	}
	sum.Baseline = base

	// 5. Ranking and report.
	say("ranking sprint targets and writing the report")
	targets := coverage.Rank(r, coverage.RankOptions{By: "package"})
	if err := state.WriteFile(state.Path(sum.Dir, state.ResultFile), func(w io.Writer) error {
		return skreport.JSON(w, r, targets)
	}); err != nil {
		return fmt.Errorf("setup: %w", err)
	}
	title := r.Project
	if title == "" {
		title = filepath.Base(sum.Dir)
	}
	index, err := skreport.HTML(ctx, state.Path(sum.Dir, state.ReportDir), r, targets, skreport.HTMLOptions{Title: title, Commit: r.Commit})
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		sum.Notes = append(sum.Notes, fmt.Sprintf("the HTML report could not be written: %v", err))
	} else {
		sum.Report = index
	}
	if len(targets) > 5 {
		targets = targets[:5]
	}
	sum.Targets = targets
	return nil
}

func setupPrintSummary(w io.Writer, s *setupSummary, asJSON bool) error {
	if s.Report != "" {
		s.Next = append(s.Next, setupOpenCmd()+" "+setupRel(s.Report))
	}
	if asJSON {
		return setupWriteJSON(w, s)
	}
	if c := s.Clone; c != nil {
		fmt.Fprintf(w, "cloned    %s into %s\n", c.Source, s.relDir)
		fmt.Fprintf(w, "          %s at %s %q: %d files in %.1fs%s\n", setupBranch(c.Branch), setupShort(c.Commit), c.Subject, c.Files, c.Seconds, setupDepthNote(c.Result))
	} else if c := s.Checkout; c != nil {
		if c.Commit != "" {
			fmt.Fprintf(w, "checkout  %s: %s at %s %q, %d files\n", s.relDir, setupBranch(c.Branch), setupShort(c.Commit), c.Subject, c.Files)
		} else {
			fmt.Fprintf(w, "checkout  %s\n", s.relDir)
		}
	}
	fmt.Fprintf(w, "project   %s\n", s.Project)
	doctorPrint(w, s.Checks, "checks    ")
	if d := s.Deps; d != nil {
		fmt.Fprintf(w, "modules   %d in go.sum (%d already in the module cache), downloaded in %.1fs\n", d.Modules, d.Cached, d.Seconds)
	}
	if t := s.Tests; t != nil {
		fmt.Fprintf(w, "tests     %d passed, %d failed, %d skipped in %.1fs\n", t.Passed, t.Failed, t.Skipped, t.Seconds)
		if len(s.FailingBefore) > 0 {
			fmt.Fprintf(w, "          failing before you changed anything (not your fault; recorded in the baseline):\n")
			for _, f := range s.FailingBefore {
				fmt.Fprintf(w, "            ✗ %s %s\n", f.Package, f.Test)
			}
		}
	}
	if s.Total != nil {
		fmt.Fprintf(w, "coverage  %.1f%% of %d statements\n", s.Total.Percent, s.Total.Statements)
	}
	if len(s.Targets) > 0 {
		fmt.Fprintf(w, "targets   the top %d, by rank (why each ranks there):\n", len(s.Targets))
		for _, t := range s.Targets {
			fmt.Fprintf(w, "          %d. %s  %.1f%%  %s\n", t.Rank, t.Name, t.Percent, t.Reason)
		}
	}
	if s.Baseline != "" {
		fmt.Fprintf(w, "baseline  %s\n", setupRel(s.Baseline))
	}
	if s.Report != "" {
		fmt.Fprintf(w, "report    %s\n", setupRel(s.Report))
	}
	for _, n := range s.Notes {
		fmt.Fprintf(w, "note      %s\n", n)
	}
	fmt.Fprintf(w, "\nNext:\n")
	for _, n := range s.Next {
		fmt.Fprintf(w, "  %s\n", n)
	}
	return nil
}

// printChecks writes one line per check, its hint under it when not ok.
func doctorPrint(w io.Writer, checks []doctor.Check, prefix string) {
	pad := strings.Repeat(" ", len(prefix))
	for i, c := range checks {
		p := pad
		if i == 0 {
			p = prefix
		}
		fmt.Fprintf(w, "%s%s %-36s %s\n", p, c.Status.Symbol(), c.Name, c.Detail)
		if c.Status != doctor.OK && c.Hint != "" {
			fmt.Fprintf(w, "%s  hint: %s\n", pad, c.Hint)
		}
	}
}

// reportChecks prints, as setup progresses, the checks that need attention
// and a count of the others.
func reportChecks(w io.Writer, checks []doctor.Check) {
	ok := 0
	for _, c := range checks {
		if c.Status == doctor.OK {
			ok++
			continue
		}
		fmt.Fprintf(w, "sprintkit: %s %s: %s\n", c.Status.Symbol(), c.Name, c.Detail)
		if c.Hint != "" {
			fmt.Fprintf(w, "sprintkit:   hint: %s\n", c.Hint)
		}
	}
	if ok > 0 {
		fmt.Fprintf(w, "sprintkit: ✓ %d of %d checks passed\n", ok, len(checks))
	}
}

// mergeChecks replaces checks of a with those of b by ID, appending the rest.
func mergeChecks(a, b []doctor.Check) []doctor.Check {
	out := append([]doctor.Check(nil), a...)
	for _, c := range b {
		found := false
		for i := range out {
			if out[i].ID == c.ID {
				out[i], found = c, true
			}
		}
		if !found {
			out = append(out, c)
		}
	}
	return out
}

func doctorCount(checks []doctor.Check, s doctor.Status) int {
	n := 0
	for _, c := range checks {
		if c.Status == s {
			n++
		}
	}
	return n
}

// isCheckoutDir reports whether arg names a directory to set up in place: a
// directory that is not a bare repository (a bare one is a clone source).
func isCheckoutDir(arg string) bool {
	if checkout.Transport(arg) != "file" || strings.HasPrefix(arg, "file://") {
		return false
	}
	fi, err := os.Stat(arg)
	if err != nil || !fi.IsDir() {
		return false
	}
	if _, err := os.Stat(filepath.Join(arg, ".git")); err == nil {
		return true
	}
	bare := true
	for _, n := range []string{"HEAD", "objects", "refs"} {
		if _, err := os.Stat(filepath.Join(arg, n)); err != nil {
			bare = false
		}
	}
	return !bare
}

// cloneErr turns a checkout error into a message with its hint. With
// SPRINTKIT_DEBUG=1 the underlying go-git error follows, redacted too.
func cloneErr(err error, rawURL string, stderr io.Writer) error {
	var ce *checkout.Error
	if errors.As(err, &ce) {
		if ce.Kind == checkout.ErrInterrupted {
			return err // reported as "interrupted", exit 130
		}
		if debugEnabled() && ce.Err != nil {
			fmt.Fprintf(stderr, "sprintkit: debug: %s\n", checkout.RedactText(ce.Err.Error(), rawURL))
		}
		return withHint(fmt.Errorf("setup: %s", ce.Msg), ce.Hint)
	}
	return fmt.Errorf("setup: %s", checkout.RedactText(err.Error(), rawURL))
}

func depsHint(err error) string {
	s := err.Error()
	switch {
	case strings.Contains(s, "GOPROXY=off") || strings.Contains(s, "module lookup disabled"):
		return "the modules are not in your module cache and GOPROXY=off forbids fetching them: connect to the network and unset GOPROXY, or set up from an offline image (sprintkit setup --from-image)"
	case strings.Contains(s, "dial tcp") || strings.Contains(s, "no such host") || strings.Contains(s, "timeout"):
		return "the module proxy cannot be reached: check your network connection, or set up from an offline image (sprintkit setup --from-image)"
	case strings.Contains(s, "checksum mismatch") || strings.Contains(s, "SECURITY ERROR"):
		return "a downloaded module does not match go.sum: tell the project's maintainers; do not edit go.sum to make it pass"
	}
	return "run 'go mod download' in the checkout to see the whole error"
}

// needBytes estimates the disk a project takes: for a local source, twice
// its size on disk plus room for the caches; else doctor's default.
func setupNeedBytes(arg, transport string) int64 {
	if transport != "file" {
		return 0
	}
	src := strings.TrimPrefix(arg, "file://")
	var n int64
	filepath.WalkDir(src, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			if fi, err := d.Info(); err == nil {
				n += fi.Size()
			}
		}
		return nil
	})
	return 2*n + 512<<20
}

func cloneProgressText(p checkout.Progress) string {
	switch p.Phase {
	case "counting", "compressing", "enumerating":
		if p.TotalObjects > 0 {
			return fmt.Sprintf("%s objects %d/%d", p.Phase, p.Objects, p.TotalObjects)
		}
	case "receiving":
		t := "receiving"
		if p.TotalObjects > 0 {
			t += fmt.Sprintf(" %d objects", p.TotalObjects)
		}
		return t
	case "checkout":
		return "writing files"
	}
	return p.Phase
}

func setupDepthNote(r *checkout.Result) string {
	if r.Shallow {
		return " (latest commit only; --depth 0 for the history)"
	}
	return ""
}

func setupBranch(branch string) string {
	if branch == "" {
		return "detached HEAD"
	}
	return branch
}

func setupShort(commit string) string {
	if len(commit) > 12 {
		return commit[:12]
	}
	return commit
}

func setupSize(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	}
	return fmt.Sprintf("%d KiB", (n+1023)/1024)
}

func setupOpenCmd() string {
	switch runtime.GOOS {
	case "darwin":
		return "open"
	case "windows":
		return "start"
	}
	return "xdg-open"
}

func setupAbs(p string) string {
	if a, err := filepath.Abs(p); err == nil {
		return a
	}
	return p
}

// relPath returns p relative to the working directory when it is below it.
func setupRel(p string) string {
	wd, err := os.Getwd()
	if err != nil {
		return p
	}
	r, err := filepath.Rel(wd, setupAbs(p))
	if err != nil || strings.HasPrefix(r, "..") {
		return p
	}
	return r
}

func setupWriteJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
