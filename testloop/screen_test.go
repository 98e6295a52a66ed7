package testloop

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/sprintkit/sprintkit/coverage"
	"github.com/sprintkit/sprintkit/coverage/gotest"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// shop is a module whose package price is imported by cart and receipt.
// At the baseline cart's TestDiscount already fails; every other test
// passes. brokenPrice then drops the sign of negative amounts: a case of
// the table test TestCents fails (and so TestCents itself), and
// TestNegativeRows fails with 25 lines of output.
var shop = map[string]string{
	"go.mod": "module example.com/shop\n\ngo 1.22\n",
	"price/price.go": `package price

import "fmt"

// Cents formats an amount of cents as "12.34".
func Cents(c int) string {
	if c < 0 {
		return "-" + Cents(-c)
	}
	return fmt.Sprintf("%d.%02d", c/100, c%100)
}
`,
	"price/price_test.go": `package price

import (
	"fmt"
	"testing"
)

func TestCents(t *testing.T) {
	for _, tt := range []struct {
		name string
		in   int
		want string
	}{
		{"zero", 0, "0.00"},
		{"small", 5, "0.05"},
		{"negative", -250, "-2.50"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := Cents(tt.in); got != tt.want {
				t.Errorf("Cents(%d) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestNegativeRows(t *testing.T) {
	for i := 1; i <= 25; i++ {
		want := fmt.Sprintf("-%d.%02d", i*101/100, i*101%100)
		if got := Cents(-i * 101); got != want {
			t.Errorf("row %d: Cents(%d) = %q, want %q", i, -i*101, got, want)
		}
	}
}
`,
	"cart/cart.go": `package cart

import "example.com/shop/price"

// Total is the sum of the items, formatted.
func Total(items ...int) string {
	sum := 0
	for _, i := range items {
		sum += i
	}
	return price.Cents(sum)
}
`,
	"cart/cart_test.go": `package cart

import "testing"

func TestTotal(t *testing.T) {
	if got := Total(100, 250); got != "3.50" {
		t.Errorf("Total = %q, want 3.50", got)
	}
}

func TestDiscount(t *testing.T) {
	t.Error("discounts are not written yet")
}
`,
	"receipt/receipt.go": `package receipt

import "example.com/shop/price"

// Line is one line of a receipt.
func Line(name string, cents int) string { return name + " " + price.Cents(cents) }
`,
	"receipt/receipt_test.go": `package receipt

import "testing"

func TestLine(t *testing.T) {
	if got := Line("tea", 250); got != "tea 2.50" {
		t.Errorf("Line = %q", got)
	}
}
`,
}

const brokenPrice = `package price

import "fmt"

// Cents formats an amount of cents as "12.34".
func Cents(c int) string {
	if c < 0 {
		return Cents(-c)
	}
	return fmt.Sprintf("%d.%02d", c/100, c%100)
}
`

var goEnv = []string{"GOFLAGS=-mod=mod", "GOPROXY=off"}

// finishSignal passes every call on to a Renderer and signals each report.
type finishSignal struct {
	PackageRenderer
	ready   chan struct{}
	reports chan *Report
}

func (f *finishSignal) Ready(r Ready) {
	f.PackageRenderer.Ready(r)
	close(f.ready)
}

func (f *finishSignal) Finish(rep *Report) {
	f.PackageRenderer.Finish(rep)
	f.reports <- rep
}

// watchOneChange starts Loop on dir, writes data to the file name once it
// is watching, and returns the report of the first run that was not
// cancelled; r sees everything.
func watchOneChange(t *testing.T, dir string, opts Options, r PackageRenderer, name, data string) *Report {
	t.Helper()
	sig := &finishSignal{PackageRenderer: r, ready: make(chan struct{}), reports: make(chan *Report, 8)}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	opts.Dir, opts.Env = dir, goEnv
	go func() { done <- Loop(ctx, opts, sig) }()
	defer func() {
		cancel()
		if err := <-done; !errors.Is(err, context.Canceled) {
			t.Errorf("Loop = %v after cancel, want context.Canceled", err)
		}
	}()
	select {
	case <-sig.ready:
	case err := <-done:
		t.Fatalf("Loop returned before it was ready: %v", err)
	case <-time.After(waitLimit):
		t.Fatal("never ready")
	}
	if err := os.WriteFile(filepath.Join(dir, filepath.FromSlash(name)), []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	for {
		select {
		case rep := <-sig.reports:
			if rep.Cancelled {
				continue // one save seen as two changes on a busy machine
			}
			if rep.Err != nil {
				t.Fatalf("run failed: %v", rep.Err)
			}
			return rep
		case <-time.After(waitLimit):
			t.Fatal("no report")
		}
	}
}

// runScreen is a Screen whose output starts again at each run.
type runScreen struct {
	*Screen
	buf *bytes.Buffer
}

func (r runScreen) Start(run Run) {
	r.buf.Reset()
	r.Screen.Start(run)
}

var seconds = regexp.MustCompile(`in [0-9]+\.[0-9]s\b`)

// TestScreenAfterABrokenChange renders a real run of the shop module's
// tests after a change that breaks price, against a baseline recorded by a
// real run before it, and compares the piped screen with
// testdata/broken_change.golden (go test ./testloop -run
// TestScreenAfterABrokenChange -update rewrites it). The golden file shows
// the compact failure view, the closing list and the counts.
func TestScreenAfterABrokenChange(t *testing.T) {
	dir := writeFiles(t, shop)
	res, err := gotest.Run(context.Background(), gotest.Options{Dir: dir, Env: goEnv})
	if err != nil {
		t.Fatal(err)
	}
	base := coverage.NewBaseline(res)

	var buf bytes.Buffer
	screen := &Screen{W: &buf, Now: func() time.Time { return time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC) }}
	rep := watchOneChange(t, dir, Options{Baseline: base}, runScreen{screen, &buf}, "price/price.go", brokenPrice)
	if got := strings.Join(rep.Edited, " "); got != "example.com/shop/price" {
		t.Errorf("edited %q, want example.com/shop/price", got)
	}
	got := seconds.ReplaceAllString(buf.String(), "in X.Xs")

	golden := filepath.Join("testdata", "broken_change.golden")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if got != string(want) {
		t.Errorf("screen differs from %s:\n--- got\n%s\n--- want\n%s", golden, got, want)
	}
}

// TestTheEditedPackageIsReportedBeforeItsImporters changes price, which
// sorts after its importer cart: price's results still come first, cart's
// and receipt's after, and the run's figures are those of the whole set.
func TestTheEditedPackageIsReportedBeforeItsImporters(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the go toolchain on a fixture; go test without -short runs it")
	}
	dir := writeFiles(t, shop)
	rec := &streamRecorder{recorder: newRecorder(), pkg: map[string]PackageReport{}}
	data := strings.Replace(shop["price/price.go"], "12.34", "12.34, or -12.34", 1)
	rep := watchOneChange(t, dir, Options{}, rec, "price/price.go", data)

	rec.mu.Lock()
	log := strings.Join(rec.log, ", ")
	rec.mu.Unlock()
	want := "package example.com/shop/price, package example.com/shop/cart, package example.com/shop/receipt, finish"
	if log != want {
		t.Errorf("shown in the order %s, want %s", log, want)
	}
	if got := strings.Join(rep.Edited, " "); got != "example.com/shop/price" {
		t.Errorf("edited %q, want example.com/shop/price", got)
	}
	// The two go test runs make one report: every package with its
	// coverage, measured over the whole set.
	if len(rep.Packages) != 3 {
		t.Fatalf("reported %+v, want the three packages", rep.Packages)
	}
	for _, p := range rep.Packages {
		if p.Coverage == nil || *p.Coverage != 100 {
			t.Errorf("%s: coverage %v, want 100%%", p.Package, p.Coverage)
		}
	}
}

func TestFailureView(t *testing.T) {
	rows := func(n int) string {
		var b strings.Builder
		b.WriteString("=== RUN   TestRows\n")
		for i := 1; i <= n; i++ {
			fmt.Fprintf(&b, "    rows_test.go:9: row %d\n", i)
		}
		b.WriteString("--- FAIL: TestRows (0.00s)\n")
		return b.String()
	}
	tests := []struct {
		name    string
		verbose bool
		failure Failure
		want    string
	}{
		{"a long output shows its first ten lines and how many more there are", false,
			Failure{Test: "TestRows", Output: rows(25), New: true},
			"--- FAIL: m/p TestRows (new failure)\n" + rowLines(1, 10) + "    … 15 more lines (--verbose for all)\n"},
		{"--verbose shows every line", true,
			Failure{Test: "TestRows", Output: rows(25), New: true},
			"--- FAIL: m/p TestRows (new failure)\n" + rowLines(1, 25)},
		{"one line over the limit is shown rather than announced", false,
			Failure{Test: "TestRows", Output: rows(11)},
			"--- FAIL: m/p TestRows (failing at the baseline too)\n" + rowLines(1, 11)},
		{"a subtest's output loses go test's framing and its deeper indentation", false,
			Failure{Test: "TestCents/negative", New: true, Output: "=== RUN   TestCents/negative\n" +
				"        price_test.go:20: got \"2.50\"\n            want \"-2.50\"\n    --- FAIL: TestCents/negative (0.00s)\n"},
			"--- FAIL: m/p TestCents/negative (new failure)\n    price_test.go:20: got \"2.50\"\n        want \"-2.50\"\n"},
		{"a test that failed only through its subtests is left to the closing list", false,
			Failure{Test: "TestCents", New: true, Subtests: true, Output: "=== RUN   TestCents\n--- FAIL: TestCents (0.00s)\n"},
			""},
		{"a test that failed itself as well as through a subtest shows its own lines", false,
			Failure{Test: "TestCents", New: true, Subtests: true, Output: "=== RUN   TestCents\n    price_test.go:30: setup went wrong\n--- FAIL: TestCents (0.00s)\n"},
			"--- FAIL: m/p TestCents (new failure)\n    price_test.go:30: setup went wrong\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			s := &Screen{W: &buf, Verbose: tt.verbose}
			s.failure("m/p", tt.failure)
			if buf.String() != tt.want {
				t.Errorf("got:\n%s\nwant:\n%s", buf.String(), tt.want)
			}
		})
	}
}

// rowLines is the failure view's lines for rows from to to.
func rowLines(from, to int) string {
	var b strings.Builder
	for i := from; i <= to; i++ {
		fmt.Fprintf(&b, "    rows_test.go:9: row %d\n", i)
	}
	return b.String()
}

func TestStatusLine(t *testing.T) {
	run := Run{Seq: 1, Changed: []string{"price/price.go"},
		Packages: []string{"m/cart", "m/price", "m/receipt"}, Edited: []string{"m/price"}}
	tests := []struct {
		name     string
		terminal bool
		width    int
		want     []string
		absent   []string
	}{
		{"on a terminal it names the changed package first, then the importers, each time rewritten in place", true, 0,
			[]string{
				clearLine + "testing m/price (changed) · 0/3 packages done · 0s",
				clearLine + "FAIL m/price  0 passed, 1 failed\n",
				clearLine + "testing m/cart m/receipt · 1/3 packages done · 0s",
				clearLine + "testing m/receipt · 2/3 packages done · 0s" + clearLine + "ok   m/receipt  1 passed\n",
				clearLine + "measuring coverage · 3/3 packages done · 0s",
			},
			nil},
		{"a narrow terminal gets a status line cut to its width", true, 20,
			[]string{clearLine + "testing m/price (c…"},
			[]string{"(changed)"}},
		{"piped, there is no status line", false, 0,
			[]string{"FAIL m/price  0 passed, 1 failed\n"},
			[]string{"testing", "packages done", "\r"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			s := &Screen{W: &buf, Terminal: tt.terminal, NoClear: true, Width: tt.width,
				Now: func() time.Time { return time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC) }}
			s.Start(run)
			s.Package(PackageReport{Package: "m/price", Failed: 1})
			s.Progress(1, 3)
			s.Package(PackageReport{Package: "m/cart", Passed: 1})
			s.Package(PackageReport{Package: "m/receipt", Passed: 1})
			s.Finish(&Report{Run: run})
			out := buf.String()
			for _, w := range tt.want {
				if !strings.Contains(out, w) {
					t.Errorf("output lacks %q:\n%q", w, out)
				}
			}
			for _, w := range tt.absent {
				if strings.Contains(out, w) {
					t.Errorf("output holds %q:\n%q", w, out)
				}
			}
			// After the run, the status line is gone: the last thing
			// written to a terminal is never a status line.
			if i := strings.LastIndex(out, " packages done"); i >= 0 && !strings.Contains(out[i:], clearLine) {
				t.Errorf("the status line stays after the run:\n%q", out)
			}
		})
	}
}

// TestJSONKeepsItsFields decodes every kind of event and checks that the
// fields scripts have read since the first version are there, under the
// same names and with the same types: fields are only ever added.
func TestJSONKeepsItsFields(t *testing.T) {
	run := Run{Seq: 1, Changed: []string{"p/p.go"}, Packages: []string{"m/p", "m/q"}, Edited: []string{"m/p"}}
	var buf bytes.Buffer
	j := &JSON{W: &buf}
	j.Ready(Ready{})
	j.Start(run)
	j.Package(packageReport("m/p", runResult().Tests, baseline()))
	j.Finish(&Report{Run: run, Seconds: 1, Packages: buildReport(run, runResult(), baseline(), false)})
	j.Finish(&Report{Run: Run{Command: "make test"}, Seconds: 1, ExitCode: 2})
	j.Finish(&Report{Run: run, Err: errors.New("no go command")})

	const (
		str  = "string"
		num  = "number"
		list = "list"
		opt  = "number or null"
	)
	tests := []struct {
		name   string
		event  string
		fields map[string]string
	}{
		{"ready says only that it watches", "ready", map[string]string{"event": str}},
		{"run keeps its changed files and packages", "run", map[string]string{"event": str, "changed": list, "packages": list}},
		{"package keeps its counts and new failures", "package", map[string]string{"event": str, "package": str, "passed": num, "failed": num, "new_failures": list}},
		{"result keeps its counts, coverage, baseline and new failures", "result", map[string]string{"event": str, "package": str, "passed": num, "failed": num, "coverage": opt, "baseline": opt, "new_failures": list}},
		{"done keeps its seconds and the command's exit code", "done", map[string]string{"event": str, "seconds": num, "exit_code": num}},
		{"error keeps its message", "error", map[string]string{"event": str, "message": str}},
	}
	var events []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(buf.String()), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("not JSON: %s", line)
		}
		events = append(events, m)
	}
	kind := func(v any) string {
		switch v.(type) {
		case string:
			return str
		case float64:
			return num
		case []any:
			return list
		case nil:
			return "null"
		}
		return fmt.Sprintf("%T", v)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			seen := 0
			for _, m := range events {
				if m["event"] != tt.event {
					continue
				}
				seen++
				for name, want := range tt.fields {
					v, ok := m[name]
					if name == "exit_code" && !ok {
						continue // only with --cmd
					}
					if !ok {
						t.Errorf("%s event lacks %q: %v", tt.event, name, m)
						continue
					}
					if got := kind(v); got != want && !(want == opt && (got == num || got == "null")) {
						t.Errorf("%s event's %q is a %s, want a %s", tt.event, name, got, want)
					}
				}
			}
			if seen == 0 {
				t.Fatalf("no %s event in:\n%s", tt.event, buf.String())
			}
		})
	}
	if !strings.Contains(buf.String(), `"exit_code":2`) {
		t.Errorf("no exit_code on the --cmd run's done event:\n%s", buf.String())
	}
}
