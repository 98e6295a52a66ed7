//go:build unix && !linux

package safefs

// openBeneath has no single-call form here; the caller walks the path.
func openBeneath(dirfd int, rel string) (int, bool) { return -1, false }
