// Package watcher is a recursive file-system watcher with the semantics of
// .NET's FileSystemWatcher, built on github.com/fsnotify/fsnotify: typed
// events (Created, Changed, Deleted, Renamed with the old and the new path,
// Error), filters by name pattern and by kind of event, whole trees with new
// directories picked up as they appear, and .git/, .sprintkit/ and whatever
// the tree's .gitignore files ignore left out.
//
// # How events are made
//
// fsnotify's events are only hints of where to look. The watcher keeps a
// snapshot of the tree (path → type, permissions, size, modification time,
// device and inode) and, once the tree has been quiet for Options.Debounce,
// compares the snapshot of every hinted path with what is on disk now. The
// differences are the events of that batch. This gives, with one mechanism:
//
//   - coalescing: an editor's save (write a temporary file, rename it over the
//     original, chmod it) is one Changed, because the temporary name neither
//     existed before nor exists after; a burst such as a checkout touching
//     10,000 files is one batch after the quiet period;
//   - renames: a path that disappeared and a path that appeared with the same
//     device and inode (and, without a rename hint from the kernel, the same
//     size and modification time) are one Renamed; renaming a directory
//     reports the directory and every entry beneath it as Renamed; a rename
//     out of the tree is a Deleted, one into it a Created;
//   - new directories: each is watched as soon as its creation is seen, and
//     read at the end of the batch, so files created in it before its watch
//     was in place are reported as Created;
//   - overflow: when the kernel's queue overflows, events are lost; the
//     watcher reports an Error event wrapping ErrOverflow and then rescans the
//     whole tree against the snapshot, so the batch still holds every change
//     and the final state is right;
//   - polling: the same comparison run over the whole tree every
//     Options.PollInterval (stretched on trees so large that scanning would
//     take more than 5% of the time), used when inotify watches run out,
//     when the kernel watcher stops, or when asked (Options.Poll). It works
//     on every platform.
//
// A batch goes out once the tree has been quiet for Options.Debounce, or
// Options.MaxDelay after its first event when changes never stop coming.
//
// Events are delivered in batches to the callback given to Run, in path
// order, with Error events first. The callback runs on the watcher's own
// goroutine: while it runs, no event is read, so it should hand the batch
// off and return quickly (a slow callback risks a queue overflow, which the
// rescan then repairs).
//
// # Ignored paths
//
// Directories named .git or .sprintkit are never entered. The patterns of
// every .gitignore in the tree and of .git/info/exclude are honoured with
// git's rules (the last matching pattern wins, deeper files over shallower,
// "!" re-includes, a trailing "/" matches only directories, a pattern with a
// "/" before its end is anchored to its file's directory, "**" matches any
// number of directories). The user's global excludes file (core.excludesFile)
// is not read. When a .gitignore changes, the paths it newly ignores leave
// the snapshot silently and the paths it stops ignoring join it silently.
//
// # Linux notes: inotify limits
//
// inotify watches directories, not trees: the watcher adds one watch per
// directory. Three sysctls bound it:
//
//   - fs.inotify.max_user_watches (often 8192 to 524288): watches per user
//     across all processes. Running out makes adding a watch fail with
//     ENOSPC; the watcher then falls back to polling and sends one warning
//     line to Options.Warn that names this sysctl. Raise it with
//     `sysctl fs.inotify.max_user_watches=524288` (persist it in
//     /etc/sysctl.d/). Each watch costs about 1 KiB of kernel memory.
//   - fs.inotify.max_user_instances (often 128): inotify instances per user;
//     each Watcher uses one.
//   - fs.inotify.max_queued_events (often 16384): events the kernel queues
//     for an instance before it drops them and reports an overflow. A burst
//     larger than this while the watcher is busy triggers the overflow
//     rescan described above.
//
// On macOS (kqueue) fsnotify opens one file descriptor per watched file and
// directory, so large trees may need a higher `ulimit -n`; on Windows one
// watch covers a directory and its buffer may overflow in the same way.
package watcher
