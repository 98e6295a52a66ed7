package report

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/sprintkit/sprintkit/internal/quickopen"
)

// readSource reads the source of the file at rel in the checkout, or says
// on the page why not. It reads only a regular file whose path, with every
// symlink resolved, is inside the checkout's resolved root: a symlink
// committed to a repository (notes.txt -> /home/me/.ssh/id_ed25519) must
// not put a file from elsewhere on the machine into a report that may be
// published. Only a regular file is opened (a named pipe would block the
// report), and the file opened is checked to be the one resolved.
//
// The real path of each directory is resolved once (realDir): a source
// whose directory resolves inside the checkout and which is itself a
// regular file, not a symlink, is the same file filepath.EvalSymlinks would
// reach, found with one Lstat instead of one per path element. Anything
// else (a symlinked file, a directory that resolves outside or not at all,
// a missing file) takes the full resolution, which says why.
func (s *site) readSource(rel string) (src []byte, problem string) {
	if s.realRoot == "" {
		return nil, fmt.Sprintf("the checkout %s could not be resolved", s.r.Root)
	}
	p := filepath.Join(s.root, filepath.FromSlash(rel))
	var real string
	var li fs.FileInfo
	if dir, ok := s.realDir(filepath.Dir(p)); ok {
		cand := filepath.Join(dir, filepath.Base(p))
		if fi, err := os.Lstat(cand); err == nil && fi.Mode().IsRegular() {
			real, li = cand, fi
		}
	}
	if li == nil {
		var err error
		real, err = filepath.EvalSymlinks(p)
		if err != nil {
			return nil, fmt.Sprintf("%s could not be read (%s)", rel, readProblem(err))
		}
		if !within(s.realRoot, real) {
			s.warn(fmt.Sprintf("%s resolves to %s, outside the checkout; its source is left out of the report", rel, real))
			return nil, rel + " is outside the checkout (a symlink leads out of it), so its source is not shown"
		}
		li, err = os.Lstat(real)
		if err != nil {
			return nil, fmt.Sprintf("%s could not be read (%s)", rel, readProblem(err))
		}
		if !li.Mode().IsRegular() {
			return nil, rel + " is not a regular file"
		}
	}
	fh, err := quickopen.Open(real)
	if err != nil {
		return nil, fmt.Sprintf("%s could not be read (%s)", rel, readProblem(err))
	}
	defer fh.Close()
	if fi, err := fh.Stat(); err != nil || !os.SameFile(fi, li) {
		return nil, rel + " changed while it was read"
	}
	b, err := quickopen.ReadAllSized(fh, li.Size())
	if err != nil {
		return nil, fmt.Sprintf("%s could not be read (%s)", rel, readProblem(err))
	}
	return b, ""
}

// realDir returns the directory dir with every symlink resolved, when that
// is inside the checkout's resolved root; ok is false when it is not, or
// cannot be resolved. Each directory is resolved once per site.
func (s *site) realDir(dir string) (real string, ok bool) {
	s.dirMu.Lock()
	defer s.dirMu.Unlock()
	if d, seen := s.realDirs[dir]; seen {
		return d, d != ""
	}
	if s.realDirs == nil {
		s.realDirs = map[string]string{}
	}
	d, err := filepath.EvalSymlinks(dir)
	if err != nil || !within(s.realRoot, d) {
		d = ""
	}
	s.realDirs[dir] = d
	return d, d != ""
}

// within reports whether the clean path p is root or below it.
func within(root, p string) bool {
	rel, err := filepath.Rel(root, p)
	return err == nil && !filepath.IsAbs(rel) && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}

func readProblem(err error) string {
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return "no such file"
	case errors.Is(err, fs.ErrPermission):
		return "permission denied"
	}
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}
