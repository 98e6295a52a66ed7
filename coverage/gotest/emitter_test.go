package gotest

import (
	"context"
	"strings"
	"testing"

	"github.com/sprintkit/sprintkit/coverage"
)

func TestTheEmitterReportsPackagesInTheOrderTheyWereNamed(t *testing.T) {
	type finish struct {
		pkg         string
		buildFailed bool
	}
	cases := []struct {
		name     string
		patterns []string
		finished []finish
		want     string // after every finish, then after rest
	}{
		{"import paths wait for those before them", []string{"m/a", "m/b", "m/c"},
			[]finish{{"m/c", false}, {"m/b", false}, {"m/a", false}}, "m/a m/b m/c"},
		{"a package held back for its build does not hold the others", []string{"m/a", "m/b"},
			[]finish{{"m/b", false}, {"m/a", true}}, "m/b | m/a"},
		{"patterns come as they finish", []string{"./..."},
			[]finish{{"m/c", false}, {"m/a", false}}, "m/c m/a"},
		{"one that never finishes lets the rest out at the end", []string{"m/a", "m/b"},
			[]finish{{"m/b", false}}, "| m/b"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var got []string
			e := newEmitter(func(pkg string, _ []coverage.TestResult) { got = append(got, pkg) }, c.patterns)
			var final []coverage.TestResult
			for _, f := range c.finished {
				e.done(context.Background(), f.pkg, nil, f.buildFailed)
				final = append(final, coverage.TestResult{Package: f.pkg, Test: "T"})
			}
			got = append(got, "|")
			e.rest(context.Background(), final)
			if s := strings.TrimSpace(strings.TrimSuffix(strings.Join(got, " "), "|")); s != c.want {
				t.Errorf("reported %q, want %q", s, c.want)
			}
		})
	}
}
