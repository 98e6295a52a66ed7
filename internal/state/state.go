// Package state owns sprintkit's state directory in a checkout, `.sprintkit/`:
// where it is, how files are written into it (atomically: a temporary name,
// then a rename, so no half-written file ever sits under its final name), and
// keeping it out of `git status` through `.git/info/exclude`.
package state

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/sprintkit/sprintkit/internal/safefs"
)

// DirName is the state directory's name inside a checkout.
const DirName = ".sprintkit"

// Well-known files inside the state directory.
const (
	ProfileFile  = "cover.out"     // the merged Go coverage profile of the last run
	ResultFile   = "coverage.json" // the last coverage result (the --format json contract)
	BaselineFile = "baseline.json" // test outcomes and coverage before anyone changed anything
	ReportDir    = "report"        // the HTML site
	EnvFile      = "env"           // environment for an image-based setup
)

// Dir returns root/.sprintkit.
func Dir(root string) string { return filepath.Join(root, DirName) }

// Path returns root/.sprintkit/name.
func Path(root, name string) string { return filepath.Join(root, DirName, name) }

// OutsideError is returned when writing into a checkout would leave it: a
// symbolic link, or a file, stands where sprintkit needs a directory of its
// own (.sprintkit, .git/info, or one beneath them), or where it writes a
// file.
type OutsideError struct {
	Checkout string
	Err      *safefs.Error
}

func (e *OutsideError) Error() string {
	return e.Err.Error() + "; sprintkit writes only inside the checkout"
}

func (e *OutsideError) Unwrap() error { return e.Err }

// Hint says what to do about it, for a person.
func (e *OutsideError) Hint() string {
	p := filepath.Join(e.Checkout, filepath.FromSlash(e.Err.Path))
	if e.Err.Path == DirName {
		return fmt.Sprintf("remove %s (sprintkit creates its own %s directory there) and run this again", p, DirName)
	}
	return fmt.Sprintf("remove %s (git and sprintkit recreate what they need) and run this again", p)
}

// outside turns a safefs refusal beneath root into an *OutsideError.
func outside(root string, err error) error {
	var se *safefs.Error
	if errors.As(err, &se) {
		return &OutsideError{Checkout: root, Err: se}
	}
	return err
}

// Ensure creates root/.sprintkit and, when root is a git work tree, adds
// "/.sprintkit/" to .git/info/exclude once. Both go through the checkout's
// opener (internal/safefs): a .sprintkit, .git or .git/info that is a
// symbolic link or a file is refused with an *OutsideError, and nothing is
// written.
func Ensure(root string) (string, error) {
	// The checkout itself is the caller's to name; below it, nothing is
	// followed.
	if err := os.MkdirAll(root, 0o755); err != nil {
		return "", fmt.Errorf("create the state directory %s: %w", Dir(root), err)
	}
	d, err := safefs.MkdirAll(root, DirName, 0o755)
	if err != nil {
		var oe *OutsideError
		if err = outside(root, err); errors.As(err, &oe) {
			return "", err // it names .sprintkit and the checkout itself
		}
		return "", fmt.Errorf("create the state directory %s: %w", Dir(root), err)
	}
	d.Close()
	if err := exclude(root, DirName); err != nil {
		return "", err
	}
	return Dir(root), nil
}

// OutputDir prepares root/.sprintkit/name for a writer that replaces it
// as a whole (the HTML report): .sprintkit is ensured as Ensure does, and
// an existing name must be a directory, not a symbolic link or a file. It
// returns the path to write.
func OutputDir(root, name string) (string, error) {
	if _, err := Ensure(root); err != nil {
		return "", err
	}
	d, err := safefs.Open(root, DirName)
	if err != nil {
		return "", outside(root, err)
	}
	defer d.Close()
	fi, err := d.Lstat(name)
	switch {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		return "", err
	case fi.Mode()&fs.ModeSymlink != 0:
		target, _ := os.Readlink(filepath.Join(d.Path(), name))
		return "", &OutsideError{Checkout: root, Err: &safefs.Error{Root: root, Path: DirName + "/" + name, Kind: "symlink", Target: target}}
	case !fi.IsDir():
		return "", fmt.Errorf("%s exists and is not a directory", filepath.Join(d.Path(), name))
	}
	return Path(root, name), nil
}

// Exclude adds the directory name of the checkout root (the virtual
// environment sprintkit creates, ".venv") to .git/info/exclude once, as
// Ensure does for the state directory.
func Exclude(root, name string) error { return exclude(root, name) }

// exclude adds the directory name to .git/info/exclude when root has a .git
// directory (a .git file, as in worktrees and submodules, is left alone).
func exclude(root, name string) error {
	gitDir := filepath.Join(root, ".git")
	fi, err := os.Lstat(gitDir)
	switch {
	case err != nil, fi.Mode().IsRegular():
		return nil
	case fi.Mode()&fs.ModeSymlink != 0:
		target, _ := os.Readlink(gitDir)
		return &OutsideError{Checkout: root, Err: &safefs.Error{Root: root, Path: ".git", Kind: "symlink", Target: target}}
	case !fi.IsDir():
		return nil
	}
	path := filepath.Join(gitDir, "info", "exclude")
	line := "/" + name + "/"
	d, err := safefs.MkdirAll(root, ".git/info", 0o755)
	if err != nil {
		var oe *OutsideError
		if err = outside(root, err); errors.As(err, &oe) {
			return err
		}
		return fmt.Errorf("add %s to %s: %w", line, path, err)
	}
	defer d.Close()
	var old []byte
	if f, err := d.OpenFile("exclude", os.O_RDONLY, 0); err == nil {
		old, err = io.ReadAll(io.LimitReader(f, 16<<20))
		f.Close()
		if err != nil {
			return fmt.Errorf("read %s: %w", path, err)
		}
	} else if !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("read %s: %w", path, outside(root, err))
	}
	sc := bufio.NewScanner(bytes.NewReader(old))
	for sc.Scan() {
		if t := strings.TrimSpace(sc.Text()); t == line || t == name || t == name+"/" || t == "/"+name {
			return nil
		}
	}
	f, err := d.OpenFile("exclude", os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return fmt.Errorf("add %s to %s: %w", line, path, outside(root, err))
	}
	// Start on a new line if the file does not end with one.
	if len(old) > 0 && old[len(old)-1] != '\n' {
		line = "\n" + line
	}
	if _, err := fmt.Fprintf(f, "%s\n", line); err != nil {
		f.Close()
		return fmt.Errorf("add to %s: %w", path, err)
	}
	return f.Close()
}

// splitState finds the state directory in name: the checkout before the
// last ".sprintkit" element, and the rest relative to the checkout.
func splitState(name string) (root, rel string, ok bool) {
	clean := filepath.Clean(name)
	elems := strings.Split(filepath.ToSlash(clean), "/")
	for i := len(elems) - 2; i >= 0; i-- {
		if elems[i] == DirName {
			root = filepath.FromSlash(strings.Join(elems[:i], "/"))
			if root == "" {
				if filepath.IsAbs(clean) {
					root = string(filepath.Separator)
				} else {
					root = "."
				}
			}
			return root, strings.Join(elems[i:], "/"), true
		}
	}
	return "", "", false
}

// WriteFile writes a file atomically: the content goes to a new temporary
// file (a random name, created exclusively) in the same directory, which is
// synced and renamed over name only when write returned no error. On any
// error the temporary is removed and name is untouched.
//
// When name lies in a checkout's state directory (CHECKOUT/.sprintkit/...),
// every directory from the checkout down is opened through the checkout's
// opener: a symbolic link on the way is refused with an *OutsideError and
// nothing is written.
func WriteFile(name string, write func(w io.Writer) error) error {
	var d *safefs.Dir
	var err error
	if root, rel, ok := splitState(name); ok {
		if err := os.MkdirAll(root, 0o755); err != nil {
			return fmt.Errorf("write %s: %w", name, err)
		}
		d, err = safefs.MkdirAll(root, path.Dir(rel), 0o755)
		err = outside(root, err)
	} else {
		dir := filepath.Dir(name)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return fmt.Errorf("write %s: %w", name, err)
		}
		d, err = safefs.Open(dir, "")
	}
	if err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	defer d.Close()
	return d.WriteFileAtomic(filepath.Base(name), 0o644, write)
}

// WriteJSON writes v as indented JSON to name, atomically.
func WriteJSON(name string, v any) error {
	return WriteFile(name, func(w io.Writer) error {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(v)
	})
}

// ReadJSON reads name into v; the error names the file. A name in a
// checkout's state directory is read through the opener, so a link there
// is refused rather than followed out of the checkout.
func ReadJSON(name string, v any) error {
	b, err := readFile(name)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("parse %s: %w", name, err)
	}
	return nil
}

func readFile(name string) ([]byte, error) {
	root, rel, ok := splitState(name)
	if !ok {
		return os.ReadFile(name)
	}
	d, err := safefs.Open(root, path.Dir(rel))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", name, outside(root, err))
	}
	defer d.Close()
	f, err := d.OpenFile(path.Base(rel), os.O_RDONLY, 0)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", name, outside(root, err))
	}
	defer f.Close()
	return io.ReadAll(f)
}
