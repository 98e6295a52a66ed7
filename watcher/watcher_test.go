package watcher

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/fsnotify/fsnotify"
)

func TestEditorSavesAreOneChanged(t *testing.T) {
	tests := []struct {
		name string
		save func(t *testing.T, dir string)
	}{
		{"a save through a temporary file renamed over the original and chmodded is one Changed", func(t *testing.T, dir string) {
			tmp := filepath.Join(dir, ".main.go.swp123")
			must(t, os.WriteFile(tmp, []byte("package main // v2\n"), 0o600))
			must(t, os.Rename(tmp, filepath.Join(dir, "main.go")))
			must(t, os.Chmod(filepath.Join(dir, "main.go"), 0o644))
		}},
		{"a vim-style save that moves the original to a backup, writes anew and deletes the backup is one Changed", func(t *testing.T, dir string) {
			must(t, os.WriteFile(filepath.Join(dir, "4913"), nil, 0o644))
			must(t, os.Remove(filepath.Join(dir, "4913")))
			must(t, os.Rename(filepath.Join(dir, "main.go"), filepath.Join(dir, "main.go~")))
			must(t, os.WriteFile(filepath.Join(dir, "main.go"), []byte("package main // v2\n"), 0o644))
			must(t, os.Remove(filepath.Join(dir, "main.go~")))
		}},
		{"an in-place truncate and rewrite in several writes is one Changed", func(t *testing.T, dir string) {
			f, err := os.OpenFile(filepath.Join(dir, "main.go"), os.O_WRONLY|os.O_TRUNC, 0)
			must(t, err)
			for i := 0; i < 5; i++ {
				fmt.Fprintf(f, "// line %d\n", i)
			}
			must(t, f.Close())
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			write(t, dir, "main.go", "package main\n")
			h := start(t, dir, Options{Debounce: steady})
			tt.save(t, dir)
			if got, want := join(h.settle()), "changed main.go"; got != want {
				t.Errorf("events:\n%s\nwant:\n%s", got, want)
			}
		})
	}
}

func TestRenames(t *testing.T) {
	tests := []struct {
		name   string
		before []string
		act    func(t *testing.T, dir, outside string)
		want   []string
	}{
		{"a file renamed inside the tree is one Renamed with both names",
			[]string{"a/old.go"},
			func(t *testing.T, dir, _ string) {
				must(t, os.MkdirAll(filepath.Join(dir, "b"), 0o755))
				must(t, os.Rename(filepath.Join(dir, "a/old.go"), filepath.Join(dir, "b/new.go")))
			},
			[]string{"created b", "renamed a/old.go -> b/new.go"}},
		{"a file moved out of the tree is Deleted",
			[]string{"gone.go"},
			func(t *testing.T, dir, outside string) {
				must(t, os.Rename(filepath.Join(dir, "gone.go"), filepath.Join(outside, "gone.go")))
			},
			[]string{"deleted gone.go"}},
		{"a file moved into the tree is Created",
			nil,
			func(t *testing.T, dir, outside string) {
				must(t, os.WriteFile(filepath.Join(outside, "in.go"), []byte("x"), 0o644))
				must(t, os.Rename(filepath.Join(outside, "in.go"), filepath.Join(dir, "in.go")))
			},
			[]string{"created in.go"}},
		{"a directory moved into the tree is Created with everything inside it",
			nil,
			func(t *testing.T, dir, outside string) {
				write(t, outside, "pkg/sub/x.go", "x")
				write(t, outside, "pkg/y.go", "y")
				must(t, os.Rename(filepath.Join(outside, "pkg"), filepath.Join(dir, "pkg")))
			},
			[]string{"created pkg", "created pkg/sub", "created pkg/sub/x.go", "created pkg/y.go"}},
		{"a directory renamed inside the tree is Renamed, and so is each entry below it",
			[]string{"old/sub/x.go", "old/y.go"},
			func(t *testing.T, dir, _ string) {
				must(t, os.Rename(filepath.Join(dir, "old"), filepath.Join(dir, "new")))
			},
			[]string{"renamed old -> new", "renamed old/sub -> new/sub", "renamed old/sub/x.go -> new/sub/x.go", "renamed old/y.go -> new/y.go"}},
		{"a file renamed over another is one Renamed",
			[]string{"a.go", "b.go"},
			func(t *testing.T, dir, _ string) {
				must(t, os.Rename(filepath.Join(dir, "a.go"), filepath.Join(dir, "b.go")))
			},
			[]string{"renamed a.go -> b.go"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir, outside := t.TempDir(), t.TempDir()
			for i, f := range tt.before {
				write(t, dir, f, strings.Repeat("x", i+1))
			}
			h := start(t, dir, Options{Debounce: steady})
			tt.act(t, dir, outside)
			if got, want := join(h.settle()), join(tt.want); got != want {
				t.Errorf("events:\n%s\nwant:\n%s", got, want)
			}
		})
	}
}

func TestDirectoryRenamedInsideTheTreeStaysWatched(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "old/x.go", "x")
	h := start(t, dir, Options{Debounce: steady})
	must(t, os.Rename(filepath.Join(dir, "old"), filepath.Join(dir, "new")))
	h.settle()
	write(t, dir, "new/x.go", "changed")
	write(t, dir, "new/z.go", "z")
	if got, want := join(h.settle()), "changed new/x.go\ncreated new/z.go"; got != want {
		t.Errorf("events:\n%s\nwant:\n%s", got, want)
	}
}

func TestNewNestedDirectoriesAreWatchedAndScanned(t *testing.T) {
	dir := t.TempDir()
	h := start(t, dir, Options{Debounce: steady})
	// Created at once: the files inside exist before any watch on them can.
	for _, f := range []string{"a/b/c/one.go", "a/b/c/two.go", "a/b/three.go", "a/four.go"} {
		write(t, dir, f, "x")
	}
	want := []string{"created a", "created a/b", "created a/b/c", "created a/b/c/one.go", "created a/b/c/two.go", "created a/b/three.go", "created a/four.go"}
	if got := join(h.settle()); got != join(want) {
		t.Errorf("events:\n%s\nwant:\n%s", got, join(want))
	}
	// The new directories are watched now.
	write(t, dir, "a/b/c/five.go", "x")
	write(t, dir, "a/b/c/one.go", "changed")
	if got, want := join(h.settle()), "changed a/b/c/one.go\ncreated a/b/c/five.go"; got != want {
		t.Errorf("events after:\n%s\nwant:\n%s", got, want)
	}
}

func TestDeletingAWatchedDirectory(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "pkg/sub/x.go", "x")
	write(t, dir, "pkg/y.go", "y")
	write(t, dir, "keep.go", "k")
	h := start(t, dir, Options{Debounce: steady})
	must(t, os.RemoveAll(filepath.Join(dir, "pkg")))
	want := []string{"deleted pkg", "deleted pkg/sub", "deleted pkg/sub/x.go", "deleted pkg/y.go"}
	if got := join(h.settle()); got != join(want) {
		t.Errorf("events:\n%s\nwant:\n%s", got, join(want))
	}
	// A directory made again under the same name is watched afresh.
	write(t, dir, "pkg/z.go", "z")
	if got, want := join(h.settle()), "created pkg\ncreated pkg/z.go"; got != want {
		t.Errorf("events after:\n%s\nwant:\n%s", got, want)
	}
	write(t, dir, "pkg/z.go", "zz")
	if got, want := join(h.settle()), "changed pkg/z.go"; got != want {
		t.Errorf("events after rewrite:\n%s\nwant:\n%s", got, want)
	}
}

func TestBurstOf10000FilesIsOneBatchWithTheRightFinalState(t *testing.T) {
	dir := shmTempDir(t)
	h := start(t, dir, Options{Debounce: time.Second})
	const n = 10000
	var maxGap time.Duration
	last := time.Now()
	for i := 0; i < n; i++ {
		write(t, dir, fmt.Sprintf("d%02d/f%05d.go", i%50, i), "x")
		now := time.Now()
		maxGap = max(maxGap, now.Sub(last))
		last = now
	}
	b := h.next()
	created := map[string]bool{}
	for _, e := range b {
		switch {
		case e.Op == Created && !e.IsDir:
			created[e.Name] = true
		case e.Op == Error && errors.Is(e.Err, ErrOverflow):
			// The kernel queue may overflow under the burst; the rescan
			// still reports every file.
		case e.Op == Created && e.IsDir:
		default:
			t.Errorf("unexpected event %s", e)
		}
	}
	if len(created) != n {
		var errs []string
		for _, e := range b {
			if e.Op == Error {
				errs = append(errs, e.String())
			}
		}
		t.Errorf("one batch reported %d created files, want %d (errors in it: %v; longest pause between two writes %s)", len(created), n, errs, maxGap)
	}
	select {
	case extra := <-h.batches:
		t.Errorf("a second batch of %d events followed the burst: %v", len(extra), extra[0])
	default:
	}
	// The snapshot now matches the disk: a further change is exactly itself.
	write(t, dir, "d07/f00007.go", "changed")
	if got, want := join(h.settle()), "changed d07/f00007.go"; got != want {
		t.Errorf("events after:\n%s\nwant:\n%s", got, want)
	}
}

// TestKernelQueueOverflowIsAnErrorThenARescan overflows the real inotify
// queue: it lowers fs.inotify.max_queued_events (as root) while the watcher
// opens its instance, then keeps the watcher from reading while files are
// created.
func TestKernelQueueOverflowIsAnErrorThenARescan(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("inotify only")
	}
	const sysctl = "/proc/sys/fs/inotify/max_queued_events"
	orig, err := os.ReadFile(sysctl)
	if err != nil {
		t.Skipf("read %s: %v", sysctl, err)
	}
	if err := os.WriteFile(sysctl, []byte("16\n"), 0o644); err != nil {
		t.Skipf("cannot lower %s (needs root): %v", sysctl, err)
	}
	dir := t.TempDir()
	write(t, dir, "first.go", "x")
	write(t, dir, "many/.keep", "") // watched from the start, so its files make events
	w, err := New(dir, Options{})
	// The queue size is fixed when the instance is created: restore at once.
	if rerr := os.WriteFile(sysctl, orig, 0o644); rerr != nil {
		t.Errorf("restore %s: %v", sysctl, rerr)
	}
	if err != nil {
		t.Fatal(err)
	}
	h := run(t, w)
	release := make(chan struct{})
	held := make(chan struct{})
	h.mu.Lock()
	h.hold = func() {
		h.mu.Lock()
		h.hold = nil
		h.mu.Unlock()
		close(held)
		<-release
	}
	h.mu.Unlock()
	write(t, dir, "first.go", "changed")
	<-held // the watcher is inside the callback and reads nothing
	const n = 300
	for i := 0; i < n; i++ {
		write(t, dir, fmt.Sprintf("many/f%03d.go", i), "x")
	}
	close(release)
	var overflow bool
	created := map[string]bool{}
	for _, e := range h.until("many/f299.go") {
		if e.Op == Error && errors.Is(e.Err, ErrOverflow) {
			overflow = true
		}
		if e.Op == Created && !e.IsDir {
			created[e.Name] = true
		}
	}
	if !overflow {
		t.Error("no Error event wrapping ErrOverflow")
	}
	for i := 0; i < n; i++ {
		if name := fmt.Sprintf("many/f%03d.go", i); !created[name] {
			t.Errorf("%s was never reported", name)
		}
	}
	// After the rescan the watcher runs on a fresh instance and is exact.
	write(t, dir, "many/f001.go", "changed")
	if got, want := join(h.settle()), "changed many/f001.go"; got != want {
		t.Errorf("events after:\n%s\nwant:\n%s", got, want)
	}
}

func TestInjectedOverflowIsReportedFirstAndRescans(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "a.go", "a")
	h := start(t, dir, Options{Debounce: steady})
	write(t, dir, "b.go", "b")
	h.w.inject <- fsnotify.ErrEventOverflow
	b := h.until("b.go")
	if len(b) == 0 || b[0].Op != Error || !errors.Is(b[0].Err, ErrOverflow) {
		t.Fatalf("batch %v does not start with an overflow Error", b)
	}
	for _, e := range b[1:] {
		if e.Op == Error {
			t.Errorf("more than one Error in the batch: %v", e)
		}
	}
	write(t, dir, "a.go", "changed")
	if got, want := join(h.settle()), "changed a.go"; got != want {
		t.Errorf("events after the rescan:\n%s\nwant:\n%s", got, want)
	}
}

func TestPolling(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "a.go", "a")
	write(t, dir, "old/x.go", "x")
	h := start(t, dir, Options{Poll: true, PollInterval: 20 * time.Millisecond})
	if !h.w.Polling() {
		t.Fatal("Options.Poll did not make the watcher poll")
	}
	write(t, dir, "a.go", "changed")
	write(t, dir, "new/dir/b.go", "b")
	must(t, os.Rename(filepath.Join(dir, "old"), filepath.Join(dir, "moved")))
	want := []string{"changed a.go", "created new", "created new/dir", "created new/dir/b.go", "renamed old -> moved", "renamed old/x.go -> moved/x.go"}
	if got := join(h.settle()); got != join(want) {
		t.Errorf("events:\n%s\nwant:\n%s", got, join(want))
	}
	must(t, os.RemoveAll(filepath.Join(dir, "new")))
	if got, want := join(h.settle()), "deleted new\ndeleted new/dir\ndeleted new/dir/b.go"; got != want {
		t.Errorf("events after delete:\n%s\nwant:\n%s", got, want)
	}
}

func TestRunningOutOfWatchesFallsBackToPollingWithAWarning(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "a/x.go", "x")
	var warnings []string
	w, err := New(dir, Options{Poll: true, PollInterval: 20 * time.Millisecond})
	must(t, err)
	// Rebuild as a kernel watcher whose second watch fails with ENOSPC,
	// the way inotify_add_watch does past fs.inotify.max_user_watches.
	w.polling = false
	must(t, w.openKernel())
	added := 0
	w.addWatch = func(abs string) error {
		added++
		if added > 1 {
			return fmt.Errorf("add %s: %w", abs, syscall.ENOSPC)
		}
		return w.fsw.Add(abs)
	}
	w.opts.Warn = func(m string) { warnings = append(warnings, m) }
	w.snap = map[string]map[string]entry{".": {}}
	set := map[string]entry{}
	w.scanDir(".", set, true)
	w.apply(nil, set)
	if !w.Polling() {
		t.Fatal("ENOSPC did not switch to polling")
	}
	if len(warnings) != 1 || !strings.Contains(warnings[0], "fs.inotify.max_user_watches") || strings.Contains(warnings[0], "\n") {
		t.Fatalf("warnings = %q, want one line naming fs.inotify.max_user_watches", warnings)
	}
	h := run(t, w)
	write(t, dir, "a/x.go", "changed")
	if got, want := join(h.settle()), "changed a/x.go"; got != want {
		t.Errorf("events:\n%s\nwant:\n%s", got, want)
	}
}

func TestIgnoredPathsMakeNoEvents(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, ".gitignore", "*.log\n/build/\n!keep.log\n")
	write(t, dir, "sub/.gitignore", "gen_*.go\n")
	write(t, dir, ".git/info/exclude", "secret.txt\n")
	write(t, dir, ".git/HEAD", "ref: refs/heads/main\n")
	write(t, dir, ".sprintkit/baseline.json", "{}")
	write(t, dir, "build/out.bin", "x")
	h := start(t, dir, Options{Debounce: steady})
	write(t, dir, "debug.log", "x")
	write(t, dir, "keep.log", "x")
	write(t, dir, "build/out.bin", "y")
	write(t, dir, "build/more/deep.go", "y")
	write(t, dir, "sub/gen_x.go", "x")
	write(t, dir, "sub/real.go", "x")
	write(t, dir, "sub/build/not-root.go", "x") // /build/ is anchored to the root
	write(t, dir, "secret.txt", "x")
	write(t, dir, ".git/HEAD", "ref: refs/heads/other\n")
	write(t, dir, ".git/objects/ab/cdef", "x")
	write(t, dir, ".sprintkit/baseline.json", "{\"x\":1}")
	want := []string{"created keep.log", "created sub/build", "created sub/build/not-root.go", "created sub/real.go"}
	if got := join(h.settle()); got != join(want) {
		t.Errorf("events:\n%s\nwant:\n%s", got, join(want))
	}
}

func TestChangingAGitignoreTakesEffectSilently(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "tmp/a.txt", "a")
	write(t, dir, "b.log", "b")
	write(t, dir, ".gitignore", "*.log\n")
	h := start(t, dir, Options{Patterns: []string{"*.txt", "*.log", "zz-*"}})
	// Ignore tmp/, stop ignoring *.log: neither is a change of the files.
	write(t, dir, ".gitignore", "tmp/\n")
	if got := join(h.settle()); got != "" {
		t.Errorf("a .gitignore change produced events:\n%s", got)
	}
	write(t, dir, "tmp/a.txt", "changed")
	write(t, dir, "b.log", "changed")
	if got, want := join(h.settle()), "changed b.log"; got != want {
		t.Errorf("events:\n%s\nwant:\n%s", got, want)
	}
}

func TestFilters(t *testing.T) {
	tests := []struct {
		name string
		opts Options
		want []string
	}{
		{"name patterns keep only matching names", Options{Patterns: []string{"*.go", "go.mod", "zz-*"}},
			[]string{"changed go.mod", "created new.go", "deleted old.go"}},
		{"an event kind filter keeps only those kinds", Options{Ops: Created | Changed},
			[]string{"changed go.mod", "changed readme.txt", "created new.go", "created notes.txt"}},
		{"both filters combine", Options{Patterns: []string{"*.go", "zz-*"}, Ops: Deleted | Changed},
			[]string{"deleted old.go"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			write(t, dir, "old.go", "x")
			write(t, dir, "go.mod", "module x\n")
			write(t, dir, "readme.txt", "x")
			marker := "zz-marker"
			write(t, dir, marker, "m")
			h := start(t, dir, tt.opts)
			must(t, os.Remove(filepath.Join(dir, "old.go")))
			write(t, dir, "new.go", "x")
			write(t, dir, "go.mod", "module y\n")
			write(t, dir, "notes.txt", "x")
			write(t, dir, "readme.txt", "changed")
			var got []string
			write(t, dir, marker, "changed") // a Changed marks the end
			for _, e := range h.until(marker) {
				if e.Name != marker {
					got = append(got, e.String())
				}
			}
			sort.Strings(got)
			if join(got) != join(tt.want) {
				t.Errorf("events:\n%s\nwant:\n%s", join(got), join(tt.want))
			}
		})
	}
}

func TestNoDebounceDeliversEachEventAtOnce(t *testing.T) {
	dir := t.TempDir()
	h := start(t, dir, Options{Debounce: NoDebounce})
	write(t, dir, "a.go", "x")
	b := h.next()
	if len(b) == 0 || b[0].Name != "a.go" {
		t.Fatalf("first batch %v, want a.go first", b)
	}
}

func TestStoppingLeavesNoGoroutines(t *testing.T) {
	before := runtime.NumGoroutine()
	for i := 0; i < 3; i++ {
		dir := t.TempDir()
		write(t, dir, "a/b.go", "x")
		h := start(t, dir, Options{Debounce: steady})
		write(t, dir, "a/c.go", "x")
		h.settle()
		h.stop()
	}
	// Closed goroutines may take a moment to be reaped; poll, do not time.
	deadline := time.Now().Add(waitLimit)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > before {
		buf := make([]byte, 1<<16)
		t.Errorf("%d goroutines before, %d after stopping:\n%s", before, n, buf[:runtime.Stack(buf, true)])
	}
}

func TestNewRejectsWhatItCannotWatch(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "file", "x")
	for _, p := range []string{filepath.Join(dir, "missing"), filepath.Join(dir, "file")} {
		if _, err := New(p, Options{}); err == nil || !strings.Contains(err.Error(), p) {
			t.Errorf("New(%s) = %v, want an error naming the path", p, err)
		}
	}
}

func TestTypeAndModeChanges(t *testing.T) {
	tests := []struct {
		name   string
		before []string
		act    func(t *testing.T, dir string)
		want   []string
	}{
		{"a chmod alone is a Changed", []string{"run.sh"}, func(t *testing.T, dir string) {
			must(t, os.Chmod(filepath.Join(dir, "run.sh"), 0o755))
		}, []string{"changed run.sh"}},
		{"a touch that changes only the time is a Changed", []string{"a.go"}, func(t *testing.T, dir string) {
			later := time.Now().Add(time.Hour)
			must(t, os.Chtimes(filepath.Join(dir, "a.go"), later, later))
		}, []string{"changed a.go"}},
		{"a file replaced by a directory of the same name is a Changed and the directory's entries are Created", []string{"x"}, func(t *testing.T, dir string) {
			must(t, os.Remove(filepath.Join(dir, "x")))
			write(t, dir, "x/inner.go", "x")
		}, []string{"changed x", "created x/inner.go"}},
		{"a symbolic link is reported, not followed", nil, func(t *testing.T, dir string) {
			must(t, os.Symlink(t.TempDir(), filepath.Join(dir, "link")))
		}, []string{"created link"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			for _, f := range tt.before {
				write(t, dir, f, "x")
			}
			h := start(t, dir, Options{Debounce: steady})
			tt.act(t, dir)
			if got, want := join(h.settle()), join(tt.want); got != want {
				t.Errorf("events:\n%s\nwant:\n%s", got, want)
			}
		})
	}
}

func TestAStreamThatNeverGoesQuietIsDeliveredAfterMaxDelay(t *testing.T) {
	dir := t.TempDir()
	h := start(t, dir, Options{Debounce: 200 * time.Millisecond, MaxDelay: 300 * time.Millisecond})
	stop := make(chan struct{})
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			os.WriteFile(filepath.Join(dir, "busy.log"), []byte(fmt.Sprint(i)), 0o644)
			time.Sleep(5 * time.Millisecond)
		}
	}()
	write(t, dir, "saved.go", "x")
	// The writer never pauses for the debounce period; the batch with
	// saved.go comes anyway.
	var got []Event
	for !strings.Contains(fmt.Sprint(got), "saved.go") {
		got = append(got, h.next()...)
	}
	close(stop)
	<-stopped
}
