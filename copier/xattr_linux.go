package copier

import (
	"bytes"
	"strings"

	"golang.org/x/sys/unix"
)

// copyXattrs copies extended attributes from in to out, when both sides
// support them. Attributes the destination refuses (another filesystem, a
// security.* or trusted.* name without the privilege) are left out.
func (e *engine) copyXattrs(w *worker, in, out int) error {
	if e.fast.noXattr.Load() {
		return nil
	}
	n, err := unix.Flistxattr(in, w.xbuf)
	if err == unix.ERANGE {
		n, err = unix.Flistxattr(in, nil)
		if err == nil {
			w.xbuf = make([]byte, n*2)
			n, err = unix.Flistxattr(in, w.xbuf)
		}
	}
	if err != nil {
		if err == unix.ENOTSUP || err == unix.ENOSYS {
			e.fast.noXattr.Store(true)
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
		sz, err := unix.Fgetxattr(in, name, nil)
		if err != nil {
			continue
		}
		val := make([]byte, sz)
		sz, err = unix.Fgetxattr(in, name, val)
		if err != nil {
			continue
		}
		if err := unix.Fsetxattr(out, name, val[:sz], 0); err != nil {
			switch err {
			case unix.ENOTSUP:
				if strings.HasPrefix(name, "user.") {
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
