//go:build !linux && !darwin && !windows

package copier

import (
	"errors"
	"io/fs"
	"syscall"
)

var (
	errQuota  = errors.New("quota exceeded")
	fatalErrs = []error{syscall.ENOSPC, syscall.EROFS}
)

// fillSys keeps to what fs.FileInfo says everywhere.
func fillSys(st *fstat, fi fs.FileInfo) {}
