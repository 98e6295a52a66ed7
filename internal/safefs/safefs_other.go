//go:build !unix

package safefs

import (
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
)

type dirSys struct{}

// openDir checks each element with Lstat: a symbolic link, a junction or a
// file where a directory belongs is refused.
func openDir(root string, elems []string, create bool, perm fs.FileMode) (*Dir, error) {
	if fi, err := os.Stat(root); err != nil {
		return nil, err
	} else if !fi.IsDir() {
		return nil, &fs.PathError{Op: "open", Path: root, Err: fs.ErrInvalid}
	}
	for i := range elems {
		rel := path.Join(elems[:i+1]...)
		p := filepath.Join(root, filepath.FromSlash(rel))
		fi, err := os.Lstat(p)
		if os.IsNotExist(err) && create {
			if err := os.Mkdir(p, perm); err != nil && !os.IsExist(err) {
				return nil, err
			}
			fi, err = os.Lstat(p)
		}
		if err != nil {
			return nil, err
		}
		if err := check(root, rel, p, fi, true); err != nil {
			return nil, err
		}
	}
	return &Dir{root: root, rel: strings.Join(elems, "/")}, nil
}

func check(root, rel, p string, fi fs.FileInfo, wantDir bool) error {
	switch {
	case fi.Mode()&fs.ModeSymlink != 0:
		target, _ := os.Readlink(p)
		return &Error{Root: root, Path: rel, Kind: "symlink", Target: target}
	case fi.IsDir() && wantDir, fi.Mode().IsRegular() && !wantDir:
		return nil
	case fi.Mode().IsRegular():
		return &Error{Root: root, Path: rel, Kind: "file"}
	}
	return &Error{Root: root, Path: rel, Kind: "other"}
}

func (d *Dir) close() error { return nil }

func (d *Dir) openFile(name string, flag int, perm fs.FileMode) (*os.File, error) {
	p := filepath.Join(d.Path(), name)
	if fi, err := os.Lstat(p); err == nil {
		if err := check(d.root, d.join(name), p, fi, false); err != nil {
			return nil, err
		}
	}
	return os.OpenFile(p, flag, perm)
}

func (d *Dir) lstat(name string) (fs.FileInfo, error) {
	return os.Lstat(filepath.Join(d.Path(), name))
}

func (d *Dir) rename(oldname, newname string) error {
	return os.Rename(filepath.Join(d.Path(), oldname), filepath.Join(d.Path(), newname))
}

func (d *Dir) remove(name string) error { return os.Remove(filepath.Join(d.Path(), name)) }
