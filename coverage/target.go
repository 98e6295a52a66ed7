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
	Functions  []FuncRef `json:"functions"` // uncovered (or partly covered) functions, smallest first
}

// FuncRef names a function inside a target.
type FuncRef struct {
	Name       string `json:"name"`
	File       string `json:"file"`
	Line       int    `json:"line"`
	Statements int    `json:"statements"`
	Covered    int    `json:"covered"`
}

// RankOptions chooses what Rank ranks.
type RankOptions struct {
	By  string // "package" (default), "file" or "function"
	Top int    // at most this many targets; 0 means all
	// Recent, when set, gives files changed recently (by Rel path) a small
	// boost; the reason then says so.
	Recent map[string]bool
}
