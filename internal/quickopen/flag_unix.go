//go:build unix

package quickopen

import "syscall"

const flag = syscall.O_NONBLOCK
