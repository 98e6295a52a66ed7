package coverage

import (
	"fmt"
	"sort"

	"github.com/sprintkit/sprintkit/internal/human"
)

// Credit: what a change's tests added
//
// The baseline keeps each function's counts (BaselinePackage.Functions), so
// that a later run can say what tests written since then cover: a function whose
// covered statements grew gained them, "Arg: now fully covered, +1". A
// function is the same one when its file and name are (its line may move);
// a function new since the baseline is the change's own code, which patch
// coverage measures, not a gain. The figure is by function: statements that
// no baseline test ran and that run now, as far as counts can tell.

// BaselineFunction is one function's coverage at the baseline.
type BaselineFunction struct {
	File string `json:"file"`
	Name string `json:"name"`
	Counts
}

// FuncGain is a function that more statements of run now than at the
// baseline.
type FuncGain struct {
	Name       string `json:"name"`
	File       string `json:"file"`
	Line       int    `json:"line"`
	Statements int    `json:"statements"`
	Before     int    `json:"covered_before"`
	Covered    int    `json:"covered"`
	Gained     int    `json:"gained"`
}

// String is "Arg: now fully covered, +1" or "Parse: 5 of 8 covered, +3".
func (g FuncGain) String() string {
	if g.Covered == g.Statements {
		return fmt.Sprintf("%s: now fully covered, +%d", g.Name, g.Gained)
	}
	return fmt.Sprintf("%s: %d of %d covered, +%d", g.Name, g.Covered, g.Statements, g.Gained)
}

// Delta is a run against the baseline: the totals before and now, and the
// functions that gained covered statements.
type Delta struct {
	Before Counts     `json:"before"`
	Now    Counts     `json:"now"`
	Gains  []FuncGain `json:"gains"`
	// NewlyCovered sums the gains: statements no baseline test ran that
	// run now.
	NewlyCovered int `json:"newly_covered"`
	// ByFunction is false when the baseline has no function counts (one
	// recorded before they were kept): Gains is then empty.
	ByFunction bool `json:"by_function"`
}

// addFunctions records the functions of r's packages in the baseline b.
func addFunctions(b *Baseline, r *Result) {
	byName := map[string]*Package{}
	for _, p := range r.Packages {
		byName[p.Name] = p
	}
	for i := range b.Packages {
		p := byName[b.Packages[i].Name]
		if p == nil || p.NoData != "" {
			continue
		}
		fns := []BaselineFunction{}
		for _, f := range p.Files {
			for _, fn := range f.Functions {
				if fn.Statements > 0 {
					fns = append(fns, BaselineFunction{File: fn.File, Name: fn.Name, Counts: fn.Counts})
				}
			}
		}
		b.Packages[i].Functions = fns
	}
}

// Compare returns r against the baseline b.
func (b *Baseline) Compare(r *Result) *Delta {
	d := &Delta{Before: b.Total, Now: r.Total, Gains: []FuncGain{}}
	before := map[string]int{}
	for _, p := range b.Packages {
		d.ByFunction = d.ByFunction || len(p.Functions) > 0
		for _, fn := range p.Functions {
			before[fn.File+"\x00"+fn.Name] += fn.Covered
		}
	}
	now := map[string]*FuncGain{}
	var order []string
	for _, p := range r.Packages {
		if p.NoData != "" {
			continue
		}
		for _, f := range p.Files {
			for _, fn := range f.Functions {
				k := fn.File + "\x00" + fn.Name
				if _, ok := before[k]; !ok {
					continue
				}
				g := now[k]
				if g == nil { // two definitions of one name add up, as at the baseline
					g = &FuncGain{Name: fn.Name, File: fn.File, Line: fn.Line, Before: before[k]}
					now[k] = g
					order = append(order, k)
				}
				g.Statements += fn.Statements
				g.Covered += fn.Covered
			}
		}
	}
	for _, k := range order {
		g := now[k]
		if g.Gained = g.Covered - g.Before; g.Gained > 0 {
			d.Gains = append(d.Gains, *g)
			d.NewlyCovered += g.Gained
		}
	}
	sort.SliceStable(d.Gains, func(i, j int) bool {
		if d.Gains[i].Gained != d.Gains[j].Gained {
			return d.Gains[i].Gained > d.Gains[j].Gained
		}
		return d.Gains[i].File+d.Gains[i].Name < d.Gains[j].File+d.Gains[j].Name
	})
	return d
}

// Summary is the one line of the change against the baseline:
// "against the baseline: 72.2% → 75.0% (+2.8), 3 more statements covered;
// newly covered: Arg: now fully covered, +1".
func (d *Delta) Summary(max int) string {
	s := fmt.Sprintf("against the baseline: %.1f%% → %.1f%% (%+.1f), %s", d.Before.Percent, d.Now.Percent,
		d.Now.Percent-d.Before.Percent, moreCovered(d.Now.Covered-d.Before.Covered))
	if len(d.Gains) == 0 {
		return s
	}
	s += "; newly covered: "
	for i, g := range d.Gains {
		if i == max && max > 0 {
			s += fmt.Sprintf(" and %d more", len(d.Gains)-max)
			break
		}
		if i > 0 {
			s += "; "
		}
		s += g.String()
	}
	return s
}

func moreCovered(n int) string {
	switch {
	case n == 0:
		return "no more statements covered"
	case n < 0:
		return fmt.Sprintf("%s fewer covered", human.Count(-n, "statement", "statements"))
	}
	return fmt.Sprintf("%s more covered", human.Count(n, "statement", "statements"))
}
