package importer

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strconv"
	"strings"

	"github.com/sprintkit/sprintkit/coverage"
)

// parseCoveragePy reads a coverage.py JSON report into prof's Branch and
// Declared, and hands each file entry to file, whose error is told at the
// entry's line.
//
// The report is read one token at a time, behind a jsonGuard, and the
// parser builds only what it keeps: no value is decoded whole, so that a
// huge string, number, nesting or array is refused at the limit it passes
// (limits.go) instead of being buffered first.
func parseCoveragePy(name string, r io.Reader, prof *Profile, file func(path string, e *pyFile) error) error {
	g := &jsonGuard{r: r}
	d := json.NewDecoder(g)
	d.UseNumber()
	p := &pyReader{name: name, g: g, d: d}

	if err := p.expectDelim('{', "a coverage.py JSON report (an object with \"files\")"); err != nil {
		return err
	}
	sawFiles := false
	err := p.fields("a key of the report object", func(key string) error {
		switch key {
		case "meta":
			return p.object(`a "meta" object`, key, func(key string) error {
				if key != "branch_coverage" {
					return p.skip(`a "meta" object`)
				}
				b, err := p.bool(`a "meta" object`, key)
				prof.Branch = prof.Branch || b
				return err
			})
		case "files":
			sawFiles = true
			return p.files(file)
		case "totals":
			return p.totals(prof)
		}
		return p.skip(fmt.Sprintf("the value of %q", key))
	})
	if err != nil {
		return err
	}
	if err := p.expectDelim('}', "the end of the report object"); err != nil {
		return err
	}
	if !sawFiles {
		return p.errAt(d.InputOffset(), `want a "files" object: not a coverage.py JSON report (for istanbul, nyc or c8 JSON, write LCOV with their lcov reporter)`)
	}
	if tok, err := d.Token(); err != io.EOF {
		if err != nil {
			return p.wrap(err, "the end of the file after the report")
		}
		return p.errAt(d.InputOffset(), "want the end of the file after the report, got %s", tokString(tok))
	}
	return nil
}

// pyReader reads the parts of a coverage.py JSON report token by token.
type pyReader struct {
	name    string
	g       *jsonGuard
	d       *json.Decoder
	entries int // numbers read into arrays so far, at most maxReportEntries
}

func (p *pyReader) errAt(off int64, format string, args ...any) error {
	return fmt.Errorf("%s:%d: %s", p.name, p.g.lineAt(off), fmt.Sprintf(format, args...))
}

// wrap tells an error of the decoder or of the guard as "NAME:LINE: want
// what: …".
func (p *pyReader) wrap(err error, what string) error {
	var le *limitError
	var se *json.SyntaxError
	switch {
	case errors.As(err, &le):
		return fmt.Errorf("%s:%d: %s (in %s)", p.name, le.line, le.msg, what)
	case errors.As(err, &se):
		return p.errAt(se.Offset, "want %s: %s", what, se.Error())
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return p.errAt(p.d.InputOffset(), "want %s, got the end of the file", what)
	}
	return fmt.Errorf("read %s: %w", p.name, err)
}

// next reads a token and the offset it starts at.
func (p *pyReader) next(what string) (json.Token, int64, error) {
	off := p.d.InputOffset()
	tok, err := p.d.Token()
	if err != nil {
		return nil, off, p.wrap(err, what)
	}
	return tok, off, nil
}

func (p *pyReader) expectDelim(want json.Delim, what string) error {
	tok, off, err := p.next(what)
	if err != nil {
		return err
	}
	if dl, ok := tok.(json.Delim); !ok || dl != want {
		return p.errAt(off, "want %s, got %s", what, tokString(tok))
	}
	return nil
}

// fields calls field with each key of the object whose '{' was read; field
// reads the key's value. The closing '}' is left to the caller.
func (p *pyReader) fields(what string, field func(key string) error) error {
	for p.d.More() {
		tok, _, err := p.next(what)
		if err != nil {
			return err
		}
		key, _ := tok.(string)
		if err := field(key); err != nil {
			return err
		}
	}
	return nil
}

// object reads an object, or null, calling field with each key.
func (p *pyReader) object(what, name string, field func(key string) error) error {
	tok, off, err := p.next(what)
	if err != nil || tok == nil {
		return err
	}
	if tok != json.Delim('{') {
		return p.typeError(off, what, name, tok, "an object")
	}
	if err := p.fields(what, field); err != nil {
		return err
	}
	return p.expectDelim('}', what)
}

// skip reads a value of any kind, a token at a time.
func (p *pyReader) skip(what string) error {
	depth := 0
	for {
		tok, _, err := p.next(what)
		if err != nil {
			return err
		}
		switch tok {
		case json.Delim('{'), json.Delim('['):
			depth++
		case json.Delim('}'), json.Delim(']'):
			depth--
		}
		if depth == 0 {
			return nil
		}
	}
}

// typeError says that the value of name is of another kind than want, in
// the words of encoding/json: "executed_lines is a JSON string, not an
// integer".
func (p *pyReader) typeError(off int64, what, name string, tok json.Token, want string) error {
	kind := "null"
	switch t := tok.(type) {
	case json.Delim:
		kind = map[json.Delim]string{'[': "array", '{': "object"}[t]
	case string:
		kind = "string"
	case json.Number:
		kind = "number " + t.String()
	case bool:
		kind = "bool"
	}
	return p.errAt(off, "want %s: %s is a JSON %s, not %s", what, name, kind, want)
}

// int reads an integer, or null (ok false).
func (p *pyReader) int(what, name string) (n int, ok bool, err error) {
	tok, off, err := p.next(what)
	if err != nil || tok == nil {
		return 0, false, err
	}
	num, isNum := tok.(json.Number)
	if isNum {
		if n, err := strconv.Atoi(num.String()); err == nil {
			return n, true, nil
		}
	}
	return 0, false, p.typeError(off, what, name, tok, "an integer")
}

// optInt reads an integer or null into a pointer.
func (p *pyReader) optInt(what, name string) (*int, error) {
	n, ok, err := p.int(what, name)
	if !ok {
		return nil, err
	}
	return &n, nil
}

func (p *pyReader) bool(what, name string) (bool, error) {
	tok, off, err := p.next(what)
	if err != nil || tok == nil {
		return false, err
	}
	b, ok := tok.(bool)
	if !ok {
		return false, p.typeError(off, what, name, tok, "bool")
	}
	return b, nil
}

// ints reads an array of integers, or null.
func (p *pyReader) ints(what, name string) ([]int, error) {
	var out []int
	return out, p.decodeBounded(what, name, &out, func() int { return len(out) })
}

// arcs reads an array of arrays of integers, or null: branch arcs.
func (p *pyReader) arcs(what, name string) ([][]int, error) {
	var out [][]int
	return out, p.decodeBounded(what, name, &out, func() int { return 2 * len(out) })
}

// decodeBounded decodes the next value whole into v, as encoding/json does
// it fastest, within maxArrayBytes; a value of more than maxArrayEntries
// numbers (entries counts them), or one that takes the report past
// maxReportEntries, is refused. name names the value in messages; a name
// ending in ": " is that of an object, followed by its field's.
func (p *pyReader) decodeBounded(what, name string, v any, entries func() int) error {
	off := p.d.InputOffset()
	done := p.g.limitValue(off)
	err := p.d.Decode(v)
	done()
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &te):
		field := strings.TrimSuffix(name, ": ")
		if te.Field != "" {
			field = name + te.Field
		}
		want := map[reflect.Kind]string{reflect.Slice: "an array", reflect.Struct: "an object", reflect.Int: "an integer"}[te.Type.Kind()]
		if want == "" {
			want = te.Type.String()
		}
		return p.errAt(off+te.Offset-1, "want %s: %s is a JSON %s, not %s", what, field, te.Value, want)
	case err != nil:
		return p.wrap(err, what)
	}
	n := entries()
	if n > maxArrayEntries {
		return p.errAt(off, "want at most %d entries in %s, got %d (in %s)", maxArrayEntries, strings.TrimSuffix(name, ": "), n, what)
	}
	if p.entries += n; p.entries > maxReportEntries {
		return p.errAt(off, "want at most %d line and arc entries in the whole report, got more", maxReportEntries)
	}
	return nil
}

// files reads the "files" object, handing each entry to file.
func (p *pyReader) files(file func(path string, e *pyFile) error) error {
	if err := p.expectDelim('{', `an object of files in "files"`); err != nil {
		return err
	}
	for p.d.More() {
		tok, _, err := p.next(`a file name in "files"`)
		if err != nil {
			return err
		}
		path, _ := tok.(string)
		fileOff := p.d.InputOffset()
		fileLine := p.g.lineAt(fileOff)
		e, err := p.file(path)
		if err != nil {
			return err
		}
		if path == "" {
			return fmt.Errorf("%s:%d: want a file name in \"files\", got \"\"", p.name, fileLine)
		}
		if err := file(path, e); err != nil {
			return fmt.Errorf("%s:%d: %s", p.name, fileLine, err)
		}
	}
	return p.expectDelim('}', `the end of "files"`)
}

// file reads the entry of one file.
func (p *pyReader) file(path string) (*pyFile, error) {
	what := fmt.Sprintf("the entry of %q in \"files\"", path)
	e := &pyFile{}
	err := p.object(what, "value", func(key string) error {
		var err error
		switch key {
		case "executed_lines", "missing_lines", "start_line":
			return p.region(what, key, &e.pyRegion)
		case "summary":
			return p.object(what, key, func(k string) error {
				switch k {
				case "covered_lines":
					e.Summary.Covered, err = p.optInt(what, key+"."+k)
				case "num_statements":
					e.Summary.Statements, err = p.optInt(what, key+"."+k)
				default:
					err = p.skip(what)
				}
				return err
			})
		case "functions":
			return p.object(what, key, func(name string) error {
				var reg pyRegion
				err := p.decodeBounded(what, "function "+name+": ", &reg, func() int { return len(reg.Executed) + len(reg.Missing) })
				if e.Functions == nil {
					e.Functions = map[string]pyRegion{}
				}
				e.Functions[name] = reg
				return err
			})
		case "executed_branches":
			e.ExecutedBranches, err = p.arcs(what, key)
		case "missing_branches":
			e.MissingBranches, err = p.arcs(what, key)
		default:
			err = p.skip(what)
		}
		return err
	})
	return e, err
}

// region reads one key of a file's lines into reg: its executed_lines,
// missing_lines or start_line.
func (p *pyReader) region(what, key string, reg *pyRegion) error {
	var err error
	switch key {
	case "executed_lines":
		reg.Executed, err = p.ints(what, key)
	case "missing_lines":
		reg.Missing, err = p.ints(what, key)
	case "start_line":
		reg.StartLine, _, err = p.int(what, key)
	}
	return err
}

// totals reads the "totals" object into prof.Declared.
func (p *pyReader) totals(prof *Profile) error {
	const what = `a "totals" object`
	var covered, statements *int
	err := p.object(what, "totals", func(key string) error {
		var err error
		switch key {
		case "covered_lines":
			covered, err = p.optInt(what, key)
		case "num_statements":
			statements, err = p.optInt(what, key)
		default:
			err = p.skip(what)
		}
		return err
	})
	if covered != nil && statements != nil {
		prof.Declared = &coverage.Counts{Statements: *statements, Covered: *covered}
	}
	return err
}
