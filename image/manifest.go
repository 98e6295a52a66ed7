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
	"path"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/sprintkit/sprintkit/internal/state"
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

// Format names the manifest format; ManifestVersion is the version this
// sprintkit writes.
const (
	Format          = "sprintkit-image"
	ManifestVersion = 2
)

// Entry types of a version 2 manifest.
const (
	TypeFile    = "file"
	TypeDir     = "dir"
	TypeSymlink = "symlink"
)

// Manifest is manifest.json: what the image holds and how to check it.
//
// Format (version 2):
//
//	{
//	  "format": "sprintkit-image",
//	  "version": 2,
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
//	  "build_cache": {"go_version": "go1.26.8", "goos": "linux", "goarch": "amd64",
//	                  "flags": ["-trimpath"], "entries": 4642},  // gocache/; absent when none
//	  "files": [
//	    {"path": "repo", "type": "dir", "mode": "0755"},
//	    {"path": "repo/go.mod", "type": "file", "mode": "0644", "size": 31, "sha256": "…", "mtime": 1764075600000000000},
//	    {"path": "repo/docs/latest", "type": "symlink", "target": "v2"}
//	  ],
//	  "total_files": 1,                      // regular files only
//	  "total_bytes": 31
//	}
//
// "files" lists every entry of the image except manifest.json itself, of
// every type, with no name left out, sorted by path; paths are
// slash-separated and relative to the image. mode is the permission bits
// in octal. A symlink's target is recorded as it is; symlinks may appear
// only under repo/, and each must resolve (through the other listed
// symlinks) to a path inside repo/. mtime (Unix nanoseconds) only lets
// re-staging skip re-hashing unchanged files; verification never trusts it.
//
// Version 1 listed regular files only (no "type", no directories, no
// symlinks), so it cannot show that nothing was added to an image:
// ReadManifest still reads it (re-staging reuses its hashes), but Verify
// refuses it with an *OldManifestError that asks for the image to be
// staged again.
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
	ModKey string `json:"mod_key,omitempty"`
	// BuildCache describes gocache/, the Go build cache of the staging
	// test run; nil when the image holds none.
	BuildCache *BuildCacheInfo `json:"build_cache,omitempty"`
	// Files holds every entry of the image: files, directories, symlinks.
	Files      []FileEntry `json:"files"`
	TotalFiles int         `json:"total_files"`
	TotalBytes int64       `json:"total_bytes"`
}

// FileEntry is one entry of the image.
type FileEntry struct {
	Path string `json:"path"`
	// Type is TypeFile, TypeDir or TypeSymlink; "" in a version 1
	// manifest, where every entry is a file.
	Type   string `json:"type,omitempty"`
	Mode   string `json:"mode,omitempty"` // permission bits, octal ("0644")
	Size   int64  `json:"size,omitempty"`
	SHA256 string `json:"sha256,omitempty"`
	Target string `json:"target,omitempty"` // a symlink's target
	MTime  int64  `json:"mtime,omitempty"`
}

// IsFile reports whether e is a regular file (in either version).
func (e FileEntry) IsFile() bool { return e.Type == TypeFile || e.Type == "" }

// SetEntries sets m.Files to entries (as Scan returns them) and the totals
// to the count and bytes of their regular files.
func (m *Manifest) SetEntries(entries []FileEntry) {
	m.Files = entries
	m.TotalFiles, m.TotalBytes = 0, 0
	for _, e := range entries {
		if e.IsFile() {
			m.TotalFiles++
			m.TotalBytes += e.Size
		}
	}
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
	if m.Version < 1 || m.Version > ManifestVersion {
		return nil, fmt.Errorf("parse %s: manifest version %d, this sprintkit reads versions 1 to %d", name, m.Version, ManifestVersion)
	}
	seen := make(map[string]bool, len(m.Files))
	for i, f := range m.Files {
		if err := checkEntry(m.Version, f); err != "" || seen[f.Path] {
			if err == "" {
				err = "listed twice"
			}
			return nil, fmt.Errorf("parse %s: invalid entry %d %q: %s", name, i, f.Path, err)
		}
		seen[f.Path] = true
	}
	return &m, nil
}

// checkEntry says what is wrong with one entry of a manifest of version v,
// "" when nothing is.
func checkEntry(v int, f FileEntry) string {
	if !insideImage(f.Path) || f.Path == ManifestFile {
		return "not a path inside the image"
	}
	if f.Mode != "" {
		if _, err := strconv.ParseUint(f.Mode, 8, 32); err != nil {
			return "mode " + strconv.Quote(f.Mode) + " is not octal"
		}
	}
	switch {
	case v == 1 && f.Type != "":
		return "a version 1 manifest lists only files"
	case v >= 2 && f.Type == "":
		return "no type"
	case f.IsFile():
		if len(f.SHA256) != 64 || f.Size < 0 {
			return "a file needs a size and a SHA-256"
		}
	case f.Type == TypeSymlink:
		if f.Target == "" {
			return "a symlink needs a target"
		}
	case f.Type == TypeDir:
	default:
		return "unknown type " + strconv.Quote(f.Type)
	}
	return ""
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

// Problem is one difference between an image and its manifest.
type Problem struct {
	Path string `json:"path"`
	// Kind is "missing", "extra" (not in the manifest), "type" (a file
	// where the manifest has a directory, say), "size", "checksum",
	// "mode" (the executable bit), "target" (a symlink retargeted),
	// "outside" (a symlink that leads out of repo/), "state" (a
	// repo/.sprintkit) or "unreadable".
	Kind   string `json:"kind"`
	Detail string `json:"detail"`
}

func (p Problem) String() string { return p.Path + ": " + p.Detail }

// writeList writes the first 20 items, one an indented line, and how many
// more there are.
func writeList[T fmt.Stringer](b *strings.Builder, items []T) {
	for i, it := range items {
		if i == 20 {
			fmt.Fprintf(b, "\n  … and %d more", len(items)-i)
			return
		}
		fmt.Fprintf(b, "\n  %s", it)
	}
}

// VerifyError lists every difference between an image and its manifest.
type VerifyError struct {
	Dir      string
	Problems []Problem
}

func (e *VerifyError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "image %s differs from its manifest.json in %d places", e.Dir, len(e.Problems))
	writeList(&b, e.Problems)
	return b.String()
}

// OldManifestError is returned by Verify for a manifest older than version
// 2, which lists only files and so cannot show that nothing was added.
type OldManifestError struct {
	Dir     string
	Version int
}

func (e *OldManifestError) Error() string {
	return fmt.Sprintf("image %s was staged by an older sprintkit: its manifest (version %d) lists only files, so nothing shows that no file, directory or symlink was added", e.Dir, e.Version)
}

// Hint says what to do, for a person.
func (e *OldManifestError) Hint() string {
	return "ask the organiser to stage the image again with this sprintkit ('sprintkit image'); nothing was written"
}

// VerifyOptions controls Verify.
type VerifyOptions struct {
	Workers  int // 0 means GOMAXPROCS, at least 2
	Progress func(HashProgress)
}

// Verify checks the whole tree of the image in dir against m, both ways:
// every entry of m exists with its type, every file with its size, its
// executable bit (not on Windows, which has none) and its SHA-256, every
// symlink with its target; every entry of the tree is in m; and every
// symlink lies under repo/ and resolves inside it. The one exception:
// what an operating system leaves on a stick someone browsed (.DS_Store,
// ._ files, Thumbs.db and the like) outside repo/, the module tree and the build cache,
// which setup never copies, is let be. Files are hashed in
// parallel. Every difference is collected; the error is a *VerifyError
// naming each by path (an extra directory is named once, not its
// contents), or an *OldManifestError for a version 1 manifest.
func Verify(ctx context.Context, dir string, m *Manifest, opts VerifyOptions) error {
	if m.Version < 2 {
		return &OldManifestError{Dir: dir, Version: m.Version}
	}
	// The image's own directory is trusted; what is below it is checked.
	root, err := filepath.EvalSymlinks(dir)
	if err != nil {
		return fmt.Errorf("open image %s: %w", dir, err)
	}
	want := make(map[string]FileEntry, len(m.Files))
	links := map[string]string{}
	for _, f := range m.Files {
		want[f.Path] = f
		if f.Type == TypeSymlink {
			links[f.Path] = f.Target
		}
	}
	var problems []Problem
	add := func(path, kind, format string, args ...any) {
		problems = append(problems, Problem{Path: path, Kind: kind, Detail: fmt.Sprintf(format, args...)})
	}
	for p := range links {
		if why := linkEscapes(links, p); why != "" {
			add(p, "outside", "symlink to %s %s", links[p], why)
		}
	}
	if _, ok := want[RepoDir+"/"+state.DirName]; ok {
		add(RepoDir+"/"+state.DirName, "state", "the repository holds a %s, which is sprintkit's own state in a checkout; staging leaves it out", state.DirName)
	}

	var jobs []hashJob
	var idx []FileEntry
	var total int64
	seen := make(map[string]bool, len(m.Files))
	err = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if p == root {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		rel = filepath.ToSlash(rel)
		if err != nil {
			add(rel, "unreadable", "%v", err)
			seen[rel] = true
			return nil
		}
		if rel == ManifestFile && d.Type().IsRegular() {
			return nil
		}
		skip := func() error {
			if d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		fi, err := d.Info()
		if err != nil {
			add(rel, "unreadable", "%v", err)
			return skip()
		}
		got := entryType(fi.Mode())
		e, ok := want[rel]
		if !ok && osMetadata(rel) {
			return skip()
		}
		if !ok {
			add(rel, "extra", "an extra %s, not in manifest.json", got)
			return skip()
		}
		seen[rel] = true
		if got != entryType(typeMode(e)) {
			add(rel, "type", "a %s, manifest.json lists a %s", got, entryType(typeMode(e)))
			return skip()
		}
		switch {
		case fi.Mode()&fs.ModeSymlink != 0:
			if t, err := os.Readlink(p); err != nil {
				add(rel, "unreadable", "%v", err)
			} else if t != e.Target {
				add(rel, "target", "symlink to %s, manifest.json says to %s", t, e.Target)
			}
		case fi.Mode().IsRegular():
			switch {
			case fi.Size() != e.Size:
				add(rel, "size", "size %d, manifest.json says %d", fi.Size(), e.Size)
			case execBitDiffers(fi.Mode(), e.Mode):
				add(rel, "mode", "mode %04o, manifest.json says %s (the executable bit differs)", fi.Mode().Perm(), e.Mode)
			default:
				jobs = append(jobs, hashJob{path: p, size: e.Size})
				idx = append(idx, e)
				total += e.Size
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("read image %s: %w", dir, err)
	}
	for _, f := range m.Files {
		if !seen[f.Path] {
			add(f.Path, "missing", "missing (manifest.json lists a %s)", entryType(typeMode(f)))
		}
	}
	sums, errs := hashAll(ctx, jobs, opts.Workers, total, opts.Progress)
	if err := ctx.Err(); err != nil {
		return err
	}
	for j, f := range idx {
		switch {
		case errs[j] != nil:
			add(f.Path, "unreadable", "%v", errs[j])
		case sums[j] != f.SHA256:
			add(f.Path, "checksum", "checksum mismatch: the file was changed or corrupted")
		}
	}
	if len(problems) == 0 {
		return nil
	}
	sort.Slice(problems, func(i, j int) bool { return problems[i].Path < problems[j].Path })
	return &VerifyError{Dir: dir, Problems: problems}
}

// osMetadata reports whether rel is what an operating system leaves on a
// stick a person merely looked at (Finder's .DS_Store and ._ files, the
// volume indexes of macOS, Windows' Thumbs.db and desktop.ini) outside
// repo/, the module tree and the build cache. Setup copies nothing from there, so Verify
// lets them be; inside repo/, the module tree and the build cache, which setup copies, they
// are extra entries like any other.
func osMetadata(rel string) bool {
	if rel == RepoDir || strings.HasPrefix(rel, RepoDir+"/") || rel == "gomod" || strings.HasPrefix(rel, "gomod/") ||
		rel == BuildCacheDir || strings.HasPrefix(rel, BuildCacheDir+"/") {
		return false
	}
	switch base := path.Base(rel); base {
	case ".DS_Store", "Thumbs.db", "desktop.ini", ".Spotlight-V100", ".Trashes", ".fseventsd", ".TemporaryItems", "System Volume Information":
		return true
	default:
		return strings.HasPrefix(base, "._")
	}
}

// typeMode is the fs.FileMode type of a manifest entry.
func typeMode(e FileEntry) fs.FileMode {
	switch e.Type {
	case TypeDir:
		return fs.ModeDir
	case TypeSymlink:
		return fs.ModeSymlink
	case TypeFile, "":
		return 0
	}
	return fs.ModeIrregular
}

// entryType names a file type for a person.
func entryType(m fs.FileMode) string {
	switch m.Type() {
	case 0:
		return "file"
	case fs.ModeDir:
		return "directory"
	case fs.ModeSymlink:
		return "symlink"
	}
	return "special file (" + m.Type().String() + ")"
}

// execBitDiffers reports whether the owner's executable bit of a file
// differs from the manifest's mode: the one permission bit git records.
// The others follow the umask of whoever copied the image, and Windows
// has none of them.
func execBitDiffers(got fs.FileMode, want string) bool {
	if runtime.GOOS == "windows" || want == "" {
		return false
	}
	w, err := strconv.ParseUint(want, 8, 32)
	if err != nil {
		return true
	}
	return (got.Perm()&0o100 != 0) != (w&0o100 != 0)
}

// maxLinkHops bounds symlink resolution, as the kernel's own limit does.
const maxLinkHops = 40

// linkEscapes resolves the symlink at p through the manifest's symlinks
// (links, image path → target), element by element as the kernel would,
// and says why it leaves repo/, "" when it stays inside.
func linkEscapes(links map[string]string, p string) string {
	if !strings.HasPrefix(p, RepoDir+"/") {
		return "outside repo/: an image has symlinks only in its repository"
	}
	cur := strings.Split(path.Dir(p), "/")
	rest := []string{}
	hops := 0
	push := func(target string) string {
		if strings.HasPrefix(target, "/") || strings.ContainsAny(target, `\:`) {
			return "is absolute or not portable"
		}
		rest = append(strings.Split(target, "/"), rest...)
		return ""
	}
	if why := push(links[p]); why != "" {
		return why
	}
	for len(rest) > 0 {
		e := rest[0]
		rest = rest[1:]
		switch e {
		case "", ".":
			continue
		case "..":
			if len(cur) <= 1 { // cur[0] is "repo"
				return "leads out of repo/"
			}
			cur = cur[:len(cur)-1]
			continue
		}
		cur = append(cur, e)
		if t, ok := links[strings.Join(cur, "/")]; ok {
			if hops++; hops > maxLinkHops {
				return "loops"
			}
			cur = cur[:len(cur)-1]
			if why := push(t); why != "" {
				return "leads through " + strings.Join(append(cur, e), "/") + ", which " + why
			}
		}
	}
	return ""
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
