package gotest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"
	"golang.org/x/tools/cover"

	"github.com/sprintkit/sprintkit/coverage"
	"github.com/sprintkit/sprintkit/internal/gotokens"
	"github.com/sprintkit/sprintkit/internal/quickopen"
)

// listProject lists every package of every module of proj. With several
// modules, one whose packages cannot be listed becomes a warning.
// ListProject lists the packages of the Go project at dir as Run tests
// them: every module of a go.work workspace (in workspace mode), or each
// module at dir and below it. env is added to the environment.
func ListProject(ctx context.Context, dir string, env []string) ([]*Package, error) {
	proj, err := FindProject(ctx, dir)
	if err != nil {
		return nil, err
	}
	pkgs, _, err := listProject(ctx, proj, env)
	return pkgs, err
}

func listProject(ctx context.Context, proj *Project, env []string) ([]*Package, []string, error) {
	if proj.Workspace != "" {
		pkgs, err := ListPackages(ctx, proj.Root, goEnviron(env, true), modulePatterns(proj.Root, proj.Modules)...)
		return pkgs, nil, err
	}
	var all []*Package
	var warnings []string
	for _, m := range proj.Modules {
		ps, err := ListPackages(ctx, m.Dir, goEnviron(env, false), "./...")
		if err != nil {
			if len(proj.Modules) == 1 || ctx.Err() != nil {
				return nil, nil, err
			}
			warnings = append(warnings, fmt.Sprintf("module %s: %v", m.Path, err))
			continue
		}
		all = append(all, ps...)
	}
	markPackages(all) // imports across nested modules count too
	return all, warnings, nil
}

// FromProfiles builds a Result from parsed Go profiles without running
// anything. In a Go module under root, `go list` maps files to packages and
// says which are main, test support or tested; go/ast finds the functions of
// every source file it can locate. Without a module (or without the go
// command), files are grouped by their directory and a warning says so.
func FromProfiles(ctx context.Context, root string, profiles []*cover.Profile) (*coverage.Result, error) {
	return StartListing(ctx, root).Result(ctx, profiles)
}

// Listing is what FromProfiles learns of a checkout apart from a profile:
// its Go project, found at once, and what `go list` says of its packages,
// which the go command works out in the background, so that the profile can
// be read meanwhile. Result waits for it.
type Listing struct {
	root   string
	cancel context.CancelFunc
	done   chan struct{} // closed when the fields below are set
	proj   *Project
	pkgs   []*Package
	warns  []string
	err    error // returned by Result, after the profiles' own errors
	keep   bool  // KeepTokens
	pre    *prescan
}

// KeepTokens makes Result keep each Go source's highlighting tokens in
// File.Tokens, from the scan that finds its functions, for an HTML report
// that follows: the report then does not scan the sources again. Without
// it nothing is kept. Call it before Result.
func (l *Listing) KeepTokens() {
	l.keep = true
}

// StartListing finds the Go project at root and starts listing its packages
// with `go list`. A failure of go list is a warning of the Result (files are
// then placed by their module path alone); a directory outside any module
// is grouped by directory; any other error is returned by Result. Call
// Result, or Stop to give up.
func StartListing(ctx context.Context, root string) *Listing {
	if root == "" {
		root = "."
	}
	ctx, cancel := context.WithCancel(ctx)
	l := &Listing{root: root, cancel: cancel, done: make(chan struct{})}
	abs, err := filepath.Abs(root)
	if err != nil {
		l.err = err
		close(l.done)
		return l
	}
	proj, err := FindProject(ctx, abs)
	switch {
	case err == nil:
		l.proj = proj
		go func() {
			defer close(l.done)
			pkgs, lw, err := listProject(ctx, proj, nil)
			l.pkgs, l.warns = pkgs, lw
			if err != nil {
				if ctx.Err() != nil {
					l.err = ctx.Err()
					return
				}
				l.warns = append(l.warns, fmt.Sprintf("package metadata unavailable: %v", err))
				l.pkgs = nil
			}
		}()
		return l
	case errors.Is(err, ErrNotGoModule):
		l.proj = &Project{Root: abs}
		l.warns = append(l.warns, fmt.Sprintf("%s is not in a Go module: files are grouped by directory", root))
	default:
		l.err = err
	}
	close(l.done)
	return l
}

// Stop ends the listing without a result and waits for the go command.
func (l *Listing) Stop() {
	l.cancel()
	<-l.done
	l.pre.wait()
}

// Result builds the Result of profiles in the listed project, as
// FromProfiles does. While go list still runs, it reads and scans the
// sources where the profile's module paths place them: go list almost
// always places a file there too, and then its scan is used as it is.
func (l *Listing) Result(ctx context.Context, profiles []*cover.Profile) (*coverage.Result, error) {
	defer l.cancel()
	merged := profiles
	if !mergedAlready(profiles) {
		var err error
		if merged, err = MergeProfiles(profiles); err != nil {
			l.Stop()
			return nil, err
		}
	}
	var early map[string]*scannedFile
	if l.proj != nil {
		pre, given := l.pre.wait()
		early = scanUntil(ctx, l.done, l.proj, merged, l.keep, given)
		for path, sf := range pre {
			early[path] = sf
		}
	}
	<-l.done
	if l.err != nil {
		return nil, l.err
	}
	r, err := buildGoResult(ctx, l.proj, l.pkgs, merged, early, l.keep)
	if err != nil {
		return nil, err
	}
	r.Warnings = append(append([]string(nil), l.warns...), r.Warnings...)
	if l.proj != nil && len(l.proj.Modules) > 1 {
		r.Modules = moduleFigures(l.proj, r)
	}
	return r, nil
}

// scannedFile is what scanGoFile found in one source file.
type scannedFile struct {
	funcs     []goFunc
	generated bool
	warning   string           // why there are no functions: the file could not be read or scanned
	tokens    *gotokens.Tokens // kept for the HTML report; nil when not asked for
	read      bool             // the file was there, a regular file, and read whole
}

// scanGoFile reads and scans the Go source at path. With keep, the same
// scan also keeps the source's highlighting tokens (gotokens.Keep says
// which sources are worth it).
func scanGoFile(path string, keep bool) *scannedFile {
	src, err := quickopen.ReadFile(path)
	if err != nil {
		return &scannedFile{warning: fmt.Sprintf("read %s: %v", path, err)}
	}
	var rec *gotokens.Recorder
	if keep && gotokens.Keep(src) {
		rec = gotokens.NewRecorder(src)
	}
	funcs, generated, err := parseGoFuncs(path, src, rec)
	sf := &scannedFile{funcs: funcs, generated: generated, read: true}
	if rec != nil {
		sf.tokens = rec.Tokens()
	}
	if err != nil {
		sf.funcs, sf.warning = nil, fmt.Sprintf("parse %s: no functions: %v", path, err)
	}
	return sf
}

// scanUntil scans, in parallel, the sources of profiles found by their
// module paths alone (without go list's package directories) until done is
// closed or every source is scanned, and returns the scans by path. The
// file names given were Prescan's already.
func scanUntil(ctx context.Context, done <-chan struct{}, proj *Project, profiles []*cover.Profile, keep bool, given map[string]bool) map[string]*scannedFile {
	out := map[string]*scannedFile{}
	var mu sync.Mutex
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(runtime.GOMAXPROCS(0))
scan:
	for _, prof := range profiles {
		select {
		case <-done:
			break scan
		case <-gctx.Done():
			break scan
		default:
		}
		if given[prof.FileName] {
			continue // Prescan's
		}
		g.Go(func() error {
			// Found in the workers: a stat per file, in parallel.
			_, base := splitGoFileName(prof.FileName)
			path := locateGoFile(proj, nil, prof.FileName, base, nil)
			if path == "" {
				return nil
			}
			s := scanGoFile(path, keep)
			mu.Lock()
			out[path] = s
			mu.Unlock()
			return nil
		})
	}
	g.Wait()
	return out
}

// mergedAlready reports whether profiles are as ParseProfile returns
// them: one per file, sorted by file name, blocks sorted and distinct, one
// mode. Then FromProfiles uses them as they are instead of copying.
func mergedAlready(profiles []*cover.Profile) bool {
	for i, p := range profiles {
		if i > 0 && (p.FileName <= profiles[i-1].FileName || p.Mode != profiles[0].Mode) {
			return false
		}
		if !validMode(p.Mode) {
			return false
		}
		for j := 1; j < len(p.Blocks); j++ {
			if !less(p.Blocks[j-1], p.Blocks[j]) {
				return false
			}
		}
	}
	return true
}

// buildGoResult maps merged profiles onto packages and files, finds
// functions and generated files in the sources, and finalizes the counts.
// early holds sources already scanned, by path; nil when there are none.
// keep keeps each source's highlighting tokens in File.Tokens.
func buildGoResult(ctx context.Context, proj *Project, pkgs []*Package, profiles []*cover.Profile, early map[string]*scannedFile, keep bool) (*coverage.Result, error) {
	r := &coverage.Result{
		Project:   proj.Name(),
		Root:      proj.Root,
		Generated: time.Now().UTC(),
		Language:  "go",
		Mode:      "set",
		Packages:  []*coverage.Package{},
	}
	if len(profiles) > 0 && profiles[0].Mode != "" {
		r.Mode = profiles[0].Mode
	}
	byPath := make(map[string]*Package, len(pkgs))
	for _, p := range pkgs {
		byPath[p.ImportPath] = p
	}
	out := map[string]*coverage.Package{}
	type job struct {
		f   *coverage.File
		src string
	}
	jobs := make([]job, 0, len(profiles))
	for _, prof := range profiles {
		dir, base := splitGoFileName(prof.FileName)
		gp := byPath[dir]
		p := out[dir]
		if p == nil {
			p = &coverage.Package{Name: dir}
			if gp != nil {
				p.Dir = relSlash(proj.Root, gp.Dir)
				p.IsMain, p.TestSupport, p.HasTests = gp.IsMain, gp.TestSupport, gp.HasTests
				p.SupportReason = gp.SupportReason
			}
			out[dir] = p
			r.Packages = append(r.Packages, p)
		}
		f := &coverage.File{Path: prof.FileName, Blocks: prof.Blocks}
		src := locateGoFile(proj, gp, prof.FileName, base, early)
		if src != "" {
			f.Rel = relSlash(proj.Root, src)
			if p.Dir == "" && f.Rel != "" {
				p.Dir = filepath.ToSlash(filepath.Dir(filepath.FromSlash(f.Rel)))
			}
			jobs = append(jobs, job{f, src})
		}
		p.Files = append(p.Files, f)
	}

	var mu sync.Mutex
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(runtime.GOMAXPROCS(0))
	for _, j := range jobs {
		g.Go(func() error {
			if err := gctx.Err(); err != nil {
				return err
			}
			sf := early[j.src]
			if sf == nil {
				sf = scanGoFile(j.src, keep)
			}
			j.f.Generated, j.f.Tokens = sf.generated, sf.tokens
			if sf.warning != "" {
				mu.Lock()
				r.Warnings = append(r.Warnings, sf.warning)
				mu.Unlock()
				return nil
			}
			funcs := sf.funcs
			name := j.f.Rel
			if name == "" {
				name = j.f.Path
			}
			j.f.Functions = funcCoverage(name, funcs, j.f.Blocks)
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	r.Finalize()
	return r, nil
}

// locateGoFile finds the source of a profile's file name: in its package's
// directory, under the module whose path prefixes it, as an absolute path,
// or relative to the root.
func locateGoFile(proj *Project, gp *Package, name, base string, scanned map[string]*scannedFile) string {
	if gp != nil && gp.Dir != "" {
		p := filepath.Join(gp.Dir, base)
		if sf := scanned[p]; (sf != nil && sf.read) || fileExists(p) {
			return p
		}
	}
	best, bestLen := "", -1
	for _, m := range proj.Modules {
		if strings.HasPrefix(name, m.Path+"/") && len(m.Path) > bestLen {
			best, bestLen = filepath.Join(m.Dir, filepath.FromSlash(name[len(m.Path)+1:])), len(m.Path)
		}
	}
	if best != "" && fileExists(best) {
		return best
	}
	if filepath.IsAbs(name) && fileExists(name) {
		return name
	}
	if p := filepath.Join(proj.Root, filepath.FromSlash(name)); fileExists(p) {
		return p
	}
	return ""
}

func fileExists(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.Mode().IsRegular()
}

// mergeProfileFiles reads and merges the profiles a run wrote, skipping
// those not written (nothing built), and returns their mode.
func mergeProfileFiles(files []string) (string, []*cover.Profile, error) {
	m := NewMerger()
	for _, p := range files {
		f, err := os.Open(p)
		if errors.Is(err, os.ErrNotExist) {
			continue // nothing built: every package failed to build
		} else if err != nil {
			return "", nil, fmt.Errorf("read coverage profile: %w", err)
		}
		err = m.Read("cover.out", f)
		f.Close()
		if err != nil {
			return "", nil, err
		}
	}
	mode := m.Mode()
	merged, err := m.Profiles()
	if err != nil {
		return "", nil, err
	}
	return mode, merged, nil
}
