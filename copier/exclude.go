package copier

import "github.com/sprintkit/sprintkit/internal/ignore"

// matcher holds compiled exclude patterns: gitignore's syntax (see
// internal/ignore), matched against paths relative to the source root, the
// last matching pattern deciding ("!pattern" re-includes what an earlier
// one excluded). An excluded directory is not descended into, so nothing
// inside it can be re-included.
type matcher struct {
	rules ignore.List
}

func compileExcludes(pats []string) (*matcher, error) {
	if len(pats) == 0 {
		return nil, nil
	}
	l, err := ignore.CompileAll(pats)
	if err != nil {
		return nil, err
	}
	return &matcher{rules: l}, nil
}

// excluded reports whether the entry at rel (slash-separated, relative to
// the source root) is excluded.
func (m *matcher) excluded(rel, _ string, isDir bool) bool {
	if m == nil {
		return false
	}
	ignored, _ := m.rules.Match(rel, isDir)
	return ignored
}
