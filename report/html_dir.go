package report

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// siteMode is the mode the site's directory gets: the permission bits of
// an existing dir (the user's 0700 stays 0700), else 0755 less the umask,
// as os.Mkdir would create it. The umask is learnt by making a directory
// in tmp, since reading it (syscall.Umask) sets it for the whole process.
func siteMode(dir, tmp string) (fs.FileMode, error) {
	if fi, err := os.Stat(dir); err == nil && fi.IsDir() {
		return fi.Mode().Perm(), nil
	}
	probe := filepath.Join(tmp, ".mode")
	if err := os.Mkdir(probe, 0o755); err != nil {
		return 0, err
	}
	fi, err := os.Stat(probe)
	if rerr := os.Remove(probe); err == nil {
		err = rerr
	}
	if err != nil {
		return 0, err
	}
	return fi.Mode().Perm(), nil
}

// checkReplaceable refuses to replace a directory that is not ours.
func checkReplaceable(dir string) error {
	fi, err := os.Stat(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("html report: %w", err)
	}
	if !fi.IsDir() {
		return fmt.Errorf("html report: %s exists and is not a directory", dir)
	}
	if _, err := os.Stat(filepath.Join(dir, siteMarker)); err == nil {
		return nil
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("html report: %w", err)
	}
	if len(entries) > 0 {
		return fmt.Errorf("html report: %s is not empty and holds no previous report; refusing to replace it", dir)
	}
	return nil
}

// replaceDir renames tmp to dir, moving an existing dir aside first and
// removing it once the new site is in place.
func replaceDir(tmp, dir string) error {
	old := ""
	if _, err := os.Stat(dir); err == nil {
		o, err := os.MkdirTemp(filepath.Dir(dir), "."+filepath.Base(dir)+".old-")
		if err != nil {
			return fmt.Errorf("html report: %w", err)
		}
		if err := os.Remove(o); err != nil {
			return fmt.Errorf("html report: %w", err)
		}
		if err := os.Rename(dir, o); err != nil {
			return fmt.Errorf("html report: move old report aside: %w", err)
		}
		old = o
	}
	if err := os.Rename(tmp, dir); err != nil {
		if old != "" {
			os.Rename(old, dir)
		}
		return fmt.Errorf("html report: %w", err)
	}
	if old != "" {
		os.RemoveAll(old)
	}
	return nil
}
