// Package state owns sprintkit's state directory in a checkout, `.sprintkit/`:
// where it is, how files are written into it (atomically: a temporary name,
// then a rename, so no half-written file ever sits under its final name), and
// keeping it out of `git status` through `.git/info/exclude`.
package state

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
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

// Ensure creates root/.sprintkit and, when root is a git work tree, adds
// "/.sprintkit/" to .git/info/exclude once.
func Ensure(root string) (string, error) {
	dir := Dir(root)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("create state directory: %w", err)
	}
	if err := exclude(root); err != nil {
		return "", err
	}
	return dir, nil
}

// exclude adds the state directory to .git/info/exclude when root has a .git
// directory (a .git file, as in worktrees and submodules, is left alone).
func exclude(root string) error {
	gitDir := filepath.Join(root, ".git")
	fi, err := os.Stat(gitDir)
	if err != nil || !fi.IsDir() {
		return nil
	}
	path := filepath.Join(gitDir, "info", "exclude")
	line := "/" + DirName + "/"
	if f, err := os.Open(path); err == nil {
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			if t := strings.TrimSpace(sc.Text()); t == line || t == DirName || t == DirName+"/" || t == "/"+DirName {
				f.Close()
				return nil
			}
		}
		f.Close()
	} else if !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("read %s: %w", path, err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("add %s to %s: %w", line, path, err)
	}
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return fmt.Errorf("add %s to %s: %w", line, path, err)
	}
	// Start on a new line if the file does not end with one.
	if st, err := f.Stat(); err == nil && st.Size() > 0 {
		buf := make([]byte, 1)
		if r, err := os.Open(path); err == nil {
			if _, err := r.ReadAt(buf, st.Size()-1); err == nil && buf[0] != '\n' {
				line = "\n" + line
			}
			r.Close()
		}
	}
	if _, err := fmt.Fprintf(f, "%s\n", line); err != nil {
		f.Close()
		return fmt.Errorf("add to %s: %w", path, err)
	}
	return f.Close()
}

// WriteFile writes a file atomically: the content goes to a temporary file in
// the same directory, which is synced and renamed over name only when write
// returned no error. On any error the temporary is removed and name is
// untouched.
func WriteFile(name string, write func(w io.Writer) error) error {
	dir := filepath.Dir(name)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(name)+".tmp-*")
	if err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	ok := false
	defer func() {
		if !ok {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	bw := bufio.NewWriterSize(tmp, 64<<10)
	if err := write(bw); err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	if err := tmp.Chmod(0o644); err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	if err := os.Rename(tmp.Name(), name); err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	ok = true
	return nil
}

// WriteJSON writes v as indented JSON to name, atomically.
func WriteJSON(name string, v any) error {
	return WriteFile(name, func(w io.Writer) error {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(v)
	})
}

// ReadJSON reads name into v; the error names the file.
func ReadJSON(name string, v any) error {
	b, err := os.ReadFile(name)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("parse %s: %w", name, err)
	}
	return nil
}
