//go:build linux

package copier

import (
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// fixedTime is a modification time with nanoseconds, to check they survive.
var fixedTime = time.Unix(1234567890, 123456789)

// makeTree builds a source tree holding every kind of entry the copier
// handles, and returns whether user.* xattrs were set on it.
func makeTree(t *testing.T, root string) (xattrs bool) {
	t.Helper()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	write := func(rel string, data []byte, mode os.FileMode) {
		t.Helper()
		p := filepath.Join(root, rel)
		must(os.MkdirAll(filepath.Dir(p), 0o755))
		must(os.WriteFile(p, data, mode))
		must(os.Chmod(p, mode))
	}
	must(os.MkdirAll(root, 0o755))
	write("README.md", []byte("# hello\n"), 0o644)
	write("empty.txt", nil, 0o644)
	write("bin/run.sh", []byte("#!/bin/sh\necho run\n"), 0o755)
	write("secret/key", []byte("private"), 0o600)
	write("readonly.txt", []byte("do not touch"), 0o444)
	write("setuid-tool", []byte("suid"), os.ModeSetuid|0o755)
	write("dir with spaces/ünïcödé.txt", []byte("names"), 0o644)
	write("a/b/c/d/deep.go", []byte("package d\n"), 0o644)
	big := bytes.Repeat([]byte("0123456789abcdef"), (3<<20)/16+7) // over the batch size
	write("big/blob.bin", big, 0o644)
	for i := 0; i < 150; i++ { // more than one batch in a directory
		write(fmt.Sprintf("many/f%03d.txt", i), []byte(strings.Repeat("x", i)), 0o644)
	}
	must(os.MkdirAll(filepath.Join(root, "empty-dir"), 0o755))
	must(os.MkdirAll(filepath.Join(root, "private-dir"), 0o700))
	write("ro-dir/inside.txt", []byte("inside a read-only directory"), 0o644)

	// Symlinks: relative, absolute, dangling, to a directory, a loop.
	must(os.Symlink("README.md", filepath.Join(root, "link-to-readme")))
	must(os.Symlink("/etc/hostname-does-not-matter", filepath.Join(root, "abs-link")))
	must(os.Symlink("missing/target", filepath.Join(root, "dangling")))
	must(os.Symlink("a/b", filepath.Join(root, "link-to-dir")))
	must(os.Symlink("loop2", filepath.Join(root, "loop1")))
	must(os.Symlink("loop1", filepath.Join(root, "loop2")))
	must(os.Symlink("..", filepath.Join(root, "a", "up")))

	// Hard links: three names of one file in different directories.
	write("hard/one", []byte("shared content"), 0o640)
	must(os.Link(filepath.Join(root, "hard/one"), filepath.Join(root, "hard/two")))
	must(os.Link(filepath.Join(root, "hard/one"), filepath.Join(root, "a/three")))

	// A sparse file: 8 MiB with 4 KiB of data in the middle.
	f, err := os.Create(filepath.Join(root, "sparse.img"))
	must(err)
	must(f.Truncate(8 << 20))
	_, err = f.WriteAt(bytes.Repeat([]byte{7}, 4096), 4<<20)
	must(err)
	must(f.Close())

	// A fifo: reported and skipped.
	must(unix.Mkfifo(filepath.Join(root, "a/fifo"), 0o644))

	// Extended attributes, when the filesystem takes them.
	if unix.Setxattr(filepath.Join(root, "README.md"), "user.origin", []byte("sprint"), 0) == nil {
		xattrs = true
		must(unix.Setxattr(filepath.Join(root, "a"), "user.dirattr", []byte("on a directory"), 0))
		must(unix.Setxattr(filepath.Join(root, "big/blob.bin"), "user.checksum", []byte("abc"), 0))
	}

	// Times with nanoseconds everywhere, directories last.
	var dirs []string
	must(filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			dirs = append(dirs, p)
			return nil
		}
		ts := []unix.Timespec{unix.NsecToTimespec(fixedTime.UnixNano()), unix.NsecToTimespec(fixedTime.UnixNano() + int64(len(p)))}
		return unix.UtimesNanoAt(unix.AT_FDCWD, p, ts, unix.AT_SYMLINK_NOFOLLOW)
	}))
	must(os.Chmod(filepath.Join(root, "ro-dir"), 0o555))
	for i := len(dirs) - 1; i >= 0; i-- {
		ns := fixedTime.UnixNano() - int64(i)*1000003
		must(unix.UtimesNanoAt(unix.AT_FDCWD, dirs[i], []unix.Timespec{unix.NsecToTimespec(ns), unix.NsecToTimespec(ns)}, unix.AT_SYMLINK_NOFOLLOW))
	}
	return xattrs
}

// entryInfo is what the comparison looks at for one entry.
type entryInfo struct {
	mode   os.FileMode
	mtime  int64
	size   int64
	blocks int64
	ino    uint64
	target string
	data   []byte
	xattrs map[string]string
}

func scan(t *testing.T, root string) map[string]entryInfo {
	t.Helper()
	out := map[string]entryInfo{}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		var st unix.Stat_t
		if err := unix.Lstat(p, &st); err != nil {
			return err
		}
		fi, err := os.Lstat(p)
		if err != nil {
			return err
		}
		ei := entryInfo{mode: fi.Mode(), mtime: st.Mtim.Nano(), size: st.Size, blocks: st.Blocks, ino: st.Ino}
		switch {
		case fi.Mode().IsRegular():
			ei.data, err = os.ReadFile(p)
			if err != nil {
				return err
			}
		case fi.Mode()&fs.ModeSymlink != 0:
			ei.target, _ = os.Readlink(p)
		}
		if fi.Mode()&fs.ModeSymlink == 0 {
			ei.xattrs = userXattrs(p)
		}
		if rel == "." {
			ei.mtime = 0 // the roots' own times are compared separately
		}
		out[rel] = ei
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func userXattrs(p string) map[string]string {
	buf := make([]byte, 4096)
	n, err := unix.Llistxattr(p, buf)
	if err != nil || n == 0 {
		return nil
	}
	m := map[string]string{}
	for _, name := range strings.Split(string(buf[:n]), "\x00") {
		if !strings.HasPrefix(name, "user.") {
			continue
		}
		v := make([]byte, 4096)
		k, err := unix.Lgetxattr(p, name, v)
		if err == nil {
			m[name] = string(v[:k])
		}
	}
	return m
}

// compareTrees fails the test unless dst is a faithful copy of src: same
// entries (special files excepted), types, permission bits, modification
// times to the nanosecond, contents, link targets, hard links sharing an
// inode, sparse files no bigger on disk, user.* xattrs.
func compareTrees(t *testing.T, src, dst string) {
	t.Helper()
	s, d := scan(t, src), scan(t, dst)
	var names []string
	for n := range s {
		names = append(names, n)
	}
	sort.Strings(names)
	srcGroups := map[uint64][]string{}
	for _, n := range names {
		se := s[n]
		if se.mode&(fs.ModeNamedPipe|fs.ModeSocket|fs.ModeDevice|fs.ModeCharDevice) != 0 {
			if _, ok := d[n]; ok {
				t.Errorf("%s: special file was copied", n)
			}
			continue
		}
		de, ok := d[n]
		if !ok {
			t.Errorf("%s: missing from the copy", n)
			continue
		}
		if se.mode != de.mode {
			t.Errorf("%s: mode %v, want %v", n, de.mode, se.mode)
		}
		if se.mtime != de.mtime {
			t.Errorf("%s: mtime %d, want %d", n, de.mtime, se.mtime)
		}
		if !bytes.Equal(se.data, de.data) {
			t.Errorf("%s: content differs (%d bytes, want %d)", n, len(de.data), len(se.data))
		}
		if se.target != de.target {
			t.Errorf("%s: link target %q, want %q", n, de.target, se.target)
		}
		if se.mode.IsRegular() && se.size > 1<<20 && se.blocks*512 < se.size && de.blocks > se.blocks+64 {
			t.Errorf("%s: sparse file takes %d blocks, the source %d", n, de.blocks, se.blocks)
		}
		if fmt.Sprint(se.xattrs) != fmt.Sprint(de.xattrs) {
			t.Errorf("%s: xattrs %v, want %v", n, de.xattrs, se.xattrs)
		}
		if se.mode.IsRegular() {
			srcGroups[se.ino] = append(srcGroups[se.ino], n)
		}
	}
	for n := range d {
		if _, ok := s[n]; !ok {
			t.Errorf("%s: in the copy but not in the source", n)
		}
	}
	for _, g := range srcGroups {
		for _, n := range g[1:] {
			if d[n].ino != d[g[0]].ino {
				t.Errorf("%s and %s: hard links in the source, separate files in the copy", g[0], n)
			}
		}
	}
	var ss, ds unix.Stat_t
	if err := unix.Stat(src, &ss); err != nil {
		t.Fatal(err)
	}
	if err := unix.Stat(dst, &ds); err != nil {
		t.Fatal(err)
	}
	if ss.Mtim != ds.Mtim || ss.Mode != ds.Mode {
		t.Errorf("root: mode %o mtime %v, want %o %v", ds.Mode, ds.Mtim, ss.Mode, ss.Mtim)
	}
}

// noTemporaries fails the test if any copier temporary is left under root.
func noTemporaries(t *testing.T, root string) {
	t.Helper()
	_ = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err == nil && IsTempName(d.Name()) {
			t.Errorf("temporary left behind: %s", p)
		}
		return nil
	})
}

// noPartialFiles fails the test if a regular file of dst differs from the
// source file of the same name: an interrupted copy may lack files, but what
// is there under a final name must be complete.
func noPartialFiles(t *testing.T, src, dst string) {
	t.Helper()
	_ = filepath.WalkDir(dst, func(p string, d fs.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return nil
		}
		rel, _ := filepath.Rel(dst, p)
		want, err1 := os.ReadFile(filepath.Join(src, rel))
		got, err2 := os.ReadFile(p)
		if err1 != nil || err2 != nil || !bytes.Equal(want, got) {
			t.Errorf("%s: under its final name but not a complete copy (%d of %d bytes)", rel, len(got), len(want))
		}
		return nil
	})
}

func isRoot() bool { return syscall.Geteuid() == 0 }
