package onboard

import (
	"context"
	"errors"
	"os"
	"path/filepath"

	"github.com/sprintkit/sprintkit/internal/hint"
	"github.com/sprintkit/sprintkit/room"
)

// ClaimDone measures what the work in the checkout at dir added against
// its baseline, for `sprintkit claim TARGET --done`: it runs `coverage
// --diff` (the tests with coverage, recording coverage.json as coverage
// does) and returns the run's credit as the board shows it.
func ClaimDone(ctx context.Context, dir string, ev Events) (*room.Credit, error) {
	// Without a baseline there is nothing to credit: say so before the
	// whole suite runs.
	if !baselineAbove(dir) {
		return nil, errNoBaseline()
	}
	run, err := Coverage(ctx, CoverageOptions{Dir: dir, Diff: true, Events: ev})
	if err != nil {
		return nil, err
	}
	c := claimCredit(run)
	if c == nil {
		return nil, errNoBaseline()
	}
	return c, nil
}

func errNoBaseline() error {
	return hint.With(errors.New("no baseline to measure the work against"), "run 'sprintkit setup' in the checkout first: it records the baseline")
}

// baselineAbove reports whether dir or a directory above it (the module
// root coverage measures) holds a baseline.
func baselineAbove(dir string) bool {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return false
	}
	for {
		if _, err := os.Stat(BaselinePath(abs)); err == nil {
			return true
		}
		up := filepath.Dir(abs)
		if up == abs {
			return false
		}
		abs = up
	}
}

// claimCredit is run's credit against the baseline: its statements newly
// covered, the coverage before and now, the functions that gained and the
// tests the change adds or changes (each list cut to the board's limits);
// nil when run has no baseline to compare with.
func claimCredit(run *CoverageRun) *room.Credit {
	d := run.Delta
	if d == nil {
		return nil
	}
	c := &room.Credit{NewlyCovered: d.NewlyCovered, PercentBefore: d.Before.Percent, Percent: d.Now.Percent}
	for _, g := range d.Gains {
		if len(c.Functions) == room.MaxCreditFunctions {
			break
		}
		c.Functions = append(c.Functions, room.CreditFunction{Name: g.Name, File: g.File, Gained: g.Gained, Covered: g.Covered, Statements: g.Statements})
	}
	if run.Patch != nil {
		for _, t := range run.Patch.Tests {
			if len(c.Tests) == room.MaxCreditTests {
				break
			}
			c.Tests = append(c.Tests, t.Name)
		}
	}
	return c
}
