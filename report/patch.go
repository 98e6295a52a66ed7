package report

import (
	"bytes"
	"fmt"
	"html/template"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/sprintkit/sprintkit/internal/human"
	"github.com/sprintkit/sprintkit/patchcov"
)

// PatchTable writes the "Your change" section that tops the table when
// `sprintkit coverage --diff` asks for patch coverage: the total, then
// each changed file with statements, its figure and its uncovered lines.
func PatchTable(w io.Writer, pc *patchcov.Coverage, color bool) error {
	p := painter(color)
	ew := &errWriter{w: w}
	fmt.Fprintf(ew, "%s (against %s): ", p.paint(ansiBold, "Your change"), human.Commit(pc.Ref))
	if pc.Statements == 0 {
		fmt.Fprint(ew, "no new statements\n")
		writeCredit(ew, pc)
		fmt.Fprintln(ew)
		return ew.err
	}
	fmt.Fprintf(ew, "%d/%d new statements covered %s\n", pc.Covered, pc.Statements, strings.TrimSpace(p.percent(pc.Percent)))
	tw := tabwriter.NewWriter(ew, 0, 4, 2, ' ', 0)
	for _, f := range pc.Files {
		fmt.Fprintf(tw, "  %s\t%d/%d\t%s\n", f.Path, f.Covered, f.Statements, uncoveredText(f))
	}
	tw.Flush()
	writeCredit(ew, pc)
	fmt.Fprintln(ew)
	return ew.err
}

func uncoveredText(f *patchcov.File) string {
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
func PatchMarkdown(w io.Writer, pc *patchcov.Coverage) error {
	ew := &errWriter{w: w}
	fmt.Fprintf(ew, "## Your change\n\nAgainst `%s`: ", human.Commit(pc.Ref))
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

type patchView struct {
	page
	Ref                            string
	Statements, Covered, Uncovered int
	Bar                            bar
	Files                          []patchFileView
}

type patchFileView struct {
	Path, Href          string
	Statements, Covered int
	Uncovered           string
	Unavailable         string
	Rows                template.HTML
}

// patchContext is how many unchanged lines show around changed ones.
const patchContext = 2

// patchPage is the "Your change" page, patch.html at the top of the site.
func (s *site) patchPage(pc *patchcov.Coverage) *patchView {
	v := &patchView{page: s.page("Your change — "+s.project, ""), Ref: human.Commit(pc.Ref),
		Statements: pc.Statements, Covered: pc.Covered, Uncovered: pc.Uncovered(), Bar: mkBar(pc.Percent)}
	for _, f := range pc.Files {
		fv := patchFileView{Path: f.Path, Statements: f.Statements, Covered: f.Covered,
			Uncovered: strings.TrimPrefix(uncoveredText(f), "uncovered: ")}
		if len(f.Uncovered) == 0 {
			fv.Uncovered = ""
		}
		if cf := s.byName[f.Path]; cf != nil {
			fv.Href = s.filePage[cf]
		}
		src, problem := s.readSource(f.Path)
		if problem != "" {
			fv.Unavailable = problem
		} else {
			fv.Rows = patchRows(src, f, fmt.Sprintf("f%d-", len(v.Files)+1))
		}
		v.Files = append(v.Files, fv)
	}
	return v
}

// patchRows writes the changed lines of f with patchContext lines around
// them, like writeSourceRows: covered, uncovered and partly covered new
// statements carry the source page's classes, changed lines without a
// statement "n", unchanged lines none; "⋯" marks the lines left out.
//
// The rows are writeSourceRows's: <li id=f1-L4 data-line=4 class=u>text.
// Each line's id is idPrefix+"L"+number, unique on the page; data-line
// holds the number the margin shows (a gap breaks the CSS line counter).
func patchRows(src []byte, f *patchcov.File, idPrefix string) template.HTML {
	lines := strings.Split(strings.TrimSuffix(string(src), "\n"), "\n")
	changed := map[int]bool{}
	for _, l := range f.Changed {
		changed[l] = true
	}
	show := make([]bool, len(lines)+1)
	for _, l := range f.Changed {
		for i := max(1, l-patchContext); i <= min(len(lines), l+patchContext); i++ {
			show[i] = true
		}
	}
	var b bytes.Buffer
	gap := false
	for i := 1; i <= len(lines); i++ {
		if !show[i] {
			gap = true
			continue
		}
		if gap && b.Len() > 0 {
			b.WriteString("<li class=gap>⋯")
		}
		gap = false
		class := ""
		switch st, ok := f.States[i]; {
		case ok:
			class = lineClass[st]
		case changed[i]:
			class = "n"
		}
		fmt.Fprintf(&b, `<li id=%sL%d data-line=%d`, idPrefix, i, i)
		if class != "" {
			b.WriteString(` class=` + class)
		}
		b.WriteString(">")
		template.HTMLEscape(&b, []byte(strings.TrimSuffix(lines[i-1], "\r")))
	}
	return template.HTML(b.String())
}
