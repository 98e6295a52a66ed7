package report

import (
	"fmt"
	"html/template"
	"math"
	"path"
	"sort"
	"strconv"
	"strings"

	"github.com/sprintkit/sprintkit/coverage"
)

// The treemap is inline SVG computed here: boxes sized by statements, laid out
// with the squarified algorithm of Bruls, Huizing and van Wijk (2000), which
// keeps boxes close to square so that small ones stay clickable, and
// coloured by coverage. No chart library, nothing fetched.

const (
	treemapW     = 1200
	treemapH     = 560 // the index's; a package's is treemapH/2
	groupHeader  = 16  // height of a package's label strip
	groupPad     = 2
	labelMinH    = 14
	labelPad     = 3  // left of a label, and at least as much to its right
	labelFont    = 11 // px; the stylesheet's .treemap svg font size
	minChildArea = 6  // boxes smaller than this (in px²) are not drawn
)

type treemapView struct {
	W, H    int
	Caption string
	Boxes   []tmBox
	Body    template.HTML // the boxes, written by treemapBoxes
}

// tmBox is one box. Rect and At are the geometry and colour attributes of
// the <rect> and the label's <text>, pre-rendered from numbers only (a
// treemap of 5,000 files is 5,000 boxes, and an action per attribute was a
// measurable share of the site's time); the link, tooltip and label are
// template fields, escaped in context.
type tmBox struct {
	Rect  template.HTMLAttr
	At    template.HTMLAttr
	Href  string
	Tip   string
	Label string
}

type rect struct{ x, y, w, h float64 }

// tmNode is one box to lay out, with children for packages.
type tmNode struct {
	name, href string
	counts     coverage.Counts
	children   []tmNode
}

// squarify lays out values (sorted in decreasing order, all > 0) in r and
// returns one rectangle per value, in the same order.
func squarify(values []float64, r rect) []rect {
	out := make([]rect, len(values))
	total := 0.0
	for _, v := range values {
		total += v
	}
	if total <= 0 || r.w <= 0 || r.h <= 0 {
		return out
	}
	scale := r.w * r.h / total
	areas := make([]float64, len(values))
	for i, v := range values {
		areas[i] = v * scale
	}
	for i := 0; i < len(areas); {
		side := math.Min(r.w, r.h)
		j := i + 1
		sum := areas[i]
		best := worstRatio(areas[i:j], sum, side)
		for j < len(areas) {
			w := worstRatio(areas[i:j+1], sum+areas[j], side)
			if w > best {
				break
			}
			best = w
			sum += areas[j]
			j++
		}
		if j == len(areas) {
			// The last row fills what is left exactly, despite rounding.
			sum = r.w * r.h
			rest := 0.0
			for _, a := range areas[i:j] {
				rest += a
			}
			if rest > 0 {
				for k := i; k < j; k++ {
					areas[k] *= sum / rest
				}
			}
		}
		if r.w >= r.h {
			cw := sum / r.h
			y := r.y
			for k := i; k < j; k++ {
				h := areas[k] / cw
				out[k] = rect{r.x, y, cw, h}
				y += h
			}
			r.x += cw
			r.w -= cw
		} else {
			rh := sum / r.w
			x := r.x
			for k := i; k < j; k++ {
				w := areas[k] / rh
				out[k] = rect{x, r.y, w, rh}
				x += w
			}
			r.y += rh
			r.h -= rh
		}
		i = j
	}
	return out
}

// worstRatio is the largest aspect ratio of a row of areas with the given
// sum laid along a side.
func worstRatio(row []float64, sum, side float64) float64 {
	lo, hi := math.Inf(1), 0.0
	for _, a := range row {
		lo = math.Min(lo, a)
		hi = math.Max(hi, a)
	}
	s2, side2 := sum*sum, side*side
	return math.Max(side2*hi/s2, s2/(side2*lo))
}

// buildTreemap lays out top-level nodes (packages with files as children,
// or just files) in a W×H box.
func buildTreemap(nodes []tmNode, h int, caption string) *treemapView {
	nodes = nonEmpty(nodes)
	if len(nodes) == 0 {
		return nil
	}
	tv := &treemapView{W: treemapW, H: h, Caption: caption}
	rs := squarify(values(nodes), rect{0, 0, treemapW, float64(h)})
	for i, n := range nodes {
		r := rs[i]
		if len(n.children) == 0 {
			tv.add(n, r, false)
			continue
		}
		tv.add(n, r, true)
		inner := rect{r.x + groupPad, r.y + groupHeader, r.w - 2*groupPad, r.h - groupHeader - groupPad}
		if r.h < 2*groupHeader+4 || r.w < 24 {
			// Too small for a header strip: fill it with the files, no label.
			inner = rect{r.x + 1, r.y + 1, r.w - 2, r.h - 2}
		}
		kids := nonEmpty(n.children)
		if inner.w <= 1 || inner.h <= 1 || len(kids) == 0 {
			continue
		}
		for k, kr := range squarify(values(kids), inner) {
			if kr.w*kr.h < minChildArea {
				continue // tinted by the package box behind it
			}
			tv.add(kids[k], kr, false)
		}
	}
	tv.Body = treemapBoxes(tv.Boxes)
	return tv
}

func nonEmpty(nodes []tmNode) []tmNode {
	var out []tmNode
	for _, n := range nodes {
		if n.counts.Statements > 0 {
			out = append(out, n)
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].counts.Statements != out[j].counts.Statements {
			return out[i].counts.Statements > out[j].counts.Statements
		}
		return out[i].name < out[j].name
	})
	return out
}

func values(nodes []tmNode) []float64 {
	v := make([]float64, len(nodes))
	for i, n := range nodes {
		v[i] = float64(n.counts.Statements)
	}
	return v
}

func (tv *treemapView) add(n tmNode, r rect, group bool) {
	class := ""
	if group {
		class = `class="group" `
	}
	b := tmBox{
		Rect: template.HTMLAttr(fmt.Sprintf(`%sx="%s" y="%s" width="%s" height="%s" style="--h:%s"`,
			class, num(r.x), num(r.y), num(r.w), num(r.h), coverageHue(n.counts.Ratio()))),
		Href: n.href,
		Tip:  fmt.Sprintf("%s\n%.1f%% covered, %d of %d statements uncovered", n.name, n.counts.Percent, n.counts.Uncovered(), n.counts.Statements),
	}
	if r.h >= labelMinH {
		label := fitLabel(lastPart(n.name), fmt.Sprintf("%.0f%%", n.counts.Percent), r.w-2*labelPad, group)
		if label != "" {
			b.Label = label
			cls := ""
			if group {
				cls = `class="glabel" `
			}
			b.At = template.HTMLAttr(fmt.Sprintf(`%sx="%s" y="%s"`, cls, num(r.x+3), num(r.y+12)))
		}
	}
	tv.Boxes = append(tv.Boxes, b)
}

// coverageHue maps a coverage ratio to a hue from red (0) through yellow
// to green (1). The stylesheet makes the colour of it, with a lightness
// and saturation for each theme (light fills and dark text on a light
// page, dark fills and light text on a dark one); packages are drawn
// half-transparent behind their files.
func coverageHue(ratio float64) string {
	return strconv.Itoa(int(math.Round(120 * ratio)))
}

func num(v float64) string { return strconv.FormatFloat(math.Round(v*10)/10, 'f', -1, 64) }

func lastPart(name string) string {
	name = strings.TrimSuffix(name, "/")
	if i := strings.LastIndex(name, "/"); i >= 0 && i < len(name)-1 {
		return name[i+1:]
	}
	return name
}

// fitLabel returns the first of "name pct", "name", the name without its
// extension ("f00012" for "f00012.go": every file of a Go package ends in
// .go) and the name cut short with an ellipsis ("gorun…", at a word
// boundary when one leaves at least half of the name) that fits in width
// px, or "" when not even a few letters fit; the box's tooltip always
// holds the full name.
func fitLabel(name, pct string, width float64, bold bool) string {
	fits := func(s string) bool { return textWidth(s, bold) <= width }
	stem := strings.TrimSuffix(name, path.Ext(name))
	switch {
	case fits(name + " " + pct):
		return name + " " + pct
	case fits(name):
		return name
	case stem != "" && stem != name && fits(stem):
		return stem
	}
	r := []rune(name)
	for n := len(r) - 1; n >= 3; n-- {
		if fits(string(r[:n]) + "…") {
			// Prefer ending at a word boundary ("report" of "report.go").
			for k := n; k >= (n+1)/2 && k >= 3; k-- {
				if strings.ContainsRune("._-/ ", r[k]) {
					return string(r[:k]) + "…"
				}
			}
			return string(r[:n]) + "…"
		}
	}
	return ""
}

// textWidth estimates the width in px of s in the treemap's font, from the
// advance widths of DejaVu Sans (the sans-serif font of Debian and most
// Linux desktops, and wider than the system fonts of macOS and Windows, so
// an estimate that fits there fits elsewhere). The browser test measures
// every label against its box.
func textWidth(s string, bold bool) float64 {
	em := 0.0
	for _, c := range s {
		em += runeWidth(c)
	}
	if bold {
		em *= 1.1
	}
	return em * labelFont
}

// runeWidth is the advance width of c in ems.
func runeWidth(c rune) float64 {
	switch {
	case c >= 'a' && c <= 'z':
		return lowerWidths[c-'a']
	case c >= 'A' && c <= 'Z':
		return upperWidths[c-'A']
	case c >= '0' && c <= '9':
		return 0.636
	case c >= 0x2e80: // CJK and other wide scripts
		return 1.0
	}
	switch c {
	case '.', ',', ':', ';', '!', '|', '\'', ' ':
		return 0.318
	case '-', '(', ')', '[', ']', '/':
		return 0.39
	case '_':
		return 0.5
	case '%', '@', '…':
		return 1.0
	}
	return 0.72
}

var lowerWidths = [26]float64{
	0.613, 0.635, 0.55, 0.635, 0.615, 0.352, 0.635, 0.634, 0.278, 0.278, 0.579, 0.278, 0.974,
	0.634, 0.612, 0.635, 0.635, 0.411, 0.521, 0.392, 0.634, 0.592, 0.818, 0.592, 0.592, 0.525,
}

var upperWidths = [26]float64{
	0.684, 0.686, 0.698, 0.77, 0.632, 0.575, 0.775, 0.752, 0.295, 0.295, 0.656, 0.557, 0.863,
	0.748, 0.787, 0.603, 0.787, 0.695, 0.635, 0.611, 0.732, 0.684, 0.989, 0.685, 0.611, 0.685,
}
