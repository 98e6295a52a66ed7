//go:build unix

package copier

import (
	"io/fs"
	"syscall"
)

// fileID returns the device and inode of fi, which name one directory
// whatever path (or bind mount) reached it.
func fileID(fi fs.FileInfo) ([2]uint64, bool) {
	s, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return [2]uint64{}, false
	}
	return [2]uint64{uint64(s.Dev), uint64(s.Ino)}, true
}
