package termui

import (
	"bytes"
	"io"
	"os"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/term"
)

// DefaultWidth is the width of a terminal that does not say its own.
const DefaultWidth = 80

// Width is how many columns the lines written to w may take: $COLUMNS
// when it is set (so that a user can ask for wrapping even when piped),
// else the terminal's width when w is a terminal (DefaultWidth when it
// does not say), else 0: output that goes to a file or a pipe is not
// wrapped.
func Width(w io.Writer) int {
	if n, err := strconv.Atoi(strings.TrimSpace(os.Getenv("COLUMNS"))); err == nil && n > 0 {
		return n
	}
	f, ok := w.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return 0
	}
	if n, _, err := term.GetSize(int(f.Fd())); err == nil && n > 0 {
		return n
	}
	return DefaultWidth
}

// Wrap breaks line into lines of at most width columns (runes), at
// spaces only, never inside a word: a word longer than the width (a long
// path) stays whole on a line of its own. Continuation lines are indented
// to where the line's text starts (see hang). A width of 0 or less, or a
// line that fits, gives line itself.
func Wrap(line string, width int) []string {
	if width <= 0 || utf8.RuneCountInString(line) <= width {
		return []string{line}
	}
	at, n := hang(line)
	indent := strings.Repeat(" ", min(n, width/2))
	var out []string
	cur, placed := line[:at], false
	for _, t := range tokens(line[at:]) {
		if next := cur + t.gap + t.word; !placed || utf8.RuneCountInString(next) <= width {
			cur, placed = next, true
			continue
		}
		out = append(out, strings.TrimRight(cur, " "))
		cur = indent + t.word
	}
	return append(out, strings.TrimRight(cur, " "))
}

// labelRE is a line's label column ("coverage  ", "warning   ", "sprint
// server  "): text, then two spaces or more, within the first 16 columns.
// listRE is a list item's marker ("1. ", "* ", "✗ ", "~ ", "- ").
var (
	labelRE = regexp.MustCompile(`^\S[^ ]*( [^ ]+)*  +`)
	listRE  = regexp.MustCompile(`^(\d+\.|[*✗~✓-]) +`)
)

// hang says how line continues: at is where its text starts (a byte
// offset: after its leading blanks, its label column and its list
// marker), and indent how many columns its continuation lines take. Text
// after a label or a marker continues under itself ("coverage  ...",
// "          1. pkg  12.5%  ..."); other text two columns further in
// than the line ("  cd dir").
func hang(line string) (at, indent int) {
	at = len(line) - len(strings.TrimLeft(line, " "))
	marked := false
	if m := labelRE.FindString(line); at == 0 && m != "" && utf8.RuneCountInString(m) <= 16 {
		at, marked = len(m), true
	}
	if m := listRE.FindString(line[at:]); m != "" {
		at, marked = at+len(m), true
	}
	indent = utf8.RuneCountInString(line[:at])
	if !marked {
		indent += 2
	}
	return at, indent
}

type token struct{ gap, word string }

// tokens splits s into words, each with the blanks before it.
func tokens(s string) []token {
	var out []token
	for s != "" {
		g := len(s) - len(strings.TrimLeft(s, " "))
		rest := s[g:]
		w := strings.IndexByte(rest, ' ')
		if w < 0 {
			w = len(rest)
		}
		out = append(out, token{gap: s[:g], word: rest[:w]})
		s = rest[w:]
	}
	return out
}

// Wrapper wraps each line written through it to a width (Wrap). Call
// Flush after the last write, for a line with no final newline.
type Wrapper struct {
	w     io.Writer
	width int
	buf   []byte
}

// NewWrapper wraps the lines written to w at Width(w); with no width
// they go through unchanged.
func NewWrapper(w io.Writer) *Wrapper { return &Wrapper{w: w, width: Width(w)} }

func (x *Wrapper) Write(p []byte) (int, error) {
	if x.width <= 0 {
		return x.w.Write(p)
	}
	x.buf = append(x.buf, p...)
	for {
		i := bytes.IndexByte(x.buf, '\n')
		if i < 0 {
			return len(p), nil
		}
		if err := x.writeLine(string(x.buf[:i]), "\n"); err != nil {
			return 0, err
		}
		x.buf = x.buf[i+1:]
	}
}

// Flush writes what is left of a line with no final newline.
func (x *Wrapper) Flush() error {
	if len(x.buf) == 0 {
		return nil
	}
	err := x.writeLine(string(x.buf), "")
	x.buf = nil
	return err
}

func (x *Wrapper) writeLine(line, end string) error {
	_, err := io.WriteString(x.w, strings.Join(Wrap(line, x.width), "\n")+end)
	return err
}
