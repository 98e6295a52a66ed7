package watcher

import (
	"path"
	"strings"

	"github.com/sprintkit/sprintkit/internal/ignore"
)

// Patterns follow gitignore (see internal/ignore). A path is ignored by the
// last pattern that matches it, files deeper in the tree taking precedence
// over shallower ones. A path inside an ignored directory cannot be
// re-included: the watcher never enters ignored directories.

// ignorer holds the rules of every gitignore file in the tree, by the
// slash-separated directory (relative to the root, "." for the root) that
// holds them. The root's list starts with .git/info/exclude and
// Options.Ignore, which rank below the root's .gitignore.
type ignorer map[string]ignore.List

func (ig ignorer) clone() ignorer {
	c := make(ignorer, len(ig))
	for k, v := range ig {
		c[k] = v
	}
	return c
}

// alwaysIgnored reports whether a directory with this base name is never
// entered.
func alwaysIgnored(name string, isDir bool) bool {
	return isDir && (name == ".git" || name == ".sprintkit")
}

// ignored reports whether rel (slash-separated, relative to the root) is
// ignored by the rules, considering only rel itself and not its parents.
func (ig ignorer) ignored(rel string, isDir bool) bool {
	if alwaysIgnored(path.Base(rel), isDir) {
		return true
	}
	result := false
	dir := path.Dir(rel)
	// Walk from the root down to rel's directory; later matches win.
	bases := []string{"."}
	if dir != "." {
		parts := strings.Split(dir, "/")
		for i := range parts {
			bases = append(bases, strings.Join(parts[:i+1], "/"))
		}
	}
	for _, base := range bases {
		rules := ig[base]
		if len(rules) == 0 {
			continue
		}
		sub := rel
		if base != "." {
			sub = strings.TrimPrefix(rel, base+"/")
		}
		if ig, ok := rules.Match(sub, isDir); ok {
			result = ig
		}
	}
	return result
}

// ignoredPath reports whether rel or any directory above it is ignored.
func (ig ignorer) ignoredPath(rel string, isDir bool) bool {
	if ig.ignored(rel, isDir) {
		return true
	}
	for d := path.Dir(rel); d != "."; d = path.Dir(d) {
		if ig.ignored(d, true) {
			return true
		}
	}
	return false
}
