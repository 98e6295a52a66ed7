package report

import (
	"bufio"
	"bytes"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	gotoken "go/token"

	"github.com/sprintkit/sprintkit/coverage"
	"github.com/sprintkit/sprintkit/internal/gotokens"
)

// tokenSpan is a token's element (tokenTag); tokenOpen and tokenClose are
// its tags.
var (
	tokenSpan  = regexp.MustCompile(`<(?:b|u|em|s|i)>([^<]*)</(?:b|u|em|s|i)>`)
	tokenOpen  = regexp.MustCompile(`<(?:b|u|em|s|i)>`)
	tokenClose = regexp.MustCompile(`</(?:b|u|em|s|i)>`)
)

func renderRows(src []byte, states []coverage.LineState, highlight func(w *bufio.Writer)) string {
	var b bytes.Buffer
	w := bufio.NewWriter(&b)
	if highlight != nil {
		highlight(w)
	} else {
		writeSourceRows(w, src, states)
	}
	w.Flush()
	return numberRows(`<ol class="source">` + b.String() + "</ol>")
}

func TestHighlightingKeepsEveryCharacterAndLineMark(t *testing.T) {
	goSrc := "package p\n\n/* a block\n   comment */\nfunc F(s string) int {\n\tr := `raw\nstring <b>`\n\treturn len(s) + 0x1F // tail\n}\n"
	pySrc := "import os\n\n\ndef f(x):\n    \"\"\"Doc\n    string.\"\"\"\n    if x is None and not os.sep:\n        return 'é' * 2\n    return x\n\n@property\nclass C:\n    pass\n"
	for _, tc := range []struct {
		name, file, src string
		want            []string // token markup the page must hold
	}{
		{"a Go file with a block comment and a raw string over lines", "p/f.go", goSrc,
			[]string{`<b>func</b> <em>F</em>(s <u>string</u>)`, `<i>/* a block</i>`, `<i>   comment */</i>`, `<s>string &lt;b&gt;` + "`</s>", `<u>0x1F</u>`}},
		{"a Python file with a docstring, operator words and a decorator", "mod/f.py", pySrc,
			[]string{`<b>def</b> <em>f</em>(x):`, `<b>and</b>`, `<u>None</u>`, `<em>@property</em>`, `<s>&#39;é&#39;</s>`}},
		{"a Go file with CRLF line endings", "w.go", strings.ReplaceAll(goSrc, "\n", "\r\n"), []string{`<li id=L1 class=c><b>package</b> p<li id=L2 class=u><li id=L3 class=p><i>/* a block</i>`}},
		{"a Go file without a final newline", "n.go", strings.TrimSuffix(goSrc, "\n"), []string{"<li id=L8>\t<b>return</b>", "<li id=L9 class=c>}"}},
		{"a file of an unknown kind is plain", "notes.sprintkit-unknown", "if x then y\n", nil},
		{"a binary file under a source name is plain", "b.go", "package b\x00\n", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src := []byte(tc.src)
			lines := bytes.Count(src, []byte("\n")) + 2
			states := make([]coverage.LineState, lines)
			for i := range states {
				states[i] = coverage.LineState(i % 4) // every mark, in turn
			}
			plain := renderRows(src, states, nil)
			toks := tokenise(tc.file, src, nil)
			if tc.want == nil {
				if toks != nil {
					t.Fatalf("%s was highlighted, want it plain", tc.file)
				}
				return
			}
			if toks == nil {
				t.Fatalf("%s was not highlighted", tc.file)
			}
			got := renderRows(src, states, func(w *bufio.Writer) { writeHighlightedRows(w, toks, states) })
			for _, want := range tc.want {
				if !strings.Contains(got, want) {
					t.Errorf("the highlighted rows lack %q:\n%s", want, got)
				}
			}
			if stripped := tokenSpan.ReplaceAllString(got, "$1"); stripped != plain {
				t.Errorf("without its token spans, the highlighted listing differs from the plain one:\n%s", firstDiff(plain, stripped))
			}
			for i, line := range strings.Split(got, "<li ") {
				if len(tokenOpen.FindAllString(line, -1)) != len(tokenClose.FindAllString(line, -1)) {
					t.Errorf("line %d is not well nested: %q", i+1, line)
				}
			}
		})
	}
}

func TestLexersAreChosenByFileName(t *testing.T) {
	for _, tc := range []struct{ name, file, want string }{
		{"Go by its extension", "cart/cart.go", "Go"},
		{"Python by its extension", "pkg/mod.py", "Python"},
		{"a Makefile by its name", "sub/Makefile", "Makefile"},
		{"the rest of the name does not matter", "x.go.py", "Python"},
		{"an unknown extension gets none", "a/b.sprintkit-unknown", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := ""
			if l := lexerFor(tc.file); l != nil {
				got = l.Config().Name
			}
			if got != tc.want {
				t.Errorf("lexerFor(%q) = %q, want %q", tc.file, got, tc.want)
			}
		})
	}
}

// cssVars reads the custom properties of the stylesheet's light :root
// block and of its prefers-color-scheme: dark block.
func cssVars(t *testing.T) (light, dark map[string]string) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("templates", "style.css"))
	if err != nil {
		t.Fatal(err)
	}
	css := string(b)
	block := func(after string) map[string]string {
		i := strings.Index(css, after)
		if i < 0 {
			t.Fatalf("style.css has no %q", after)
		}
		body := css[i+len(after):]
		body = body[:strings.Index(body, "}")]
		vars := map[string]string{}
		for _, m := range regexp.MustCompile(`(--[a-z0-9-]+):\s*(#[0-9a-fA-F]{6})`).FindAllStringSubmatch(body, -1) {
			vars[m[1]] = m[2]
		}
		return vars
	}
	return block(":root {"), block("@media (prefers-color-scheme: dark) {\n  :root {")
}

// contrast is the WCAG 2 contrast ratio of two #rrggbb colours.
func contrast(a, b string) float64 {
	lum := func(hex string) float64 {
		v, _ := strconv.ParseUint(hex[1:], 16, 32)
		ch := func(c uint64) float64 {
			s := float64(c) / 255
			if s <= 0.03928 {
				return s / 12.92
			}
			return math.Pow((s+0.055)/1.055, 2.4)
		}
		return 0.2126*ch(v>>16&0xff) + 0.7152*ch(v>>8&0xff) + 0.0722*ch(v&0xff)
	}
	la, lb := lum(a), lum(b)
	return (math.Max(la, lb) + 0.05) / (math.Min(la, lb) + 0.05)
}

func TestTokenColoursAreReadableOnEveryLineBackground(t *testing.T) {
	light, dark := cssVars(t)
	for _, theme := range []struct {
		name string
		vars map[string]string
	}{{"light", light}, {"dark", dark}} {
		for _, fg := range []string{"--fg", "--tk", "--tn", "--tf", "--ts", "--tc"} {
			for _, bg := range []string{"--bg", "--c-bg", "--u-bg", "--p-bg", "--cur-bg"} {
				f, b := theme.vars[fg], theme.vars[bg]
				if f == "" || b == "" {
					t.Errorf("%s theme: %s or %s is not a #rrggbb colour in style.css", theme.name, fg, bg)
					continue
				}
				if c := contrast(f, b); c < 4.5 {
					t.Errorf("%s theme: %s %s on %s %s has contrast %.2f, want at least 4.5 (WCAG AA)", theme.name, fg, f, bg, b, c)
				}
			}
		}
	}
}

// classesByByte gives each byte of the text its token's class.
func classesByByte(toks []hlToken) (text string, classes []string) {
	var b strings.Builder
	for _, t := range toks {
		b.WriteString(t.text)
		for range len(t.text) {
			classes = append(classes, t.class)
		}
	}
	return b.String(), classes
}

// Go files are classed by go/scanner for speed (see tokenise); chroma's Go
// lexer is the reference it must agree with, byte for byte, on real code.
func TestGoScannerClassesTokensAsChromaDoes(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "site", "shop", "*", "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	files = append(files, filepath.Join("..", "coverage", "gotest", "gorun.go"), "html.go", "html_rows.go", "treemap.go", "highlight.go")
	for _, file := range files {
		t.Run(filepath.ToSlash(file), func(t *testing.T) {
			src, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			goText, goClasses := classesByByte(goTokens(src, nil).tokens())
			chText, chClasses := classesByByte(chromaTokens(lexerFor(file), string(src)))
			if goText != string(src) {
				t.Fatalf("go/scanner's tokens do not hold the source:\n%s", firstDiff(string(src), goText))
			}
			if chText != string(src) {
				t.Fatalf("chroma's tokens do not hold the source:\n%s", firstDiff(string(src), chText))
			}
			// chroma's Go lexer predates Go 1.13's 0o755: it takes it for
			// 0 and the name o755, where go/scanner knows the number.
			newOctal := func(i int) bool {
				for i > 0 && goClasses[i-1] == "m" {
					i--
				}
				return goClasses[i] == "m" && strings.HasPrefix(strings.ToLower(string(src[i:])), "0o")
			}
			diffs := 0
			for i := range src {
				if goClasses[i] != chClasses[i] && src[i] != ' ' && src[i] != '\t' && src[i] != '\n' && !newOctal(i) {
					if diffs++; diffs <= 5 {
						line := 1 + strings.Count(string(src[:i]), "\n")
						t.Errorf("line %d, byte %q: go/scanner classes it %q, chroma %q", line, src[i], goClasses[i], chClasses[i])
					}
				}
			}
		})
	}
}

// The tokens the function scan kept (File.Tokens) are used for a Go page
// only when they are the tokens of the source the report reads: the page
// of a file changed since, or with no tokens kept, is highlighted from a
// scan of its own.
func TestHTMLUsesKeptTokensOnlyOfTheSourceItReads(t *testing.T) {
	src := []byte("package p\n\n// F is.\nfunc F(s string) int { return len(s) }\n")
	// Tokens of this very source that say its first word is a string, to
	// see which tokens a page used.
	rec := gotokens.NewRecorder(src)
	rec.Add(0, gotoken.STRING, "package")
	marked := rec.Tokens()
	for _, tc := range []struct {
		name   string
		tokens *gotokens.Tokens
		want   string // the first line of the page's source
	}{
		{"no tokens kept", nil, `<b>package</b> p`},
		{"the tokens of the same source", gotokens.Scan(src), `<b>package</b> p`},
		{"tokens kept of this source are used", marked, `<s>package</s> p`},
		{"tokens of a source changed since are not used", gotokens.Scan([]byte("package q\n")), `<b>package</b> p`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			must(t, os.WriteFile(filepath.Join(root, "f.go"), src, 0o644))
			r := oneFileResult(root, "f.go", 4)
			r.Packages[0].Files[0].Tokens = tc.tokens
			dir := writeSite(t, r, nil, HTMLOptions{})
			page := readPages(t, dir)[pageOfRel(t, dir, "f.go")]
			if !strings.Contains(numberRows(page), `<ol class="source"><li id=L1>`+tc.want+"<li id=L2><li id=L3>") {
				t.Errorf("the page does not start its source with %s:\n%s", tc.want, page)
			}
			if tc.tokens != marked && !strings.Contains(page, `<u>len</u>(s)`) {
				t.Errorf("the page's source is not highlighted as a whole:\n%s", page)
			}
		})
	}
}

// tokens lists the tokens of h.
func (h *hlTokens) tokens() []hlToken {
	var toks []hlToken
	h.each(func(class, text string) { toks = append(toks, hlToken{class, text}) })
	return toks
}
