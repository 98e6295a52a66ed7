//go:build unix && !linux

package main

import "syscall"

// maxrssBytes is ru_maxrss in bytes (macOS and the BSDs report bytes).
func maxrssBytes(ru *syscall.Rusage) int64 { return int64(ru.Maxrss) }
