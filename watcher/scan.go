package watcher

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
)

// scanDir records every path below directory dir that is not ignored in
// set, watching each directory before reading it, so that nothing created
// in it escapes both the watch and the scan. Each directory's .gitignore is
// read before its entries are matched; reload rereads those already known.
func (w *Watcher) scanDir(dir string, set map[string]entry, reload bool) {
	w.watchDir(dir)
	f, err := os.Open(w.abs(dir))
	if err != nil {
		if !errors.Is(err, fs.ErrNotExist) {
			w.errs = append(w.errs, fmt.Errorf("scan %s: %w", w.abs(dir), err))
		}
		return
	}
	des, err := f.ReadDir(-1)
	f.Close()
	if err != nil {
		w.errs = append(w.errs, fmt.Errorf("scan %s: %w", w.abs(dir), err))
	}
	if dir != "." {
		if _, known := w.ig[dir]; reload || !known {
			w.loadRules(dir)
		}
	}
	for _, de := range des {
		child := de.Name()
		if dir != "." {
			child = dir + "/" + child
		}
		if w.ig.ignored(child, de.IsDir()) {
			continue
		}
		fi, err := de.Info()
		if err != nil {
			continue // gone since ReadDir
		}
		e := entryOf(fi)
		set[child] = e
		if e.isDir() {
			w.scanDir(child, set, reload)
		}
	}
}

// collectOld adds the snapshot's entries for p and everything below it.
func (w *Watcher) collectOld(p string, set map[string]entry) {
	if p != "." {
		if e, ok := w.snap[path.Dir(p)][path.Base(p)]; ok {
			set[p] = e
		}
	}
	for name, e := range w.snap[p] {
		child := name
		if p != "." {
			child = p + "/" + name
		}
		set[child] = e
		if e.isDir() {
			w.collectOld(child, set)
		}
	}
}

// collectNew adds what is on disk now at p and below it.
func (w *Watcher) collectNew(p string, set map[string]entry, reload bool) {
	if p == "." {
		if _, err := os.Stat(w.root); err == nil {
			w.scanDir(".", set, reload)
		}
		return
	}
	fi, err := os.Lstat(w.abs(p))
	if err != nil || w.ig.ignored(p, fi.IsDir()) {
		return
	}
	e := entryOf(fi)
	set[p] = e
	if e.isDir() {
		w.scanDir(p, set, reload)
	}
}

// covered reports whether p is below (or is) one of the trees.
func covered(p string, trees map[string]bool) bool {
	if trees["."] {
		return true
	}
	for q := p; q != "."; q = path.Dir(q) {
		if trees[q] {
			return true
		}
	}
	return false
}
