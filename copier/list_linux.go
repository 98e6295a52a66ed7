package copier

import (
	"bytes"
	"unsafe"

	"golang.org/x/sys/unix"
)

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

// readSrc lists the source directory. The names are gathered in one
// buffer of the walker and made one string, which each entry's name is a
// part of: one allocation for the names of a directory, not one per name.
func (e *engine) readSrc(w *walker, d *dir) ([]dirent, error) {
	var ents []dirent
	var ends []int
	names := w.names[:0]
	err := readNames(d.sys.src, w.buf, func(name []byte, k kind) {
		names = append(names, name...)
		ends = append(ends, len(names))
		ents = append(ents, dirent{kind: k})
	})
	w.names = names[:0]
	all := string(names)
	start := 0
	for i, end := range ends {
		ents[i].name = all[start:end]
		start = end
	}
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
