package importer

import (
	"bytes"
	"fmt"
	"io"
)

// jsonGuard passes a JSON document through to a json.Decoder and refuses it,
// with a *limitError, at the first byte past a limit: a string longer than
// maxTokenBytes, a number or literal longer than maxJSONNumber, arrays and
// objects nested deeper than maxJSONDepth. The decoder buffers one token at
// a time (the parser reads tokens, never a whole value), so what it holds
// stays within these limits however large the input.
//
// It also counts lines, so that the byte offsets the decoder tells can be
// told as lines, and keeps the last posWindow bytes for that: the decoder
// never looks further back than its buffer, which holds one token and what
// it read ahead.
type jsonGuard struct {
	r     io.Reader
	off   int64  // bytes passed on
	lines int    // '\n' bytes passed on
	win   []byte // the last bytes passed on, at most posWindow
	err   error

	inString, escaped bool
	tok               int   // bytes of the current string or bare token so far
	tokStart          int64 // offset of the current token's first byte
	depth             int

	// A value decoded whole (an array of line numbers) may not reach past
	// valueEnd; 0 when no such value is being read. See limitValue.
	valueStart, valueEnd int64
	valueLine            int
}

const (
	// posWindow is how far back from what it read lineAt can tell a line.
	posWindow = 4 * maxTokenBytes
	// guardRead bounds one read, so that the decoder never holds more
	// than this beyond what it has consumed.
	guardRead = 64 << 10
)

func (g *jsonGuard) Read(p []byte) (int, error) {
	if g.err != nil {
		return 0, g.err
	}
	n, err := g.r.Read(p[:min(len(p), guardRead)])
	if g.valueEnd > 0 && g.off+int64(n) > g.valueEnd {
		n = int(g.valueEnd - g.off)
		g.err = &limitError{line: g.valueLine, off: g.valueStart,
			msg: fmt.Sprintf("want arrays of at most %s, got a longer one at byte %d", maxArrayText, g.valueStart+1)}
	}
	if i, msg := g.scan(p[:n]); msg != "" {
		g.keep(p[:i])
		g.err = &limitError{line: g.lines + 1, off: g.tokStart, msg: msg}
		return i, g.err
	}
	g.keep(p[:n])
	if g.err != nil {
		return n, g.err
	}
	return n, err
}

// limitValue bounds the value that starts at off, which the decoder is
// about to decode whole, to maxArrayBytes (and what the decoder reads
// ahead); done lifts the bound once it is decoded.
func (g *jsonGuard) limitValue(off int64) (done func()) {
	g.valueStart, g.valueLine = g.tokenAt(off), g.lineAt(off)
	g.valueEnd = off + maxArrayBytes + guardRead
	return func() { g.valueEnd = 0 }
}

// scan follows the lexical state of the JSON text through b and returns
// where it passes a limit and which, or "" when it does not.
func (g *jsonGuard) scan(b []byte) (int, string) {
	for i, c := range b {
		if g.inString {
			switch {
			case g.escaped:
				g.escaped = false
			case c == '\\':
				g.escaped = true
			case c == '"':
				g.inString = false
				continue
			}
			if g.tok++; g.tok > maxTokenBytes {
				return i, fmt.Sprintf("want strings of at most %s, got a longer one at byte %d", maxTokenText, g.tokStart+1)
			}
			continue
		}
		switch c {
		case '"':
			g.inString, g.tok, g.tokStart = true, 0, g.off+int64(i)
		case '[', '{':
			g.tok = 0
			if g.depth++; g.depth > maxJSONDepth {
				g.tokStart = g.off + int64(i)
				return i, fmt.Sprintf("want values nested at most %d deep, got deeper at byte %d", maxJSONDepth, g.tokStart+1)
			}
		case ']', '}':
			g.tok = 0
			g.depth--
		case ' ', '\t', '\r', '\n', ',', ':':
			g.tok = 0
		default:
			if g.tok == 0 {
				g.tokStart = g.off + int64(i)
			}
			if g.tok++; g.tok > maxJSONNumber {
				return i, fmt.Sprintf("want numbers of at most %s, got a longer one at byte %d", maxNumberText, g.tokStart+1)
			}
		}
	}
	return len(b), ""
}

// keep counts the bytes passed on and keeps the last of them.
func (g *jsonGuard) keep(b []byte) {
	g.off += int64(len(b))
	g.lines += bytes.Count(b, []byte{'\n'})
	g.win = append(g.win, b...)
	if len(g.win) > posWindow {
		g.win = g.win[:copy(g.win, g.win[len(g.win)-posWindow/2:])]
	}
}

// lineAt returns the 1-based line of the token at or after byte offset off
// (0-based, as the decoder counts): spaces, commas and colons after off are
// skipped, so that an offset the decoder took before a token names the
// token's line. An offset further back than the window names the window's
// first line.
func (g *jsonGuard) lineAt(off int64) int {
	i := g.tokenAt(off) - (g.off - int64(len(g.win)))
	return 1 + g.lines - bytes.Count(g.win[i:], []byte{'\n'})
}

// tokenAt returns the offset of the first byte at or after off that is not
// a space, a comma or a colon, within what was read.
func (g *jsonGuard) tokenAt(off int64) int64 {
	start := g.off - int64(len(g.win))
	i := int(max(off, start) - start)
	for i < len(g.win) && bytes.IndexByte([]byte(" \t\r\n,:"), g.win[i]) >= 0 {
		i++
	}
	return start + int64(min(i, len(g.win)))
}
