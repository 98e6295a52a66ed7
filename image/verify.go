package image

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"

	"github.com/sprintkit/sprintkit/internal/state"
)

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
	v := &verifier{want: make(map[string]FileEntry, len(m.Files)), seen: make(map[string]bool, len(m.Files))}
	links := map[string]string{}
	for _, f := range m.Files {
		v.want[f.Path] = f
		if f.Type == TypeSymlink {
			links[f.Path] = f.Target
		}
	}
	for p := range links {
		if why := linkEscapes(links, p); why != "" {
			v.add(p, "outside", "symlink to %s %s", links[p], why)
		}
	}
	if _, ok := v.want[RepoDir+"/"+state.DirName]; ok {
		v.add(RepoDir+"/"+state.DirName, "state", "the repository holds a %s, which is sprintkit's own state in a checkout; staging leaves it out", state.DirName)
	}
	if err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error { return v.visit(root, p, d, err) }); err != nil {
		return fmt.Errorf("read image %s: %w", dir, err)
	}
	for _, f := range m.Files {
		if !v.seen[f.Path] {
			v.add(f.Path, "missing", "missing (manifest.json lists a %s)", entryType(typeMode(f)))
		}
	}
	sums, errs := hashAll(ctx, v.jobs, opts.Workers, v.total, opts.Progress)
	if err := ctx.Err(); err != nil {
		return err
	}
	for j, f := range v.hashed {
		switch {
		case errs[j] != nil:
			v.add(f.Path, "unreadable", "%v", errs[j])
		case sums[j] != f.SHA256:
			v.add(f.Path, "checksum", "checksum mismatch: the file was changed or corrupted")
		}
	}
	if len(v.problems) == 0 {
		return nil
	}
	sort.Slice(v.problems, func(i, j int) bool { return v.problems[i].Path < v.problems[j].Path })
	return &VerifyError{Dir: dir, Problems: v.problems}
}

// verifier is one run of Verify: what the manifest lists, what the walk
// saw, the files left to hash and the differences found.
type verifier struct {
	want     map[string]FileEntry
	seen     map[string]bool
	jobs     []hashJob
	hashed   []FileEntry // the entries of jobs
	total    int64
	problems []Problem
}

func (v *verifier) add(path, kind, format string, args ...any) {
	v.problems = append(v.problems, Problem{Path: path, Kind: kind, Detail: fmt.Sprintf(format, args...)})
}

// visit compares one entry of the image's tree, at p under root, with the
// manifest, and queues a regular file of the right size and mode for
// hashing.
func (v *verifier) visit(root, p string, d fs.DirEntry, err error) error {
	if p == root {
		return err
	}
	rel, _ := filepath.Rel(root, p)
	rel = filepath.ToSlash(rel)
	if err != nil {
		v.add(rel, "unreadable", "%v", err)
		v.seen[rel] = true
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
		v.add(rel, "unreadable", "%v", err)
		return skip()
	}
	got := entryType(fi.Mode())
	e, ok := v.want[rel]
	if !ok && osMetadata(rel) {
		return skip()
	}
	if !ok {
		v.add(rel, "extra", "an extra %s, not in manifest.json", got)
		return skip()
	}
	v.seen[rel] = true
	if got != entryType(typeMode(e)) {
		v.add(rel, "type", "a %s, manifest.json lists a %s", got, entryType(typeMode(e)))
		return skip()
	}
	switch {
	case fi.Mode()&fs.ModeSymlink != 0:
		if t, err := os.Readlink(p); err != nil {
			v.add(rel, "unreadable", "%v", err)
		} else if t != e.Target {
			v.add(rel, "target", "symlink to %s, manifest.json says to %s", t, e.Target)
		}
	case fi.Mode().IsRegular():
		switch {
		case fi.Size() != e.Size:
			v.add(rel, "size", "size %d, manifest.json says %d", fi.Size(), e.Size)
		case execBitDiffers(fi.Mode(), e.Mode):
			v.add(rel, "mode", "mode %04o, manifest.json says %s (the executable bit differs)", fi.Mode().Perm(), e.Mode)
		default:
			v.jobs = append(v.jobs, hashJob{path: p, size: e.Size})
			v.hashed = append(v.hashed, e)
			v.total += e.Size
		}
	}
	return nil
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
