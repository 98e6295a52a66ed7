//go:build unix

package safefs

import (
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

type dirSys struct{ fd int }

func openDir(root string, elems []string, create bool, perm fs.FileMode) (*Dir, error) {
	rootfd, err := unix.Open(root, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, &fs.PathError{Op: "open", Path: root, Err: err}
	}
	rel := strings.Join(elems, "/")
	if len(elems) == 0 {
		return &Dir{root: root, sys: dirSys{fd: rootfd}}, nil
	}
	// One call for the whole path where the kernel can refuse links itself.
	if fd, ok := openBeneath(rootfd, rel); ok {
		unix.Close(rootfd)
		return &Dir{root: root, rel: rel, sys: dirSys{fd: fd}}, nil
	}
	cur := rootfd
	for i, e := range elems {
		if create {
			if err := unix.Mkdirat(cur, e, uint32(perm.Perm())); err != nil && err != unix.EEXIST {
				unix.Close(cur)
				return nil, &fs.PathError{Op: "mkdir", Path: filepath.Join(root, filepath.FromSlash(path.Join(elems[:i+1]...))), Err: err}
			}
		}
		next, err := openat(cur, e, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
		if err != nil {
			err = diagnose(cur, root, path.Join(elems[:i+1]...), e, "open", err)
			unix.Close(cur)
			return nil, err
		}
		unix.Close(cur)
		cur = next
	}
	return &Dir{root: root, rel: rel, sys: dirSys{fd: cur}}, nil
}

// openat retries on EINTR, which a signal during a slow open may cause.
func openat(dirfd int, name string, flags int, mode uint32) (int, error) {
	for {
		fd, err := unix.Openat(dirfd, name, flags, mode)
		if err != unix.EINTR {
			return fd, err
		}
	}
}

// diagnose turns a failed open of name in dirfd into an *Error when a link
// or a non-directory stands there, else into a *fs.PathError.
func diagnose(dirfd int, root, rel, name, op string, err error) error {
	var st unix.Stat_t
	if serr := unix.Fstatat(dirfd, name, &st, unix.AT_SYMLINK_NOFOLLOW); serr == nil {
		switch st.Mode & unix.S_IFMT {
		case unix.S_IFLNK:
			buf := make([]byte, 4096)
			n, _ := unix.Readlinkat(dirfd, name, buf)
			return &Error{Root: root, Path: rel, Kind: "symlink", Target: string(buf[:max(n, 0)])}
		case unix.S_IFREG:
			if op == "open" {
				return &Error{Root: root, Path: rel, Kind: "file"}
			}
		case unix.S_IFDIR:
		default:
			return &Error{Root: root, Path: rel, Kind: "other"}
		}
	}
	return &fs.PathError{Op: op, Path: filepath.Join(root, filepath.FromSlash(rel)), Err: err}
}

func (d *Dir) close() error {
	if d.sys.fd < 0 {
		return nil
	}
	err := unix.Close(d.sys.fd)
	d.sys.fd = -1
	return err
}

func (d *Dir) openFile(name string, flag int, perm fs.FileMode) (*os.File, error) {
	// O_NONBLOCK: opening a FIFO planted here must not hang; it is refused
	// below, and a regular file ignores the flag.
	fd, err := openat(d.sys.fd, name, flag|unix.O_NOFOLLOW|unix.O_CLOEXEC|unix.O_NONBLOCK, uint32(perm.Perm()))
	if err != nil {
		if err == unix.EEXIST {
			return nil, &fs.PathError{Op: "open", Path: filepath.Join(d.Path(), name), Err: fs.ErrExist}
		}
		return nil, diagnose(d.sys.fd, d.root, d.join(name), name, "openfile", err)
	}
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err == nil && st.Mode&unix.S_IFMT != unix.S_IFREG {
		unix.Close(fd)
		return nil, &Error{Root: d.root, Path: d.join(name), Kind: "other"}
	}
	if err := unix.SetNonblock(fd, false); err != nil {
		unix.Close(fd)
		return nil, &fs.PathError{Op: "open", Path: filepath.Join(d.Path(), name), Err: err}
	}
	return os.NewFile(uintptr(fd), filepath.Join(d.Path(), name)), nil
}

func (d *Dir) lstat(name string) (fs.FileInfo, error) {
	var st unix.Stat_t
	if err := unix.Fstatat(d.sys.fd, name, &st, unix.AT_SYMLINK_NOFOLLOW); err != nil {
		return nil, &fs.PathError{Op: "lstat", Path: filepath.Join(d.Path(), name), Err: err}
	}
	return statInfo{name: name, st: st}, nil
}

func (d *Dir) rename(oldname, newname string) error {
	return unix.Renameat(d.sys.fd, oldname, d.sys.fd, newname)
}

func (d *Dir) remove(name string) error {
	return unix.Unlinkat(d.sys.fd, name, 0)
}

// statInfo is an fs.FileInfo of a unix.Stat_t.
type statInfo struct {
	name string
	st   unix.Stat_t
}

func (s statInfo) Name() string { return s.name }
func (s statInfo) Size() int64  { return s.st.Size }
func (s statInfo) Mode() fs.FileMode {
	m := fs.FileMode(s.st.Mode & 0o777)
	switch s.st.Mode & unix.S_IFMT {
	case unix.S_IFDIR:
		m |= fs.ModeDir
	case unix.S_IFLNK:
		m |= fs.ModeSymlink
	case unix.S_IFREG:
	default:
		m |= fs.ModeIrregular
	}
	return m
}
func (s statInfo) ModTime() time.Time { return time.Time{} }
func (s statInfo) IsDir() bool        { return s.Mode().IsDir() }
func (s statInfo) Sys() any           { return &s.st }
