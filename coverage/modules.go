package coverage

import "fmt"

// The statuses of a Module.
const (
	ModuleTested     = "tested"
	ModuleNoPackages = "no packages" // nothing to test: only assets, or every Go file behind a build constraint
	ModuleFailed     = "failed"      // go could not test it: its failure is a "(module)" test
)

// Module is one module of a project of several (nested modules or a
// go.work workspace) as a run tested it, with its figure: the packages of
// the result under its module path (the innermost module's), those without
// data left out as in Result.Total.
type Module struct {
	Path     string `json:"path"`
	Dir      string `json:"dir"` // slash-separated, relative to the root; "." for the root
	Status   string `json:"status"`
	Packages int    `json:"packages"`
	Counts
}

// Figure says what the module's run came to, for a summary line.
func (m Module) Figure() string {
	switch m.Status {
	case ModuleNoPackages:
		return "no packages to test"
	case ModuleFailed:
		return "could not be tested"
	}
	return fmt.Sprintf("%.1f%% of %d statements in %d packages", m.Percent, m.Statements, m.Packages)
}
