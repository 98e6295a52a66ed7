package copier

import (
	"bytes"

	"golang.org/x/sys/unix"
)

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
