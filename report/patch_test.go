package report

import (
	"strings"
	"testing"

	"github.com/sprintkit/sprintkit/coverage"
	"github.com/sprintkit/sprintkit/patchcov"
)

func TestPatchRows(t *testing.T) {
	src := []byte("l1\nl2\nl3\nl4\nl5\nl6\nl7\nl8\nl9\nl10\nl11\nl12\n")
	tests := []struct {
		name    string
		changed []int
		states  map[int]coverage.LineState
		want    []string // shown lines as "number:class", "gap" for ⋯
	}{
		{
			name:    "a changed line shows with two unchanged lines each side",
			changed: []int{4},
			states:  map[int]coverage.LineState{4: coverage.LineUncovered},
			want:    []string{"2:", "3:", "4:u", "5:", "6:"},
		},
		{
			name:    "distant changes are separated by a gap and near the top nothing is invented",
			changed: []int{1, 10},
			states:  map[int]coverage.LineState{1: coverage.LineCovered},
			want:    []string{"1:c", "2:", "3:", "gap", "8:", "9:", "10:n", "11:", "12:"},
		},
		{
			name:    "a partly covered line keeps its own class",
			changed: []int{6, 7},
			states:  map[int]coverage.LineState{6: coverage.LinePartial},
			want:    []string{"4:", "5:", "6:p", "7:n", "8:", "9:"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			html := string(patchRows(src, &patchcov.File{Changed: tt.changed, States: tt.states}, "f1-"))
			var got []string
			for _, row := range strings.SplitAfter(html, "<li ") {
				row = "<li " + strings.TrimSuffix(row, "<li ")
				switch {
				case row == "<li ":
				case strings.HasPrefix(row, "<li class=gap>"):
					got = append(got, "gap")
				default:
					tag := row[:strings.IndexByte(row, '>')] // <li id=f1-L4 data-line=4 class=u
					got = append(got, between(tag, `data-line=`, ` `)+":"+between(tag, `class=`, ` `))
				}
			}
			if strings.Join(got, " ") != strings.Join(tt.want, " ") {
				t.Errorf("rows %v, want %v\n%s", got, tt.want, html)
			}
		})
	}
}

func between(s, from, to string) string {
	_, after, ok := strings.Cut(s, from)
	if !ok {
		return ""
	}
	v, _, _ := strings.Cut(after, to)
	return v
}
