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
// openat source, fstat (the stat the copy goes by), openat O_TMPFILE,
// [ioctl FICLONE once per run], copy_file_range, flistxattr, fstat (did the
// source change while it was copied?), futimens, linkat (AT_EMPTY_PATH),
// close ×2: 10, three of them resolving a name, against about 17 with six
// for cp -a (strace -c -f on bench/gentree's trees). In a directory that was
// there already the source is stat'ed by name first (fstatat), to compare.
// fchmod only when the umask would strip bits, fchown only when running as
// root and the owner differs. A file that replaces one takes a linkat to a
// temporary name and a renameat instead of the linkat.

import (
	"bufio"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"

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
	noFlink  atomic.Bool // linkat(AT_EMPTY_PATH) refused: linked through /proc/self/fd
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
	cbuf    []byte // cstr
	buf     []byte
	buf2    []byte
	xbuf    []byte
}

func newWorker(id int) *worker {
	return &worker{id: id, nameBuf: make([]byte, 0, 64), cbuf: make([]byte, 0, 64), xbuf: make([]byte, 1024)}
}

type walker struct {
	buf   []byte
	names []byte // readSrc
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
		p.markChanged()
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
