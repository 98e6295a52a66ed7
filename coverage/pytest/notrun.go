package pytest

import (
	"fmt"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"github.com/sprintkit/sprintkit/coverage"
	"github.com/sprintkit/sprintkit/coverage/importer"
	"github.com/sprintkit/sprintkit/internal/human"
)

// collectionTest is the Test of a TestResult for a test module that failed
// to import (pytest's collection error, unittest's _FailedTest): a failing
// test named by its module in Package.
const collectionTest = "(collection)"

// failedTest is how unittest names a module it could not import.
const failedTest = "unittest.loader._FailedTest"

// collectionOutput is the error of a test module that failed to import: the
// error line itself first ("ModuleNotFoundError: No module named 'x'"), then
// the first lines of the report.
func collectionOutput(text string) string {
	text = strings.TrimSpace(text)
	sum := errorSummary(text)
	lines := strings.Split(text, "\n")
	if len(lines) > 12 {
		lines = append(lines[:12], "…")
	}
	head := strings.Join(lines, "\n")
	if sum == "" || sum == head {
		return head
	}
	return sum + "\n" + head
}

// errorSummary finds the error line of a Python failure report: pytest's
// last "E   " line, else the last line that names an exception
// ("ModuleNotFoundError: No module named 'x'").
func errorSummary(text string) string {
	lines := strings.Split(strings.TrimSpace(text), "\n")
	for i := len(lines) - 1; i >= 0; i-- {
		if l := lines[i]; strings.HasPrefix(l, "E   ") {
			return strings.TrimSpace(l[1:])
		}
	}
	for i := len(lines) - 1; i >= 0; i-- {
		l := strings.TrimSpace(lines[i])
		if name, _, ok := strings.Cut(l, ": "); ok && !strings.ContainsAny(name, " '\"(") &&
			(strings.HasSuffix(name, "Error") || strings.HasSuffix(name, "Exception") || strings.HasSuffix(name, "Exit")) {
			return l
		}
	}
	return strings.TrimSpace(lines[len(lines)-1])
}

// brokenModule is a test module that failed to import.
type brokenModule struct {
	module  string // dotted, as the runner named it
	rel     string // its file, relative to the project; "" when not found
	summary string // the error line
}

// markNotRun finds the test modules of r.Tests that failed to import and
// marks the measured files they import File.NotRun: their tests exist but
// did not run, so a 0% there does not mean that no test reaches them. A
// warning names each broken module and what it left untested. It returns
// the broken modules.
func markNotRun(dir string, r *coverage.Result, testMods map[string]string) []brokenModule {
	var broken []brokenModule
	for _, t := range r.Tests {
		if t.Test != collectionTest || t.Outcome != "fail" {
			continue
		}
		b := brokenModule{module: t.Package, rel: testMods[t.Package], summary: errorSummary(t.Output)}
		if b.rel == "" {
			b.rel = t.Package
		}
		broken = append(broken, b)
	}
	if len(broken) == 0 {
		return nil
	}
	byModule := map[string]*coverage.File{}
	for _, p := range r.Packages {
		for _, f := range p.Files {
			if f.Rel != "" {
				for _, m := range importer.PythonModuleNames(dir, f.Rel) {
					byModule[m] = f
				}
			}
		}
	}
	for _, b := range broken {
		src, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(b.rel)))
		if err != nil {
			r.Warnings = append(r.Warnings, fmt.Sprintf("%s failed to import (%s)", b.rel, b.summary))
			continue
		}
		var marked []string
		for _, imp := range importer.PythonImports(src, b.rel) {
			f := byModule[imp.Module]
			if imp.Name != "" {
				if sub := byModule[imp.Module+"."+imp.Name]; sub != nil {
					f = sub // "from pkg import mod" names a module
				} else if f != nil && path.Base(f.Rel) == "__init__.py" {
					continue // "from pkg import f": the package's core, not a module under test
				}
			}
			if f == nil || f.NotRun != "" && strings.Contains(f.NotRun, b.rel+",") {
				continue
			}
			why := fmt.Sprintf("tests exist but did not run: %s, which imports it, failed to import (%s)", b.rel, b.summary)
			if f.NotRun != "" {
				why = f.NotRun + "; " + strings.TrimPrefix(why, "tests exist but did not run: ")
			}
			f.NotRun = why
			marked = append(marked, f.Rel)
		}
		w := fmt.Sprintf("%s failed to import (%s)", b.rel, b.summary)
		if len(marked) > 0 {
			sort.Strings(marked)
			w += fmt.Sprintf("; %s, which it tests, %s left out of the targets: tests exist but did not run",
				strings.Join(marked, ", "), human.Word(len(marked), "is", "are"))
		}
		r.Warnings = append(r.Warnings, w)
	}
	return broken
}
