package copier

// walk lists d, hands its files to the workers in batches and pushes its
// subdirectories to be walked. It holds one reference on d until it returns.
func (e *engine) walk(ww *worker, d *dir) {
	defer e.release(d)
	if e.ctx.Err() != nil {
		return
	}
	w := ww.walker()
	ents, err := e.readSrc(w, d)
	if err != nil {
		e.fail(d, "", "dir", "read directory", err)
		return
	}
	if !d.fresh {
		if err := e.listDst(w, d); err != nil {
			e.fail(d, "", "dir", "read destination directory", err)
			return
		}
	}
	var keep map[string]bool
	if e.opts.Delete && !d.fresh && len(d.dst) > 0 {
		keep = make(map[string]bool, len(ents))
	}
	var subdirs []string
	b := job{d: d}
	var bbytes int64
	flush := func() {
		if len(b.items) == 0 {
			return
		}
		e.dispatch(ww, b)
		b = job{d: d}
		bbytes = 0
	}
	for _, de := range ents {
		if e.ctx.Err() != nil {
			break
		}
		if e.ownTemp(de.name) {
			continue // only when the destination is inside the source's tree
		}
		if keep != nil {
			keep[de.name] = true
		}
		if de.kind == kDir {
			if !e.excluded(d, de.name, true) {
				subdirs = append(subdirs, de.name)
			}
			continue
		}
		// The walk stats an entry only when it must: when the listing does
		// not give its type, or to know the byte total for progress. Else
		// the worker that copies it does, so that the stats of a tree are
		// spread over the workers rather than serialised in the walk (a
		// no-op re-copy is little more than stats).
		var st fstat
		if de.kind == kUnknown || e.opts.Progress != nil {
			var err error
			st, err = e.lstatSrc(d, de.name)
			if err != nil {
				e.fail(d, de.name, de.kind.String(), "stat", err)
				continue
			}
			st.valid = true
			if st.kind == kDir {
				if !e.excluded(d, de.name, true) {
					subdirs = append(subdirs, de.name)
				}
				continue
			}
		} else {
			st.kind = de.kind
		}
		if e.excluded(d, de.name, false) {
			continue
		}
		if e.opts.Progress != nil {
			e.totalFiles.Add(1)
			if st.valid && st.kind == kFile {
				e.totalBytes.Add(st.size)
			}
		}
		if st.kind == kFile && st.size >= batchBytes {
			// A big file goes on its own so that it does not hold up a batch.
			e.dispatch(ww, job{d: d, items: append(e.getItems(), item{name: de.name, st: st})})
			continue
		}
		if b.items == nil {
			b.items = e.getItems()
		}
		b.items = append(b.items, item{name: de.name, st: st})
		bbytes += st.size
		if len(b.items) >= batchItems || bbytes >= batchBytes {
			flush()
		}
	}
	flush()
	if keep != nil && e.ctx.Err() == nil {
		e.deleteExtra(d, keep)
	}
	for i := len(subdirs) - 1; i >= 0 && e.ctx.Err() == nil; i-- {
		d.pending.Add(1) // released when the child is finished, or fails to open
		e.pushDir(dirJob{parent: d, name: subdirs[i]})
	}
}

// dispatch queues a batch for the workers, or copies it here when the queue
// is full: a walking worker never waits, so the walk cannot deadlock with
// the copying, and the queue bounds how far the walk runs ahead.
func (e *engine) dispatch(w *worker, b job) {
	b.d.pending.Add(int64(len(b.items)))
	select {
	case e.jobs <- b:
	default:
		e.runBatch(w, b)
	}
}

// excluded reports whether the entry name of d is excluded.
func (e *engine) excluded(d *dir, name string, isDir bool) bool {
	return e.m != nil && e.m.excluded(d.relTo(name), name, isDir)
}

// deleteExtra removes destination entries the source lacks, leaving excluded
// names alone.
func (e *engine) deleteExtra(d *dir, keep map[string]bool) {
	for name, k := range d.dst {
		if keep[name] || e.ownTemp(name) {
			continue
		}
		if e.excluded(d, name, k == kDir) {
			continue
		}
		if !e.opts.DryRun {
			if err := e.removeDst(d, name, k); err != nil {
				e.fail(d, name, k.String(), "delete", err)
				continue
			}
		}
		d.markChanged()
		e.deleted.Add(1)
		e.event(EventDeleted, d, name, k.String(), 0, nil)
	}
}

// release drops one reference on d; the last one finishes it.
func (e *engine) release(d *dir) {
	for d != nil {
		if d.pending.Add(-1) != 0 {
			return
		}
		e.finishDir(d)
		d = d.parent
	}
}

// work runs one worker: it walks directories when there are some to walk
// (the walk is spread over the workers) and copies batches of entries.
func (e *engine) work(w *worker) {
	for {
		if j, ok := e.popDir(); ok {
			e.walkDir(w, j)
			e.dirDone()
			continue
		}
		select {
		case b, ok := <-e.jobs:
			if !ok {
				return
			}
			e.runBatch(w, b)
		case <-e.dirWake:
		}
	}
}

func (e *engine) runBatch(w *worker, j job) {
	for i := range j.items {
		if e.ctx.Err() == nil {
			e.copyItem(w, j.d, &j.items[i])
		}
		e.release(j.d)
	}
	e.putItems(j.items)
}

// getItems returns an empty batch, one used before when there is one: a
// batch is about 8 KB, and one per directory or 64 files would otherwise
// be most of what a copy allocates (and so of its garbage collections).
func (e *engine) getItems() []item {
	select {
	case s := <-e.freeItems:
		return s
	default:
		return make([]item, 0, batchItems)
	}
}

// putItems keeps the batch s for getItems, when there is room.
func (e *engine) putItems(s []item) {
	if cap(s) < batchItems {
		return
	}
	clear(s) // drop the names
	select {
	case e.freeItems <- s[:0]:
	default:
	}
}

// dirJob is a directory to walk: the root, already open, or the
// subdirectory name of parent, which holds a reference for it.
type dirJob struct {
	d      *dir
	parent *dir
	name   string
}

func (e *engine) pushDir(j dirJob) {
	e.dirJobs.Add(1)
	e.dirMu.Lock()
	e.dirStack = append(e.dirStack, j)
	e.dirMu.Unlock()
	select {
	case e.dirWake <- struct{}{}:
	default:
	}
}

func (e *engine) popDir() (dirJob, bool) {
	e.dirMu.Lock()
	defer e.dirMu.Unlock()
	n := len(e.dirStack)
	if n == 0 {
		return dirJob{}, false
	}
	j := e.dirStack[n-1]
	e.dirStack[n-1] = dirJob{}
	e.dirStack = e.dirStack[:n-1]
	if n > 1 { // wake another worker for the rest
		select {
		case e.dirWake <- struct{}{}:
		default:
		}
	}
	return j, true
}

// dirDone marks one directory walked; after the last one no more batches
// come, and the workers stop once they have copied what is queued.
func (e *engine) dirDone() {
	if e.dirJobs.Add(-1) == 0 {
		e.walkDone.Store(true)
		close(e.jobs)
	}
}

func (e *engine) walkDir(w *worker, j dirJob) {
	d := j.d
	if d == nil {
		if e.ctx.Err() != nil {
			e.release(j.parent)
			return
		}
		child, err := e.openChild(w.walker(), j.parent, j.name)
		if err != nil || child == nil {
			if err != nil {
				e.fail(j.parent, j.name, "dir", "open directory", err)
			}
			e.release(j.parent)
			return
		}
		d = child
	}
	e.walk(w, d)
}
