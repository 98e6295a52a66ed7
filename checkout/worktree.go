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

	var entries []*index.Entry
	var mu sync.Mutex
	var firstErr error
	fail := func(err error) {
		mu.Lock()
		if firstErr == nil {
			firstErr = err
		}
		mu.Unlock()
	}
	failed := func() bool {
		mu.Lock()
		defer mu.Unlock()
		return firstErr != nil
	}

	jobs := make(chan fileJob, 64)
	var wg sync.WaitGroup
	workers := min(max(runtime.GOMAXPROCS(0), 4), 8)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				if failed() {
					continue
				}
				e, err := writeFile(dir, j)
				if err != nil {
					fail(err)
					continue
				}
				mu.Lock()
				entries[j.i] = e
				mu.Unlock()
			}
		}()
	}

	var links []fileJob
	walker := object.NewTreeWalker(tree, true, nil)
	defer walker.Close()
	n := 0
	walkErr := func() error {
		for {
			if err := ctx.Err(); err != nil {
				return err
			}
			if failed() {
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
			p := filepath.Join(dir, filepath.FromSlash(name))
			switch e.Mode {
			case filemode.Dir:
				if err := os.Mkdir(p, 0o755); err != nil && !errors.Is(err, os.ErrExist) {
					return fmt.Errorf("create %s: %w", name, err)
				}
				continue
			case filemode.Submodule:
				// Submodules are not cloned; git leaves an empty directory.
				if err := os.MkdirAll(p, 0o755); err != nil {
					return fmt.Errorf("create %s: %w", name, err)
				}
				mu.Lock()
				entries = append(entries, &index.Entry{Name: name, Mode: e.Mode, Hash: e.Hash})
				mu.Unlock()
				continue
			}
			j := fileJob{name: name, mode: e.Mode, hash: e.Hash}
			mu.Lock()
			j.i = len(entries)
			entries = append(entries, nil)
			mu.Unlock()
			n++
			blob, err := repo.BlobObject(e.Hash)
			if err != nil {
				return fmt.Errorf("read %s: %w", name, err)
			}
			if e.Mode == filemode.Symlink || blob.Size <= blobInMemory {
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
					links = append(links, j)
					continue
				}
				jobs <- j
				continue
			}
			// A large blob: stream it here rather than hold it in memory.
			ent, err := streamFile(dir, j, blob)
			if err != nil {
				return err
			}
			mu.Lock()
			entries[j.i] = ent
			mu.Unlock()
		}
	}()
	close(jobs)
	wg.Wait()
	if walkErr != nil {
		return 0, walkErr
	}
	if firstErr != nil {
		return 0, firstErr
	}
	for _, j := range links {
		e, err := writeLink(dir, j)
		if err != nil {
			return 0, err
		}
		entries[j.i] = e
	}

	sort.Slice(entries, func(a, b int) bool { return entries[a].Name < entries[b].Name })
	idx := &index.Index{Version: 2, Entries: entries}
	if err := st.SetIndex(idx); err != nil {
		return 0, fmt.Errorf("write .git/index: %w", err)
	}
	return n, nil
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
