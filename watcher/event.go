package watcher

import (
	"errors"
	"fmt"
	"path"
	"strings"
	"time"
)

// Op is a kind of event. Ops combine as a bit set in Options.Ops.
type Op uint8

const (
	Created Op = 1 << iota // a path appeared
	Changed                // a file's contents, size, mode or inode changed; a directory's mode changed
	Deleted                // a path disappeared
	Renamed                // a path moved, both names inside the tree: Event.OldPath and Event.Path
	Error                  // something went wrong; Event.Err says what
)

// AllOps selects every kind of event.
const AllOps = Created | Changed | Deleted | Renamed | Error

func (o Op) String() string {
	var parts []string
	for _, x := range []struct {
		op   Op
		name string
	}{{Created, "created"}, {Changed, "changed"}, {Deleted, "deleted"}, {Renamed, "renamed"}, {Error, "error"}} {
		if o&x.op != 0 {
			parts = append(parts, x.name)
		}
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, "|")
}

// Event is one change in the watched tree.
type Event struct {
	Op Op
	// Path is the absolute path, in the operating system's form.
	Path string
	// Name is Path relative to the watched root, slash-separated.
	Name string
	// OldPath and OldName are the previous names of a Renamed path.
	OldPath string
	OldName string
	// IsDir reports whether the path is (or, for Deleted, was) a directory.
	IsDir bool
	// Err is set on Error events.
	Err error
}

func (e Event) String() string {
	switch e.Op {
	case Renamed:
		return fmt.Sprintf("renamed %s -> %s", e.OldName, e.Name)
	case Error:
		return fmt.Sprintf("error %v", e.Err)
	}
	return e.Op.String() + " " + e.Name
}

// ErrOverflow is wrapped by the Error event sent when the kernel dropped
// events (inotify's queue or Windows' buffer overflowed). A rescan follows
// in the same batch.
var ErrOverflow = errors.New("event queue overflow: events were lost, rescanning the tree")

// DefaultDebounce is the quiet period used when Options.Debounce is zero.
const DefaultDebounce = 50 * time.Millisecond

// NoDebounce, as Options.Debounce, delivers a batch as soon as the events
// already read have been handled, without waiting for a quiet period.
const NoDebounce time.Duration = -1

// DefaultMaxDelay bounds how long a batch waits when changes never stop
// coming (a log written every few milliseconds): see Options.MaxDelay.
const DefaultMaxDelay = 2 * time.Second

// DefaultPollInterval is used when Options.PollInterval is zero.
const DefaultPollInterval = time.Second

// Options configure a Watcher. The zero value watches everything with the
// default debounce.
type Options struct {
	// Patterns filter events by the base name of the path (or, for Renamed,
	// of either name), with path.Match syntax: "*.go", "go.mod". An event is
	// kept when any pattern matches; no patterns keeps every event.
	// Directories are matched too: add "*" or filter on Event.IsDir yourself
	// if you need them. Error events are always kept.
	Patterns []string
	// Ops selects the kinds of event to deliver; zero means AllOps. Error
	// events are always delivered.
	Ops Op
	// Debounce is the quiet period after the last event before a batch is
	// delivered: zero means DefaultDebounce, NoDebounce none at all.
	Debounce time.Duration
	// MaxDelay delivers a batch this long after its first event even if
	// the tree has not gone quiet, so a file written without pause cannot
	// hold back every other change. Zero means the larger of
	// DefaultMaxDelay and 20 times Debounce; negative means no limit.
	MaxDelay time.Duration
	// Ignore adds gitignore-style patterns, relative to the root, to those
	// of the tree's .gitignore files.
	Ignore []string
	// NoGitignore leaves .gitignore files and .git/info/exclude unread.
	// .git and .sprintkit directories stay ignored.
	NoGitignore bool
	// Poll forces polling instead of kernel notifications.
	Poll bool
	// PollInterval is the time between two scans when polling; zero means
	// DefaultPollInterval. On a tree so large that a scan takes more than
	// a twentieth of it, the interval stretches to twenty scans' time.
	PollInterval time.Duration
	// Warn receives one-line warnings, such as the switch to polling when
	// inotify watches run out. Nil discards them.
	Warn func(msg string)
}

func (o *Options) keep(e Event) bool {
	if e.Op == Error {
		return true
	}
	ops := o.Ops
	if ops == 0 {
		ops = AllOps
	}
	if ops&e.Op == 0 {
		return false
	}
	if len(o.Patterns) == 0 {
		return true
	}
	return matchAny(o.Patterns, path.Base(e.Name)) || (e.OldName != "" && matchAny(o.Patterns, path.Base(e.OldName)))
}

func matchAny(patterns []string, name string) bool {
	for _, p := range patterns {
		if ok, _ := path.Match(p, name); ok {
			return true
		}
	}
	return false
}
