package checkout

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"

	"github.com/go-git/go-billy/v5/osfs"
	git "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/cache"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/format/index"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/storage/filesystem"
)

// Writing the work tree
//
// go-git's own checkout (Worktree.Reset) diffs the empty index against the
// tree, then looks every file up by path from the root tree, opening the
// pack file again for each object; on a 5,000-file tree it takes longer than
// the fetch. writeWorktree does what `git checkout` does on a fresh clone
// instead: one walk of the tree in order, directories made as the walk
// meets them, blobs read one after another from a storage that keeps the
// pack open, and files written by a few goroutines. The index is then built
// from the written files' stat data (mtime, ctime, size, device, inode, uid,
// gid, as git records them), so `git status` finds the tree clean without
// re-reading it.
//
// Paths are checked as git checks them before anything is written: no
// empty, "." or ".." component, no ".git" (or "git~1", or a ".git" that
// NTFS or HFS+ would fold to it), no control characters. Symbolic links are
// made last, after every regular file, and only under real directories, so
// no file is ever written through a link the tree planted.

// blobInMemory is the size up to which a blob is read whole and handed to a
// writer goroutine; larger ones are streamed by the walker itself.
const blobInMemory = 8 << 20

type fileJob struct {
	i    int
	name string // slash-separated, relative to the work tree
	mode filemode.FileMode
	hash plumbing.Hash
	data []byte
}

func writeWorktree(ctx context.Context, dir string, commit plumbing.Hash) (files int, err error) {
	st := filesystem.NewStorageWithOptions(osfs.New(filepath.Join(dir, ".git")), cache.NewObjectLRU(16*cache.MiByte),
		filesystem.Options{KeepDescriptors: true})
	defer st.Close()
	repo, err := git.Open(st, nil)
	if err != nil {
		return 0, fmt.Errorf("open the new clone: %w", err)
	}
	c, err := repo.CommitObject(commit)
	if err != nil {
		return 0, fmt.Errorf("read commit %s: %w", commit, err)
	}
	tree, err := c.Tree()
	if err != nil {
		return 0, fmt.Errorf("read the tree of %s: %w", commit, err)
	}

	w := &treeWriter{dir: dir, repo: repo, jobs: make(chan fileJob, 64)}
	w.startWorkers(min(max(runtime.GOMAXPROCS(0), 4), 8))
	walker := object.NewTreeWalker(tree, true, nil)
	defer walker.Close()
	walkErr := w.walk(ctx, walker)
	close(w.jobs)
	w.wg.Wait()
	if walkErr != nil {
		return 0, walkErr
	}
	if w.firstErr != nil {
		return 0, w.firstErr
	}
	for _, j := range w.links {
		e, err := writeLink(dir, j)
		if err != nil {
			return 0, err
		}
		w.entries[j.i] = e
	}

	entries := w.entries
	sort.Slice(entries, func(a, b int) bool { return entries[a].Name < entries[b].Name })
	idx := &index.Index{Version: 2, Entries: entries}
	if err := st.SetIndex(idx); err != nil {
		return 0, fmt.Errorf("write .git/index: %w", err)
	}
	return w.files, nil
}

// treeWriter writes one commit's tree into a work tree: the walker reads
// blobs in tree order, workers write the small files, the walker streams
// the large ones itself, and symbolic links wait until the end.
type treeWriter struct {
	dir  string
	repo *git.Repository
	jobs chan fileJob
	wg   sync.WaitGroup

	mu       sync.Mutex
	entries  []*index.Entry // the index, in tree order; a file's slot is filled when it is written
	firstErr error

	links []fileJob // symbolic links, made last
	files int       // files and links written
}

func (w *treeWriter) fail(err error) {
	w.mu.Lock()
	if w.firstErr == nil {
		w.firstErr = err
	}
	w.mu.Unlock()
}

func (w *treeWriter) failed() bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.firstErr != nil
}

// slot reserves the next index entry, or appends e when it is known.
func (w *treeWriter) slot(e *index.Entry) int {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.entries = append(w.entries, e)
	return len(w.entries) - 1
}

func (w *treeWriter) set(i int, e *index.Entry) {
	w.mu.Lock()
	w.entries[i] = e
	w.mu.Unlock()
}

func (w *treeWriter) startWorkers(n int) {
	for range n {
		w.wg.Add(1)
		go func() {
			defer w.wg.Done()
			for j := range w.jobs {
				if w.failed() {
					continue
				}
				e, err := writeFile(w.dir, j)
				if err != nil {
					w.fail(err)
					continue
				}
				w.set(j.i, e)
			}
		}()
	}
}

// walk visits every entry of the tree until the end, an error, or a
// worker's failure.
func (w *treeWriter) walk(ctx context.Context, walker *object.TreeWalker) error {
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		if w.failed() {
			return nil
		}
		name, e, err := walker.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("walk the tree: %w", err)
		}
		if err := validTreePath(name); err != nil {
			return err
		}
		if err := w.visit(name, e); err != nil {
			return err
		}
	}
}

// visit creates a directory, records a submodule, or hands a file or a
// link on.
func (w *treeWriter) visit(name string, e object.TreeEntry) error {
	p := filepath.Join(w.dir, filepath.FromSlash(name))
	switch e.Mode {
	case filemode.Dir:
		if err := os.Mkdir(p, 0o755); err != nil && !errors.Is(err, os.ErrExist) {
			return fmt.Errorf("create %s: %w", name, err)
		}
		return nil
	case filemode.Submodule:
		// Submodules are not cloned; git leaves an empty directory.
		if err := os.MkdirAll(p, 0o755); err != nil {
			return fmt.Errorf("create %s: %w", name, err)
		}
		w.slot(&index.Entry{Name: name, Mode: e.Mode, Hash: e.Hash})
		return nil
	}
	j := fileJob{name: name, mode: e.Mode, hash: e.Hash, i: w.slot(nil)}
	w.files++
	blob, err := w.repo.BlobObject(e.Hash)
	if err != nil {
		return fmt.Errorf("read %s: %w", name, err)
	}
	if e.Mode != filemode.Symlink && blob.Size > blobInMemory {
		// A large blob: stream it here rather than hold it in memory.
		ent, err := streamFile(w.dir, j, blob)
		if err != nil {
			return err
		}
		w.set(j.i, ent)
		return nil
	}
	r, err := blob.Reader()
	if err != nil {
		return fmt.Errorf("read %s: %w", name, err)
	}
	j.data, err = io.ReadAll(r)
	r.Close()
	if err != nil {
		return fmt.Errorf("read %s: %w", name, err)
	}
	if e.Mode == filemode.Symlink {
		w.links = append(w.links, j)
		return nil
	}
	w.jobs <- j
	return nil
}

func filePerm(m filemode.FileMode) os.FileMode {
	if m == filemode.Executable {
		return 0o755
	}
	return 0o644
}

func writeFile(dir string, j fileJob) (*index.Entry, error) {
	p := filepath.Join(dir, filepath.FromSlash(j.name))
	f, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_EXCL, filePerm(j.mode))
	if err != nil {
		return nil, fmt.Errorf("write %s: %w", j.name, err)
	}
	if _, err := f.Write(j.data); err != nil {
		f.Close()
		return nil, fmt.Errorf("write %s: %w", j.name, err)
	}
	if err := f.Close(); err != nil {
		return nil, fmt.Errorf("write %s: %w", j.name, err)
	}
	return indexEntry(p, j)
}

func streamFile(dir string, j fileJob, blob *object.Blob) (*index.Entry, error) {
	p := filepath.Join(dir, filepath.FromSlash(j.name))
	r, err := blob.Reader()
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", j.name, err)
	}
	defer r.Close()
	f, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_EXCL, filePerm(j.mode))
	if err != nil {
		return nil, fmt.Errorf("write %s: %w", j.name, err)
	}
	if _, err := io.Copy(f, r); err != nil {
		f.Close()
		return nil, fmt.Errorf("write %s: %w", j.name, err)
	}
	if err := f.Close(); err != nil {
		return nil, fmt.Errorf("write %s: %w", j.name, err)
	}
	return indexEntry(p, j)
}

// writeLink makes a symbolic link, only when every directory above it is a
// real directory; where links cannot be made (Windows without the
// privilege), it writes the target into a file, as git does with
// core.symlinks=false.
func writeLink(dir string, j fileJob) (*index.Entry, error) {
	parts := strings.Split(j.name, "/")
	cur := dir
	for _, part := range parts[:len(parts)-1] {
		cur = filepath.Join(cur, part)
		fi, err := os.Lstat(cur)
		if err != nil || !fi.IsDir() {
			return nil, fmt.Errorf("write %s: %s is not a directory", j.name, strings.TrimPrefix(cur, dir+string(filepath.Separator)))
		}
	}
	p := filepath.Join(dir, filepath.FromSlash(j.name))
	if err := os.Symlink(string(j.data), p); err != nil {
		if runtime.GOOS != "windows" {
			return nil, fmt.Errorf("write %s: %w", j.name, err)
		}
		if err := os.WriteFile(p, j.data, 0o644); err != nil {
			return nil, fmt.Errorf("write %s: %w", j.name, err)
		}
	}
	return indexEntry(p, j)
}

func indexEntry(p string, j fileJob) (*index.Entry, error) {
	fi, err := os.Lstat(p)
	if err != nil {
		return nil, fmt.Errorf("stat %s: %w", j.name, err)
	}
	e := &index.Entry{
		Hash:       j.hash,
		Name:       j.name,
		Mode:       j.mode,
		ModifiedAt: fi.ModTime(),
		Size:       uint32(fi.Size()),
	}
	fillStat(e, fi)
	return e, nil
}

var errUnsafePath = errors.New("unsafe path")

// validTreePath refuses the tree paths git refuses to check out.
func validTreePath(p string) error {
	for i := 0; i < len(p); i++ {
		if p[i] < 0x20 || p[i] == 0x7f {
			return fmt.Errorf("%w %q: control character", errUnsafePath, p)
		}
	}
	parts := strings.FieldsFunc(p, func(r rune) bool { return r == '/' || r == '\\' })
	if len(parts) == 0 || strings.Contains(p, ":") && runtime.GOOS == "windows" {
		return fmt.Errorf("%w %q", errUnsafePath, p)
	}
	for _, part := range parts {
		if part == "." || part == ".." || isDotGit(part) {
			return fmt.Errorf("%w %q", errUnsafePath, p)
		}
	}
	return nil
}

// isDotGit reports names that a file system may resolve to ".git": any case,
// the 8.3 short name "git~1", trailing dots or spaces (NTFS), and ignorable
// Unicode code points inside (HFS+).
func isDotGit(part string) bool {
	s := strings.ToLower(part)
	s = strings.Map(func(r rune) rune {
		switch r {
		case 0x200c, 0x200d, 0x200e, 0x200f, 0x202a, 0x202b, 0x202c, 0x202d, 0x202e,
			0x206a, 0x206b, 0x206c, 0x206d, 0x206e, 0x206f, 0xfeff:
			return -1
		}
		return r
	}, s)
	s = strings.TrimRight(s, ". ")
	if i := strings.Index(s, ":"); i >= 0 {
		s = s[:i]
	}
	return s == ".git" || s == "git~1"
}
