package main

import "syscall"

// maxrssBytes is ru_maxrss in bytes (Linux reports KiB).
func maxrssBytes(ru *syscall.Rusage) int64 { return ru.Maxrss * 1024 }
