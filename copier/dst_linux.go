package copier

import (
	"path/filepath"

	"golang.org/x/sys/unix"
)

func (e *engine) renameDst(d *dir, from, to string) error {
	return unix.Renameat(d.sys.dst, from, d.sys.dst, to)
}

func (e *engine) removeTemp(d *dir, tmp string) {
	_ = unix.Unlinkat(d.sys.dst, tmp, 0)
}

func (e *engine) removeDst(d *dir, name string, k kind) error {
	if k == kDir {
		return e.removeTree(filepath.Join(d.dstPath, name))
	}
	err := unix.Unlinkat(d.sys.dst, name, 0)
	if err == unix.EISDIR {
		return e.removeTree(filepath.Join(d.dstPath, name))
	}
	return err
}

// removeEmptyDir removes the directory name of d's destination if it is
// empty (rmdir checks and removes in one step), and returns
// ErrTypeConflict if it is not.
func (e *engine) removeEmptyDir(d *dir, name string) error {
	err := unix.Unlinkat(d.sys.dst, name, unix.AT_REMOVEDIR)
	if err == unix.ENOTEMPTY || err == unix.EEXIST {
		return ErrTypeConflict
	}
	return err
}

// dstDirEmpty reports whether the directory name of d's destination is
// empty.
func (e *engine) dstDirEmpty(d *dir, name string) (bool, error) {
	if d.sys.dst < 0 {
		return true, nil
	}
	fd, err := unix.Openat(d.sys.dst, name, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
	if err != nil {
		return false, err
	}
	defer unix.Close(fd)
	empty := true
	err = readNames(fd, make([]byte, 4096), func([]byte, kind) { empty = false })
	return empty, err
}

// linkDst makes name in d a hard link to the file at target, replacing what
// is there atomically.
func (e *engine) linkDst(w *worker, d *dir, target, name string, exists bool) error {
	if !exists {
		err := unix.Linkat(unix.AT_FDCWD, target, d.sys.dst, name, 0)
		if err != unix.EEXIST {
			return err
		}
	}
	tmp := w.tempName()
	if err := unix.Linkat(unix.AT_FDCWD, target, d.sys.dst, tmp, 0); err != nil {
		return err
	}
	if err := unix.Renameat(d.sys.dst, tmp, d.sys.dst, name); err != nil {
		unix.Unlinkat(d.sys.dst, tmp, 0)
		return err
	}
	return nil
}

func readlinkAt(fd int, name string) (string, error) {
	for size := 256; ; size *= 2 {
		b := make([]byte, size)
		n, err := unix.Readlinkat(fd, name, b)
		if err != nil {
			return "", err
		}
		if n < size {
			return string(b[:n]), nil
		}
	}
}

func (e *engine) readlinkSrc(d *dir, name string) (string, error) { return readlinkAt(d.sys.src, name) }
func (e *engine) readlinkDst(d *dir, name string) (string, error) { return readlinkAt(d.sys.dst, name) }

// symlinkDst creates the link name -> target in d with the attributes of
// st, atomically replacing whatever file or symlink is there: it is made
// under a temporary name of this run and renamed into place complete.
func (e *engine) symlinkDst(w *worker, d *dir, target, name string, st *fstat) (op string, err error) {
	tmp := w.tempName()
	if err := unix.Symlinkat(target, d.sys.dst, tmp); err != nil {
		return "create link", err
	}
	if err := e.copyLinkXattrs(w, d, name, tmp); err != nil {
		unix.Unlinkat(d.sys.dst, tmp, 0)
		return "copy extended attributes", err
	}
	if err := e.setLinkMeta(d, tmp, st); err != nil {
		unix.Unlinkat(d.sys.dst, tmp, 0)
		return "set attributes", err
	}
	if err := unix.Renameat(d.sys.dst, tmp, d.sys.dst, name); err != nil {
		unix.Unlinkat(d.sys.dst, tmp, 0)
		return "rename into place", err
	}
	return "", nil
}

func (e *engine) setLinkMeta(d *dir, name string, st *fstat) error {
	if e.root && (st.uid != e.uid || st.gid != d.newGid(e)) {
		if err := unix.Fchownat(d.sys.dst, name, int(st.uid), int(st.gid), unix.AT_SYMLINK_NOFOLLOW); err != nil {
			return err
		}
	}
	ts := []unix.Timespec{unix.NsecToTimespec(st.atime), unix.NsecToTimespec(st.mtime)}
	return unix.UtimesNanoAt(d.sys.dst, name, ts, unix.AT_SYMLINK_NOFOLLOW)
}

// fixMeta brings an up-to-date file's mode, owner and times in line.
func (e *engine) fixMeta(d *dir, name string, st, ds *fstat) error {
	if e.root && (st.uid != ds.uid || st.gid != ds.gid) {
		if err := unix.Fchownat(d.sys.dst, name, int(st.uid), int(st.gid), unix.AT_SYMLINK_NOFOLLOW); err != nil {
			return err
		}
		ds.perm &^= 0o6000
	}
	if st.perm != ds.perm {
		if err := unix.Fchmodat(d.sys.dst, name, st.perm, 0); err != nil {
			return err
		}
	}
	if st.mtime != ds.mtime {
		ts := []unix.Timespec{unix.NsecToTimespec(st.atime), unix.NsecToTimespec(st.mtime)}
		return unix.UtimesNanoAt(d.sys.dst, name, ts, unix.AT_SYMLINK_NOFOLLOW)
	}
	return nil
}

func (e *engine) setDirMeta(d *dir) error {
	fd := d.sys.dst
	if fd < 0 {
		return nil
	}
	if !e.fast.noXattr.Load() {
		// Most directories have no attributes: asking for the size of
		// their list first spares those a buffer.
		if n, err := unix.Flistxattr(d.sys.src, nil); err != nil || n > 0 {
			w := &worker{xbuf: make([]byte, max(n, 1024))}
			if err := e.copyXattrs(w, d.sys.src, fd); err != nil {
				return err
			}
		}
	}
	st := &d.st
	if e.root && (st.uid != d.dstSt.uid || st.gid != d.dstSt.gid) {
		if err := unix.Fchown(fd, int(st.uid), int(st.gid)); err != nil {
			return err
		}
		d.dstSt.perm &^= 0o6000
	}
	if st.perm != d.dstSt.perm {
		if err := unix.Fchmod(fd, st.perm); err != nil {
			return err
		}
	}
	if !d.fresh && !d.changed.Load() && d.dstSt.mtime == st.mtime {
		return nil // nothing in it changed: its times are still right
	}
	return futimens(fd, st.atime, st.mtime)
}
