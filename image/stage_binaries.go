package image

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
)

// stageBinaries copies this sprintkit to bin/ and cross-builds it for
// opts.Platforms, keeping the binaries an earlier staging made with the
// same sprintkit and removing stale ones.
func (s *stager) stageBinaries(ctx context.Context) error {
	opts, m, prev, res, out := s.opts, s.m, s.prev, s.res, s.out
	exe := opts.Executable
	if exe == "" {
		var err error
		if exe, err = os.Executable(); err != nil {
			return fmt.Errorf("find the sprintkit binary: %w", err)
		}
	}
	s.step("binaries", "copying sprintkit to %s", HostBinary())
	if _, err := copyFileAtomic(exe, filepath.Join(out, filepath.FromSlash(HostBinary()))); err != nil {
		return fmt.Errorf("copy sprintkit to image: %w", err)
	}
	binKey, err := HashFile(exe)
	if err != nil {
		return fmt.Errorf("hash %s: %w", exe, err)
	}
	m.BinaryKey = binKey
	m.HostPlatform = runtime.GOOS + "/" + runtime.GOARCH
	// Binaries of earlier runs: kept when made by this same sprintkit (a
	// re-staging without --platforms keeps them), removed when stale.
	if prev != nil {
		for _, p := range prev.Platforms {
			if contains(opts.Platforms, p) {
				continue
			}
			bin := filepath.Join(out, filepath.FromSlash(PlatformBinary(p)))
			if prev.BinaryKey == binKey && exists(bin) {
				m.Platforms = append(m.Platforms, p)
				continue
			}
			if err := os.RemoveAll(filepath.Dir(bin)); err != nil {
				return fmt.Errorf("remove the stale binary for %s: %w", p, err)
			}
		}
	}
	var todo []string
	for _, p := range opts.Platforms {
		if !opts.Refresh && prev != nil && prev.BinaryKey == binKey && contains(prev.Platforms, p) && exists(filepath.Join(out, filepath.FromSlash(PlatformBinary(p)))) {
			m.Platforms = append(m.Platforms, p)
			continue
		}
		todo = append(todo, p)
	}
	if len(opts.Platforms) > 0 && len(todo) == 0 {
		res.Skipped = append(res.Skipped, "binaries")
	}
	if len(todo) > 0 {
		srcDir, err := SourceDir()
		if err != nil {
			s.warn("no binaries for %s: %v", strings.Join(todo, ", "), err)
			todo = nil
		}
		for _, p := range todo {
			s.step("binaries", "building sprintkit for %s", p)
			if err := CrossBuild(ctx, srcDir, filepath.Join(out, filepath.FromSlash(PlatformBinary(p))), p, opts.Version, s.env); err != nil {
				if ctx.Err() != nil {
					return ctx.Err()
				}
				s.warn("%v", err)
				continue
			}
			m.Platforms = append(m.Platforms, p)
			res.Built = append(res.Built, p)
		}
	}
	sort.Strings(m.Platforms)
	return nil
}
