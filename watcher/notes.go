package watcher

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"

	"github.com/fsnotify/fsnotify"
	"github.com/sprintkit/sprintkit/internal/ignore"
)

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
