package report

import (
	"fmt"
	"html/template"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"sync"

	"github.com/sprintkit/sprintkit/coverage"
	"github.com/sprintkit/sprintkit/internal/human"
)

// site is the view model of the whole report, built before any writing.
type site struct {
	r        *coverage.Result
	targets  []coverage.Target
	opts     HTMLOptions
	project  string
	commit   string // short
	date     string
	pkgPage  map[*coverage.Package]string // "pkg/x.html"
	filePage map[*coverage.File]string    // "src/x.html"
	byName   map[string]*coverage.File    // Rel and Path → file
	pkgRank  map[string]int               // package → best rank of its targets
	chrome   map[string][2]template.HTML  // depth → rendered chrome and foot
	root     string                       // r.Root made absolute
	realRoot string                       // root with symlinks resolved; "" when it cannot be
	warnMu   sync.Mutex
	dirMu    sync.Mutex
	realDirs map[string]string // directory → its resolved path inside realRoot, "" when not (readSource)
}

func newSite(r *coverage.Result, targets []coverage.Target, opts HTMLOptions) *site {
	s := &site{r: r, targets: targets, opts: opts,
		pkgPage: map[*coverage.Package]string{}, filePage: map[*coverage.File]string{},
		byName: map[string]*coverage.File{}, pkgRank: map[string]int{}}
	s.project = opts.Title
	if s.project == "" {
		s.project = r.Project
	}
	if s.project == "" {
		s.project = "coverage report"
	}
	s.commit = opts.Commit
	if s.commit == "" {
		s.commit = r.Commit
	}
	if !r.Generated.IsZero() {
		s.date = r.Generated.UTC().Format("2006-01-02 15:04 UTC")
	}
	if r.Root != "" {
		if abs, err := filepath.Abs(r.Root); err == nil {
			s.root = abs
			if real, err := filepath.EvalSymlinks(abs); err == nil {
				s.realRoot = real
			}
		}
	}
	pn, fn := newPageNamer(), newPageNamer()
	for _, p := range r.Packages {
		s.pkgPage[p] = path.Join(pkgDir, pn.name(p.Name))
		for _, f := range p.Files {
			s.filePage[f] = path.Join(srcDir, fn.name(fileLabel(f)))
			if f.Rel != "" {
				s.byName[f.Rel] = f
			}
			if _, ok := s.byName[f.Path]; !ok {
				s.byName[f.Path] = f
			}
		}
	}
	for _, t := range targets {
		if best, ok := s.pkgRank[t.Package]; !ok || t.Rank < best {
			s.pkgRank[t.Package] = t.Rank
		}
	}
	return s
}

// page is what every page template needs.
type page struct {
	Title   string
	Up      string // "" at the top, "../" in pkg/ and src/
	Project string
	Commit  string
	Date    string
	// Chrome and Foot are the "chrome" and "foot" templates rendered once
	// per depth (see chrome); "top" and "bottom" embed them.
	Chrome, Foot template.HTML
}

func (s *site) page(title, up string) page {
	p := page{Title: title, Up: up, Project: s.project, Commit: human.Commit(s.commit), Date: s.date}
	c := s.chrome[up]
	p.Chrome, p.Foot = c[0], c[1]
	return p
}

// renderChrome renders the header and footer shared by the pages at each
// depth, once, instead of once per page.
func (s *site) renderChrome(tmpl *template.Template) error {
	s.chrome = map[string][2]template.HTML{}
	for _, up := range []string{"", "../"} {
		p := page{Up: up, Project: s.project, Commit: human.Commit(s.commit), Date: s.date}
		var head, foot strings.Builder
		if err := tmpl.ExecuteTemplate(&head, "chrome", p); err != nil {
			return fmt.Errorf("html report: %w", err)
		}
		if err := tmpl.ExecuteTemplate(&foot, "foot", p); err != nil {
			return fmt.Errorf("html report: %w", err)
		}
		s.chrome[up] = [2]template.HTML{template.HTML(head.String()), template.HTML(foot.String())}
	}
	return nil
}

// fileHref is the link to the page of a file named by Rel or Path, with an
// optional line anchor, relative to a page at depth up; "" when unknown.
func (s *site) fileHref(up, name string, line int) string {
	f := s.byName[name]
	if f == nil {
		return ""
	}
	h := up + s.filePage[f]
	if line > 0 {
		h += "#L" + strconv.Itoa(line)
	}
	return h
}

func (s *site) pkgHref(up, name string) string {
	if p := s.r.Package(name); p != nil {
		return up + s.pkgPage[p]
	}
	return ""
}

// warn passes msg to opts.Warn, one call at a time.
func (s *site) warn(msg string) {
	if s.opts.Warn == nil {
		return
	}
	s.warnMu.Lock()
	defer s.warnMu.Unlock()
	s.opts.Warn(msg)
}
