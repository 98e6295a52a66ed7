package watcher

import (
	"bufio"
	"bytes"
	"path"
	"strings"
)

// A gitignore file holds one pattern per line:
//
//	# comment            blank lines and lines starting with "#" are skipped
//	\#file               a backslash escapes a leading "#" or "!"
//	*.log                no "/" (except at the end): matches the name at any depth
//	/build               a leading or middle "/" anchors to the file's directory
//	doc/*.html           "*" and "?" never match "/"; [a-z] and [!a-z] are classes
//	out/                 a trailing "/" matches directories only
//	!keep.log            "!" re-includes what an earlier pattern excluded
//	**/tmp  a/**/b  x/** "**" matches any number of directories
//
// Trailing spaces are dropped unless escaped with a backslash. A path is
// ignored by the last pattern that matches it, files deeper in the tree
// taking precedence over shallower ones. A path inside an ignored directory
// cannot be re-included: the watcher never enters ignored directories.

// rule is one parsed gitignore pattern.
type rule struct {
	segs     []string // pattern split on "/"
	negate   bool
	dirOnly  bool
	anchored bool // matches relative to base rather than at any depth
}

// parseIgnore parses the contents of a gitignore file.
func parseIgnore(data []byte) []rule {
	var rules []rule
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 4096), 1<<20)
	for sc.Scan() {
		if r, ok := parseRule(sc.Text()); ok {
			rules = append(rules, r)
		}
	}
	return rules
}

func parseRule(line string) (rule, bool) {
	line = strings.TrimSuffix(line, "\r")
	// Trailing spaces are ignored unless escaped.
	for strings.HasSuffix(line, " ") && !strings.HasSuffix(line, "\\ ") {
		line = line[:len(line)-1]
	}
	if line == "" || strings.HasPrefix(line, "#") {
		return rule{}, false
	}
	var r rule
	if strings.HasPrefix(line, "!") {
		r.negate = true
		line = line[1:]
	} else if strings.HasPrefix(line, `\!`) || strings.HasPrefix(line, `\#`) {
		line = line[1:]
	}
	if strings.HasSuffix(line, "/") {
		r.dirOnly = true
		line = strings.TrimRight(line, "/")
	}
	if line == "" {
		return rule{}, false
	}
	if strings.Contains(line, "/") {
		r.anchored = true
		line = strings.TrimPrefix(line, "/")
	}
	for _, s := range strings.Split(line, "/") {
		if s == "" {
			continue // "a//b" is "a/b"
		}
		if s != "**" {
			// path.Match negates classes with "^"; git accepts "!" too.
			s = strings.ReplaceAll(s, "[!", "[^")
		}
		r.segs = append(r.segs, s)
	}
	if len(r.segs) == 0 {
		return rule{}, false
	}
	return r, true
}

// match reports whether the rule matches rel, a slash-separated path
// relative to the directory of the rule's file.
func (r *rule) match(rel string, isDir bool) bool {
	if r.dirOnly && !isDir {
		return false
	}
	if !r.anchored {
		ok, _ := path.Match(r.segs[0], path.Base(rel))
		return ok
	}
	return matchSegs(r.segs, strings.Split(rel, "/"))
}

func matchSegs(pat, name []string) bool {
	for len(pat) > 0 {
		if pat[0] == "**" {
			if len(pat) == 1 {
				return len(name) > 0 // "dir/**" matches everything inside dir
			}
			for i := 0; i <= len(name); i++ {
				if matchSegs(pat[1:], name[i:]) {
					return true
				}
			}
			return false
		}
		if len(name) == 0 {
			return false
		}
		if ok, _ := path.Match(pat[0], name[0]); !ok {
			return false
		}
		pat, name = pat[1:], name[1:]
	}
	return len(name) == 0
}

// ignorer holds the rules of every gitignore file in the tree, by the
// slash-separated directory (relative to the root, "." for the root) that
// holds them. The root's list starts with .git/info/exclude and
// Options.Ignore, which rank below the root's .gitignore.
type ignorer map[string][]rule

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
		for i := range rules {
			if rules[i].match(sub, isDir) {
				result = !rules[i].negate
			}
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
