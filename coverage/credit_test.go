package coverage

import (
	"strings"
	"testing"
)

func TestCompareCreditsFunctionsThatGainedCoverage(t *testing.T) {
	before := result(pkg("m/args", map[string][]fnSpec{"a.go": {{"Arg", 1, 0}, {"Parse", 8, 2}, {"Done", 3, 3}}}))
	b := NewBaseline(before)
	tests := []struct {
		name       string
		now        *Result
		newly      int
		gains      []string
		summaryHas string
	}{
		{name: "a function a new test covers wholly is now fully covered",
			now:   result(pkg("m/args", map[string][]fnSpec{"a.go": {{"Arg", 1, 1}, {"Parse", 8, 2}, {"Done", 3, 3}}})),
			newly: 1, gains: []string{"Arg: now fully covered, +1"}, summaryHas: "41.7% → 50.0% (+8.3), 1 statement more covered"},
		{name: "partly covered functions gain what runs now",
			now:   result(pkg("m/args", map[string][]fnSpec{"a.go": {{"Arg", 1, 1}, {"Parse", 8, 5}, {"Done", 3, 3}}})),
			newly: 4, gains: []string{"Parse: 5 of 8 covered, +3", "Arg: now fully covered, +1"}},
		{name: "a function new since the baseline is the change's own, not a gain",
			now:   result(pkg("m/args", map[string][]fnSpec{"a.go": {{"Arg", 1, 0}, {"Parse", 8, 2}, {"Done", 3, 3}, {"New", 4, 4}}})),
			newly: 0, gains: nil, summaryHas: "4 statements more covered"},
		{name: "nothing changed gains nothing",
			now:   before,
			newly: 0, gains: nil, summaryHas: "(+0.0), no more statements covered"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := b.Compare(tt.now)
			if d.NewlyCovered != tt.newly || !d.ByFunction {
				t.Errorf("newly covered = %d (by function %v), want %d", d.NewlyCovered, d.ByFunction, tt.newly)
			}
			var got []string
			for _, g := range d.Gains {
				got = append(got, g.String())
			}
			if strings.Join(got, "|") != strings.Join(tt.gains, "|") {
				t.Errorf("gains = %q, want %q", got, tt.gains)
			}
			if s := d.Summary(5); !strings.Contains(s, tt.summaryHas) {
				t.Errorf("summary %q, want it to say %q", s, tt.summaryHas)
			}
		})
	}
}
