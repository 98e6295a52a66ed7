package coverage

import (
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/sprintkit/sprintkit/internal/human"
)

// Ranking sprint targets
//
// Rank turns a Result into sprint targets: packages, files or functions where
// the project's own tests leave code unexercised, ordered so that the first
// ones are what a newcomer can start on today. Each target's score is
//
//	score = weight × size × spread × Σ effort(u)
//
// where the sum runs over the target's functions (and over its statements
// outside any function, taken as one more "function"), u is a function's
// uncovered statements, and
//
//   - effort(u) = u for u ≤ 20, and 20 + 2·√(u−20) beyond: an uncovered
//     statement counts fully in a function small enough to test in one
//     sitting, and less and less in a giant one. So a package with many small
//     uncovered functions outranks one giant function of the same size
//     (approachable, rule c).
//   - size = min(1, U/10) where U is the target's uncovered statements: a
//     target with 3 uncovered statements is not a sprint (absolute, rule b).
//   - spread = 0.5 + 0.5·(1 − covered/statements): of two targets with the
//     same uncovered code, the less covered ranks higher.
//   - weight: 1 for library code, 0.6 for main packages (commands are
//     mostly wiring and are tested end to end), 0.2 for test-support code
//     (by evidence: coverage/gotest/classify.go, and the project file's test_support), and
//     ×1.25 for files changed recently when RankOptions.Recent names them.
//     Generated files, testdata, vendored code and the project file's
//     exclude paths are left out altogether (real product code, rule a).
//   - main, init and fuzz harness functions count harnessWeight × effort(u)
//     in every view (classify.go).
//
// Targets the project file pins rank first, in its order. Every target
// carries a one-line reason built from the same figures, and its uncovered
// and partly covered functions in first-test order (classify.go), without
// entry points.

const (
	smallFunction = 20   // statements a newcomer can cover in one sitting
	sprintSize    = 10   // uncovered statements below which a target shrinks
	mainWeight    = 0.6  // weight of main packages
	supportWeight = 0.2  // weight of test-support code
	recentBoost   = 1.25 // boost of recently changed files
	harnessWeight = 0.2  // weight of main, init and fuzz harness functions
)

// effort is what u uncovered statements in one function are worth.
func effort(u int) float64 {
	if u <= smallFunction {
		return float64(u)
	}
	return smallFunction + 2*math.Sqrt(float64(u-smallFunction))
}

// Excluded reports whether a file is left out of the ranking: generated
// code, testdata and vendored code.
func Excluded(f *File) bool {
	if f.Generated {
		return true
	}
	p := f.Rel
	if p == "" {
		p = f.Path
	}
	p = "/" + p
	return strings.Contains(p, "/testdata/") || strings.Contains(p, "/vendor/") ||
		strings.Contains(p, "/node_modules/")
}

// unit is a ranked thing before it becomes a Target.
type unit struct {
	kind, name, pkg, file string
	line                  int
	counts                Counts
	funcs                 []*Function // every function in the unit
	loose                 int         // uncovered statements outside any function
	weight                float64
	notes                 []string
	pinned                int // index of the project file's [[target]] that pins it; -1 when none
	pin                   *Pin
	anyFile               string   // a package's file (Rel), for its notes
	branches              Branches // of its files, when they have branch data
	hasBranches           bool
	missed                []missAt // lines with branches never taken (branchtarget.go)
}

// DefaultUnit is what Rank ranks when RankOptions.By is empty: "file" for
// Python (coverage.py's results, or imported data whose files are all .py),
// where a module is a file and one package is often the whole project;
// "package" otherwise.
func DefaultUnit(r *Result) string {
	if r == nil {
		return "package"
	}
	switch r.Language {
	case "python", "coverage.py":
		return "file"
	case "go":
		return "package"
	}
	files, py := 0, 0
	for _, p := range r.Packages {
		for _, f := range p.Files {
			files++
			if strings.HasSuffix(f.Path, ".py") {
				py++
			}
		}
	}
	if files > 0 && py == files {
		return "file"
	}
	return "package"
}

// Rank ranks the targets of r. It does not modify r. With opts.Room it
// splits targets for the room (RankRoom).
func Rank(r *Result, opts RankOptions) []Target {
	ts, _ := RankRoom(r, opts)
	return ts
}

// rankUnits makes the targets of r by the unit by, unsorted and unnumbered.
func rankUnits(r *Result, opts RankOptions, by string) []Target {
	pf := opts.Project
	// File.NotRun: its tests exist but did not run; not a target.
	skip := func(f *File) bool { return Excluded(f) || pf.Excludes(f) || f.NotRun != "" }
	opts.Recent = informative(r, opts.Recent, skip)
	var units []*unit
	for _, p := range r.Packages {
		if p.NoData != "" {
			continue // unmeasured (its test binary died): not a target
		}
		pw, pnote := packageWeight(p)
		var pu *unit
		if by == "package" {
			pu = &unit{kind: "package", name: p.Name, pkg: p.Name, weight: pw}
		}
		recentInPkg := false
		var pkgFiles []string // the package's ranked files
		marked := 0           // of which the project file marks test support
		beside := 0           // of which lie in examples/, docs/, … (trees.go)
		for _, f := range p.Files {
			if skip(f) {
				continue
			}
			recent := opts.Recent[f.Rel] || (f.Rel == "" && opts.Recent[f.Path])
			fw, fnote := pw, pnote
			switch {
			case !p.TestSupport && pf.MarksTestSupport(f):
				fw, fnote = supportWeight, projectSupportNote
				marked++
			case !p.TestSupport && f.TestSupport: // a test file an imported report measured
				fw, fnote = supportWeight, "a test file, weighted down"
			case pw == 1 && f.Rel != "" && besideLibrary(f.Rel) != "":
				fw, fnote = mainWeight, besideLibrary(f.Rel)
				beside++
			}
			fc := f.Counts
			if fc.Statements == 0 {
				fc = BlockCounts(f.Blocks)
			}
			loose := looseUncovered(f, fc)
			switch by {
			case "package":
				pu.counts.Add(fc)
				pu.funcs = append(pu.funcs, f.Functions...)
				pu.loose += loose
				pu.addBranches(f)
				recentInPkg = recentInPkg || recent
				pkgFiles = append(pkgFiles, fileName(f))
				if f.Rel != "" {
					pu.anyFile = f.Rel
				}
			case "file":
				fu := &unit{kind: "file", name: fileName(f), pkg: p.Name, file: fileName(f),
					counts: fc, funcs: f.Functions, loose: loose, weight: fw}
				fu.addBranches(f)
				fu.pinned, fu.pin = pf.pin(fu.name, p.Name, []string{fu.file})
				if fnote != "" {
					fu.notes = append(fu.notes, fnote)
				}
				if recent {
					fu.weight *= recentBoost
					fu.notes = append(fu.notes, "changed recently")
				}
				units = append(units, fu)
			case "function":
				units = append(units, functionUnits(p, f, fw, fnote, recent, pf)...)
			}
		}
		if pu != nil {
			switch {
			case len(pkgFiles) > 0 && marked == len(pkgFiles):
				pw, pnote = supportWeight, projectSupportNote
				pu.weight = pw
			case len(pkgFiles) > 0 && beside == len(pkgFiles):
				pw, pnote = mainWeight, besideLibrary(pu.anyFile)
				pu.weight = pw
			}
			if pnote != "" {
				pu.notes = append(pu.notes, pnote)
			}
			pu.pinned, pu.pin = pf.pin(p.Name, p.Name, pkgFiles)
			if recentInPkg {
				pu.weight *= recentBoost
				pu.notes = append(pu.notes, "changed recently")
			}
			units = append(units, pu)
		}
	}

	var ts []Target
	for _, u := range units {
		u.counts.round()
		var t Target
		switch {
		case u.counts.Uncovered() > 0:
			t = u.target()
		case u.hasBranches && u.missedBranches() > 0:
			t = u.branchTarget() // every statement runs, not every branch
		default:
			continue
		}
		t.pinOrder = u.pinned + 1
		ts = append(ts, t)
	}
	return ts
}

// functionUnits are the function targets of f, a file of p, weighted fw
// (with its note): a name defined twice (a platform switch) is one target.
// Fully covered functions become units too (the caller drops those that
// stay so), so that an untested twin of one that ran is one target with it.
func functionUnits(p *Package, f *File, fw float64, fnote string, recent bool, pf *ProjectFile) []*unit {
	var units []*unit
	defs := map[string]*unit{}
	for _, fn := range f.Functions {
		if twin := defs[fn.Name]; twin != nil {
			twin.counts.Add(fn.Counts)
			twin.funcs = append(twin.funcs, fn)
			twin.functionBranches(f, fn)
			continue
		}
		u := &unit{kind: "function", name: shortPkg(p.Name) + "." + fn.Name, pkg: p.Name,
			file: fn.File, line: fn.Line, counts: fn.Counts, funcs: []*Function{fn}, weight: fw}
		u.functionBranches(f, fn)
		defs[fn.Name] = u
		u.pinned, u.pin = pf.pin(u.name, p.Name, []string{fileName(f)})
		if fnote != "" {
			u.notes = append(u.notes, fnote)
		}
		if ep := entryPoint(p.Name, fn); ep != "" {
			u.weight *= harnessWeight
			u.notes = append(u.notes, ep+", weighted down")
		}
		if recent {
			u.weight *= recentBoost
			u.notes = append(u.notes, "changed recently")
		}
		units = append(units, u)
	}
	return units
}

// sortTargets orders targets: pinned ones first in the project file's
// order, then by score, uncovered statements and name.
func sortTargets(ts []Target) {
	sort.SliceStable(ts, func(i, j int) bool {
		a, b := ts[i], ts[j]
		if (a.pinOrder > 0) != (b.pinOrder > 0) {
			return a.pinOrder > 0
		}
		if a.pinOrder != b.pinOrder {
			return a.pinOrder < b.pinOrder
		}
		if a.Score != b.Score {
			return a.Score > b.Score
		}
		if a.Uncovered != b.Uncovered {
			return a.Uncovered > b.Uncovered
		}
		return a.Name < b.Name
	})
}

// numbered cuts sorted targets to top (0: all) and numbers them from 1.
func numbered(ts []Target, top int) []Target {
	if top > 0 && len(ts) > top {
		ts = ts[:top]
	}
	for i := range ts {
		ts[i].Rank = i + 1
	}
	return ts
}

// informative drops the recent-files boost when it would not tell targets
// apart: when more than a third of the ranked files changed recently (a young
// repository, a shallow clone whose one commit touches everything), "changed
// recently" says nothing about any one of them.
func informative(r *Result, recent map[string]bool, skip func(*File) bool) map[string]bool {
	if len(recent) == 0 {
		return nil
	}
	files, hits := 0, 0
	for _, p := range r.Packages {
		for _, f := range p.Files {
			if skip(f) {
				continue
			}
			files++
			if recent[f.Rel] || (f.Rel == "" && recent[f.Path]) {
				hits++
			}
		}
	}
	if hits*3 > files {
		return nil
	}
	return recent
}

// projectSupportNote is the reason of code the project file marks test
// support.
const projectSupportNote = "test-support code (sprintkit.toml test_support), weighted down"

func packageWeight(p *Package) (float64, string) {
	switch {
	case p.TestSupport && p.SupportReason != "":
		return supportWeight, "test-support code (" + p.SupportReason + "), weighted down"
	case p.TestSupport:
		return supportWeight, "test-support code, weighted down"
	case p.IsMain:
		return mainWeight, "main package, weighted down"
	}
	return 1, ""
}

// looseUncovered is the uncovered statements of f outside its functions.
func looseUncovered(f *File, fc Counts) int {
	inFuncs := 0
	for _, fn := range f.Functions {
		inFuncs += fn.Uncovered()
	}
	if n := fc.Uncovered() - inFuncs; n > 0 {
		return n
	}
	return 0
}

func fileName(f *File) string {
	if f.Rel != "" {
		return f.Rel
	}
	return f.Path
}

func shortPkg(name string) string {
	name = strings.TrimSuffix(name, "/")
	if i := strings.LastIndexAny(name, "/"); i >= 0 {
		return name[i+1:]
	}
	return name
}

func (u *unit) target() Target {
	U := u.counts.Uncovered()
	sum := effort(u.loose)
	var open []*Function    // functions with uncovered statements
	var picks []*Function   // of which first tests: not entry points
	var entries []*Function // of which entry points
	untested := 0           // functions no test reaches at all
	for _, fn := range u.funcs {
		if fn.Uncovered() == 0 {
			continue
		}
		e := effort(fn.Uncovered())
		if entryPoint(u.pkg, fn) != "" {
			entries = append(entries, fn)
			if u.kind != "function" { // a function target carries it in its weight
				e *= harnessWeight
			}
		} else {
			picks = append(picks, fn)
		}
		sum += e
		open = append(open, fn)
		if fn.Covered == 0 {
			untested++
		}
	}
	size := math.Min(1, float64(U)/sprintSize)
	spread := 0.5 + 0.5*(1-u.counts.Ratio())
	score := u.weight * size * spread * sum
	picks, traits := orderFirstTests(picks, u.funcs)
	t := u.newTarget(score, picks)
	t.Uncovered = U
	why := ""
	if len(picks) > 0 {
		fn := picks[0]
		t.FirstTest = &FirstTest{Name: fn.Name, File: fn.File, Line: fn.Line, Why: traits[fn].why(fn, true)}
		why = traits[fn].why(fn, false)
	}
	t.Reason = u.reason(open, picks, entries, untested, U, why)
	return t
}

// newTarget is the target u makes with score, its functions the picks in
// order: what statement and branch targets share.
func (u *unit) newTarget(score float64, picks []*Function) Target {
	t := Target{
		Kind:       u.kind,
		Name:       u.name,
		Package:    u.pkg,
		File:       u.file,
		Line:       u.line,
		Percent:    u.counts.Percent,
		Statements: u.counts.Statements,
		Score:      math.Round(score*10) / 10,
		Functions:  make([]FuncRef, 0, len(picks)),
	}
	if u.kind == "package" {
		t.File = ""
	}
	if u.pin != nil {
		t.Pinned, t.Note = true, u.pin.Note
	}
	for _, fn := range picks {
		t.Functions = append(t.Functions, FuncRef{Name: fn.Name, File: fn.File, Line: fn.Line,
			Statements: fn.Statements, Covered: fn.Covered, Branches: fn.Branches})
	}
	return t
}

// reason writes the one line that says why a target ranks where it does.
func (u *unit) reason(open, picks, entries []*Function, untested, uncovered int, why string) string {
	var parts []string
	if u.pin != nil {
		parts = append(parts, "pinned in "+ProjectFileName)
	}
	total := len(u.funcs)
	switch {
	case u.kind == "function":
		fn := u.funcs[0]
		for _, d := range u.funcs { // of twins, the one that does not run
			if d.Uncovered() > 0 {
				fn = d
				break
			}
		}
		if fn.Covered == 0 {
			parts = append(parts, fmt.Sprintf("no test reaches it: %s, in %s:%d", human.Count(fn.Statements, "statement", "statements"), fn.File, fn.Line))
		} else {
			parts = append(parts, fmt.Sprintf("%d of its %s never run", fn.Uncovered(), human.Count(fn.Statements, "statement", "statements")))
		}
		if fn.Statements <= smallFunction && len(entries) == 0 {
			parts = append(parts, "small enough for one sitting")
		}
	case total == 0:
		parts = append(parts, fmt.Sprintf("%d of %s never run", uncovered, human.Count(u.counts.Statements, "statement", "statements")))
	default:
		if untested > 0 {
			s := fmt.Sprintf("no test reaches %d of its %s", untested, human.Count(total, "function", "functions"))
			switch {
			case untested == 1 && total == 1:
				s = "no test reaches its only function"
			case untested == total:
				s = fmt.Sprintf("no test reaches any of its %s", human.Count(total, "function", "functions"))
			}
			parts = append(parts, s)
		}
		if partial := len(open) - untested; partial > 0 {
			more := ""
			if untested > 0 {
				more = "more "
			}
			parts = append(parts, fmt.Sprintf("%d %s%s partly covered", partial, more, human.Word(partial, "is", "are")))
		}
		switch {
		case len(open) == 0:
			parts = append(parts, fmt.Sprintf("%d of %s never run, outside any function", uncovered, human.Count(u.counts.Statements, "statement", "statements")))
		case len(picks) > 0:
			parts = append(parts, "first test: "+describe(picks[0])+" ("+why+")")
		default:
			var names []string
			for _, fn := range entries {
				names = append(names, fn.Name)
			}
			if len(names) > 3 {
				names = append(names[:3], "…")
			}
			parts = append(parts, "only entry points are untested ("+strings.Join(names, ", ")+"): weighted down, no first test")
		}
		if big := largest(open); big != nil && big.Uncovered() > 3*smallFunction && big.Uncovered()*2 > uncovered {
			parts = append(parts, fmt.Sprintf("most of it is one large function (%s, %d uncovered)", big.Name, big.Uncovered()))
		}
	}
	if uncovered < sprintSize && u.kind != "function" {
		parts = append(parts, fmt.Sprintf("only %d uncovered, a small task", uncovered))
	}
	parts = append(parts, u.notes...)
	return strings.Join(parts, "; ")
}

// describe says what a first-test function is: "parseQuery, 6 statements,
// 2 branches".
func describe(fn *Function) string {
	s := fn.Name + ", " + human.Count(fn.Statements, "statement", "statements")
	if fn.Branches > 0 {
		s += ", " + human.Count(fn.Branches, "branch", "branches")
	}
	return s
}

func largest(fns []*Function) *Function {
	var big *Function
	for _, fn := range fns {
		if big == nil || fn.Uncovered() > big.Uncovered() {
			big = fn
		}
	}
	return big
}
