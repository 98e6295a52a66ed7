package coverage

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/bmatcuk/doublestar/v4"
	"github.com/pelletier/go-toml/v2"
	"github.com/pelletier/go-toml/v2/unstable"
	"github.com/sprintkit/sprintkit/internal/human"
)

// The project file
//
// A project may check in sprintkit.toml at its repository root, where its
// maintainers curate the sprint:
//
//	# Paths left out of the ranking and the report.
//	exclude = ["gen/**", "internal/legacy/**"]
//	# Paths that are test support, whatever their name or importers say.
//	test_support = ["internal/fixtures/**"]
//
//	# Recommended targets: they rank first, in this order, with their note.
//	[[target]]
//	path = "url/parse.go"            # a file or directory, relative to the root
//	note = "parseQuery has no test for empty keys; see #123"
//
//	[[target]]
//	name = "example.com/m/url"       # or a target's name (package, file, pkg.Func)
//	note = "ask @ana"
//
// A path pattern is relative to the repository root, slash-separated, and
// matches a file when it names the file, a directory above it, or matches it
// as a glob (doublestar syntax: * within a path segment, ** across
// segments, {a,b} alternatives).
//
// Decoding is strict: an unknown key or a value of the wrong type is an
// error naming the file and line, so a misspelt key never silently does
// nothing. The TOML library is github.com/pelletier/go-toml/v2, because its
// decoder reports unknown keys (DisallowUnknownFields), type mismatches and
// syntax errors alike as a DecodeError with a line and column;
// BurntSushi/toml reports unknown keys only as a list without positions.

// ProjectFileName is the name of the project file at the repository root.
const ProjectFileName = "sprintkit.toml"

// ProjectFile is a parsed sprintkit.toml. A nil *ProjectFile is an empty
// one: every method works on it.
type ProjectFile struct {
	// File is the path the project file was read from, for messages.
	File string `toml:"-"`
	// Exclude lists path patterns left out of ranking and report.
	Exclude []string `toml:"exclude"`
	// TestSupport lists path patterns that are test-support code.
	TestSupport []string `toml:"test_support"`
	// Targets are the pinned targets, in the order they rank.
	Targets []Pin `toml:"target"`
	// Baseline says how the tests run for the baseline, for coverage and
	// for watch-test.
	Baseline BaselineConfig `toml:"baseline"`
	// Room describes the sprint's room: how many sprinters share it.
	Room RoomConfig `toml:"room"`
}

// RoomConfig is the [room] table of the project file.
type RoomConfig struct {
	// Size is how many sprinters the room holds: the default ranking
	// splits packages into files, and files into functions, until there
	// are at least this many targets (0: DefaultRoomSize).
	Size int `toml:"size"`
}

// DefaultRoomSize is the room a sprint is set up for when neither
// [room] size nor --room says otherwise.
const DefaultRoomSize = 20

// RoomSize is the project file's [room] size, DefaultRoomSize when it sets
// none; a nil project file sets none.
func (pf *ProjectFile) RoomSize() int {
	if pf == nil || pf.Room.Size <= 0 {
		return DefaultRoomSize
	}
	return pf.Room.Size
}

// BaselineConfig is the [baseline] table of the project file.
type BaselineConfig struct {
	// GoTestFlags are added to every `go test` sprintkit runs for the
	// project, e.g. ["-short"] to leave the slow tests to CI. Only flags
	// that choose which tests run and how are allowed (GoTestFlagNames);
	// sprintkit sets -json, -cover*, -timeout and -skip itself.
	GoTestFlags []string `toml:"go_test_flags"`
}

// GoTestFlagNames are the go test flags [baseline] go_test_flags may set.
var GoTestFlagNames = []string{"short", "run", "tags", "count", "cpu", "p", "parallel", "race", "shuffle", "failfast"}

// checkGoTestFlag returns "" when f is an allowed go test flag, else why not.
func checkGoTestFlag(f string) string {
	name, _, _ := strings.Cut(strings.TrimLeft(f, "-"), "=")
	if !strings.HasPrefix(f, "-") || name == "" {
		return fmt.Sprintf("%q is not a flag: write each as \"-name\" or \"-name=value\"", f)
	}
	for _, ok := range GoTestFlagNames {
		if name == ok {
			return ""
		}
	}
	return fmt.Sprintf("%q is not one sprintkit lets a project set (allowed: -%s)", f, strings.Join(GoTestFlagNames, ", -"))
}

// Pin is one [[target]] of the project file: a recommended target.
type Pin struct {
	Path string `toml:"path"` // a file or directory pattern, relative to the root
	Name string `toml:"name"` // a target name: import path, file, or "pkg.Func"
	Note string `toml:"note"` // shown with the target
	line int
}

// ProjectFileError is an error in a project file; Line is 0 when the error
// is not at one line (the file cannot be read).
type ProjectFileError struct {
	File string
	Line int
	Msg  string
	Err  error // the decoder's or reader's error, when there is one
}

func (e *ProjectFileError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
	}
	return fmt.Sprintf("%s: %s", e.File, e.Msg)
}

func (e *ProjectFileError) Unwrap() error { return e.Err }

// LoadProjectFile reads root/sprintkit.toml. It returns nil and no error
// when there is none.
func LoadProjectFile(root string) (*ProjectFile, error) {
	name := filepath.Join(root, ProjectFileName)
	f, err := os.Open(name)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, &ProjectFileError{File: name, Msg: "cannot read it", Err: err}
	}
	defer f.Close()
	return ParseProjectFile(name, f)
}

// ParseProjectFile parses a project file; name is used in messages.
func ParseProjectFile(name string, r io.Reader) (*ProjectFile, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, &ProjectFileError{File: name, Msg: "cannot read it", Err: err}
	}
	pf := &ProjectFile{}
	dec := toml.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(pf); err != nil {
		return nil, decodeError(name, err)
	}
	pf.File = name
	if err := pf.check(data); err != nil {
		return nil, err
	}
	return pf, nil
}

// want says what each key of the project file holds, for type errors.
var projectKeys = map[string]string{
	"exclude":                `a list of path patterns, such as ["gen/**"]`,
	"test_support":           `a list of path patterns, such as ["internal/fixtures/**"]`,
	"target":                 "[[target]] tables with path or name, and note",
	"target.path":            "a string: a file or directory relative to the root",
	"target.name":            "a string: a package, file or function target name",
	"target.note":            "a string",
	"baseline":               "a [baseline] table",
	"baseline.go_test_flags": `a list of go test flags, such as ["-short"]`,
	"room":                   "a [room] table",
	"room.size":              "an integer: how many sprinters the room holds",
}

// decodeError turns a decoder error into a ProjectFileError at its line.
func decodeError(name string, err error) error {
	var de *toml.DecodeError
	var se *toml.StrictMissingError
	if errors.As(err, &se) && len(se.Errors) > 0 {
		de = &se.Errors[0]
	}
	if de == nil && !errors.As(err, &de) {
		return &ProjectFileError{File: name, Msg: strings.TrimPrefix(err.Error(), "toml: "), Err: err}
	}
	line, _ := de.Position()
	key := strings.Join(de.Key(), ".")
	msg := strings.TrimPrefix(de.Error(), "toml: ")
	switch {
	case msg == "unknown field" || errors.As(err, &se):
		msg = fmt.Sprintf("unknown key %q (known: exclude, test_support, [[target]] with path, name and note, [baseline] with go_test_flags, [room] with size)", key)
	case strings.HasPrefix(msg, "cannot decode"):
		want := projectKeys[key]
		if want == "" {
			want = "another type"
		}
		msg = fmt.Sprintf("%s: wrong type, want %s", key, want)
	}
	return &ProjectFileError{File: name, Line: line, Msg: msg, Err: err}
}

// check validates what the decoder cannot: patterns are valid globs and each
// pin names something. Lines come from a second pass of the TOML parser.
func (pf *ProjectFile) check(data []byte) error {
	lines := tomlLines(data)
	for _, list := range []struct {
		key  string
		pats []string
	}{{"exclude", pf.Exclude}, {"test_support", pf.TestSupport}} {
		for i, p := range list.pats {
			if p == "" || !doublestar.ValidatePattern(p) {
				return &ProjectFileError{File: pf.File, Line: lines.at(list.key, i),
					Msg: fmt.Sprintf("%s: bad path pattern %q", list.key, p)}
			}
			if strings.HasPrefix(p, "/") || strings.Contains(p, "\\") {
				return &ProjectFileError{File: pf.File, Line: lines.at(list.key, i),
					Msg: fmt.Sprintf("%s: %q: want a slash-separated path relative to the repository root", list.key, p)}
			}
		}
	}
	for i, f := range pf.Baseline.GoTestFlags {
		if why := checkGoTestFlag(f); why != "" {
			return &ProjectFileError{File: pf.File, Line: lines.at("go_test_flags", i), Msg: "baseline.go_test_flags: " + why}
		}
	}
	if pf.Room.Size < 0 {
		return &ProjectFileError{File: pf.File, Msg: fmt.Sprintf("room.size: %d: want the number of sprinters, 1 or more", pf.Room.Size)}
	}
	for i := range pf.Targets {
		t := &pf.Targets[i]
		t.line = lines.at("target", i)
		switch {
		case t.Path == "" && t.Name == "":
			return &ProjectFileError{File: pf.File, Line: t.line, Msg: "[[target]] needs path or name"}
		case t.Path != "" && t.Name != "":
			return &ProjectFileError{File: pf.File, Line: t.line, Msg: "[[target]] takes path or name, not both"}
		case t.Path != "" && !doublestar.ValidatePattern(t.Path):
			return &ProjectFileError{File: pf.File, Line: t.line, Msg: fmt.Sprintf("[[target]] path: bad path pattern %q", t.Path)}
		}
	}
	return nil
}

// keyLines holds the lines of the elements of the project file's arrays
// and of its [[target]] headers.
type keyLines map[string][]int

func (k keyLines) at(key string, i int) int {
	if i < len(k[key]) {
		return k[key][i]
	}
	return 0
}

func tomlLines(data []byte) keyLines {
	out := keyLines{}
	var p unstable.Parser
	p.Reset(data)
	for p.NextExpression() {
		e := p.Expression()
		it := e.Key()
		if !it.Next() {
			continue
		}
		k := it.Node()
		key := string(k.Data)
		switch e.Kind {
		case unstable.ArrayTable, unstable.Table:
			out[key] = append(out[key], p.Shape(k.Raw).Start.Line)
		case unstable.KeyValue:
			v := e.Value()
			if v.Kind != unstable.Array {
				continue
			}
			for c := v.Children(); c.Next(); {
				out[key] = append(out[key], p.Shape(c.Node().Raw).Start.Line)
			}
		}
	}
	return out
}

// matchPath reports whether the slash-separated path rel is pattern, lies
// under the directory pattern, or matches the glob pattern.
func matchPath(pattern, rel string) bool {
	if rel == "" || pattern == "" {
		return false
	}
	dir := strings.TrimSuffix(pattern, "/")
	if rel == dir || strings.HasPrefix(rel, dir+"/") {
		return true
	}
	ok, _ := doublestar.Match(pattern, rel)
	return ok
}

func matchAny(patterns []string, rel string) bool {
	for _, p := range patterns {
		if matchPath(p, rel) {
			return true
		}
	}
	return false
}

// Excludes reports whether the file is left out by the exclude patterns.
func (pf *ProjectFile) Excludes(f *File) bool {
	return pf != nil && matchAny(pf.Exclude, fileName(f))
}

// MarksTestSupport reports whether the file is test support by the
// test_support patterns.
func (pf *ProjectFile) MarksTestSupport(f *File) bool {
	return pf != nil && matchAny(pf.TestSupport, fileName(f))
}

// pin returns the index and pin of the first [[target]] that matches a
// target called name in package pkg covering files; -1 when none does.
func (pf *ProjectFile) pin(name, pkg string, files []string) (int, *Pin) {
	if pf == nil {
		return -1, nil
	}
	for i := range pf.Targets {
		t := &pf.Targets[i]
		if t.Name != "" && (t.Name == name || t.Name == pkg) {
			return i, t
		}
		if t.Path != "" {
			for _, f := range files {
				if matchPath(t.Path, f) {
					return i, t
				}
			}
		}
	}
	return -1, nil
}

// Apply leaves the excluded files out of r, drops packages left empty,
// recomputes the totals and adds a warning that says how much was left
// out, so that the report, the JSON and the totals show the curated
// project. It does nothing on a nil ProjectFile or when nothing matches.
func (pf *ProjectFile) Apply(r *Result) {
	if pf == nil || len(pf.Exclude) == 0 {
		return
	}
	files, stmts := 0, 0
	pkgs := r.Packages[:0]
	for _, p := range r.Packages {
		had := len(p.Files)
		kept := p.Files[:0]
		for _, f := range p.Files {
			if pf.Excludes(f) {
				files++
				c := f.Counts
				if c.Statements == 0 {
					c = BlockCounts(f.Blocks)
				}
				stmts += c.Statements
				continue
			}
			kept = append(kept, f)
		}
		p.Files = kept
		if had == 0 || len(p.Files) > 0 { // a package without files (no data) stays
			pkgs = append(pkgs, p)
		}
	}
	r.Packages = pkgs
	if files == 0 {
		return
	}
	r.Finalize()
	name := ProjectFileName
	if pf.File != "" {
		name = filepath.Base(pf.File)
	}
	r.Warnings = append(r.Warnings, fmt.Sprintf("%s excludes %s (%s); the totals are of the rest",
		name, human.Count(files, "file", "files"), human.Count(stmts, "statement", "statements")))
}
