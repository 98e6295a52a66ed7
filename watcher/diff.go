package watcher

import (
	"io/fs"
	"os"
	"path"
	"sort"
)

// flush turns the hints gathered since the last batch into events.
func (w *Watcher) flush(fn func([]Event)) {
	if len(w.dirty) == 0 && len(w.errs) == 0 {
		return
	}
	dirty := w.dirty
	w.dirty = map[string]hint{}
	full := dirty["."]&hintTree != 0
	if w.rescan {
		// Kernel events were lost, and with them the renames fsnotify uses
		// to keep its watches' names right: start over with a new
		// instance. The full rescan below watches each directory before
		// reading it, so nothing falls between the two instances.
		w.rescan = false
		if !w.polling {
			w.closeKernel()
			if err := w.openKernel(); err != nil {
				w.startPolling(err)
			}
		}
	}
	oldIg := w.ig.clone()
	if full {
		w.loadRules(".")
	}

	trees := map[string]bool{}
	type single struct {
		old, cur       entry
		hadOld, hasCur bool
	}
	singles := map[string]single{}
	for p, h := range dirty {
		if p == "." {
			if _, err := os.Stat(w.root); h&hintTree != 0 || err != nil {
				trees["."] = true
			}
			continue
		}
		if path.Base(p) == ".gitignore" {
			if d := path.Dir(p); w.snap[d] != nil {
				w.loadRules(d)
				trees[d] = true
			}
		}
		// A path in a directory the snapshot does not know yet is part of
		// that directory's tree.
		q := p
		for q != "." && w.snap[path.Dir(q)] == nil {
			q = path.Dir(q)
		}
		if q != p || h&hintTree != 0 {
			trees[q] = true
			continue
		}
		var s single
		s.old, s.hadOld = w.snap[path.Dir(p)][path.Base(p)]
		if fi, err := os.Lstat(w.abs(p)); err == nil && !w.ig.ignored(p, fi.IsDir()) {
			s.cur, s.hasCur = entryOf(fi), true
		}
		newDir := s.hasCur && s.cur.isDir() && !(s.hadOld && s.old.sameFile(s.cur))
		goneDir := s.hadOld && s.old.isDir() && !(s.hasCur && s.old.sameFile(s.cur))
		if newDir || goneDir {
			trees[p] = true
			continue
		}
		singles[p] = s
	}

	oldSet, newSet := map[string]entry{}, map[string]entry{}
	roots := make([]string, 0, len(trees))
	for t := range trees {
		roots = append(roots, t)
	}
	sort.Strings(roots)
	for _, t := range roots {
		if t != "." && covered(path.Dir(t), trees) {
			continue
		}
		w.collectOld(t, oldSet)
		w.collectNew(t, newSet, full)
	}
	for p, s := range singles {
		if covered(p, trees) {
			continue
		}
		if s.hadOld {
			oldSet[p] = s.old
		}
		if s.hasCur {
			newSet[p] = s.cur
		}
	}

	events := w.diff(oldSet, newSet, oldIg, dirty)
	w.apply(oldSet, newSet)

	batch := make([]Event, 0, len(w.errs)+len(events))
	for _, err := range w.errs {
		batch = append(batch, Event{Op: Error, Err: err})
	}
	w.errs = nil
	for _, e := range events {
		if w.opts.keep(e) {
			batch = append(batch, e)
		}
	}
	if len(batch) > 0 && fn != nil {
		fn(batch)
	}
}

// diff compares the old and new entries of the examined paths. Paths whose
// presence changed only because the ignore rules changed are not reported.
func (w *Watcher) diff(oldSet, newSet map[string]entry, oldIg ignorer, hints map[string]hint) []Event {
	var created, deleted []string
	changed := map[string]bool{}
	for p, o := range oldSet {
		n, ok := newSet[p]
		switch {
		case !ok:
			if !w.ig.ignoredPath(p, o.isDir()) {
				deleted = append(deleted, p)
			} else if o.isDir() && w.fsw != nil {
				_ = w.fsw.Remove(w.abs(p)) // newly ignored: stop watching it
			}
		case o.changed(n) || (!n.isDir() && hints[p]&hintWrite != 0):
			changed[p] = true
		}
	}
	for p, n := range newSet {
		if _, ok := oldSet[p]; !ok && !oldIg.ignoredPath(p, n.isDir()) {
			created = append(created, p)
		}
	}
	sort.Strings(deleted)
	sort.Strings(created)

	// Pair each path that disappeared with the path that now holds its
	// inode: a created path, or one that changed because it was replaced.
	type key struct{ dev, ino uint64 }
	byID := map[key][]string{}
	for _, p := range created {
		n := newSet[p]
		if n.ino != 0 {
			byID[key{n.dev, n.ino}] = append(byID[key{n.dev, n.ino}], p)
		}
	}
	for p := range changed {
		if n := newSet[p]; n.ino != 0 && n.ino != oldSet[p].ino {
			byID[key{n.dev, n.ino}] = append(byID[key{n.dev, n.ino}], p)
		}
	}
	renamedTo := map[string]string{} // new → old
	renamedFrom := map[string]bool{}
	// Without inode numbers (Windows), a path the kernel said was renamed
	// pairs with a created path of the same type, size and time.
	type look struct {
		typ         fs.FileMode
		size, mtime int64
	}
	byLook := map[look][]string{}
	for _, p := range created {
		if n := newSet[p]; n.ino == 0 {
			k := look{n.mode.Type(), n.size, n.mtime}
			byLook[k] = append(byLook[k], p)
		}
	}
	for _, p := range deleted {
		o := oldSet[p]
		if o.ino == 0 {
			k := look{o.mode.Type(), o.size, o.mtime}
			if cands := byLook[k]; hints[p]&hintRename != 0 && len(cands) > 0 {
				renamedTo[cands[0]] = p
				renamedFrom[p] = true
				byLook[k] = cands[1:]
			}
			continue
		}
		cands := byID[key{o.dev, o.ino}]
		for i, c := range cands {
			n := newSet[c]
			if n.mode.Type() != o.mode.Type() {
				continue
			}
			// Inode numbers are reused at once on many file systems: a file
			// deleted and another created in the same batch may share one.
			// Trust the pairing when the kernel said "renamed", for
			// directories, or when size and time are untouched.
			if hints[p]&hintRename == 0 && !o.isDir() && (o.size != n.size || o.mtime != n.mtime) {
				continue
			}
			renamedTo[c] = p
			renamedFrom[p] = true
			byID[key{o.dev, o.ino}] = append(cands[:i:i], cands[i+1:]...)
			break
		}
	}

	var out []Event
	ev := func(op Op, p string, e entry) Event {
		return Event{Op: op, Path: w.abs(p), Name: p, IsDir: e.isDir()}
	}
	for _, p := range deleted {
		if !renamedFrom[p] {
			out = append(out, ev(Deleted, p, oldSet[p]))
		}
	}
	for _, p := range created {
		e := ev(Created, p, newSet[p])
		if old, ok := renamedTo[p]; ok {
			e.Op, e.OldName, e.OldPath = Renamed, old, w.abs(old)
		}
		out = append(out, e)
	}
	for p := range changed {
		e := ev(Changed, p, newSet[p])
		if old, ok := renamedTo[p]; ok {
			e.Op, e.OldName, e.OldPath = Renamed, old, w.abs(old)
		}
		out = append(out, e)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })

	w.unwatchGone(deleted, oldSet, renamedFrom)
	return out
}

// unwatchGone drops the kernel watch of directories that left the tree:
// they keep it while their inode lives elsewhere. (Renamed ones are tracked
// by fsnotify.)
func (w *Watcher) unwatchGone(deleted []string, oldSet map[string]entry, renamedFrom map[string]bool) {
	if w.fsw == nil {
		return
	}
	for _, p := range deleted {
		if oldSet[p].isDir() && !renamedFrom[p] {
			_ = w.fsw.Remove(w.abs(p))
		}
	}
}

// apply replaces the snapshot's old entries by the new ones.
func (w *Watcher) apply(oldSet, newSet map[string]entry) {
	for p, o := range oldSet {
		n, ok := newSet[p]
		if ok && (n.isDir() || !o.isDir()) {
			continue
		}
		if m := w.snap[path.Dir(p)]; m != nil && !ok {
			delete(m, path.Base(p))
		}
		if o.isDir() && !(ok && n.isDir()) {
			delete(w.snap, p)
			delete(w.ig, p)
		}
	}
	for p, n := range newSet {
		d := path.Dir(p)
		m := w.snap[d]
		if m == nil {
			m = map[string]entry{}
			w.snap[d] = m
		}
		m[path.Base(p)] = n
		if n.isDir() && w.snap[p] == nil {
			w.snap[p] = map[string]entry{}
		}
	}
}
