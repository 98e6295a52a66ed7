package image

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
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
	Format   string    `json:"format"`
	Version  int       `json:"version"`
	Created  time.Time `json:"created"`
	Project  string    `json:"project"`
	Upstream string    `json:"upstream"`
	Commit   string    `json:"commit"`
	Dirty    bool      `json:"dirty,omitempty"`
	// SnapshotOf is the checkout's commit when Dirty: Commit is then the
	// snapshot commit of its uncommitted changes on top of it (dirty.go).
	SnapshotOf       string   `json:"snapshot_of,omitempty"`
	SprintkitVersion string   `json:"sprintkit_version"`
	Go               string   `json:"go"`
	Toolchain        string   `json:"toolchain,omitempty"`
	StagedWith       string   `json:"staged_with,omitempty"`
	Modules          []string `json:"modules"`
	Platforms        []string `json:"platforms"`
	// HostPlatform is the GOOS/GOARCH of bin/sprintkit, the staging
	// sprintkit itself (the cross-builds are Platforms).
	HostPlatform string `json:"host_platform,omitempty"`
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
