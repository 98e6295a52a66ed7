package gotest

import (
	"context"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/sprintkit/sprintkit/coverage"
)

// emitter calls Options.OnPackage at most once per package. A package whose
// final action is a build failure is held back until its go test run (and
// any re-run without the broken packages) is over: with -coverpkg one broken
// package fails every other package's build too, and the re-run gives those
// packages their real outcomes. When the packages were named by import path,
// they are reported in that order, each once it and those before it are
// done, as plain go test prints them: go test -json reports packages as they
// finish, so the order would otherwise change from run to run.
type emitter struct {
	fn   func(pkg string, tests []coverage.TestResult)
	sent map[string]bool
	// order is the import paths in argument order (nil: as they come);
	// next is the first of them not yet settled (sent or held back), and
	// waiting holds the finished ones behind it.
	order   []string
	next    int
	held    map[string]bool
	waiting map[string][]coverage.TestResult
}

// newEmitter reports to fn, in the order of patterns when every one is an
// import path.
func newEmitter(fn func(pkg string, tests []coverage.TestResult), patterns []string) *emitter {
	e := &emitter{fn: fn, sent: map[string]bool{}, held: map[string]bool{}, waiting: map[string][]coverage.TestResult{}}
	for _, p := range patterns {
		if strings.Contains(p, "...") || strings.HasPrefix(p, ".") || filepath.IsAbs(p) {
			return e
		}
	}
	e.order = patterns
	return e
}

// done is the collector's report of a package's final action.
func (e *emitter) done(ctx context.Context, pkg string, tests []coverage.TestResult, buildFailed bool) {
	if e == nil || e.fn == nil || e.sent[pkg] || ctx.Err() != nil {
		return
	}
	if !slices.Contains(e.order, pkg) {
		if !buildFailed {
			e.send(pkg, tests)
		}
		return
	}
	if buildFailed {
		e.held[pkg] = true
	} else {
		e.waiting[pkg] = tests
	}
	for ; e.next < len(e.order) && ctx.Err() == nil; e.next++ {
		p := e.order[e.next]
		if t, ok := e.waiting[p]; ok {
			delete(e.waiting, p)
			e.send(p, t)
		} else if !e.held[p] && !e.sent[p] {
			return
		}
	}
}

func (e *emitter) send(pkg string, tests []coverage.TestResult) {
	e.sent[pkg] = true
	e.fn(pkg, tests)
}

// rest reports the packages not reported yet: those finished but waiting
// for one before them that never finished, in argument order, then those
// of a run's final tests, in the order they first appear.
func (e *emitter) rest(ctx context.Context, tests []coverage.TestResult) {
	if e == nil || e.fn == nil {
		return
	}
	for _, p := range e.order {
		if t, ok := e.waiting[p]; ok && ctx.Err() == nil {
			delete(e.waiting, p)
			e.send(p, t)
		}
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
		e.send(p, byPkg[p])
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
