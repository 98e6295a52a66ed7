package proc

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sync"
)

// TempRoot is a fresh temporary directory of sprintkit's own, under the
// system's (os.TempDir), that every child and sprintkit itself use for their
// temporary files: NewTempRoot exports it as TMPDIR (and TMP and TEMP on
// Windows) and as GOTMPDIR, where the go command makes its go-build* work
// directories with the test binaries. Remove deletes it with whatever a
// stopped child left in it. A GOTMPDIR the user set is kept as the place
// for the go command's directories (it may be the one filesystem that
// allows running binaries): a fresh directory is made inside it instead.
type TempRoot struct {
	once sync.Once
	dirs []string
}

// NewTempRoot makes the temporary root and points this process's
// environment (which every child inherits) at it.
func NewTempRoot() (*TempRoot, error) {
	dir, err := os.MkdirTemp("", "sprintkit-run-")
	if err != nil {
		return nil, fmt.Errorf("temporary directory: %w", err)
	}
	r := &TempRoot{dirs: []string{dir}}
	// The rules of /tmp, which it stands in for (sticky, writable by
	// all): a test that runs a helper as another user (nobody) reaches the
	// directories it made for it, and that helper can make its own (a
	// coverage binary's GOCOVERDIR); no one removes what another made, and
	// go's own work directories are 0700.
	if err := os.Chmod(dir, 0o777|os.ModeSticky); err != nil {
		r.Remove()
		return nil, fmt.Errorf("temporary directory: %w", err)
	}
	gotmp := dir
	if user := os.Getenv("GOTMPDIR"); user != "" {
		if gotmp, err = os.MkdirTemp(user, "sprintkit-run-"); err != nil {
			r.Remove()
			return nil, fmt.Errorf("GOTMPDIR: %w", err)
		}
		r.dirs = append(r.dirs, gotmp)
	}
	vars := []string{"TMPDIR"}
	if runtime.GOOS == "windows" {
		vars = append(vars, "TMP", "TEMP")
	}
	for _, v := range vars {
		os.Setenv(v, dir)
	}
	os.Setenv("GOTMPDIR", gotmp)
	return r, nil
}

// Remove deletes the temporary root and everything in it; a second call
// does nothing.
func (r *TempRoot) Remove() error {
	var err error
	r.once.Do(func() {
		for _, d := range r.dirs {
			err = errors.Join(err, removeAll(d))
		}
	})
	return err
}

// removeAll is os.RemoveAll that also removes what a child made read-only
// (the go command's module cache directories are 0555).
func removeAll(dir string) error {
	if os.RemoveAll(dir) == nil {
		return nil
	}
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && d.IsDir() {
			os.Chmod(p, 0o700)
		}
		return nil
	})
	return os.RemoveAll(dir)
}
