package image

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"time"
)

// Names inside an image.
const (
	RepoDir      = "repo"
	ProxyDir     = "gomod/cache/download" // slash-separated, relative to the image
	ReportDir    = "report"
	BaselineFile = "baseline.json"
	BinDir       = "bin"
	ManifestFile = "manifest.json"
	StartHere    = "START_HERE.html"
	ReadmeFile   = "README.txt"
)

// Format names the manifest format; Version is its version.
const (
	Format          = "sprintkit-image"
	ManifestVersion = 1
)

// Manifest is manifest.json: what the image holds and how to check it.
//
// Format (version 1):
//
//	{
//	  "format": "sprintkit-image",
//	  "version": 1,
//	  "created": "2026-11-25T13:00:00Z",
//	  "project": "example.com/hello",        // module path, or the directory name
//	  "upstream": "https://host/org/p.git",  // origin without credentials; "" when none
//	  "commit": "3f2a…",                     // HEAD of repo/
//	  "dirty": false,                        // the organiser's work tree had changes
//	  "sprintkit_version": "v0.3.0",
//	  "go": "1.22",                          // the go line of go.mod; "" for non-Go projects
//	  "toolchain": "go1.22.3",               // the toolchain line, when there is one
//	  "staged_with": "go1.26.8",             // the go that staged the modules
//	  "modules": ["example.com/greet@v1.0.0"],
//	  "platforms": ["linux/amd64"],           // cross-built binaries under bin/<goos>-<goarch>/
//	  "files": [{"path": "repo/go.mod", "size": 31, "sha256": "…", "mtime": 1764075600000000000}],
//	  "total_files": 1,
//	  "total_bytes": 31
//	}
//
// Paths are slash-separated and relative to the image; every regular file
// of the image except manifest.json itself is listed, sorted by path. mtime
// (Unix nanoseconds) only lets re-staging skip re-hashing unchanged files;
// verification never trusts it.
type Manifest struct {
	Format           string    `json:"format"`
	Version          int       `json:"version"`
	Created          time.Time `json:"created"`
	Project          string    `json:"project"`
	Upstream         string    `json:"upstream"`
	Commit           string    `json:"commit"`
	Dirty            bool      `json:"dirty,omitempty"`
	SprintkitVersion string    `json:"sprintkit_version"`
	Go               string    `json:"go"`
	Toolchain        string    `json:"toolchain,omitempty"`
	StagedWith       string    `json:"staged_with,omitempty"`
	Modules          []string  `json:"modules"`
	Platforms        []string  `json:"platforms"`
	// BinaryKey identifies the sprintkit binary the cross-builds were made
	// with (SHA-256 of the staging executable), so that re-staging with the
	// same binary can keep them.
	BinaryKey string `json:"binary_key,omitempty"`
	// ModKey identifies the go.mod and go.sum the modules were staged for.
	ModKey     string      `json:"mod_key,omitempty"`
	Files      []FileEntry `json:"files"`
	TotalFiles int         `json:"total_files"`
	TotalBytes int64       `json:"total_bytes"`
}

// FileEntry is one file of the image.
type FileEntry struct {
	Path   string `json:"path"`
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"`
	MTime  int64  `json:"mtime,omitempty"`
}

// ModulePaths returns the distinct module paths of m.Modules, sorted.
func (m *Manifest) ModulePaths() []string {
	seen := map[string]bool{}
	var out []string
	for _, mv := range m.Modules {
		p, _, _ := strings.Cut(mv, "@")
		if p != "" && !seen[p] {
			seen[p] = true
			out = append(out, p)
		}
	}
	sort.Strings(out)
	return out
}

// ReadManifest reads dir/manifest.json. A missing manifest is reported as an
// image whose staging never finished.
func ReadManifest(dir string) (*Manifest, error) {
	name := filepath.Join(dir, ManifestFile)
	b, err := os.ReadFile(name)
	if errors.Is(err, fs.ErrNotExist) {
		if _, serr := os.Stat(dir); serr != nil {
			return nil, fmt.Errorf("open image %s: %w", dir, serr)
		}
		return nil, fmt.Errorf("%s has no %s: it is not a sprintkit image, or its staging did not finish", dir, ManifestFile)
	}
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	var m Manifest
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("parse %s: %w", name, err)
	}
	if m.Format != Format {
		return nil, fmt.Errorf("parse %s: format %q, want %q", name, m.Format, Format)
	}
	if m.Version != ManifestVersion {
		return nil, fmt.Errorf("parse %s: manifest version %d, this sprintkit reads version %d", name, m.Version, ManifestVersion)
	}
	for i, f := range m.Files {
		if !insideImage(f.Path) || f.Path == ManifestFile || len(f.SHA256) != 64 || f.Size < 0 {
			return nil, fmt.Errorf("parse %s: file %d: invalid entry %q", name, i, f.Path)
		}
	}
	return &m, nil
}

// insideImage reports whether a manifest path stays inside the image on
// every OS: slash-separated with no "." or ".." element, also when Windows
// reads a backslash as a separator, and no drive letter.
func insideImage(p string) bool {
	w := strings.ReplaceAll(p, `\`, "/")
	return fs.ValidPath(p) && fs.ValidPath(w) && !(len(w) >= 2 && w[1] == ':')
}

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

// Scan walks the image dir and returns an entry with the SHA-256 of every
// regular file except manifest.json and temporary files left by an
// interrupted write, sorted by path. It also returns how many files it
// actually hashed (the rest came from opts.Previous).
func Scan(ctx context.Context, dir string, opts ScanOptions) (files []FileEntry, hashed int, err error) {
	prev := map[string]FileEntry{}
	if opts.Previous != nil {
		for _, f := range opts.Previous.Files {
			prev[f.Path] = f
		}
	}
	var todo []int
	var total int64
	err = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || !d.Type().IsRegular() {
			return nil
		}
		rel, _ := filepath.Rel(dir, p)
		rel = filepath.ToSlash(rel)
		if rel == ManifestFile || isTemp(d.Name()) {
			return nil
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		e := FileEntry{Path: rel, Size: fi.Size(), MTime: fi.ModTime().UnixNano()}
		if pe, ok := prev[rel]; ok && pe.Size == e.Size && pe.MTime == e.MTime && pe.MTime != 0 {
			e.SHA256 = pe.SHA256
		} else {
			todo = append(todo, len(files))
			total += e.Size
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

// isTemp reports whether name is a temporary file of an atomic write
// (state.WriteFile's ".name.tmp-*", the copier's ".*.sprintkit-tmp*").
func isTemp(name string) bool {
	return strings.HasPrefix(name, ".") && strings.Contains(name, ".tmp")
}

// Problem is one file of the image that does not match its manifest.
type Problem struct {
	Path   string `json:"path"`
	Kind   string `json:"kind"` // "missing", "size", "checksum", "unreadable"
	Detail string `json:"detail"`
}

func (p Problem) String() string { return p.Path + ": " + p.Detail }

// VerifyError lists every file that failed verification.
type VerifyError struct {
	Dir      string
	Problems []Problem
}

func (e *VerifyError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "image %s is damaged: %d of its files do not match manifest.json", e.Dir, len(e.Problems))
	for i, p := range e.Problems {
		if i == 20 {
			fmt.Fprintf(&b, "\n  … and %d more", len(e.Problems)-i)
			break
		}
		fmt.Fprintf(&b, "\n  %s", p)
	}
	return b.String()
}

// VerifyOptions controls Verify.
type VerifyOptions struct {
	Workers  int // 0 means GOMAXPROCS, at least 2
	Progress func(HashProgress)
}

// Verify checks every file listed in m against the image in dir: it exists,
// has the listed size, and its SHA-256 matches. Files are hashed in
// parallel. Every problem is collected; the error is a *VerifyError naming
// each damaged or missing file.
func Verify(ctx context.Context, dir string, m *Manifest, opts VerifyOptions) error {
	var problems []Problem
	var jobs []hashJob
	var idx []int
	var total int64
	for i, f := range m.Files {
		p := filepath.Join(dir, filepath.FromSlash(f.Path))
		fi, err := os.Stat(p)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			problems = append(problems, Problem{Path: f.Path, Kind: "missing", Detail: "missing"})
			continue
		case err != nil:
			problems = append(problems, Problem{Path: f.Path, Kind: "unreadable", Detail: err.Error()})
			continue
		case !fi.Mode().IsRegular():
			problems = append(problems, Problem{Path: f.Path, Kind: "unreadable", Detail: "not a regular file"})
			continue
		case fi.Size() != f.Size:
			problems = append(problems, Problem{Path: f.Path, Kind: "size", Detail: fmt.Sprintf("size %d, manifest says %d", fi.Size(), f.Size)})
			continue
		}
		jobs = append(jobs, hashJob{path: p, size: f.Size})
		idx = append(idx, i)
		total += f.Size
	}
	sums, errs := hashAll(ctx, jobs, opts.Workers, total, opts.Progress)
	if err := ctx.Err(); err != nil {
		return err
	}
	for j, i := range idx {
		f := m.Files[i]
		switch {
		case errs[j] != nil:
			problems = append(problems, Problem{Path: f.Path, Kind: "unreadable", Detail: errs[j].Error()})
		case sums[j] != f.SHA256:
			problems = append(problems, Problem{Path: f.Path, Kind: "checksum", Detail: "checksum mismatch: the file was changed or corrupted"})
		}
	}
	if len(problems) == 0 {
		return nil
	}
	sort.Slice(problems, func(i, j int) bool { return problems[i].Path < problems[j].Path })
	return &VerifyError{Dir: dir, Problems: problems}
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
