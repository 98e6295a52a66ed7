package copier

// Linux: every operation is relative to open directory descriptors
// (openat, fstatat, mkdirat, renameat, ...), so that no path is resolved
// twice, and file content moves with FICLONE (a reflink, when source and
// destination share a filesystem that supports it), copy_file_range (the
// kernel copies, no round trip through user memory) or, failing both,
// read/write with a buffer reused by each worker. Sparse files are copied
// data segment by data segment (SEEK_DATA/SEEK_HOLE), so holes stay holes.
//
// Per regular file in a fresh destination directory the syscalls are:
// fstatat (walker), openat source, openat O_TMPFILE, [ioctl FICLONE once per
// run], copy_file_range, flistxattr, fstat (did the source change while it
// was copied?), futimens, linkat, close ×2 — against about 17 for cp -a.
// fchmod only when the umask would strip bits, fchown only when running as
// root and the owner differs. A file that replaces one takes a linkat to a
// temporary name and a renameat instead of the linkat.

import (
	"bufio"
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

var (
	errQuota  error = syscall.EDQUOT
	fatalErrs       = []error{syscall.ENOSPC, syscall.EDQUOT, syscall.EROFS}
)

type sysDir struct {
	src, dst int // descriptors; -1 when not open
}

type fastPaths struct {
	noClone  atomic.Bool
	noTmpfs  atomic.Bool // O_TMPFILE refused by the destination filesystem
	noCFR    atomic.Bool
	noXattr  atomic.Bool // the source filesystem has no xattrs
	noXattrD atomic.Bool // the destination refuses them
}

type worker struct {
	wk      *walker
	id      int
	tmpBase string         // this run's temporary names start so
	tmpSeq  *atomic.Uint64 // and end with the next number from here
	nameBuf []byte
	buf     []byte
	buf2    []byte
	xbuf    []byte
}

func newWorker(id int) *worker {
	return &worker{id: id, nameBuf: make([]byte, 0, 64), xbuf: make([]byte, 1024)}
}

type walker struct {
	buf []byte
}

func (w *worker) walker() *walker {
	if w.wk == nil {
		w.wk = &walker{buf: make([]byte, 64<<10)}
	}
	return w.wk
}

func (e *engine) initIdentity() {
	e.uid, e.gid = uint32(os.Geteuid()), uint32(os.Getegid())
	e.root = e.uid == 0
	e.umask = readUmask()
}

// readUmask reads the umask from /proc/self/status, which does not change it
// (syscall.Umask would, for a moment, for the whole process).
func readUmask() uint32 {
	f, err := os.Open("/proc/self/status")
	if err == nil {
		defer f.Close()
		s := bufio.NewScanner(f)
		for s.Scan() {
			if v, ok := strings.CutPrefix(s.Text(), "Umask:"); ok {
				if n, err := strconv.ParseUint(strings.TrimSpace(v), 8, 32); err == nil {
					return uint32(n)
				}
			}
		}
	}
	old := syscall.Umask(0o22)
	syscall.Umask(old)
	return uint32(old)
}

func toFstat(s *unix.Stat_t) fstat {
	st := fstat{
		perm:   s.Mode & 0o7777,
		size:   s.Size,
		blocks: s.Blocks,
		atime:  s.Atim.Sec*1e9 + s.Atim.Nsec,
		mtime:  s.Mtim.Sec*1e9 + s.Mtim.Nsec,
		ctime:  s.Ctim.Sec*1e9 + s.Ctim.Nsec,
		uid:    s.Uid,
		gid:    s.Gid,
		dev:    s.Dev,
		ino:    s.Ino,
		nlink:  uint64(s.Nlink),
		valid:  true,
	}
	switch s.Mode & unix.S_IFMT {
	case unix.S_IFREG:
		st.kind = kFile
	case unix.S_IFDIR:
		st.kind = kDir
	case unix.S_IFLNK:
		st.kind = kSymlink
	default:
		st.kind = kSpecial
	}
	return st
}

func retry(f func() error) error {
	for {
		err := f()
		if err != unix.EINTR {
			return err
		}
	}
}

func (e *engine) openRoot(src, dst string) (*dir, error) {
	d := &dir{srcPath: src, dstPath: dst, sys: sysDir{src: -1, dst: -1}}
	d.pending.Store(1)
	fd, err := unix.Open(src, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, &os.PathError{Op: "open", Path: src, Err: err}
	}
	d.sys.src = fd
	var s unix.Stat_t
	if err := unix.Fstat(fd, &s); err != nil {
		unix.Close(fd)
		return nil, &os.PathError{Op: "stat", Path: src, Err: err}
	}
	d.st = toFstat(&s)
	e.dirs.Add(1)
	if err := os.MkdirAll(filepath.Dir(filepath.Clean(dst)), 0o777); err != nil && !e.opts.DryRun {
		unix.Close(fd)
		return nil, err
	}
	if !e.opts.DryRun {
		err := unix.Mkdir(dst, d.st.perm&0o777|0o700)
		switch {
		case err == nil:
			d.fresh = true
		case err != unix.EEXIST:
			unix.Close(fd)
			return nil, &os.PathError{Op: "mkdir", Path: dst, Err: err}
		}
	}
	dfd, err := unix.Open(dst, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		if e.opts.DryRun && err == unix.ENOENT {
			d.fresh = true
			e.event(EventCopied, d, "", "dir", 0, nil)
			return d, nil
		}
		unix.Close(fd)
		if err == unix.ENOTDIR {
			return nil, &os.PathError{Op: "copy to", Path: dst, Err: errors.New("not a directory")}
		}
		return nil, &os.PathError{Op: "open", Path: dst, Err: err}
	}
	d.sys.dst = dfd
	if err := unix.Fstat(dfd, &s); err == nil {
		d.dstSt = toFstat(&s)
	}
	if d.fresh {
		e.event(EventCopied, d, "", "dir", 0, nil)
	}
	return d, nil
}

// openChild opens the source subdirectory name of p and creates (or opens)
// its destination. It returns nil, nil for a directory that must be skipped.
func (e *engine) openChild(w *walker, p *dir, name string) (*dir, error) {
	d := &dir{parent: p, rel: p.relTo(name), srcPath: filepath.Join(p.srcPath, name), dstPath: filepath.Join(p.dstPath, name), sys: sysDir{src: -1, dst: -1}}
	d.pending.Store(1)
	fd, err := unix.Openat(p.sys.src, name, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, err
	}
	var s unix.Stat_t
	if err := unix.Fstat(fd, &s); err != nil {
		unix.Close(fd)
		return nil, err
	}
	d.st = toFstat(&s)
	if d.st.dev == e.rootDst.dev && d.st.ino == e.rootDst.ino && e.rootDst.ino != 0 {
		unix.Close(fd)
		return nil, errors.New("this is the destination (reached through a mount); not copied into itself")
	}
	d.sys.src = fd
	if p.sys.dst < 0 { // dry run below a directory that does not exist
		d.fresh = true
		e.dirs.Add(1)
		e.event(EventCopied, d, "", "dir", 0, nil)
		return d, nil
	}
	dfd := -1
	if e.opts.DryRun {
		var ds unix.Stat_t
		if p.fresh || unix.Fstatat(p.sys.dst, name, &ds, unix.AT_SYMLINK_NOFOLLOW) != nil || ds.Mode&unix.S_IFMT != unix.S_IFDIR {
			d.fresh = true
			e.dirs.Add(1)
			e.event(EventCopied, d, "", "dir", 0, nil)
			return d, nil
		}
	}
	if !p.fresh {
		// On a re-copy the directory is most often there already: open it.
		dfd, err = unix.Openat(p.sys.dst, name, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
		switch {
		case err == nil:
		case err == unix.ENOENT:
			dfd = -1
		case (err == unix.ENOTDIR || err == unix.ELOOP) && !e.opts.DryRun:
			// A file or a link where a directory belongs: replace it,
			// never following the link.
			if err := unix.Unlinkat(p.sys.dst, name, 0); err != nil {
				unix.Close(fd)
				return nil, err
			}
			dfd = -1
		default:
			unix.Close(fd)
			return nil, err
		}
	}
	if dfd < 0 && e.opts.DryRun {
		d.fresh = true
		e.dirs.Add(1)
		e.event(EventCopied, d, "", "dir", 0, nil)
		return d, nil
	}
	if dfd < 0 {
		if err := unix.Mkdirat(p.sys.dst, name, d.st.perm&0o777|0o700); err != nil {
			unix.Close(fd)
			return nil, err
		}
		d.fresh = true
		dfd, err = unix.Openat(p.sys.dst, name, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
		if err != nil {
			unix.Close(fd)
			return nil, err
		}
	}
	d.sys.dst = dfd
	if d.fresh {
		p.changed.Store(true)
		// Created here: owner is ours, mode what we asked for minus the umask.
		d.dstSt = fstat{kind: kDir, perm: (d.st.perm&0o777 | 0o700) &^ e.umask, uid: e.uid, gid: e.gid}
		if p.dstSt.perm&unix.S_ISGID != 0 {
			d.dstSt.gid = p.dstSt.gid
			d.dstSt.perm |= unix.S_ISGID
		}
		e.dirs.Add(1)
		e.event(EventCopied, d, "", "dir", 0, nil)
	} else {
		if err := unix.Fstat(dfd, &s); err == nil {
			d.dstSt = toFstat(&s)
		}
		if !e.root && d.dstSt.perm&0o700 != 0o700 && !e.opts.DryRun {
			_ = unix.Fchmod(dfd, d.dstSt.perm|0o700)
			d.dstSt.perm |= 0o700
		}
		e.dirs.Add(1)
		e.event(EventSkipped, d, "", "dir", 0, nil)
	}
	return d, nil
}

func (e *engine) closeDir(d *dir) {
	if d.sys.src >= 0 {
		unix.Close(d.sys.src)
		d.sys.src = -1
	}
	if d.sys.dst >= 0 {
		unix.Close(d.sys.dst)
		d.sys.dst = -1
	}
}

// readNames lists the directory open at fd with getdents64.
// each gets the name in buf: it must copy it to keep it.
// fd must be freshly opened: it is read from where it is.
func readNames(fd int, buf []byte, each func(name []byte, k kind)) error {
	for {
		var n int
		err := retry(func() (err error) { n, err = unix.Getdents(fd, buf); return })
		if err != nil {
			return err
		}
		if n <= 0 {
			return nil
		}
		b := buf[:n]
		for len(b) > 0 {
			// struct linux_dirent64 { u64 ino; s64 off; u16 reclen; u8 type; char name[]; }
			reclen := int(*(*uint16)(unsafe.Pointer(&b[16])))
			typ := b[18]
			nameb := b[19:reclen]
			if i := bytes.IndexByte(nameb, 0); i >= 0 {
				nameb = nameb[:i]
			}
			b = b[reclen:]
			if len(nameb) == 1 && nameb[0] == '.' || len(nameb) == 2 && nameb[0] == '.' && nameb[1] == '.' {
				continue
			}
			var k kind
			switch typ {
			case unix.DT_REG:
				k = kFile
			case unix.DT_DIR:
				k = kDir
			case unix.DT_LNK:
				k = kSymlink
			case unix.DT_UNKNOWN:
				k = kUnknown
			default:
				k = kSpecial
			}
			each(nameb, k)
		}
	}
}

func (e *engine) readSrc(w *walker, d *dir) ([]dirent, error) {
	var ents []dirent
	err := readNames(d.sys.src, w.buf, func(name []byte, k kind) {
		ents = append(ents, dirent{name: string(name), kind: k})
	})
	return ents, err
}

// listDst reads the destination directory. It keeps the names (in d.dst)
// only for Delete: otherwise workers look entries up one by one, which they
// must do anyway to compare.
func (e *engine) listDst(w *walker, d *dir) error {
	if d.sys.dst < 0 || !e.opts.Delete {
		return nil
	}
	d.dst = make(map[string]kind)
	return readNames(d.sys.dst, w.buf, func(name []byte, k kind) {
		if k == kUnknown {
			var s unix.Stat_t
			if unix.Fstatat(d.sys.dst, string(name), &s, unix.AT_SYMLINK_NOFOLLOW) == nil {
				k = toFstat(&s).kind
			}
		}
		d.dst[string(name)] = k
	})
}

func (e *engine) lstatSrc(d *dir, name string) (fstat, error) {
	var s unix.Stat_t
	if err := unix.Fstatat(d.sys.src, name, &s, unix.AT_SYMLINK_NOFOLLOW); err != nil {
		return fstat{}, err
	}
	return toFstat(&s), nil
}

func (e *engine) lstatDst(d *dir, name string) (fstat, error) {
	if d.sys.dst < 0 {
		return fstat{}, unix.ENOENT
	}
	var s unix.Stat_t
	if err := unix.Fstatat(d.sys.dst, name, &s, unix.AT_SYMLINK_NOFOLLOW); err != nil {
		return fstat{}, err
	}
	return toFstat(&s), nil
}

// writeTemp copies the file it of d into a new file of d's destination,
// gives it its attributes and puts it in place, or returns the temporary
// name to rename into place; replace says the destination has a file or
// symlink there, replaceDir a directory that must go (clearDir) first. On
// error nothing of it is left and op says which step failed; a
// *changedError says the source changed while it was copied.
func (e *engine) writeTemp(w *worker, d *dir, it *item, wantIno, replace, replaceDir bool) (tmp string, ino uint64, op string, err error) {
	st := &it.st
	in, err := unix.Openat(d.sys.src, it.name, unix.O_RDONLY|unix.O_CLOEXEC|unix.O_NOFOLLOW|unix.O_NONBLOCK|unix.O_NOCTTY, 0)
	if err != nil {
		return "", 0, "open", err
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
		out, err = unix.Openat(d.sys.dst, ".", unix.O_WRONLY|unix.O_TMPFILE|unix.O_CLOEXEC, st.perm&0o777)
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
	link := func(to string) error {
		if e.root {
			err := unix.Linkat(fd, "", d.sys.dst, to, unix.AT_EMPTY_PATH)
			if err != unix.ENOENT && err != unix.EPERM {
				return err
			}
		}
		// Without CAP_DAC_READ_SEARCH, through /proc.
		return unix.Linkat(unix.AT_FDCWD, "/proc/self/fd/"+strconv.Itoa(fd), d.sys.dst, to, unix.AT_SYMLINK_FOLLOW)
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

// chunk bounds one copy_file_range call so that a cancelled copy of a big
// file stops soon.
const chunk = 64 << 20

func (e *engine) copyData(w *worker, in, out int, st *fstat) error {
	size := st.size
	if size == 0 {
		return nil
	}
	if !e.fast.noClone.Load() {
		err := unix.IoctlFileClone(out, in)
		if err == nil {
			return nil
		}
		if !notSupported(err) {
			return err
		}
		e.fast.noClone.Store(true)
	}
	if st.blocks*512 < size && size > 4096 {
		return e.copySparse(w, in, out, size)
	}
	var off int64
	if !e.fast.noCFR.Load() {
		for off < size {
			if off > 0 && e.ctx.Err() != nil {
				return e.ctx.Err()
			}
			n := min(size-off, chunk)
			m, err := unix.CopyFileRange(in, nil, out, nil, int(n), 0)
			if err == unix.EINTR {
				continue
			}
			if err != nil {
				if off == 0 && notSupported(err) {
					e.fast.noCFR.Store(true)
					break
				}
				return err
			}
			if m == 0 {
				return nil // the file shrank since it was listed
			}
			off += int64(m)
		}
		if off >= size {
			return nil
		}
	}
	return e.readWrite(w, in, out, off, size)
}

// readWrite copies [off, end) with read/write through the worker's buffer.
// Both files' positions are at off.
func (e *engine) readWrite(w *worker, in, out int, off, end int64) error {
	if w.buf == nil {
		w.buf = make([]byte, 256<<10)
	}
	for off < end {
		if e.ctx.Err() != nil {
			return e.ctx.Err()
		}
		b := w.buf[:min(int64(len(w.buf)), end-off)]
		var n int
		err := retry(func() (err error) { n, err = unix.Read(in, b); return })
		if err != nil {
			return err
		}
		if n == 0 {
			return nil
		}
		if err := writeAll(out, b[:n]); err != nil {
			return err
		}
		off += int64(n)
	}
	return nil
}

func writeAll(fd int, b []byte) error {
	for len(b) > 0 {
		var n int
		err := retry(func() (err error) { n, err = unix.Write(fd, b); return })
		if err != nil {
			return err
		}
		b = b[n:]
	}
	return nil
}

// copySparse copies only the data segments of in, so holes stay holes.
func (e *engine) copySparse(w *worker, in, out int, size int64) error {
	var off int64
	for off < size {
		if e.ctx.Err() != nil {
			return e.ctx.Err()
		}
		data, err := unix.Seek(in, off, unix.SEEK_DATA)
		if err == unix.ENXIO {
			break // only a hole is left
		}
		if err != nil {
			return err
		}
		hole, err := unix.Seek(in, data, unix.SEEK_HOLE)
		if err != nil {
			return err
		}
		hole = min(hole, size)
		if _, err := unix.Seek(in, data, 0); err != nil {
			return err
		}
		if _, err := unix.Seek(out, data, 0); err != nil {
			return err
		}
		pos := data
		for pos < hole && !e.fast.noCFR.Load() {
			m, err := unix.CopyFileRange(in, nil, out, nil, int(min(hole-pos, chunk)), 0)
			if err == unix.EINTR {
				continue
			}
			if err != nil {
				if notSupported(err) {
					e.fast.noCFR.Store(true)
					break
				}
				return err
			}
			if m == 0 {
				hole = pos
				break
			}
			pos += int64(m)
		}
		if pos < hole {
			if err := e.readWrite(w, in, out, pos, hole); err != nil {
				return err
			}
		}
		off = hole
		if hole == data {
			break
		}
	}
	return unix.Ftruncate(out, size)
}

func notSupported(err error) bool {
	switch err {
	case unix.EOPNOTSUPP, unix.EXDEV, unix.EINVAL, unix.ENOSYS, unix.ENOTTY, unix.EBADF, unix.EPERM:
		return true
	}
	return false
}

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

func (e *engine) renameDst(d *dir, from, to string) error {
	return unix.Renameat(d.sys.dst, from, d.sys.dst, to)
}

func (e *engine) removeTemp(d *dir, tmp string) {
	_ = unix.Unlinkat(d.sys.dst, tmp, 0)
}

func (e *engine) removeDst(d *dir, name string, k kind) error {
	if k == kDir {
		return os.RemoveAll(filepath.Join(d.dstPath, name))
	}
	err := unix.Unlinkat(d.sys.dst, name, 0)
	if err == unix.EISDIR {
		return os.RemoveAll(filepath.Join(d.dstPath, name))
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
		w := &worker{xbuf: make([]byte, 1024)}
		if err := e.copyXattrs(w, d.sys.src, fd); err != nil {
			return err
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

// sameContent compares the source and destination files byte for byte.
func (e *engine) sameContent(w *worker, d *dir, name string, size int64) (bool, error) {
	a, err := unix.Openat(d.sys.src, name, unix.O_RDONLY|unix.O_CLOEXEC|unix.O_NOFOLLOW|unix.O_NONBLOCK, 0)
	if err != nil {
		return false, err
	}
	defer unix.Close(a)
	b, err := unix.Openat(d.sys.dst, name, unix.O_RDONLY|unix.O_CLOEXEC|unix.O_NOFOLLOW|unix.O_NONBLOCK, 0)
	if err != nil {
		return false, err
	}
	defer unix.Close(b)
	if w.buf == nil {
		w.buf = make([]byte, 256<<10)
	}
	if w.buf2 == nil {
		w.buf2 = make([]byte, 256<<10)
	}
	for {
		n1, err1 := readFull(a, w.buf)
		n2, err2 := readFull(b, w.buf2[:len(w.buf)])
		if err1 != nil {
			return false, err1
		}
		if err2 != nil {
			return false, err2
		}
		if n1 != n2 || !bytes.Equal(w.buf[:n1], w.buf2[:n2]) {
			return false, nil
		}
		if n1 < len(w.buf) {
			return true, nil
		}
	}
}

func readFull(fd int, b []byte) (int, error) {
	got := 0
	for got < len(b) {
		var n int
		err := retry(func() (err error) { n, err = unix.Read(fd, b[got:]); return })
		if err != nil {
			return got, err
		}
		if n == 0 {
			break
		}
		got += n
	}
	return got, nil
}
