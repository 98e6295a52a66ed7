package copier

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// checkPaths refuses a copy of a tree into itself, and a Delete copy of a
// tree into one of its ancestors (which would delete the source). "Inside"
// is decided twice: by the paths with symlinks resolved, and by the device
// and inode of every ancestor of each path, so that a bind mount (which
// shows a directory under a second path, with the same device and inode)
// hides neither case. Both checks run before anything is written or deleted,
// and in a dry run too.
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
	if d == s || strings.HasPrefix(d, withSep(s)) || under(d, s) {
		return fmt.Errorf("copy %s to %s: %w", src, dst, ErrIntoItself)
	}
	if del && (strings.HasPrefix(s, withSep(d)) || under(s, d)) {
		return fmt.Errorf("copy %s to %s with delete: %w", src, dst, ErrSourceInside)
	}
	return nil
}

// under reports whether the directory top, found by device and inode, is
// p or one of p's ancestors (their path ancestors once symlinks are
// resolved; the part of p that does not exist yet is skipped). Where the
// system gives no inode numbers (Windows), it reports false and the path
// check stands alone.
func under(p, top string) bool {
	fi, err := os.Stat(top)
	if err != nil {
		return false
	}
	want, ok := fileID(fi)
	if !ok {
		return false
	}
	for cur := p; ; {
		if fi, err := os.Stat(cur); err == nil {
			if id, ok := fileID(fi); ok && id == want {
				return true
			}
		}
		parent := filepath.Dir(cur)
		if parent == cur {
			return false
		}
		cur = parent
	}
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

// sourceIDs returns the device and inode of src and of each of its
// ancestors: a directory of the destination that is one of them (a bind
// mount of the source inside the destination) must never be deleted, or
// the source goes with it. Empty where there are no inode numbers.
func sourceIDs(src string) map[[2]uint64]bool {
	ids := map[[2]uint64]bool{}
	s, err := realPath(src)
	if err != nil {
		return ids
	}
	for cur := s; ; {
		if fi, err := os.Stat(cur); err == nil {
			if id, ok := fileID(fi); ok {
				ids[id] = true
			}
		}
		parent := filepath.Dir(cur)
		if parent == cur {
			return ids
		}
		cur = parent
	}
}

// removeTree removes the destination directory p with all it holds, as
// os.RemoveAll does, except that it refuses (ErrSourceInside, before
// removing anything below it) a directory that is the source or one of its
// ancestors, found by device and inode: the source mounted a second time
// inside the destination.
func (e *engine) removeTree(p string) error {
	fi, err := os.Lstat(p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	if !fi.IsDir() {
		return os.Remove(p)
	}
	if id, ok := fileID(fi); ok && e.srcIDs[id] {
		return fmt.Errorf("%s is the source, or holds it (a mount): %w", p, ErrSourceInside)
	}
	if len(e.srcIDs) == 0 {
		return os.RemoveAll(p)
	}
	entries, err := os.ReadDir(p)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	for _, ent := range entries {
		if err := e.removeTree(filepath.Join(p, ent.Name())); err != nil {
			return err
		}
	}
	err = os.Remove(p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	return err
}
