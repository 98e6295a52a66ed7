package coverage

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/sprintkit/sprintkit/internal/human"
)

// Targets when every line runs
//
// A unit whose statements all run but which has branches never taken
// (coverage.py's arcs, LCOV BRDA, Cobertura condition-coverage) is a
// branch target: it would otherwise not be a target at all, so a project at
// 100% of its statements still offers the room something to do. Its score
// is the statement score's formula with missed branches in place of
// uncovered statements, times branchWeight:
//
//	score = branchWeight × weight × size × spread × Σ effort(m)
//
// where m is a function's missed branches (those outside any function one
// more "function"), size = min(1, M/10) for the unit's M missed branches,
// and spread = 0.5 + 0.5·(1 − taken/branches). Units with uncovered
// statements rank as before, by their statements alone: a line that never
// runs is a bigger gap than a line that runs one way only, and their
// ranking does not move when branch data appears. branchWeight keeps a
// branch target below a statement target of the same size.
//
// Go has no branch targets and needs none: its coverage blocks are already
// branch-level (the body of an if, each case), so an untaken branch is a
// block that never ran, an uncovered statement.

const branchWeight = 0.5

// missAt is a line with branches never taken, in its file.
type missAt struct {
	file string
	MissedBranch
}

// addBranches adds f's branch data to u.
func (u *unit) addBranches(f *File) {
	if f.Branches == nil {
		return
	}
	u.branches.Total += f.Branches.Total
	u.branches.Taken += f.Branches.Taken
	u.hasBranches = true
	for _, m := range f.MissedBranches {
		u.missed = append(u.missed, missAt{fileName(f), m})
	}
}

// functionBranches gives u, the unit of fn in f, the branches never taken
// in fn's lines.
func (u *unit) functionBranches(f *File, fn *Function) {
	if fn.MissedBranches == 0 {
		return
	}
	u.hasBranches = true
	for _, m := range f.MissedBranches {
		if m.Line >= fn.Line && m.Line <= max(fn.EndLine, fn.Line) {
			u.missed = append(u.missed, missAt{fileName(f), m})
		}
	}
}

// missedBranches is how many branches of u were never taken.
func (u *unit) missedBranches() int {
	if u.branches.Total > 0 {
		return u.branches.Missed()
	}
	n := 0
	for _, m := range u.missed {
		n += m.Missed
	}
	return n
}

// branchTarget is the target of u, whose statements all run, by its
// branches never taken.
func (u *unit) branchTarget() Target {
	M := u.missedBranches()
	var picks []*Function
	inFuncs := 0
	sum := 0.0
	for _, fn := range u.funcs {
		if fn.MissedBranches == 0 {
			continue
		}
		inFuncs += fn.MissedBranches
		e := effort(fn.MissedBranches)
		if entryPoint(u.pkg, fn) != "" {
			if u.kind != "function" {
				e *= harnessWeight
			}
		} else {
			picks = append(picks, fn)
		}
		sum += e
	}
	sum += effort(max(M-inFuncs, 0))
	spread := 0.5
	if u.branches.Total > 0 {
		spread = 0.5 + 0.5*(1-float64(u.branches.Taken)/float64(u.branches.Total))
	}
	score := branchWeight * u.weight * math.Min(1, float64(M)/sprintSize) * spread * sum
	picks, traits := orderBranchTests(picks, u.funcs)
	t := u.newTarget(score, picks)
	t.MissedBranches = M
	if u.branches.Total > 0 {
		b := u.branches
		t.Branches = &b
	}
	for i, fn := range picks {
		t.Functions[i].MissedBranches = fn.MissedBranches
	}
	var parts []string
	if u.pin != nil {
		parts = append(parts, "pinned in "+ProjectFileName)
	}
	of := " " + human.Word(M, "branch", "branches")
	if u.branches.Total > 0 {
		of = " of its " + human.Count(u.branches.Total, "branch", "branches")
	}
	parts = append(parts, fmt.Sprintf("every statement runs; %d%s never taken", M, of))
	if len(picks) > 0 {
		fn := picks[0]
		line := u.firstMiss(fn)
		t.FirstTest = &FirstTest{Name: fn.Name, File: fn.File, Line: fn.Line,
			Why: line + "; " + traits[fn].why(fn, false)}
		parts = append(parts, "first test: "+fn.Name+" ("+line+")")
	} else if line := u.firstMiss(nil); line != "" {
		parts = append(parts, "first: "+line+", outside any function")
	}
	if M < sprintSize && u.kind != "function" {
		parts = append(parts, fmt.Sprintf("only %d never taken, a small task", M))
	}
	parts = append(parts, u.notes...)
	t.Reason = strings.Join(parts, "; ")
	return t
}

// orderBranchTests orders the functions with branches never taken: public
// before private, top-level before nested (orderFirstTests), then most
// branches missed.
func orderBranchTests(picks, all []*Function) ([]*Function, map[*Function]fnTraits) {
	picks, tr := orderFirstTests(picks, all)
	// orderFirstTests sorted by tier and size within equal evidence; among
	// equals the function with the most missed branches comes first.
	for i := 1; i < len(picks); i++ {
		for j := i; j > 0; j-- {
			a, b := picks[j-1], picks[j]
			ta, tb := tr[a], tr[b]
			same := ta.public == tb.public && (ta.nestedIn == "") == (tb.nestedIn == "") && ta.late(a) == tb.late(b)
			if !same || a.MissedBranches >= b.MissedBranches {
				break
			}
			picks[j-1], picks[j] = b, a
		}
	}
	return picks, tr
}

// firstMiss says the first branch never taken in fn (nil: in the unit
// outside any function): "line 42: the branch to line 45 never runs".
func (u *unit) firstMiss(fn *Function) string {
	for _, m := range u.missed {
		if fn != nil && (m.file != fn.File || m.Line < fn.Line || m.Line > max(fn.EndLine, fn.Line)) {
			continue
		}
		return DescribeMiss(m.MissedBranch)
	}
	return ""
}

// DescribeMiss says what branch of a line never runs, in coverage.py's
// terms where the data names the destination: "line 42: the branch to
// line 45 never runs", "line 42: the branch that leaves the function never
// runs", else "line 42: 1 of its 2 branches never runs".
func DescribeMiss(m MissedBranch) string {
	at := "line " + strconv.Itoa(m.Line) + ": "
	if len(m.To) == 1 {
		if m.To[0] < 0 {
			return at + "the branch that leaves the function never runs"
		}
		return at + "the branch to line " + strconv.Itoa(m.To[0]) + " never runs"
	}
	if len(m.To) > 1 {
		var to []string
		for _, d := range m.To {
			if d < 0 {
				to = append(to, "out of the function")
			} else {
				to = append(to, "to line "+strconv.Itoa(d))
			}
		}
		return at + "the branches " + strings.Join(to, " and ") + " never run"
	}
	return fmt.Sprintf("%s%d of its %s never %s", at, m.Missed, human.Count(m.Of, "branch", "branches"), human.Word(m.Missed, "runs", "run"))
}

// work is what a target leaves to do: its uncovered statements, or for a
// branch target its branches never taken.
func (t Target) work() int {
	if t.Uncovered == 0 {
		return t.MissedBranches
	}
	return t.Uncovered
}

// BranchNote says, when every measured statement of r runs and branches
// do not all, that the targets are branches: "every statement runs; 11
// branches never taken — targets are branches"; "" otherwise.
func BranchNote(r *Result) string {
	b := r.BranchTotals()
	if r.Total.Statements == 0 || r.Total.Uncovered() > 0 || b.Missed() == 0 {
		return ""
	}
	return fmt.Sprintf("every statement runs; %d of %s never taken — targets are branches",
		b.Missed(), human.Count(b.Total, "branch", "branches"))
}
