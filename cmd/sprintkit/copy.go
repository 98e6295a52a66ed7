package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/sprintkit/sprintkit/cmd/sprintkit/termui"
	"github.com/sprintkit/sprintkit/copier"
	"github.com/sprintkit/sprintkit/internal/human"
	"github.com/sprintkit/sprintkit/onboard"
)

func copyCommand() *cli.Command {
	return &cli.Command{
		Name:      "copy",
		Usage:     "copy a tree in parallel, faithfully and atomically (like cp -a SRC/. DST/)",
		ArgsUsage: "SRC DST",
		Description: `Copies the directory SRC into DST (created if missing) like cp -a SRC/. DST/:
contents, permission bits, modification times to the nanosecond, symlinks as
links, hard links, sparse files, empty directories, extended attributes and,
as root, ownership. Devices, sockets and fifos are reported and skipped.
Files already up to date (same size and modification time) are skipped, so a
re-run after an interruption copies only what is missing.

What copy promises about what DST already has:
 - Nothing is deleted without --delete. An entry SRC lacks is kept, whatever
   its name; one SRC also has is replaced by SRC's, as with rsync -a (a file
   over a file or symlink, a directory over a file or symlink, a file over an
   empty directory; a symlink in DST is replaced, never followed).
 - A non-empty directory of DST is never replaced by a file or symlink of
   SRC: that entry is reported as an error and kept, the rest is copied, and
   copy exits 1. --delete replaces it.
 - No file appears under its final name before it is complete: each is
   written unnamed (or under a name of this run, .sprintkit.tmp-<random>-<n>)
   and linked or renamed into place. Ctrl-C removes what was half written;
   only files of this run are ever removed, never one of yours that looks
   like a temporary.
 - A file that changes while it is copied (its size, times or inode differ
   after the copy from before) is copied again; if it changes again it is
   reported as an error ("changed during the copy", exit 1) and DST keeps
   what it had. A same-size rewrite already under way when copy first looked
   at the file shows in no stat: --checksum on a later run finds it.

Example:
   sprintkit copy SRC DST -j 8
   sprintkit copy SRC DST --exclude '*.pyc' --exclude 'node_modules/'
   sprintkit copy SRC DST --checksum       # judge "unchanged" by content
   sprintkit copy SRC DST --dry-run --json # what would be done, one JSON object per line
   sprintkit copy SRC DST --delete         # also remove what DST has and SRC lacks`,
		Flags: []cli.Flag{
			&cli.IntFlag{Name: "jobs", Aliases: []string{"j"}, Usage: "copy `N` files at once", DefaultText: fmt.Sprint(copier.DefaultWorkers())},
			&cli.StringSliceFlag{Name: "exclude", Usage: "skip entries matching a gitignore-like `PATTERN` ('*.pyc', 'node_modules/', 'build/out'); repeatable"},
			&cli.BoolFlag{Name: "checksum", Usage: "compare content, not size and modification time, to decide what is up to date"},
			&cli.BoolFlag{Name: "delete", Usage: "remove entries of DST that SRC lacks (excluded names are kept), and replace DST's non-empty directories that SRC has as files"},
			&cli.BoolFlag{Name: "dry-run", Aliases: []string{"n"}, Usage: "report what would be done, change nothing"},
			&cli.StringFlag{Name: "format", Value: "text", Usage: "output as `text|json` (json: one object per entry and a summary, on stdout)"},
			&cli.BoolFlag{Name: "json", Usage: "same as --format json"},
		},
		Action: runCopy,
	}
}

// copyEvent is the --json form of a copier.Event, one per line:
//
//	{"event":"copied","type":"file","path":"a/b.go","size":1234}
//	{"event":"error","type":"file","path":"a/c","error":"a/c: open: permission denied"}
//
// event is copied, skipped, deleted, special or error; type is file, dir,
// symlink, hardlink or special. A path that is not valid UTF-8 comes with
// "path_bytes", its exact bytes in base64 (see copier.RawPath). The last
// line is the summary:
//
//	{"event":"summary","files":10,"dirs":3,...,"errors":0,"seconds":0.12}
type copyEvent struct {
	Event string `json:"event"`
	Type  string `json:"type"`
	Path  string `json:"path"`
	Size  int64  `json:"size,omitempty"`
	Error string `json:"error,omitempty"`
	// PathBytes is the path exactly, when it is not valid UTF-8.
	PathBytes []byte `json:"path_bytes,omitempty"`
}

type copySummary struct {
	Event     string  `json:"event"`
	DryRun    bool    `json:"dry_run,omitempty"`
	Files     int64   `json:"files"`
	Dirs      int64   `json:"dirs"`
	Symlinks  int64   `json:"symlinks"`
	Hardlinks int64   `json:"hardlinks"`
	Skipped   int64   `json:"skipped"`
	Deleted   int64   `json:"deleted"`
	Specials  int64   `json:"specials"`
	Errors    int64   `json:"errors"`
	Bytes     int64   `json:"bytes"`
	Seconds   float64 `json:"seconds"`
	Stopped   string  `json:"stopped,omitempty"`
}

func runCopy(c *cli.Context) error {
	if c.NArg() != 2 {
		return usagef("copy: want SRC and DST, got %d arguments", c.NArg())
	}
	if c.Int("jobs") < 0 {
		return usagef("copy: --jobs %d: want a positive number", c.Int("jobs"))
	}
	src, dst := c.Args().Get(0), c.Args().Get(1)
	stdout, stderr := c.App.Writer, c.App.ErrWriter
	format, err := jsonFormat(c, "copy", "text")
	if err != nil {
		return err
	}
	v := &copyView{stdout: stdout, stderr: stderr, enc: json.NewEncoder(stdout), asJSON: format == "json", dry: c.Bool("dry-run")}

	// Ctrl-C cancels the copy, which removes its temporaries before exiting.
	ctx, stop := signal.NotifyContext(c.Context, os.Interrupt, syscall.SIGTERM)
	defer stop()
	opts := copier.Options{
		Workers:  c.Int("jobs"),
		Exclude:  c.StringSlice("exclude"),
		Checksum: c.Bool("checksum"),
		Delete:   c.Bool("delete"),
		DryRun:   v.dry,
		OnEvent:  v.event,
	}
	if termui.IsTerminal(stderr) {
		opts.Progress = v.progress
	}
	res, err := onboard.Copy(ctx, src, dst, opts)
	v.done()
	stopped := ""
	if err != nil {
		stopped = err.Error()
	}
	st := res.Stats
	if v.asJSON {
		_ = v.enc.Encode(copySummary{Event: "summary", DryRun: v.dry, Files: st.Files, Dirs: st.Dirs, Symlinks: st.Symlinks,
			Hardlinks: st.Hardlinks, Skipped: st.Skipped, Deleted: st.Deleted, Specials: st.Specials, Errors: st.Errors,
			Bytes: st.Bytes, Seconds: res.Elapsed.Seconds(), Stopped: stopped})
	} else {
		printCopySummary(stdout, st, res.Elapsed, v.dry)
	}
	return copyError(err, dst, res.Conflicts, res.Changed)
}

// copyView draws a copy's events and progress: a line per error, special
// file (and, with --dry-run, what would be done), or a JSON object per
// event; a bar on a terminal.
type copyView struct {
	stdout, stderr io.Writer
	enc            *json.Encoder
	asJSON, dry    bool
	mu             sync.Mutex // stdout and stderr lines
	barOnce        sync.Once
	bar            *termui.Progress
}

func (v *copyView) event(ev copier.Event) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.asJSON {
		je := copyEvent{Event: string(ev.Kind), Type: ev.Type, Path: ev.Path, Size: ev.Size, PathBytes: copier.RawPath(ev.Path)}
		if ev.Err != nil {
			je.Error = ev.Err.Error()
		}
		_ = v.enc.Encode(je)
		return
	}
	switch ev.Kind {
	case copier.EventError:
		if errors.Is(ev.Err, copier.ErrTypeConflict) {
			what := map[string]string{"symlink": "a symlink", "hardlink": "a file"}[ev.Type]
			if what == "" {
				what = "a file"
			}
			fmt.Fprintf(v.stderr, "sprintkit: %s: %s in SRC, a non-empty directory in DST: kept, not replaced (--delete replaces it)\n", ev.Path, what)
			return
		}
		fmt.Fprintf(v.stderr, "sprintkit: %v\n", ev.Err)
	case copier.EventSpecial:
		fmt.Fprintf(v.stderr, "sprintkit: %s: special file (device, socket or fifo) not copied\n", ev.Path)
	case copier.EventCopied, copier.EventDeleted:
		if v.dry {
			verb := map[copier.EventKind]string{copier.EventCopied: "copy", copier.EventDeleted: "delete"}[ev.Kind]
			fmt.Fprintf(v.stdout, "%s %s %s\n", verb, ev.Type, ev.Path)
		}
	}
}

func (v *copyView) progress(p copier.Progress) {
	v.barOnce.Do(func() { v.bar = termui.NewProgress(v.stderr, -1, "copying", true) })
	v.mu.Lock()
	defer v.mu.Unlock()
	more := ""
	if !p.WalkDone {
		more = "+"
	}
	if p.TotalBytes > 0 {
		v.bar.SetTotal(p.TotalBytes)
	}
	v.bar.Set(p.Bytes)
	v.bar.Describe(fmt.Sprintf("%d/%d%s files", p.Files, p.TotalFiles, more))
}

// done ends the bar, if one was drawn.
func (v *copyView) done() {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.bar != nil {
		v.bar.Done()
	}
}

func printCopySummary(w io.Writer, st copier.Stats, elapsed time.Duration, dry bool) {
	verb := "copied"
	if dry {
		verb = "would copy"
	}
	fmt.Fprintf(w, "%s %s (%s), %s, %s, %s; %d up to date",
		verb, human.Count(int(st.Files), "file", "files"), human.Bytes(st.Bytes),
		human.Count(int(st.Symlinks), "symlink", "symlinks"), human.Count(int(st.Hardlinks), "hard link", "hard links"),
		human.Count(int(st.Dirs), "directory", "directories"), st.Skipped)
	if st.Deleted > 0 {
		fmt.Fprintf(w, ", %d deleted", st.Deleted)
	}
	if st.Specials > 0 {
		fmt.Fprintf(w, ", %s skipped", human.Count(int(st.Specials), "special file", "special files"))
	}
	if st.Errors > 0 {
		fmt.Fprintf(w, ", %s", human.Count(int(st.Errors), "error", "errors"))
	}
	fmt.Fprintf(w, " in %s\n", elapsed.Round(time.Millisecond))
}

// copyError maps the copier's error to what the CLI prints and exits with;
// conflicts and changed count the entries refused for a type conflict and
// those that changed during the copy.
func copyError(err error, dst string, conflicts, changed int64) error {
	var fe *copier.FileErrors
	switch {
	case err == nil:
		return nil
	case errors.As(err, &fe):
		hint := "fix what is listed and run the same command again: what was copied is skipped"
		switch {
		case conflicts == fe.Count:
			hint = "DST's directories were kept: move them away, or run the same command with --delete to replace them"
		case changed == fe.Count:
			hint = "files were being written to: run the same command again once they are left alone; what was copied is skipped"
		}
		return withHint(&exitError{code: 1, msg: fmt.Sprintf("%s could not be copied (listed above)", human.Count(int(fe.Count), "entry", "entries"))}, hint)
	case errors.Is(err, context.Canceled):
		return err
	case errors.Is(err, copier.ErrIntoItself):
		return withHint(err, "choose a destination outside the source")
	case errors.Is(err, copier.ErrSourceInside):
		return withHint(err, "copy into a directory that does not hold the source, or leave --delete out")
	case errors.Is(err, syscall.ENOSPC):
		return withHint(err, "free space on the destination ("+dst+") and run the same command again: what was copied is skipped")
	}
	return err
}
