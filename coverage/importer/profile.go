package importer

import (
	"sort"

	"github.com/sprintkit/sprintkit/coverage"
)

// Profile is what one line-based coverage file says, before its paths are
// resolved against a checkout: the intermediate form shared by the LCOV,
// Cobertura and coverage.py JSON parsers.
type Profile struct {
	Name    string         // the input's name, for messages
	Format  string         // FormatLCOV, FormatCobertura or FormatCoveragePy
	Sources []string       // Cobertura <sources>, in order
	Files   []*FileProfile // in input order; a path may repeat
	// Declared is the total the producer wrote into the file (LCOV LH/LF
	// sums, Cobertura lines-covered/lines-valid, coverage.py totals), nil
	// when it wrote none.
	Declared *coverage.Counts
	// Branch reports that the producer measured branches (coverage.py's
	// meta.branch_coverage, LCOV BRDA/BRF records, Cobertura
	// condition-coverage), even when the files have none.
	Branch bool
}

// FileProfile is one source file's measured lines and functions.
type FileProfile struct {
	Path      string    // as written in the input
	Lines     []LineHit // in input order; a line may repeat
	Functions []FuncHit
	Branches  []BranchHit // in input order; a branch may repeat
	// Dropped are executed lines the parser took for docstrings (coverage.py
	// before 7.13 reports them) and left out of Lines: the lowest ones. With
	// the source at hand, Import puts back those that are no docstrings and
	// drops the docstrings instead (redocstring).
	Dropped []int
}

// BranchHit is one branch of a file and how often it was taken.
type BranchHit struct {
	// ID names the branch within its file, in the producer's terms:
	// "line,block,branch" (LCOV BRDA), "from>to" (coverage.py JSON arcs),
	// "line#k" (the k-th branch of a Cobertura line). Shards of one format
	// merge by ID.
	ID    string
	Taken int
}

// LineHit is a measured line and how often it ran.
type LineHit struct {
	Line  int
	Count int
}

// FuncHit is a function the input names. EndLine is 0 when unknown.
type FuncHit struct {
	Name    string
	Line    int
	EndLine int
	Hits    int
	// Lines, when not nil, are the function's own measured lines (coverage.py
	// ≥ 7.5 JSON); otherwise the function's statements are the file's
	// measured lines within Line..EndLine.
	Lines []LineHit
}

// normalizeLines sorts lines and sums the counts of a line listed twice.
func normalizeLines(ls *[]LineHit) {
	lines := *ls
	sorted := true
	for i := 1; i < len(lines); i++ {
		if lines[i].Line <= lines[i-1].Line {
			sorted = false
			break
		}
	}
	if sorted {
		return
	}
	sort.SliceStable(lines, func(i, j int) bool { return lines[i].Line < lines[j].Line })
	w := 0
	for i, l := range lines {
		if i > 0 && lines[w-1].Line == l.Line {
			lines[w-1].Count = coverage.AddHits(lines[w-1].Count, l.Count)
			continue
		}
		lines[w] = l
		w++
	}
	*ls = lines[:w]
}
