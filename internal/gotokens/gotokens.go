// Package gotokens classes the tokens of a Go source for syntax
// highlighting, and keeps them compactly so that one pass of go/scanner
// serves both the function scan of coverage/gotest and the source pages of
// the HTML report.
//
// Only the tokens that are coloured are kept (keywords, constant and type
// words, builtins and called names, strings, numbers, comments), each as
// two varints, the gap since the previous one and its length with its
// class in the low four bits: two bytes for most tokens. The classes are those of chroma's Go lexer, as report's
// highlighter writes them (see report/highlight.go).
package gotokens

import (
	"bytes"
	"encoding/binary"
	"go/scanner"
	"go/token"
	"hash/maphash"
)

// Class is the highlighting class of a token; None is plain text.
type Class uint8

// The classes, named as report/highlight.go writes them.
const (
	None     Class = iota
	Keyword        // k
	Constant       // kc: nil, true, false, iota
	Type           // kt: int, string, ...
	Builtin        // nb: len, append, ..., or a type word called
	Function       // nf: a called name
	String         // s
	Number         // m
	Comment        // c1

	classBits = 4 // the classes fit in
)

var classNames = [...]string{None: "", Keyword: "k", Constant: "kc", Type: "kt", Builtin: "nb",
	Function: "nf", String: "s", Number: "m", Comment: "c1"}

// String returns the class's CSS class name ("" for None).
func (c Class) String() string {
	if int(c) < len(classNames) {
		return classNames[c]
	}
	return ""
}

// MaxSize is the largest source worth keeping the tokens of: the report
// shows larger ones plain.
const MaxSize = 512 << 10

// Keep reports whether the tokens of src are worth keeping for the report:
// not empty, not too large, not binary (a NUL byte) and with no "\r\n" line
// endings, which the report normalises before highlighting.
func Keep(src []byte) bool {
	return len(src) > 0 && len(src) <= MaxSize && bytes.IndexByte(src, 0) < 0 && !bytes.Contains(src, []byte("\r\n"))
}

// Tokens are the coloured tokens of one source, with its length and hash
// so that a reader can check it has the same source.
type Tokens struct {
	size int
	sum  uint64
	n    int    // tokens
	enc  []byte // per token: uvarint gap, uvarint length<<classBits | class
}

// Len returns the number of tokens kept.
func (t *Tokens) Len() int { return t.n }

var seed = maphash.MakeSeed()

// Of reports whether t are the tokens of src.
func (t *Tokens) Of(src []byte) bool {
	return t != nil && len(src) == t.size && maphash.Bytes(seed, src) == t.sum
}

// Each calls fn with the offsets and class of every kept token, in order.
func (t *Tokens) Each(fn func(off, end int, c Class)) {
	at := 0
	for b := t.enc; len(b) > 0; {
		gap, n := binary.Uvarint(b)
		b = b[n:]
		lc, n := binary.Uvarint(b)
		b = b[n:]
		c := Class(lc & (1<<classBits - 1))
		off := at + int(gap)
		at = off + int(lc>>classBits)
		fn(off, at, c)
	}
}

// Recorder classes the tokens of src as a scanner returns them. Give it
// every token of a scan with comments (scanner.ScanComments), in order,
// then call Tokens.
type Recorder struct {
	src  []byte
	enc  []byte
	prev lexeme
	have bool // prev holds a lexeme
	at   int  // end of the last kept token
	n    int  // tokens kept
}

type lexeme struct {
	off int
	tok token.Token
	lit string
}

// NewRecorder returns a Recorder of the tokens of src.
func NewRecorder(src []byte) *Recorder {
	return &Recorder{src: src, enc: make([]byte, 0, len(src)/3)}
}

// Add records the token the scanner returned at offset off.
func (r *Recorder) Add(off int, tok token.Token, lit string) {
	if tok == token.EOF || (tok == token.SEMICOLON && lit == "\n") {
		return // an inserted semicolon is not in the text
	}
	if r.have {
		r.class(r.prev, off, tok == token.LPAREN)
	}
	r.prev, r.have = lexeme{off, tok, lit}, true
}

// Tokens returns the recorded tokens.
func (r *Recorder) Tokens() *Tokens {
	if r.have {
		r.class(r.prev, 0, false)
		r.have = false
	}
	// Kept for the whole run: no spare capacity.
	enc := append(make([]byte, 0, len(r.enc)), r.enc...)
	return &Tokens{size: len(r.src), sum: maphash.Bytes(seed, r.src), n: r.n, enc: enc}
}

// class keeps l if it is coloured; next is the offset of the lexeme after
// it, paren whether that lexeme is "(": a name called.
func (r *Recorder) class(l lexeme, next int, paren bool) {
	tok := l.tok
	c := None
	switch {
	case tok.IsKeyword():
		c = Keyword
	case tok == token.IDENT:
		end := spanEnd(r.src, l.off, l.lit)
		word := l.lit
		called := paren && next >= end && len(bytes.TrimSpace(r.src[end:next])) == 0
		switch {
		case isConstant(word):
			c = Constant
		case called && (isBuiltin(word) || isType(word)):
			c = Builtin
		case isType(word):
			c = Type
		case called:
			c = Function
		}
	case tok == token.STRING || tok == token.CHAR:
		c = String
	case tok == token.INT || tok == token.FLOAT || tok == token.IMAG:
		c = Number
	case tok == token.COMMENT:
		c = Comment
	}
	if c == None || l.off < r.at {
		return
	}
	text := l.lit
	if text == "" {
		text = tok.String()
	}
	end := spanEnd(r.src, l.off, text)
	r.enc = binary.AppendUvarint(r.enc, uint64(l.off-r.at))
	r.enc = binary.AppendUvarint(r.enc, uint64(end-l.off)<<classBits|uint64(c))
	r.n++
	r.at = end
}

// Scan classes the tokens of src with a scan of its own.
func Scan(src []byte) *Tokens {
	fset := token.NewFileSet()
	file := fset.AddFile("", fset.Base(), len(src))
	var sc scanner.Scanner
	sc.Init(file, src, nil, scanner.ScanComments) // errors: the text stays, plain
	r := NewRecorder(src)
	for {
		pos, tok, lit := sc.Scan()
		if tok == token.EOF {
			break
		}
		r.Add(file.Offset(pos), tok, lit)
	}
	return r.Tokens()
}

// The words chroma's Go lexer (lexers/go.go) classes apart from names.
func isConstant(w string) bool {
	switch w {
	case "true", "false", "iota", "nil":
		return true
	}
	return false
}

func isType(w string) bool {
	switch w {
	case "uint", "uint8", "uint16", "uint32", "uint64", "int", "int8",
		"int16", "int32", "int64", "float", "float32", "float64",
		"complex64", "complex128", "byte", "rune", "string", "bool",
		"error", "uintptr", "any":
		return true
	}
	return false
}

// isBuiltin: builtin when called, like a type converting.
func isBuiltin(w string) bool {
	switch w {
	case "print", "println", "panic", "recover", "close", "complex",
		"real", "imag", "len", "cap", "append", "copy", "delete",
		"new", "make", "clear", "min", "max":
		return true
	}
	return false
}

// spanEnd is the offset in src where the token text that starts at off
// ends. go/scanner drops the carriage returns of raw strings and comments
// from their text, so those are skipped over in src.
func spanEnd(src []byte, off int, text string) int {
	if end := off + len(text); end <= len(src) && string(src[off:end]) == text {
		return end
	}
	i, j := off, 0
	for i < len(src) && j < len(text) {
		if src[i] == '\r' && text[j] != '\r' {
			i++
			continue
		}
		i, j = i+1, j+1
	}
	return i
}
