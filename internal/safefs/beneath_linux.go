package safefs

import (
	"sync/atomic"

	"golang.org/x/sys/unix"
)

// noOpenat2 is set once the kernel answered ENOSYS (before Linux 5.6, or a
// seccomp filter that hides the call).
var noOpenat2 atomic.Bool

// openBeneath opens the directory rel beneath dirfd in one openat2 call that
// refuses every symbolic link and any escape. It reports false when the
// call is unavailable or failed, and the caller walks element by element
// (which also creates what is missing and says what stands in the way).
func openBeneath(dirfd int, rel string) (int, bool) {
	if noOpenat2.Load() {
		return -1, false
	}
	for {
		fd, err := unix.Openat2(dirfd, rel, &unix.OpenHow{
			Flags:   unix.O_RDONLY | unix.O_DIRECTORY | unix.O_CLOEXEC,
			Resolve: unix.RESOLVE_BENEATH | unix.RESOLVE_NO_SYMLINKS | unix.RESOLVE_NO_MAGICLINKS,
		})
		switch err {
		case nil:
			return fd, true
		case unix.EINTR, unix.EAGAIN:
			continue
		case unix.ENOSYS, unix.EPERM:
			noOpenat2.Store(true)
		}
		return -1, false
	}
}
