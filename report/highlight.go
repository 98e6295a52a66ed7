package report

import (
	"bufio"
	"bytes"
	"path"
	"strings"
	"sync"

	"github.com/alecthomas/chroma/v2"
	"github.com/alecthomas/chroma/v2/lexers"

	"github.com/sprintkit/sprintkit/coverage"
	"github.com/sprintkit/sprintkit/internal/gotokens"
)

// Syntax highlighting of the source pages, done once when the site is
// written: Go through go/scanner, classed as chroma's Go lexer does (see
// tokenise for why), every other language through chroma's lexers
// (Pygments' lexers ported to Go), chosen by file name (*.py and every
// other language chroma knows). A file no lexer claims, or one too large
// (maxHighlight, maxChroma), is shown plain. Tokens become short elements
// (tokenTag) inside the line rows, as writeSourceRows writes them; the
// stylesheet colours them for the light and the dark theme, over the
// covered/uncovered line backgrounds. bench/htmlpage.sh measures the pages.
//
// Only the token kinds the stylesheet colours get an element (punctuation,
// operators, plain names and white space stay bare text). The classes
// (tokenise's result) are Pygments' short names, so they read as they do in
// every Pygments or chroma stylesheet, with one change: comments of every
// kind are "c1", because the bare Pygments "c" (and "p", punctuation) are the
// covered and partly covered line classes here; tokenTag maps them to the
// elements written.
//
//	k   keyword                      kc  constant keyword (nil, true, None)
//	kt  type keyword (int, string)   ow  operator word (and, not, in)
//	nb  builtin (len, print, self)   nf  function name
//	nc  class name                   nd  decorator
//	s   string                       m   number
//	c1  comment

// maxHighlight is the largest source highlighted, maxChroma the largest
// that chroma's (slow) lexers are given: a page of several megabytes of
// source is slow to read in the browser anyway.
const (
	maxHighlight = 512 << 10
	maxChroma    = 256 << 10
)

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

// hlToken is a run of source text and its class ("" for plain text).
type hlToken struct {
	class, text string
}

// hlTokens are the tokens of a highlighted source: a list (chroma's), or a
// Go source's coloured tokens (gotokens) read in place, the text between
// them plain, so that the pages of a 5,000-file module do not each build a
// list of a thousand tokens.
type hlTokens struct {
	list []hlToken
	src  string           // the Go source
	goT  *gotokens.Tokens // its tokens
}

// each calls fn with every token in order; together they hold the text.
func (h *hlTokens) each(fn func(class, text string)) {
	if h.goT == nil {
		for _, t := range h.list {
			fn(t.class, t.text)
		}
		return
	}
	at := 0
	h.goT.Each(func(off, end int, c gotokens.Class) {
		if off > at {
			fn("", h.src[at:off])
		}
		fn(c.String(), h.src[off:end])
		at = end
	})
	if at < len(h.src) {
		fn("", h.src[at:])
	}
}

// tokenise returns the tokens of src, or nil when it is not highlighted
// (no lexer, too large, binary, or the lexer gives up). The tokens hold the
// source's text exactly, line endings normalised to "\n", plus at most a
// final "\n" that lexers add to a file that lacks one.
//
// Go files go through go/scanner, Go's own lexer, and are classed as
// chroma's Go lexer classes them (TestGoScannerClassesTokensAsChromaDoes
// holds the two together): chroma's lexers are backtracking regular
// expressions, about 0.4 MB of source per CPU second here, which would
// make the site of a 5,000-file module minutes slower than without
// highlighting; go/scanner is some hundred times faster. Every other
// language goes through chroma.
func tokenise(name string, src []byte, kept *gotokens.Tokens) *hlTokens {
	// A NUL byte means a binary file under a source name: shown plain.
	if len(src) > maxHighlight || len(src) == 0 || bytes.IndexByte(src, 0) >= 0 {
		return nil
	}
	if bytes.Contains(src, []byte("\r\n")) {
		src = bytes.ReplaceAll(src, []byte("\r\n"), []byte("\n"))
	}
	if strings.HasSuffix(name, ".go") {
		return goTokens(src, kept)
	}
	if len(src) > maxChroma {
		return nil
	}
	if toks := chromaTokens(lexerFor(name), string(src)); toks != nil {
		return &hlTokens{list: toks}
	}
	return nil
}

func chromaTokens(l chroma.Lexer, text string) []hlToken {
	if l == nil {
		return nil
	}
	it, err := l.Tokenise(nil, text)
	if err != nil {
		return nil
	}
	var toks []hlToken
	n := 0
	for t := it(); t != chroma.EOF; t = it() {
		toks = append(toks, hlToken{tokenClass(t.Type), t.Value})
		n += len(t.Value)
	}
	// A lexer must not lose or change text; if one ever does, the marks
	// would land on the wrong lines, so the file is shown plain instead.
	if n != len(text) && !(n == len(text)+1 && !strings.HasSuffix(text, "\n")) {
		return nil
	}
	return toks
}

// goTokens classes the tokens of a Go source found by go/scanner
// (internal/gotokens): the source between them (space, operators, plain
// names) is plain text, so the tokens hold the source exactly whatever the
// scanner makes of it. kept, when they are the tokens of src (the function
// scan of coverage/gotest kept them), are used instead of a second scan.
func goTokens(src []byte, kept *gotokens.Tokens) *hlTokens {
	t := kept
	if !t.Of(src) {
		t = gotokens.Scan(src)
	}
	// The tokens' texts are pieces of one copy of the source.
	return &hlTokens{src: string(src), goT: t}
}

// tokenTag is the element each token class is written as. Classes of one
// colour share an element, and the elements are the shortest that are
// valid in phrasing content and have no meaning a reader announces: a
// token costs 7 bytes of markup (<b>if</b>) rather than the 23 of
// <span class="k">if</span>, on pages where tokens are a third of the
// text. The stylesheet takes their own look from them (bold, underline,
// strike, italic) and gives them the colours of their classes.
//
//	b   k, ow             keywords
//	u   kc, kt, nb, m     constants, types, builtins, numbers
//	em  nf, nc, nd        function, class and decorator names
//	s   s                 strings
//	i   c1                comments
//
// A switch, not a map: it is asked for every token and every run of plain
// text between them, and a map lookup there was a twentieth of the site's CPU.
func tokenTag(class string) string {
	switch class {
	case "":
		return ""
	case "k", "ow":
		return "b"
	case "kc", "kt", "nb", "m":
		return "u"
	case "nf", "nc", "nd":
		return "em"
	case "s":
		return "s"
	case "c1":
		return "i"
	}
	return ""
}

// writeHighlightedRows writes the same rows as writeSourceRows, the text of
// each line split into token elements (tokenTag). A token that spans lines
// (a block comment, a raw string) is closed at the end of each line and
// opened again on the next, so every row holds well-nested markup and no
// element is left open for the next <li> to end.
func writeHighlightedRows(w *bufio.Writer, toks *hlTokens, states []coverage.LineState) {
	line, open := 1, false
	toks.each(func(class, text string) {
		tag := tokenTag(class)
		for v := text; v != ""; {
			seg, rest, nl := strings.Cut(v, "\n")
			if !open {
				startRow(w, line, states)
				open = true
			}
			if seg != "" {
				if tag != "" {
					w.WriteByte('<')
					w.WriteString(tag)
					w.WriteByte('>')
				}
				escapeString(w, seg)
				if tag != "" {
					w.WriteString("</")
					w.WriteString(tag)
					w.WriteByte('>')
				}
			}
			if nl {
				open = false
				line++
			}
			v = rest
		}
	})
}
