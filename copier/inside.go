package copier

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// checkPaths refuses a copy of a tree into itself, and a --delete copy of a
// tree into one of its ancestors (which would delete the source).
func checkPaths(src, dst string, del bool) error {
	fi, err := os.Stat(src)
	if err != nil {
		return fmt.Errorf("source: %w", err)
	}
	if !fi.IsDir() {
		return fmt.Errorf("source %s is not a directory", src)
	}
	s, err := realPath(src)
	if err != nil {
		return fmt.Errorf("source: %w", err)
	}
	d, err := realPath(dst)
	if err != nil {
		return fmt.Errorf("destination: %w", err)
	}
	if d == s || strings.HasPrefix(d, withSep(s)) {
		return fmt.Errorf("copy %s to %s: %w", src, dst, ErrIntoItself)
	}
	if del && strings.HasPrefix(s, withSep(d)) {
		return fmt.Errorf("copy %s to %s with delete: the source lies inside the destination and would be deleted", src, dst)
	}
	return nil
}

func withSep(p string) string {
	if strings.HasSuffix(p, string(filepath.Separator)) {
		return p
	}
	return p + string(filepath.Separator)
}

// realPath resolves symlinks in p; the part of p that does not exist yet is
// appended as it is.
func realPath(p string) (string, error) {
	p, err := filepath.Abs(p)
	if err != nil {
		return "", err
	}
	var rest []string
	cur := p
	for {
		r, err := filepath.EvalSymlinks(cur)
		if err == nil {
			return filepath.Join(append([]string{r}, rest...)...), nil
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return "", err
		}
		parent := filepath.Dir(cur)
		if parent == cur {
			return p, nil
		}
		rest = append([]string{filepath.Base(cur)}, rest...)
		cur = parent
	}
}
