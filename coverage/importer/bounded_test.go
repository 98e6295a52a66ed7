package importer

import (
	"fmt"
	"io"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// repeatReader is an endless stream of one pattern, like /dev/zero, that
// allocates nothing however much is read.
type repeatReader struct {
	pat string
	i   int
}

func (r *repeatReader) Read(p []byte) (int, error) {
	for k := range p {
		p[k] = r.pat[r.i]
		r.i = (r.i + 1) % len(r.pat)
	}
	return len(p), nil
}

// huge streams head, n bytes of the pattern, then tail: a 100 MB input
// that is never in memory.
func huge(head, pat string, n int64, tail string) io.Reader {
	return io.MultiReader(strings.NewReader(head), io.LimitReader(&repeatReader{pat: pat}, n), strings.NewReader(tail))
}

// memoryOf runs f and returns the bytes the heap handed out while it ran
// (TotalAlloc) and the largest growth of the heap in use above where it
// started, sampled every 5 ms with runtime.ReadMemStats.
func memoryOf(f func()) (total, peak uint64) {
	var before runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	var top atomic.Uint64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(5 * time.Millisecond)
		defer t.Stop()
		for {
			var m runtime.MemStats
			runtime.ReadMemStats(&m)
			if m.HeapInuse > top.Load() {
				top.Store(m.HeapInuse)
			}
			select {
			case <-stop:
				return
			case <-t.C:
			}
		}
	}()
	f()
	close(stop)
	wg.Wait()
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	if after.HeapInuse > top.Load() {
		top.Store(after.HeapInuse)
	}
	peak = 0
	if t := top.Load(); t > before.HeapInuse {
		peak = t - before.HeapInuse
	}
	return after.TotalAlloc - before.TotalAlloc, peak
}

func TestImportersRefuseHugeTokensInBoundedMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("streams 100 MB inputs; runs without -short")
	}
	const mb = 1 << 20
	const size = 100 * mb
	const maxMem = 64 * mb
	json := func(name string, r io.Reader) error { _, err := ParseCoveragePyJSON(name, r); return err }
	xml := func(name string, r io.Reader) error { _, err := ParseCobertura(name, r); return err }
	lcov := func(name string, r io.Reader) error { _, err := ParseLCOV(name, r); return err }
	tests := []struct {
		name  string
		parse func(name string, r io.Reader) error
		in    io.Reader
		want  string
	}{
		{
			name:  "a 100 MB file name in coverage.py JSON is refused at its line",
			parse: json,
			in:    huge("{\"meta\": {},\n\"files\": {\n\"", "a", size, "\": {}}}"),
			want:  `cov:3: want strings of at most 1 MiB, got a longer one at byte 25 (in a file name in "files")`,
		},
		{
			name:  "a 100 MB string under an unknown key of coverage.py JSON is refused at its line",
			parse: json,
			in:    huge("{\"files\": {},\n\"junk\": \"", "a", size, "\"}"),
			want:  `cov:2: want strings of at most 1 MiB, got a longer one at byte 23 (in the value of "junk")`,
		},
		{
			name:  "a 100 MB array of executed lines is refused at its size limit",
			parse: json,
			in:    huge("{\"files\": {\"a.py\": {\"executed_lines\": [", "1, ", size, "1]}}}"),
			want:  `cov:1: want arrays of at most 8 MiB, got a longer one at byte 39 (in the entry of "a.py" in "files")`,
		},
		{
			name:  "a 100 MB number in coverage.py JSON is refused",
			parse: json,
			in:    huge("{\"files\": {\"a.py\": {\"executed_lines\": [", "1", size, "]}}}"),
			want:  `cov:1: want numbers of at most 1 KiB, got a longer one at byte 40 (in the entry of "a.py" in "files")`,
		},
		{
			name:  "JSON nested 100 MB deep is refused at the 65th level",
			parse: json,
			in:    huge("{\"junk\": ", "[", size, ""),
			want:  `cov:1: want values nested at most 64 deep, got deeper at byte 73 (in the value of "junk")`,
		},
		{
			name:  "a 100 MB Cobertura attribute is refused at its line",
			parse: xml,
			in:    huge("<?xml version=\"1.0\"?>\n<coverage version=\"", "a", size, "\"></coverage>"),
			want:  `cov:2: want XML tokens of at most 1 MiB, got a tag (with its attributes) longer than that, from byte 23`,
		},
		{
			name:  "a 100 MB attribute of a Latin-1 Cobertura report is refused at its line",
			parse: xml,
			in:    huge("<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>\n<coverage version=\"", "\xe9", size, "\"></coverage>"),
			want:  `cov:2: want XML tokens of at most 1 MiB, got a token longer than that, from byte 45`,
		},
		{
			name:  "a 100 MB XML comment is refused at its line",
			parse: xml,
			in:    huge("<coverage>\n<packages>\n<!--", "a", size, "--></packages></coverage>"),
			want:  `cov:3: want XML tokens of at most 1 MiB, got a comment longer than that, from byte 23`,
		},
		{
			name:  "a 100 MB <source> text is refused at its line",
			parse: xml,
			in:    huge("<coverage><sources>\n<source>", "a", size, "</source></sources></coverage>"),
			want:  `cov:2: want XML tokens of at most 1 MiB, got text longer than that, from byte 29`,
		},
		{
			name:  "100 MB of whitespace between XML elements is refused",
			parse: xml,
			in:    huge("<coverage>", "\n", size, "</coverage>"),
			want:  `cov:1: want XML tokens of at most 1 MiB, got text longer than that, from byte 11`,
		},
		{
			name:  "a 100 MB LCOV line is refused at its line",
			parse: lcov,
			in:    huge("TN:\nSF:", "a", size, "\nend_of_record\n"),
			want:  `cov:2: line longer than 16 MiB`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var err error
			total, peak := memoryOf(func() { err = tt.parse("cov", tt.in) })
			t.Logf("allocated %.1f MB, peak heap growth %.1f MB", float64(total)/mb, float64(peak)/mb)
			if err == nil || !strings.HasPrefix(err.Error(), tt.want) {
				msg := fmt.Sprint(err)
				if len(msg) > 300 { // a message quoting the input whole would be 100 MB
					msg = msg[:300] + "…"
				}
				t.Fatalf("error %s\nwant prefix %q", msg, tt.want)
			}
			if total > maxMem || peak > maxMem {
				t.Errorf("allocated %d bytes, peak heap growth %d, want both under %d for a %d-byte input", total, peak, maxMem, size)
			}
		})
	}
}

func TestCoveragePyJSONLimitsLeaveRealReportsAlone(t *testing.T) {
	// A file of 100,000 statements, a long file name and a pretty-printed
	// report with many lines all stay well within the limits.
	var b strings.Builder
	b.WriteString("{\"meta\": {\"branch_coverage\": false},\n\"files\": {\n\"" + strings.Repeat("d/", 1000) + "a.py\": {\"executed_lines\": [\n")
	for i := 1; i <= 100000; i++ {
		if i > 1 {
			b.WriteString(",\n")
		}
		fmt.Fprintf(&b, "%d", i)
	}
	b.WriteString("], \"missing_lines\": [], \"excluded_lines\": [], \"contexts\": {\"1\": [\"" + strings.Repeat("x", 100000) + "\"]}}},\n\"totals\": {\"covered_lines\": 100000, \"num_statements\": 100000}}\n")
	p, err := ParseCoveragePyJSON("cov.json", strings.NewReader(b.String()))
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Files) != 1 || len(p.Files[0].Lines) != 100000 {
		t.Fatalf("got %d files, want 1 of 100000 lines", len(p.Files))
	}
	if p.Declared == nil || p.Declared.Statements != 100000 {
		t.Errorf("declared %+v, want 100000 statements", p.Declared)
	}
}

func TestCoveragePyJSONErrorsNameTheLineFarIntoTheFile(t *testing.T) {
	// 300,000 lines before the error: the line is counted without keeping
	// an offset per line.
	in := "{\"files\": {" + strings.Repeat("\n", 300000) + "\"a.py\": {\"executed_lines\": [\"x\"]}}}"
	_, err := ParseCoveragePyJSON("cov.json", strings.NewReader(in))
	want := `cov.json:300001: want the entry of "a.py" in "files": executed_lines is a JSON string, not an integer`
	if err == nil || err.Error() != want {
		t.Fatalf("error %v\nwant %q", err, want)
	}
}

func TestCoveragePyJSONRefusesTooManyEntries(t *testing.T) {
	if testing.Short() {
		t.Skip("decodes some 5 million line numbers; runs without -short")
	}
	ones := func(n int) string { return strings.TrimSuffix(strings.Repeat("1,", n), ",") }
	tests := []struct {
		name, in, want string
	}{
		{
			name: "an array of 1,048,577 lines is refused",
			in:   `{"files": {"a.py": {"executed_lines": [` + ones(maxArrayEntries+1) + `]}}}`,
			want: `cov.json:1: want at most 1048576 entries in executed_lines, got 1048577 (in the entry of "a.py" in "files")`,
		},
		{
			name: "a function's lines count too",
			in:   `{"files": {"a.py": {"functions": {"f": {"missing_lines": [` + ones(maxArrayEntries+1) + `]}}}}}`,
			want: `cov.json:1: want at most 1048576 entries in function f, got 1048577`,
		},
		{
			name: "four files of a million lines and one more line take the report past its limit",
			in: `{"files": {"a.py": {"executed_lines": [` + ones(maxArrayEntries) + `]}, "b.py": {"executed_lines": [` + ones(maxArrayEntries) +
				`]}, "c.py": {"executed_lines": [` + ones(maxArrayEntries) + `]}, "d.py": {"executed_lines": [` + ones(maxArrayEntries) +
				`]}, "e.py": {"executed_lines": [1]}}}`,
			want: `cov.json:1: want at most 4194304 line and arc entries in the whole report, got more`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseCoveragePyJSON("cov.json", strings.NewReader(tt.in))
			if err == nil || !strings.HasPrefix(err.Error(), tt.want) {
				t.Fatalf("error %v\nwant prefix %q", err, tt.want)
			}
		})
	}
}
