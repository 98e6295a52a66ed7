// Package copier copies a directory tree in parallel, faithfully and
// atomically: the engine behind `sprintkit copy`, `sprintkit image` and
// `sprintkit setup --from-image`.
//
// Copy(ctx, src, dst, opts) behaves like `cp -a SRC/. DST/`: regular files
// byte for byte with their permission bits, modification times to the
// nanosecond (directories' set after their contents), symlinks as links,
// hard links inside the tree kept, sparse files sparse, empty directories
// kept, extended attributes where both sides support them (a symlink's too,
// on Linux) and ownership when running as root. Special files (devices,
// sockets, fifos) are reported and skipped.
//
// # What happens to the destination's entries
//
// Copy never deletes what the user has in the destination unless asked
// (Options.Delete):
//
//   - An entry the source lacks is left alone, whatever its name.
//   - An entry the source also has is replaced by the source's, as with
//     rsync -a: a file or symlink by a file, link or symlink, a file or
//     symlink by a directory (a symlink is replaced, never followed), and an
//     empty directory by a file or symlink.
//   - A non-empty directory is never replaced by a file, hard link or
//     symlink: that entry is a per-entry error (errors.Is ErrTypeConflict)
//     naming its path, the directory stays as it is, and the rest is copied.
//     With Delete the directory is removed and replaced.
//   - Delete never deletes the source: a source inside the destination, or
//     a destination inside the source (by path, symlink or bind mount,
//     compared by device and inode), is refused before anything is done,
//     in a dry run too; and a directory of the destination that is the
//     source or one of its ancestors mounted once more is not deleted (a
//     per-entry error, errors.Is ErrSourceInside).
//
// No file is ever visible under its final name before it is complete. On
// Linux a file is written unnamed (O_TMPFILE) and linked under its final
// name when complete, or under a temporary name that is at once renamed
// over the entry it replaces; elsewhere (or where the filesystem has no
// O_TMPFILE) it is written under a temporary name and renamed. A temporary
// name is TempPrefix, 16 random hex digits drawn for each run, "-" and a
// counter (TempPrefix, 16 hex digits, "-", a counter), and a run removes only its own temporaries, on
// error and on cancellation. A name that merely looks like one is the
// user's: it is copied from the source and kept in the destination like any
// other. Only a run that is killed (SIGKILL, a crash) can leave one behind:
// with O_TMPFILE only in the instant between naming a finished file and
// renaming it, elsewhere also while the file is written. A later run keeps
// it (it cannot tell it from a file of the user's), and Delete removes it
// like any entry the source lacks.
//
// A file that changes while it is copied is not copied torn: the source's
// size, modification time, status change time and inode are compared before
// its content is copied and after, and a file that changed is copied once
// more from its new state; if it changes again, that entry is a per-entry
// error (errors.Is ErrChanged) and the destination keeps what it had. What
// no stat shows is not caught, as with cp and rsync: a rewrite in place that
// keeps the size and was already under way when the copier first looked at
// the file. Options.Checksum on a later run finds such a file.
//
// A file whose size and modification time already match (or whose content
// does, with Options.Checksum) is skipped.
//
// Nothing is fsynced: like cp, the copy is as durable as the filesystem makes
// written data (on ext4, renames over existing files are flushed first).
//
// # How it goes fast
//
// Workers (Options.Workers) take directories to walk and batches of entries
// to copy from shared queues, so the walk runs alongside the copying and is
// itself spread over the workers; a directory is walked depth first, and a
// worker whose batch finds the queue full copies it itself, which bounds how
// far the walk runs ahead and how many directories are open. Each open
// directory is held as a pair of descriptors, and everything in it is done
// relative to them (openat, fstatat, linkat, ...), so no path is resolved
// twice. A directory's mode and times are set by whichever worker finishes
// its last entry. On Linux, content moves with copy_file_range (or a
// FICLONE reflink), files are created with their final mode (fchmod only
// when the umask is in the way), times are set on the open descriptor, and
// the rest of the syscalls per file are counted in sys_linux.go. bench/copy.sh
// compares the result with cp -a and rsync -a.
package copier

import (
	"errors"
	"fmt"
	"runtime"
	"unicode/utf8"
)

// TempPrefix starts the name of every temporary file the copier writes;
// the run's random token follows (TempPrefix, 16 hex digits, "-", a counter). An entry named so by the
// user is copied and kept like any other.
const TempPrefix = ".sprintkit.tmp-"

// Options controls Copy. The zero value copies everything with the default
// number of workers.
type Options struct {
	// Workers is the number of files copied at once; 0 means DefaultWorkers().
	// Workers spend nearly all their time in system calls: a program that
	// does little else while copying does well to set GOMAXPROCS to at least
	// Workers (sprintkit copy does), so that a worker coming back from a
	// system call need not wait for the Go scheduler to give it a P.
	Workers int
	// Exclude lists gitignore-like patterns matched against paths relative
	// to the source: "*.pyc" matches a name at any depth, "node_modules/"
	// matches directories only, a pattern with a slash in it ("build/out")
	// is anchored at the source root, "**" matches any number of directories.
	Exclude []string
	// Checksum judges an existing destination file unchanged by its content
	// rather than its size and modification time.
	Checksum bool
	// Delete removes entries of the destination that the source lacks
	// (excluded entries are left alone).
	Delete bool
	// DryRun reports what would be done without writing anything.
	DryRun bool
	// Progress, when set, is called from time to time (not per file) from a
	// single goroutine, and once more at the end.
	Progress func(Progress)
	// OnEvent, when set, is called once per entry with what was done to it.
	// Calls are serialised; keep it quick, it holds up a worker.
	OnEvent func(Event)
}

// Progress is a snapshot of a running copy. Totals grow while the walk is
// still going on (WalkDone false).
type Progress struct {
	Files, TotalFiles int64
	Bytes, TotalBytes int64
	WalkDone          bool
}

// Stats counts what a copy did.
type Stats struct {
	Files     int64 // regular files written
	Dirs      int64 // directories created or updated
	Symlinks  int64 // symbolic links created
	Hardlinks int64 // hard links made to a file already copied
	Skipped   int64 // entries already up to date
	Deleted   int64 // destination entries removed by Delete
	Specials  int64 // devices, sockets and fifos skipped
	Errors    int64 // per-entry errors (see Event)
	Bytes     int64 // bytes of file content written
}

// EventKind says what happened to an entry.
type EventKind string

const (
	EventCopied  EventKind = "copied"  // written (or, in a dry run, would be)
	EventSkipped EventKind = "skipped" // already up to date
	EventDeleted EventKind = "deleted" // removed from the destination (Delete)
	EventSpecial EventKind = "special" // a device, socket or fifo, not copied
	EventError   EventKind = "error"   // could not be copied; see Err
)

// Event reports one entry. Path is relative to the source, with forward
// slashes; Type is "file", "dir", "symlink", "hardlink" or "special".
type Event struct {
	Kind EventKind
	Path string
	Type string
	Size int64
	Err  error
}

// RawPath returns the bytes of an Event's Path when they are not valid
// UTF-8 (a Linux file name may be any bytes but "/" and NUL), and nil when
// they are. A JSON string cannot carry such bytes (encoding/json turns each
// into U+FFFD), so `sprintkit copy --format json` adds them, base64, as
// "path_bytes": the name exactly, beside a "path" that is only readable.
func RawPath(p string) []byte {
	if utf8.ValidString(p) {
		return nil
	}
	return []byte(p)
}

// ErrTypeConflict is the per-entry error of a file, hard link or symlink of
// the source whose name is a non-empty directory in the destination, which
// only Options.Delete replaces.
var ErrTypeConflict = errors.New("the destination has a non-empty directory here; not replaced without delete")

// ErrChanged is the per-entry error of a source file that changed while it
// was copied, twice; the destination keeps what it had under that name.
var ErrChanged = errors.New("changed during the copy")

// ErrIntoItself is returned when the destination is the source or lies
// inside it.
var ErrIntoItself = errors.New("cannot copy a directory into itself")

// ErrSourceInside is returned for a Delete copy whose source lies inside the
// destination (through a path, a symlink or a bind mount), where deleting
// what the source lacks would delete the source itself.
var ErrSourceInside = errors.New("the source lies inside the destination and would be deleted")

// FileErrors is returned by Copy when some entries could not be copied and
// the rest was. Count is the number of such entries; First holds the first
// few errors, each naming its path.
type FileErrors struct {
	Count int64
	First []error
}

func (e *FileErrors) Error() string {
	if e.Count == 1 && len(e.First) == 1 {
		return fmt.Sprintf("1 entry could not be copied: %v", e.First[0])
	}
	return fmt.Sprintf("%d entries could not be copied", e.Count)
}

// DefaultWorkers is the number of workers used when Options.Workers is 0:
// twice the CPUs Go may use, at least 4 and at most 16.
//
// Measured with bench/copy.sh (scenarios jobs-shm and jobs-disk: a 20,000
// file, 676 MiB checkout-like tree, interleaved rounds, medians) on a 2-core
// machine: on tmpfs, where copying is CPU work in the kernel, -j 2 and -j 4
// took 0.88× the time of -j 8, -j 1 1.23× and -j 16 1.02×; on the disk,
// where writeback dominates, -j 1 took 2.1× and -j 2 1.8× the time of -j 8,
// while 4, 8 and 16 were within the noise of each other. More workers than
// two per CPU only add scheduling; fewer than four leave a disk idle.
func DefaultWorkers() int { return min(16, max(4, 2*runtime.GOMAXPROCS(0))) }
