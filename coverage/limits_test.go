package coverage

import (
	"runtime"
	"testing"

	"golang.org/x/tools/cover"
)

// allocated returns the bytes the heap handed out while f ran.
func allocated(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

func TestLineTablesAreSizedByTheSource(t *testing.T) {
	far := []cover.ProfileBlock{
		{StartLine: 2, StartCol: 1, EndLine: 2, EndCol: 8, NumStmt: 1, Count: 1},
		{StartLine: 2000000000, StartCol: 1, EndLine: 2000000000, EndCol: 9, NumStmt: 1, Count: 0},
	}
	tests := []struct {
		name     string
		blocks   []cover.ProfileBlock
		src      []byte
		wantLen  int
		maxAlloc uint64
	}{
		{
			name:     "a block on line 2,000,000,000 of a 3-line source gives a table of 3 lines",
			blocks:   far,
			src:      []byte("package a\nvar x = 1\n// end\n"),
			wantLen:  4,
			maxAlloc: 64 << 10,
		},
		{
			name:     "an empty source gives an empty table whatever the blocks say",
			blocks:   far,
			src:      []byte{},
			wantLen:  1,
			maxAlloc: 64 << 10,
		},
		{
			name:     "without the source the table stops at the line limit",
			blocks:   far,
			src:      nil,
			wantLen:  MaxLine + 1,
			maxAlloc: MaxLine + 1<<20,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := &File{Blocks: tt.blocks}
			var got []LineState
			alloc := allocated(func() { got = f.SourceLineStates(tt.src) })
			if len(got) != tt.wantLen {
				t.Fatalf("table of %d entries, want %d", len(got), tt.wantLen)
			}
			if tt.wantLen > 2 && got[2] != LineCovered {
				t.Errorf("line 2 = %v, want covered", got[2])
			}
			if alloc > tt.maxAlloc {
				t.Errorf("allocated %d bytes, want at most %d", alloc, tt.maxAlloc)
			}
			if f.LastLine() != 2000000000 {
				t.Errorf("LastLine = %d, want 2000000000 (the caller's warning needs it)", f.LastLine())
			}
		})
	}
}
