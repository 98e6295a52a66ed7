package watcher

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"

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
