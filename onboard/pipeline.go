// Package pipeline owns onboarding as a pipeline of named steps, one file
// each:
//
//	checks.go    the machine and the project's needs (doctor)
//	source.go    the checkout: a clone, an image, or the directory in place
//	deps.go      go mod download
//	baseline.go  the whole test suite once with coverage; baseline.json, cover.out
//	rank.go      the sprint targets, with one set of ranking defaults
//	report.go    coverage.json and the HTML report
//	summary.go   what setup did, as one value the command renders
//
// `sprintkit setup` (from a URL, a directory or an image) runs them all;
// `sprintkit coverage` runs baseline (or an import), rank and report;
// `sprintkit image` runs baseline, rank and report on its scratch copy.
// Steps call lower packages (checkout, doctor, coverage, report, image,
// state) and return values; nothing here prints: progress goes through
// Events, and the command renders the Summary.
package onboard

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"time"

	"github.com/sprintkit/sprintkit/coverage"
	"github.com/sprintkit/sprintkit/doctor"
	"github.com/sprintkit/sprintkit/internal/state"
	"github.com/sprintkit/sprintkit/report"
)

// Bar is a progress indicator drawn by the command; steps only feed it.
// *termui.Progress is one (a nil one draws nothing).
type Bar interface {
	Update(done, total int)
	Set(n int64)
	SetTotal(n int64)
	Describe(s string)
	Done()
}

// Events is how a pipeline tells the command what it is doing. Every field
// may be nil.
type Events struct {
	// Step is called when a step starts, with a line for a person.
	Step func(step, msg string)
	// Checks is called with each batch of checks as they are made.
	Checks func(checks []doctor.Check)
	// Bar starts a progress indicator; total is -1 when unknown.
	Bar func(label string, total int64, bytes bool) Bar
	// Warn is called with a warning about a figure or a file.
	Warn func(msg string)
	// Debug is called with what SPRINTKIT_DEBUG=1 should show.
	Debug func(msg string)
}

func (e Events) step(name, format string, args ...any) {
	if e.Step != nil {
		e.Step(name, fmt.Sprintf(format, args...))
	}
}

func (e Events) checks(c []doctor.Check) {
	if e.Checks != nil && len(c) > 0 {
		e.Checks(c)
	}
}

func (e Events) bar(label string, total int64, bytes bool) Bar {
	if e.Bar == nil {
		return nopBar{}
	}
	if b := e.Bar(label, total, bytes); b != nil {
		return b
	}
	return nopBar{}
}

func (e Events) warn(format string, args ...any) {
	if e.Warn != nil {
		e.Warn(fmt.Sprintf(format, args...))
	}
}

func (e Events) debug(format string, args ...any) {
	if e.Debug != nil {
		e.Debug(fmt.Sprintf(format, args...))
	}
}

type nopBar struct{}

func (nopBar) Update(int, int) {}
func (nopBar) Set(int64)       {}
func (nopBar) SetTotal(int64)  {}
func (nopBar) Describe(string) {}
func (nopBar) Done()           {}

// Options says what setup does. It is input only: what a step learns on
// the way is in the route, and what setup did in the Summary.
type Options struct {
	// Arg is a repository URL to clone, or a checkout to set up in place.
	Arg string
	// Image, when set, is an image directory to set up from instead of Arg.
	Image string
	// Dir is the destination of a clone or an image; "" derives it.
	Dir string
	// Clone options (see checkout.Options).
	Branch string
	Depth  int
	Tags   bool
	SSHKey string
	// CloneOnly stops after the source and the checks.
	CloneOnly bool
	// NoDeps skips installing a Python project and its test dependencies.
	NoDeps bool
	// NoBuildCache leaves an image's Go build cache out of GOCACHE.
	NoBuildCache bool
	// Timeout bounds each test binary of the baseline run; 0 keeps the
	// runner's default.
	Timeout time.Duration
	// Env is the environment of every child (os.Environ() when nil).
	Env    []string
	Events Events
	// Room is how many sprinters share the sprint (--room); 0 takes the
	// project file's [room] size, else coverage.DefaultRoomSize.
	Room int
}

// route is what setup learns on its way that the summary does not show.
type route struct {
	src source
	// env is the environment of every child: Options.Env, then the module
	// settings of an image or a sprint server.
	env []string
	// testFlags are more go test flags for the baseline: an image's
	// build-cache flags and -count=1.
	testFlags []string
	// commit is HEAD's once the checkout is there, "" when unknown.
	commit string
	// pf is the project file, read once the checkout is there.
	pf *coverage.ProjectFile
}

// environ is the environment children get, os.Environ() by default.
func (rt *route) environ() []string {
	if rt.env != nil {
		return rt.env
	}
	return os.Environ()
}

// Setup runs the whole pipeline: checks, source, dependencies, baseline,
// rank, report. It always returns the summary of what it did, with the
// error that stopped it (if any) in Summary.Error as well, so that a JSON
// reader gets a document either way.
func Setup(ctx context.Context, o Options) (*Summary, error) {
	s := newSummary()
	err := setup(ctx, o, s)
	s.fail(err)
	return s, err
}

func setup(ctx context.Context, o Options, s *Summary) error {
	src, err := resolveSource(ctx, o)
	if err != nil {
		return err
	}
	rt := &route{src: src, env: o.Env}
	s.Dir, s.relDir = src.dir, Rel(src.dir)
	if err := preChecks(ctx, o, rt, s); err != nil {
		return err
	}
	lap := s.lapper()
	proj, err := fetchSource(ctx, o, rt, s)
	if err != nil {
		return err
	}
	lap("source")
	s.Project = proj.Kind()
	s.Next = append(s.Next, firstSteps(s)...)
	if o.CloneOnly {
		s.Next = append(s.Next, Self()+" setup .")
		return nil
	}
	// The project file, and the state directory, now: a mistake in the
	// one, or a .sprintkit or .git/info of the other that leads out of the
	// checkout, stops setup before anything is written or run.
	if rt.pf, err = loadProject(s.Dir); err != nil {
		return err
	}
	if _, err := state.Ensure(s.Dir); err != nil {
		return err
	}
	goProject := proj.Go || proj.GoWork || len(proj.Modules) > 0
	if goProject && src.kind != SourceImage {
		if err := deps(ctx, o, rt, proj, s); err != nil {
			return err
		}
		lap("deps")
	}
	if !goProject && !proj.Python {
		s.Notes = append(s.Notes, "no go.mod, go.work or Python project found: no tests were run and no baseline recorded")
		return nil
	}
	if proj.Python && !goProject {
		if err := pythonDeps(ctx, o, rt, s, imageWheels(src, s)); err != nil {
			return err
		}
		lap("deps")
	}
	lap("") // the time since the last step is not the baseline's
	r, err := baseline(ctx, o, rt, s)
	if err != nil {
		return err
	}
	lap("baseline")
	return rankAndRecord(ctx, o, rt, r, s, lap)
}

// lapper returns the function that adds the time since its last call to
// the step named (nothing for ""), for Summary.StepSeconds.
func (s *Summary) lapper() func(step string) {
	t := time.Now()
	return func(step string) {
		if step != "" {
			s.StepSeconds[step] += time.Since(t).Seconds()
		}
		t = time.Now()
	}
}

// firstSteps are the next steps that come before the tests': installing
// this sprintkit, the cd into the checkout, the module settings.
func firstSteps(s *Summary) []string {
	var next []string
	if install := Install(); install != "" {
		next = append(next, install)
	}
	if s.relDir != "." && s.relDir != "" {
		next = append(next, "cd "+s.relDir)
	}
	if (s.Image != nil && len(s.Image.Env) > 0) || s.Server != nil {
		// The go command finds the image's modules with these settings.
		if runtime.GOOS == "windows" {
			next = append(next, "(paste the $env: lines above into PowerShell)")
		} else {
			next = append(next, ". .sprintkit/env")
		}
	}
	return next
}

// rankAndRecord is setup's last steps: the targets ranked, the baseline
// recorded, the HTML report, and what to do next.
func rankAndRecord(ctx context.Context, o Options, rt *route, r *coverage.Result, s *Summary, lap func(string)) error {
	targets, _, split := curateAndRank(ctx, s.Dir, rt.pf, r, "", o.Room)
	s.Split = split
	total := r.Total // after the project file left its excluded paths out
	s.Total = &total
	s.Incomplete = report.CrashNotes(r)
	s.Branch = r.Branch
	if n := coverage.BranchNote(r); n != "" {
		s.Notes = append(s.Notes, n) // the targets are branches never taken
	}
	s.Warnings = append(s.Warnings, r.Warnings...)
	if err := Record(s.Dir, r, targets); err != nil {
		return err
	}
	s.Baseline = BaselinePath(s.Dir)
	lap("rank")
	o.Events.step("report", "ranking sprint targets and writing the report")
	dir, err := ReportDir(s.Dir)
	if err != nil {
		return err
	}
	index, err := Report(ctx, dir, r, targets, o.Events)
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		s.Notes = append(s.Notes, fmt.Sprintf("the HTML report could not be written: %v", err))
	} else {
		s.Report = index
	}
	lap("report")
	s.Targets = firstN(targets, 5)
	if (r.Language == "go" || r.Language == "python") && len(targets) > 0 {
		s.late = &lateWork{r: r, targets: targets, env: rt.environ()}
		s.Notes = append(s.Notes, startFromNote)
	}
	if s.Server != nil {
		s.Server.Claims = claimsOf(ctx, s.Server.URL, s.Targets)
	}
	// In the order they work when pasted: the report opens and returns,
	// watch-test runs until Ctrl-C.
	if s.Report != "" {
		s.Next = append(s.Next, OpenLine(s.Report, s.Dir))
	}
	s.Next = append(s.Next, Self()+" watch-test")
	return nil
}
