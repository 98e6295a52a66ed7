//go:build unix

package serve

import "syscall"

// nonBlock is O_NONBLOCK: for a regular file or a directory it changes
// nothing.
const nonBlock = syscall.O_NONBLOCK
