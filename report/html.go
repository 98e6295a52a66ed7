package report

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"html/template"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"sync/atomic"

	"golang.org/x/sync/errgroup"

	"github.com/sprintkit/sprintkit/coverage"
	"github.com/sprintkit/sprintkit/internal/quickopen"
	"github.com/sprintkit/sprintkit/patchcov"
	"github.com/sprintkit/sprintkit/report/templates"
)

// HTMLOptions shapes the static HTML site.
type HTMLOptions struct {
	Title   string // project name; r.Project when empty
	Commit  string // commit shown on the pages; r.Commit when empty
	Workers int    // parallel page writers; 0 means GOMAXPROCS
	// Progress, when set, is called after each page is written, one call
	// at a time, with the number of pages written and the total.
	Progress func(done, total int)
	// Warn, when set, is called one call at a time with a message about a
	// file whose page leaves something out: a source outside the checkout,
	// or coverage data past the end of the source.
	Warn func(msg string)
	// Patch, when set, adds the "Your change" page, patch.html (patch.go),
	// linked from the index.
	Patch *patchcov.Coverage
	// LineTests, when set, says which tests run each line: file pages
	// then show them from the gutter (linetests.go).
	LineTests LineTests
}

// The site's layout. Every page name comes from pageNamer, so any package
// or file path, however odd, maps to a flat, safe, unique file name.
//
//	index.html          project, commit, date, total, ranked targets, package table, treemap
//	pkg/<name>.html     one page per package: files and functions by uncovered statements
//	src/<name>.html     one page per source file: marked, highlighted source (highlight.go), uncovered functions, missed ranges
//	assets/style.css    shared stylesheet (dark mode, print)
//	assets/site.js      sortable tables and the package filter; pages work without it
//	.sprintkit-report   marker: only a directory holding it is ever replaced
const (
	siteMarker = ".sprintkit-report"
	pkgDir     = "pkg"
	srcDir     = "src"
	assetDir   = "assets"
	firstTests = 5 // first-test functions shown per target on the index
)

var parsePages = sync.OnceValues(func() (*template.Template, error) {
	return template.New("site").Funcs(template.FuncMap{"n": groupDigits}).ParseFS(templates.FS, templates.Pages...)
})

// HTML writes the static report site into dir and returns the path of its
// index.html. The pages are written in parallel into a temporary sibling
// directory that is renamed into place at the end, so dir never holds a
// half-written site; an existing dir is replaced only when it is empty or
// a previous report (it holds the .sprintkit-report marker), and an existing
// dir keeps its permission bits. Sources are read from
// filepath.Join(r.Root, file.Rel) only when that path, with symlinks
// resolved, is inside the resolved r.Root (see readSource); a file whose
// source is missing or outside gets a page that says so.
func HTML(ctx context.Context, dir string, r *coverage.Result, targets []coverage.Target, opts HTMLOptions) (index string, err error) {
	tmpl, err := parsePages()
	if err != nil {
		return "", fmt.Errorf("html report: parse templates: %w", err)
	}
	if r == nil {
		return "", errors.New("html report: no coverage result")
	}
	dir = filepath.Clean(dir)
	if err := checkReplaceable(dir); err != nil {
		return "", err
	}
	parent := filepath.Dir(dir)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return "", fmt.Errorf("html report: %w", err)
	}
	tmp, err := os.MkdirTemp(parent, "."+filepath.Base(dir)+".tmp-")
	if err != nil {
		return "", fmt.Errorf("html report: %w", err)
	}
	defer func() {
		if err != nil {
			os.RemoveAll(tmp)
		}
	}()
	mode, err := siteMode(dir, tmp)
	if err != nil {
		return "", fmt.Errorf("html report: %w", err)
	}
	s := newSite(r, targets, opts)
	if err := s.renderChrome(tmpl); err != nil {
		return "", err
	}
	if err := s.write(ctx, tmpl, tmp); err != nil {
		return "", err
	}
	// The mode is set last: a user's read-only 0500 directory stays so
	// without keeping the pages from being written.
	if err := os.Chmod(tmp, mode); err != nil {
		return "", fmt.Errorf("html report: %w", err)
	}
	if err := replaceDir(tmp, dir); err != nil {
		return "", err
	}
	return filepath.Join(dir, "index.html"), nil
}

// write renders every page into root.
func (s *site) write(ctx context.Context, tmpl *template.Template, root string) error {
	for _, d := range []string{pkgDir, srcDir, assetDir} {
		if err := os.Mkdir(filepath.Join(root, d), 0o755); err != nil {
			return fmt.Errorf("html report: %w", err)
		}
	}
	for _, a := range templates.Assets {
		b, err := templates.FS.ReadFile(a)
		if err != nil {
			return fmt.Errorf("html report: %w", err)
		}
		if err := os.WriteFile(filepath.Join(root, assetDir, a), b, 0o644); err != nil {
			return fmt.Errorf("html report: %w", err)
		}
	}
	type job struct {
		name   string // relative path
		render func(w *bufio.Writer) error
	}
	jobs := []job{{"index.html", func(w *bufio.Writer) error { return tmpl.ExecuteTemplate(w, "index.html", s.index()) }}}
	if pc := s.opts.Patch; pc != nil {
		jobs = append(jobs, job{"patch.html", func(w *bufio.Writer) error { return tmpl.ExecuteTemplate(w, "patch.html", s.patchPage(pc)) }})
	}
	for _, p := range s.r.Packages {
		jobs = append(jobs, job{s.pkgPage[p], func(w *bufio.Writer) error { return tmpl.ExecuteTemplate(w, "package.html", s.packagePage(p)) }})
		for _, f := range p.Files {
			jobs = append(jobs, job{s.filePage[f], func(w *bufio.Writer) error {
				v := s.filePageView(p, f)
				if err := tmpl.ExecuteTemplate(w, "file-head", v); err != nil {
					return err
				}
				switch {
				case v.toks != nil:
					writeHighlightedRows(w, v.toks, v.states)
				case v.src != nil:
					writeSourceRows(w, v.src, v.states)
				}
				return tmpl.ExecuteTemplate(w, "file-tail", v)
			}})
		}
	}
	workers := s.opts.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(workers)
	var done atomic.Int64
	var progressMu sync.Mutex
	for _, j := range jobs {
		if gctx.Err() != nil {
			break
		}
		g.Go(func() error {
			if err := gctx.Err(); err != nil {
				return err
			}
			if err := writePage(filepath.Join(root, filepath.FromSlash(j.name)), j.render); err != nil {
				return err
			}
			if s.opts.Progress != nil {
				progressMu.Lock()
				s.opts.Progress(int(done.Add(1)), len(jobs))
				progressMu.Unlock()
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	marker := "sprintkit coverage report; this directory is replaced whole by the next report\n"
	if err := os.WriteFile(filepath.Join(root, siteMarker), []byte(marker), 0o644); err != nil {
		return fmt.Errorf("html report: %w", err)
	}
	return nil
}

var pageWriters = sync.Pool{New: func() any { return bufio.NewWriterSize(nil, 64<<10) }}

func writePage(file string, render func(w *bufio.Writer) error) error {
	f, err := quickopen.Create(file)
	if err != nil {
		return fmt.Errorf("html report: %w", err)
	}
	w := pageWriters.Get().(*bufio.Writer)
	w.Reset(f)
	defer pageWriters.Put(w)
	err = render(w)
	if err == nil {
		err = w.Flush()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("html report: write %s: %w", filepath.Base(file), err)
	}
	return nil
}
