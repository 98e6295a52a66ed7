//go:build linux

package copier

import (
	"context"
	"errors"
	"io/fs"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/sprintkit/sprintkit/internal/testkit"
)

// tempDir is t.TempDir that can also be removed when the test left
// read-only directories in it.
func tempDir(t *testing.T) string {
	t.Helper()
	d := t.TempDir()
	t.Cleanup(func() {
		_ = filepath.WalkDir(d, func(p string, e fs.DirEntry, err error) error {
			if err == nil && e.IsDir() {
				_ = os.Chmod(p, 0o755)
			}
			return nil
		})
	})
	return d
}

// recorder collects events.
type recorder struct {
	mu     sync.Mutex
	events []Event
}

func (r *recorder) on(ev Event) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, ev)
}

func (r *recorder) paths(k EventKind) []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for _, ev := range r.events {
		if ev.Kind == k {
			out = append(out, ev.Path)
		}
	}
	sort.Strings(out)
	return out
}

func TestCopyKeepsEveryKindOfEntry(t *testing.T) {
	for _, tc := range []struct {
		name      string
		workers   int
		tempNames bool
		procLink  bool
	}{
		{"one worker", 1, false, false},
		{"eight workers", 8, false, false},
		{"eight workers with temporary names instead of unnamed files", 8, true, false},
		{"eight workers linking unnamed files through /proc/self/fd, as where linkat(AT_EMPTY_PATH) is refused", 8, false, true},
	} {
		workers := tc.workers
		t.Run(tc.name, func(t *testing.T) {
			testForceTempNames, testLinkThroughProc = tc.tempNames, tc.procLink
			defer func() { testForceTempNames, testLinkThroughProc = false, false }()
			base := tempDir(t)
			src, dst := filepath.Join(base, "src"), filepath.Join(base, "out", "dst")
			xattrs := makeTree(t, src)
			if !xattrs {
				t.Log("user.* xattrs are not supported here; not checked")
			}
			var rec recorder
			st, err := Copy(context.Background(), src, dst, Options{Workers: workers, OnEvent: rec.on})
			if err != nil {
				t.Fatalf("Copy: %v", err)
			}
			compareTrees(t, src, dst)
			noTemporaries(t, dst)
			if got := rec.paths(EventSpecial); len(got) != 1 || got[0] != "a/fifo" {
				t.Errorf("special events %v, want [a/fifo]", got)
			}
			if st.Hardlinks != 2 {
				t.Errorf("Hardlinks = %d, want 2 (three names of one file)", st.Hardlinks)
			}
			if st.Symlinks != 7 {
				t.Errorf("Symlinks = %d, want 7", st.Symlinks)
			}
			if st.Specials != 1 || st.Errors != 0 || st.Skipped != 0 {
				t.Errorf("stats %+v: want 1 special, no errors, nothing skipped", st)
			}
		})
	}
}

func TestCopyAsRootKeepsOwnership(t *testing.T) {
	if !isRoot() {
		t.Skip("ownership is only kept when running as root")
	}
	base := tempDir(t)
	src, dst := filepath.Join(base, "src"), filepath.Join(base, "dst")
	if err := os.MkdirAll(filepath.Join(src, "owned-dir"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(src, "owned-dir", "f"), []byte("x"), os.ModeSetuid|0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(filepath.Join(src, "owned-dir", "f"), os.ModeSetuid|0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("f", filepath.Join(src, "owned-dir", "l")); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"owned-dir", "owned-dir/f"} {
		if err := os.Chown(filepath.Join(src, p), 1234, 5678); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Chmod(filepath.Join(src, "owned-dir", "f"), os.ModeSetuid|0o755); err != nil { // chown cleared it
		t.Fatal(err)
	}
	if err := os.Lchown(filepath.Join(src, "owned-dir", "l"), 4321, 8765); err != nil {
		t.Fatal(err)
	}
	if _, err := Copy(context.Background(), src, dst, Options{}); err != nil {
		t.Fatal(err)
	}
	for p, want := range map[string][2]uint32{"owned-dir": {1234, 5678}, "owned-dir/f": {1234, 5678}, "owned-dir/l": {4321, 8765}} {
		var st unix.Stat_t
		if err := unix.Lstat(filepath.Join(dst, p), &st); err != nil {
			t.Fatal(err)
		}
		if st.Uid != want[0] || st.Gid != want[1] {
			t.Errorf("%s: owner %d:%d, want %d:%d", p, st.Uid, st.Gid, want[0], want[1])
		}
	}
	fi, err := os.Stat(filepath.Join(dst, "owned-dir", "f"))
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode()&fs.ModeSetuid == 0 {
		t.Errorf("setuid bit lost after chown: %v", fi.Mode())
	}
}

func TestCopyIsIncremental(t *testing.T) {
	base := tempDir(t)
	src, dst := filepath.Join(base, "src"), filepath.Join(base, "dst")
	makeTree(t, src)
	first, err := Copy(context.Background(), src, dst, Options{})
	if err != nil {
		t.Fatal(err)
	}

	t.Run("an unchanged tree copies nothing", func(t *testing.T) {
		var rec recorder
		st, err := Copy(context.Background(), src, dst, Options{OnEvent: rec.on})
		if err != nil {
			t.Fatal(err)
		}
		if st.Files != 0 || st.Symlinks != 0 || st.Hardlinks != 0 {
			t.Errorf("stats %+v: want nothing copied", st)
		}
		if want := first.Files + first.Symlinks + first.Hardlinks; st.Skipped != want {
			t.Errorf("Skipped = %d, want %d", st.Skipped, want)
		}
		compareTrees(t, src, dst)
	})

	t.Run("a file with a new mtime is copied again, alone", func(t *testing.T) {
		p := filepath.Join(src, "many", "f010.txt")
		if err := os.WriteFile(p, []byte("changed!!!"), 0o644); err != nil { // same size, new mtime
			t.Fatal(err)
		}
		var rec recorder
		st, err := Copy(context.Background(), src, dst, Options{OnEvent: rec.on})
		if err != nil {
			t.Fatal(err)
		}
		if got := rec.paths(EventCopied); !equal(got, []string{"many/f010.txt"}) {
			t.Errorf("copied %v, want only many/f010.txt", got)
		}
		if st.Files != 1 {
			t.Errorf("Files = %d, want 1", st.Files)
		}
		compareTrees(t, src, dst)
	})

	t.Run("with Checksum, same size and mtime but new content is copied", func(t *testing.T) {
		p := filepath.Join(dst, "many", "f020.txt")
		fi, _ := os.Stat(p)
		if err := os.WriteFile(p, []byte(strings.Repeat("y", 20)), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(p, fi.ModTime(), fi.ModTime()); err != nil {
			t.Fatal(err)
		}
		st, err := Copy(context.Background(), src, dst, Options{})
		if err != nil || st.Files != 0 {
			t.Fatalf("without Checksum: %v, %d files copied; want the change unseen", err, st.Files)
		}
		var rec recorder
		st, err = Copy(context.Background(), src, dst, Options{Checksum: true, OnEvent: rec.on})
		if err != nil {
			t.Fatal(err)
		}
		if got := rec.paths(EventCopied); !equal(got, []string{"many/f020.txt"}) {
			t.Errorf("copied %v, want only many/f020.txt", got)
		}
		compareTrees(t, src, dst)
	})

	t.Run("with Checksum, same content and a new mtime only fixes the mtime", func(t *testing.T) {
		p := filepath.Join(dst, "many", "f030.txt")
		if err := os.Chtimes(p, fixedTime, fixedTime.Add(1e9)); err != nil {
			t.Fatal(err)
		}
		var rec recorder
		st, err := Copy(context.Background(), src, dst, Options{Checksum: true, OnEvent: rec.on})
		if err != nil {
			t.Fatal(err)
		}
		if st.Files != 0 {
			t.Errorf("copied %v, want nothing", rec.paths(EventCopied))
		}
		compareTrees(t, src, dst)
	})

	t.Run("a changed mode and a retargeted symlink are brought in line", func(t *testing.T) {
		if err := os.Chmod(filepath.Join(dst, "README.md"), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Remove(filepath.Join(dst, "link-to-readme")); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink("elsewhere", filepath.Join(dst, "link-to-readme")); err != nil {
			t.Fatal(err)
		}
		if _, err := Copy(context.Background(), src, dst, Options{}); err != nil {
			t.Fatal(err)
		}
		compareTrees(t, src, dst)
	})
}

func TestCopyReplacesEntriesOfAnotherType(t *testing.T) {
	base := tempDir(t)
	src, dst, outside := filepath.Join(base, "src"), filepath.Join(base, "dst"), filepath.Join(base, "outside")
	writeFiles(t, base, map[string]string{
		"src/was-dir":        "a file where dst has an empty directory",
		"src/was-file/x/f":   "a directory where dst has a file",
		"src/was-link/y/f":   "a directory where dst has a symlink to a directory",
		"src/plain-was-link": "a file where dst has a symlink to a file",
		"dst/was-file":       "old",
		"outside/precious":   "must survive",
	})
	if err := os.MkdirAll(filepath.Join(dst, "was-dir"), 0o755); err != nil { // a non-empty one: TestTypeConflictsAreRefused
		t.Fatal(err)
	}
	// Symlinks in the destination must be replaced, never followed.
	if err := os.Symlink(outside, filepath.Join(dst, "was-link")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(outside, "precious"), filepath.Join(dst, "plain-was-link")); err != nil {
		t.Fatal(err)
	}
	if _, err := Copy(context.Background(), src, dst, Options{}); err != nil {
		t.Fatal(err)
	}
	compareTrees(t, src, dst)
	if entries, _ := os.ReadDir(outside); len(entries) != 1 {
		t.Errorf("the directory outside has %d entries, want only its own file", len(entries))
	}
	if b, _ := os.ReadFile(filepath.Join(outside, "precious")); string(b) != "must survive" {
		t.Errorf("a file outside the destination was overwritten through a symlink: %q", b)
	}
}

// writeFiles creates each file (relative to base) with its content.
func writeFiles(t *testing.T, base string, files map[string]string) {
	t.Helper()
	for p, c := range files {
		if err := os.MkdirAll(filepath.Dir(filepath.Join(base, p)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(base, p), []byte(c), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func TestCopyDelete(t *testing.T) {
	base := tempDir(t)
	src, dst := filepath.Join(base, "src"), filepath.Join(base, "dst")
	for p, c := range map[string]string{"src/keep.txt": "k", "src/sub/keep.go": "k", "dst/extra.txt": "x", "dst/sub/extra/deep.txt": "x", "dst/cache.pyc": "excluded, so kept"} {
		if err := os.MkdirAll(filepath.Dir(filepath.Join(base, p)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(base, p), []byte(c), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	t.Run("without Delete extra entries stay", func(t *testing.T) {
		st, err := Copy(context.Background(), src, dst, Options{Exclude: []string{"*.pyc"}})
		if err != nil {
			t.Fatal(err)
		}
		if st.Deleted != 0 {
			t.Errorf("Deleted = %d, want 0", st.Deleted)
		}
		if _, err := os.Stat(filepath.Join(dst, "extra.txt")); err != nil {
			t.Error(err)
		}
	})
	t.Run("a dry run lists what would be deleted and deletes nothing", func(t *testing.T) {
		var rec recorder
		if _, err := Copy(context.Background(), src, dst, Options{Delete: true, DryRun: true, Exclude: []string{"*.pyc"}, OnEvent: rec.on}); err != nil {
			t.Fatal(err)
		}
		if got := rec.paths(EventDeleted); !equal(got, []string{"extra.txt", "sub/extra"}) {
			t.Errorf("would delete %v", got)
		}
		if _, err := os.Stat(filepath.Join(dst, "extra.txt")); err != nil {
			t.Error(err)
		}
	})
	t.Run("Delete removes what the source lacks, but not excluded names", func(t *testing.T) {
		var rec recorder
		st, err := Copy(context.Background(), src, dst, Options{Delete: true, Exclude: []string{"*.pyc"}, OnEvent: rec.on})
		if err != nil {
			t.Fatal(err)
		}
		if got := rec.paths(EventDeleted); !equal(got, []string{"extra.txt", "sub/extra"}) || st.Deleted != 2 {
			t.Errorf("deleted %v (%d)", got, st.Deleted)
		}
		for _, p := range []string{"extra.txt", "sub/extra"} {
			if _, err := os.Lstat(filepath.Join(dst, p)); !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("%s still there: %v", p, err)
			}
		}
		if _, err := os.Stat(filepath.Join(dst, "cache.pyc")); err != nil {
			t.Errorf("excluded file deleted: %v", err)
		}
	})
}

func TestCopyExclude(t *testing.T) {
	base := tempDir(t)
	src := filepath.Join(base, "src")
	for _, p := range []string{"a.py", "a.pyc", "sub/b.pyc", "node_modules/x/y.js", "sub/node_modules/z.js", "node_modules.txt",
		"build/out/o.bin", "sub/build/out/kept.bin", "docs/img/p.png", "docs/deep/er/q.png", "docs/r.md"} {
		if err := os.MkdirAll(filepath.Dir(filepath.Join(src, p)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(src, p), []byte(p), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	var rec recorder
	dst := filepath.Join(base, "dst")
	_, err := Copy(context.Background(), src, dst, Options{
		Exclude: []string{"*.pyc", "node_modules/", "build/out", "docs/**/*.png"},
		OnEvent: rec.on,
	})
	if err != nil {
		t.Fatal(err)
	}
	var files []string
	for _, ev := range rec.events {
		if ev.Type == "file" {
			files = append(files, ev.Path)
		}
	}
	sort.Strings(files)
	want := []string{"a.py", "docs/r.md", "node_modules.txt", "sub/build/out/kept.bin"}
	if !equal(files, want) {
		t.Errorf("copied %v, want %v", files, want)
	}
	if _, err := os.Stat(filepath.Join(dst, "node_modules")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("an excluded directory was created: %v", err)
	}
}

func TestExcludePatterns(t *testing.T) {
	tests := []struct {
		name    string
		pattern string
		rel     string
		isDir   bool
		want    bool
	}{
		{"a name pattern matches at any depth", "*.pyc", "a/b/c.pyc", false, true},
		{"a name pattern does not match a part of a name", "*.pyc", "a/b/c.pyc.txt", false, false},
		{"a trailing slash matches directories", "node_modules/", "web/node_modules", true, true},
		{"a trailing slash does not match files", "node_modules/", "web/node_modules", false, false},
		{"a pattern with a slash is anchored at the root", "build/out", "build/out", true, true},
		{"an anchored pattern does not match deeper", "build/out", "x/build/out", true, false},
		{"a leading slash anchors a name", "/vendor", "vendor", true, true},
		{"a leading slash does not match deeper", "/vendor", "a/vendor", true, false},
		{"double star matches no directory", "docs/**/*.png", "docs/a.png", false, true},
		{"double star matches several directories", "docs/**/*.png", "docs/a/b/c.png", false, true},
		{"a leading double star matches anywhere", "**/testdata", "a/b/testdata", true, true},
		{"question mark and classes work as in path.Match", "file?.[ch]", "src/file1.c", false, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m, err := compileExcludes([]string{tc.pattern})
			if err != nil {
				t.Fatal(err)
			}
			if got := m.excluded(tc.rel, filepath.Base(tc.rel), tc.isDir); got != tc.want {
				t.Errorf("%q on %q (dir %v) = %v, want %v", tc.pattern, tc.rel, tc.isDir, got, tc.want)
			}
		})
	}
	m, err := compileExcludes([]string{"*.log", "!keep.log"})
	if err != nil {
		t.Fatal(err)
	}
	if m.excluded("a/keep.log", "keep.log", false) || !m.excluded("a/x.log", "x.log", false) {
		t.Errorf("a later !pattern does not re-include what an earlier one excluded")
	}
	for _, bad := range []string{"[", "!", "/"} {
		if _, err := compileExcludes([]string{bad}); err == nil {
			t.Errorf("pattern %q accepted, want an error", bad)
		}
	}
}

func TestDryRunChangesNothing(t *testing.T) {
	base := tempDir(t)
	src, dst := filepath.Join(base, "src"), filepath.Join(base, "dst")
	makeTree(t, src)
	var rec recorder
	st, err := Copy(context.Background(), src, dst, Options{DryRun: true, OnEvent: rec.on})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Lstat(dst); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("a dry run created the destination: %v", err)
	}
	if st.Files == 0 || len(rec.paths(EventCopied)) == 0 {
		t.Errorf("a dry run reported nothing to copy: %+v", st)
	}
	if got := rec.paths(EventCopied); !contains(got, "a/b/c/d/deep.go") || !contains(got, "link-to-readme") {
		t.Errorf("dry-run listing lacks entries: %v", got)
	}
}

// TestCancelAtRandomPointsThenRerun cancels the copy after a random number
// of entries, checks that nothing partial or temporary is left, and that a
// second run completes the tree.
func TestCancelAtRandomPointsThenRerun(t *testing.T) {
	base := tempDir(t)
	src := filepath.Join(base, "src")
	makeTree(t, src)
	seed := rand.Uint64()
	t.Logf("seed %d", seed)
	r := rand.New(rand.NewPCG(seed, 0))
	for i := 0; i < 6; i++ {
		stopAfter := 1 + r.IntN(150)
		dst := filepath.Join(base, "dst", string(rune('a'+i)))
		ctx, cancel := context.WithCancel(context.Background())
		var n int
		_, err := Copy(ctx, src, dst, Options{Workers: 1 + r.IntN(8), OnEvent: func(Event) {
			n++
			if n == stopAfter {
				cancel()
			}
		}})
		cancel()
		if n >= stopAfter && !errors.Is(err, context.Canceled) {
			t.Errorf("cancelled after %d entries: err = %v, want context.Canceled", stopAfter, err)
		}
		noTemporaries(t, dst)
		noPartialFiles(t, src, dst)
		if _, err := Copy(context.Background(), src, dst, Options{}); err != nil {
			t.Fatalf("re-run after cancelling at %d: %v", stopAfter, err)
		}
		compareTrees(t, src, dst)
		noTemporaries(t, dst)
	}
}

// TestOwnTemporariesAreRemoved: a run that fails or is cancelled after it
// wrote a file under a temporary name removes it.
func TestOwnTemporariesAreRemoved(t *testing.T) {
	testForceTempNames = true
	defer func() { testForceTempNames = false }()
	base := tempDir(t)
	src := filepath.Join(base, "src")
	writeFiles(t, base, map[string]string{"src/sub/f": "content", "src/g": "other content"})
	t.Run("a file that keeps changing", func(t *testing.T) {
		dst := filepath.Join(base, "dst-changing")
		n := 0
		testHookAfterData = func(rel string) {
			n++
			if err := os.WriteFile(filepath.Join(src, rel), []byte(strings.Repeat("x", n)), 0o644); err != nil {
				t.Error(err)
			}
		}
		defer func() { testHookAfterData = nil }()
		_, err := Copy(context.Background(), src, dst, Options{Workers: 1})
		var fe *FileErrors
		if !errors.As(err, &fe) || fe.Count != 2 || !errors.Is(fe.First[0], ErrChanged) || !errors.Is(fe.First[1], ErrChanged) {
			t.Fatalf("err = %v, want two files that changed during the copy", err)
		}
		noTemporaries(t, dst)
	})
	t.Run("cancelled", func(t *testing.T) {
		dst := filepath.Join(base, "dst-cancelled")
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		testHookAfterData = func(string) { cancel() }
		defer func() { testHookAfterData = nil }()
		if _, err := Copy(ctx, src, dst, Options{Workers: 1}); !errors.Is(err, context.Canceled) {
			t.Fatalf("err = %v, want context.Canceled", err)
		}
		noTemporaries(t, dst)
	})
}

func TestCopyIntoItselfIsRefused(t *testing.T) {
	base := tempDir(t)
	src := filepath.Join(base, "src")
	if err := os.MkdirAll(filepath.Join(src, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(src, "sub"), filepath.Join(base, "alias")); err != nil {
		t.Fatal(err)
	}
	tests := []struct{ name, dst string }{
		{"the source itself", src},
		{"a directory inside the source", filepath.Join(src, "sub", "copy")},
		{"a symlink that leads inside the source", filepath.Join(base, "alias", "new")},
		{"the source spelled with a trailing dot", src + "/."},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Copy(context.Background(), src, tc.dst, Options{})
			if !errors.Is(err, ErrIntoItself) {
				t.Fatalf("err = %v, want ErrIntoItself", err)
			}
		})
	}
	t.Run("a delete into an ancestor of the source", func(t *testing.T) {
		_, err := Copy(context.Background(), filepath.Join(src, "sub"), src, Options{Delete: true})
		if err == nil || !strings.Contains(err.Error(), "would be deleted") {
			t.Fatalf("err = %v, want a refusal", err)
		}
		if _, err := os.Stat(filepath.Join(src, "sub")); err != nil {
			t.Fatal(err)
		}
	})
	if entries, _ := os.ReadDir(filepath.Join(src, "sub")); len(entries) != 0 {
		t.Errorf("something was written inside the source: %v", entries)
	}
}

// TestFileThatVanishes removes a file after the walk listed it and before a
// worker opens it: the error names it, the rest is copied.
func TestFileThatVanishes(t *testing.T) {
	base := tempDir(t)
	src, dst := filepath.Join(base, "src"), filepath.Join(base, "dst")
	for _, p := range []string{"a.txt", "vanish.txt", "sub/c.txt"} {
		if err := os.MkdirAll(filepath.Dir(filepath.Join(src, p)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(src, p), []byte(p), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	testHookBeforeOpen = func(rel string) {
		if rel == "vanish.txt" {
			os.Remove(filepath.Join(src, rel))
		}
	}
	defer func() { testHookBeforeOpen = nil }()
	var rec recorder
	st, err := Copy(context.Background(), src, dst, Options{OnEvent: rec.on})
	var fe *FileErrors
	if !errors.As(err, &fe) || fe.Count != 1 {
		t.Fatalf("err = %v, want one FileErrors", err)
	}
	if !errors.Is(fe.First[0], fs.ErrNotExist) || !strings.Contains(fe.First[0].Error(), "vanish.txt") {
		t.Errorf("error %q does not name the vanished file as missing", fe.First[0])
	}
	if got := rec.paths(EventError); !equal(got, []string{"vanish.txt"}) {
		t.Errorf("error events %v", got)
	}
	if st.Files != 2 || st.Errors != 1 {
		t.Errorf("stats %+v, want 2 files and 1 error", st)
	}
	if _, err := os.Lstat(filepath.Join(dst, "vanish.txt")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("vanished file exists in the copy: %v", err)
	}
	noTemporaries(t, dst)
	noPartialFiles(t, src, dst)
	// The removal changed the source root's mtime after it was read; a
	// second run brings the copy in line.
	if _, err := Copy(context.Background(), src, dst, Options{}); err != nil {
		t.Fatal(err)
	}
	compareTrees(t, src, dst)
}

// TestUnreadableFile copies a tree with a file its user may not read. As
// root every file is readable, so the copy runs in a child process with the
// credentials of nobody (65534).
func TestUnreadableFile(t *testing.T) {
	base := tempDir(t)
	for _, d := range []string{filepath.Dir(base), base} { // nobody must reach it
		if err := os.Chmod(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	src, dst := filepath.Join(base, "src"), filepath.Join(base, "out", "dst")
	if err := os.Mkdir(filepath.Join(base, "out"), 0o755); err != nil {
		t.Fatal(err)
	}
	if isRoot() {
		if err := os.Chown(filepath.Join(base, "out"), 65534, 65534); err != nil {
			t.Fatal(err)
		}
	}
	for _, p := range []string{"ok.txt", "locked.txt", "sub/ok2.txt"} {
		if err := os.MkdirAll(filepath.Dir(filepath.Join(src, p)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(src, p), []byte(p), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Chmod(filepath.Join(src, "locked.txt"), 0); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(src, "locked-dir"), 0); err != nil {
		t.Fatal(err)
	}
	if !isRoot() {
		st, err := Copy(context.Background(), src, dst, Options{})
		checkUnreadable(t, st.Errors, err, dst)
		return
	}
	// Re-run this test binary as nobody, in helper mode.
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(base, "copier.test")
	data, err := os.ReadFile(exe)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(bin, data, 0o755); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "-test.run=^TestHelperCopyAsNobody$", "-test.v")
	// The child runs as nobody: it must not inherit a GOCOVERDIR (set by
	// go test -cover) that only root can write, or it fails on exit.
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "GOCOVERDIR=") {
			env = append(env, kv)
		}
	}
	cmd.Env = append(env, "COPIER_HELPER_SRC="+src, "COPIER_HELPER_DST="+dst)
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
	out, err := cmd.CombinedOutput()
	if err != nil && strings.Contains(err.Error(), "operation not permitted") {
		t.Skipf("cannot drop to uid 65534 here (%v): the unreadable case needs a non-root user", err)
	}
	if err != nil {
		t.Fatalf("helper as nobody: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "--- PASS: TestHelperCopyAsNobody") {
		t.Fatalf("helper did not run its checks:\n%s", out)
	}
	t.Logf("helper as nobody:\n%s", out)
}

func checkUnreadable(t *testing.T, n int64, err error, dst string) {
	t.Helper()
	var fe *FileErrors
	if !errors.As(err, &fe) || fe.Count != 2 || n != 2 {
		t.Fatalf("err = %v, want FileErrors for the locked file and the locked directory", err)
	}
	msgs := fe.First[0].Error() + "\n" + fe.First[1].Error()
	if !strings.Contains(msgs, "locked.txt") || !strings.Contains(msgs, "locked-dir") || !strings.Contains(msgs, "permission denied") {
		t.Errorf("errors do not name the paths and the cause:\n%s", msgs)
	}
	for _, p := range []string{"ok.txt", "sub/ok2.txt"} {
		if _, err := os.Stat(filepath.Join(dst, p)); err != nil {
			t.Errorf("the rest was not copied: %v", err)
		}
	}
	if _, err := os.Lstat(filepath.Join(dst, "locked.txt")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("locked.txt exists in the copy: %v", err)
	}
	noTemporaries(t, dst)
}

// TestHelperCopyAsNobody is TestUnreadableFile's child process.
func TestHelperCopyAsNobody(t *testing.T) {
	src, dst := os.Getenv("COPIER_HELPER_SRC"), os.Getenv("COPIER_HELPER_DST")
	if src == "" {
		t.Skip("helper process for TestUnreadableFile")
	}
	if os.Geteuid() == 0 {
		t.Fatal("helper still root")
	}
	st, err := Copy(context.Background(), src, dst, Options{})
	t.Logf("as uid %d: %+v, %v", os.Geteuid(), st, err)
	checkUnreadable(t, st.Errors, err, dst)
}

// TestFullDestination copies onto a 1 MiB tmpfs: the run stops with ENOSPC,
// nothing partial under a final name, no temporaries.
func TestFullDestination(t *testing.T) {
	base := tempDir(t)
	mnt := filepath.Join(base, "small")
	if err := os.Mkdir(mnt, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := unix.Mount("tmpfs", mnt, "tmpfs", 0, "size=1m"); err != nil {
		testkit.Missing(t, "cannot mount a small tmpfs (%v); needs root or CAP_SYS_ADMIN", err)
	}
	t.Cleanup(func() { _ = unix.Unmount(mnt, unix.MNT_DETACH) })
	src := filepath.Join(base, "src")
	files := map[string]int{"small-1.txt": 10 << 10, "small-2.txt": 20 << 10, "z/big.bin": 3 << 20, "z/other.bin": 600 << 10, "z/third.bin": 600 << 10}
	for p, n := range files {
		if err := os.MkdirAll(filepath.Dir(filepath.Join(src, p)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(src, p), []byte(strings.Repeat("d", n)), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	dst := filepath.Join(mnt, "dst")
	_, err := Copy(context.Background(), src, dst, Options{Workers: 2})
	if !errors.Is(err, syscall.ENOSPC) {
		t.Fatalf("err = %v, want ENOSPC", err)
	}
	if !strings.Contains(err.Error(), "filesystem is full") {
		t.Errorf("error %q does not say the filesystem is full", err)
	}
	noTemporaries(t, dst)
	noPartialFiles(t, src, dst)
	if _, err := os.Lstat(filepath.Join(dst, "z", "big.bin")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("z/big.bin exists on a 1 MiB filesystem: %v", err)
	}
}

func TestProgressReachesTheTotals(t *testing.T) {
	base := tempDir(t)
	src, dst := filepath.Join(base, "src"), filepath.Join(base, "dst")
	makeTree(t, src)
	var last Progress
	var calls int
	st, err := Copy(context.Background(), src, dst, Options{Progress: func(p Progress) { last = p; calls++ }})
	if err != nil {
		t.Fatal(err)
	}
	if calls == 0 || !last.WalkDone || last.Files != last.TotalFiles || last.Bytes != last.TotalBytes {
		t.Errorf("last progress %+v after %d calls: want the walk done and the totals reached", last, calls)
	}
	if last.TotalBytes < st.Bytes {
		t.Errorf("TotalBytes %d < bytes copied %d", last.TotalBytes, st.Bytes)
	}
}

func TestCopyRefusesAFileAsSource(t *testing.T) {
	base := tempDir(t)
	f := filepath.Join(base, "f")
	if err := os.WriteFile(f, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Copy(context.Background(), f, filepath.Join(base, "d"), Options{}); err == nil || !strings.Contains(err.Error(), "not a directory") {
		t.Errorf("err = %v, want a not-a-directory error", err)
	}
	if _, err := Copy(context.Background(), filepath.Join(base, "missing"), filepath.Join(base, "d"), Options{}); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("err = %v, want ErrNotExist", err)
	}
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
