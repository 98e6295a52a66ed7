package gotest

import (
	"context"
	"sort"
	"sync"
	"time"

	"github.com/sprintkit/sprintkit/coverage"
)

// emitter calls Options.OnPackage at most once per package. A package whose
// final action is a build failure is held back until its go test run (and
// any re-run without the broken packages) is over: with -coverpkg one broken
// package fails every other package's build too, and the re-run gives those
// packages their real outcomes.
type emitter struct {
	fn   func(pkg string, tests []coverage.TestResult)
	sent map[string]bool
}

// done is the collector's report of a package's final action.
func (e *emitter) done(ctx context.Context, pkg string, tests []coverage.TestResult, buildFailed bool) {
	if e == nil || e.fn == nil || buildFailed || e.sent[pkg] || ctx.Err() != nil {
		return
	}
	e.sent[pkg] = true
	e.fn(pkg, tests)
}

// rest reports the packages of a run's final tests not reported yet, in
// the order they first appear.
func (e *emitter) rest(ctx context.Context, tests []coverage.TestResult) {
	if e == nil || e.fn == nil {
		return
	}
	var order []string
	byPkg := map[string][]coverage.TestResult{}
	for _, t := range tests {
		if e.sent[t.Package] {
			continue
		}
		if _, ok := byPkg[t.Package]; !ok {
			order = append(order, t.Package)
		}
		byPkg[t.Package] = append(byPkg[t.Package], t)
	}
	for _, p := range order {
		if ctx.Err() != nil {
			return
		}
		e.sent[p] = true
		e.fn(p, byPkg[p])
	}
}

// progress serialises Progress calls from the test and list goroutines.
type progress struct {
	mu          sync.Mutex
	fn          func(done, total int)
	done, total int
	// spans holds when each test binary ran, from its package's final
	// event: its time less its elapsed seconds.
	spans []span
}

// span is an interval of wall time.
type span struct{ from, to time.Time }

func (p *progress) ran(from, to time.Time) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.spans = append(p.spans, span{from, to})
}

// runSeconds is the wall time during which at least one test binary ran:
// the length of the union of the spans.
func (p *progress) runSeconds() float64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	s := append([]span(nil), p.spans...)
	sort.Slice(s, func(i, j int) bool { return s[i].from.Before(s[j].from) })
	var total time.Duration
	var cur span
	for i, x := range s {
		switch {
		case i == 0:
			cur = x
		case x.from.After(cur.to):
			total += cur.to.Sub(cur.from)
			cur = x
		case x.to.After(cur.to):
			cur.to = x.to
		}
	}
	if len(s) > 0 {
		total += cur.to.Sub(cur.from)
	}
	return total.Seconds()
}

func (p *progress) setTotal(n int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.total = n
	if p.done > p.total {
		p.total = p.done
	}
	if p.fn != nil {
		p.fn(p.done, p.total)
	}
}

func (p *progress) packageDone() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.done++
	if p.total != 0 && p.done > p.total {
		p.total = p.done
	}
	if p.fn != nil {
		p.fn(p.done, p.total)
	}
}
