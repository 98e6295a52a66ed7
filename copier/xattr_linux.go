package copier

import (
	"bytes"
	"path/filepath"
	"strings"

	"golang.org/x/sys/unix"
)

// xattrEnd is one side of an attribute copy: an open file (fd) or, for a
// symlink, which cannot be opened for its attributes, a path whose last
// element is not followed (the l*xattr calls).
type xattrEnd struct {
	fd   int
	path string
}

func (x xattrEnd) list(buf []byte) (int, error) {
	if x.path != "" {
		return unix.Llistxattr(x.path, buf)
	}
	return unix.Flistxattr(x.fd, buf)
}

func (x xattrEnd) get(name string, val []byte) (int, error) {
	if x.path != "" {
		return unix.Lgetxattr(x.path, name, val)
	}
	return unix.Fgetxattr(x.fd, name, val)
}

func (x xattrEnd) set(name string, val []byte) error {
	if x.path != "" {
		return unix.Lsetxattr(x.path, name, val, 0)
	}
	return unix.Fsetxattr(x.fd, name, val, 0)
}

// copyXattrs copies extended attributes from in to out, when both sides
// support them. Attributes the destination refuses (another filesystem, a
// security.* or trusted.* name without the privilege) are left out.
func (e *engine) copyXattrs(w *worker, in, out int) error {
	return e.copyXattrsOf(w, xattrEnd{fd: in}, xattrEnd{fd: out})
}

// copyLinkXattrs copies the extended attributes of the symlink name of d's
// source to the symlink tmp of its destination, as cp -a and rsync -aX do.
// On Linux a symlink takes trusted.* and security.* names (trusted.* only
// with CAP_SYS_ADMIN); user.* ones are refused on symlinks by the kernel,
// so a source symlink has none to copy.
func (e *engine) copyLinkXattrs(w *worker, d *dir, name, tmp string) error {
	in := xattrEnd{path: filepath.Join(d.srcPath, name)}
	out := xattrEnd{path: filepath.Join(d.dstPath, tmp)}
	return e.copyXattrsOf(w, in, out)
}

func (e *engine) copyXattrsOf(w *worker, in, out xattrEnd) error {
	if e.fast.noXattr.Load() {
		return nil
	}
	n, err := in.list(w.xbuf)
	if err == unix.ERANGE {
		n, err = in.list(nil)
		if err == nil {
			w.xbuf = make([]byte, n*2)
			n, err = in.list(w.xbuf)
		}
	}
	if err != nil {
		if err == unix.ENOTSUP || err == unix.ENOSYS {
			if in.path == "" { // the source filesystem has none: stop asking
				e.fast.noXattr.Store(true)
			}
			return nil
		}
		return err
	}
	if n == 0 || e.fast.noXattrD.Load() {
		return nil
	}
	names := bytes.Split(w.xbuf[:n], []byte{0})
	for _, nb := range names {
		if len(nb) == 0 {
			continue
		}
		name := string(nb)
		sz, err := in.get(name, nil)
		if err != nil {
			continue
		}
		val := make([]byte, sz)
		sz, err = in.get(name, val)
		if err != nil {
			continue
		}
		if err := out.set(name, val[:sz]); err != nil {
			switch err {
			case unix.ENOTSUP:
				if strings.HasPrefix(name, "user.") && in.path == "" {
					e.fast.noXattrD.Store(true)
					return nil
				}
			case unix.EPERM, unix.EACCES:
			default:
				return err
			}
		}
	}
	return nil
}
