package report

import (
	"io"
	"strings"

	"github.com/rivo/uniseg"
)

// columns aligns rows of cells for a terminal: a column is as wide as its
// widest cell as a terminal shows it (ANSI colour codes take no room, wide
// characters take two), cells are separated by two spaces, and the last
// column is not padded. text/tabwriter counts bytes, so colour codes and
// CJK names would push columns apart.
type columns struct {
	rows [][]string
}

func (c *columns) add(cells ...string) { c.rows = append(c.rows, cells) }

func (c *columns) write(w io.Writer) error {
	var widths []int
	for _, r := range c.rows {
		for i, cell := range r {
			if i >= len(widths) {
				widths = append(widths, 0)
			}
			widths[i] = max(widths[i], displayWidth(cell))
		}
	}
	var b strings.Builder
	for _, r := range c.rows {
		for i, cell := range r {
			b.WriteString(cell)
			if i < len(r)-1 {
				b.WriteString(strings.Repeat(" ", widths[i]-displayWidth(cell)+2))
			}
		}
		b.WriteByte('\n')
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// displayWidth is how many terminal cells s takes: ANSI escape sequences
// (CSI ... final byte) take none, East Asian wide characters two.
func displayWidth(s string) int {
	return uniseg.StringWidth(stripANSI(s))
}

// stripANSI removes CSI escape sequences ("\x1b[" parameters, a final byte
// in @–~) from s.
func stripANSI(s string) string {
	if !strings.Contains(s, "\x1b") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == 0x1b && i+1 < len(s) && s[i+1] == '[' {
			j := i + 2
			for j < len(s) && !(s[j] >= 0x40 && s[j] <= 0x7e) {
				j++
			}
			i = j // skip the final byte too
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}
