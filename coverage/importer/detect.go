package importer

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
)

// The formats Import reads, as DetectFormat names them. FormatGo is detected
// so that callers can hand Go profiles to the Go engine; Import refuses it.
const (
	FormatLCOV       = "lcov"
	FormatCobertura  = "cobertura"
	FormatCoveragePy = "coverage.py"
	FormatGo         = "go"
)

// ErrGoProfile is returned (wrapped) by Import for a Go cover profile.
var ErrGoProfile = errors.New("a Go cover profile, not a line coverage format")

const detectHint = "want LCOV (SF:…), Cobertura XML (<coverage>) or coverage.py JSON ({\"files\": …})"

// DetectFormat tells the format of a coverage file from its first bytes
// (a few hundred are enough), never from its name: FormatLCOV,
// FormatCobertura, FormatCoveragePy or FormatGo.
func DetectFormat(head []byte) (string, error) {
	b := bytes.TrimPrefix(head, []byte("\xef\xbb\xbf"))
	b = bytes.TrimLeft(b, " \t\r\n")
	if len(b) == 0 {
		return "", errors.New("empty file; " + detectHint)
	}
	switch b[0] {
	case '{':
		return FormatCoveragePy, nil
	case '<':
		return FormatCobertura, nil
	}
	// LCOV: comments, then a record type such as TN:, SF: or VER:.
	for len(b) > 0 && b[0] == '#' {
		i := bytes.IndexByte(b, '\n')
		if i < 0 {
			b = nil
			break
		}
		b = bytes.TrimLeft(b[i+1:], " \t\r\n")
	}
	line := b
	if i := bytes.IndexByte(line, '\n'); i >= 0 {
		line = line[:i]
	}
	line = bytes.TrimRight(line, "\r")
	if bytes.HasPrefix(line, []byte("mode: ")) {
		return FormatGo, nil
	}
	if colon := bytes.IndexByte(line, ':'); colon > 0 && isRecordType(line[:colon]) {
		return FormatLCOV, nil
	}
	if len(b) == 0 {
		return FormatLCOV, nil // only comments: an LCOV file with no records
	}
	return "", fmt.Errorf("%s; got %s", detectHint, quote(line))
}

// ParseFile reads the coverage file at name in whichever format its content
// is in.
func ParseFile(name string) (*Profile, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return Parse(name, f)
}

// Parse reads a coverage file in whichever format its content is in.
func Parse(name string, r io.Reader) (*Profile, error) {
	br := bufio.NewReaderSize(r, 64*1024)
	head, err := br.Peek(4096)
	if err != nil && err != io.EOF && !errors.Is(err, bufio.ErrBufferFull) {
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	format, err := DetectFormat(head)
	if err != nil {
		return nil, fmt.Errorf("%s:1: %w", name, err)
	}
	// Skip a UTF-8 byte order mark that Windows tools write.
	if bytes.HasPrefix(head, []byte("\xef\xbb\xbf")) {
		br.Discard(3)
	}
	switch format {
	case FormatCoveragePy:
		return ParseCoveragePyJSON(name, br)
	case FormatCobertura:
		if bytes.Contains(head, []byte("<report")) && bytes.Contains(head, []byte("jacoco")) {
			return nil, fmt.Errorf("%s:1: a JaCoCo XML report; %s (convert it with cover2cover.py, or use JaCoCo's CSV-free Cobertura converter)", name, detectHint)
		}
		return ParseCobertura(name, br)
	case FormatGo:
		return nil, fmt.Errorf("%s:1: %w; import it as a Go profile", name, ErrGoProfile)
	}
	return ParseLCOV(name, br)
}
