package gotest

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"
)

// A failing test's output past maxFailureOutput is cut with a line that
// says so, rather than silently.
func TestALongFailureOutputSaysItWasCut(t *testing.T) {
	cases := []struct {
		name    string
		chunks  int
		chunk   int
		wantCut int
	}{
		{"output under the cap is kept whole", 10, 100, 0},
		{"output at the cap exactly is kept whole", 64, 1024, 0},
		{"output past the cap ends with how much was cut", 100, 1024, 36 * 1024},
		{"one chunk that crosses the cap is cut inside it", 1, 70 * 1024, 6 * 1024},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var stream strings.Builder
			enc := json.NewEncoder(&stream)
			line := strings.Repeat("x", c.chunk-1) + "\n"
			_ = enc.Encode(testEvent{Action: "run", Package: "p", Test: "TestBig"})
			for i := 0; i < c.chunks; i++ {
				_ = enc.Encode(testEvent{Action: "output", Package: "p", Test: "TestBig", Output: line})
			}
			_ = enc.Encode(testEvent{Action: "fail", Package: "p", Test: "TestBig"})
			col := newCollector(&progress{})
			if err := col.read(strings.NewReader(stream.String())); err != nil {
				t.Fatal(err)
			}
			if len(col.tests) != 1 {
				t.Fatalf("got %d tests, want 1", len(col.tests))
			}
			out := col.tests[0].Output
			marker := "more bytes of output cut"
			if c.wantCut == 0 {
				if strings.Contains(out, marker) || len(out) != c.chunks*c.chunk {
					t.Fatalf("output of %d bytes (marker %v), want %d bytes whole", len(out), strings.Contains(out, marker), c.chunks*c.chunk)
				}
				return
			}
			want := "… (" + strconv.Itoa(c.wantCut) + " " + marker + ")\n"
			if !strings.HasSuffix(out, want) {
				t.Fatalf("output ends %q, want it to end %q", out[max(0, len(out)-60):], want)
			}
			if kept := len(out) - len(want) - 1; kept != maxFailureOutput {
				t.Errorf("kept %d bytes, want %d", kept, maxFailureOutput)
			}
		})
	}
}
