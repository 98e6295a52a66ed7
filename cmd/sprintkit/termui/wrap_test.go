package termui

import (
	"bytes"
	"os"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestWrap(t *testing.T) {
	long := "example.com/a/really/quite/long/module/path/that/goes/on/and/on/and/on/internal/parser/tokens.go"
	tests := []struct {
		name  string
		width int
		line  string
		want  []string
	}{
		{"a line that fits is left alone", 80, "coverage  83.3% of 6 statements", []string{"coverage  83.3% of 6 statements"}},
		{"no width means no wrapping", 0, strings.Repeat("word ", 40), []string{strings.Repeat("word ", 40)}},
		{"a labelled line continues under its text at 80", 80,
			"warning   the checkout has 3 uncommitted or untracked entries; the image serves them as a snapshot commit on top of b04e6024",
			[]string{
				"warning   the checkout has 3 uncommitted or untracked entries; the image serves",
				"          them as a snapshot commit on top of b04e6024",
			}},
		{"the same line breaks later at 120", 120,
			"warning   the checkout has 3 uncommitted or untracked entries; the image serves them as a snapshot commit on top of b04e6024",
			[]string{
				"warning   the checkout has 3 uncommitted or untracked entries; the image serves them as a snapshot commit on top of",
				"          b04e6024",
			}},
		{"a ranked target continues after its number at 80", 80,
			"          1. example.com/sprint/library/internal/parser  12.5%  no test reaches Parse, Lex or Scan; first test: Parse",
			[]string{
				"          1. example.com/sprint/library/internal/parser  12.5%  no test reaches",
				"             Parse, Lex or Scan; first test: Parse",
			}},
		{"a ranked target with a long path keeps the path whole at 120", 120,
			"          2. " + long + "  0.0%  no test reaches it: 120 statements in 14 functions, the largest untested file",
			[]string{
				"          2. " + long + "  0.0%  no",
				"             test reaches it: 120 statements in 14 functions, the largest untested file",
			}},
		{"a path longer than the width stays whole on its own line", 80,
			"report    " + long + "/and/more/of/it/index.html",
			[]string{"report    " + long + "/and/more/of/it/index.html"}},
		{"a long path in the middle of a line moves to a line of its own", 80,
			"note      the report is " + long + " and it opens from disk",
			[]string{
				"note      the report is",
				"          " + long,
				"          and it opens from disk",
			}},
		{"a Next line continues two columns in", 80,
			"  sprintkit claim TARGET --as NAME  (the server, http://10.0.0.5:8765/, is recorded in .sprintkit/env)",
			[]string{
				"  sprintkit claim TARGET --as NAME  (the server, http://10.0.0.5:8765/, is",
				"    recorded in .sprintkit/env)",
			}},
		{"a line of text with no label continues two columns in", 40,
			"against the baseline: 72.2% → 75.0% (+2.8), 3 more statements covered",
			[]string{
				"against the baseline: 72.2% → 75.0%",
				"  (+2.8), 3 more statements covered",
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Wrap(tt.line, tt.width)
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("Wrap at %d:\n%s\nwant:\n%s", tt.width, strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
			for _, l := range got {
				if n := utf8.RuneCountInString(l); n > tt.width && tt.width > 0 && strings.Contains(strings.TrimSpace(l), " ") && !strings.Contains(l, long) {
					t.Errorf("line of %d columns at width %d: %q", n, tt.width, l)
				}
			}
		})
	}
}

func TestTheWrapperWrapsWholeLinesAndPassesThroughWithNoWidth(t *testing.T) {
	var b bytes.Buffer
	x := &Wrapper{w: &b, width: 20}
	x.Write([]byte("coverage  one two thr"))
	x.Write([]byte("ee four five\nnext  "))
	x.Write([]byte("line"))
	if err := x.Flush(); err != nil {
		t.Fatal(err)
	}
	if want := "coverage  one two\n          three four\n          five\nnext  line"; b.String() != want {
		t.Errorf("wrote %q, want %q", b.String(), want)
	}
	b.Reset()
	y := &Wrapper{w: &b}
	y.Write([]byte(strings.Repeat("x ", 100) + "\n"))
	if b.String() != strings.Repeat("x ", 100)+"\n" {
		t.Errorf("with no width the line changed: %q", b.String())
	}
}

func TestWidth(t *testing.T) {
	f, err := os.CreateTemp(t.TempDir(), "out")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	tests := []struct {
		name, columns string
		want          int
	}{
		{"a file is not wrapped", "", 0},
		{"COLUMNS asks for wrapping even into a file", "100", 100},
		{"a COLUMNS that is not a number is ignored", "wide", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("COLUMNS", tt.columns)
			if got := Width(f); got != tt.want {
				t.Errorf("Width = %d, want %d", got, tt.want)
			}
		})
	}
}
