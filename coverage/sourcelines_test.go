package coverage

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/tools/cover"

	"github.com/sprintkit/sprintkit/internal/testkit"
)

// The fixture's lines end with a comment naming the state a reader expects,
// matching what `go tool cover -html` colours on that line: c covered,
// u uncovered, p partly covered, - no statement.
const sourceLinesFixture = `package fx // -

func Sign(x int) int { // -
	if x > 0 { // c
		return 1 // c
	} else if x < 0 { // c
		return -1 // u
	} // -
	// a comment inside a block
	return 0 // c
} // -

func Never(s string) string { // -
	switch s { // u
	case "a": // -
		return "A" // u
	} // -
	for i := 0; i < 3; i++ { // u
		s += "x" // u
	} // -
	return s // u
} // -

func OneLine(b bool) int { if b { return 1 }; return 2 } // p
`

const sourceLinesTest = `package fx

import "testing"

func TestSign(t *testing.T) {
	if Sign(5) != 1 || Sign(0) != 0 {
		t.Fatal("sign")
	}
	if OneLine(true) != 1 {
		t.Fatal("oneline")
	}
}
`

func TestSourceLineStatesMatchesGoToolCoverColouring(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the go toolchain; go test without -short runs it")
	}
	goBin, err := exec.LookPath("go")
	if err != nil {
		testkit.Missing(t, "no go toolchain on PATH")
	}
	dir := t.TempDir()
	for name, text := range map[string]string{
		"go.mod":     "module example.com/fx\n\ngo 1.21\n",
		"fx.go":      sourceLinesFixture,
		"fx_test.go": sourceLinesTest,
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cmd := exec.Command(goBin, "test", "-count=1", "-coverprofile=cover.out", ".")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod", "GOPROXY=off")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go test: %v\n%s", err, out)
	}
	profiles, err := cover.ParseProfiles(filepath.Join(dir, "cover.out"))
	if err != nil || len(profiles) != 1 {
		t.Fatalf("parse profile: %v (%d profiles)", err, len(profiles))
	}
	f := &File{Blocks: profiles[0].Blocks}
	states := f.SourceLineStates([]byte(sourceLinesFixture))
	names := map[LineState]string{LineNone: "-", LineCovered: "c", LineUncovered: "u", LinePartial: "p"}
	var missed []int
	for i, line := range strings.Split(strings.TrimSuffix(sourceLinesFixture, "\n"), "\n") {
		n := i + 1
		want := "-"
		if j := strings.LastIndex(line, "// "); j >= 0 && !strings.HasPrefix(strings.TrimSpace(line), "//") {
			want = line[j+3:]
		}
		got := LineNone
		if n < len(states) {
			got = states[n]
		}
		if names[got] != want {
			t.Errorf("line %d %q: got %s, want %s", n, line, names[got], want)
		}
		if want == "u" || want == "p" {
			missed = append(missed, n)
		}
	}
	if got, want := FormatRanges(Missed(states), nil), FormatRanges(missed, nil); got != want {
		t.Errorf("missed ranges = %q, want %q", got, want)
	}
}

func TestSourceLineStatesHandlesShortSourcesAndLineBasedBlocks(t *testing.T) {
	for _, tc := range []struct {
		name   string
		blocks []cover.ProfileBlock
		src    string
		want   []LineState
	}{
		{
			name:   "line-based blocks mark their lines whole, even blank ones",
			blocks: []cover.ProfileBlock{{StartLine: 1, EndLine: 1, NumStmt: 1, Count: 0}, {StartLine: 2, EndLine: 2, NumStmt: 1, Count: 1}},
			src:    "x = 1\n\n",
			want:   []LineState{LineNone, LineUncovered, LineCovered},
		},
		{
			name:   "lines past the end of a changed source are left out of the table",
			blocks: []cover.ProfileBlock{{StartLine: 1, StartCol: 1, EndLine: 3, EndCol: 5, NumStmt: 2, Count: 0}},
			src:    "a()\n",
			want:   []LineState{LineNone, LineUncovered},
		},
		{
			name:   "columns past the end of a line do not panic",
			blocks: []cover.ProfileBlock{{StartLine: 1, StartCol: 40, EndLine: 1, EndCol: 90, NumStmt: 1, Count: 1}},
			src:    "short\n",
			want:   []LineState{LineNone, LineNone},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := &File{Blocks: tc.blocks}
			got := f.SourceLineStates([]byte(tc.src))
			if len(got) != len(tc.want) {
				t.Fatalf("got %v, want %v", got, tc.want)
			}
			for i := range got {
				if got[i] != tc.want[i] {
					t.Errorf("line %d = %v, want %v", i, got[i], tc.want[i])
				}
			}
		})
	}
}
