package coverage

import (
	"fmt"
	"math"
	"sort"
	"strings"
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
//     (testutil, internal/test…, packages only tests import), and ×1.25 for
//     files changed recently when RankOptions.Recent names them. Generated
//     files, testdata and vendored code are left out altogether (real
//     product code, rule a).
//
// Every target carries a one-line reason built from the same figures, and
// its uncovered and partly covered functions, smallest first.

const (
	smallFunction = 20   // statements a newcomer can cover in one sitting
	sprintSize    = 10   // uncovered statements below which a target shrinks
	mainWeight    = 0.6  // weight of main packages
	supportWeight = 0.2  // weight of test-support code
	recentBoost   = 1.25 // boost of recently changed files
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
}

// Rank ranks the targets of r. It does not modify r.
func Rank(r *Result, opts RankOptions) []Target {
	by := opts.By
	if by == "" {
		by = "package"
	}
	opts.Recent = informative(r, opts.Recent)
	var units []*unit
	for _, p := range r.Packages {
		pw, pnote := packageWeight(p)
		var pu *unit
		if by == "package" {
			pu = &unit{kind: "package", name: p.Name, pkg: p.Name, weight: pw}
			if pnote != "" {
				pu.notes = append(pu.notes, pnote)
			}
		}
		recentInPkg := false
		for _, f := range p.Files {
			if Excluded(f) || f.NotRun != "" { // NotRun: its tests exist but did not run
				continue
			}
			pw, pnote := pw, pnote
			if f.TestSupport && !p.TestSupport {
				pw, pnote = supportWeight, "a test file, weighted down"
			}
			recent := opts.Recent[f.Rel] || (f.Rel == "" && opts.Recent[f.Path])
			fc := f.Counts
			if fc.Statements == 0 {
				fc = BlockCounts(f.Blocks)
			}
			loose := looseUncovered(f, fc)
			switch by {
			case "package":
				pu.counts.add(fc)
				pu.funcs = append(pu.funcs, f.Functions...)
				pu.loose += loose
				recentInPkg = recentInPkg || recent
			case "file":
				fu := &unit{kind: "file", name: fileName(f), pkg: p.Name, file: fileName(f),
					counts: fc, funcs: f.Functions, loose: loose, weight: pw}
				if pnote != "" {
					fu.notes = append(fu.notes, pnote)
				}
				if recent {
					fu.weight *= recentBoost
					fu.notes = append(fu.notes, "changed recently")
				}
				units = append(units, fu)
			case "function":
				for _, fn := range f.Functions {
					if fn.Covered == fn.Statements {
						continue
					}
					u := &unit{kind: "function", name: shortPkg(p.Name) + "." + fn.Name, pkg: p.Name,
						file: fn.File, line: fn.Line, counts: fn.Counts, funcs: []*Function{fn}, weight: pw}
					if pnote != "" {
						u.notes = append(u.notes, pnote)
					}
					if recent {
						u.weight *= recentBoost
						u.notes = append(u.notes, "changed recently")
					}
					units = append(units, u)
				}
			}
		}
		if pu != nil {
			if recentInPkg {
				pu.weight *= recentBoost
				pu.notes = append(pu.notes, "changed recently")
			}
			units = append(units, pu)
		}
	}

	var targets []Target
	for _, u := range units {
		u.counts.round()
		if u.counts.Uncovered() == 0 {
			continue
		}
		targets = append(targets, u.target())
	}
	sort.SliceStable(targets, func(i, j int) bool {
		a, b := targets[i], targets[j]
		if a.Score != b.Score {
			return a.Score > b.Score
		}
		if a.Uncovered != b.Uncovered {
			return a.Uncovered > b.Uncovered
		}
		return a.Name < b.Name
	})
	if opts.Top > 0 && len(targets) > opts.Top {
		targets = targets[:opts.Top]
	}
	for i := range targets {
		targets[i].Rank = i + 1
	}
	return targets
}

// informative drops the recent-files boost when it would not tell targets
// apart: when more than a third of the ranked files changed recently (a young
// repository, a shallow clone whose one commit touches everything), "changed
// recently" says nothing about any one of them.
func informative(r *Result, recent map[string]bool) map[string]bool {
	if len(recent) == 0 {
		return nil
	}
	files, hits := 0, 0
	for _, p := range r.Packages {
		for _, f := range p.Files {
			if Excluded(f) {
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

func packageWeight(p *Package) (float64, string) {
	switch {
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
	var open []*Function // functions with uncovered statements
	untested := 0        // functions no test reaches at all
	for _, fn := range u.funcs {
		if fn.Uncovered() == 0 {
			continue
		}
		sum += effort(fn.Uncovered())
		open = append(open, fn)
		if fn.Covered == 0 {
			untested++
		}
	}
	size := math.Min(1, float64(U)/sprintSize)
	spread := 0.5 + 0.5*(1-u.counts.Ratio())
	score := u.weight * size * spread * sum
	sort.SliceStable(open, func(i, j int) bool {
		a, b := open[i], open[j]
		if a.Statements != b.Statements {
			return a.Statements < b.Statements
		}
		if a.File != b.File {
			return a.File < b.File
		}
		return a.Line < b.Line
	})
	t := Target{
		Kind:       u.kind,
		Name:       u.name,
		Package:    u.pkg,
		File:       u.file,
		Line:       u.line,
		Percent:    u.counts.Percent,
		Statements: u.counts.Statements,
		Uncovered:  U,
		Score:      math.Round(score*10) / 10,
		Functions:  []FuncRef{},
	}
	if u.kind == "package" {
		t.File = ""
	}
	for _, fn := range open {
		t.Functions = append(t.Functions, FuncRef{Name: fn.Name, File: fn.File, Line: fn.Line,
			Statements: fn.Statements, Covered: fn.Covered})
	}
	t.Reason = u.reason(open, untested, U)
	return t
}

// reason writes the one line that says why a target ranks where it does.
func (u *unit) reason(open []*Function, untested, uncovered int) string {
	var parts []string
	total := len(u.funcs)
	switch {
	case u.kind == "function":
		fn := u.funcs[0]
		if fn.Covered == 0 {
			parts = append(parts, fmt.Sprintf("no test reaches it: %s, in %s:%d", plural(fn.Statements, "statement"), fn.File, fn.Line))
		} else {
			parts = append(parts, fmt.Sprintf("%d of its %s never run", fn.Uncovered(), plural(fn.Statements, "statement")))
		}
		if fn.Statements <= smallFunction {
			parts = append(parts, "small enough for one sitting")
		}
	case total == 0:
		parts = append(parts, fmt.Sprintf("%d of %s never run", uncovered, plural(u.counts.Statements, "statement")))
	default:
		if untested > 0 {
			s := fmt.Sprintf("no test reaches %d of its %s", untested, plural(total, "function"))
			switch {
			case untested == 1 && total == 1:
				s = "no test reaches its only function"
			case untested == total:
				s = fmt.Sprintf("no test reaches any of its %s", plural(total, "function"))
			}
			parts = append(parts, s)
		}
		if partial := len(open) - untested; partial > 0 {
			parts = append(parts, fmt.Sprintf("%d more %s partly covered", partial, pluralWord(partial, "is", "are")))
		}
		if len(open) == 0 {
			parts = append(parts, fmt.Sprintf("%d of %s never run, outside any function", uncovered, plural(u.counts.Statements, "statement")))
		} else {
			small := open[0]
			parts = append(parts, fmt.Sprintf("smallest: %s, %s", small.Name, plural(small.Statements, "statement")))
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

func largest(fns []*Function) *Function {
	var big *Function
	for _, fn := range fns {
		if big == nil || fn.Uncovered() > big.Uncovered() {
			big = fn
		}
	}
	return big
}

func plural(n int, word string) string {
	if n == 1 {
		return fmt.Sprintf("1 %s", word)
	}
	return fmt.Sprintf("%d %ss", n, word)
}

func pluralWord(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
