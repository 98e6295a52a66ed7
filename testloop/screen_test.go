package testloop

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sprintkit/sprintkit/coverage"
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
	mu      sync.Mutex
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
	res, err := coverage.RunGo(context.Background(), coverage.GoRun{Dir: dir, Env: goEnv})
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
