package gotest

import (
	"io"
	"runtime"
	"strings"
	"testing"

	"golang.org/x/tools/cover"
)

// byteReader is an endless stream of one byte, like /dev/zero, that
// allocates nothing however much is read.
type byteReader byte

func (b byteReader) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = byte(b)
	}
	return len(p), nil
}

// countingReader counts the bytes a parser took from its input.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// allocated returns the bytes the heap handed out while f ran.
func allocated(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

func TestParseGoProfileRefusesOverLimitInputsNamingTheLine(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{
			name: "a block on line 2,000,000,000 is refused, not sized",
			in:   "mode: set\na.go:1.1,2.2 1 1\na.go:2000000000.1,2000000000.9 1 0\n",
			want: `cover.out:3: want line numbers ≤ 16777216, got block 2000000000.1,2000000000.9`,
		},
		{
			name: "a block that only ends past the limit is refused too",
			in:   "mode: set\na.go:1.1,16777217.2 1 1\n",
			want: `cover.out:2: want line numbers ≤ 16777216, got block 1.1,16777217.2`,
		},
		{
			name: "a column beyond 2,147,483,647 is refused",
			in:   "mode: set\na.go:1.1,1.2147483648 1 1\n",
			want: `cover.out:2: want columns and a statement count ≤ 2147483647`,
		},
		{
			name: "a statement count beyond 2,147,483,647 is refused",
			in:   "mode: count\na.go:1.1,1.9 99999999999 1\n",
			want: `cover.out:2: want columns and a statement count ≤ 2147483647`,
		},
		{
			name: "NUL bytes before the mode line are not a profile",
			in:   "\x00\x00\x00\x00\n",
			want: `cover.out:1: want a first line "mode: set", "mode: count" or "mode: atomic", got "\x00\x00\x00\x00"`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseProfile("cover.out", strings.NewReader(tt.in))
			if err == nil || !strings.HasPrefix(err.Error(), tt.want) {
				t.Fatalf("error %v\nwant prefix %q", err, tt.want)
			}
		})
	}
}

func TestParseGoProfileSaturatesMergedCounts(t *testing.T) {
	in := "mode: count\na.go:1.1,1.9 1 999999999999999999\nb.go:1.1,1.9 1 1\na.go:1.1,1.9 1 999999999999999999\n"
	for i := 0; i < 10; i++ {
		in += "a.go:1.1,1.9 1 999999999999999999\n"
	}
	got, err := ParseProfile("cover.out", strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	if c := got[0].Blocks[0].Count; c <= 0 {
		t.Errorf("12 counts of 999999999999999999 merged to %d, want a saturated positive count", c)
	}
}

func TestParseGoProfileReadsBoundedAmountsOfHugeInputs(t *testing.T) {
	const mib = 1 << 20
	tests := []struct {
		name     string
		in       io.Reader
		want     string
		maxRead  int64  // by construction: the parser stops reading here
		maxAlloc uint64 // measured, with a generous margin
	}{
		{
			name:     "100 MB of zero bytes, like --profile /dev/zero, is refused within the first buffer",
			in:       io.LimitReader(byteReader(0), 100*mib),
			want:     `cover.out:1: want a first line "mode: set", "mode: count" or "mode: atomic", got "\x00\x00`,
			maxRead:  goProfileBuffer,
			maxAlloc: 4 * mib,
		},
		{
			name:     "a 64 MB line with no newline after the mode line is refused after 1 MiB",
			in:       io.MultiReader(strings.NewReader("mode: set\n"), io.LimitReader(byteReader('a'), 64*mib)),
			want:     `cover.out:2: line longer than 1 MiB`,
			maxRead:  maxGoProfileLine + 2*goProfileBuffer,
			maxAlloc: 16 * mib,
		},
		{
			name:     "a 64 MB first line that is not a mode line is refused within the first buffer",
			in:       io.LimitReader(byteReader('m'), 64*mib),
			want:     `cover.out:1: want a first line`,
			maxRead:  goProfileBuffer,
			maxAlloc: 4 * mib,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cr := &countingReader{r: tt.in}
			var err error
			alloc := allocated(func() { _, err = ParseProfile("cover.out", cr) })
			if err == nil || !strings.HasPrefix(err.Error(), tt.want) {
				t.Fatalf("error %v\nwant prefix %q", err, tt.want)
			}
			if cr.n > tt.maxRead {
				t.Errorf("read %d bytes before the error, want at most %d", cr.n, tt.maxRead)
			}
			if alloc > tt.maxAlloc {
				t.Errorf("allocated %d bytes, want at most %d", alloc, tt.maxAlloc)
			}
		})
	}
}

func TestParseGoProfileOfAFarBlockAllocatesLittle(t *testing.T) {
	in := "mode: set\na.go:2000000000.1,2000000000.9 1 0\n"
	var err error
	alloc := allocated(func() { _, err = ParseProfile("cover.out", strings.NewReader(in)) })
	if err == nil || !strings.HasPrefix(err.Error(), "cover.out:2: ") {
		t.Fatalf("error %v, want one naming cover.out:2", err)
	}
	if alloc > 4<<20 {
		t.Errorf("allocated %d bytes for a two-line profile, want at most 4 MiB", alloc)
	}
}

func TestMergeGoProfilesRefusesLinesPastTheLimit(t *testing.T) {
	far := []*cover.Profile{{FileName: "a.go", Mode: "set", Blocks: []cover.ProfileBlock{blk(2000000000, 1, 2000000000, 9, 1, 0)}}}
	_, err := MergeProfiles(far)
	if err == nil || !strings.Contains(err.Error(), "profile of a.go: want line numbers ≤ 16777216") {
		t.Errorf("error %v, want a line limit naming a.go", err)
	}
}
