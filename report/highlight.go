package report

import (
	"bufio"
	"bytes"
	"html/template"
	"path"
	"strconv"
	"strings"
	"sync"

	"github.com/alecthomas/chroma/v2"
	"github.com/alecthomas/chroma/v2/lexers"

	"github.com/sprintkit/sprintkit/coverage"
)

// Syntax highlighting of the source pages, done once when the site is
// written, by chroma's lexers (Pygments' lexers ported to Go): the lexer is
// chosen by file name (*.go, *.py and every other language chroma knows),
// and a file no lexer claims, or one larger than maxHighlight, is shown
// plain. Tokens become <span class="…"> inside the line spans that
// writeSourceRows writes; the stylesheet colours the classes for the light
// and the dark theme, over the covered/uncovered line backgrounds.
//
// Only the token kinds the stylesheet colours get a span (punctuation,
// operators, plain names and white space stay bare text), which keeps a
// highlighted page about half again the weight of a plain one, not three
// times. The classes are Pygments' short names, so they read as they do in
// every Pygments or chroma stylesheet, with one change: comments of every
// kind are "c1", because the bare Pygments "c" (and "p", punctuation) are the
// covered and partly covered line classes here.
//
//	k   keyword                      kc  constant keyword (nil, true, None)
//	kt  type keyword (int, string)   ow  operator word (and, not, in)
//	nb  builtin (len, print, self)   nf  function name
//	nc  class name                   nd  decorator
//	s   string                       m   number
//	c1  comment

// maxHighlight is the largest source highlighted: chroma's lexers are
// regular expressions, and a page of several megabytes of source is slow
// to read in the browser anyway.
const maxHighlight = 512 << 10

// tokenClasses maps the token kinds that are coloured to their class; a
// token takes the class of its own kind, else of its sub-category, else of
// its category, else none.
var tokenClasses = map[chroma.TokenType]string{
	chroma.Keyword:           "k",
	chroma.KeywordConstant:   "kc",
	chroma.KeywordType:       "kt",
	chroma.OperatorWord:      "ow",
	chroma.NameBuiltin:       "nb",
	chroma.NameFunction:      "nf",
	chroma.NameFunctionMagic: "nf",
	chroma.NameClass:         "nc",
	chroma.NameDecorator:     "nd",
	chroma.LiteralString:     "s",
	chroma.LiteralNumber:     "m",
	chroma.Comment:           "c1",
}

func tokenClass(t chroma.TokenType) string {
	if c, ok := tokenClasses[t]; ok {
		return c
	}
	if c, ok := tokenClasses[t.SubCategory()]; ok {
		return c
	}
	return tokenClasses[t.Category()]
}

// lexerCache holds the lexer of each file extension (or of each base name,
// for files without one, such as Makefile); chroma's Match walks every
// lexer's patterns, so it is asked once per kind of file. A nil lexer means
// plain text.
var lexerCache sync.Map // string → chroma.Lexer

// lexerFor returns the lexer for a file name, or nil to show it plain.
func lexerFor(name string) chroma.Lexer {
	base := path.Base(strings.ReplaceAll(name, `\`, "/"))
	key := path.Ext(base)
	if key == "" {
		key = base
	}
	if l, ok := lexerCache.Load(key); ok {
		lx, _ := l.(chroma.Lexer)
		return lx
	}
	var l chroma.Lexer
	probe := base
	if key != base {
		probe = "x" + key // the extension decides, not the rest of the name
	}
	if m := lexers.Match(probe); m != nil {
		l = chroma.Coalesce(m)
	}
	lexerCache.Store(key, l)
	return l
}

// tokenise returns the tokens of src, or nil when it is not highlighted
// (no lexer, too large, or the lexer gives up). The tokens hold the
// source's text exactly, line endings normalised to "\n", plus at most a
// final "\n" that lexers add to a file that lacks one.
func tokenise(name string, src []byte) []chroma.Token {
	l := lexerFor(name)
	// A NUL byte means a binary file under a source name: shown plain.
	if l == nil || len(src) > maxHighlight || len(src) == 0 || bytes.IndexByte(src, 0) >= 0 {
		return nil
	}
	text := string(src)
	if strings.Contains(text, "\r\n") {
		text = strings.ReplaceAll(text, "\r\n", "\n")
	}
	it, err := l.Tokenise(nil, text)
	if err != nil {
		return nil
	}
	toks := it.Tokens()
	// A lexer must not lose or change text; if one ever does, the marks
	// would land on the wrong lines, so the file is shown plain instead.
	n := 0
	for _, t := range toks {
		n += len(t.Value)
	}
	if n != len(text) && !(n == len(text)+1 && !strings.HasSuffix(text, "\n")) {
		return nil
	}
	return toks
}

// writeHighlightedRows writes the same rows as writeSourceRows, the text of
// each line split into token spans. A token that spans lines (a block
// comment, a raw string) is closed at the end of each line and opened again
// on the next, so every line span holds well-nested markup.
func writeHighlightedRows(w *bufio.Writer, toks []chroma.Token, states []coverage.LineState) {
	var num [20]byte
	line, open := 1, false
	start := func() {
		w.WriteString(`<span id="L`)
		w.Write(strconv.AppendInt(num[:0], int64(line), 10))
		if line < len(states) {
			if class := lineClass[states[line]]; class != "" {
				w.WriteString(`" class="`)
				w.WriteString(class)
			}
		}
		w.WriteString(`">`)
		open = true
	}
	for _, t := range toks {
		class := tokenClass(t.Type)
		for v := t.Value; v != ""; {
			seg, rest, nl := strings.Cut(v, "\n")
			if !open {
				start()
			}
			if seg != "" {
				if class != "" {
					w.WriteString(`<span class="`)
					w.WriteString(class)
					w.WriteString(`">`)
				}
				template.HTMLEscape(w, []byte(seg))
				if class != "" {
					w.WriteString(`</span>`)
				}
			}
			if nl {
				w.WriteString("\n</span>")
				open = false
				line++
			}
			v = rest
		}
	}
	if open {
		w.WriteString("\n</span>")
	}
}
