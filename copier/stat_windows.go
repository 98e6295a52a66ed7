package copier

import (
	"errors"
	"io/fs"
	"syscall"
)

var (
	errQuota  = errors.New("quota exceeded")
	fatalErrs = []error{syscall.ENOSPC, syscall.Errno(112) /* ERROR_DISK_FULL */, syscall.Errno(39) /* ERROR_HANDLE_DISK_FULL */}
)

// fillSys has nothing to add on Windows: no inode numbers through
// fs.FileInfo, so hard links are copied as separate files.
func fillSys(st *fstat, fi fs.FileInfo) {}
