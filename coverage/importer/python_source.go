package importer

import (
	"bytes"
	"path"
	"path/filepath"
	"regexp"
	"strings"
	"unicode"

	"github.com/sprintkit/sprintkit/coverage"
)

// Python functions from source, for coverage data that does not carry them
// (coverage.py before 7.5 writes no "functions" into its JSON).
//
// The source is split into logical lines the way Python's tokenizer does:
// brackets, triple-quoted strings and backslash continuations join physical
// lines; blank and comment-only lines are not statements. A `def` or `async
// def` opens a function whose body is every following logical line indented
// deeper than the def. Its statements are the measured lines of its body:
// not the decorators and the signature, which run when the enclosing scope
// runs, and not the bodies of functions nested in it, which are functions
// of their own (coverage.py attributes each line to the innermost function
// the same way). Names are qualified by the enclosing classes and functions:
// "Class.method", "outer.inner".

// pyLogical is one logical line.
type pyLogical struct {
	start, end int    // first and last physical line
	indent     int    // columns, tabs to multiples of 8
	head       []byte // the start of the first physical line, after the indent
}

var (
	pyDefRe   = regexp.MustCompile(`^(?:async[ \t]+)?def[ \t]+([\p{L}_][\p{L}\p{N}_]*)`)
	pyClassRe = regexp.MustCompile(`^class[ \t]+([\p{L}_][\p{L}\p{N}_]*)`)
)

// pyLogicalLines splits Python source into logical lines.
func pyLogicalLines(src []byte) []pyLogical {
	var out []pyLogical
	line := 1
	i, n := 0, len(src)
	if bytes.HasPrefix(src, []byte("\xef\xbb\xbf")) {
		i = 3
	}
	for i < n {
		indent, j := 0, i
		for j < n && (src[j] == ' ' || src[j] == '\t' || src[j] == '\f') {
			switch src[j] {
			case ' ':
				indent++
			case '\t':
				indent = (indent/8 + 1) * 8
			default:
				indent = 0
			}
			j++
		}
		if j >= n {
			break
		}
		if src[j] == '\n' || src[j] == '\r' || src[j] == '#' {
			k := bytes.IndexByte(src[j:], '\n')
			if k < 0 {
				break
			}
			i = j + k + 1
			line++
			continue
		}
		ll := pyLogical{start: line, indent: indent}
		head := src[j:]
		if k := bytes.IndexByte(head, '\n'); k >= 0 {
			head = head[:k]
		}
		if len(head) > 200 {
			head = head[:200]
		}
		ll.head = head
		depth := 0
		k := j
	scan:
		for k < n {
			c := src[k]
			switch c {
			case '#':
				for k < n && src[k] != '\n' {
					k++
				}
			case '\\':
				if k+1 < n && src[k+1] == '\n' {
					line++
					k += 2
				} else if k+2 < n && src[k+1] == '\r' && src[k+2] == '\n' {
					line++
					k += 3
				} else {
					k++
				}
			case '\'', '"':
				k, line = pySkipString(src, k, line)
			case '(', '[', '{':
				depth++
				k++
			case ')', ']', '}':
				if depth > 0 {
					depth--
				}
				k++
			case '\n':
				if depth > 0 {
					line++
					k++
					continue
				}
				break scan
			default:
				k++
			}
		}
		ll.end = line
		out = append(out, ll)
		if k < n { // the newline ending the statement
			k++
			line++
		}
		i = k
	}
	return out
}

// pySkipString skips the string literal starting at src[k] (a quote) and
// returns the position after it and the line it ends on. An unterminated
// single-quoted string ends at the end of its line.
func pySkipString(src []byte, k, line int) (int, int) {
	n := len(src)
	q := src[k]
	if k+2 < n && src[k+1] == q && src[k+2] == q {
		k += 3
		for k < n {
			switch {
			case src[k] == '\\':
				if k+1 < n && src[k+1] == '\n' {
					line++
				}
				k += 2
			case src[k] == '\n':
				line++
				k++
			case src[k] == q && k+2 < n && src[k+1] == q && src[k+2] == q:
				return k + 3, line
			case src[k] == q && k+2 == n && src[k+1] == q:
				return n, line
			default:
				k++
			}
		}
		return n, line
	}
	k++
	for k < n && src[k] != q && src[k] != '\n' {
		if src[k] == '\\' && k+1 < n {
			if src[k+1] == '\n' {
				line++
			}
			k += 2
			continue
		}
		k++
	}
	if k < n && src[k] == q {
		k++
	}
	return min(k, n), line
}

// pyDef is a function found in source.
type pyDef struct {
	name       string
	line       int      // the def line
	body, end  int      // the body's first and last line
	holes      [][2]int // bodies of nested functions
	indent     int
	isFunction bool
}

// pythonDefs finds the functions of Python source, in source order.
func pythonDefs(src []byte) []*pyDef {
	var out []*pyDef
	var stack []*pyDef // open scopes: functions and classes
	closeScope := func() {
		top := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if !top.isFunction {
			return
		}
		// A nested function is a hole in the nearest enclosing function.
		for i := len(stack) - 1; i >= 0; i-- {
			if stack[i].isFunction {
				if top.body <= top.end {
					stack[i].holes = append(stack[i].holes, [2]int{top.body, top.end})
				}
				break
			}
		}
	}
	for _, ll := range pyLogicalLines(src) {
		for len(stack) > 0 && ll.indent <= stack[len(stack)-1].indent {
			closeScope()
		}
		for _, s := range stack {
			s.end = ll.end
		}
		var name string
		isFunc := false
		if m := pyDefRe.FindSubmatch(ll.head); m != nil {
			name, isFunc = string(m[1]), true
		} else if m := pyClassRe.FindSubmatch(ll.head); m != nil {
			name = string(m[1])
		} else {
			continue
		}
		qual := name
		if len(stack) > 0 {
			qual = stack[len(stack)-1].name + "." + name
		}
		d := &pyDef{name: qual, line: ll.start, body: ll.end + 1, end: ll.end, indent: ll.indent, isFunction: isFunc}
		stack = append(stack, d)
		if isFunc {
			out = append(out, d)
		}
	}
	for len(stack) > 0 {
		closeScope()
	}
	return out
}

// pythonFunctions returns the functions of a Python file with their counts
// from the file's sorted measured lines.
func pythonFunctions(rel string, src []byte, lines []LineHit) []*coverage.Function {
	var out []*coverage.Function
	for _, d := range pythonDefs(src) {
		fn := &coverage.Function{Name: d.name, File: rel, Line: d.line, EndLine: d.end}
		for _, l := range linesIn(lines, d.body, d.end) {
			inHole := false
			for _, h := range d.holes {
				if l.Line >= h[0] && l.Line <= h[1] {
					inHole = true
					break
				}
			}
			if inHole {
				continue
			}
			fn.Statements++
			if l.Count > 0 {
				fn.Covered++
			}
		}
		out = append(out, fn)
	}
	return out
}

// pythonPackage names the package of a Python file by its dotted name: the
// directories from the import root (the first ancestor without an
// __init__.py) to the file. A module at the top of the project, or of a src/
// layout, is its own package ("setup_helpers"); a directory without
// __init__.py (a namespace package, a scripts directory) is named by its
// path, less a leading "src/".
func pythonPackage(root, rel string) (name, dir string) {
	d := path.Dir(rel)
	mod := strings.TrimSuffix(path.Base(rel), path.Ext(rel))
	if d == "." {
		return mod, d
	}
	parts := strings.Split(d, "/")
	k := len(parts)
	for k > 0 && isRegular(filepath.Join(root, filepath.FromSlash(strings.Join(parts[:k], "/")), "__init__.py")) {
		k--
	}
	if k < len(parts) {
		return strings.Join(parts[k:], "."), d
	}
	if parts[0] == "src" {
		parts = parts[1:]
	}
	if len(parts) == 0 {
		return mod, d
	}
	return strings.Join(parts, "."), d
}

// pyDocstringLines returns the first lines of the module's docstring and of
// its classes' docstrings: the string literals that open the module and
// each class body. Python runs them (it stores them as __doc__), and
// coverage.py before 7.13 reports them among the executed lines though it
// counts them nowhere. Function docstrings do not run.
func pyDocstringLines(src []byte) map[int]bool {
	docs := map[int]bool{}
	lls := pyLogicalLines(src)
	isString := func(head []byte) bool {
		h := bytes.TrimLeft(head, "rRuU")
		return len(h) > 0 && len(h) >= len(head)-1 && (h[0] == '"' || h[0] == '\'')
	}
	for i, ll := range lls {
		switch {
		case i == 0 && isString(ll.head):
			docs[ll.start] = true
		case pyClassRe.Match(ll.head) && i+1 < len(lls) && lls[i+1].indent > ll.indent && isString(lls[i+1].head):
			docs[lls[i+1].start] = true
		}
	}
	return docs
}

// PyImport is one module a Python file imports: "import a.b" gives module
// "a.b"; "from a.b import c" gives module "a.b" and name "c", which may be
// a submodule ("a.b.c") or a name defined in a.b.
type PyImport struct {
	Module, Name string
}

// PythonImports lists the imports of Python source, at any indentation
// (inside functions and try blocks too), in source order. rel, the file's
// path relative to the project, resolves relative imports ("from .m import
// x"). It reads the source as text and never fails: what it cannot read it
// leaves out.
func PythonImports(src []byte, rel string) []PyImport {
	phys := bytes.Split(src, []byte("\n"))
	var out []PyImport
	for _, ll := range pyLogicalLines(src) {
		if !bytes.HasPrefix(ll.head, []byte("import")) && !bytes.HasPrefix(ll.head, []byte("from")) {
			continue
		}
		// The whole logical line, without comments, continuations and
		// parentheses.
		var b strings.Builder
		for l := ll.start; l <= ll.end && l <= len(phys); l++ {
			line := string(phys[l-1])
			if i := strings.IndexByte(line, '#'); i >= 0 {
				line = line[:i]
			}
			line = strings.TrimSuffix(strings.TrimRight(line, " \t\r"), "\\")
			b.WriteString(line)
			b.WriteByte(' ')
		}
		stmt := strings.NewReplacer("(", " ", ")", " ", ";", " ; ").Replace(strings.TrimSpace(b.String()))
		if i := strings.Index(stmt, " ; "); i >= 0 {
			stmt = stmt[:i] // a second statement after ";" is not read
		}
		fields := strings.Fields(stmt)
		switch {
		case len(fields) >= 2 && fields[0] == "import":
			for _, item := range strings.Split(strings.Join(fields[1:], " "), ",") {
				if f := strings.Fields(item); len(f) > 0 && pyDotted(f[0]) {
					out = append(out, PyImport{Module: f[0]})
				}
			}
		case len(fields) >= 4 && fields[0] == "from" && fields[2] == "import":
			mod := fields[1]
			if strings.HasPrefix(mod, ".") {
				level := len(mod) - len(strings.TrimLeft(mod, "."))
				dirs := strings.Split(path.Dir(rel), "/")
				if path.Dir(rel) == "." {
					dirs = nil
				}
				if level-1 > len(dirs) {
					continue
				}
				dirs = dirs[:len(dirs)-(level-1)]
				if rest := mod[level:]; rest != "" {
					dirs = append(dirs, rest)
				}
				mod = strings.Join(dirs, ".")
			}
			if !pyDotted(mod) {
				continue
			}
			names := strings.Split(strings.Join(fields[3:], " "), ",")
			for _, item := range names {
				f := strings.Fields(item)
				switch {
				case len(f) == 0:
				case f[0] == "*":
					out = append(out, PyImport{Module: mod})
				case pyDotted(f[0]) && !strings.Contains(f[0], "."):
					out = append(out, PyImport{Module: mod, Name: f[0]})
				}
			}
		}
	}
	return out
}

// pyDotted reports whether s is a dotted Python name ("a.b_c").
func pyDotted(s string) bool {
	if s == "" {
		return false
	}
	for _, part := range strings.Split(s, ".") {
		if part == "" {
			return false
		}
		for i, r := range part {
			if !(r == '_' || unicode.IsLetter(r) || (i > 0 && unicode.IsDigit(r))) {
				return false
			}
		}
	}
	return true
}

// PythonModuleNames are the dotted names a project's Python file imports
// as: from its import root (the top directory, the first ancestor without
// __init__.py, or src/), "pkg.mod" for pkg/mod.py and "pkg" for
// pkg/__init__.py, and its full path from the project's top.
func PythonModuleNames(dir, rel string) []string {
	noExt := strings.TrimSuffix(rel, path.Ext(rel))
	parts := strings.Split(noExt, "/")
	if parts[len(parts)-1] == "__init__" {
		parts = parts[:len(parts)-1]
	}
	if len(parts) == 0 {
		return nil
	}
	names := []string{strings.Join(parts, ".")}
	if parts[0] == "src" && len(parts) > 1 {
		names = append(names, strings.Join(parts[1:], "."))
	}
	pkg, _ := pythonPackage(dir, rel)
	mod := path.Base(noExt)
	switch {
	case path.Dir(rel) == ".":
		names = append(names, mod)
	case mod == "__init__":
		names = append(names, pkg)
	default:
		names = append(names, pkg+"."+mod)
	}
	return names
}

// redocstring corrects which lines a parser dropped as docstrings, with the
// Python source of the file: when the source's module and class docstrings
// that ran number exactly the dropped lines, those docstrings go and the
// dropped lines come back. Otherwise the lines stay as they are.
func redocstring(f *FileProfile, src []byte) {
	if len(f.Dropped) == 0 {
		return
	}
	docs := pyDocstringLines(src)
	normalizeLines(&f.Lines)
	var ran []int
	for _, l := range f.Dropped {
		if docs[l] {
			ran = append(ran, l)
		}
	}
	for _, l := range f.Lines {
		if docs[l.Line] && l.Count > 0 {
			ran = append(ran, l.Line)
		}
	}
	if len(ran) != len(f.Dropped) {
		return
	}
	lines := make([]LineHit, 0, len(f.Lines))
	for _, l := range f.Dropped {
		if !docs[l] {
			lines = append(lines, LineHit{Line: l, Count: 1})
		}
	}
	for _, l := range f.Lines {
		if !docs[l.Line] {
			lines = append(lines, l)
		}
	}
	f.Lines, f.Dropped = lines, nil
	normalizeLines(&f.Lines)
}
