package report

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/sprintkit/sprintkit/patch"
)

// PatchTable writes the "Your change" section that tops the table when
// `sprintkit coverage --diff` asks for patch coverage: the total, then
// each changed file with statements, its figure and its uncovered lines.
func PatchTable(w io.Writer, pc *patch.Coverage, color bool) error {
	p := painter(color)
	ew := &errWriter{w: w}
	fmt.Fprintf(ew, "%s (against %s): ", p.paint(ansiBold, "Your change"), short(pc.Ref))
	if pc.Statements == 0 {
		fmt.Fprint(ew, "no new statements\n\n")
		return ew.err
	}
	fmt.Fprintf(ew, "%d/%d new statements covered %s\n", pc.Covered, pc.Statements, strings.TrimSpace(p.percent(pc.Percent)))
	tw := tabwriter.NewWriter(ew, 0, 4, 2, ' ', 0)
	for _, f := range pc.Files {
		fmt.Fprintf(tw, "  %s\t%d/%d\t%s\n", f.Path, f.Covered, f.Statements, uncoveredText(f))
	}
	tw.Flush()
	fmt.Fprintln(ew)
	return ew.err
}

func uncoveredText(f *patch.File) string {
	if len(f.Uncovered) == 0 {
		return "all covered"
	}
	parts := make([]string, len(f.Uncovered))
	for i, r := range f.Uncovered {
		parts[i] = r.String()
	}
	return "uncovered: " + strings.Join(parts, ", ")
}

// PatchMarkdown writes the "Your change" section for the Markdown report.
func PatchMarkdown(w io.Writer, pc *patch.Coverage) error {
	ew := &errWriter{w: w}
	fmt.Fprintf(ew, "## Your change\n\nAgainst `%s`: ", short(pc.Ref))
	if pc.Statements == 0 {
		fmt.Fprint(ew, "no new statements.\n\n")
		return ew.err
	}
	fmt.Fprintf(ew, "**%d of %d** new statements covered (%.1f%%).\n\n", pc.Covered, pc.Statements, pc.Percent)
	fmt.Fprintln(ew, "| File | Covered | Uncovered lines |")
	fmt.Fprintln(ew, "|---|---:|---|")
	for _, f := range pc.Files {
		u := "—"
		if len(f.Uncovered) > 0 {
			u = strings.TrimPrefix(uncoveredText(f), "uncovered: ")
		}
		fmt.Fprintf(ew, "| `%s` | %d of %d | %s |\n", mdEscape(f.Path), f.Covered, f.Statements, u)
	}
	fmt.Fprintln(ew)
	return ew.err
}
