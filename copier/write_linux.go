package copier

import (
	"strconv"
	"unsafe"

	"golang.org/x/sys/unix"
)

// writeTemp copies the file it of d into a new file of d's destination,
// gives it its attributes and puts it in place, or returns the temporary
// name to rename into place; replace says the destination has a file or
// symlink there, replaceDir a directory that must go (clearDir) first. On
// error nothing of it is left and op says which step failed; a
// *changedError says the source changed while it was copied.
func (e *engine) writeTemp(w *worker, d *dir, it *item, wantIno, replace, replaceDir bool) (tmp string, ino uint64, op string, err error) {
	st := &it.st
	in := it.in
	if it.open {
		it.open = false
	} else {
		in, err = openatC(d.sys.src, w.cstr(it.name), srcFlags, 0)
		if err != nil {
			return "", 0, "open", err
		}
	}
	defer unix.Close(in)
	// The file is created with O_TMPFILE, without a name, and linked under
	// its final name once complete (or under a temporary name renamed over
	// the entry it replaces), so an interruption of any kind (even SIGKILL
	// or a power loss) while it is written leaves no partial file and no
	// temporary. Where O_TMPFILE is not supported, the file is written under
	// a temporary name of this run and renamed into place.
	var out int
	anon := false
	if !e.fast.noTmpfs.Load() && !testForceTempNames {
		out, err = openatC(d.sys.dst, &cDot[0], unix.O_WRONLY|unix.O_TMPFILE|unix.O_CLOEXEC, st.perm&0o777)
		switch {
		case err == nil:
			anon = true
		case err == unix.EOPNOTSUPP || err == unix.EISDIR || err == unix.EINVAL || err == unix.ENOENT:
			e.fast.noTmpfs.Store(true)
		default:
			return "", 0, "create", err
		}
	}
	if !anon {
		for {
			tmp = w.tempName()
			out, err = unix.Openat(d.sys.dst, tmp, unix.O_WRONLY|unix.O_CREAT|unix.O_EXCL|unix.O_CLOEXEC|unix.O_NOFOLLOW, st.perm&0o777)
			if err != unix.EEXIST {
				break
			}
		}
		if err != nil {
			return "", 0, "create temporary", err
		}
	}
	fail := func(o string, err error) (string, uint64, string, error) {
		unix.Close(out)
		if !anon {
			unix.Unlinkat(d.sys.dst, tmp, 0)
		}
		return "", 0, o, err
	}
	if err := e.copyData(w, in, out, st); err != nil {
		return fail("copy", err)
	}
	if err := e.copyXattrs(w, in, out); err != nil {
		return fail("copy xattrs", err)
	}
	if testHookAfterData != nil {
		testHookAfterData(d.relTo(it.name))
	}
	// The content, mode and times must be of one state of the source: its
	// stat before the copy (st, taken before it was opened) and after.
	var s unix.Stat_t
	if err := unix.Fstat(in, &s); err != nil {
		return fail("stat", err)
	}
	after := toFstat(&s)
	if err := checkUnchanged(st, &after); err != nil {
		return fail("copy", err)
	}
	// Ownership first: chown clears setuid and setgid bits.
	chowned := false
	if e.root && (st.uid != e.uid || st.gid != d.newGid(e)) {
		if err := unix.Fchown(out, int(st.uid), int(st.gid)); err != nil {
			return fail("set owner", err)
		}
		chowned = true
	}
	if st.perm&^0o777 != 0 || st.perm&e.umask != 0 || chowned && st.perm&0o6000 != 0 {
		if err := unix.Fchmod(out, st.perm); err != nil {
			return fail("set mode", err)
		}
	}
	if err := futimens(out, st.atime, st.mtime); err != nil {
		return fail("set times", err)
	}
	if wantIno {
		if unix.Fstat(out, &s) == nil {
			ino = s.Ino
		}
	}
	if replaceDir {
		if err := e.clearDir(d, it.name); err != nil {
			return fail("replace directory", err)
		}
	}
	if anon {
		if err := e.linkAnon(w, out, d, it.name, replace); err != nil {
			unix.Close(out)
			return "", 0, "link into place", err
		}
		return "", ino, "", unix.Close(out)
	}
	if err := unix.Close(out); err != nil {
		unix.Unlinkat(d.sys.dst, tmp, 0)
		return "", 0, "close", err
	}
	return tmp, ino, "", nil
}

// linkAnon gives the O_TMPFILE file open at fd the name name in d. Where
// the name is taken (replace, or it was taken meanwhile), it links a
// temporary name of this run and renames it over.
func (e *engine) linkAnon(w *worker, fd int, d *dir, name string, replace bool) error {
	// linkat(AT_EMPTY_PATH) takes CAP_DAC_READ_SEARCH, or since Linux 6.10
	// a file opened with the caller's credentials; else (ENOENT, EPERM)
	// the file is linked through /proc, a longer path to resolve.
	link := func(to string) error {
		if !e.fast.noFlink.Load() && !testLinkThroughProc {
			err := flinkC(fd, d.sys.dst, w.cstr(to))
			if err != unix.ENOENT && err != unix.EPERM {
				return err
			}
		}
		err := unix.Linkat(unix.AT_FDCWD, "/proc/self/fd/"+strconv.Itoa(fd), d.sys.dst, to, unix.AT_SYMLINK_FOLLOW)
		if err == nil {
			e.fast.noFlink.Store(true)
		}
		return err
	}
	if !replace {
		err := link(name)
		if err != unix.EEXIST {
			return err
		}
	}
	tmp := w.tempName()
	if err := link(tmp); err != nil {
		return err
	}
	if err := unix.Renameat(d.sys.dst, tmp, d.sys.dst, name); err != nil {
		unix.Unlinkat(d.sys.dst, tmp, 0)
		return err
	}
	return nil
}

// newGid is the group a file created in d gets.
func (d *dir) newGid(e *engine) uint32 {
	if d.dstSt.perm&unix.S_ISGID != 0 {
		return d.dstSt.gid
	}
	return e.gid
}

func futimens(fd int, atime, mtime int64) error {
	ts := [2]unix.Timespec{unix.NsecToTimespec(atime), unix.NsecToTimespec(mtime)}
	_, _, errno := unix.Syscall6(unix.SYS_UTIMENSAT, uintptr(fd), 0, uintptr(unsafe.Pointer(&ts[0])), 0, 0, 0)
	if errno != 0 {
		return errno
	}
	return nil
}

// testLinkThroughProc, set by tests, makes linkAnon link every unnamed file
// through /proc/self/fd, as where linkat(AT_EMPTY_PATH) is refused.
var testLinkThroughProc bool

// srcFlags open a source file: never a symlink's target, never waiting on a
// fifo or a device, never a controlling terminal.
const srcFlags = unix.O_RDONLY | unix.O_CLOEXEC | unix.O_NOFOLLOW | unix.O_NONBLOCK | unix.O_NOCTTY

// openSrc opens the source file it of d, listed as a regular file, and
// takes its stat from the descriptor (fstat): one system call fewer with a
// path to resolve than fstatat then openat. It reports false, with nothing
// open, when the file cannot be opened or is no longer a regular file: the
// caller then goes the usual way (fstatat, which says what it is, and an
// open that reports the error).
func (e *engine) openSrc(w *worker, d *dir, it *item) bool {
	fd, err := openatC(d.sys.src, w.cstr(it.name), srcFlags, 0)
	if err != nil {
		return false
	}
	var s unix.Stat_t
	if unix.Fstat(fd, &s) != nil || s.Mode&unix.S_IFMT != unix.S_IFREG {
		unix.Close(fd)
		return false
	}
	it.st, it.in, it.open = toFstat(&s), fd, true
	return true
}

// dropSrc closes the source file openSrc opened if writeTemp did not.
func (e *engine) dropSrc(it *item) {
	if it.open {
		unix.Close(it.in)
		it.open = false
	}
}
