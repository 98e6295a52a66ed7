package pertest

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// The cache
//
// Each package's per-test coverage is kept in
//
//	.sprintkit/pertest/<hash of its path>-<key>.json
//
// where the key is the SHA-256 of what the figures depend on: the names
// and contents of the package directory's source files (and, for Go, its
// test files, which are in the same directory), the module's go.mod and
// go.sum, and the toolchain's version. A file whose key still matches is
// read instead of running anything; writing a package's new entry removes
// its older ones. Entries are written to a temporary name and renamed, so a
// reader never sees half of one.

// CacheDir is the cache's directory in a checkout's state directory.
func CacheDir(stateDir string) string { return filepath.Join(stateDir, "pertest") }

// contentKey hashes the files of dir whose names keep says (sorted by
// name), the extra files (go.mod, go.sum; missing ones count as empty) and
// the version string.
func contentKey(dir string, keep func(name string) bool, extra []string, version string) (string, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return "", fmt.Errorf("per-test coverage key: %w", err)
	}
	var names []string
	for _, e := range ents {
		if e.Type().IsRegular() && keep(e.Name()) {
			names = append(names, e.Name())
		}
	}
	sort.Strings(names)
	h := sha256.New()
	fmt.Fprintf(h, "version %s\n", version)
	add := func(label, path string) error {
		f, err := os.Open(path)
		if os.IsNotExist(err) {
			fmt.Fprintf(h, "%s -\n", label)
			return nil
		}
		if err != nil {
			return fmt.Errorf("per-test coverage key: %w", err)
		}
		defer f.Close()
		fi, err := f.Stat()
		if err != nil {
			return fmt.Errorf("per-test coverage key: %w", err)
		}
		fmt.Fprintf(h, "%s %d\n", label, fi.Size())
		if _, err := io.Copy(h, f); err != nil {
			return fmt.Errorf("per-test coverage key: %s: %w", path, err)
		}
		return nil
	}
	for _, n := range names {
		if err := add("file "+n, filepath.Join(dir, n)); err != nil {
			return "", err
		}
	}
	for _, x := range extra {
		if err := add("extra "+filepath.Base(x), x); err != nil {
			return "", err
		}
	}
	return hex.EncodeToString(h.Sum(nil))[:32], nil
}

func pathHash(path string) string {
	s := sha256.Sum256([]byte(path))
	return hex.EncodeToString(s[:6])
}

func cacheFile(cacheDir, path, key string) string {
	return filepath.Join(cacheDir, pathHash(path)+"-"+key+".json")
}

// readCache returns the cached entry of path for key; nil when there is
// none (or it cannot be read: it is then measured again).
func readCache(cacheDir, path, key string) *Package {
	if cacheDir == "" {
		return nil
	}
	b, err := os.ReadFile(cacheFile(cacheDir, path, key))
	if err != nil {
		return nil
	}
	var p Package
	if json.Unmarshal(b, &p) != nil || p.Path != path || p.Key != key {
		return nil
	}
	return &p
}

// writeCache stores p under its key and removes the package's older
// entries.
func writeCache(cacheDir string, p *Package) error {
	if cacheDir == "" {
		return nil
	}
	if err := os.MkdirAll(cacheDir, 0o755); err != nil {
		return fmt.Errorf("per-test coverage cache: %w", err)
	}
	b, err := json.Marshal(p)
	if err != nil {
		return fmt.Errorf("per-test coverage cache: %w", err)
	}
	final := cacheFile(cacheDir, p.Path, p.Key)
	tmp, err := os.CreateTemp(cacheDir, ".tmp-*")
	if err != nil {
		return fmt.Errorf("per-test coverage cache: %w", err)
	}
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return fmt.Errorf("per-test coverage cache: %s: %w", tmp.Name(), err)
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("per-test coverage cache: %s: %w", tmp.Name(), err)
	}
	if err := os.Rename(tmp.Name(), final); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("per-test coverage cache: %w", err)
	}
	old, _ := filepath.Glob(filepath.Join(cacheDir, pathHash(p.Path)+"-*.json"))
	for _, o := range old {
		if o != final && strings.HasSuffix(o, ".json") {
			os.Remove(o)
		}
	}
	return nil
}
