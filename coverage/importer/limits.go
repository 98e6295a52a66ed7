package importer

import "fmt"

// The limits that keep every importer in bounded memory whatever its input:
// no parser holds more than one token of the input at a time, and a token,
// an array or a nesting past these limits is refused with an error that
// names the input's line. Real reports are far inside them: coverage.py
// writes file names, function names and test contexts; Cobertura writes
// names, paths and numbers in attributes and a path in each <source>.
const (
	// maxTokenBytes bounds a JSON string and an XML token (a tag with its
	// attributes, a comment, a run of text), as maxTokenText says.
	maxTokenBytes = 1 << 20
	maxTokenText  = "1 MiB"
	// maxJSONNumber bounds a JSON number or literal (true, false, null).
	maxJSONNumber = 1 << 10
	maxNumberText = "1 KiB"
	// maxJSONDepth bounds how deep JSON arrays and objects nest; a
	// coverage.py report needs 5.
	maxJSONDepth = 64
	// maxXMLDepth bounds how deep elements of an XML coverage report nest;
	// Cobertura needs 9.
	maxXMLDepth = 64
	// maxArrayBytes bounds the text of one array of line numbers or
	// branch arcs, which is decoded whole: some 900,000 lines as
	// coverage.py writes them, 400,000 pretty-printed.
	maxArrayBytes = 8 << 20
	maxArrayText  = "8 MiB"
	// maxArrayEntries bounds one array of a coverage.py report (the lines
	// or branch arcs of one file or function): a million statements in one
	// file is far beyond any source.
	maxArrayEntries = 1 << 20
	// maxReportEntries bounds the numbers a coverage.py report lists in its
	// line and arc arrays, over all its files.
	maxReportEntries = 1 << 22
)

// limitError is a limit of the input's, passed at byte off (0-based) on
// line line (1-based).
type limitError struct {
	line int
	off  int64
	msg  string // "want …, got …", without the position
}

func (e *limitError) Error() string {
	return fmt.Sprintf("line %d: %s", e.line, e.msg)
}
