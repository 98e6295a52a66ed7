package onboard

import (
	"github.com/sprintkit/sprintkit/coverage"
	"github.com/sprintkit/sprintkit/internal/hint"
)

// loadProject reads the maintainers' sprintkit.toml at root, once per
// command, before any work: nil when there is none, an error naming its
// file and line (with what to do) when it is wrong. The command's steps
// are handed what it read: the baseline's go test flags, the curation
// (excluded paths leave the result) and the ranking (pins, test support).
func loadProject(root string) (*coverage.ProjectFile, error) {
	pf, err := coverage.LoadProjectFile(root)
	if err != nil {
		return nil, hint.With(err, "fix "+coverage.ProjectFileName+" (keys: exclude, test_support, [[target]] with path or name, and note, [baseline] go_test_flags) or move it aside")
	}
	return pf, nil
}

// goTestFlags are pf's [baseline] go_test_flags, then more; nil pf adds
// none.
func goTestFlags(pf *coverage.ProjectFile, more []string) []string {
	var flags []string
	if pf != nil {
		flags = append(flags, pf.Baseline.GoTestFlags...)
	}
	return append(flags, more...)
}
