package ignore

import (
	"strings"
	"testing"
)

func TestListMatchesAsGitignoreDoes(t *testing.T) {
	tests := []struct {
		name     string
		patterns string // a .gitignore file
		path     string
		isDir    bool
		ignored  bool
		matched  bool
	}{
		{"a name without a slash matches at any depth", "*.log", "a/b/c.log", false, true, true},
		{"a name without a slash matches at the top", "*.log", "c.log", false, true, true},
		{"a leading slash anchors to the base", "/build", "build", true, true, true},
		{"an anchored pattern does not match deeper", "/build", "src/build", true, false, false},
		{"a middle slash anchors too", "doc/*.html", "doc/a.html", false, true, true},
		{"a middle slash does not match below another directory", "doc/*.html", "x/doc/a.html", false, false, false},
		{"a star never matches a slash", "doc/*.html", "doc/sub/a.html", false, false, false},
		{"a trailing slash matches a directory", "out/", "out", true, true, true},
		{"a trailing slash does not match a file", "out/", "out", false, false, false},
		{"a trailing slash matches a directory at any depth", "out/", "a/out", true, true, true},
		{"a leading ** matches at any depth", "**/tmp", "a/b/tmp", true, true, true},
		{"a leading ** matches at the top", "**/tmp", "tmp", false, true, true},
		{"a middle ** matches no directory", "a/**/b", "a/b", false, true, true},
		{"a middle ** matches several directories", "a/**/b", "a/x/y/b", false, true, true},
		{"a trailing ** matches everything inside", "x/**", "x/y/z", false, true, true},
		{"a trailing ** does not match the directory itself", "x/**", "x", true, false, false},
		{"! re-includes what an earlier pattern excluded", "*.log\n!keep.log", "keep.log", false, false, true},
		{"! leaves the others excluded", "*.log\n!keep.log", "drop.log", false, true, true},
		{"the last matching pattern wins", "!keep.log\n*.log", "keep.log", false, true, true},
		{"an escaped # is a name, not a comment", `\#notes`, "#notes", false, true, true},
		{"a # line is a comment", "#notes", "#notes", false, false, false},
		{"an escaped ! is a name, not a negation", `\!important`, "!important", false, true, true},
		{"trailing spaces are dropped", "a.txt   ", "a.txt", false, true, true},
		{"an escaped trailing space is kept", `a\ `, "a ", false, true, true},
		{"a class [!...] excludes its letters", "[!a]*.go", "b.go", false, true, true},
		{"a class [!...] does not match its letters", "[!a]*.go", "a.go", false, false, false},
		{"CRLF lines are read as lines", "*.log\r\n!keep.log\r\n", "keep.log", false, false, true},
		{"a question mark is one character", "?.c", "ab.c", false, false, false},
		{"no pattern matches nothing", "", "a", false, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := ParseFile([]byte(tt.patterns))
			ignored, matched := l.Match(tt.path, tt.isDir)
			if ignored != tt.ignored || matched != tt.matched {
				t.Errorf("%q matching %q (dir %v) = ignored %v, matched %v; want %v, %v",
					tt.patterns, tt.path, tt.isDir, ignored, matched, tt.ignored, tt.matched)
			}
		})
	}
}

func TestParseLineSkipsLinesWithoutAPattern(t *testing.T) {
	for _, line := range []string{"", "   ", "# a comment", "/", "//", "!"} {
		if r, ok := ParseLine(line); ok {
			t.Errorf("ParseLine(%q) = %+v, want no pattern", line, r)
		}
	}
	if _, ok := ParseLine("a//b"); !ok {
		t.Error(`ParseLine("a//b") holds no pattern, want "a/b"`)
	}
}

func TestCompileRefusesWhatCannotMatch(t *testing.T) {
	tests := []struct {
		name, pattern, want string
	}{
		{"an empty pattern is refused", "", `exclude "": empty pattern`},
		{"a comment is no pattern on the command line", "# x", `exclude "# x": empty pattern`},
		{"an unclosed class is refused", "[a", `exclude "[a": syntax error in pattern`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Compile(tt.pattern)
			if err == nil || !strings.HasPrefix(err.Error(), tt.want) {
				t.Errorf("Compile(%q) = %v, want %q", tt.pattern, err, tt.want)
			}
		})
	}
	l, err := CompileAll([]string{"*.tmp", "/vendor/", "**/cache/**"})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		path  string
		isDir bool
		want  bool
	}{{"a/b.tmp", false, true}, {"vendor", true, true}, {"x/vendor", true, false}, {"x/cache/y", false, true}} {
		if got, _ := l.Match(c.path, c.isDir); got != c.want {
			t.Errorf("CompileAll list matching %q = %v, want %v", c.path, got, c.want)
		}
	}
}
