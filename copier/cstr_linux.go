package copier

// System calls on the per-file path with names passed without a copy: the
// wrappers of x/sys/unix copy every name into a new NUL-terminated slice
// on the heap, which for a tree of small files is most of the copier's
// allocations (and so of its garbage collections). Here the name goes
// through a buffer of the worker, and "." and "" are constants.

import (
	"unsafe"

	"golang.org/x/sys/unix"
)

var (
	cDot   = [2]byte{'.', 0}
	cEmpty = [1]byte{0}
)

// cstr returns name NUL-terminated in the worker's buffer, valid until the
// next call. A name with a NUL in it cannot come from a directory listing;
// it returns nil for one, which the calls below refuse (EINVAL).
func (w *worker) cstr(name string) *byte {
	for i := 0; i < len(name); i++ {
		if name[i] == 0 {
			return nil
		}
	}
	w.cbuf = append(append(w.cbuf[:0], name...), 0)
	return &w.cbuf[0]
}

func errnoErr(e unix.Errno) error {
	if e == 0 {
		return nil
	}
	return e
}

// openatC is unix.Openat with a NUL-terminated name.
func openatC(dirfd int, name *byte, flags int, mode uint32) (int, error) {
	if name == nil {
		return -1, unix.EINVAL
	}
	for {
		r, _, e := unix.Syscall6(unix.SYS_OPENAT, uintptr(dirfd), uintptr(unsafe.Pointer(name)), uintptr(flags|unix.O_LARGEFILE), uintptr(mode), 0, 0)
		if e == unix.EINTR {
			continue
		}
		if e != 0 {
			return -1, errnoErr(e)
		}
		return int(r), nil
	}
}

// flinkC links the open file fd as name in the directory dirfd
// (linkat(fd, "", dirfd, name, AT_EMPTY_PATH)).
func flinkC(fd, dirfd int, name *byte) error {
	if name == nil {
		return unix.EINVAL
	}
	_, _, e := unix.Syscall6(unix.SYS_LINKAT, uintptr(fd), uintptr(unsafe.Pointer(&cEmpty[0])), uintptr(dirfd), uintptr(unsafe.Pointer(name)), unix.AT_EMPTY_PATH, 0)
	return errnoErr(e)
}
