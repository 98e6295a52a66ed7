package copier

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// kind is the type of a directory entry.
type kind uint8

const (
	kUnknown kind = iota
	kFile
	kDir
	kSymlink
	kSpecial
)

func (k kind) String() string {
	switch k {
	case kFile:
		return "file"
	case kDir:
		return "dir"
	case kSymlink:
		return "symlink"
	case kSpecial:
		return "special"
	}
	return "unknown"
}

// fstat is the part of a stat result the copier uses.
type fstat struct {
	kind   kind
	perm   uint32 // permission bits plus setuid, setgid and sticky (07777)
	size   int64
	blocks int64 // 512-byte blocks allocated (0 when unknown)
	atime  int64 // nanoseconds since the epoch
	mtime  int64
	ctime  int64
	uid    uint32
	gid    uint32
	dev    uint64
	ino    uint64
	nlink  uint64
	valid  bool // filled in by a stat, not only kind from a directory listing
}

type dirent struct {
	name string
	kind kind // kUnknown when the directory listing does not say
}

// item is one non-directory entry handed to a worker.
type item struct {
	name string
	st   fstat
}

// job is a batch of entries of one directory.
type job struct {
	d     *dir
	items []item
}

// dir is a directory being copied. It stays open (source and destination
// handles) until every entry in it is done; the last one to finish sets the
// destination directory's mode and times and releases the parent.
type dir struct {
	parent  *dir
	rel     string // slash-separated path relative to the source root; "" for the root
	srcPath string
	dstPath string
	st      fstat // the source directory
	dstSt   fstat // the destination directory as found or created
	sys     sysDir
	fresh   bool            // the destination was created by this run: nothing to compare
	changed atomic.Bool     // an entry of the destination was added, replaced or removed
	dst     map[string]kind // destination entries at listing time, when !fresh
	pending atomic.Int64
}

func (d *dir) relTo(name string) string {
	if d.rel == "" {
		return name
	}
	return d.rel + "/" + name
}

// linkEntry tracks the first copy of a multiply-linked source inode.
type linkEntry struct {
	done   chan struct{}
	ok     bool
	path   string // destination path of the first copy
	dstIno uint64
}

type engine struct {
	ctx     context.Context
	cancel  context.CancelCauseFunc
	opts    Options
	m       *matcher
	jobs    chan job
	root    bool // running as root: preserve ownership
	uid     uint32
	gid     uint32
	umask   uint32
	rootDst fstat         // to notice the destination reached again through the source
	tmpBase string        // TempPrefix, this run's token and "-": starts every temporary name of this run
	tmpSeq  atomic.Uint64 // numbers this run's temporaries

	files, dirs, symlinks, hardlinks, skipped, deleted, specials, errs, bytes atomic.Int64
	totalFiles, totalBytes, doneFiles, doneBytes                              atomic.Int64
	walkDone                                                                  atomic.Bool

	evMu      sync.Mutex
	errMu     sync.Mutex
	firstErrs []error
	fatalMu   sync.Mutex
	fatal     error

	linkMu sync.Mutex
	links  map[[2]uint64]*linkEntry

	// Directories waiting to be walked, taken by any worker, last in first
	// out so that the walk goes depth first and few directories are open.
	dirMu    sync.Mutex
	dirStack []dirJob
	dirJobs  atomic.Int64  // pushed and not yet walked
	dirWake  chan struct{} // a directory was pushed

	fast fastPaths
}

// testHookBeforeOpen, set by tests, runs before a worker opens a source
// file, so that a test can make the file vanish at exactly that moment.
var testHookBeforeOpen func(rel string)

// testForceTempNames, set by tests, makes every file go through a temporary
// name and a rename, even where an unnamed (O_TMPFILE) file would do.
var testForceTempNames bool

// testHookAfterData, set by tests, runs after a worker copied a file's
// content and before it checks whether the source changed meanwhile.
var testHookAfterData func(rel string)

// testRunToken, set by tests, replaces the random token of a run's
// temporary names.
var testRunToken string

const (
	batchItems = 64
	batchBytes = 1 << 20
)

// Copy copies the tree at src into dst like `cp -a src/. dst/`, creating dst
// if it is missing. Per-entry errors are reported through Options.OnEvent and
// counted; the run carries on and returns a *FileErrors at the end. A full
// destination filesystem, a cancelled context or an unusable src or dst stop
// the run and return that error (errors.Is(err, syscall.ENOSPC),
// errors.Is(err, context.Canceled)); the Stats say what was done until then.
func Copy(ctx context.Context, src, dst string, opts Options) (Stats, error) {
	m, err := compileExcludes(opts.Exclude)
	if err != nil {
		return Stats{}, err
	}
	if opts.Workers <= 0 {
		opts.Workers = DefaultWorkers()
	}
	if err := checkPaths(src, dst, opts.Delete); err != nil {
		return Stats{}, err
	}
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	e := &engine{
		ctx:     ctx,
		cancel:  cancel,
		opts:    opts,
		m:       m,
		jobs:    make(chan job, opts.Workers*4),
		links:   make(map[[2]uint64]*linkEntry),
		dirWake: make(chan struct{}, 1),
	}
	e.initIdentity()
	token := testRunToken
	if token == "" {
		token = newRunToken()
	}
	e.tmpBase = TempPrefix + token + "-"
	root, err := e.openRoot(src, dst)
	if err != nil {
		return Stats{}, err
	}
	e.rootDst = root.dstSt

	e.pushDir(dirJob{d: root})
	var wg sync.WaitGroup
	for i := 0; i < opts.Workers; i++ {
		wg.Add(1)
		go func(id int) {
			defer wg.Done()
			w := newWorker(id)
			w.tmpBase, w.tmpSeq = e.tmpBase, &e.tmpSeq
			e.work(w)
		}(i)
	}
	progressDone := make(chan struct{})
	var pwg sync.WaitGroup
	if opts.Progress != nil {
		pwg.Add(1)
		go func() {
			defer pwg.Done()
			t := time.NewTicker(200 * time.Millisecond)
			defer t.Stop()
			for {
				select {
				case <-t.C:
					opts.Progress(e.progress())
				case <-progressDone:
					return
				}
			}
		}()
	}

	wg.Wait()
	close(progressDone)
	pwg.Wait()
	if opts.Progress != nil {
		opts.Progress(e.progress())
	}

	st := e.stats()
	e.fatalMu.Lock()
	fatal := e.fatal
	e.fatalMu.Unlock()
	if fatal != nil {
		return st, fatal
	}
	if err := ctx.Err(); err != nil {
		return st, err
	}
	if st.Errors > 0 {
		e.errMu.Lock()
		defer e.errMu.Unlock()
		return st, &FileErrors{Count: st.Errors, First: e.firstErrs}
	}
	return st, nil
}

func (e *engine) progress() Progress {
	return Progress{
		Files:      e.doneFiles.Load(),
		TotalFiles: e.totalFiles.Load(),
		Bytes:      e.doneBytes.Load(),
		TotalBytes: e.totalBytes.Load(),
		WalkDone:   e.walkDone.Load(),
	}
}

func (e *engine) stats() Stats {
	return Stats{
		Files:     e.files.Load(),
		Dirs:      e.dirs.Load(),
		Symlinks:  e.symlinks.Load(),
		Hardlinks: e.hardlinks.Load(),
		Skipped:   e.skipped.Load(),
		Deleted:   e.deleted.Load(),
		Specials:  e.specials.Load(),
		Errors:    e.errs.Load(),
		Bytes:     e.bytes.Load(),
	}
}

// checkPaths refuses a copy of a tree into itself, and a --delete copy of a
// tree into one of its ancestors (which would delete the source).
func checkPaths(src, dst string, del bool) error {
	fi, err := os.Stat(src)
	if err != nil {
		return fmt.Errorf("source: %w", err)
	}
	if !fi.IsDir() {
		return fmt.Errorf("source %s is not a directory", src)
	}
	s, err := realPath(src)
	if err != nil {
		return fmt.Errorf("source: %w", err)
	}
	d, err := realPath(dst)
	if err != nil {
		return fmt.Errorf("destination: %w", err)
	}
	if d == s || strings.HasPrefix(d, withSep(s)) {
		return fmt.Errorf("copy %s to %s: %w", src, dst, ErrIntoItself)
	}
	if del && strings.HasPrefix(s, withSep(d)) {
		return fmt.Errorf("copy %s to %s with delete: the source lies inside the destination and would be deleted", src, dst)
	}
	return nil
}

func withSep(p string) string {
	if strings.HasSuffix(p, string(filepath.Separator)) {
		return p
	}
	return p + string(filepath.Separator)
}

// realPath resolves symlinks in p; the part of p that does not exist yet is
// appended as it is.
func realPath(p string) (string, error) {
	p, err := filepath.Abs(p)
	if err != nil {
		return "", err
	}
	var rest []string
	cur := p
	for {
		r, err := filepath.EvalSymlinks(cur)
		if err == nil {
			return filepath.Join(append([]string{r}, rest...)...), nil
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return "", err
		}
		parent := filepath.Dir(cur)
		if parent == cur {
			return p, nil
		}
		rest = append([]string{filepath.Base(cur)}, rest...)
		cur = parent
	}
}

// event reports one entry to OnEvent.
func (e *engine) event(k EventKind, d *dir, name, typ string, size int64, err error) {
	if e.opts.OnEvent == nil {
		return
	}
	ev := Event{Kind: k, Path: d.relTo(name), Type: typ, Size: size, Err: err}
	if name == "" {
		ev.Path = d.rel
		if ev.Path == "" {
			ev.Path = "."
		}
	}
	e.evMu.Lock()
	defer e.evMu.Unlock()
	e.opts.OnEvent(ev)
}

// entryError is a per-entry failure: what was being done, to which entry.
type entryError struct {
	Path string // relative to the source root
	Op   string
	Err  error
}

func (e *entryError) Error() string { return e.Path + ": " + e.Op + ": " + e.Err.Error() }
func (e *entryError) Unwrap() error { return e.Err }

// fail records a per-entry error, or stops the run when the error means the
// destination cannot take any more (ENOSPC, EDQUOT, EROFS).
func (e *engine) fail(d *dir, name, typ, op string, err error) {
	if e.ctx.Err() != nil {
		// Errors caused by cancellation are not the entry's fault.
		return
	}
	if errors.Is(err, ErrTypeConflict) {
		op = typ + " in the source"
	}
	ee := &entryError{Path: d.relTo(name), Op: op, Err: err}
	if name == "" {
		ee.Path = d.rel
		if ee.Path == "" {
			ee.Path = "."
		}
	}
	if isFatal(err) {
		e.fatalMu.Lock()
		if e.fatal == nil {
			e.fatal = fmt.Errorf("destination %s: %w", e.describeFatal(err), ee)
		}
		e.fatalMu.Unlock()
		e.cancel(e.fatal)
		e.event(EventError, d, name, typ, 0, ee)
		return
	}
	e.errs.Add(1)
	e.errMu.Lock()
	if len(e.firstErrs) < 10 {
		e.firstErrs = append(e.firstErrs, ee)
	}
	e.errMu.Unlock()
	e.event(EventError, d, name, typ, 0, ee)
}

func isFatal(err error) bool {
	for _, f := range fatalErrs {
		if errors.Is(err, f) {
			return true
		}
	}
	return false
}

func (e *engine) describeFatal(err error) string {
	switch {
	case errors.Is(err, syscall.EROFS):
		return "filesystem is read-only"
	case errors.Is(err, errQuota):
		return "quota exceeded"
	}
	return "filesystem is full"
}

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
		e.totalFiles.Add(1)
		if st.valid && st.kind == kFile {
			e.totalBytes.Add(st.size)
		}
		if st.kind == kFile && st.size >= batchBytes {
			// A big file goes on its own so that it does not hold up a batch.
			e.dispatch(ww, job{d: d, items: []item{{name: de.name, st: st}}})
			continue
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
		d.changed.Store(true)
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

func (e *engine) copyItem(w *worker, d *dir, it *item) {
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
	if testHookBeforeOpen != nil {
		testHookBeforeOpen(d.relTo(it.name))
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
		var ch *changedError
		if errors.As(err, &ch) && attempt == 0 && e.ctx.Err() == nil {
			nst, serr := e.lstatSrc(d, it.name)
			if serr == nil && nst.kind == kFile {
				e.totalBytes.Add(nst.size - st.size)
				it.st = nst
				continue
			}
		}
		if err != nil {
			if errors.As(err, &ch) {
				err = fmt.Errorf("%w (%s); tried twice, not copied", ErrChanged, ch.what)
			}
			e.fail(d, it.name, "file", op, err)
			return
		}
		break
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
	d.changed.Store(true)
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
		d.changed.Store(true)
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
	d.changed.Store(true)
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
	d.changed.Store(true)
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

// tempName returns a new temporary name of this run.
func (w *worker) tempName() string {
	b := append(w.nameBuf[:0], w.tmpBase...)
	b = appendHex(b, w.tmpSeq.Add(1))
	w.nameBuf = b
	return string(b)
}

// ownTemp reports whether name is a temporary of this run.
func (e *engine) ownTemp(name string) bool { return strings.HasPrefix(name, e.tmpBase) }

// newRunToken returns 16 random hex digits: what makes a run's temporary
// names its own.
func newRunToken() string {
	var b [8]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read does not fail
	return hex.EncodeToString(b[:])
}

// IsTempName reports whether name has the form of a temporary name of the
// copier (TempPrefix, 16 hex digits, "-", hex digits). Only a run that was
// killed (SIGKILL, a crash, a power loss) leaves one behind: on Linux with
// O_TMPFILE only in the moment between naming a finished file and renaming
// it into place, elsewhere also while the file is written. The copier never
// removes one that is not of its own run.
func IsTempName(name string) bool {
	rest, ok := strings.CutPrefix(name, TempPrefix)
	if !ok || len(rest) < 18 || rest[16] != '-' {
		return false
	}
	for i, c := range []byte(rest) {
		if i != 16 && !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

func appendHex(b []byte, v uint64) []byte {
	const digits = "0123456789abcdef"
	var tmp [16]byte
	i := len(tmp)
	for {
		i--
		tmp[i] = digits[v&15]
		v >>= 4
		if v == 0 {
			break
		}
	}
	return append(b, tmp[i:]...)
}
