package copier

import (
	"fmt"
	"path"
	"strings"
)

// matcher holds compiled exclude patterns.
//
// # Pattern syntax
//
// A subset of .gitignore, matched against paths relative to the source root
// with forward slashes:
//
//	*.pyc          no slash: matches the name of an entry at any depth
//	node_modules/  a trailing slash: matches directories only
//	build/out      a slash inside: anchored at the source root
//	/vendor        a leading slash: anchored at the source root
//	docs/**/*.png  "**" matches any number of directories, none included
//
// "*", "?" and "[...]" mean what they mean to path.Match. An excluded
// directory is not descended into. Negation ("!pattern") is not supported.
type matcher struct {
	pats []pattern
}

type pattern struct {
	segs     []string // anchored: path segments; unanchored: one segment
	anchored bool
	dirOnly  bool
}

func compileExcludes(pats []string) (*matcher, error) {
	if len(pats) == 0 {
		return nil, nil
	}
	m := &matcher{}
	for _, p := range pats {
		orig := p
		var c pattern
		if strings.HasPrefix(p, "!") {
			return nil, fmt.Errorf("exclude %q: negation is not supported", orig)
		}
		if strings.HasSuffix(p, "/") {
			c.dirOnly = true
			p = strings.TrimRight(p, "/")
		}
		if strings.HasPrefix(p, "/") {
			c.anchored = true
			p = strings.TrimLeft(p, "/")
		}
		if p == "" {
			return nil, fmt.Errorf("exclude %q: empty pattern", orig)
		}
		if strings.Contains(p, "/") {
			c.anchored = true
		}
		if c.anchored {
			c.segs = strings.Split(p, "/")
		} else {
			c.segs = []string{p}
		}
		for _, s := range c.segs {
			if s == "**" {
				continue
			}
			if _, err := path.Match(s, ""); err != nil {
				return nil, fmt.Errorf("exclude %q: %w", orig, err)
			}
		}
		m.pats = append(m.pats, c)
	}
	return m, nil
}

// excluded reports whether the entry at rel (slash-separated, relative to
// the source root) with base name name is excluded.
func (m *matcher) excluded(rel, name string, isDir bool) bool {
	if m == nil {
		return false
	}
	for i := range m.pats {
		p := &m.pats[i]
		if p.dirOnly && !isDir {
			continue
		}
		if !p.anchored {
			if ok, _ := path.Match(p.segs[0], name); ok {
				return true
			}
			continue
		}
		if matchSegs(p.segs, strings.Split(rel, "/")) {
			return true
		}
	}
	return false
}

func matchSegs(pat, segs []string) bool {
	for len(pat) > 0 {
		if pat[0] == "**" {
			rest := pat[1:]
			for i := 0; i <= len(segs); i++ {
				if matchSegs(rest, segs[i:]) {
					return true
				}
			}
			return false
		}
		if len(segs) == 0 {
			return false
		}
		if ok, _ := path.Match(pat[0], segs[0]); !ok {
			return false
		}
		pat, segs = pat[1:], segs[1:]
	}
	return len(segs) == 0
}
