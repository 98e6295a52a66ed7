package coverage

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
	"unicode"

	"github.com/sprintkit/sprintkit/internal/human"
)

// The first test, by evidence
//
// Of a target's uncovered functions (entry points left out), the one to
// test first is chosen by what the code itself says, in this order:
//
//  1. trivial functions (firstTestTier 4) and the twin of a definition that
//     ran (the other branch of a platform switch, which this machine cannot
//     run) come last;
//  2. wholly uncovered before partly covered: a first test that covers a
//     function no test reaches counts for the most;
//  3. exported (Go: a capital letter) or public (Python and others: no
//     leading underscore in any part of the name; dunders are public)
//     before the rest: the API a user calls, tested through its front door;
//  4. top-level before nested: a Go func literal ("Parse.func1") or a
//     Python def inside another function of the same file ("outer.inner"),
//     which a test reaches only through its enclosing function;
//  5. then by tier (firstTestTier: branches over straight lines, small
//     before large), fewest statements, most branches, file and line.
//
// Two definitions of one qualified name in one file (a platform switch:
// `if sys.platform == "win32": def f(): … else: def f(): …`) are one first
// test: the better placed of them, said to be one of its twins.

// fnTraits is the evidence about one candidate first test.
type fnTraits struct {
	untested bool   // no statement of it ran
	public   bool   // exported (Go) or public (Python)
	nestedIn string // the enclosing function; "" at the top level
	closure  bool   // a Go func literal
	twins    int    // definitions of its qualified name in its file
	other    bool   // a twin of a definition that ran
}

func (t fnTraits) late(fn *Function) bool { return t.other || firstTestTier(fn) == 4 }

var goClosureRe = regexp.MustCompile(`\.func\d+(\.\d+)*$`)

// fnKey names a function in its file: its twins share it.
type fnKey struct{ file, name string }

// defs counts the definitions of one qualified name in one file, and of
// them those that ran.
type defs struct{ n, covered int }

// byName indexes functions by file and qualified name, so that each
// candidate's evidence is looked up rather than found by walking every
// function of its target (a package of thousands of functions, each a
// candidate, made that walk quadratic and most of the time of ranking).
func byName(all []*Function) map[fnKey]defs {
	idx := make(map[fnKey]defs, len(all))
	for _, o := range all {
		k := fnKey{o.File, o.Name}
		d := idx[k]
		d.n++
		if o.Covered > 0 {
			d.covered++
		}
		idx[k] = d
	}
	return idx
}

// traitsOf weighs the evidence about fn, one of all, the functions of its
// target indexed by byName.
func traitsOf(fn *Function, all map[fnKey]defs) fnTraits {
	t := fnTraits{untested: fn.Covered == 0, public: isPublic(fn)}
	d := all[fnKey{fn.File, fn.Name}]
	t.twins = d.n
	// A definition that ran, when fn did not, is another one.
	t.other = fn.Covered == 0 && d.covered > 0
	if m := goClosureRe.FindStringIndex(fn.Name); m != nil && strings.HasSuffix(fn.File, ".go") {
		t.nestedIn, t.closure = fn.Name[:m[0]], true
		return t
	}
	if i := strings.LastIndexByte(fn.Name, '.'); i > 0 {
		if outer := fn.Name[:i]; all[fnKey{fn.File, outer}].n > 0 {
			t.nestedIn = outer
		}
	}
	return t
}

// isPublic reports whether fn is exported (a Go file: its last name starts
// with a capital) or public (elsewhere: no part of its dotted name starts
// with an underscore, dunders aside).
func isPublic(fn *Function) bool {
	name := fn.Name
	if strings.HasSuffix(fn.File, ".go") {
		if m := goClosureRe.FindStringIndex(name); m != nil {
			name = name[:m[0]]
		}
		if i := strings.LastIndexByte(name, '.'); i >= 0 {
			name = name[i+1:]
		}
		for _, r := range name {
			return unicode.IsUpper(r)
		}
		return false
	}
	for _, part := range strings.Split(name, ".") {
		if strings.HasPrefix(part, "_") && !(len(part) > 4 && strings.HasPrefix(part, "__") && strings.HasSuffix(part, "__")) {
			return false
		}
	}
	return true
}

// orderFirstTests sorts picks, a target's candidate first tests, by the
// evidence (all is every function of the target), keeps one of each set of
// twins, and returns them with the evidence of the first (the target's
// first test), by function.
func orderFirstTests(picks, all []*Function) ([]*Function, map[*Function]fnTraits) {
	idx := byName(all)
	// Each candidate's evidence and tier are worked out once, not in every
	// comparison of the sort (a package target has thousands).
	type cand struct {
		fn   *Function
		t    fnTraits
		late bool
		tier int
	}
	cs := make([]cand, len(picks))
	for i, fn := range picks {
		t := traitsOf(fn, idx)
		cs[i] = cand{fn, t, t.late(fn), firstTestTier(fn)}
	}
	sort.SliceStable(cs, func(i, j int) bool {
		a, b := &cs[i], &cs[j]
		ta, tb := a.t, b.t
		if a.late != b.late {
			return b.late
		}
		if ta.untested != tb.untested {
			return ta.untested
		}
		if ta.public != tb.public {
			return ta.public
		}
		if na, nb := ta.nestedIn == "", tb.nestedIn == ""; na != nb {
			return na
		}
		if a.tier != b.tier {
			return a.tier < b.tier
		}
		return firstTestLess(a.fn, b.fn)
	})
	out := picks[:0]
	tr := map[*Function]fnTraits{}
	if len(cs) > 0 {
		tr[cs[0].fn] = cs[0].t
	}
	seen := make(map[fnKey]bool, len(cs))
	for _, c := range cs {
		k := fnKey{c.fn.File, c.fn.Name}
		if seen[k] {
			continue
		}
		seen[k] = true
		out = append(out, c.fn)
	}
	return out, tr
}

// firstTestLess orders two functions of the same evidence: by tier
// (firstTestTier), then fewest statements, most branches, file and line.
func firstTestLess(a, b *Function) bool {
	if ta, tb := firstTestTier(a), firstTestTier(b); ta != tb {
		return ta < tb
	}
	if a.Statements != b.Statements {
		return a.Statements < b.Statements
	}
	if a.Branches != b.Branches {
		return a.Branches > b.Branches
	}
	if a.File != b.File {
		return a.File < b.File
	}
	return a.Line < b.Line
}

// why says the evidence for fn as a first test: "no test reaches it,
// exported, top-level, 2 branches"; without branches when the reason says
// them already (describe).
func (t fnTraits) why(fn *Function, branches bool) string {
	var parts []string
	if t.untested {
		parts = append(parts, "no test reaches it")
	} else {
		parts = append(parts, fmt.Sprintf("%d of its %s run", fn.Covered, human.Count(fn.Statements, "statement", "statements")))
	}
	goFile := strings.HasSuffix(fn.File, ".go")
	switch {
	case t.public && goFile:
		parts = append(parts, "exported")
	case t.public:
		parts = append(parts, "public")
	case goFile:
		parts = append(parts, "unexported")
	default:
		parts = append(parts, "private")
	}
	switch {
	case t.closure:
		parts = append(parts, "a closure in "+t.nestedIn)
	case t.nestedIn != "":
		parts = append(parts, "nested in "+t.nestedIn)
	default:
		parts = append(parts, "top-level")
	}
	switch {
	case !branches:
	case fn.Branches > 0:
		parts = append(parts, human.Count(fn.Branches, "branch", "branches"))
	case goFile:
		parts = append(parts, "straight-line")
	}
	if t.twins > 1 {
		parts = append(parts, fmt.Sprintf("one of %d definitions of it (a platform switch)", t.twins))
	}
	if t.other {
		parts = append(parts, "another definition of it runs here")
	}
	return strings.Join(parts, ", ")
}
