package testloop

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/sprintkit/sprintkit/internal/human"
	"github.com/sprintkit/sprintkit/patchcov"
)

// JSON writes one JSON object per line:
//
//	{"event":"ready"}
//	{"event":"run","changed":["a/a.go"],"packages":["example.com/m/a","example.com/m/b"],"edited":["example.com/m/a"]}
//	{"event":"package","package":"example.com/m/a","passed":3,"failed":1,"new_failures":["TestX"],"skipped":0,"failing_before":[]}
//	{"event":"result","package":"example.com/m/a","passed":3,"failed":1,"coverage":47.5,"baseline":42,"new_failures":["TestX"],"skipped":0,"failing_before":[]}
//	{"event":"done","seconds":1.25,"patch":{"ref":"…","statements":16,"covered":14,"percent":87.5,"files":[…]},"newly_covered":[{"name":"Arg",…,"gained":1}]}
//
// Fields are only ever added, after the existing ones. "edited" are the
// packages of "packages" that hold a changed file: their tests run first,
// then the others' ("edited" is empty when the run is not split). "passed",
// "failed" and "skipped" count every test and subtest (see TallyTests);
// "new_failures" and "failing_before" name the failing tests that passed
// (or did not exist) at the baseline and those that failed there too.
// "coverage" is the package's whole-suite coverage in percent, "baseline"
// the same figure in .sprintkit/baseline.json; either is null when unknown.
// A "package" line comes as soon as a package's tests finish (the edited
// packages first, then the others in the order go test reports them: its
// argument order, each package once it and those before it are done), with
// its counts and failures but no coverage: coverage
// is known only when the whole run ends, so the "result" lines, one per
// package with the same counts and the coverage, all come at the end,
// before "done". A package that did not build has its "package" line when
// its go test run ends.
// A run cancelled by a newer change ends without result and done lines
// (some of its package lines may have come): the next "run" follows. A run that could not happen (a build of the runner
// failing, no go command) ends with {"event":"error","message":"..."} then
// "done". With --cmd, "packages" is empty and "done" carries "exit_code".
// "patch", when watch-test measures the change (see patchcov.Coverage), is the
// coverage of the lines added or changed since the baseline's commit, over
// the files the session's runs have measured.
type JSON struct {
	W io.Writer
}

type jsonRun struct {
	Event    string   `json:"event"`
	Changed  []string `json:"changed"`
	Packages []string `json:"packages"`
	Edited   []string `json:"edited"`
}

type jsonResult struct {
	Event         string   `json:"event"`
	Package       string   `json:"package"`
	Passed        int      `json:"passed"`
	Failed        int      `json:"failed"`
	Coverage      *float64 `json:"coverage"`
	Baseline      *float64 `json:"baseline"`
	NewFailures   []string `json:"new_failures"`
	Skipped       int      `json:"skipped"`
	FailingBefore []string `json:"failing_before"`
	// FailsDifferently are the tests of FailingBefore whose failure has
	// another cause than at the baseline; FlakyBefore failing tests that
	// were flaky at the baseline.
	FailsDifferently []string `json:"fails_differently,omitempty"`
	FlakyBefore      []string `json:"flaky_before,omitempty"`
}

type jsonPackage struct {
	Event         string   `json:"event"`
	Package       string   `json:"package"`
	Passed        int      `json:"passed"`
	Failed        int      `json:"failed"`
	NewFailures   []string `json:"new_failures"`
	Skipped       int      `json:"skipped"`
	FailingBefore []string `json:"failing_before"`
	// FailsDifferently are the tests of FailingBefore whose failure has
	// another cause than at the baseline; FlakyBefore failing tests that
	// were flaky at the baseline.
	FailsDifferently []string `json:"fails_differently,omitempty"`
	FlakyBefore      []string `json:"flaky_before,omitempty"`
}

type jsonDone struct {
	Event    string  `json:"event"`
	Seconds  float64 `json:"seconds"`
	ExitCode *int    `json:"exit_code,omitempty"`
	// Patch is the coverage of the change since the baseline's commit.
	Patch *patchcov.Coverage `json:"patch,omitempty"`
	// NewlyCovered are the functions more of which run than at the
	// baseline (Report.Gains).
	NewlyCovered gainList `json:"newly_covered,omitempty"`
}

func (j *JSON) line(v any) {
	b, err := json.Marshal(v)
	if err != nil {
		return
	}
	j.W.Write(append(b, '\n'))
}

func (j *JSON) Ready(Ready) { j.line(map[string]string{"event": "ready"}) }

func (j *JSON) Start(run Run) {
	r := jsonRun{Event: "run", Changed: run.Changed, Packages: run.Packages, Edited: run.Edited}
	for _, list := range []*[]string{&r.Changed, &r.Packages, &r.Edited} {
		if *list == nil {
			*list = []string{}
		}
	}
	j.line(r)
}

func (j *JSON) Progress(done, total int) {}

// Output of a --cmd command is not JSON; it is left out of the stream.
func (j *JSON) Output(p []byte) {}

// Package writes a package's "package" line as soon as its tests finish.
func (j *JSON) Package(p PackageReport) {
	j.line(jsonPackage{Event: "package", Package: p.Package, Passed: p.Passed, Failed: p.Failed, NewFailures: p.NewFailures(),
		Skipped: p.Skipped, FailingBefore: p.FailingBefore(), FailsDifferently: p.FailsDifferently(), FlakyBefore: p.FlakyBefore()})
}

func (j *JSON) Finish(rep *Report) {
	if rep.Cancelled {
		return
	}
	for _, p := range rep.Packages {
		j.line(jsonResult{Event: "result", Package: p.Package, Passed: p.Passed, Failed: p.Failed,
			Coverage: p.Coverage, Baseline: p.Baseline, NewFailures: p.NewFailures(),
			Skipped: p.Skipped, FailingBefore: p.FailingBefore(), FailsDifferently: p.FailsDifferently(), FlakyBefore: p.FlakyBefore()})
	}
	if rep.Err != nil {
		j.line(map[string]string{"event": "error", "message": rep.Err.Error()})
	}
	d := jsonDone{Event: "done", Seconds: round3(rep.Seconds), Patch: rep.Patch, NewlyCovered: rep.Gains}
	if rep.Command != "" {
		code := rep.ExitCode
		d.ExitCode = &code
	}
	j.line(d)
}

func round3(s float64) float64 { return float64(int64(s*1000+0.5)) / 1000 }

// Screen writes a report meant to be read. Piped, it writes plain lines
// and nothing else. On a terminal it clears the screen before each run
// (unless NoClear) and keeps a status line at the bottom while the tests
// run, rewritten in place: the packages being tested, how many are done,
// and the time since the run started.
//
// A run's screen reads, top to bottom: the packages it runs (the changed
// ones first); each package's line as soon as it finishes, with its
// failing tests under it, each cut to its first MaxLines lines of output
// unless Verbose; then, when the run ends, every package again with its
// counts and coverage, the list of failing tests (new ones, then those
// that failed at the baseline too), and one summary line.
type Screen struct {
	W        io.Writer
	Terminal bool // W is a terminal: clear it and draw the status line
	NoClear  bool
	Color    bool
	// Verbose shows failing tests' whole output.
	Verbose bool
	// MaxLines is how many lines of a failing test's output show when not
	// Verbose; 0 means 10.
	MaxLines int
	// Width is the terminal's width in columns, to keep the status line on
	// one line; 0 means 80.
	Width int

	// Now, when set, stands in for time.Now.
	Now func() time.Time

	mu             sync.Mutex
	noBaselineSaid bool
	// the run going, for the status line
	run           Run
	running       bool
	started       time.Time
	done, total   int
	statusShown   bool
	stopTicker    chan struct{}
	tickerStopped chan struct{}
	streamed      []string        // packages of this run shown by Package, in order
	shown         map[string]bool // the same, as a set
}

var (
	_ PackageRenderer = (*JSON)(nil)
	_ PackageRenderer = (*Screen)(nil)
)

const (
	clearScreen = "\x1b[H\x1b[2J\x1b[3J"
	clearLine   = "\r\x1b[K"
	red         = "\x1b[31m"
	green       = "\x1b[32m"
	yellow      = "\x1b[33m"
	dim         = "\x1b[2m"
	reset       = "\x1b[0m"
)

func (s *Screen) paint(color, text string) string {
	if !s.Color {
		return text
	}
	return color + text + reset
}

func (s *Screen) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

func (s *Screen) Ready(r Ready) {
	s.mu.Lock()
	defer s.mu.Unlock()
	what := fmt.Sprintf("%d packages", r.Packages)
	switch r.Kind {
	case kindCommand:
		what = "any change"
	case kindPython:
		what = "Python files"
	}
	mode := ""
	if r.Polling {
		mode = " (polling)"
	}
	fmt.Fprintf(s.W, "watching %s%s: %s; save a file to run the affected tests (Ctrl-C to stop)\n", r.Root, mode, what)
	if r.NoBaseline && r.Kind != kindCommand {
		s.noBaselineSaid = true
		fmt.Fprintln(s.W, "no baseline (.sprintkit/baseline.json): coverage is shown without a change, and every failure counts as new; run 'sprintkit setup .' to record one")
	}
}

func (s *Screen) Start(run Run) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stop() // a run without a Finish (none should be) leaves no ticker behind
	s.streamed, s.shown = nil, map[string]bool{}
	s.run, s.done, s.total = run, 0, len(run.Packages)
	s.started = s.now()
	if s.Terminal && !s.NoClear {
		io.WriteString(s.W, clearScreen)
	} else if run.Seq > 1 {
		fmt.Fprintln(s.W)
	}
	fmt.Fprintf(s.W, "%s run %d · changed %s\n", s.started.Format("15:04:05"), run.Seq, summarize(run.Changed, 4))
	switch {
	case run.Command != "":
		fmt.Fprintf(s.W, "$ %s\n", run.Command)
	case run.All:
		fmt.Fprintf(s.W, "running the whole suite (%d packages)\n", len(run.Packages))
	case len(run.Edited) > 0:
		fmt.Fprintf(s.W, "running %d packages: %s first, then %s\n", len(run.Packages),
			summarize(run.Edited, 3), summarize(without(run.Packages, run.Edited), 5))
	default:
		fmt.Fprintf(s.W, "running %s: %s\n", human.Count(len(run.Packages), "package", "packages"), summarize(run.Packages, 6))
	}
	if s.Terminal && run.Command == "" {
		s.running = true
		s.drawStatus()
		s.startTicker()
	}
}

// startTicker redraws the status line every second, so that the time
// moves while a slow build or test holds every package back.
func (s *Screen) startTicker() {
	stop, stopped := make(chan struct{}), make(chan struct{})
	s.stopTicker, s.tickerStopped = stop, stopped
	go func() {
		defer close(stopped)
		t := time.NewTicker(time.Second)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
				s.mu.Lock()
				if s.running {
					s.drawStatus()
				}
				s.mu.Unlock()
			}
		}
	}()
}

// stop ends the status line of the run going; s.mu is held.
func (s *Screen) stop() {
	s.running = false
	s.clearStatus()
	if s.stopTicker != nil {
		close(s.stopTicker)
		stopped := s.tickerStopped
		s.stopTicker, s.tickerStopped = nil, nil
		s.mu.Unlock()
		<-stopped
		s.mu.Lock()
	}
}

// status is the text of the status line: the packages being tested (the
// first ones not yet reported, in the order go test reports them), how
// many are done, and the time the run has taken.
func (s *Screen) status() string {
	var waiting []string
	changed := false
	for i, group := range stages(s.run) {
		for _, p := range group {
			if !s.shown[p] {
				waiting = append(waiting, p)
			}
		}
		if len(waiting) > 0 {
			changed = i == 0 && len(s.run.Edited) > 0
			break
		}
	}
	done := max(s.done, len(s.streamed))
	total := max(s.total, done)
	text := "testing"
	switch {
	case len(waiting) > 0:
		text += " " + summarize(waiting, 2)
		if changed {
			text += " (changed)"
		}
	case total > 0 && done >= total:
		text = "measuring coverage" // every package reported: the profiles are read
	}
	if total > 0 {
		text += fmt.Sprintf(" · %d/%d packages done", done, total)
	}
	text += fmt.Sprintf(" · %ds", int(s.now().Sub(s.started).Seconds()))
	return text
}

// drawStatus rewrites the status line; s.mu is held.
func (s *Screen) drawStatus() {
	width := s.Width
	if width <= 0 {
		width = 80
	}
	text := []rune(s.status())
	if len(text) > width-1 {
		text = append(text[:width-2], '…')
	}
	io.WriteString(s.W, clearLine+s.paint(dim, string(text)))
	s.statusShown = true
}

// clearStatus takes the status line away before other output; s.mu is held.
func (s *Screen) clearStatus() {
	if s.statusShown {
		io.WriteString(s.W, clearLine)
		s.statusShown = false
	}
}

func (s *Screen) Progress(done, total int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.done, s.total = done, max(total, s.total)
	if s.running {
		s.drawStatus()
	}
}

func (s *Screen) Output(p []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.W.Write(p)
}

// counts formats "3 passed, 1 failed, 2 skipped".
func counts(c Tally) string {
	t := fmt.Sprintf("%d passed", c.Passed)
	if c.Failed > 0 {
		t += fmt.Sprintf(", %d failed", c.Failed)
	}
	if c.Skipped > 0 {
		t += fmt.Sprintf(", %d skipped", c.Skipped)
	}
	return t
}

func tally(p PackageReport) Tally { return Tally{p.Passed, p.Failed, p.Skipped} }

// countsVsBaseline is counts, followed by the baseline's when they differ.
func countsVsBaseline(p PackageReport) string {
	t := counts(tally(p))
	if p.AtBaseline != nil && *p.AtBaseline != tally(p) {
		t += " (baseline " + counts(*p.AtBaseline) + ")"
	}
	return t
}

func (s *Screen) mark(p PackageReport) string {
	if p.Failed > 0 {
		return s.paint(red, "FAIL")
	}
	return s.paint(green, "ok  ")
}

// Package shows a package's counts and failing tests as soon as its tests
// finish; Finish then shows it again with its coverage.
func (s *Screen) Package(p PackageReport) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.clearStatus()
	if s.shown == nil {
		s.shown = map[string]bool{}
	}
	if !s.shown[p.Package] {
		s.streamed = append(s.streamed, p.Package)
	}
	s.shown[p.Package] = true
	fmt.Fprintf(s.W, "%s %s  %s\n", s.mark(p), p.Package, countsVsBaseline(p))
	for _, f := range p.Failures {
		s.failure(p.Package, f)
	}
	if s.running {
		s.drawStatus()
	}
}

func (s *Screen) Finish(rep *Report) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stop()
	streamed, shown := s.streamed, s.shown
	s.streamed, s.shown = nil, nil
	if rep.Cancelled {
		fmt.Fprintln(s.W, s.paint(dim, "cancelled: a newer change came in"))
		return
	}
	if rep.Command != "" {
		if rep.Err != nil {
			fmt.Fprintf(s.W, "%s %v\n", s.paint(red, "error:"), rep.Err)
		} else if rep.ExitCode == 0 {
			fmt.Fprintf(s.W, "%s in %.1fs\n", s.paint(green, "ok"), rep.Seconds)
		} else {
			fmt.Fprintf(s.W, "%s exit status %d in %.1fs\n", s.paint(red, "FAIL"), rep.ExitCode, rep.Seconds)
		}
		return
	}
	// Packages not shown as they finished (Python runs, packages go test
	// never reported) show their failing tests first.
	byName := map[string]PackageReport{}
	for _, p := range rep.Packages {
		byName[p.Package] = p
	}
	var order []PackageReport
	for _, name := range streamed {
		if p, ok := byName[name]; ok {
			order = append(order, p)
		}
	}
	for _, p := range rep.Packages {
		if !shown[p.Package] {
			order = append(order, p)
			for _, f := range p.Failures {
				s.failure(p.Package, f)
			}
		}
	}

	// Every package, with its counts and coverage: the per-package status
	// stays on screen below the failures.
	width, cwidth := 0, 0
	var sum Tally
	for _, p := range order {
		width = max(width, len(p.Package))
		cwidth = max(cwidth, utf8.RuneCountInString(countsVsBaseline(p)))
		c := tally(p)
		sum.Passed += c.Passed
		sum.Failed += c.Failed
		sum.Skipped += c.Skipped
	}
	if len(order) > 0 {
		fmt.Fprintln(s.W)
	}
	for _, p := range order {
		c := countsVsBaseline(p)
		fmt.Fprintf(s.W, "%s %-*s  %s%s  %s\n", s.mark(p), width, p.Package, c,
			strings.Repeat(" ", cwidth-utf8.RuneCountInString(c)), s.coverage(p))
	}
	newFail, oldFail, flakyFail := s.failingTests(order, rep.NoBaseline)
	if rep.Err != nil {
		fmt.Fprintf(s.W, "%s %v\n", s.paint(red, "error:"), rep.Err)
	}
	summary := fmt.Sprintf("%s, %s in %.1fs", human.Count(len(rep.Packages), "package", "packages"), counts(sum), rep.Seconds)
	switch {
	case newFail > 0 || oldFail > 0 || flakyFail > 0:
		flaky := ""
		if flakyFail > 0 {
			flaky = fmt.Sprintf(", %d flaky at the baseline", flakyFail)
		}
		summary = fmt.Sprintf("%s, %d failing before%s · ", human.Count(newFail, "new failure", "new failures"), oldFail, flaky) + summary
	case rep.Err == nil:
		summary = "all passed · " + summary
	}
	fmt.Fprintln(s.W)
	fmt.Fprintln(s.W, summary)
	if rep.Patch != nil {
		line := rep.Patch.Summary()
		if rep.Patch.Covered < rep.Patch.Statements {
			line = s.paint(yellow, line)
		}
		fmt.Fprintln(s.W, line)
	}
	if line := gainsLine(rep.Gains, 5); line != "" {
		fmt.Fprintln(s.W, s.paint(green, line))
	}
	note := "coverage is whole-suite coverage (what every test of the module reaches), as in the ranking; baseline → now"
	switch {
	case rep.Partial:
		note = "coverage is that of the changed test files alone, so it is not compared with the baseline"
	case rep.NoBaseline && s.Terminal && !s.NoClear:
		// The start-up notice was cleared away: say it again, briefly.
		note = "coverage is whole-suite coverage (what every test of the module reaches), as in the ranking; no baseline to compare with"
	case rep.NoBaseline:
		note = "coverage is whole-suite coverage (what every test of the module reaches), as in the ranking"
	}
	fmt.Fprintln(s.W, s.paint(dim, note))
}

// coverage formats "coverage 42.0% → 47.5% (+5.5)", or without the arrow
// when there is no baseline figure.
func (s *Screen) coverage(p PackageReport) string {
	if p.Coverage == nil {
		return s.paint(dim, "no coverage")
	}
	if p.Baseline == nil {
		return fmt.Sprintf("coverage %.1f%%", *p.Coverage)
	}
	d, _ := p.Delta()
	text := fmt.Sprintf("coverage %.1f%% → %.1f%% (%+.1f)", *p.Baseline, *p.Coverage, d)
	switch {
	case d > 0:
		return s.paint(green, text)
	case d < 0:
		return s.paint(red, text)
	}
	return text
}

func summarize(items []string, n int) string {
	if len(items) == 0 {
		return "-"
	}
	if len(items) <= n {
		return strings.Join(items, " ")
	}
	return strings.Join(items[:n], " ") + fmt.Sprintf(" and %d more", len(items)-n)
}

// without returns the items of all that are not in some, in order.
func without(all, some []string) []string {
	drop := map[string]bool{}
	for _, x := range some {
		drop[x] = true
	}
	var out []string
	for _, x := range all {
		if !drop[x] {
			out = append(out, x)
		}
	}
	return out
}
