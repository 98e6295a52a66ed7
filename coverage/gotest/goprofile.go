package gotest

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"

	"github.com/sprintkit/sprintkit/coverage"
	"golang.org/x/tools/cover"
)

// Go coverage profiles
//
// A Go text profile, as `go test -coverprofile` and `go tool covdata
// textfmt` write it, is a mode line followed by one line per block:
//
//	mode: set
//	example.com/m/url/parse.go:12.34,15.2 3 1
//
// The fields are file:startLine.startCol,endLine.endCol numStmt count. The
// mode is "set" (count is 0 or 1), "count" or "atomic" (count is how often
// the block ran). With -coverpkg every test binary writes its own copy of
// each block, so a profile of a whole module repeats most blocks once per
// package with tests.
//
// ParseProfile follows golang.org/x/tools/cover's merge rules: blocks with
// an identical start and end merge, their counts ORed in set mode and summed
// in count and atomic mode, and a differing NumStmt is an error. It differs
// from cover.ParseProfilesFromReader in three ways:
//
//   - it streams: a repeated block merges into the one already held as the
//     line is read, so memory grows with distinct blocks, not with lines;
//   - its errors name the input and the line ("cover.out:3: ...");
//   - it accepts a repeated "mode:" line of the same mode, which appears when
//     profiles (CI shards, per-module runs) are concatenated. A different
//     mode is an error. Blank lines are skipped.
//
// Limits, like ParseLCOV's, keep a hostile or mistaken input in bounded
// memory and give "NAME:LINE: ..." instead:
//
//   - a line holds at most maxGoProfileLine bytes (1 MiB; real lines are a
//     file path and six numbers), and no more than that is read into memory
//     before the error;
//   - the input must start with a "mode:" line: anything else, such as
//     binary data or /dev/zero, is refused within the first read buffer;
//   - line numbers are at most maxLine (16,777,216), as in LCOV, so that a
//     per-line table of a file stays small; columns and statement counts
//     are at most 2,147,483,647, hit counts have at most 18 digits, and
//     merged counts saturate instead of wrapping.
//
// There is no limit on the number of blocks: memory grows with the distinct
// blocks, as it does with the lines of an LCOV file.

// ParseProfile parses a Go text coverage profile read from r and returns a
// merged profile per file, sorted by file name, each with its blocks sorted
// by position. name is the input's name for error messages.
func ParseProfile(name string, r io.Reader) ([]*cover.Profile, error) {
	m := NewMerger()
	if err := m.Read(name, r); err != nil {
		return nil, err
	}
	profs, err := m.Profiles()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return profs, nil
}

// MergeProfiles merges already parsed profiles by the same rules as
// ParseProfile. All profiles must have the same mode.
func MergeProfiles(sets ...[]*cover.Profile) ([]*cover.Profile, error) {
	m := NewMerger()
	for _, set := range sets {
		for _, p := range set {
			if err := m.Add(p); err != nil {
				return nil, err
			}
		}
	}
	return m.Profiles()
}

// Merger accumulates Go profile blocks from any number of inputs and
// merges repeated blocks as they arrive. The zero value is not usable; call
// NewMerger.
type Merger struct {
	mode  string
	files map[string]*mergeFile
	order []*mergeFile
	cur   *mergeFile // file of the previous line, for the fast path
	slab  blockSlab
	// OnFile, when not nil, is called with each file name as it is first
	// met (Listing.Prescan), on the goroutine that reads.
	OnFile func(name string)
}

// blockSlab holds the blocks of many files in shared chunks, so that a
// profile of a million blocks costs one allocation per chunk instead of a
// slice per file that doubles its way up (and holds up to twice its blocks).
// The file whose blocks end the current chunk grows in place; every file's
// Blocks is cut to its own length and capacity, so an append to it elsewhere
// copies instead of writing over the next file's blocks.
type blockSlab struct {
	chunk []cover.ProfileBlock
	tail  *mergeFile // the file whose blocks end chunk, nil when none
	start int        // where tail's blocks start in chunk
}

// Chunks start at minSlabChunk blocks and double up to maxSlabChunk (3
// MiB), so that a small profile stays small.
const (
	minSlabChunk = 256
	maxSlabChunk = 64 << 10
)

// add appends b to f's blocks.
func (s *blockSlab) add(f *mergeFile, b cover.ProfileBlock) {
	n := len(f.prof.Blocks)
	if s.tail != f {
		if n > 0 {
			// A file whose blocks come back after another file's: it grows
			// on its own.
			f.prof.Blocks = append(f.prof.Blocks, b)
			return
		}
		s.tail, s.start = f, len(s.chunk)
	}
	if len(s.chunk) == cap(s.chunk) {
		// Move the tail's blocks to a new chunk, with room to grow.
		c := make([]cover.ProfileBlock, 0, max(min(2*cap(s.chunk), maxSlabChunk), minSlabChunk, 2*n))
		c = append(c, s.chunk[s.start:]...)
		s.chunk, s.start = c, 0
	}
	s.chunk = append(s.chunk, b)
	f.prof.Blocks = s.chunk[s.start:len(s.chunk):len(s.chunk)]
}

// mergeFile is one file's blocks while merging. Repeated blocks usually come
// in the same order as the first copy (one copy per test binary), so a cursor
// into the blocks finds the twin of the next line without a map; the map is
// built only for a file whose blocks come back in another order.
type mergeFile struct {
	prof   *cover.Profile
	cursor int              // index of the block expected next in a repeat
	repeat bool             // the file has been seen before the current run of lines
	index  map[blockPos]int // built lazily when the cursor misses in a repeat
	dirty  bool             // blocks may be unsorted or hold duplicates
}

type blockPos struct{ sl, sc, el, ec int }

func posOf(b *cover.ProfileBlock) blockPos {
	return blockPos{b.StartLine, b.StartCol, b.EndLine, b.EndCol}
}

// NewMerger returns an empty merger.
func NewMerger() *Merger {
	return &Merger{files: map[string]*mergeFile{}}
}

// Mode returns the profile mode seen so far, "" before any.
func (m *Merger) Mode() string { return m.mode }

func validMode(mode string) bool {
	return mode == "set" || mode == "count" || mode == "atomic"
}

// maxGoProfileLine is the longest profile line accepted, in bytes.
const maxGoProfileLine = 1 << 20

// goProfileBuffer is the read buffer: a first line that fills it without a
// newline cannot be a mode line.
const goProfileBuffer = 256 << 10

// Read parses one text profile from r into the merger. name is used in
// errors, which read "name:LINE: message".
func (m *Merger) Read(name string, r io.Reader) error {
	br := bufio.NewReaderSize(r, goProfileBuffer)
	lineNo := 0
	sawMode := false
	var long []byte
	for {
		line, err := br.ReadSlice('\n')
		if err == bufio.ErrBufferFull {
			if !sawMode {
				// A mode line is short: this is not a Go profile.
				return fmt.Errorf("%s:%d: %s", name, lineNo+1, wantMode(line))
			}
			long = append(long[:0], line...)
			for err == bufio.ErrBufferFull {
				line, err = br.ReadSlice('\n')
				if len(long)+len(line) > maxGoProfileLine {
					return fmt.Errorf("%s:%d: line longer than 1 MiB: want \"file.go:line.col,line.col statements count\"", name, lineNo+1)
				}
				long = append(long, line...)
			}
			line = long
		}
		if len(line) == 0 && err != nil {
			if err == io.EOF {
				break
			}
			return fmt.Errorf("read %s: %w", name, err)
		}
		lineNo++
		line = bytes.TrimRight(line, "\r\n")
		if len(line) > 0 {
			if perr := m.line(line, &sawMode); perr != nil {
				return fmt.Errorf("%s:%d: %w", name, lineNo, perr)
			}
		}
		if err != nil {
			if err == io.EOF {
				break
			}
			return fmt.Errorf("read %s: %w", name, err)
		}
	}
	if !sawMode {
		return fmt.Errorf("%s: empty profile: want a first line \"mode: set\", \"mode: count\" or \"mode: atomic\"", name)
	}
	m.cur = nil
	return nil
}

func wantMode(line []byte) string {
	return fmt.Sprintf("want a first line \"mode: set\", \"mode: count\" or \"mode: atomic\", got %s", quoteShort(line))
}

var modePrefix = []byte("mode: ")

func (m *Merger) line(line []byte, sawMode *bool) error {
	if bytes.HasPrefix(line, modePrefix) {
		mode := string(bytes.TrimSpace(line[len(modePrefix):]))
		if !validMode(mode) {
			return fmt.Errorf("unknown mode %q: want set, count or atomic", mode)
		}
		if m.mode != "" && m.mode != mode {
			return fmt.Errorf("mode %q differs from mode %q seen before: profiles of different modes cannot be merged", mode, m.mode)
		}
		m.mode = mode
		*sawMode = true
		m.cur = nil // a new shard starts: every file may repeat
		return nil
	}
	if !*sawMode {
		return errors.New(wantMode(line))
	}
	fileName, b, err := parseBlockLine(line)
	if err != nil {
		return err
	}
	f := m.cur
	if f == nil || f.prof.FileName != string(fileName) {
		f = m.files[string(fileName)]
		if f == nil {
			name := string(fileName)
			f = &mergeFile{prof: &cover.Profile{FileName: name, Mode: m.mode}}
			m.files[name] = f
			m.order = append(m.order, f)
			if m.OnFile != nil {
				m.OnFile(name)
			}
		} else {
			f.repeat = true
			f.cursor = 0
		}
		m.cur = f
	}
	return m.addBlock(f, b)
}

// Add merges an already parsed profile into the merger.
func (m *Merger) Add(p *cover.Profile) error {
	if !validMode(p.Mode) {
		return fmt.Errorf("profile of %s: unknown mode %q", p.FileName, p.Mode)
	}
	if m.mode != "" && m.mode != p.Mode {
		return fmt.Errorf("profile of %s: mode %q differs from mode %q seen before", p.FileName, p.Mode, m.mode)
	}
	m.mode = p.Mode
	f := m.files[p.FileName]
	if f == nil {
		f = &mergeFile{prof: &cover.Profile{FileName: p.FileName, Mode: p.Mode}}
		m.files[p.FileName] = f
		m.order = append(m.order, f)
	} else {
		f.repeat = true
		f.cursor = 0
	}
	m.cur = nil
	for _, b := range p.Blocks {
		if b.StartLine > coverage.MaxLine || b.EndLine > coverage.MaxLine {
			return fmt.Errorf("profile of %s: want line numbers ≤ %d, got block %d.%d,%d.%d", p.FileName, coverage.MaxLine, b.StartLine, b.StartCol, b.EndLine, b.EndCol)
		}
		if err := m.addBlock(f, b); err != nil {
			return err
		}
	}
	return nil
}

func (m *Merger) addBlock(f *mergeFile, b cover.ProfileBlock) error {
	blocks := f.prof.Blocks
	// Fast path: the block repeats the one the cursor points at.
	if c := f.cursor; c < len(blocks) {
		if o := &blocks[c]; o.StartLine == b.StartLine && o.StartCol == b.StartCol && o.EndLine == b.EndLine && o.EndCol == b.EndCol {
			f.cursor++
			return m.merge(f, o, b)
		}
	}
	if !f.repeat {
		// First run of this file's lines: append. Sorting and merging at the
		// end takes care of duplicates within one run.
		if n := len(blocks); n > 0 {
			if posOf(&blocks[n-1]) == posOf(&b) {
				return m.merge(f, &blocks[n-1], b)
			}
			if less(b, blocks[n-1]) {
				f.dirty = true
			}
		}
		m.slab.add(f, b)
		f.cursor = len(f.prof.Blocks)
		return nil
	}
	if f.index == nil {
		f.index = make(map[blockPos]int, len(blocks))
		for i := range blocks {
			if _, ok := f.index[posOf(&blocks[i])]; !ok {
				f.index[posOf(&blocks[i])] = i
			}
		}
	}
	p := posOf(&b)
	if i, ok := f.index[p]; ok {
		f.cursor = i + 1
		return m.merge(f, &blocks[i], b)
	}
	f.index[p] = len(blocks)
	f.dirty = true
	m.slab.add(f, b)
	f.cursor = len(f.prof.Blocks)
	return nil
}

func (m *Merger) merge(f *mergeFile, into *cover.ProfileBlock, b cover.ProfileBlock) error {
	if into.NumStmt != b.NumStmt {
		return fmt.Errorf("inconsistent NumStmt for %s:%d.%d,%d.%d: %d before, %d here",
			f.prof.FileName, b.StartLine, b.StartCol, b.EndLine, b.EndCol, into.NumStmt, b.NumStmt)
	}
	if m.mode == "set" {
		into.Count |= b.Count
	} else {
		into.Count = coverage.AddHits(into.Count, b.Count)
	}
	return nil
}

func less(a, b cover.ProfileBlock) bool {
	if a.StartLine != b.StartLine {
		return a.StartLine < b.StartLine
	}
	if a.StartCol != b.StartCol {
		return a.StartCol < b.StartCol
	}
	if a.EndLine != b.EndLine {
		return a.EndLine < b.EndLine
	}
	return a.EndCol < b.EndCol
}

// Profiles returns the merged profiles sorted by file name, each file's
// blocks sorted by position with identical blocks merged. The merger may
// not be used afterwards.
func (m *Merger) Profiles() ([]*cover.Profile, error) {
	out := make([]*cover.Profile, 0, len(m.order))
	for _, f := range m.order {
		f.index = nil
		if f.dirty {
			bs := f.prof.Blocks
			sort.SliceStable(bs, func(i, j int) bool { return less(bs[i], bs[j]) })
			j := 0
			for i := range bs {
				if j > 0 && posOf(&bs[j-1]) == posOf(&bs[i]) {
					if err := m.merge(f, &bs[j-1], bs[i]); err != nil {
						return nil, err
					}
					continue
				}
				bs[j] = bs[i]
				j++
			}
			f.prof.Blocks = bs[:j]
		}
		out = append(out, f.prof)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].FileName < out[j].FileName })
	m.files, m.order, m.cur, m.slab = nil, nil, nil, blockSlab{}
	return out, nil
}

var errBlockFormat = errors.New(`want "file.go:line.col,line.col statements count"`)

// parseBlockLine parses "name.go:12.34,15.2 3 1" from the end, like
// x/tools/cover's parseLine, without allocating.
func parseBlockLine(l []byte) (file []byte, b cover.ProfileBlock, err error) {
	end := len(l)
	fields := [...]struct {
		sep byte
		dst *int
	}{
		{' ', &b.Count}, {' ', &b.NumStmt}, {'.', &b.EndCol}, {',', &b.EndLine},
		{'.', &b.StartCol}, {':', &b.StartLine},
	}
	for _, fl := range fields {
		start := bytes.LastIndexByte(l[:end], fl.sep)
		if start < 0 {
			return nil, b, fmt.Errorf("%w, got %s", errBlockFormat, quoteShort(l))
		}
		v, ok := atoi(l[start+1 : end])
		if !ok {
			return nil, b, fmt.Errorf("%w, got %s", errBlockFormat, quoteShort(l))
		}
		*fl.dst = v
		end = start
	}
	if end == 0 {
		return nil, b, fmt.Errorf("%w, got %s: the file name is empty", errBlockFormat, quoteShort(l))
	}
	if b.StartLine > coverage.MaxLine || b.EndLine > coverage.MaxLine {
		return nil, b, fmt.Errorf("want line numbers ≤ %d, got block %d.%d,%d.%d", coverage.MaxLine, b.StartLine, b.StartCol, b.EndLine, b.EndCol)
	}
	if b.StartCol > math.MaxInt32 || b.EndCol > math.MaxInt32 || b.NumStmt > math.MaxInt32 {
		return nil, b, fmt.Errorf("want columns and a statement count ≤ %d, got %s", math.MaxInt32, quoteShort(l))
	}
	if b.EndLine < b.StartLine || (b.EndLine == b.StartLine && b.EndCol < b.StartCol) {
		return nil, b, fmt.Errorf("block %d.%d,%d.%d ends before it starts", b.StartLine, b.StartCol, b.EndLine, b.EndCol)
	}
	return l[:end], b, nil
}

// atoi parses a non-negative decimal of at most 18 digits.
func atoi(b []byte) (int, bool) {
	if len(b) == 0 || len(b) > 18 {
		return 0, false
	}
	n := 0
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

func quoteShort(b []byte) string {
	const max = 80
	if len(b) > max {
		return strconv.Quote(string(b[:max])) + "…"
	}
	return strconv.Quote(string(b))
}

// WriteProfile writes profiles as a Go text profile with one mode line,
// the format `go tool cover` reads.
func WriteProfile(w io.Writer, profiles []*cover.Profile) error {
	mode := "set"
	for _, p := range profiles {
		if p.Mode != "" {
			mode = p.Mode
			break
		}
	}
	bw := bufio.NewWriterSize(w, 64<<10)
	fmt.Fprintf(bw, "mode: %s\n", mode)
	var buf []byte
	for _, p := range profiles {
		for _, b := range p.Blocks {
			buf = append(buf[:0], p.FileName...)
			buf = append(buf, ':')
			buf = strconv.AppendInt(buf, int64(b.StartLine), 10)
			buf = append(buf, '.')
			buf = strconv.AppendInt(buf, int64(b.StartCol), 10)
			buf = append(buf, ',')
			buf = strconv.AppendInt(buf, int64(b.EndLine), 10)
			buf = append(buf, '.')
			buf = strconv.AppendInt(buf, int64(b.EndCol), 10)
			buf = append(buf, ' ')
			buf = strconv.AppendInt(buf, int64(b.NumStmt), 10)
			buf = append(buf, ' ')
			buf = strconv.AppendInt(buf, int64(b.Count), 10)
			buf = append(buf, '\n')
			if _, err := bw.Write(buf); err != nil {
				return err
			}
		}
	}
	return bw.Flush()
}

// WriteResultProfile writes the blocks of a Go result as a text profile, one
// mode line and every file's merged blocks: the profile `go tool cover`
// reads for the same run.
func WriteResultProfile(w io.Writer, r *coverage.Result) error {
	mode := r.Mode
	if !validMode(mode) {
		mode = "set"
	}
	var profs []*cover.Profile
	for _, p := range r.Packages {
		for _, f := range p.Files {
			profs = append(profs, &cover.Profile{FileName: f.Path, Mode: mode, Blocks: f.Blocks})
		}
	}
	sort.Slice(profs, func(i, j int) bool { return profs[i].FileName < profs[j].FileName })
	if len(profs) == 0 {
		_, err := fmt.Fprintf(w, "mode: %s\n", mode)
		return err
	}
	return WriteProfile(w, profs)
}
