package copier

import (
	"context"
	"sync"
	"sync/atomic"
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
	open bool // in is the source file, open (openSrc), until writeTemp or dropSrc closes it
	in   int
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

// markChanged records that an entry of d's destination changed. It writes
// only the first time: the workers copying into one directory do not each
// take its cache line on every file.
func (d *dir) markChanged() {
	if !d.changed.Load() {
		d.changed.Store(true)
	}
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
	ctx    context.Context
	cancel context.CancelCauseFunc
	opts   Options
	m      *matcher
	jobs   chan job
	// freeItems holds batches done with, for getItems.
	freeItems chan []item
	root      bool // running as root: preserve ownership
	uid       uint32
	gid       uint32
	umask     uint32
	rootDst   fstat              // to notice the destination reached again through the source
	srcIDs    map[[2]uint64]bool // the source and its ancestors, never deleted (removeTree)
	tmpBase   string             // TempPrefix, this run's token and "-": starts every temporary name of this run
	tmpSeq    atomic.Uint64      // numbers this run's temporaries

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

// testHookBeforeOpen, set by tests, runs before a worker stats or opens a
// source file, so that a test can make the file vanish at exactly that
// moment.
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
		ctx:       ctx,
		cancel:    cancel,
		opts:      opts,
		m:         m,
		jobs:      make(chan job, opts.Workers*4),
		freeItems: make(chan []item, opts.Workers*6),
		links:     make(map[[2]uint64]*linkEntry),
		dirWake:   make(chan struct{}, 1),
	}
	e.initIdentity()
	e.srcIDs = sourceIDs(src)
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
