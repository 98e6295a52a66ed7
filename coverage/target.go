package coverage

// Target is a sprint target: a package, file or function whose code no test
// reaches, ranked by Rank, with the reason for its rank.
type Target struct {
	Rank       int       `json:"rank"`
	Kind       string    `json:"kind"` // "package", "file" or "function"
	Name       string    `json:"name"` // import path, file path, or "pkg.Func"
	Package    string    `json:"package,omitempty"`
	File       string    `json:"file,omitempty"` // for files and functions: Rel (or Path)
	Line       int       `json:"line,omitempty"` // for functions
	Percent    float64   `json:"percent"`
	Statements int       `json:"statements"`
	Uncovered  int       `json:"uncovered"`
	Score      float64   `json:"score"`
	Reason     string    `json:"reason"`
	Pinned     bool      `json:"pinned,omitempty"` // a [[target]] of the project file recommends it: it ranks first
	Note       string    `json:"note,omitempty"`   // the pin's note
	Functions  []FuncRef `json:"functions"`        // first tests: uncovered functions in first-test order (classify.go), no entry points
	// FirstTest is the one function to write a test for first, chosen by
	// evidence (firsttest.go) and said in Why; nil when only entry points
	// are untested.
	FirstTest *FirstTest `json:"first_test,omitempty"`
	// StartFrom is the existing test that already runs the most code
	// nearest the first test (same file, then the same type or module,
	// then the package), to copy for it (coverage/pertest); nil when per-test
	// coverage was not measured, or found none: StartFromWhy then says why
	// ("no test runs code in package example.com/lib").
	StartFrom    *StartFrom `json:"start_from,omitempty"`
	StartFromWhy string     `json:"start_from_why,omitempty"`
	// Shape names the group of targets of one shape this one belongs to
	// (shape.go): "30 files alike (untested: Parse…, helper…)"; "" alone.
	Shape string `json:"shape,omitempty"`
	// MissedBranches, on a target whose statements all run, counts its
	// branches never taken: it is a branch target (branchtarget.go),
	// Uncovered is 0 and FirstTest.Why names the line; 0 otherwise.
	MissedBranches int `json:"missed_branches,omitempty"`
	// Branches are a branch target's branches and how many were taken,
	// when its files say (a function target has none of its own).
	Branches *Branches `json:"branches,omitempty"`

	pinOrder int // 1 + the index of the project file's pin; 0 when none
}

// FirstTest is the first test a target offers.
type FirstTest struct {
	Name string `json:"name"`
	File string `json:"file"`
	Line int    `json:"line"`
	Why  string `json:"why"` // "no test reaches it, exported, top-level, 2 branches"
}

// StartFrom is the test a target's first test is best copied from.
type StartFrom struct {
	Test string `json:"test"`
	File string `json:"file"` // where the test is declared
	Line int    `json:"line"`
	Why  string `json:"why"` // "runs 3 lines of f07.go, the file of Parse07"
}

// FuncRef names a function inside a target.
type FuncRef struct {
	Name       string `json:"name"`
	File       string `json:"file"`
	Line       int    `json:"line"`
	Statements int    `json:"statements"`
	Covered    int    `json:"covered"`
	Branches   int    `json:"branches,omitempty"` // where known (Go)
	// MissedBranches counts its branches never taken, on a branch target.
	MissedBranches int `json:"missed_branches,omitempty"`
}

// RankOptions chooses what Rank ranks.
type RankOptions struct {
	// By is "package", "file" or "function"; empty means DefaultUnit(r):
	// files for Python, packages otherwise.
	By  string
	Top int // at most this many targets; 0 means all
	// Recent, when set, gives files changed recently (by Rel path) a small
	// boost; the reason then says so.
	Recent map[string]bool
	// Project, when set, is the project file (LoadProjectFile): its exclude
	// patterns leave files out, its test_support patterns weigh files down,
	// and its [[target]] pins rank first with their notes.
	Project *ProjectFile
	// Room, when more than 1 and By is empty, is how many sprinters share
	// the sprint: when the default unit gives fewer targets, the largest
	// packages are split into files, and files into functions (room.go).
	Room int
}
