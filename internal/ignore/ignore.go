// Package ignore matches paths against gitignore-style patterns: the one
// matcher behind the watcher's .gitignore handling and the copier's
// --exclude. Its rules are tested case by case in ignore_test.go, and its
// behaviour on whole trees against `git check-ignore`
// (watcher/ignore_test.go).
//
// A pattern file holds one pattern per line:
//
//	# comment            blank lines and lines starting with "#" are skipped
//	\#file               a backslash escapes a leading "#" or "!"
//	*.log                no "/" (except at the end): matches the name at any depth
//	/build               a leading or middle "/" anchors to the file's directory
//	doc/*.html           "*" and "?" never match "/"; [a-z] and [!a-z] are classes
//	out/                 a trailing "/" matches directories only
//	!keep.log            "!" re-includes what an earlier pattern excluded
//	**/tmp  a/**/b  x/** "**" matches any number of directories ("x/**":
//	                     everything inside x, not x itself)
//
// Trailing spaces are dropped unless escaped with a backslash. A path is
// matched by the last pattern that matches it (List.Match).
package ignore

import (
	"bufio"
	"bytes"
	"fmt"
	"path"
	"strings"
)

// Rule is one parsed pattern.
type Rule struct {
	segs     []string // pattern split on "/"
	negate   bool
	dirOnly  bool
	anchored bool // matches relative to the base rather than at any depth
}

// ParseFile parses the contents of a gitignore file; lines that hold no
// pattern are skipped, as git skips them.
func ParseFile(data []byte) List {
	var rules List
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 4096), 1<<20)
	for sc.Scan() {
		if r, ok := ParseLine(sc.Text()); ok {
			rules = append(rules, r)
		}
	}
	return rules
}

// ParseLine parses one line of a gitignore file; ok is false for a line
// that holds no pattern (blank, a comment, "/").
func ParseLine(line string) (r Rule, ok bool) {
	line = strings.TrimSuffix(line, "\r")
	for strings.HasSuffix(line, " ") && !strings.HasSuffix(line, "\\ ") {
		line = line[:len(line)-1]
	}
	if line == "" || strings.HasPrefix(line, "#") {
		return Rule{}, false
	}
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
		return Rule{}, false
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
		return Rule{}, false
	}
	return r, true
}

// Compile parses a pattern given on the command line (--exclude), where a
// pattern that matches nothing or cannot be matched is a mistake to report.
func Compile(pattern string) (Rule, error) {
	r, ok := ParseLine(pattern)
	if !ok {
		return Rule{}, fmt.Errorf("exclude %q: empty pattern", pattern)
	}
	for _, s := range r.segs {
		if s == "**" {
			continue
		}
		if _, err := path.Match(s, ""); err != nil {
			return Rule{}, fmt.Errorf("exclude %q: %w", pattern, err)
		}
	}
	return r, nil
}

// CompileAll compiles command-line patterns into a list.
func CompileAll(patterns []string) (List, error) {
	var l List
	for _, p := range patterns {
		r, err := Compile(p)
		if err != nil {
			return nil, err
		}
		l = append(l, r)
	}
	return l, nil
}

// Match reports whether the rule matches rel, a slash-separated path
// relative to the rule's base directory.
func (r *Rule) Match(rel string, isDir bool) bool {
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

// List is an ordered list of rules with one base directory.
type List []Rule

// Match reports whether rel is ignored by the list: by the last rule that
// matches it, so that "!pat" re-includes. matched is false when no rule
// matches at all (a deeper list may then decide).
func (l List) Match(rel string, isDir bool) (ignored, matched bool) {
	for i := range l {
		if l[i].Match(rel, isDir) {
			ignored, matched = !l[i].negate, true
		}
	}
	return ignored, matched
}
