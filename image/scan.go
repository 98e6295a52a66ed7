package image

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"sync"
)

// HashProgress reports hashing progress: files and bytes done so far, of
// the totals.
type HashProgress struct {
	Files, TotalFiles int
	Bytes, TotalBytes int64
}

// ScanOptions controls Scan.
type ScanOptions struct {
	// Previous, when set, supplies hashes for files whose size and mtime
	// have not changed since it was written.
	Previous *Manifest
	Workers  int // 0 means GOMAXPROCS, at least 2
	Progress func(HashProgress)
}

// Scan walks the image dir and returns an entry for everything in it
// except manifest.json: every regular file with its mode, size and SHA-256,
// every directory, every symlink with its target; no name is left out.
// Entries are sorted by path. Anything else (a FIFO, a device, a socket)
// is an error: an image holds none. Scan also returns how many files it
// actually hashed (the rest came from opts.Previous).
func Scan(ctx context.Context, dir string, opts ScanOptions) (files []FileEntry, hashed int, err error) {
	prev := map[string]FileEntry{}
	if opts.Previous != nil {
		for _, f := range opts.Previous.Files {
			if f.IsFile() {
				prev[f.Path] = f
			}
		}
	}
	var todo []int
	var total int64
	err = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if p == dir {
			return nil
		}
		rel, _ := filepath.Rel(dir, p)
		rel = filepath.ToSlash(rel)
		if rel == ManifestFile {
			return nil
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		e := FileEntry{Path: rel, Mode: fmt.Sprintf("%04o", fi.Mode().Perm())}
		switch t := fi.Mode().Type(); {
		case t == fs.ModeDir:
			e.Type = TypeDir
		case t == fs.ModeSymlink:
			e.Type, e.Mode = TypeSymlink, ""
			if e.Target, err = os.Readlink(p); err != nil {
				return err
			}
		case t == 0:
			e.Type, e.Size, e.MTime = TypeFile, fi.Size(), fi.ModTime().UnixNano()
			if pe, ok := prev[rel]; ok && pe.Size == e.Size && pe.MTime == e.MTime && pe.MTime != 0 {
				e.SHA256 = pe.SHA256
			} else {
				todo = append(todo, len(files))
				total += e.Size
			}
		default:
			return fmt.Errorf("%s is neither a file, a directory nor a symlink (%s)", rel, t)
		}
		files = append(files, e)
		return nil
	})
	if err != nil {
		return nil, 0, fmt.Errorf("scan image %s: %w", dir, err)
	}
	jobs := make([]hashJob, len(todo))
	for i, idx := range todo {
		jobs[i] = hashJob{path: filepath.Join(dir, filepath.FromSlash(files[idx].Path)), size: files[idx].Size}
	}
	sums, errs := hashAll(ctx, jobs, opts.Workers, total, opts.Progress)
	for i, idx := range todo {
		if errs[i] != nil {
			return nil, 0, fmt.Errorf("hash %s: %w", files[idx].Path, errs[i])
		}
		files[idx].SHA256 = sums[i]
	}
	if err := ctx.Err(); err != nil {
		return nil, 0, err
	}
	sort.Slice(files, func(i, j int) bool { return files[i].Path < files[j].Path })
	return files, len(todo), nil
}

type hashJob struct {
	path string
	size int64
}

// hashAll hashes files with a pool of workers, largest-first order kept as
// given, and reports progress after each file.
func hashAll(ctx context.Context, jobs []hashJob, workers int, total int64, progress func(HashProgress)) ([]string, []error) {
	sums := make([]string, len(jobs))
	errs := make([]error, len(jobs))
	if len(jobs) == 0 {
		return sums, errs
	}
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
		if workers < 2 {
			workers = 2
		}
	}
	if workers > len(jobs) {
		workers = len(jobs)
	}
	var (
		mu   sync.Mutex
		done HashProgress
		next = make(chan int)
		wg   sync.WaitGroup
		bufs sync.Pool
	)
	done.TotalFiles = len(jobs)
	done.TotalBytes = total
	bufs.New = func() any { b := make([]byte, 256<<10); return &b }
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				bp := bufs.Get().(*[]byte)
				sums[i], errs[i] = hashFile(ctx, jobs[i].path, *bp)
				bufs.Put(bp)
				if progress != nil {
					mu.Lock()
					done.Files++
					done.Bytes += jobs[i].size
					p := done
					progress(p)
					mu.Unlock()
				}
			}
		}()
	}
	for i := range jobs {
		if ctx.Err() != nil {
			break
		}
		next <- i
	}
	close(next)
	wg.Wait()
	return sums, errs
}

func hashFile(ctx context.Context, path string, buf []byte) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.CopyBuffer(h, f, buf); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// HashFile returns the hex SHA-256 of the file at path.
func HashFile(path string) (string, error) {
	return hashFile(context.Background(), path, make([]byte, 256<<10))
}
