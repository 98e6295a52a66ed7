package patchcov

import (
	"context"
	"testing"

	"github.com/sprintkit/sprintkit/coverage"
)

// unrun is a copy of r in which no block ran: what a run of tests that
// reach none of the code measures.
func unrun(r *coverage.Result) *coverage.Result {
	out := *r
	out.Packages = nil
	for _, p := range r.Packages {
		np := *p
		np.Files = nil
		for _, f := range p.Files {
			nf := *f
			nf.Blocks = append(nf.Blocks[:0:0], f.Blocks...)
			for i := range nf.Blocks {
				nf.Blocks[i].Count = 0
			}
			np.Files = append(np.Files, &nf)
		}
		out.Packages = append(out.Packages, &np)
	}
	return &out
}

func TestSession(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the go toolchain")
	}
	dir, base := setUp(t)
	full, _ := measureFixture(t, dir)
	ch, err := Diff(context.Background(), dir, base, GitCLI)
	if err != nil {
		t.Fatal(err)
	}
	want := Compute(full, ch)
	if want.Covered == 0 || want.Covered == want.Statements {
		t.Fatalf("the fixture should be partly covered, is %d/%d", want.Covered, want.Statements)
	}
	empty := &coverage.Result{Root: dir}
	tests := []struct {
		name        string
		second      *coverage.Result
		partial     bool
		wantCovered int
	}{
		{"a file measured by an earlier run counts after a run that did not measure it", empty, false, want.Covered},
		{"a partial run adds what its tests ran to what the session has", unrun(full), true, want.Covered},
		{"a whole run replaces what the session has", unrun(full), false, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := &Session{Root: dir, Ref: base}
			if _, err := s.Measure(context.Background(), full, false); err != nil {
				t.Fatal(err)
			}
			got, err := s.Measure(context.Background(), tt.second, tt.partial)
			if err != nil {
				t.Fatal(err)
			}
			if got.Statements != want.Statements || got.Covered != tt.wantCovered {
				t.Errorf("got %d/%d, want %d/%d", got.Covered, got.Statements, tt.wantCovered, want.Statements)
			}
		})
	}
}
