//go:build !unix

package watcher

import "io/fs"

// fileID returns zeros where the platform has no inode numbers in its
// FileInfo; renames are then paired by kernel hints, size and time.
func fileID(fi fs.FileInfo) (dev, ino uint64) { return 0, 0 }
