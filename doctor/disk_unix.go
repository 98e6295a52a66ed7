//go:build linux || darwin || freebsd

package doctor

import "golang.org/x/sys/unix"

// freeBytes returns the bytes available to an unprivileged user on the file
// system holding path (statfs f_bavail × f_bsize).
func freeBytes(path string) (uint64, error) {
	var st unix.Statfs_t
	if err := unix.Statfs(path, &st); err != nil {
		return 0, err
	}
	return uint64(st.Bavail) * uint64(st.Bsize), nil
}
