package copier

import (
	"io/fs"
	"syscall"
)

var (
	errQuota  error = syscall.EDQUOT
	fatalErrs       = []error{syscall.ENOSPC, syscall.EDQUOT, syscall.EROFS}
)

func fillSys(st *fstat, fi fs.FileInfo) {
	s, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return
	}
	st.atime = s.Atimespec.Sec*1e9 + s.Atimespec.Nsec
	st.mtime = s.Mtimespec.Sec*1e9 + s.Mtimespec.Nsec
	st.ctime = s.Ctimespec.Sec*1e9 + s.Ctimespec.Nsec
	st.blocks = s.Blocks
	st.uid, st.gid = s.Uid, s.Gid
	st.dev, st.ino, st.nlink = uint64(s.Dev), s.Ino, uint64(s.Nlink)
}
