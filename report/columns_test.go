package report

import (
	"bytes"
	"strings"
	"testing"

	"github.com/sprintkit/sprintkit/coverage"
)

func TestDisplayWidth(t *testing.T) {
	tests := []struct {
		name string
		s    string
		want int
	}{
		{"plain ASCII counts its bytes", "cart", 4},
		{"colour codes take no room", "\x1b[31m 12.5%\x1b[0m", 6},
		{"bold and reset around a name take no room", "\x1b[1mexample.com/m\x1b[0m", 13},
		{"wide characters take two cells", "購物車", 6},
		{"an accented letter takes one", "café", 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := displayWidth(tt.s); got != tt.want {
				t.Errorf("displayWidth(%q) = %d, want %d", tt.s, got, tt.want)
			}
		})
	}
}

// The table lines up in colour exactly as without: strip the codes from the
// coloured output and it equals the plain one.
func TestColumnsAlignInColourAsWithout(t *testing.T) {
	r := fixtureResult()
	targets := coverage.Rank(r, coverage.RankOptions{})
	var plain, colour bytes.Buffer
	if err := Table(&plain, r, targets, TextOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := Table(&colour, r, targets, TextOptions{Color: true}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(colour.String(), "\x1b[") {
		t.Fatal("the coloured table has no colour codes")
	}
	if got := stripANSI(colour.String()); got != plain.String() {
		t.Errorf("coloured table, codes stripped:\n%s\nplain:\n%s", got, plain.String())
	}
	var c columns
	c.add("RANK", "TARGET", "COVER")
	c.add("1", "購物車", "\x1b[31m 10.0%\x1b[0m")
	c.add("2", "cart", " 50.0%")
	var b bytes.Buffer
	c.write(&b)
	lines := strings.Split(strings.TrimSpace(stripANSI(b.String())), "\n")
	col := func(l string) int { return displayWidth(l[:strings.Index(l, "%")]) }
	if col(lines[1]) != col(lines[2]) {
		t.Errorf("the percent column does not line up past a wide name:\n%s", stripANSI(b.String()))
	}
}
