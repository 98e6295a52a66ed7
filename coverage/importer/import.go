package importer

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/sprintkit/sprintkit/coverage"
	"github.com/sprintkit/sprintkit/internal/human"
)

// Import reads coverage files of any supported format (LCOV, Cobertura XML,
// coverage.py JSON; formats may be mixed), resolves their paths against root
// and merges them into one Result.
//
// Paths are resolved in this order: an absolute path inside root; a relative
// path joined to each Cobertura <source>, to root, and to the directory of
// the coverage file; then, for paths written on another machine, the file
// under root that shares the longest run of trailing path elements with it
// (so /home/ci/build/src/x.c finds src/x.c). A file that exists outside root
// (a system header), that no file under root matches, or that several files
// match equally well, is skipped and named in Result.Warnings.
//
// Several inputs merge as CI shards do: a file's line hit counts are summed,
// so a line is covered when any input covered it; functions merge by name
// and line. Totals come from the merged lines; when a producer's declared
// totals disagree with its own line data, a warning says so.
//
// Functions come from the data (LCOV FN/FNDA or FNL/FNA, Cobertura
// <methods>, coverage.py ≥ 7.5 "functions"); a Python file whose data names
// none gets its def and async def blocks from the source. A function without
// an end line reaches to the line before the next function of its file.
//
// Packages are named by PackageName, whatever the format: dotted Python
// packages for .py files, directories relative to root ("." for the top) for
// others. Test files (IsTestFile) that a report measured are kept, marked
// File.TestSupport, and their package Package.TestSupport when it holds
// nothing else. When the data has branch coverage, Result.Branch carries the
// branch-inclusive figure beside the statement figure of Result.Total.
// Result.Language is the format, or the formats joined with "+" when they
// are mixed.
func Import(ctx context.Context, root string, files []string) (*coverage.Result, error) {
	if len(files) == 0 {
		return nil, errors.New("import: no coverage files given")
	}
	var profs []*Profile
	for _, name := range files {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		p, err := ParseFile(name)
		if err != nil {
			return nil, err
		}
		profs = append(profs, p)
	}
	return Resolve(ctx, root, profs, ProfileOptions{})
}

// ProfileOptions tunes Resolve.
type ProfileOptions struct {
	// Language overrides Result.Language ("python" for pytest.Run).
	Language string
}

// Resolve resolves and merges parsed profiles into a finalized Result
// rooted at root. Import documents the rules.
func Resolve(ctx context.Context, root string, profs []*Profile, opts ProfileOptions) (*coverage.Result, error) {
	absRoot, err := filepath.Abs(root)
	if err != nil {
		return nil, fmt.Errorf("import: %w", err)
	}
	rv := newResolver(absRoot)
	merged := map[string]*mergedFile{}
	var order []string
	var warnings []string
	formats := map[string]bool{}
	var formatList []string
	branch := false

	for _, p := range profs {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if !formats[p.Format] {
			formats[p.Format] = true
			formatList = append(formatList, p.Format)
		}
		branch = branch || p.Branch
		for _, f := range p.Files {
			normalizeLines(&f.Lines)
		}
		if w := declaredWarning(p); w != "" {
			warnings = append(warnings, w)
		}
		bases := sourceBases(absRoot, p)
		var skipped []string
		type resolved struct{ rel, why string }
		seen := map[string]resolved{} // a path in several records resolves once
		for _, f := range p.Files {
			res, ok := seen[f.Path]
			if !ok {
				res.rel, res.why = rv.resolve(f.Path, bases, p.Sources)
				seen[f.Path] = res
				if res.rel == "" {
					skipped = append(skipped, fmt.Sprintf("%s (%s)", f.Path, res.why))
				}
			}
			rel := res.rel
			if rel == "" {
				continue
			}
			if len(f.Dropped) > 0 && strings.HasSuffix(rel, ".py") {
				if src, err := os.ReadFile(filepath.Join(absRoot, filepath.FromSlash(rel))); err == nil {
					redocstring(f, src)
				}
			}
			m := merged[rel]
			if m == nil {
				m = &mergedFile{rel: rel, funcs: map[funcKey]*FuncHit{}}
				merged[rel] = m
				order = append(order, rel)
			}
			m.add(f)
		}
		if len(skipped) > 0 {
			warnings = append(warnings, skippedWarning(p.Name, absRoot, skipped))
		}
	}

	r := &coverage.Result{
		Project:   filepath.Base(absRoot),
		Root:      absRoot,
		Generated: time.Now().UTC(),
		Language:  strings.Join(formatList, "+"),
		Mode:      "line",
		Packages:  []*coverage.Package{},
		Warnings:  warnings,
	}
	if opts.Language != "" {
		r.Language = opts.Language
	}
	pkgs := map[string]*coverage.Package{}
	var branches, taken int
	for _, rel := range order {
		m := merged[rel]
		file := m.file(absRoot)
		file.TestSupport = IsTestFile(rel)
		for _, n := range m.branches {
			branches++
			if n > 0 {
				taken++
			}
		}
		name, dir := PackageName(absRoot, rel)
		pkg := pkgs[name]
		if pkg == nil {
			pkg = &coverage.Package{Name: name, Dir: dir, TestSupport: true}
			pkgs[name] = pkg
			r.Packages = append(r.Packages, pkg)
		}
		// A package is test-support when all its files are tests.
		pkg.TestSupport = pkg.TestSupport && file.TestSupport
		pkg.Files = append(pkg.Files, file)
	}
	r.Finalize()
	if branch {
		r.Branch = branchTotal(r.Total, branches, taken)
		r.Branch.Why = "the " + strings.Join(formatList, " and ") + " data has branch coverage"
	}
	return r, nil
}

// branchTotal returns the branch-inclusive figure of total and the branches
// of every file.
func branchTotal(total coverage.Counts, branches, taken int) *coverage.BranchCounts {
	return &coverage.BranchCounts{Branches: branches, Taken: taken,
		Percent: coverage.Percent(total.Covered+taken, total.Statements+branches)}
}

// declaredWarning compares a profile's declared totals with its line data,
// a file named in several records counted once.
func declaredWarning(p *Profile) string {
	if p.Declared == nil {
		return ""
	}
	byPath := map[string][]LineHit{}
	var paths []string
	for _, f := range p.Files {
		if _, ok := byPath[f.Path]; !ok {
			paths = append(paths, f.Path)
		}
		byPath[f.Path] = append(byPath[f.Path], f.Lines...)
	}
	var c coverage.Counts
	for _, path := range paths {
		ls := byPath[path]
		normalizeLines(&ls)
		for _, l := range ls {
			c.Statements++
			if l.Count > 0 {
				c.Covered++
			}
		}
	}
	if c.Statements == p.Declared.Statements && c.Covered == p.Declared.Covered {
		return ""
	}
	what := map[string]string{
		FormatLCOV:       "LH/LF sums",
		FormatCobertura:  "lines-covered/lines-valid",
		FormatCoveragePy: "totals covered_lines/num_statements",
	}[p.Format]
	return fmt.Sprintf("%s: declares %s %d/%d but its line data gives %d/%d; using the line data",
		p.Name, what, p.Declared.Covered, p.Declared.Statements, c.Covered, c.Statements)
}

func skippedWarning(name, root string, skipped []string) string {
	const show = 5
	msg := fmt.Sprintf("%s: skipped %d %s not found under %s: %s", name, len(skipped),
		human.Word(len(skipped), "file", "files"), root, strings.Join(skipped[:min(show, len(skipped))], ", "))
	if len(skipped) > show {
		msg += fmt.Sprintf(", and %d more", len(skipped)-show)
	}
	return msg
}

// sourceBases are the directories a relative path may be relative to:
// Cobertura <sources> (relative ones taken from root), root, and the
// directory of the coverage file.
func sourceBases(root string, p *Profile) []string {
	var bases []string
	for _, s := range p.Sources {
		if !filepath.IsAbs(s) {
			s = filepath.Join(root, s)
		}
		bases = append(bases, s)
	}
	bases = append(bases, root)
	if p.Name != "" {
		if d, err := filepath.Abs(filepath.Dir(p.Name)); err == nil && d != root {
			bases = append(bases, d)
		}
	}
	return bases
}
