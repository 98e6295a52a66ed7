//go:build !linux

package doctor

// Inotify applies only on Linux; elsewhere it reports no check.
func Inotify(opts Options) (Check, bool) { return Check{}, false }
