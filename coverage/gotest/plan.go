package gotest

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/sprintkit/sprintkit/coverage"
)

// goTestRun is one `go test` invocation.
type goTestRun struct {
	dir       string
	workspace bool // run from a go.work root
	patterns  []string
	coverpkg  []string
	skip      []string // top-level tests to leave out (-skip)
	runNone   bool     // build and start the binaries, run no test (-run=^$)
	// only is a -run pattern, with -count=1, for the re-run of one failing
	// test; the -run and -count of Options.Flags are then left out.
	only string
	// noTrimpath leaves -trimpath out of Options.Flags and GOFLAGS.
	noTrimpath bool
}

// planRuns decides the go test invocations.
func planRuns(proj *Project, absDir string, opts Options) ([]goTestRun, error) {
	if proj.Workspace != "" {
		run := goTestRun{dir: proj.Root, workspace: true, patterns: opts.Packages, coverpkg: opts.CoverPkg}
		if len(run.patterns) == 0 {
			run.patterns = modulePatterns(proj.Root, proj.Modules)
		} else {
			run.patterns = rebase(absDir, proj.Root, run.patterns)
		}
		if len(run.coverpkg) == 0 {
			run.coverpkg = modulePatterns(proj.Root, proj.Modules)
		} else {
			run.coverpkg = rebase(absDir, proj.Root, run.coverpkg)
		}
		return []goTestRun{run}, nil
	}
	var runs []goTestRun
	for _, m := range proj.Modules {
		run := goTestRun{dir: m.Dir}
		if len(opts.Packages) == 0 {
			run.patterns = []string{"./..."}
		} else {
			run.patterns = rebase(absDir, m.Dir, patternsOf(proj, m, absDir, opts.Packages))
			if len(run.patterns) == 0 {
				continue
			}
		}
		run.coverpkg = rebase(absDir, m.Dir, patternsOf(proj, m, absDir, opts.CoverPkg))
		if len(run.coverpkg) == 0 {
			run.coverpkg = []string{"./..."}
		}
		runs = append(runs, run)
	}
	if len(runs) == 0 {
		return nil, fmt.Errorf("no module of %s holds the packages %s", proj.Root, strings.Join(opts.Packages, " "))
	}
	return runs, nil
}

// patternsOf returns the patterns that belong to module m: import paths
// under its module path, and directories under its directory, each to the
// innermost module that holds it.
func patternsOf(proj *Project, m Module, absDir string, patterns []string) []string {
	var out []string
	for _, p := range patterns {
		if owner(proj, absDir, p) == m.Dir {
			out = append(out, p)
		}
	}
	return out
}

func owner(proj *Project, absDir, pattern string) string {
	best, bestLen := "", -1
	if isRelPattern(pattern) {
		d := filepath.Join(absDir, filepath.FromSlash(strings.TrimSuffix(strings.TrimSuffix(pattern, "..."), "/")))
		for _, m := range proj.Modules {
			if relSlash(m.Dir, d) != "" && len(m.Dir) > bestLen {
				best, bestLen = m.Dir, len(m.Dir)
			}
		}
		return best
	}
	for _, m := range proj.Modules {
		if (pattern == m.Path || strings.HasPrefix(pattern, m.Path+"/")) && len(m.Path) > bestLen {
			best, bestLen = m.Dir, len(m.Path)
		}
	}
	return best
}

func isRelPattern(p string) bool {
	return p == "." || p == ".." || strings.HasPrefix(p, "./") || strings.HasPrefix(p, "../") || filepath.IsAbs(p)
}

// rebase rewrites relative patterns given relative to from so that they are
// relative to to; import path patterns are kept.
func rebase(from, to string, patterns []string) []string {
	out := make([]string, 0, len(patterns))
	for _, p := range patterns {
		if !isRelPattern(p) {
			out = append(out, p)
			continue
		}
		suffix := ""
		base := p
		if strings.HasSuffix(base, "/...") {
			suffix, base = "/...", strings.TrimSuffix(base, "/...")
		} else if base == "..." {
			suffix, base = "/...", "."
		}
		abs := base
		if !filepath.IsAbs(abs) {
			abs = filepath.Join(from, filepath.FromSlash(base))
		}
		rel, err := filepath.Rel(to, abs)
		if err != nil {
			out = append(out, p)
			continue
		}
		rel = filepath.ToSlash(rel)
		if rel != "." && !strings.HasPrefix(rel, "../") && rel != ".." {
			rel = "./" + rel
		}
		out = append(out, rel+suffix)
	}
	return out
}

// withoutPackages returns the import paths of the packages of run's
// module(s) other than the broken ones.
func withoutPackages(pkgs []*Package, run goTestRun, broken map[string]bool) []string {
	var out []string
	for _, p := range pkgs {
		if broken[p.ImportPath] {
			continue
		}
		if !run.workspace && p.Module != nil && p.Module.Dir != run.dir {
			continue // another module, tested in its own run
		}
		out = append(out, p.ImportPath)
	}
	return out
}

// importPathsOnly reports whether every pattern names one package by its
// import path (no "..." and no directory).
func importPathsOnly(patterns []string) bool {
	for _, p := range patterns {
		if isRelPattern(p) || strings.Contains(p, "...") {
			return false
		}
	}
	return len(patterns) > 0
}

func dropPaths(paths []string, drop map[string]bool) []string {
	var out []string
	for _, p := range paths {
		if !drop[p] {
			out = append(out, p)
		}
	}
	return out
}

// goEnviron returns the environment for a go command: ours plus extra. In
// workspace mode it drops -mod flags from GOFLAGS, which go rejects there
// ("-mod may only be set to readonly or vendor when in workspace mode").
func goEnviron(extra []string, workspace bool) []string {
	env := append(os.Environ(), extra...)
	if !workspace {
		return env
	}
	for i := len(env) - 1; i >= 0; i-- {
		v, ok := strings.CutPrefix(env[i], "GOFLAGS=")
		if !ok {
			continue
		}
		var keep []string
		for _, f := range strings.Fields(v) {
			if !strings.HasPrefix(f, "-mod=") && !strings.HasPrefix(f, "--mod=") {
				keep = append(keep, f)
			}
		}
		env[i] = "GOFLAGS=" + strings.Join(keep, " ")
		break
	}
	return env
}

// retryWithoutBroken runs again without the packages that did not compile.
// With -coverpkg, go test builds every package the patterns match for each
// test binary's coverage report, so one package that does not compile fails
// every build. Run again without the broken packages (at most twice more),
// so the rest of the suite still measures; the broken packages keep their
// "(build)" failures.
func (s *suite) retryWithoutBroken(ctx context.Context, run goTestRun, out string, ts []coverage.TestResult, broken map[string]bool, died map[string]*death) ([]coverage.TestResult, map[string]*death, error) {
	opts := s.opts
	for retry := 0; len(broken) > 0 && retry < 2; retry++ {
		if len(opts.CoverPkg) == 0 && len(opts.Packages) == 0 {
			s.list.wait()
			if s.list.err != nil {
				break
			}
			good := withoutPackages(s.list.pkgs, run, nil)
			if better := withoutPackages(s.list.pkgs, run, broken); len(better) < len(good) {
				run.coverpkg, run.patterns = better, better
			} else {
				break // what failed is not ours to leave out (a missing dependency)
			}
		} else if importPathsOnly(run.patterns) && importPathsOnly(run.coverpkg) {
			// Explicit packages (watch-test's affected set): drop the broken ones.
			p, c := dropPaths(run.patterns, broken), dropPaths(run.coverpkg, broken)
			if len(p) == len(run.patterns) && len(c) == len(run.coverpkg) {
				break
			}
			run.patterns, run.coverpkg = p, c
		} else {
			break
		}
		if len(run.patterns) == 0 || len(run.coverpkg) == 0 {
			break
		}
		ts2, more, died2, err2 := runGoTest(ctx, run, out, opts, s.prog, s.emit)
		if err2 != nil {
			if ctx.Err() != nil {
				return nil, nil, err2
			}
			break
		}
		for _, tr := range ts {
			if broken[tr.Package] {
				ts2 = append(ts2, tr)
			}
		}
		ts, died = ts2, died2
		if len(more) == 0 {
			break
		}
		for k := range more {
			broken[k] = true
		}
	}
	return ts, died, nil
}
