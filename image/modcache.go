package image

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"golang.org/x/mod/module"

	"github.com/sprintkit/sprintkit/copier"
)

// ModCacheConflict is one entry of the user's module cache that differs
// from the image's: it is left as it is, and setup stops.
type ModCacheConflict struct {
	Path   string // in the user's module cache
	Detail string
}

func (c ModCacheConflict) String() string { return c.Path + ": " + c.Detail }

// ModCacheError is returned when the user's module cache holds entries that
// differ from the image's. Nothing was written to the module cache.
type ModCacheError struct {
	Cache     string
	Conflicts []ModCacheConflict
}

func (e *ModCacheError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "your module cache %s holds %d entries that differ from the image's; sprintkit never replaces them", e.Cache, len(e.Conflicts))
	writeList(&b, e.Conflicts)
	return b.String()
}

// Hint says what to do, for a person.
func (e *ModCacheError) Hint() string {
	return "check those files ('go clean -modcache' empties the whole cache), or set GOMODCACHE to another directory for this project; nothing was written"
}

// ModCachePlan is what Seed will add to a user's module cache: everything
// else of the image's module tree is there already with the same content,
// or is one of go's index files, of which the user's copy is kept.
type ModCachePlan struct {
	img, dst string
	dirs     []FileEntry // to create, parents first
	files    []FileEntry // to copy
	skipped  int64
	bytes    int64
	added    map[module.Version]bool // module versions with a file to copy
	leftOut  map[module.Version]bool // module versions the project does not need
}

// Modules counts the module versions Seed adds files of.
func (p *ModCachePlan) Modules() int { return len(p.added) }

// LeftOut counts the module versions of the image the project does not
// need: Seed copies none of their files.
func (p *ModCachePlan) LeftOut() int { return len(p.leftOut) }

// isGoIndex reports whether rel (in cache/download) is a file the go
// command itself rewrites as it learns more — a module's @v/list of known
// versions, a version's .info (which may carry where it came from) — or a
// lock file. The user's copy of such a file is kept, whatever it holds.
func isGoIndex(rel string) bool {
	base := path.Base(rel)
	return (base == "list" && path.Base(path.Dir(rel)) == "@v") || strings.HasSuffix(base, ".info") || strings.HasSuffix(base, ".lock")
}

// PlanModCache decides what of the image's module tree, as m lists it, to
// add to cache/download of the module cache (GOMODCACHE) cache, without
// writing anything. Only the module versions the project in repo/ needs
// are planned (see projectModules), and each must pass moduleSet.verify
// first: a zip that does not hash to its .ziphash and the project's
// go.sum is a *ModuleError naming it. A file that exists in cache with the
// same content is skipped; one with other content, or an entry of another
// type, is a conflict, and all of them are returned in one
// *ModCacheError. Call it after Verify and before writing anything, then
// Seed once the checkout is in place.
func PlanModCache(img string, m *Manifest, cache string) (*ModCachePlan, error) {
	set, err := projectModules(img, m)
	if err != nil {
		return nil, fmt.Errorf("read the modules the project in %s needs: %w", filepath.Join(img, RepoDir), err)
	}
	if probs := set.verify(); len(probs) > 0 {
		return nil, &ModuleError{Image: img, Problems: probs}
	}
	p := &ModCachePlan{img: img, dst: filepath.Join(cache, "cache", "download"), added: map[module.Version]bool{}, leftOut: map[module.Version]bool{}}
	need := neededDirs(set, m)
	var conflicts []ModCacheConflict
	var blocked []string // conflicting directories: their contents are not examined
	prefix := ProxyDir + "/"
	if fi, err := os.Stat(p.dst); err == nil && !fi.IsDir() {
		return nil, &ModCacheError{Cache: cache, Conflicts: []ModCacheConflict{{Path: p.dst, Detail: "a file where the module cache has its download directory"}}}
	}
entries:
	for _, e := range m.Files {
		rel, ok := strings.CutPrefix(e.Path, prefix)
		if !ok {
			continue
		}
		var mv module.Version
		if e.Type == TypeDir && !need[rel] {
			continue
		} else if e.Type != TypeDir {
			var wanted bool
			if mv, wanted = set.wanted(rel); !wanted {
				if mv.Version != "" && !set.isMain(mv) {
					p.leftOut[mv] = true
				}
				continue
			}
		}
		for _, b := range blocked {
			if strings.HasPrefix(rel, b+"/") {
				continue entries
			}
		}
		dstp := filepath.Join(p.dst, filepath.FromSlash(rel))
		// Stat, not Lstat: a link in the user's own cache is the user's
		// choice, and what it leads to is what go sees.
		fi, err := os.Stat(dstp)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			if e.Type == TypeDir {
				p.dirs = append(p.dirs, e)
			} else if !strings.HasSuffix(rel, ".lock") {
				p.files = append(p.files, e)
				p.bytes += e.Size
				if mv.Version != "" {
					p.added[mv] = true
				}
			}
			continue
		case err != nil:
			conflicts = append(conflicts, ModCacheConflict{Path: dstp, Detail: err.Error()})
		case e.Type == TypeDir && !fi.IsDir():
			conflicts = append(conflicts, ModCacheConflict{Path: dstp, Detail: "a file where the image has a directory"})
		case e.Type == TypeDir:
			p.skipped++
			continue
		case fi.IsDir():
			conflicts = append(conflicts, ModCacheConflict{Path: dstp, Detail: "a directory where the image has a file"})
		case !fi.Mode().IsRegular():
			conflicts = append(conflicts, ModCacheConflict{Path: dstp, Detail: "not a regular file"})
		case isGoIndex(rel):
			p.skipped++
			continue
		default:
			same := fi.Size() == e.Size
			if same {
				sum, err := HashFile(dstp)
				if err != nil {
					conflicts = append(conflicts, ModCacheConflict{Path: dstp, Detail: err.Error()})
					break
				}
				same = sum == e.SHA256
			}
			if same {
				p.skipped++
				continue
			}
			conflicts = append(conflicts, ModCacheConflict{Path: dstp, Detail: "its content differs from the image's " + e.Path})
		}
		if e.Type == TypeDir {
			blocked = append(blocked, rel)
		}
	}
	if len(conflicts) > 0 {
		return nil, &ModCacheError{Cache: cache, Conflicts: conflicts}
	}
	return p, nil
}

// neededDirs returns the directories of the module tree (relative to it)
// that hold a file the project needs.
func neededDirs(set *moduleSet, m *Manifest) map[string]bool {
	need := map[string]bool{}
	for _, e := range m.Files {
		rel, ok := strings.CutPrefix(e.Path, ProxyDir+"/")
		if !ok || e.Type == TypeDir {
			continue
		}
		if _, wanted := set.wanted(rel); wanted {
			for d := path.Dir(rel); d != "." && !need[d]; d = path.Dir(d) {
				need[d] = true
			}
		}
	}
	return need
}

// Seed creates what the plan lists: new directories, and new files
// through a temporary of a random name in the same directory that is
// linked (never renamed) into place, so an entry that appeared meanwhile
// is not replaced. Each file's SHA-256 is checked again as it is copied.
// Nothing is ever deleted but seed's own temporaries.
func (p *ModCachePlan) Seed(ctx context.Context, progress func(copier.Progress)) (copier.Stats, error) {
	st := copier.Stats{Skipped: p.skipped}
	if err := os.MkdirAll(p.dst, 0o755); err != nil {
		return st, err
	}
	prefix := ProxyDir + "/"
	for _, e := range p.dirs {
		dstp := filepath.Join(p.dst, filepath.FromSlash(strings.TrimPrefix(e.Path, prefix)))
		if err := os.Mkdir(dstp, 0o755); err != nil {
			if fi, serr := os.Stat(dstp); serr != nil || !fi.IsDir() {
				return st, fmt.Errorf("create %s: %w", dstp, err)
			}
			continue
		}
		st.Dirs++
	}
	pr := copier.Progress{TotalFiles: int64(len(p.files)), TotalBytes: p.bytes, WalkDone: true}
	last := time.Now()
	for _, e := range p.files {
		if err := ctx.Err(); err != nil {
			return st, err
		}
		dstp := filepath.Join(p.dst, filepath.FromSlash(strings.TrimPrefix(e.Path, prefix)))
		src := filepath.Join(p.img, filepath.FromSlash(e.Path))
		created, err := addFile(src, dstp, e, "module cache")
		if err != nil {
			return st, err
		}
		if created {
			st.Files++
			st.Bytes += e.Size
		} else {
			st.Skipped++
		}
		pr.Files++
		pr.Bytes += e.Size
		if progress != nil && time.Since(last) > 100*time.Millisecond {
			progress(pr)
			last = time.Now()
		}
	}
	if progress != nil {
		progress(pr)
	}
	return st, nil
}

// errAppeared is addFile's error for a destination that appeared with
// other content since it was planned.
var errAppeared = errors.New("it appeared meanwhile with other content; it was left as it is")

// addFile copies the image file src, listed as e, to dst in the cache
// named by what unless dst exists; it reports whether it created dst. A
// dst that appeared since the plan is accepted only with the same content.
func addFile(src, dst string, e FileEntry, what string) (bool, error) {
	in, err := os.Open(src)
	if err != nil {
		return false, err
	}
	defer in.Close()
	perm := fs.FileMode(0o644)
	if v, err := strconv.ParseUint(e.Mode, 8, 32); err == nil {
		perm = fs.FileMode(v).Perm() | 0o200
	}
	var tmp *os.File
	for range 10 {
		var b [8]byte
		rand.Read(b[:])
		tmp, err = os.OpenFile(filepath.Join(filepath.Dir(dst), ".sprintkit-"+hex.EncodeToString(b[:])), os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm)
		if !errors.Is(err, fs.ErrExist) {
			break
		}
	}
	if err != nil {
		return false, fmt.Errorf("add %s to the %s: %w", dst, what, err)
	}
	tmpName := tmp.Name()
	defer os.Remove(tmpName) // ours: created exclusively above
	h := sha256.New()
	if _, err := io.Copy(io.MultiWriter(tmp, h), in); err != nil {
		tmp.Close()
		return false, fmt.Errorf("add %s to the %s: %w", dst, what, err)
	}
	if err := tmp.Close(); err != nil {
		return false, fmt.Errorf("add %s to the %s: %w", dst, what, err)
	}
	if hex.EncodeToString(h.Sum(nil)) != e.SHA256 {
		return false, fmt.Errorf("add %s to the %s: the image's %s changed after it was verified", dst, what, e.Path)
	}
	if e.MTime != 0 {
		t := time.Unix(0, e.MTime)
		os.Chtimes(tmpName, t, t)
	}
	// A hard link never replaces an existing name.
	err = os.Link(tmpName, dst)
	if errors.Is(err, fs.ErrExist) {
		if sum, herr := HashFile(dst); herr == nil && sum == e.SHA256 {
			return false, nil
		}
		return false, fmt.Errorf("add %s to the %s: %w", dst, what, errAppeared)
	}
	if err != nil {
		// A file system without hard links: check, then rename.
		if _, lerr := os.Lstat(dst); lerr == nil {
			return false, fmt.Errorf("add %s to the %s: %w", dst, what, errAppeared)
		}
		if err := os.Rename(tmpName, dst); err != nil {
			return false, fmt.Errorf("add %s to the %s: %w", dst, what, err)
		}
	}
	return true, nil
}
