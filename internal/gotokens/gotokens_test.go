package gotokens

import (
	"fmt"
	"strings"
	"testing"
)

// classed returns the kept tokens of src as "class:text" words.
func classed(src string) string {
	var out []string
	Scan([]byte(src)).Each(func(off, end int, c Class) {
		out = append(out, c.String()+":"+src[off:end])
	})
	return strings.Join(out, " ")
}

func TestScanClassesAsChromaGoLexer(t *testing.T) {
	for _, tc := range []struct{ name, src, want string }{
		{"keywords, types, called names and builtins",
			"package p\nfunc F(s string) int { return len(s) + G(1) }\n",
			"k:package k:func nf:F kt:string kt:int k:return nb:len nf:G m:1"},
		{"constants, a type converting, a name not called",
			"var x = int64(iota) != nil && true || f\n",
			"k:var nb:int64 kc:iota kc:nil kc:true"},
		{"a name called over a space is called; over a comment it is not",
			"a := f (1) + g /* c */ (2)\n",
			"nf:f m:1 c1:/* c */ m:2"},
		{"strings, runes, numbers and comments",
			"x := \"s\" + `raw\nstring` + 'r' // tail\ny := 0x1F + 1.5 + 2i\n",
			"s:\"s\" s:`raw\nstring` s:'r' c1:// tail m:0x1F m:1.5 m:2i"},
		{"a raw string with a carriage return keeps it in its span",
			"x := `a\rb`\n",
			"s:`a\rb`"},
		{"invalid Go keeps the text that scans",
			"func F() { s := \"open\n}\n",
			"k:func nf:F s:\"open"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := classed(tc.src); got != tc.want {
				t.Errorf("tokens\n%q\nwant\n%q", got, tc.want)
			}
		})
	}
}

func TestTokensAreOnlyOfTheirSource(t *testing.T) {
	src := []byte("package p\n")
	tok := Scan(src)
	for _, tc := range []struct {
		src  string
		want bool
	}{
		{"package p\n", true},
		{"package q\n", false},   // same length
		{"package p\n\n", false}, // longer
		{"", false},
	} {
		t.Run(fmt.Sprintf("%q", tc.src), func(t *testing.T) {
			if got := tok.Of([]byte(tc.src)); got != tc.want {
				t.Errorf("Of = %v, want %v", got, tc.want)
			}
		})
	}
	var none *Tokens
	if none.Of(src) {
		t.Error("no tokens are the tokens of a source")
	}
}

func TestKeep(t *testing.T) {
	for _, tc := range []struct {
		name string
		src  string
		want bool
	}{
		{"a Go source", "package p\n", true},
		{"empty", "", false},
		{"binary", "package p\x00\n", false},
		{"CRLF line endings (the report normalises them first)", "package p\r\n", false},
		{"too large", "package p\n" + strings.Repeat("/", MaxSize), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := Keep([]byte(tc.src)); got != tc.want {
				t.Errorf("Keep = %v, want %v", got, tc.want)
			}
		})
	}
}
