//go:build !linux

package copier

// The portable fallback: path-based operations through package os, content
// through io.CopyBuffer (which uses the platform's fast path where Go has
// one). Not kept here: extended attributes, sparseness, the times of
// symlinks, and ownership on Windows.

import (
	"bytes"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sync/atomic"
	"time"
)

type sysDir struct {
	exists bool // the destination directory exists (false only in a dry run)
}

type fastPaths struct{}

type worker struct {
	wk      *walker
	id      int
	tmpBase string         // this run's temporary names start so
	tmpSeq  *atomic.Uint64 // and end with the next number from here
	nameBuf []byte
	buf     []byte
	buf2    []byte
}

func newWorker(id int) *worker {
	return &worker{id: id, nameBuf: make([]byte, 0, 64)}
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
	e.root = os.Geteuid() == 0
}

func toFstat(fi fs.FileInfo) fstat {
	st := fstat{
		perm:  uint32(fi.Mode().Perm()),
		size:  fi.Size(),
		mtime: fi.ModTime().UnixNano(),
		atime: fi.ModTime().UnixNano(),
		valid: true,
	}
	m := fi.Mode()
	if m&fs.ModeSetuid != 0 {
		st.perm |= 0o4000
	}
	if m&fs.ModeSetgid != 0 {
		st.perm |= 0o2000
	}
	if m&fs.ModeSticky != 0 {
		st.perm |= 0o1000
	}
	switch {
	case m.IsRegular():
		st.kind = kFile
	case m.IsDir():
		st.kind = kDir
	case m&fs.ModeSymlink != 0:
		st.kind = kSymlink
	default:
		st.kind = kSpecial
	}
	fillSys(&st, fi)
	return st
}

func fileMode(perm uint32) fs.FileMode {
	m := fs.FileMode(perm & 0o777)
	if perm&0o4000 != 0 {
		m |= fs.ModeSetuid
	}
	if perm&0o2000 != 0 {
		m |= fs.ModeSetgid
	}
	if perm&0o1000 != 0 {
		m |= fs.ModeSticky
	}
	return m
}

func (e *engine) openRoot(src, dst string) (*dir, error) {
	d := &dir{srcPath: src, dstPath: dst}
	d.pending.Store(1)
	fi, err := os.Stat(src)
	if err != nil {
		return nil, err
	}
	d.st = toFstat(fi)
	e.dirs.Add(1)
	if !e.opts.DryRun {
		if err := os.MkdirAll(filepath.Dir(filepath.Clean(dst)), 0o777); err != nil {
			return nil, err
		}
		err := os.Mkdir(dst, fs.FileMode(d.st.perm&0o777|0o700))
		switch {
		case err == nil:
			d.fresh = true
		case !errors.Is(err, fs.ErrExist):
			return nil, err
		}
	}
	dfi, err := os.Stat(dst)
	if err != nil {
		if e.opts.DryRun && errors.Is(err, fs.ErrNotExist) {
			d.fresh = true
			e.event(EventCopied, d, "", "dir", 0, nil)
			return d, nil
		}
		return nil, err
	}
	if !dfi.IsDir() {
		return nil, &os.PathError{Op: "copy to", Path: dst, Err: errors.New("not a directory")}
	}
	d.sys.exists = true
	d.dstSt = toFstat(dfi)
	if d.fresh {
		e.event(EventCopied, d, "", "dir", 0, nil)
	}
	return d, nil
}

func (e *engine) openChild(w *walker, p *dir, name string) (*dir, error) {
	d := &dir{parent: p, rel: p.relTo(name), srcPath: filepath.Join(p.srcPath, name), dstPath: filepath.Join(p.dstPath, name)}
	d.pending.Store(1)
	fi, err := os.Lstat(d.srcPath)
	if err != nil {
		return nil, err
	}
	if !fi.IsDir() {
		return nil, errors.New("no longer a directory")
	}
	d.st = toFstat(fi)
	if e.rootDst.ino != 0 && d.st.dev == e.rootDst.dev && d.st.ino == e.rootDst.ino {
		return nil, errors.New("this is the destination (reached through a mount); not copied into itself")
	}
	e.dirs.Add(1)
	k, existed := p.dst[name]
	if !p.sys.exists || (e.opts.DryRun && (p.fresh || !existed || k != kDir)) {
		d.fresh = true
		e.event(EventCopied, d, "", "dir", 0, nil)
		return d, nil
	}
	if !p.fresh && existed {
		err = fs.ErrExist
	} else {
		err = os.Mkdir(d.dstPath, fs.FileMode(d.st.perm&0o777|0o700))
	}
	switch {
	case err == nil:
		d.fresh = true
	case errors.Is(err, fs.ErrExist):
		dfi, err := os.Lstat(d.dstPath)
		if err == nil && !dfi.IsDir() {
			if err := os.Remove(d.dstPath); err != nil {
				return nil, err
			}
			if err := os.Mkdir(d.dstPath, fs.FileMode(d.st.perm&0o777|0o700)); err != nil {
				return nil, err
			}
			d.fresh = true
		}
	default:
		return nil, err
	}
	d.sys.exists = true
	if dfi, err := os.Lstat(d.dstPath); err == nil {
		d.dstSt = toFstat(dfi)
	}
	if d.fresh {
		e.event(EventCopied, d, "", "dir", 0, nil)
	} else {
		e.event(EventSkipped, d, "", "dir", 0, nil)
	}
	return d, nil
}

func (e *engine) closeDir(d *dir) {}

func (e *engine) readSrc(w *walker, d *dir) ([]dirent, error) {
	des, err := os.ReadDir(d.srcPath)
	if err != nil {
		return nil, err
	}
	ents := make([]dirent, 0, len(des))
	for _, de := range des {
		ents = append(ents, dirent{name: de.Name(), kind: kindOf(de.Type())})
	}
	return ents, nil
}

func kindOf(t fs.FileMode) kind {
	switch {
	case t.IsRegular():
		return kFile
	case t.IsDir():
		return kDir
	case t&fs.ModeSymlink != 0:
		return kSymlink
	}
	return kSpecial
}

func (e *engine) listDst(w *walker, d *dir) error {
	if !d.sys.exists {
		return nil
	}
	des, err := os.ReadDir(d.dstPath)
	if err != nil {
		return err
	}
	d.dst = make(map[string]kind, len(des))
	for _, de := range des {
		d.dst[de.Name()] = kindOf(de.Type())
	}
	return nil
}

func (e *engine) lstatSrc(d *dir, name string) (fstat, error) {
	fi, err := os.Lstat(filepath.Join(d.srcPath, name))
	if err != nil {
		return fstat{}, err
	}
	return toFstat(fi), nil
}

func (e *engine) lstatDst(d *dir, name string) (fstat, error) {
	fi, err := os.Lstat(filepath.Join(d.dstPath, name))
	if err != nil {
		return fstat{}, err
	}
	return toFstat(fi), nil
}

func (e *engine) writeTemp(w *worker, d *dir, it *item, wantIno, replace, replaceDir bool) (tmp string, ino uint64, op string, err error) {
	st := &it.st
	in, err := os.Open(filepath.Join(d.srcPath, it.name))
	if err != nil {
		return "", 0, "open", err
	}
	defer in.Close()
	var out *os.File
	var path string
	for {
		tmp = w.tempName()
		path = filepath.Join(d.dstPath, tmp)
		out, err = os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, fs.FileMode(st.perm&0o777))
		if !errors.Is(err, fs.ErrExist) {
			break
		}
	}
	if err != nil {
		return "", 0, "create temporary", err
	}
	fail := func(o string, err error) (string, uint64, string, error) {
		out.Close()
		os.Remove(path)
		return "", 0, o, err
	}
	if w.buf == nil {
		w.buf = make([]byte, 256<<10)
	}
	if _, err := io.CopyBuffer(onlyWriter{out}, onlyReader{&ctxReader{e: e, r: in}}, w.buf); err != nil {
		return fail("copy", err)
	}
	if testHookAfterData != nil {
		testHookAfterData(d.relTo(it.name))
	}
	// The content, mode and times must be of one state of the source: its
	// stat before the copy (st, taken before it was opened) and after.
	fi, err := in.Stat()
	if err != nil {
		return fail("stat", err)
	}
	after := toFstat(fi)
	if st.ino == 0 { // no inode numbers here: a replaced file is not seen by them
		after.ino, after.dev = st.ino, st.dev
	}
	if err := checkUnchanged(st, &after); err != nil {
		return fail("copy", err)
	}
	if e.root && (st.uid != e.uid || st.gid != e.gid) {
		if err := out.Chown(int(st.uid), int(st.gid)); err != nil && !errors.Is(err, errors.ErrUnsupported) {
			return fail("set owner", err)
		}
	}
	if err := out.Chmod(fileMode(st.perm)); err != nil {
		return fail("set mode", err)
	}
	if err := out.Close(); err != nil {
		os.Remove(path)
		return "", 0, "close", err
	}
	if err := os.Chtimes(path, time.Unix(0, st.atime), time.Unix(0, st.mtime)); err != nil {
		os.Remove(path)
		return "", 0, "set times", err
	}
	if wantIno {
		if fi, err := os.Lstat(path); err == nil {
			ino = toFstat(fi).ino
		}
	}
	if replaceDir {
		if err := e.clearDir(d, it.name); err != nil {
			os.Remove(path)
			return "", 0, "replace directory", err
		}
	}
	return tmp, ino, "", nil
}

type onlyWriter struct{ io.Writer }
type onlyReader struct{ io.Reader }

// ctxReader stops a copy when the run is cancelled.
type ctxReader struct {
	e *engine
	r io.Reader
}

func (c *ctxReader) Read(p []byte) (int, error) {
	if err := c.e.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

func (e *engine) renameDst(d *dir, from, to string) error {
	return os.Rename(filepath.Join(d.dstPath, from), filepath.Join(d.dstPath, to))
}

func (e *engine) removeTemp(d *dir, tmp string) { _ = os.Remove(filepath.Join(d.dstPath, tmp)) }

// removeEmptyDir removes the directory name of d's destination if it is
// empty, and returns ErrTypeConflict if it is not.
func (e *engine) removeEmptyDir(d *dir, name string) error {
	empty, err := e.dstDirEmpty(d, name)
	if err != nil {
		return err
	}
	if !empty {
		return ErrTypeConflict
	}
	// Remove removes only an empty directory: if an entry was added
	// meanwhile, it fails and the directory stays.
	if err := os.Remove(filepath.Join(d.dstPath, name)); err != nil {
		if empty, err2 := e.dstDirEmpty(d, name); err2 == nil && !empty {
			return ErrTypeConflict
		}
		return err
	}
	return nil
}

// dstDirEmpty reports whether the directory name of d's destination is
// empty.
func (e *engine) dstDirEmpty(d *dir, name string) (bool, error) {
	if !d.sys.exists {
		return true, nil
	}
	f, err := os.Open(filepath.Join(d.dstPath, name))
	if err != nil {
		return false, err
	}
	defer f.Close()
	names, err := f.Readdirnames(1)
	if err == io.EOF {
		return true, nil
	}
	return len(names) == 0, err
}

func (e *engine) removeDst(d *dir, name string, k kind) error {
	if k == kDir {
		return e.removeTree(filepath.Join(d.dstPath, name))
	}
	return os.Remove(filepath.Join(d.dstPath, name))
}

func (e *engine) linkDst(w *worker, d *dir, target, name string, exists bool) error {
	final := filepath.Join(d.dstPath, name)
	if !exists {
		err := os.Link(target, final)
		if !errors.Is(err, fs.ErrExist) {
			return err
		}
	}
	tmp := filepath.Join(d.dstPath, w.tempName())
	if err := os.Link(target, tmp); err != nil {
		return err
	}
	if err := os.Rename(tmp, final); err != nil {
		os.Remove(tmp)
		return err
	}
	return nil
}

func (e *engine) readlinkSrc(d *dir, name string) (string, error) {
	return os.Readlink(filepath.Join(d.srcPath, name))
}

func (e *engine) readlinkDst(d *dir, name string) (string, error) {
	return os.Readlink(filepath.Join(d.dstPath, name))
}

// symlinkDst creates the link name -> target in d with the attributes of
// st, made under a temporary name of this run and renamed into place.
func (e *engine) symlinkDst(w *worker, d *dir, target, name string, st *fstat) (op string, err error) {
	tmp := w.tempName()
	tmpPath := filepath.Join(d.dstPath, tmp)
	if err := os.Symlink(target, tmpPath); err != nil {
		return "create link", err
	}
	if err := e.setLinkMeta(d, tmp, st); err != nil {
		os.Remove(tmpPath)
		return "set attributes", err
	}
	if err := os.Rename(tmpPath, filepath.Join(d.dstPath, name)); err != nil {
		os.Remove(tmpPath)
		return "rename into place", err
	}
	return "", nil
}

func (e *engine) setLinkMeta(d *dir, name string, st *fstat) error {
	if e.root && (st.uid != e.uid || st.gid != e.gid) {
		if err := os.Lchown(filepath.Join(d.dstPath, name), int(st.uid), int(st.gid)); err != nil && !errors.Is(err, errors.ErrUnsupported) {
			return err
		}
	}
	return nil
}

func (e *engine) fixMeta(d *dir, name string, st, ds *fstat) error {
	path := filepath.Join(d.dstPath, name)
	if st.perm != ds.perm {
		if err := os.Chmod(path, fileMode(st.perm)); err != nil {
			return err
		}
	}
	if st.mtime != ds.mtime {
		return os.Chtimes(path, time.Unix(0, st.atime), time.Unix(0, st.mtime))
	}
	return nil
}

func (e *engine) setDirMeta(d *dir) error {
	if !d.sys.exists {
		return nil
	}
	if d.st.perm != d.dstSt.perm {
		if err := os.Chmod(d.dstPath, fileMode(d.st.perm)); err != nil {
			return err
		}
	}
	return os.Chtimes(d.dstPath, time.Unix(0, d.st.atime), time.Unix(0, d.st.mtime))
}

func (e *engine) sameContent(w *worker, d *dir, name string, size int64) (bool, error) {
	a, err := os.Open(filepath.Join(d.srcPath, name))
	if err != nil {
		return false, err
	}
	defer a.Close()
	b, err := os.Open(filepath.Join(d.dstPath, name))
	if err != nil {
		return false, err
	}
	defer b.Close()
	if w.buf == nil {
		w.buf = make([]byte, 256<<10)
	}
	if w.buf2 == nil {
		w.buf2 = make([]byte, 256<<10)
	}
	for {
		n1, err1 := io.ReadFull(a, w.buf)
		n2, err2 := io.ReadFull(b, w.buf2)
		if n1 != n2 || !bytes.Equal(w.buf[:n1], w.buf2[:n2]) {
			return false, nil
		}
		if err1 == io.EOF || err1 == io.ErrUnexpectedEOF {
			return err2 == err1, nil
		}
		if err1 != nil {
			return false, err1
		}
		if err2 != nil {
			return false, err2
		}
	}
}

// openSrc opens a source file ahead of its stat on Linux only: here the
// caller stats it first (lstatSrc) and writeTemp opens it.
func (e *engine) openSrc(w *worker, d *dir, it *item) bool { return false }

func (e *engine) dropSrc(it *item) {}
