package copier

import (
	"errors"
	"fmt"
	"path/filepath"
)

func (e *engine) copyItem(w *worker, d *dir, it *item) {
	if testHookBeforeOpen != nil && it.st.kind == kFile {
		testHookBeforeOpen(d.relTo(it.name))
	}
	// In a directory this run created there is nothing to compare: a file
	// is opened first, and the stat of the open descriptor is the one the
	// copy goes by (openSrc), which spares a lookup of its name.
	// Not with Progress, where the walk stats every entry: so the
	// counters only progress reports are left alone.
	if !it.st.valid && it.st.kind == kFile && d.fresh && !e.opts.DryRun && e.openSrc(w, d, it) {
		e.copyFile(w, d, it)
		e.dropSrc(it)
		return
	}
	if !it.st.valid {
		st, err := e.lstatSrc(d, it.name)
		if err != nil {
			e.fail(d, it.name, it.st.kind.String(), "stat", err)
			e.doneFiles.Add(1)
			return
		}
		if st.kind == kDir {
			e.fail(d, it.name, it.st.kind.String(), "stat", errors.New("became a directory during the copy"))
			e.doneFiles.Add(1)
			return
		}
		st.valid = true
		it.st = st
		if st.kind == kFile {
			e.totalBytes.Add(st.size)
		}
	}
	switch it.st.kind {
	case kFile:
		e.copyFile(w, d, it)
		e.doneBytes.Add(it.st.size)
	case kSymlink:
		e.copySymlink(w, d, it)
	default:
		e.specials.Add(1)
		e.event(EventSpecial, d, it.name, "special", 0, nil)
	}
	e.doneFiles.Add(1)
}

// dstEntry returns the destination entry named name, if there is one.
func (e *engine) dstEntry(d *dir, name string) (fstat, bool) {
	if d.fresh {
		return fstat{}, false
	}
	if d.dst != nil {
		if _, ok := d.dst[name]; !ok {
			return fstat{}, false
		}
	}
	ds, err := e.lstatDst(d, name)
	if err != nil {
		return fstat{}, false
	}
	return ds, true
}

func (e *engine) copyFile(w *worker, d *dir, it *item) {
	st := &it.st
	ds, exists := e.dstEntry(d, it.name)

	var le *linkEntry
	if st.nlink > 1 {
		key := [2]uint64{st.dev, st.ino}
		var failed *linkEntry
		for le == nil {
			e.linkMu.Lock()
			prev := e.links[key]
			if prev == nil || prev == failed {
				le = &linkEntry{done: make(chan struct{})}
				e.links[key] = le
			}
			e.linkMu.Unlock()
			if le != nil {
				defer close(le.done)
				break
			}
			<-prev.done
			if prev.ok {
				e.linkTo(w, d, it, prev, ds, exists)
				return
			}
			// The first copy failed (a conflict, a vanished name): one of
			// the names waiting is copied instead, and the rest link to it.
			failed = prev
		}
	}

	if exists && ds.kind == kFile && ds.size == st.size {
		same := ds.mtime == st.mtime
		if e.opts.Checksum {
			var err error
			same, err = e.sameContent(w, d, it.name, st.size)
			if err != nil {
				e.fail(d, it.name, "file", "compare", err)
				return
			}
		}
		if same {
			if !e.opts.DryRun {
				if err := e.fixMeta(d, it.name, st, &ds); err != nil {
					e.fail(d, it.name, "file", "set attributes", err)
					return
				}
			}
			if le != nil {
				le.ok, le.path, le.dstIno = true, filepath.Join(d.dstPath, it.name), ds.ino
			}
			e.skipped.Add(1)
			e.event(EventSkipped, d, it.name, "file", st.size, nil)
			return
		}
	}
	replaceDir := exists && ds.kind == kDir
	if replaceDir && !e.canReplaceDir(d, it.name, "file") {
		return
	}
	if e.opts.DryRun {
		if le != nil {
			le.ok, le.path = true, filepath.Join(d.dstPath, it.name)
		}
		e.files.Add(1)
		e.bytes.Add(st.size)
		e.event(EventCopied, d, it.name, "file", st.size, nil)
		return
	}
	// A file that changes while it is copied is copied once more from its
	// new state; if it changes again, it is an error, and what the
	// destination had stays.
	var tmp string
	var ino uint64
	for attempt := 0; ; attempt++ {
		var op string
		var err error
		tmp, ino, op, err = e.writeTemp(w, d, it, le != nil, exists && !replaceDir, replaceDir)
		if err == nil {
			break
		}
		var ch *changedError
		if errors.As(err, &ch) && attempt == 0 && e.ctx.Err() == nil {
			nst, serr := e.lstatSrc(d, it.name)
			if serr == nil && nst.kind == kFile {
				e.totalBytes.Add(nst.size - st.size)
				it.st = nst
				continue
			}
		}
		if errors.As(err, &ch) {
			err = fmt.Errorf("%w (%s); tried twice, not copied", ErrChanged, ch.what)
		}
		e.fail(d, it.name, "file", op, err)
		return
	}
	if tmp != "" { // "" when the file was linked into place from an unnamed one
		if err := e.renameDst(d, tmp, it.name); err != nil {
			e.removeTemp(d, tmp)
			e.fail(d, it.name, "file", "rename into place", err)
			return
		}
	}
	if le != nil {
		le.ok, le.path, le.dstIno = true, filepath.Join(d.dstPath, it.name), ino
	}
	d.markChanged()
	e.files.Add(1)
	e.bytes.Add(st.size)
	e.event(EventCopied, d, it.name, "file", st.size, nil)
}

// changedError says how a source file changed while it was copied.
type changedError struct{ what string }

func (c *changedError) Error() string { return "changed during the copy (" + c.what + ")" }

// checkUnchanged compares the stat of the source taken before its content
// was copied (before) with one taken after (after).
func checkUnchanged(before, after *fstat) error {
	var what string
	switch {
	case after.ino != before.ino || after.dev != before.dev:
		what = "replaced by another file"
	case after.size != before.size:
		what = fmt.Sprintf("size %d → %d bytes", before.size, after.size)
	case after.mtime != before.mtime:
		what = "modified"
	case after.ctime != before.ctime:
		what = "status changed"
	default:
		return nil
	}
	return &changedError{what: what}
}

// canReplaceDir reports whether the directory name of d's destination may
// make way for a file, hard link or symlink of the source (typ): with
// Delete, always; without, only an empty one, as with rsync -a. A non-empty
// one is a per-entry error (ErrTypeConflict) and stays as it is.
func (e *engine) canReplaceDir(d *dir, name, typ string) bool {
	if e.opts.Delete {
		return true
	}
	empty, err := e.dstDirEmpty(d, name)
	if err == nil && !empty {
		err = ErrTypeConflict
	}
	if err != nil {
		e.fail(d, name, typ, "replace directory", err)
		return false
	}
	return true
}

// clearDir removes the directory name of d's destination, which
// canReplaceDir allowed, right before its replacement takes its place: with
// Delete with all it holds, else only if it is still empty (ErrTypeConflict
// if not).
func (e *engine) clearDir(d *dir, name string) error {
	var err error
	if e.opts.Delete {
		err = e.removeDst(d, name, kDir)
	} else {
		err = e.removeEmptyDir(d, name)
	}
	if err == nil {
		d.markChanged()
	}
	return err
}

// linkTo makes it a hard link to the destination of an earlier copy of the
// same inode.
func (e *engine) linkTo(w *worker, d *dir, it *item, prev *linkEntry, ds fstat, exists bool) {
	if exists && prev.dstIno != 0 && ds.ino == prev.dstIno {
		e.skipped.Add(1)
		e.event(EventSkipped, d, it.name, "hardlink", it.st.size, nil)
		return
	}
	replaceDir := exists && ds.kind == kDir
	if replaceDir && !e.canReplaceDir(d, it.name, "hardlink") {
		return
	}
	if e.opts.DryRun {
		e.hardlinks.Add(1)
		e.event(EventCopied, d, it.name, "hardlink", it.st.size, nil)
		return
	}
	if replaceDir {
		if err := e.clearDir(d, it.name); err != nil {
			e.fail(d, it.name, "hardlink", "replace directory", err)
			return
		}
		exists = false
	}
	if err := e.linkDst(w, d, prev.path, it.name, exists); err != nil {
		e.fail(d, it.name, "hardlink", "link", err)
		return
	}
	d.markChanged()
	e.hardlinks.Add(1)
	e.event(EventCopied, d, it.name, "hardlink", it.st.size, nil)
}

func (e *engine) copySymlink(w *worker, d *dir, it *item) {
	target, err := e.readlinkSrc(d, it.name)
	if err != nil {
		e.fail(d, it.name, "symlink", "read link", err)
		return
	}
	ds, exists := e.dstEntry(d, it.name)
	if exists && ds.kind == kSymlink {
		if t, err := e.readlinkDst(d, it.name); err == nil && t == target {
			if !e.opts.DryRun && ds.mtime != it.st.mtime {
				_ = e.setLinkMeta(d, it.name, &it.st)
			}
			e.skipped.Add(1)
			e.event(EventSkipped, d, it.name, "symlink", 0, nil)
			return
		}
	}
	replaceDir := exists && ds.kind == kDir
	if replaceDir && !e.canReplaceDir(d, it.name, "symlink") {
		return
	}
	if e.opts.DryRun {
		e.symlinks.Add(1)
		e.event(EventCopied, d, it.name, "symlink", 0, nil)
		return
	}
	if replaceDir {
		if err := e.clearDir(d, it.name); err != nil {
			e.fail(d, it.name, "symlink", "replace directory", err)
			return
		}
	}
	if op, err := e.symlinkDst(w, d, target, it.name, &it.st); err != nil {
		e.fail(d, it.name, "symlink", op, err)
		return
	}
	d.markChanged()
	e.symlinks.Add(1)
	e.event(EventCopied, d, it.name, "symlink", 0, nil)
}

// finishDir sets the destination directory's attributes once everything in
// it is done, and closes it.
func (e *engine) finishDir(d *dir) {
	defer e.closeDir(d)
	if e.ctx.Err() != nil || e.opts.DryRun {
		return
	}
	if err := e.setDirMeta(d); err != nil {
		e.fail(d, "", "dir", "set attributes", err)
	}
}
