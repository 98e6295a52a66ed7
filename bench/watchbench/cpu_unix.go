//go:build unix

package main

import (
	"syscall"
	"time"
)

// cpuTime is the user plus system CPU time of this process (getrusage).
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
