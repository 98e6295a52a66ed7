// Package safefs opens and writes files beneath a root directory without
// ever following a symbolic link on the way, so that nothing a repository
// contains (a committed `.sprintkit` or `.git/info` link, say) can make
// sprintkit write outside the checkout.
//
// The root itself is trusted: it may be reached through symbolic links (as
// /tmp is on macOS). Every path below it is given relative to it, with no
// ".." element, and each of its elements must be a real directory (or, for
// the last one, a real file).
//
// # Linux notes
//
// A directory is opened with openat2(2) and RESOLVE_BENEATH |
// RESOLVE_NO_SYMLINKS, one system call for the whole path, on kernels that
// have it (5.6 and later). When the kernel lacks it (ENOSYS), or the path
// does not exist yet, the path is walked one element at a time with
// openat(O_NOFOLLOW|O_DIRECTORY) and mkdirat, the same walk every Unix
// uses. Either way a directory, once opened, is used through its file
// descriptor: a link swapped in afterwards is never followed.
//
// Elsewhere (Windows) each element is checked with Lstat before it is used,
// which refuses symbolic links and junctions that exist when sprintkit
// looks.
package safefs

import (
	"bufio"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// Error says which element beneath the root is not what sprintkit needs.
type Error struct {
	Root   string // the root, as given
	Path   string // slash-separated, relative to Root
	Kind   string // "symlink", "file" or "other" (not a directory or a regular file)
	Target string // a symlink's target
}

func (e *Error) Error() string {
	switch e.Kind {
	case "symlink":
		return fmt.Sprintf("%s in %s is a symlink to %s", e.Path, e.Root, e.Target)
	case "file":
		return fmt.Sprintf("%s in %s is a file, not a directory", e.Path, e.Root)
	}
	return fmt.Sprintf("%s in %s is neither a directory nor a regular file", e.Path, e.Root)
}

// Dir is a directory beneath a root, reached with no symbolic link on the
// way. Close it when done.
type Dir struct {
	root string
	rel  string // slash-separated; "" for the root itself
	sys  dirSys
}

// Path returns the directory's path (root joined with the relative path).
func (d *Dir) Path() string { return filepath.Join(d.root, filepath.FromSlash(d.rel)) }

// Close releases the directory.
func (d *Dir) Close() error { return d.close() }

// Open opens the existing directory rel beneath root ("" or "." is root).
func Open(root, rel string) (*Dir, error) {
	elems, err := split(root, rel)
	if err != nil {
		return nil, err
	}
	return openDir(root, elems, false, 0)
}

// MkdirAll opens the directory rel beneath root, creating it and any
// missing parent with perm (before umask).
func MkdirAll(root, rel string, perm fs.FileMode) (*Dir, error) {
	elems, err := split(root, rel)
	if err != nil {
		return nil, err
	}
	return openDir(root, elems, true, perm)
}

// split checks rel and returns its elements.
func split(root, rel string) ([]string, error) {
	r := filepath.ToSlash(rel)
	if r == "" || r == "." {
		return nil, nil
	}
	if filepath.IsAbs(rel) || strings.HasPrefix(r, "/") || filepath.VolumeName(rel) != "" {
		return nil, fmt.Errorf("open %s beneath %s: an absolute path", rel, root)
	}
	var elems []string
	for _, e := range strings.Split(r, "/") {
		switch e {
		case "", ".":
			continue
		case "..":
			return nil, fmt.Errorf("open %s beneath %s: a path with \"..\" may leave it", rel, root)
		}
		elems = append(elems, e)
	}
	return elems, nil
}

// checkName accepts a single path element.
func (d *Dir) checkName(name string) error {
	if name == "" || name == "." || name == ".." || strings.ContainsAny(name, `/`+string(filepath.Separator)) {
		return fmt.Errorf("%s: %q is not a name inside it", d.Path(), name)
	}
	return nil
}

// join returns the slash-separated path of name relative to the root.
func (d *Dir) join(name string) string {
	if d.rel == "" {
		return name
	}
	return path.Join(d.rel, name)
}

// OpenFile opens name, an entry of d, with flag and perm like os.OpenFile;
// a symbolic link at name is refused with an *Error, never followed.
func (d *Dir) OpenFile(name string, flag int, perm fs.FileMode) (*os.File, error) {
	if err := d.checkName(name); err != nil {
		return nil, err
	}
	return d.openFile(name, flag, perm)
}

// Lstat returns the FileInfo of name in d without following a link.
func (d *Dir) Lstat(name string) (fs.FileInfo, error) {
	if err := d.checkName(name); err != nil {
		return nil, err
	}
	return d.lstat(name)
}

// WriteFileAtomic writes name in d atomically: write fills a new temporary
// file (a random name created exclusively, so no existing file is ever
// opened), which is synced, given perm and renamed over name only when
// write returned no error. On any error the temporary is removed and name
// is untouched. A symbolic link at name is replaced, not followed.
func (d *Dir) WriteFileAtomic(name string, perm fs.FileMode, write func(w io.Writer) error) (err error) {
	if err := d.checkName(name); err != nil {
		return err
	}
	full := filepath.Join(d.Path(), name)
	var tmpName string
	var tmp *os.File
	for range 10 {
		tmpName = "." + name + ".sprintkit-" + randomHex()
		tmp, err = d.openFile(tmpName, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if err == nil || !os.IsExist(err) {
			break
		}
	}
	if err != nil {
		return fmt.Errorf("write %s: %w", full, err)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			d.remove(tmpName)
		}
	}()
	bw := bufio.NewWriterSize(tmp, 64<<10)
	if err := write(bw); err != nil {
		return fmt.Errorf("write %s: %w", full, err)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write %s: %w", full, err)
	}
	if err := tmp.Chmod(perm); err != nil {
		return fmt.Errorf("write %s: %w", full, err)
	}
	if err := tmp.Sync(); err != nil {
		return fmt.Errorf("write %s: %w", full, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %w", full, err)
	}
	if err := d.rename(tmpName, name); err != nil {
		return fmt.Errorf("write %s: %w", full, err)
	}
	return nil
}

func randomHex() string {
	var b [8]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
