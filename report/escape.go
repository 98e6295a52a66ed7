package report

import "io"

// escapeString writes s escaped as template.HTMLEscape escapes it (the same
// five characters and NUL, replaced by the same entities), without copying
// s into a byte slice first: the source pages escape every token of every
// line.
func escapeString(w io.StringWriter, s string) {
	last := 0
	for i := 0; i < len(s); i++ {
		var rep string
		switch s[i] {
		case 0:
			rep = "\uFFFD"
		case '"':
			rep = "&#34;"
		case '\'':
			rep = "&#39;"
		case '&':
			rep = "&amp;"
		case '<':
			rep = "&lt;"
		case '>':
			rep = "&gt;"
		default:
			continue
		}
		w.WriteString(s[last:i])
		w.WriteString(rep)
		last = i + 1
	}
	w.WriteString(s[last:])
}
