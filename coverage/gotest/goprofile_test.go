package gotest

import (
	"bytes"
	"fmt"
	"math/rand"
	"reflect"
	"strings"
	"testing"

	"github.com/sprintkit/sprintkit/coverage"

	"golang.org/x/tools/cover"
)

func TestParseGoProfileMergesLikeXTools(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []*cover.Profile
	}{
		{
			name: "identical blocks in set mode are ORed",
			in:   "mode: set\na.go:1.1,2.2 3 0\nb.go:1.1,1.9 1 0\na.go:1.1,2.2 3 1\n",
			want: []*cover.Profile{
				{FileName: "a.go", Mode: "set", Blocks: []cover.ProfileBlock{blk(1, 1, 2, 2, 3, 1)}},
				{FileName: "b.go", Mode: "set", Blocks: []cover.ProfileBlock{blk(1, 1, 1, 9, 1, 0)}},
			},
		},
		{
			name: "identical blocks in count mode are summed",
			in:   "mode: count\na.go:1.1,2.2 3 4\na.go:3.1,4.2 1 0\na.go:1.1,2.2 3 5\n",
			want: []*cover.Profile{
				{FileName: "a.go", Mode: "count", Blocks: []cover.ProfileBlock{blk(1, 1, 2, 2, 3, 9), blk(3, 1, 4, 2, 1, 0)}},
			},
		},
		{
			name: "a repeated mode line of the same mode joins concatenated shards",
			in:   "mode: atomic\na.go:1.1,2.2 3 1\nmode: atomic\na.go:1.1,2.2 3 2\na.go:5.1,6.2 2 7\n",
			want: []*cover.Profile{
				{FileName: "a.go", Mode: "atomic", Blocks: []cover.ProfileBlock{blk(1, 1, 2, 2, 3, 3), blk(5, 1, 6, 2, 2, 7)}},
			},
		},
		{
			name: "blocks out of order are sorted by position",
			in:   "mode: set\na.go:9.1,9.5 1 1\na.go:1.1,2.2 3 0\na.go:9.1,9.5 1 0\n",
			want: []*cover.Profile{
				{FileName: "a.go", Mode: "set", Blocks: []cover.ProfileBlock{blk(1, 1, 2, 2, 3, 0), blk(9, 1, 9, 5, 1, 1)}},
			},
		},
		{
			name: "CRLF line ends and blank lines are accepted",
			in:   "mode: set\r\n\r\na.go:1.1,2.2 3 1\r\n",
			want: []*cover.Profile{
				{FileName: "a.go", Mode: "set", Blocks: []cover.ProfileBlock{blk(1, 1, 2, 2, 3, 1)}},
			},
		},
		{
			name: "file names may hold colons and spaces",
			in:   "mode: set\nC:/my dir/a.go:1.1,2.2 3 1\n",
			want: []*cover.Profile{
				{FileName: "C:/my dir/a.go", Mode: "set", Blocks: []cover.ProfileBlock{blk(1, 1, 2, 2, 3, 1)}},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseProfile("cover.out", strings.NewReader(tt.in))
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %s\nwant %s", dump(got), dump(tt.want))
			}
		})
	}
}

func TestParseGoProfileErrorsNameTheLine(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"a malformed block line", "mode: set\na.go:1.1,2.2 3 1\nthis is not a block\n", `cover.out:3: want "file.go:line.col,line.col statements count", got "this is not a block"`},
		{"a negative count", "mode: set\na.go:1.1,2.2 3 -1\n", `cover.out:2: want`},
		{"a missing mode line", "a.go:1.1,2.2 3 1\n", `cover.out:1: want a first line "mode: set"`},
		{"an unknown mode", "mode: sometimes\n", `cover.out:1: unknown mode "sometimes"`},
		{"a second mode line of another mode", "mode: set\na.go:1.1,2.2 3 1\nmode: count\n", `cover.out:3: mode "count" differs from mode "set"`},
		{"a differing NumStmt for the same block", "mode: set\na.go:1.1,2.2 3 1\nb.go:1.1,2.2 3 1\na.go:1.1,2.2 4 1\n", `cover.out:4: inconsistent NumStmt for a.go:1.1,2.2: 3 before, 4 here`},
		{"an empty input", "", `cover.out: empty profile`},
		{"a block that ends before it starts", "mode: set\na.go:5.1,2.2 3 1\n", `cover.out:2: block 5.1,2.2 ends before it starts`},
		{"an empty file name", "mode: set\n:1.1,2.2 3 1\n", `cover.out:2: want`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseProfile("cover.out", strings.NewReader(tt.in))
			if err == nil {
				t.Fatalf("no error, want %q", tt.want)
			}
			if !strings.HasPrefix(err.Error(), tt.want) {
				t.Errorf("error %q\nwant prefix %q", err, tt.want)
			}
		})
	}
}

// TestParseGoProfileAgreesWithXTools checks the streaming merge against
// cover.ParseProfilesFromReader on random profiles where blocks repeat in
// shards, in order and shuffled.
func TestParseGoProfileAgreesWithXTools(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	for _, mode := range []string{"set", "count", "atomic"} {
		for round := 0; round < 20; round++ {
			var distinct []string
			for f := 0; f < 1+rng.Intn(5); f++ {
				line := 1
				for b := 0; b < 1+rng.Intn(30); b++ {
					end := line + rng.Intn(4)
					distinct = append(distinct, fmt.Sprintf("p/f%d.go:%d.%d,%d.%d %d", f, line, 2+rng.Intn(5), end, 10+rng.Intn(5), 1+rng.Intn(4)))
					line = end + 1
				}
			}
			var in strings.Builder
			in.WriteString("mode: " + mode + "\n")
			for shard := 0; shard < 1+rng.Intn(4); shard++ {
				order := rng.Perm(len(distinct))
				if shard%2 == 0 {
					for i := range order {
						order[i] = i
					}
				}
				for _, i := range order {
					count := rng.Intn(2)
					if mode != "set" {
						count = rng.Intn(10)
					}
					fmt.Fprintf(&in, "%s %d\n", distinct[i], count)
				}
			}
			want, err := cover.ParseProfilesFromReader(strings.NewReader(in.String()))
			if err != nil {
				t.Fatal(err)
			}
			got, err := ParseProfile("cover.out", strings.NewReader(in.String()))
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("%s round %d: differs from x/tools\ngot  %s\nwant %s", mode, round, dump(got), dump(want))
			}
		}
	}
}

func TestParseGoProfileKeepsOneBlockPerDistinctBlock(t *testing.T) {
	var in bytes.Buffer
	in.WriteString("mode: set\n")
	for shard := 0; shard < 50; shard++ {
		if shard > 0 && shard%10 == 0 {
			in.WriteString("mode: set\n")
		}
		for f := 0; f < 3; f++ {
			for b := 1; b <= 100; b++ {
				fmt.Fprintf(&in, "m/f%d.go:%d.2,%d.10 1 %d\n", f, b, b, (shard+b)%7/6)
			}
		}
	}
	m := NewMerger()
	if err := m.Read("cover.out", &in); err != nil {
		t.Fatal(err)
	}
	for _, f := range m.order {
		if n := len(f.prof.Blocks); n != 100 {
			t.Errorf("%s holds %d blocks while merging, want 100 (one per distinct block)", f.prof.FileName, n)
		}
		if f.index != nil {
			t.Errorf("%s built an index although its copies came in order", f.prof.FileName)
		}
	}
}

func TestWriteGoProfileRoundTrips(t *testing.T) {
	in := "mode: count\na.go:1.1,2.2 3 4\na.go:3.1,4.2 1 0\nb.go:7.3,9.1 2 1\n"
	profs, err := ParseProfile("in", strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := WriteProfile(&out, profs); err != nil {
		t.Fatal(err)
	}
	if out.String() != in {
		t.Errorf("wrote\n%s\nwant\n%s", out.String(), in)
	}
}

func TestMergeGoProfilesRejectsMixedModes(t *testing.T) {
	a := []*cover.Profile{{FileName: "a.go", Mode: "set", Blocks: []cover.ProfileBlock{blk(1, 1, 2, 2, 1, 1)}}}
	b := []*cover.Profile{{FileName: "a.go", Mode: "count", Blocks: []cover.ProfileBlock{blk(1, 1, 2, 2, 1, 3)}}}
	if _, err := MergeProfiles(a, b); err == nil || !strings.Contains(err.Error(), `mode "count" differs`) {
		t.Errorf("error %v, want a mode mismatch", err)
	}
	got, err := MergeProfiles(a, a)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || len(got[0].Blocks) != 1 || got[0].Blocks[0].Count != 1 {
		t.Errorf("merging a profile with itself gave %s", dump(got))
	}
}

func dump(ps []*cover.Profile) string {
	var b strings.Builder
	for _, p := range ps {
		fmt.Fprintf(&b, "%s(%s)%v ", p.FileName, p.Mode, p.Blocks)
	}
	return b.String()
}

// BenchmarkParseGoProfile parses a profile of 10 shards of the same
// 10,000 blocks (as -coverpkg writes them), with sprintkit's streaming
// parser and with x/tools/cover for comparison (benchstat the two).
func BenchmarkParseGoProfile(b *testing.B) {
	var in bytes.Buffer
	in.WriteString("mode: set\n")
	for shard := 0; shard < 10; shard++ {
		for f := 0; f < 100; f++ {
			for blk := 1; blk <= 100; blk++ {
				fmt.Fprintf(&in, "example.com/m/p%d/f%d.go:%d.2,%d.10 1 %d\n", f%10, f, blk, blk, shard%2)
			}
		}
	}
	data := in.Bytes()
	for _, impl := range []struct {
		name  string
		parse func() error
	}{
		{"sprintkit", func() error { _, err := ParseProfile("bench", bytes.NewReader(data)); return err }},
		{"x-tools", func() error { _, err := cover.ParseProfilesFromReader(bytes.NewReader(data)); return err }},
	} {
		b.Run(impl.name, func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			for b.Loop() {
				if err := impl.parse(); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(100000*b.N)/b.Elapsed().Seconds(), "lines/s")
		})
	}
}

func blk(sl, sc, el, ec, n, c int) cover.ProfileBlock {
	return cover.ProfileBlock{StartLine: sl, StartCol: sc, EndLine: el, EndCol: ec, NumStmt: n, Count: c}
}

// FuzzGoProfile checks that any input either fails with an error naming
// the input or parses into blocks within the limits, which write back and
// parse again to the same profiles.
func FuzzGoProfile(f *testing.F) {
	f.Add([]byte("mode: set\na.go:1.1,2.2 3 1\nb.go:1.1,1.9 1 0\na.go:1.1,2.2 3 0\n"))
	f.Add([]byte("mode: count\r\n\r\nC:/my dir/a.go:4.2,9.1 2 7\r\nmode: count\r\nC:/my dir/a.go:4.2,9.1 2 1\r\n"))
	f.Add([]byte("mode: atomic\na.go:16777216.1,16777216.2 1 999999999999999999\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		got, err := ParseProfile("fuzz.out", bytes.NewReader(data))
		if err != nil {
			if !strings.HasPrefix(err.Error(), "fuzz.out:") {
				t.Fatalf("error does not name the input: %v", err)
			}
			return
		}
		for _, p := range got {
			for _, b := range p.Blocks {
				if b.StartLine > coverage.MaxLine || b.EndLine > coverage.MaxLine || b.EndLine < b.StartLine || b.Count < 0 || b.NumStmt < 0 {
					t.Fatalf("%s: block out of bounds %+v", p.FileName, b)
				}
			}
		}
		var out bytes.Buffer
		if err := WriteProfile(&out, got); err != nil {
			t.Fatal(err)
		}
		again, err := ParseProfile("again.out", &out)
		if err != nil {
			t.Fatalf("written profile does not parse: %v\n%s", err, out.String())
		}
		if len(got) > 0 && !reflect.DeepEqual(again, got) {
			t.Fatalf("round trip differs\ngot  %s\nwant %s", dump(again), dump(got))
		}
	})
}

// TestParseGoProfileAgreesWithXToolsAcrossChunks checks the merge on
// profiles large enough that files' blocks cross the merger's chunks, with
// files that come back with new blocks after other files (in order and not),
// against cover.ParseProfilesFromReader; and that the files' block slices do
// not share room, so an append to one leaves the others alone.
func TestParseGoProfileAgreesWithXToolsAcrossChunks(t *testing.T) {
	rng := rand.New(rand.NewSource(2))
	for round := 0; round < 4; round++ {
		var in strings.Builder
		in.WriteString("mode: count\n")
		files := 50 + rng.Intn(300)
		next := make([]int, files) // next line of each file
		for i := range next {
			next[i] = 1
		}
		for run := 0; run < 3*files; run++ {
			f := rng.Intn(files)
			if run < files {
				f = run // every file once in order first
			}
			for b := 0; b < 1+rng.Intn(2*maxSlabChunk/files); b++ {
				l := next[f]
				if rng.Intn(5) == 0 && l > 10 {
					l = 1 + rng.Intn(l-1) // a block seen before, or one between
				} else {
					next[f]++
				}
				fmt.Fprintf(&in, "m/p/f%d.go:%d.2,%d.9 1 %d\n", f, l, l, rng.Intn(3))
			}
		}
		want, err := cover.ParseProfilesFromReader(strings.NewReader(in.String()))
		if err != nil {
			t.Fatal(err)
		}
		got, err := ParseProfile("cover.out", strings.NewReader(in.String()))
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("round %d: differs from x/tools", round)
		}
		for _, p := range got {
			_ = append(p.Blocks, cover.ProfileBlock{StartLine: -1, NumStmt: -1})
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("round %d: an append to one file's blocks changed another's", round)
		}
	}
}
