package report

import (
	"fmt"
	"html/template"
	"math"
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
	labelMinW    = 46
	labelMinH    = 14
	labelCharW   = 6.4 // approximate width of an 11px sans-serif character
	minChildArea = 6   // boxes smaller than this (in px²) are not drawn
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
		Rect: template.HTMLAttr(fmt.Sprintf(`%sx="%s" y="%s" width="%s" height="%s" fill="%s"`,
			class, num(r.x), num(r.y), num(r.w), num(r.h), coverageFill(n.counts.Ratio(), group))),
		Href: n.href,
		Tip:  fmt.Sprintf("%s\n%.1f%% covered, %d of %d statements uncovered", n.name, n.counts.Percent, n.counts.Uncovered(), n.counts.Statements),
	}
	if r.w >= labelMinW && r.h >= labelMinH {
		label := fmt.Sprintf("%s %.0f%%", lastPart(n.name), n.counts.Percent)
		if room := int((r.w - 6) / labelCharW); len([]rune(label)) > room {
			label = truncRunes(lastPart(n.name), room)
		}
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

// coverageFill maps a coverage ratio to a colour from red (0) through
// yellow to green (1); packages are drawn lighter behind their files.
func coverageFill(ratio float64, group bool) string {
	hue := 120 * ratio
	light := 62.0
	if group {
		light = 80
	}
	return fmt.Sprintf("hsl(%.0f, 70%%, %.0f%%)", hue, light)
}

func num(v float64) string { return strconv.FormatFloat(math.Round(v*10)/10, 'f', -1, 64) }

func lastPart(name string) string {
	name = strings.TrimSuffix(name, "/")
	if i := strings.LastIndex(name, "/"); i >= 0 && i < len(name)-1 {
		return name[i+1:]
	}
	return name
}

func truncRunes(s string, n int) string {
	r := []rune(s)
	if n <= 1 {
		return ""
	}
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
