package importer

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
)

// xmlGuard is the byte source of an xml.Decoder that refuses, with a
// *limitError, a token longer than maxTokenBytes: a tag with its
// attributes, a comment, a CDATA section, a run of text. The decoder reads
// a byte at a time from an io.ByteReader and holds only the token it is
// reading, so with the parser marking the end of each token (mark), what it
// holds stays within the limit however large the input.
type xmlGuard struct {
	r         *bufio.Reader
	off       int64 // bytes read
	start     int64 // where the current token starts, as the decoder counts
	startLine int
	base      int64  // off when the current token started
	head      []byte // the first bytes of the current token, to name its kind
	last      [4]byte
	// recoded is set when the decoder reads through a charset decoder,
	// whose offsets are not the input's: the token then counts from what
	// was read at its mark.
	recoded bool
	err     error
}

func newXMLGuard(r io.Reader) *xmlGuard {
	return &xmlGuard{r: bufio.NewReaderSize(r, 64<<10), startLine: 1, head: make([]byte, 0, 16)}
}

func (g *xmlGuard) ReadByte() (byte, error) {
	if g.err != nil {
		return 0, g.err
	}
	c, err := g.r.ReadByte()
	if err != nil {
		return c, err
	}
	g.took(c)
	if g.off-g.base > maxTokenBytes {
		return 0, g.refuse()
	}
	return c, nil
}

// Read serves a charset decoder (CharsetReader), which reads in blocks.
func (g *xmlGuard) Read(p []byte) (int, error) {
	if g.err != nil {
		return 0, g.err
	}
	n, err := g.r.Read(p[:min(len(p), 4<<10)])
	for _, c := range p[:n] {
		g.took(c)
	}
	if g.off-g.base > maxTokenBytes+8<<10 {
		return n, g.refuse()
	}
	return n, err
}

func (g *xmlGuard) took(c byte) {
	g.last[g.off%int64(len(g.last))] = c
	g.off++
	if len(g.head) < cap(g.head) {
		g.head = append(g.head, c)
	}
}

// mark tells the guard that the decoder has read a token and stands at
// byte off of line line: the next token starts there. The decoder may have
// read a byte of the next token already (the '<' that ends a text).
func (g *xmlGuard) mark(off int64, line int) {
	g.start, g.startLine = off, line
	g.head = g.head[:0]
	if g.recoded {
		g.base = g.off
		return
	}
	g.base = off
	for o := off; o < g.off && o >= g.off-int64(len(g.last)); o++ {
		g.head = append(g.head, g.last[o%int64(len(g.last))])
	}
}

func (g *xmlGuard) refuse() error {
	kind := "a token" // what a charset decoder read ahead tells nothing
	if !g.recoded {
		kind = xmlTokenKind(g.head)
	}
	g.err = &limitError{line: g.startLine, off: g.start,
		msg: fmt.Sprintf("want XML tokens of at most %s, got %s longer than that, from byte %d", maxTokenText, kind, g.start+1)}
	return g.err
}

// xmlTokenKind names the kind of token that starts with head.
func xmlTokenKind(head []byte) string {
	for _, k := range []struct{ prefix, kind string }{
		{"<!--", "a comment"},
		{"<![CDATA[", "a CDATA section"},
		{"<?", "a processing instruction"},
		{"<!", "a directive"},
		{"</", "an end tag"},
		{"<", "a tag (with its attributes)"},
	} {
		if bytes.HasPrefix(head, []byte(k.prefix)) {
			return k.kind
		}
	}
	return "text"
}
