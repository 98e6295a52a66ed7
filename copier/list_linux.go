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
