package watcher

import (
	"context"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"
)

// waitLimit bounds how long a test waits for an event that should come; it
// is a safety net against hangs, not a timing assertion.
const waitLimit = 20 * time.Second

// harness runs a Watcher on a directory and records its batches.
type harness struct {
	t       *testing.T
	dir     string
	w       *Watcher
	batches chan []Event
	cancel  context.CancelFunc
	done    chan struct{}
	// hold, when set, is called inside the callback; tests use it to keep
	// the watcher from reading events.
	mu   sync.Mutex
	hold func()
}

func start(t *testing.T, dir string, opts Options) *harness {
	t.Helper()
	w, err := New(dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	return run(t, w)
}

func run(t *testing.T, w *Watcher) *harness {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	h := &harness{t: t, dir: w.Root(), w: w, batches: make(chan []Event, 1024), cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(h.done)
		if err := w.Run(ctx, func(b []Event) {
			h.mu.Lock()
			hold := h.hold
			h.mu.Unlock()
			if hold != nil {
				hold()
			}
			h.batches <- b
		}); err != nil {
			t.Errorf("Run: %v", err)
		}
	}()
	t.Cleanup(h.stop)
	return h
}

func (h *harness) stop() {
	h.cancel()
	<-h.done
}

// next returns the next batch.
func (h *harness) next() []Event {
	h.t.Helper()
	select {
	case b := <-h.batches:
		return b
	case <-time.After(waitLimit):
		h.t.Fatalf("no batch of events within %s", waitLimit)
		return nil
	}
}

// until collects batches until one holds an event on name (slash path
// relative to the root), and returns every event before that marker plus
// the marker's batch.
func (h *harness) until(name string) []Event {
	h.t.Helper()
	var all []Event
	for {
		b := h.next()
		all = append(all, b...)
		for _, e := range b {
			if e.Name == name {
				return all
			}
		}
	}
}

// settle writes a marker file and returns every event up to it, without the
// marker's own events: all that the changes made before it produced.
func (h *harness) settle() []string {
	h.t.Helper()
	marker := "zz-marker-" + time.Now().Format("150405.000000000")
	write(h.t, h.dir, marker, "m")
	var out []string
	for _, e := range h.until(marker) {
		if e.Name != marker {
			out = append(out, e.String())
		}
	}
	sort.Strings(out)
	return out
}

func write(t *testing.T, dir, name, data string) {
	t.Helper()
	p := filepath.Join(dir, filepath.FromSlash(name))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func join(s []string) string { return strings.Join(s, "\n") }

// shmTempDir is a temporary directory on tmpfs when /dev/shm exists, for
// tests that create many files and should not wait on disk writeback.
func shmTempDir(t *testing.T) string {
	t.Helper()
	if fi, err := os.Stat("/dev/shm"); err == nil && fi.IsDir() {
		d, err := os.MkdirTemp("/dev/shm", "watcher-test-")
		if err == nil {
			t.Cleanup(func() { os.RemoveAll(d) })
			return d
		}
	}
	return t.TempDir()
}

// steady is the debounce of tests whose changes take several system calls:
// long enough that a busy machine does not split one change over two
// batches. Debounce is configuration, not a timing assertion.
const steady = 250 * time.Millisecond
