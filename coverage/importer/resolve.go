package importer

import (
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// resolver finds the file under root that a coverage file names.
type resolver struct {
	root     string
	realRoot string              // root with symlinks resolved
	index    map[string][]string // base name → rel paths; built on first need
	indexed  bool
}

func newResolver(root string) *resolver {
	rv := &resolver{root: root, realRoot: root}
	if r, err := filepath.EvalSymlinks(root); err == nil {
		rv.realRoot = r
	}
	return rv
}

// under returns abs relative to root, slash-separated, when abs is inside it.
func (rv *resolver) under(abs string) (string, bool) {
	for _, root := range []string{rv.root, rv.realRoot} {
		rel, err := filepath.Rel(root, abs)
		if err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) && !filepath.IsAbs(rel) {
			return filepath.ToSlash(rel), true
		}
	}
	return "", false
}

func isRegular(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.Mode().IsRegular()
}

// resolve returns the rel path under root of p, or "" and why not. bases
// are directories a relative p may be joined to; sources are the producer's
// source directories as written (perhaps from another machine), which make
// a relative p longer for the suffix match.
func (rv *resolver) resolve(p string, bases, sources []string) (rel, why string) {
	native := filepath.FromSlash(p)
	if filepath.IsAbs(native) {
		if isRegular(native) {
			if rel, ok := rv.under(native); ok {
				return rel, ""
			}
			if real, err := filepath.EvalSymlinks(native); err == nil {
				if rel, ok := rv.under(real); ok {
					return rel, ""
				}
			}
			return "", "outside the checkout"
		}
	} else {
		for _, b := range bases {
			c := filepath.Join(b, native)
			if !isRegular(c) {
				continue
			}
			if rel, ok := rv.under(c); ok {
				return rel, ""
			}
		}
		for _, s := range sources {
			if rel, _ := rv.suffixMatch(s + "/" + p); rel != "" {
				return rel, ""
			}
		}
	}
	return rv.suffixMatch(p)
}

// suffixMatch finds the file under root sharing the longest run of trailing
// path elements with p (split at / and \, for paths from Windows machines).
func (rv *resolver) suffixMatch(p string) (string, string) {
	rv.buildIndex()
	elems := strings.FieldsFunc(p, func(r rune) bool { return r == '/' || r == '\\' })
	if len(elems) == 0 {
		return "", "not found"
	}
	cands := rv.index[elems[len(elems)-1]]
	best, bestN, ties := "", 0, []string(nil)
	for _, c := range cands {
		ce := strings.Split(c, "/")
		n := 0
		for n < len(ce) && n < len(elems) && ce[len(ce)-1-n] == elems[len(elems)-1-n] {
			n++
		}
		switch {
		case n > bestN:
			best, bestN, ties = c, n, nil
		case n == bestN && n > 0:
			ties = append(ties, c)
		}
	}
	if best == "" {
		return "", "not found"
	}
	if len(ties) > 0 {
		all := append([]string{best}, ties...)
		sort.Strings(all)
		if len(all) > 3 {
			all = append(all[:3], "…")
		}
		return "", "matches " + strings.Join(all, ", ")
	}
	return best, ""
}

// skipDirs are never searched for source files.
var skipDirs = map[string]bool{".git": true, ".hg": true, ".svn": true, ".sprintkit": true}

func (rv *resolver) buildIndex() {
	if rv.indexed {
		return
	}
	rv.indexed = true
	rv.index = map[string][]string{}
	filepath.WalkDir(rv.root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if d != nil && d.IsDir() && p != rv.root {
				return fs.SkipDir
			}
			return nil
		}
		if d.IsDir() {
			if p != rv.root && skipDirs[d.Name()] {
				return fs.SkipDir
			}
			return nil
		}
		if !d.Type().IsRegular() {
			return nil
		}
		if rel, ok := rv.under(p); ok {
			rv.index[d.Name()] = append(rv.index[d.Name()], rel)
		}
		return nil
	})
}
