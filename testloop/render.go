package testloop

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"
)

// JSON writes one JSON object per line:
//
//	{"event":"ready"}
//	{"event":"run","changed":["a/a.go"],"packages":["example.com/m/a","example.com/m/b"]}
//	{"event":"package","package":"example.com/m/a","passed":3,"failed":1,"new_failures":["TestX"]}
//	{"event":"result","package":"example.com/m/a","passed":3,"failed":1,"coverage":47.5,"baseline":42,"new_failures":["TestX"]}
//	{"event":"done","seconds":1.25}
//
// "coverage" is the package's whole-suite coverage in percent, "baseline"
// the same figure in .sprintkit/baseline.json; either is null when unknown.
// A "package" line comes as soon as a package's tests finish (in the
// order go test reports them: its argument order, each package once it and
// those before it are done), with its counts and new failures but no coverage: coverage
// is known only when the whole run ends, so the "result" lines, one per
// package with the same counts and the coverage, all come at the end,
// before "done". A package that did not build has its "package" line when
// its go test run ends.
// A run cancelled by a newer change ends without result and done lines
// (some of its package lines may have come): the next "run" follows. A run that could not happen (a build of the runner
// failing, no go command) ends with {"event":"error","message":"..."} then
// "done". With --cmd, "packages" is empty and "done" carries "exit_code".
type JSON struct {
	W io.Writer
}

type jsonRun struct {
	Event    string   `json:"event"`
	Changed  []string `json:"changed"`
	Packages []string `json:"packages"`
}

type jsonResult struct {
	Event       string   `json:"event"`
	Package     string   `json:"package"`
	Passed      int      `json:"passed"`
	Failed      int      `json:"failed"`
	Coverage    *float64 `json:"coverage"`
	Baseline    *float64 `json:"baseline"`
	NewFailures []string `json:"new_failures"`
}

type jsonPackage struct {
	Event       string   `json:"event"`
	Package     string   `json:"package"`
	Passed      int      `json:"passed"`
	Failed      int      `json:"failed"`
	NewFailures []string `json:"new_failures"`
}

type jsonDone struct {
	Event    string  `json:"event"`
	Seconds  float64 `json:"seconds"`
	ExitCode *int    `json:"exit_code,omitempty"`
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
	r := jsonRun{Event: "run", Changed: run.Changed, Packages: run.Packages}
	if r.Changed == nil {
		r.Changed = []string{}
	}
	if r.Packages == nil {
		r.Packages = []string{}
	}
	j.line(r)
}

func (j *JSON) Progress(done, total int) {}

// Output of a --cmd command is not JSON; it is left out of the stream.
func (j *JSON) Output(p []byte) {}

// Package writes a package's "package" line as soon as its tests finish.
func (j *JSON) Package(p PackageReport) {
	j.line(jsonPackage{Event: "package", Package: p.Package, Passed: p.Passed, Failed: p.Failed, NewFailures: p.NewFailures()})
}

func (j *JSON) Finish(rep *Report) {
	if rep.Cancelled {
		return
	}
	for _, p := range rep.Packages {
		j.line(jsonResult{Event: "result", Package: p.Package, Passed: p.Passed, Failed: p.Failed,
			Coverage: p.Coverage, Baseline: p.Baseline, NewFailures: p.NewFailures()})
	}
	if rep.Err != nil {
		j.line(map[string]string{"event": "error", "message": rep.Err.Error()})
	}
	d := jsonDone{Event: "done", Seconds: round3(rep.Seconds)}
	if rep.Command != "" {
		code := rep.ExitCode
		d.ExitCode = &code
	}
	j.line(d)
}

func round3(s float64) float64 { return float64(int64(s*1000+0.5)) / 1000 }

// Screen writes a report meant to be read: on a terminal it clears the
// screen before each run (unless NoClear) and shows progress; piped, it
// writes the same report as plain lines and nothing else.
type Screen struct {
	W        io.Writer
	Terminal bool // W is a terminal: clear and show progress
	NoClear  bool
	Color    bool

	// Now, when set, stands in for time.Now in the header.
	Now func() time.Time

	noBaselineSaid bool
	progressShown  bool
	streamed       map[string]bool // packages of this run shown by Package
}

var (
	_ PackageRenderer = (*JSON)(nil)
	_ PackageRenderer = (*Screen)(nil)
)

const (
	clearScreen = "\x1b[H\x1b[2J\x1b[3J"
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

func (s *Screen) Ready(r Ready) {
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
	s.streamed = nil
	if s.Terminal && !s.NoClear {
		io.WriteString(s.W, clearScreen)
	} else if run.Seq > 1 {
		fmt.Fprintln(s.W)
	}
	now := time.Now
	if s.Now != nil {
		now = s.Now
	}
	fmt.Fprintf(s.W, "%s run %d · changed %s\n", now().Format("15:04:05"), run.Seq, summarize(run.Changed, 4))
	switch {
	case run.Command != "":
		fmt.Fprintf(s.W, "$ %s\n", run.Command)
	case run.All:
		fmt.Fprintf(s.W, "running the whole suite (%d packages)\n", len(run.Packages))
	default:
		fmt.Fprintf(s.W, "running %d package%s: %s\n", len(run.Packages), plural(len(run.Packages)), summarize(run.Packages, 6))
	}
}

func (s *Screen) Progress(done, total int) {
	if !s.Terminal || total == 0 {
		return
	}
	s.progressShown = true
	fmt.Fprintf(s.W, "\r%s", s.paint(dim, fmt.Sprintf("%d/%d packages done", done, total)))
}

func (s *Screen) Output(p []byte) { s.W.Write(p) }

func (s *Screen) clearProgress() {
	if s.progressShown {
		io.WriteString(s.W, "\r\x1b[K")
		s.progressShown = false
	}
}

// counts formats "3 passed, 1 failed, 2 skipped".
func counts(p PackageReport) string {
	c := fmt.Sprintf("%d passed", p.Passed)
	if p.Failed > 0 {
		c += fmt.Sprintf(", %d failed", p.Failed)
	}
	if p.Skipped > 0 {
		c += fmt.Sprintf(", %d skipped", p.Skipped)
	}
	return c
}

func (s *Screen) status(p PackageReport) string {
	if p.Failed > 0 {
		return s.paint(red, "FAIL")
	}
	return s.paint(green, "ok  ")
}

// failure writes a failing test with its output.
func (s *Screen) failure(pkg string, f Failure) {
	tag := s.paint(red, "new failure")
	if !f.New {
		tag = s.paint(yellow, "failing at the baseline too")
	}
	fmt.Fprintf(s.W, "\n--- FAIL: %s %s (%s)\n", pkg, f.Test, tag)
	out := strings.TrimRight(f.Output, "\n")
	if out != "" {
		for _, line := range strings.Split(out, "\n") {
			fmt.Fprintf(s.W, "    %s\n", line)
		}
	}
}

// Package shows a package's counts and failing tests as soon as its tests
// finish; Finish then adds its coverage.
func (s *Screen) Package(p PackageReport) {
	s.clearProgress()
	if s.streamed == nil {
		s.streamed = map[string]bool{}
	}
	s.streamed[p.Package] = true
	fmt.Fprintf(s.W, "%s %s  %s\n", s.status(p), p.Package, counts(p))
	for _, f := range p.Failures {
		s.failure(p.Package, f)
	}
}

func (s *Screen) Finish(rep *Report) {
	s.clearProgress()
	streamed := s.streamed
	s.streamed = nil
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
	// Packages shown as they finished get their coverage here; the others
	// (Python runs, packages go test never reported) their whole line.
	width, cwidth := 0, 0
	var shown, whole []PackageReport
	newFail, oldFail := 0, 0
	for _, p := range rep.Packages {
		width = max(width, len(p.Package))
		if streamed[p.Package] {
			shown = append(shown, p)
		} else {
			whole = append(whole, p)
			cwidth = max(cwidth, len(counts(p)))
		}
		for _, f := range p.Failures {
			if f.New {
				newFail++
			} else {
				oldFail++
			}
		}
	}
	for _, p := range whole {
		fmt.Fprintf(s.W, "%s %-*s  %-*s  %s\n", s.status(p), width, p.Package, cwidth, counts(p), s.coverage(p))
	}
	if len(shown) > 0 {
		fmt.Fprintln(s.W)
	}
	for _, p := range shown {
		fmt.Fprintf(s.W, "%-*s  %s\n", width, p.Package, s.coverage(p))
	}
	for _, p := range whole {
		for _, f := range p.Failures {
			s.failure(p.Package, f)
		}
	}
	if rep.Err != nil {
		fmt.Fprintf(s.W, "%s %v\n", s.paint(red, "error:"), rep.Err)
	}
	summary := fmt.Sprintf("%d package%s in %.1fs", len(rep.Packages), plural(len(rep.Packages)), rep.Seconds)
	switch {
	case newFail > 0 || oldFail > 0:
		summary = fmt.Sprintf("%d new failure%s, %d failing before · ", newFail, plural(newFail), oldFail) + summary
	case rep.Err == nil:
		summary = "all passed · " + summary
	}
	fmt.Fprintln(s.W)
	fmt.Fprintln(s.W, summary)
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

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}
