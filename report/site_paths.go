package report

import (
	"fmt"
	"hash/fnv"
	"strings"
)

// pageNamer gives every package and file a page name that is safe on every
// file system and URL: lower-case ASCII letters, digits, '.', '-' and '_',
// at most 60 bytes of the name's tail (the most telling part of a path), in
// whole path elements, then a hash of the exact name, so "A.go" and "a.go",
// "x y.go" and "x_y.go", or two deep paths with the same tail still get
// different pages. Names are checked against each other, case-insensitively,
// and suffixed in the unlikely case that hashes collide.
type pageNamer struct {
	used map[string]bool
}

const slugTail = 60

func newPageNamer() *pageNamer { return &pageNamer{used: map[string]bool{}} }

// name returns "<slug>-<hash>.html" for s, unique among all names returned.
func (p *pageNamer) name(s string) string {
	h := fnv.New64a()
	h.Write([]byte(s))
	sum := h.Sum64()
	slug := slugify(s)
	base := fmt.Sprintf("%s-%08x", slug, uint32(sum^(sum>>32)))
	name := base + ".html"
	for i := 2; p.used[name]; i++ {
		name = fmt.Sprintf("%s-%d.html", base, i)
	}
	p.used[name] = true
	return name
}

func slugify(s string) string {
	var b strings.Builder
	lastSep := true
	for _, r := range strings.ToLower(s) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			b.WriteRune(r)
			lastSep = false
		case r == '.' || r == '-':
			if !lastSep {
				b.WriteRune(r)
				lastSep = r == '-'
			}
		default: // '/', spaces, unicode, anything else
			if !lastSep {
				b.WriteByte('_')
				lastSep = true
			}
		}
	}
	out := strings.Trim(b.String(), "._-")
	if len(out) > slugTail {
		// Keep the tail, from the first whole path element that fits: a
		// cut inside an element made "github.com/…" read "ithub.com_…". An
		// element longer than the whole tail is cut, having no better place.
		cut := len(out) - slugTail
		if out[cut-1] != '_' {
			if i := strings.IndexByte(out[cut:], '_'); i >= 0 {
				cut += i + 1
			}
		}
		out = strings.TrimLeft(out[cut:], "._-")
	}
	if out == "" {
		out = "x"
	}
	return out
}
