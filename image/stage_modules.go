package image

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/sprintkit/sprintkit/copier"
	"github.com/sprintkit/sprintkit/internal/human"
)

// stageModules downloads every module the build and tests need into the
// private module cache (unless go.mod and go.sum did not change) and
// copies its cache/download to the image's module tree.
func (s *stager) stageModules(ctx context.Context) error {
	if !s.isGo {
		return nil
	}
	opts, m, res := s.opts, s.m, s.res
	key, err := modKey(s.src)
	if err != nil {
		return err
	}
	m.ModKey = key
	priv := opts.ModCache
	if priv == "" {
		if priv, err = defaultModCache(s.out); err != nil {
			return err
		}
	}
	res.ModCache = priv
	privDL := filepath.Join(priv, "cache", "download")
	_, statErr := os.Stat(privDL)
	prev := s.prev
	reuse := !opts.Refresh && prev != nil && prev.ModKey == key && statErr == nil && exists(filepath.Join(priv+".modfile", "go.sum"))
	if reuse {
		m.Modules = prev.Modules
		res.Skipped = append(res.Skipped, "modules")
		s.step("modules", "go.mod and go.sum unchanged: keeping the staged modules")
	} else {
		s.step("modules", "downloading every module the build and tests need into %s", priv)
		mr, err := StageModules(ctx, s.src, ModOptions{Cache: priv, Env: s.env, KeepModfile: priv + ".modfile"})
		if err != nil {
			return err
		}
		m.Modules = mr.Modules
		if mr.GoSumAdded > 0 {
			s.warn("go.sum lacks %s that building and testing need; newcomers' go adds them without a checksum-database lookup (GONOSUMDB lists the image's modules), but commit a complete go.sum (go mod tidy) to be sure", human.Count(mr.GoSumAdded, "line", "lines"))
		}
		for _, r := range mr.Replaced {
			s.warn("replace %s: a local replacement is not staged; the image builds only if that directory is inside the repository", r)
		}
		if len(mr.Unavailable) > 0 {
			s.warn("%s of the build list could not be downloaded (no package the project builds or tests comes from them): %s", human.Count(len(mr.Unavailable), "module", "modules"), strings.Join(firstN(mr.Unavailable, 5), ", "))
		}
	}
	if err := os.MkdirAll(privDL, 0o755); err != nil { // a module with no dependencies downloads nothing
		return fmt.Errorf("stage modules: %w", err)
	}
	s.step("modules", "copying the module tree to %s", s.proxyDir)
	res.Modules, err = copier.Copy(ctx, privDL, s.proxyDir, copier.Options{
		Workers:  opts.Workers,
		Exclude:  []string{"*.lock", "*.partial", "*.tmp", "/sumdb/"},
		Delete:   true,
		Progress: progressFor(opts.CopyProgress, "modules"),
	})
	if err != nil {
		return fmt.Errorf("copy modules to image: %w", err)
	}
	if v, err := goCmdOutput(ctx, "", setEnv(s.env, "GOTOOLCHAIN", "local"), "env", "GOVERSION"); err == nil {
		m.StagedWith = strings.TrimSpace(string(v))
	}
	return nil
}
