package watcher

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"time"

	"github.com/sprintkit/sprintkit/internal/ignore"

	"github.com/fsnotify/fsnotify"
)

// entry is what the snapshot knows of one path.
type entry struct {
	mode  fs.FileMode // type bits and permissions
	size  int64
	mtime int64 // nanoseconds
	dev   uint64
	ino   uint64
}

func (e entry) isDir() bool { return e.mode.IsDir() }

func entryOf(fi fs.FileInfo) entry {
	e := entry{mode: fi.Mode(), size: fi.Size(), mtime: fi.ModTime().UnixNano()}
	e.dev, e.ino = fileID(fi)
	return e
}

func (e entry) sameFile(o entry) bool {
	return e.mode.Type() == o.mode.Type() && e.dev == o.dev && e.ino == o.ino
}

// changed reports whether a path present before and after changed. A
// directory changes only with its mode or identity: its size and time move
// whenever an entry inside it does, which its entries report themselves.
func (e entry) changed(o entry) bool {
	if e.mode != o.mode || e.dev != o.dev || e.ino != o.ino {
		return true
	}
	return !e.isDir() && (e.size != o.size || e.mtime != o.mtime)
}

// hint is what the kernel said about a path since the last batch.
type hint uint8

const (
	hintWrite  hint = 1 << iota // written: Changed even if size and time look the same
	hintRename                  // renamed away: pair with the path that appeared
	hintTree                    // compare the whole subtree
)

// Watcher watches a directory tree. Create it with New, then call Run.
type Watcher struct {
	root string // absolute, cleaned
	opts Options

	fsw     *fsnotify.Watcher // nil when polling
	polling bool

	snap   map[string]map[string]entry // directory (rel, "." is the root) → name → entry
	ig     ignorer
	dirty  map[string]hint
	errs   []error // Error events for the next batch
	rescan bool    // recreate the kernel watcher and rescan everything

	// Seams for tests: inject kernel errors, and stand in for adding a watch.
	inject   chan error
	addWatch func(abs string) error
}

// New scans root, puts a watch on every directory that is not ignored, and
// returns a Watcher ready to Run. Changes made after New returns are
// reported by Run.
func New(root string, opts Options) (*Watcher, error) {
	abs, err := filepath.Abs(root)
	if err != nil {
		return nil, fmt.Errorf("watch %s: %w", root, err)
	}
	fi, err := os.Stat(abs)
	if err != nil {
		return nil, fmt.Errorf("watch %s: %w", root, err)
	}
	if !fi.IsDir() {
		return nil, fmt.Errorf("watch %s: not a directory", root)
	}
	if opts.Debounce == 0 {
		opts.Debounce = DefaultDebounce
	}
	if opts.PollInterval <= 0 {
		opts.PollInterval = DefaultPollInterval
	}
	if opts.MaxDelay == 0 {
		opts.MaxDelay = max(DefaultMaxDelay, 20*opts.Debounce)
	}
	w := &Watcher{
		root:   abs,
		opts:   opts,
		snap:   map[string]map[string]entry{".": {}},
		ig:     ignorer{},
		dirty:  map[string]hint{},
		inject: make(chan error, 1),
	}
	w.addWatch = func(abs string) error { return w.fsw.Add(abs) }
	if opts.Poll {
		w.polling = true
	} else if err := w.openKernel(); err != nil {
		w.startPolling(err)
	}
	w.loadRules(".")
	set := map[string]entry{}
	w.scanDir(".", set, true)
	w.apply(nil, set)
	return w, nil
}

func (w *Watcher) openKernel() error {
	fsw, err := fsnotify.NewWatcher()
	if err != nil {
		return err
	}
	w.fsw = fsw
	return nil
}

func (w *Watcher) closeKernel() {
	if w.fsw != nil {
		_ = w.fsw.Close()
		w.fsw = nil
	}
}

// startPolling switches to polling after the kernel watcher failed.
func (w *Watcher) startPolling(cause error) {
	w.closeKernel()
	if w.polling {
		return
	}
	w.polling = true
	msg := fmt.Sprintf("watcher: %v; polling %s every %s instead", cause, w.root, w.opts.PollInterval)
	if errors.Is(cause, syscall.ENOSPC) {
		msg = fmt.Sprintf("watcher: out of inotify watches; polling %s every %s instead (raise fs.inotify.max_user_watches, e.g. sudo sysctl fs.inotify.max_user_watches=524288)", w.root, w.opts.PollInterval)
	}
	if w.opts.Warn != nil {
		w.opts.Warn(msg)
	}
}

// Polling reports whether the watcher polls instead of using kernel
// notifications (forced by Options.Poll, or after watches ran out).
// Call it before Run or from Run's callback.
func (w *Watcher) Polling() bool { return w.polling }

// Root returns the absolute path of the watched directory.
func (w *Watcher) Root() string { return w.root }

// Close releases the kernel watcher of a Watcher whose Run was never
// called. Run closes it itself.
func (w *Watcher) Close() error {
	w.closeKernel()
	return nil
}

// Run delivers batches of events to fn until ctx is done, then releases
// everything it holds and returns nil. Each batch is sorted by path, with
// Error events first; fn is never called with an empty batch. Run must be
// called at most once.
func (w *Watcher) Run(ctx context.Context, fn func([]Event)) error {
	defer w.closeKernel()
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	defer timer.Stop()
	var ticker *time.Ticker
	defer func() {
		if ticker != nil {
			ticker.Stop()
		}
	}()
	pending := false
	var first time.Time // when the pending batch's first event came
	for {
		var pollC <-chan time.Time
		if w.polling {
			if ticker == nil {
				ticker = time.NewTicker(w.opts.PollInterval)
			}
			pollC = ticker.C
		}
		var evC <-chan fsnotify.Event
		var errC <-chan error
		if w.fsw != nil {
			evC, errC = w.fsw.Events, w.fsw.Errors
		}
		got := false
		select {
		case <-ctx.Done():
			return nil
		case ev, ok := <-evC:
			if !ok {
				w.fsw = nil
				w.startPolling(errors.New("the kernel watcher stopped"))
				continue
			}
			w.note(ev)
			got = true
		case err, ok := <-errC:
			if !ok {
				w.fsw = nil
				w.startPolling(errors.New("the kernel watcher stopped"))
				continue
			}
			w.noteErr(err)
			got = true
		case err := <-w.inject:
			w.noteErr(err)
			got = true
		case <-timer.C:
			pending = false
			w.flush(fn)
		case <-pollC:
			w.dirty["."] |= hintTree
			t0 := time.Now()
			w.flush(fn)
			// Keep scanning under 5% of the time on large trees.
			if next := 20 * time.Since(t0); next > w.opts.PollInterval {
				ticker.Reset(next)
			} else {
				ticker.Reset(w.opts.PollInterval)
			}
		}
		if !got {
			continue
		}
		if w.opts.Debounce < 0 {
			w.drain()
			w.flush(fn)
			continue
		}
		// Reset on every event: the batch goes out after a quiet period,
		// or MaxDelay after its first event if the tree never goes quiet.
		now := time.Now()
		if !pending {
			first = now
		}
		wait := w.opts.Debounce
		if w.opts.MaxDelay > 0 {
			if left := first.Add(w.opts.MaxDelay).Sub(now); left < wait {
				wait = max(left, 0)
			}
		}
		if pending {
			timer.Stop()
		}
		timer.Reset(wait)
		pending = true
	}
}

// drain reads the events already waiting, without blocking.
func (w *Watcher) drain() {
	for w.fsw != nil {
		select {
		case ev, ok := <-w.fsw.Events:
			if !ok {
				return
			}
			w.note(ev)
		case err, ok := <-w.fsw.Errors:
			if !ok {
				return
			}
			w.noteErr(err)
		default:
			return
		}
	}
}

// rel returns the slash-separated path of abs relative to the root.
func (w *Watcher) rel(abs string) (string, bool) {
	r, err := filepath.Rel(w.root, abs)
	if err != nil || r == ".." || strings.HasPrefix(r, ".."+string(filepath.Separator)) {
		return "", false
	}
	return filepath.ToSlash(r), true
}

func (w *Watcher) abs(rel string) string {
	if rel == "." {
		return w.root
	}
	return filepath.Join(w.root, filepath.FromSlash(rel))
}

func (w *Watcher) note(ev fsnotify.Event) {
	r, ok := w.rel(ev.Name)
	if !ok {
		return
	}
	var h hint
	if ev.Has(fsnotify.Write) {
		h |= hintWrite
	}
	if ev.Has(fsnotify.Rename) {
		h |= hintRename
	}
	w.dirty[r] |= h
	if ev.Has(fsnotify.Create) && w.fsw != nil {
		// Watch a new directory now rather than at the end of the batch:
		// files written into it meanwhile then keep the batch open, and the
		// scan at the end of the batch finds what came before the watch.
		if fi, err := os.Lstat(ev.Name); err == nil && fi.IsDir() {
			w.watchNew(r)
		}
	}
}

// watchNew watches a new directory and the directories already inside it.
func (w *Watcher) watchNew(dir string) {
	if w.ig.ignoredPath(dir, true) {
		return
	}
	w.watchDir(dir)
	if _, known := w.ig[dir]; !known {
		w.loadRules(dir)
	}
	des, err := os.ReadDir(w.abs(dir))
	if err != nil {
		return
	}
	for _, de := range des {
		if de.IsDir() {
			w.watchNew(dir + "/" + de.Name())
		}
	}
}

func (w *Watcher) noteErr(err error) {
	if errors.Is(err, fsnotify.ErrEventOverflow) {
		if !w.rescan {
			w.errs = append(w.errs, fmt.Errorf("watch %s: %w", w.root, ErrOverflow))
		}
		w.rescan = true
		w.dirty["."] |= hintTree
		return
	}
	w.errs = append(w.errs, fmt.Errorf("watch %s: %w", w.root, err))
}

// loadRules (re)reads the ignore rules that belong to directory dir.
func (w *Watcher) loadRules(dir string) {
	var rules ignore.List
	if dir == "." {
		if !w.opts.NoGitignore {
			if data, err := os.ReadFile(filepath.Join(w.root, ".git", "info", "exclude")); err == nil {
				rules = append(rules, ignore.ParseFile(data)...)
			}
		}
		for _, p := range w.opts.Ignore {
			if r, ok := ignore.ParseLine(p); ok {
				rules = append(rules, r)
			}
		}
	}
	if !w.opts.NoGitignore {
		if data, err := os.ReadFile(filepath.Join(w.abs(dir), ".gitignore")); err == nil {
			rules = append(rules, ignore.ParseFile(data)...)
		}
	}
	if len(rules) == 0 {
		delete(w.ig, dir)
	} else {
		w.ig[dir] = rules
	}
}

// watchDir puts a kernel watch on a directory; running out of watches
// switches the watcher to polling.
func (w *Watcher) watchDir(rel string) {
	if w.polling || w.fsw == nil {
		return
	}
	err := w.addWatch(w.abs(rel))
	switch {
	case err == nil, errors.Is(err, fs.ErrNotExist):
	case errors.Is(err, syscall.ENOSPC):
		w.startPolling(err)
	default:
		w.errs = append(w.errs, fmt.Errorf("watch %s: %w", w.abs(rel), err))
	}
}

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

	// Directories that left the tree keep their kernel watch while their
	// inode lives elsewhere; drop it. (Renamed ones are tracked by fsnotify.)
	if w.fsw != nil {
		for _, p := range deleted {
			if oldSet[p].isDir() && !renamedFrom[p] {
				_ = w.fsw.Remove(w.abs(p))
			}
		}
	}
	return out
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
