package patchcov

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
)

// Test is a test function the change adds or changes.
type Test struct {
	Name  string `json:"name"` // "TestParse"; Python: "test_parse" or "TestCart.test_add"
	File  string `json:"file"` // relative to the checkout, slash-separated
	Line  int    `json:"line"`
	Added bool   `json:"added"` // every line of it is new
}

// changedTests returns the test functions of the changed test files
// (Go: *_test.go; Python: test_*.py, *_test.py) that hold a changed line,
// read from root.
func changedTests(root string, ch *Changes) []Test {
	out := []Test{}
	for rel, lines := range ch.Files {
		base := path.Base(rel)
		var spans []span
		switch {
		case strings.HasSuffix(base, "_test.go"):
			spans = goTestSpans(filepath.Join(root, filepath.FromSlash(rel)))
		case strings.HasSuffix(base, ".py") && (strings.HasPrefix(base, "test_") || strings.HasSuffix(base, "_test.py")):
			spans = pyTestSpans(filepath.Join(root, filepath.FromSlash(rel)))
		default:
			continue
		}
		changed := map[int]bool{}
		for _, l := range lines {
			changed[l] = true
		}
		for _, s := range spans {
			n := 0
			for l := s.from; l <= s.to; l++ {
				if changed[l] {
					n++
				}
			}
			if n > 0 {
				out = append(out, Test{Name: s.name, File: rel, Line: s.from, Added: n == s.to-s.from+1})
			}
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].File != out[j].File {
			return out[i].File < out[j].File
		}
		return out[i].Line < out[j].Line
	})
	return out
}

// span is a test function's lines, inclusive.
type span struct {
	name     string
	from, to int
}

// goTestSpans are the Test, Benchmark, Example and Fuzz functions of a Go
// test file; none when it does not parse.
func goTestSpans(file string) []span {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, file, nil, parser.SkipObjectResolution)
	if err != nil {
		return nil
	}
	var out []span
	for _, d := range f.Decls {
		fd, ok := d.(*ast.FuncDecl)
		if !ok || fd.Recv != nil || !isGoTestName(fd.Name.Name) {
			continue
		}
		out = append(out, span{fd.Name.Name, fset.Position(fd.Pos()).Line, fset.Position(fd.End()).Line})
	}
	return out
}

func isGoTestName(name string) bool {
	for _, p := range []string{"Test", "Benchmark", "Example", "Fuzz"} {
		if rest, ok := strings.CutPrefix(name, p); ok && (rest == "" || !strings.ContainsAny(rest[:1], "abcdefghijklmnopqrstuvwxyz")) {
			return true
		}
	}
	return false
}

var (
	pyTestDefRe   = regexp.MustCompile(`^([ \t]*)(?:async[ \t]+)?def[ \t]+(test\w*)`)
	pyTestClassRe = regexp.MustCompile(`^([ \t]*)class[ \t]+(Test\w*)`)
)

// pyTestSpans are the test functions of a Python test module (def test…,
// at the top or in a class Test…), each to the line before the next line
// indented no deeper than its def.
func pyTestSpans(file string) []span {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil
	}
	lines := strings.Split(strings.ReplaceAll(string(data), "\r\n", "\n"), "\n")
	var out []span
	class, classIndent := "", -1
	open := -1 // index in out of the test whose body continues
	openIndent := 0
	for i, l := range lines {
		if strings.TrimSpace(l) == "" || strings.HasPrefix(strings.TrimSpace(l), "#") {
			continue
		}
		indent := len(l) - len(strings.TrimLeft(l, " \t"))
		if open >= 0 && indent <= openIndent {
			open = -1
		}
		if class != "" && indent <= classIndent {
			class = ""
		}
		if m := pyTestClassRe.FindStringSubmatch(l); m != nil {
			class, classIndent = m[2], len(m[1])
			continue
		}
		if m := pyTestDefRe.FindStringSubmatch(l); m != nil && open < 0 {
			name := m[2]
			if class != "" && len(m[1]) > classIndent {
				name = class + "." + name
			}
			out = append(out, span{name, i + 1, i + 1})
			open, openIndent = len(out)-1, len(m[1])
			continue
		}
		if open >= 0 {
			out[open].to = i + 1
		}
	}
	return out
}
