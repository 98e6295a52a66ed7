package report

import (
	"fmt"
	"html/template"
	"strings"

	"github.com/sprintkit/sprintkit/coverage"
	"github.com/sprintkit/sprintkit/internal/human"
)

// CrashNotes returns one sentence per package whose test binary died, for
// every place a figure is shown (the table's footer, Markdown, the HTML
// banner, setup's summary): a recovered package ("TestX panicked in pkg;
// its package was re-run without it") and a package without data ("pkg
// has no data: …"). It returns nil when every test binary ran to its end.
func CrashNotes(r *coverage.Result) []string {
	var out []string
	for _, p := range r.RecoveredPackages() {
		rec := p.Recovered
		if len(rec.Skipped) == 1 {
			out = append(out, fmt.Sprintf("%s %s in %s; its package was re-run without it", rec.Skipped[0], rec.Why, p.Name))
			continue
		}
		out = append(out, fmt.Sprintf("%s %s in %s; its package was re-run without them",
			strings.Join(rec.Skipped, " and "), rec.Why, p.Name))
	}
	for _, p := range r.NoDataPackages() {
		out = append(out, fmt.Sprintf("%s has no data (not counted, not ranked): %s", p.Name, p.NoData))
	}
	return out
}

// noDataSummary says what the total leaves out, "" when nothing.
func noDataSummary(r *coverage.Result) string {
	n := len(r.NoDataPackages())
	if n == 0 {
		return ""
	}
	s := fmt.Sprintf("not counted: %d %s without data (a test binary died)", n, human.Word(n, "package", "packages"))
	if r.NoDataStatements > 0 {
		// A package that no surviving test binary links in never reaches
		// the profile: its size is unknown, and not part of this figure.
		s += fmt.Sprintf(", %d known statements left out of the total", r.NoDataStatements)
	}
	return s
}

// recoveredSet returns the names of the recovered packages.
func recoveredSet(r *coverage.Result) map[string]bool {
	m := map[string]bool{}
	for _, p := range r.RecoveredPackages() {
		m[p.Name] = true
	}
	return m
}

// noDataCells are the package table's cells of a package with no data:
// its files and statements, and "no data" where a figure would be.
func noDataCells(files, statements int, why string) template.HTML {
	return template.HTML(fmt.Sprintf(`<td>%d<td>%d<td>–<td>–<td class="nodata" title="%s">no data</td>`,
		files, statements, template.HTMLEscapeString(why)))
}
